"""Random-play games per second of the social deduction games, through the public match API.

    .venv/bin/python benchmarks/bench_games.py [--games N] [--only avalon|werewolf|...]

For each line-up, plays ``--games`` games with ``arena.play.match.run_match`` (the code
``arena match`` runs: seeds, seat views, timing, records, illegal-move checks) in this one
process, and prints games/s and decisions/s over the wall time of the whole match.
"""

from __future__ import annotations

import argparse
import platform
import time

from arena.core.registry import make_game
from arena.play.match import run_match

LINEUPS = {
    "avalon, 5 random": ("avalon", None, ["random"] * 5),
    "avalon(players=10), 10 random": ("avalon(players=10)", None, ["random"] * 10),
    "avalon, 5 avalon_bot": ("avalon", None, ["avalon_bot"] * 5),
    "werewolf, 8 random": ("werewolf", None, ["random"] * 8),
    "werewolf, 8 werewolf_bot": ("werewolf", None, ["werewolf_bot"] * 8),
}


def bench(game_spec: str, rules: str | None, specs: list[str], games: int,
          seed: int = 0) -> tuple[int, int, float]:
    game = make_game(game_spec, rules)
    t0 = time.perf_counter()
    _, records = run_match(game, specs, games, seed)
    played = decisions = 0
    for rec in records:
        decisions += sum(rec.decisions)
        played += 1
    return played, decisions, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=1000)
    parser.add_argument("--only", help="line-ups whose name contains this")
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, {args.games} games "
          "per line-up, one process")
    for name, (game, rules, specs) in LINEUPS.items():
        if args.only and args.only not in name:
            continue
        played, decisions, seconds = bench(game, rules, specs, args.games)
        print(f"{name:>30}: {played / seconds:>8,.0f} games/s  {decisions / seconds:>9,.0f} "
              f"decisions/s ({played} games, {seconds:.2f} s)", flush=True)


if __name__ == "__main__":
    main()
