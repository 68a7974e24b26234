"""The seed study's Dhumbal agents, with exactly the parameters of rules/dhumbal.md.

All four heuristics share one discard rule and one pickup rule and differ in parameters and
in when they call; ``study_random`` is the study's random baseline. Every parameter can be
overridden in the spec, e.g. ``aggressive(pickup_threshold=5)``.

Where the study's description leaves a detail open we chose, and say so here:
- the pickup rule's hand total is the hand after this turn's discard (the hand it will keep);
- "after turn 20" (opportunistic) counts every player's turns in the round;
- "coins exceed the table mean" compares with the mean of the players still in; under points
  scoring "richer" means fewer points than that mean;
- ties between equally scored melds go to the first in action order (lowest cards).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from arena.core.agent import Agent, SeatView
from arena.core.params import param
from games.dhumbal.cards import CALL, DRAW, MELD_BASE, TAKE_BASE


class _DhumbalAgent(Agent):
    games = ("dhumbal",)

    def __init__(self, params, game):
        super().__init__(params, game)
        self.values = game.values
        self.meld_cards = game.meld_cards
        self.call_threshold = game.rules.call_threshold


class StudyHeuristic(_DhumbalAgent):
    """Shared discard and pickup rules of the study's heuristics; subclasses decide calls."""

    def call_probability(self, total: int, obs) -> float:
        raise NotImplementedError

    def act(self, view: SeatView, legal: Sequence[int]) -> int:
        obs = view.observation()
        if obs.phase == "discard":
            if legal[0] == CALL:
                p = self.call_probability(obs.hand_total, obs)
                if p >= 1.0 or (p > 0.0 and self.rng.random() < p):
                    return CALL
            return self.discard(obs, legal)
        return self.pickup(obs, legal)

    def discard(self, obs, legal: Sequence[int]) -> int:
        values, total = self.values, obs.hand_total
        melds = [a for a in legal if a >= MELD_BASE]
        if total <= self.call_threshold:
            # Not calling on a low hand: shed the largest card that keeps (rest + 5) <= 10.
            fits = [a for a in melds if len(self.meld_cards[a - MELD_BASE]) == 1
                    and total - values[self.meld_cards[a - MELD_BASE][0]] + 5 <= 10]
            if fits:
                return max(fits, key=lambda a: values[self.meld_cards[a - MELD_BASE][0]])
        pref = self.params.discard_high_pref
        best, best_score = melds[0], float("-inf")
        for a in melds:
            cards = self.meld_cards[a - MELD_BASE]
            vs = sum(values[c] for c in cards)
            n = len(cards)
            score = vs * pref
            if n > 1:
                score += 2 * n
                if n >= 3 and len({c // 13 for c in cards}) == 1:
                    score += 3
            if total - vs <= 10:
                score += 50
            score += 10 * vs / total
            if score > best_score:
                best, best_score = a, score
        return best

    def pickup(self, obs, legal: Sequence[int]) -> int:
        takes = [a for a in legal if a >= TAKE_BASE]
        if not takes:
            return DRAW
        take = min(takes, key=lambda a: (self.values[a - TAKE_BASE], a))
        threshold = self.params.pickup_threshold
        if obs.hand_total > 15:
            threshold += 2
        elif obs.hand_total <= 12:
            threshold -= 1
        if self.values[take - TAKE_BASE] <= threshold or legal[0] != DRAW:
            return take
        return DRAW


class ThresholdCaller(StudyHeuristic):
    """Study heuristic that calls whenever its total is at most ``call_max``. ``aggressive``
    and ``conservative`` are this one heuristic with different defaults (``variant``)."""

    def call_probability(self, total: int, obs) -> float:
        return 1.0 if total <= self.params.call_max else 0.0

    @classmethod
    def variant(cls, name: str, doc: str, *, call_max: int, pickup_threshold: int,
                discard_high_pref: float) -> type[ThresholdCaller]:
        """This heuristic registered as ``name``, its settings defaulting to these values
        (a subclass named after it, ``Name``, and its Params dataclass, ``NameParams``: the
        caller assigns both to module attributes of those names, where pickle finds them)."""
        title = name.title()
        params = dataclasses.make_dataclass(f"{title}Params", [
            ("call_max", int, param(call_max, "calls always when the hand total is <= this")),
            ("pickup_threshold", int, param(
                pickup_threshold, "takes an offered card worth <= this (adjusted by hand)")),
            ("discard_high_pref", float, param(
                discard_high_pref, "weight of the meld's value in the discard score")),
        ], frozen=True)
        params.__module__ = __name__
        return type(title, (cls,), {"__doc__": doc, "__module__": __name__, "name": name,
                                    "Params": params})


Aggressive = ThresholdCaller.variant(
    "aggressive", "Study heuristic: calls whenever its total is <= 10 (and the rules allow).",
    call_max=10, pickup_threshold=4, discard_high_pref=1.0)
Conservative = ThresholdCaller.variant(
    "conservative", "Study heuristic: calls only with a total <= 7.",
    call_max=7, pickup_threshold=3, discard_high_pref=0.6)
AggressiveParams, ConservativeParams = Aggressive.Params, Conservative.Params


@dataclass(frozen=True)
class BalancedParams:
    call_sure: int = param(5, "calls always when the hand total is <= this")
    call_mid: int = param(8, "up to this total calls with probability p_mid")
    p_mid: float = param(0.7, "call probability for totals in (call_sure, call_mid]")
    call_max: int = param(10, "up to this total calls with probability p_high")
    p_high: float = param(0.4, "call probability for totals in (call_mid, call_max]")
    pickup_threshold: int = param(4, "takes an offered card worth <= this (adjusted by hand)")
    discard_high_pref: float = param(0.8, "weight of the meld's value in the discard score")


class Balanced(StudyHeuristic):
    """Study heuristic: calls <= 5 always, 6-8 with p 0.7, 9-10 with p 0.4."""

    name = "balanced"
    Params = BalancedParams

    def call_probability(self, total: int, obs) -> float:
        p = self.params
        if total <= p.call_sure:
            return 1.0
        if total <= p.call_mid:
            return p.p_mid
        if total <= p.call_max:
            return p.p_high
        return 0.0


@dataclass(frozen=True)
class OpportunisticParams:
    call_sure: int = param(7, "calls always when the hand total is <= this")
    call_max: int = param(10, "up to this total calls with the probability below")
    base_ahead: float = param(0.8, "base call probability when ahead of the table mean")
    base_behind: float = param(0.3, "base call probability otherwise")
    slope: float = param(0.05, "added per point below call_max: p = base + slope*(10-total)")
    late_turn: int = param(20, "after this many turns of the round ...")
    late_bonus: float = param(0.15, "... the call probability rises by this")
    pickup_threshold: int = param(4, "takes an offered card worth <= this (adjusted by hand)")
    discard_high_pref: float = param(0.8, "weight of the meld's value in the discard score")


class Opportunistic(StudyHeuristic):
    """Study heuristic: calls <= 7; 8-10 more readily when ahead on coins and late in a round."""

    name = "opportunistic"
    Params = OpportunisticParams

    def call_probability(self, total: int, obs) -> float:
        p = self.params
        if total <= p.call_sure:
            return 1.0
        if total > p.call_max:
            return 0.0
        alive = [s for s, a in enumerate(obs.active) if a]
        if self.game.rules.scoring == "coins":
            ahead = obs.coins[obs.seat] > sum(obs.coins[s] for s in alive) / len(alive)
        else:
            ahead = obs.scores[obs.seat] < sum(obs.scores[s] for s in alive) / len(alive)
        prob = (p.base_ahead if ahead else p.base_behind) + p.slope * (p.call_max - total)
        if obs.turn > p.late_turn:
            prob += p.late_bonus
        return min(prob, 1.0)


@dataclass(frozen=True)
class StudyRandomParams:
    p_call: float = param(0.5, "call probability when a call is allowed")
    p_take: float = param(0.5, "probability of taking an offered card instead of drawing")


class StudyRandom(_DhumbalAgent):
    """The study's random baseline: call p 0.5, random meld, take the offer p 0.5."""

    name = "study_random"
    Params = StudyRandomParams

    def act(self, view: SeatView, legal: Sequence[int]) -> int:
        rng = self.rng
        if legal[0] == CALL:
            if rng.random() < self.params.p_call:
                return CALL
            return rng.choice(legal[1:])
        if legal[0] >= MELD_BASE:
            return rng.choice(legal)
        takes = [a for a in legal if a >= TAKE_BASE]
        if legal[0] != DRAW or (takes and rng.random() < self.params.p_take):
            return rng.choice(takes)
        return DRAW
