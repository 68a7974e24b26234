"""False-positive rate of the pairwise verdict: tournaments of identical agents, played out.

    .venv/bin/python benchmarks/bench_false_positives.py [--reps 1000] [--workers 2]
        [--settings match4,rr5,rr5fixed,kuhn2] [--deals 25]

Every simulated tournament seats identical ``random`` agents (so no pair truly differs),
plays every game with the real engine and the real schedule (``round_robin_tables`` and
``table_jobs``: every table of a stage replays the same card deals), and runs
``pairwise_tests`` as the summary does. Per setting it prints, with a 95% Wilson interval:

- ``verdict any *``: the share of tournaments whose table shows at least one ``*`` (the
  paired test over card deals, Holm-adjusted over all pairs): the family-wise error rate of
  what a reader sees;
- ``paired p<.05``: the share of pairs whose unadjusted paired p-value is below 0.05 (the
  size of the test itself; for a single pair it is the verdict's rate);
- the same two figures for the old unit (the deal of one table, ``GameRecord.deal_key``);
- for Welch's per-game test: the share of tournaments with a Welch-adjusted p < 0.05 on win
  shares (what the old table marked where no paired test existed), and the share of pairs
  with Welch's p < 0.05 on the verdict's score (win share, or payoff in Kuhn poker).

Settings: ``match4``: 4 agents at one table of Dhumbal (paper rules), seats rotated;
``rr5``: 5 agents in a round robin of 4-seat Dhumbal tables (5 tables share each deal),
seats rotated; ``rr5fixed``: the same with fixed seats; ``kuhn2``: heads-up Kuhn poker,
judged by payoff (a single pair).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import time
import zlib
from concurrent.futures import ProcessPoolExecutor

from arena.core.registry import make_agent, make_game
from arena.play.match import run_jobs
from arena.stats.basic import wilson_interval
from arena.stats.pairwise import pairwise_tests
from tournaments.schedule import round_robin_tables, table_jobs
from tournaments.spec import parse_tournament

SETTINGS = {
    # name: (game, rules, agents, seats)
    "match4": ("dhumbal", "paper", 4, "rotate"),
    "rr5": ("dhumbal", "paper", 5, "rotate"),
    "rr5fixed": ("dhumbal", "paper", 5, "fixed"),
    "kuhn2": ("kuhn_poker", None, 2, "rotate"),
}


def tournament(setting: str, seed: int, deals: int) -> dict[str, float]:
    """One simulated tournament: rejections of each kind (counts) and the number of pairs."""
    game_name, rules, agents, seats = SETTINGS[setting]
    body = {"name": "fp", "game": game_name, "seed": seed, "deals": deals, "seats": seats,
            "format": "round_robin",
            "agents": [{"spec": "random", "name": f"r{i}"} for i in range(agents)]}
    if rules:
        body["rules"] = rules
    t = parse_tournament(body)
    game = make_game(game_name, rules)
    jobs = [j for table in round_robin_tables("round_robin", t.names(), game.num_players)
            for j in table_jobs(t, table, t.deals)]
    by_label = {name: make_agent("random", game) for name in t.names()}
    records = list(run_jobs(jobs, game, by_label))
    names = t.names()
    new = pairwise_tests(records, names, ranked_by=game.ranked_by)
    # The old unit: one table's deal (its job id less the rotation) instead of the card deal.
    old_recs = [dataclasses.replace(r, seed=zlib.crc32(r.deal_key.encode())) for r in records]
    old = pairwise_tests(old_recs, names, ranked_by=game.ranked_by)
    return {
        "pairs": len(new),
        "verdict_any": float(any(p.significant_paired for p in new)),
        "paired_raw": sum(p.p_paired < 0.05 for p in new),
        "sign_used": sum(p.paired_test == "sign" for p in new),
        "old_unit_any": float(any(p.significant_paired for p in old)),
        "old_unit_raw": sum(p.p_paired < 0.05 for p in old),
        "welch_any": float(any(p.significant for p in new)),
        "welch_raw": sum((p.p_payoff if game.ranked_by == "payoff" else p.p) < 0.05
                         for p in new),
    }


def _run(args: tuple[str, int, int]) -> dict[str, float]:
    return tournament(*args)


def rate(k: float, n: int) -> str:
    lo, hi = wilson_interval(k, n)
    return f"{k / n:6.1%} ({lo:.1%}-{hi:.1%})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=1000, help="tournaments per setting")
    ap.add_argument("--deals", type=int, default=25, help="card deals per tournament")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--settings", default=",".join(SETTINGS))
    args = ap.parse_args()
    for setting in args.settings.split(","):
        t0 = time.perf_counter()
        jobs = [(setting, 1000 + rep, args.deals) for rep in range(args.reps)]
        if args.workers > 1:
            with ProcessPoolExecutor(args.workers) as pool:
                rows = list(pool.map(_run, jobs, chunksize=max(1, len(jobs) // (8 * args.workers))))
        else:
            rows = [_run(j) for j in jobs]
        n = len(rows)
        pairs = int(sum(r["pairs"] for r in rows))
        tot = {k: math.fsum(r[k] for r in rows) for k in rows[0]}
        game, rules, agents, seats = SETTINGS[setting]
        print(f"{setting}: {agents} x random, {game}{f' ({rules})' if rules else ''}, seats "
              f"{seats}, {args.deals} deals, {n} tournaments, {pairs // n} pairs each "
              f"({time.perf_counter() - t0:.0f} s)")
        print(f"  verdict (paired, card deal, holm): any * {rate(tot['verdict_any'], n)}; "
              f"paired p<.05 {rate(tot['paired_raw'], pairs)}; sign test used in "
              f"{tot['sign_used'] / pairs:.1%} of pairs")
        print(f"  old unit (one table's deal):       any * {rate(tot['old_unit_any'], n)}; "
              f"paired p<.05 {rate(tot['old_unit_raw'], pairs)}")
        print(f"  Welch per game:                    any adj {rate(tot['welch_any'], n)}; "
              f"p<.05 {rate(tot['welch_raw'], pairs)}")


if __name__ == "__main__":
    main()
