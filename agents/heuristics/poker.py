"""A hand-strength rule bot for Kuhn poker, Leduc hold'em and Texas Hold'em.

``poker_rules`` raises strong hands, calls medium ones and folds weak ones (it checks when
checking is free). Strength is the hand's equity against random hands of the opponents still
in the hand:

- Kuhn and Leduc: exact, by enumerating the unseen cards (Leduc: a pair with the public
  card beats any unpaired hand, else the higher card; equal ranks split);
- hold'em preflop: a simple hole-card score (high card points, pairs doubled, suited and
  connected bonuses, gap penalties), and Monte Carlo equity where the pot odds matter;
- hold'em after the flop: Monte Carlo equity against random hole cards with this module's
  7-card evaluator (``evaluate``).

Against several opponents the equity is compared with the fair share: the strength used for
the thresholds is ``equity * (opponents + 1) / 2`` (capped at 1), which is the plain equity
heads-up. In no-limit it calls only when the equity beats the pot odds. Its only randomness is
the Monte Carlo sampling, drawn from the agent's own ``self.rng``; on Kuhn and Leduc the
policy is deterministic, so ``action_probabilities`` tabulates it exactly.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from arena.core.agent import Agent, SeatView
from arena.core.params import param
from games.openspiel.poker import RANKS, PokerObservation, layout

# -- the hand evaluator ------------------------------------------------------------------

HIGH_CARD, PAIR, TWO_PAIR, TRIPS, STRAIGHT, FLUSH, FULL_HOUSE, QUADS, STRAIGHT_FLUSH = range(9)
SUITS = "cdhs"


def card(text: str) -> int:
    """A card string such as ``"As"`` or ``"Td"`` as an int: rank * 4 + suit (2 = rank 0)."""
    return RANKS.index(text[0].upper()) * 4 + SUITS.index(text[1].lower())


def cards(text: str | Sequence[str]) -> list[int]:
    """``"As Kd"``, ``"AsKd"`` or ``["As", "Kd"]`` as card ints."""
    if isinstance(text, str):
        text = text.replace(" ", "")
        text = [text[i:i + 2] for i in range(0, len(text), 2)]
    return [card(t) for t in text]


def _straight_table() -> list[int]:
    """For each 13-bit rank mask, the top rank of its highest straight, or -1."""
    runs = [(top, 0b11111 << (top - 4)) for top in range(12, 3, -1)]
    runs.append((3, (1 << 12) | 0b1111))  # the wheel, A-2-3-4-5, is a 5-high straight
    table = []
    for mask in range(1 << 13):
        table.append(next((top for top, run in runs if mask & run == run), -1))
    return table


_STRAIGHT = _straight_table()


def _value(category: int, ranks: Sequence[int]) -> int:
    v = category
    for i in range(5):
        v = (v << 4) | (ranks[i] if i < len(ranks) else 0)
    return v


def _top(mask: int, k: int) -> list[int]:
    out: list[int] = []
    r = 12
    while r >= 0 and len(out) < k:
        if mask >> r & 1:
            out.append(r)
        r -= 1
    return out


def evaluate(hand: Sequence[int]) -> int:
    """The value of the best five-card hand in ``hand`` (5 to 7 card ints); higher is better,
    equal values tie. ``category(value)`` gives the hand's category."""
    counts = [0] * 13
    suits = [0, 0, 0, 0]
    for c in hand:
        counts[c >> 2] += 1
        suits[c & 3] |= 1 << (c >> 2)
    flush = 0
    for sm in suits:
        if sm.bit_count() >= 5:
            top = _STRAIGHT[sm]
            if top >= 0:
                return _value(STRAIGHT_FLUSH, (top,))
            flush = sm
            break
    quads = trips = -1
    trips2 = -1
    pairs: list[int] = []
    for r in range(12, -1, -1):
        n = counts[r]
        if n == 4 and quads < 0:
            quads = r
        elif n == 3:
            if trips < 0:
                trips = r
            elif trips2 < 0:
                trips2 = r
        elif n == 2:
            pairs.append(r)
    mask = suits[0] | suits[1] | suits[2] | suits[3]
    if quads >= 0:
        return _value(QUADS, (quads, _top(mask & ~(1 << quads), 1)[0]))
    if trips >= 0 and (trips2 >= 0 or pairs):
        return _value(FULL_HOUSE, (trips, max(trips2, pairs[0] if pairs else -1)))
    if flush:
        return _value(FLUSH, _top(flush, 5))
    top = _STRAIGHT[mask]
    if top >= 0:
        return _value(STRAIGHT, (top,))
    if trips >= 0:
        return _value(TRIPS, [trips] + _top(mask & ~(1 << trips), 2))
    if len(pairs) >= 2:
        hi, lo = pairs[0], pairs[1]
        return _value(TWO_PAIR, [hi, lo] + _top(mask & ~(1 << hi) & ~(1 << lo), 1))
    if pairs:
        return _value(PAIR, [pairs[0]] + _top(mask & ~(1 << pairs[0]), 3))
    return _value(HIGH_CARD, _top(mask, 5))


