"""Decisions per second of Dhumbal play through the public match API, on one core.

    .venv/bin/python benchmarks/bench_dhumbal.py [--games N] [--rules PRESET]

Plays ``--games`` games per line-up with ``arena.play.match.run_match`` (the code
``arena match`` runs: seeds, seat views, timing, records, illegal-move checks) in this one
process, and prints decisions/s (all agents' decisions over the wall time of the whole match).
"""

from __future__ import annotations

import argparse
import platform
import time

from arena.play.match import run_match
from arena.core.registry import make_game

LINEUPS = {
    "random": ["random"] * 4,
    "study heuristics": ["aggressive", "conservative", "balanced", "opportunistic"],
    "study_random": ["study_random"] * 4,
    "expert x4": ["expert"] * 4,
}


def bench(rules: str, specs: list[str], games: int, seed: int = 0) -> tuple[int, float, int]:
    game = make_game("dhumbal", rules)
    _, records = run_match(game, specs, games, seed)
    t0 = time.perf_counter()
    played = decisions = 0
    for rec in records:
        decisions += sum(rec.decisions)
        played += 1
    return decisions, time.perf_counter() - t0, played


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=400)
    parser.add_argument("--rules", default="standard")
    parser.add_argument("--only", choices=list(LINEUPS), help="one line-up")
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, rules {args.rules}, "
          f"{args.games} games per line-up, one process")
    for name, specs in LINEUPS.items():
        if args.only and name != args.only:
            continue
        games = args.games if name != "expert x4" else max(4, args.games // 20)
        decisions, seconds, played = bench(args.rules, specs, games)
        print(f"{name:>18}: {decisions / seconds:>10,.0f} decisions/s "
              f"({decisions:,} decisions, {played} games, {seconds:.2f} s)")


if __name__ == "__main__":
    main()
