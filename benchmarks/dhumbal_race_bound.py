"""How much is there to win against three ``aggressive`` under the ``paper`` rules?

    .venv/bin/python benchmarks/dhumbal_race_bound.py [--deals 500] [--gamma 0.8] [--seed 7]

Under ``paper`` (calls up to 10, ``aggressive`` calls the moment it can, one round) a round
is a race to a hand worth 10 or less. This benchmark solves that race exactly for one
player and plays the solution: by value iteration over every hand of up to five cards
(ranks only: a hand's worth, its sets and what it can draw depend on ranks; runs, which
need suits, are still played when held, but not planned for), it finds for each hand the
discard and the draw-or-take-back that maximise E[gamma^T], T the turns until the hand is
worth 10 or less (gamma < 1: each turn the others may get there first), with the deck
drawn uniformly from the cards not in hand. The resulting ``race`` player calls whenever
it may (as ``aggressive`` does) and otherwise plays that plan.

It then plays one ``race`` against three ``aggressive`` at seat-rotated tables (every deal
in all four seatings, the arena's own match code) and prints its win rate with the 95%
Wilson interval and the deal-paired test against each copy (Holm), the figures the search
target is judged by. The last line is JSON.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from agents.heuristics.dhumbal_study import _DhumbalAgent
from arena.core.agent import SeatView
from arena.core.params import param
from arena.core.registry import make_agent, make_game
from arena.play.match import match_jobs, play
from arena.stats.basic import wilson_interval
from arena.stats.pairwise import pairwise_tests
from games.dhumbal.cards import CALL, DRAW, MELD_BASE, TAKE_BASE

Hand = tuple[int, ...]  # card values, sorted


def solve(gamma: float, threshold: int = 10, hand_size: int = 5) -> dict[Hand, float]:
    """V(hand) = max over plans of E[gamma^T] (1 for a hand worth <= threshold)."""
    hands = [h for n in range(1, hand_size + 1)
             for h in itertools.combinations_with_replacement(range(1, 14), n)
             if max(Counter(h).values()) <= 4]
    value = {h: 1.0 if sum(h) <= threshold else 0.0 for h in hands}
    value[()] = 1.0
    plans = {h: _plans(h) for h in hands if sum(h) > threshold}
    for _ in range(200):
        delta = 0.0
        for h, options in plans.items():
            best = 0.0
            for rest, back, draws in options:
                v = value[back] if back is not None else 0.0
                d = sum(k * value[x] for k, x in draws[0]) / draws[1]
                best = max(best, v, d)
            best *= gamma
            delta = max(delta, abs(best - value[h]))
            value[h] = best
        if delta < 1e-10:
            break
    return value


def _plans(hand: Hand):
    """Each discard of a set of one rank: (what is left, the hand after taking the thrown
    card back (None for a single card: that is no move at all), (draws, their count))."""
    out = []
    counts = Counter(hand)
    for rank, k in counts.items():
        for size in range(1, k + 1):
            rest = list(hand)
            for _ in range(size):
                rest.remove(rank)
            back = tuple(sorted(rest + [rank])) if size > 1 else None
            out.append((tuple(rest), back, _draws(rest, Counter({rank: size}))))
    return out


def _draws(rest: Sequence[int], thrown: Counter) -> tuple[list[tuple[int, Hand]], int]:
    """The hands a deck draw gives, weighted by how many unseen cards give each."""
    held = Counter(rest)
    draws, n = [], 0
    for x in range(1, 14):
        k = 4 - held[x] - thrown[x]
        if k > 0:
            draws.append((k, tuple(sorted([*rest, x]))))
            n += k
    return draws, n


@dataclass(frozen=True)
class RaceParams:
    gamma: float = param(0.8, "weight of a turn sooner (E[gamma^turns] is maximised)")


class Race(_DhumbalAgent):
    """Calls whenever it may; otherwise plays the solved one-player race."""

    name = "race"
    Params = RaceParams
    tables: dict[float, dict[Hand, float]] = {}

    def __init__(self, params: RaceParams, game):
        super().__init__(params, game)
        if game.rules.pickup != "own" or game.rules.face_values != "rank":
            raise SystemExit("the race solution is for pickup=own, face_values=rank (paper)")
        if params.gamma not in self.tables:
            self.tables[params.gamma] = solve(params.gamma, game.rules.call_threshold,
                                              game.rules.hand_size)
        self.value = self.tables[params.gamma]

    def _v(self, hand: Sequence[int]) -> float:
        return self.value[tuple(sorted(hand))] if hand else 1.0

    def _draw(self, rest: list[int], thrown: Counter) -> float:
        draws, n = _draws(rest, thrown)
        return sum(k * self.value[h] for k, h in draws) / n

    def act(self, view: SeatView, legal: Sequence[int]) -> int:
        obs = view.observation()
        values = self.values
        hand = [values[c] for c in obs.hand]
        if obs.phase == "discard":
            if legal[0] == CALL:
                return CALL
            best, best_v = legal[0], -1.0
            for a in legal:
                cards = self.meld_cards[a - MELD_BASE]
                rest = list(hand)
                for c in cards:
                    rest.remove(values[c])
                v = max(self._draw(rest, Counter(values[c] for c in cards)),
                        self._v([*rest, values[cards[-1]]]))
                if v > best_v:
                    best, best_v = a, v
            return best
        takes = [a for a in legal if a >= TAKE_BASE]
        if legal[0] != DRAW:
            return takes[0]
        best, best_v = DRAW, self._draw(hand, Counter())
        for a in takes:
            v = self._v([*hand, values[a - TAKE_BASE]])
            if v > best_v:
                best, best_v = a, v
        return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--deals", type=int, default=500)
    ap.add_argument("--gamma", type=float, default=0.8)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--opponent", default="aggressive")
    args = ap.parse_args()
    game = make_game("dhumbal", "paper")
    t0 = time.perf_counter()
    race = Race(RaceParams(gamma=args.gamma), game)
    solve_s = time.perf_counter() - t0
    labels = ["race"] + [f"{args.opponent}-{k}" for k in (1, 2, 3)]
    jobs = match_jobs("dhumbal", "paper", [args.opponent] * 4, args.deals * 4, args.seed,
                      labels=labels, prefix="race")
    records = []
    t0 = time.perf_counter()
    for job in jobs:
        agents = [race if label == "race" else make_agent(args.opponent, game)
                  for label in job.labels]
        records.append(play(job, game, agents))
    play_s = time.perf_counter() - t0
    wins = sum(r.win_shares[r.labels.index("race")] for r in records)
    lo, hi = wilson_interval(wins, len(records))
    tests = [t for t in pairwise_tests(records, labels) if "race" in (t.a, t.b)]
    result = {"games": len(records), "gamma": args.gamma, "win_rate": wins / len(records),
              "win_ci": [lo, hi], "solve_s": round(solve_s, 1), "play_s": round(play_s, 1),
              "paired_p_adjusted": [t.p_paired_adjusted for t in tests],
              "significant_paired": [t.significant_paired for t in tests]}
    print(f"race (gamma={args.gamma}) vs 3x {args.opponent}, paper, {len(records)} games: "
          f"win {result['win_rate']:.3f} ({lo:.3f}-{hi:.3f}); paired p_adj "
          f"{', '.join(f'{p:.2g}' for p in result['paired_p_adjusted'])}; solved in "
          f"{solve_s:.1f} s, played in {play_s:.0f} s")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