def category(value: int) -> int:
    """The category (``HIGH_CARD`` .. ``STRAIGHT_FLUSH``) of an ``evaluate`` value."""
    return value >> 20


def holdem_equity(hole: Sequence[int], board: Sequence[int], opponents: int, samples: int,
                  rng, deck: Sequence[int] = tuple(range(52))) -> float:
    """Monte Carlo share of the pot won against ``opponents`` random hands (ties split)."""
    known = set(hole) | set(board)
    rest = [c for c in deck if c not in known]
    need = 5 - len(board)
    hole, board = list(hole), list(board)
    total = 0.0
    for _ in range(samples):
        draw = rng.sample(rest, need + 2 * opponents)
        full = board + draw[:need]
        mine = evaluate(hole + full)
        ties = 1
        for k in range(opponents):
            i = need + 2 * k
            v = evaluate(draw[i:i + 2] + full)
            if v > mine:
                break
            ties += v == mine
        else:
            total += 1.0 / ties
    return total / samples if samples else 0.5


def preflop_score(hole: Sequence[int]) -> float:
    """A simple score of two hole cards, from -1 (7-2 offsuit) to 20 (aces).

    High card points (A 10, K 8, Q 7, J 6, else half the face value), doubled for a pair
    (at least 5); minus 1, 2, 4 or 5 for gaps of 1, 2, 3 or more between the ranks; plus 2
    when suited and plus 1 for connected or one-gapped cards below a queen.
    """
    a, b = sorted(hole, reverse=True)
    hi, lo = a >> 2, b >> 2
    points = {12: 10.0, 11: 8.0, 10: 7.0, 9: 6.0}.get(hi, (hi + 2) / 2)
    if hi == lo:
        return max(points * 2, 5.0)
    gap = hi - lo - 1
    score = points - (0, 1, 2, 4)[gap] if gap < 4 else points - 5
    if a & 3 == b & 3:
        score += 2
    if gap <= 1 and hi < 10:
        score += 1
    return score


# -- small games: exact equity ---------------------------------------------------------

def small_equity(obs: PokerObservation, lay) -> float:
    """Exact share of the pot won at showdown against random unseen cards (Kuhn, Leduc)."""
    n_opp = obs.active_opponents
    ranks = len(lay.rank_names)
    if lay.family == "kuhn":
        my_rank = lay.rank_names.index(obs.hole[0][0])
        wins = total = 0
        for ranks_out in itertools.combinations(
                [r for r in range(ranks) if r != my_rank], n_opp):
            total += 1
            wins += all(o < my_rank for o in ranks_out)
        return wins / total if total else 1.0
    # Leduc: two cards of each rank.
    deck = [(r, s) for r in range(ranks) for s in range(2)]
    seen = [(lay.rank_names.index(c[0]), "sh".index(c[1])) for c in obs.hole + obs.board]
    rest = [c for c in deck if c not in seen]
    mine = seen[0][0]
    need_board = 0 if obs.board else 1
    share = count = 0.0
    for draw in itertools.permutations(rest, n_opp + need_board):
        public = seen[1][0] if obs.board else draw[-1][0]
        opp = [d[0] for d in draw[:n_opp]]

        def strength(r: int) -> int:
            return 100 + r if r == public else r

        me = strength(mine)
        others = [strength(o) for o in opp]
        count += 1
        if all(me >= o for o in others):
            share += 1.0 / (1 + sum(1 for o in others if o == me))
    return share / count if count else 1.0


# -- the agent ---------------------------------------------------------------------------

