"""``expert``: a stronger Dhumbal heuristic of our own, built for the ``standard`` rules.

What it does that the study's agents do not:

- It tracks the cards it has seen: the whole discard pile and the cards others took from the
  offer are out of the unseen pool, so its estimates of the deck and of opponents' hands
  use only cards that can still be there.
- Before calling it weighs the risk of being undercut: it deals the unseen cards to the
  opponents many times (their known cards fixed) and calls only if it is strictly lowest in
  at least ``call_confidence`` of the deals, i.e. only where the tie-against-the-caller rule
  and the opponents' hand sizes leave it a good chance.
- It plans discard and draw together: for every meld it could shed and every card it could
  then hold (each offered card, or the expected deck card over the unseen pool) it scores
  the resulting hand by its total less a share of the largest meld it could shed next turn,
  and picks the best pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from arena.core.agent import SeatView
from arena.core.params import param
from games.dhumbal.cards import CALL, DRAW, MELD_BASE, TAKE_BASE

from .dhumbal_study import _DhumbalAgent


@dataclass(frozen=True)
class ExpertParams:
    """Settings of the expert heuristic."""

    samples: int = param(200, "deals of the unseen cards sampled to judge a call")
    call_confidence: float = param(0.6, "calls only if strictly lowest in this share of deals")
    shed_weight: float = param(0.5, "weight of next turn's best meld in a hand's score")

    def __post_init__(self) -> None:
        if self.samples < 1:
            raise ValueError(f"samples={self.samples} must be at least 1")
        if not 0.0 <= self.call_confidence <= 1.0:
            raise ValueError(f"call_confidence={self.call_confidence} must be in [0, 1]")


class Expert(_DhumbalAgent):
    """Tracks seen cards, samples opponents' hands before calling, plans discard + draw."""

    name = "expert"
    Params = ExpertParams

    def __init__(self, params, game):
        super().__init__(params, game)
        self._shed: dict[int, int] = {}
        self._scores: dict[int, float] = {}

    def act(self, view: SeatView, legal: Sequence[int]) -> int:
        obs = view.observation()
        hand = 0
        for c in obs.hand:
            hand |= 1 << c
        unseen = self._unseen(obs, hand)
        if obs.phase == "discard":
            if legal[0] == CALL and self.call_success(obs, unseen) >= self.params.call_confidence:
                return CALL
            return self._best_discard(hand, [a for a in legal if a >= MELD_BASE], obs.offer,
                                      unseen)
        return self._best_draw(hand, legal, unseen)

    # -- what is unseen -------------------------------------------------------------------
    def _unseen(self, obs, hand: int) -> list[int]:
        seen = hand
        for meld in obs.pile:
            for c in meld:
                seen |= 1 << c
        for s, cards in enumerate(obs.known):
            if s != obs.seat:
                for c in cards:
                    seen |= 1 << c
        return [c for c in range(52) if not seen >> c & 1]

    # -- calling --------------------------------------------------------------------------
    def call_success(self, obs, unseen: list[int]) -> float:
        """Share of sampled deals of the unseen cards in which our total is strictly lowest."""
        values = self.values
        mine = obs.hand_total
        opponents = []
        for s, active in enumerate(obs.active):
            if active and s != obs.seat:
                known = sum(values[c] for c in obs.known[s])
                opponents.append((known, obs.hand_sizes[s] - len(obs.known[s])))
        pool = [values[c] for c in unseen]
        need = sum(k for _, k in opponents)
        if need > len(pool):  # cannot happen in a consistent state; be safe
            return 0.0
        rng, wins, samples = self.rng, 0, self.params.samples
        for _ in range(samples):
            drawn = rng.sample(pool, need)
            i, ok = 0, True
            for known, k in opponents:
                if known + sum(drawn[i:i + k]) <= mine:
                    ok = False
                    break
                i += k
            wins += ok
        return wins / samples

    # -- discarding and drawing -----------------------------------------------------------
    def _shed_value(self, hand: int) -> int:
        """Value of the largest meld the hand could shed (cached per hand)."""
        hit = self._shed.get(hand)
        if hit is None:
            values, meld_cards = self.values, self.meld_cards
            acts, _ = self.game.discard_options(hand)
            hit = max((sum(values[c] for c in meld_cards[a - MELD_BASE])
                       for a in acts if a >= MELD_BASE), default=0)
            if len(self._shed) > 200_000:
                self._shed.clear()
            self._shed[hand] = hit
        return hit

    def _score(self, hand: int) -> float:
        """Lower is better: the hand's total less a share of what it can shed next turn."""
        hit = self._scores.get(hand)
        if hit is None:
            total = self.game.discard_options(hand)[1]
            hit = total - self.params.shed_weight * self._shed_value(hand)
            if len(self._scores) > 400_000:
                self._scores.clear()
            self._scores[hand] = hit
        return hit

    def _deck_score(self, hand: int, unseen: list[int]) -> float:
        if not unseen:
            return float("inf")
        score, scores = self._score, self._scores
        total = 0.0
        for c in unseen:
            h = hand | 1 << c
            v = scores.get(h)
            total += v if v is not None else score(h)
        return total / len(unseen)

    def _best_discard(self, hand: int, melds: list[int], offer: Sequence[int],
                      unseen: list[int]) -> int:
        own = self.game.rules.pickup == "own"
        best, best_score = melds[0], float("inf")
        for a in melds:
            cards = self.meld_cards[a - MELD_BASE]
            rest = hand
            for c in cards:
                rest &= ~(1 << c)
            options = [self._deck_score(rest, unseen)]
            takeable = (cards[-1],) if own else offer
            options.extend(self._score(rest | 1 << c) for c in takeable)
            score = min(options)
            if score < best_score:
                best, best_score = a, score
        return best

    def _best_draw(self, hand: int, legal: Sequence[int], unseen: list[int]) -> int:
        best, best_score = legal[0], float("inf")
        for a in legal:
            if a == DRAW:
                score = self._deck_score(hand, unseen)
            else:
                score = self._score(hand | 1 << (a - TAKE_BASE))
            if score < best_score:
                best, best_score = a, score
        return best