@dataclass(frozen=True)
class PokerRulesParams:
    style: Literal["tight", "loose"] = param(
        "tight", "tight: raises and calls only good hands; loose: lower thresholds")
    samples: int = param(200, "Monte Carlo deals per hold'em equity estimate")

    def __post_init__(self) -> None:
        if self.samples < 1:
            raise ValueError("samples must be at least 1")


@dataclass(frozen=True)
class _Thresholds:
    raise_at: float
    """Bet or raise with at least this strength."""
    call_at: float
    """Kuhn, Leduc: call a bet with more than this strength."""
    all_in_at: float
    """No-limit: move all-in with at least this strength."""
    margin: float
    """Hold'em: call only if equity > pot odds + margin."""
    pre_raise: float
    """Hold'em preflop score to raise with."""
    pre_all_in: float


STYLES = {
    "tight": _Thresholds(raise_at=0.7, call_at=0.5, all_in_at=0.92, margin=0.08,
                         pre_raise=10.0, pre_all_in=16.0),
    "loose": _Thresholds(raise_at=0.6, call_at=0.4, all_in_at=0.85, margin=0.0,
                         pre_raise=8.0, pre_all_in=12.0),
}


class PokerRules(Agent):
    """Hand-strength rules: raise strong hands, call medium ones, fold weak (check if free);
    in no-limit, call only when the equity beats the pot odds."""

    name = "poker_rules"
    Params = PokerRulesParams
    games = ("kuhn_poker", "leduc_poker", "holdem")

    def __init__(self, params: PokerRulesParams, game):
        super().__init__(params, game)
        self.layout = layout(game)
        self.t = STYLES[params.style]
        if self.layout.family == "universal":
            r = game.rules
            self.deck = tuple(rank * 4 + suit for rank in range(int(r.numRanks))
                              for suit in range(int(r.numSuits)))

    # -- strength ----------------------------------------------------------------------
    def equity(self, obs: PokerObservation) -> float:
        """Share of the pot this hand wins against random hands of the active opponents."""
        if self.layout.family != "universal":
            return small_equity(obs, self.layout)
        return holdem_equity(cards(obs.hole), cards(obs.board), max(obs.active_opponents, 1),
                             self.params.samples, self.rng, self.deck)

    def relative(self, equity: float, obs: PokerObservation) -> float:
        return min(1.0, equity * (max(obs.active_opponents, 1) + 1) / 2)

    # -- the decision ------------------------------------------------------------------
    def choose(self, obs: PokerObservation) -> int:
        t, lay = self.t, self.layout
        raise_a = obs.action("raise") if obs.action("raise") is not None else obs.action("bet")
        all_in = obs.action("all-in")
        call = obs.action("call")
        check = obs.action("check")
        fold = obs.action("fold")
        holdem = lay.family == "universal"
        equity: float | None = None
        if holdem and obs.round == 0:
            score = preflop_score(cards(obs.hole))
            go_all_in, go_raise = score >= t.pre_all_in, score >= t.pre_raise
        else:
            equity = self.equity(obs)
            s = self.relative(equity, obs)
            go_all_in, go_raise = s >= t.all_in_at, s >= t.raise_at
            call_ok = s > t.call_at
        if lay.nolimit and go_all_in and all_in is not None:
            return all_in
        if go_raise and raise_a is not None:
            return raise_a
        if obs.to_call == 0:
            return check if check is not None else (call if call is not None else obs.legal_actions[0])
        if holdem:
            # Hold'em: call when the equity beats the price (by the style's margin).
            if equity is None:
                equity = self.equity(obs)
            pot_odds = obs.to_call / (obs.pot + obs.to_call)
            call_ok = equity > pot_odds + t.margin
        if call_ok or go_raise:
            if call is not None:
                return call
            if all_in is not None:
                return all_in
        return fold if fold is not None else obs.legal_actions[0]

    def action_probabilities(self, view: SeatView, legal: Sequence[int]) -> dict[int, float]:
        action = self.choose(view.observation())
        if action not in legal:  # never expected: the observation lists the same moves
            action = legal[0]
        return {a: (1.0 if a == action else 0.0) for a in legal}

    def act(self, view: SeatView, legal: Sequence[int]) -> int:
        action = self.choose(view.observation())
        return action if action in legal else legal[0]
