"""Tournament throughput: serial vs processes vs Ray, and what the store and statistics cost.

    .venv/bin/python benchmarks/bench_tournament.py [--games 20000] [--rules standard]
        [--workers 2] [--skip-ray]

A 4-agent Dhumbal round robin of the study's heuristics (``--games`` games: deals x 4 seat
rotations), timed four ways on the same jobs:

1. serial, bare: every game played in this process, records discarded (no store, no stats);
2. serial, full: the tournament driver with the SQLite store and the full summary
   (statistics, bootstrap Elo, openskill); the time spent writing the store and building
   the summary is also timed on its own, since whole runs drift by several percent on a
   shared machine;
3. processes, full: the same with ``--workers`` worker processes (pool start included);
4. Ray, full: a local Ray cluster with ``--workers`` CPUs; the cluster start is excluded
   (timed separately), and so is the processes pool start in the comparison line.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from tournaments.run import TournamentRunner, open_store, tournament_summary
from tournaments.runners import ProcessRunner, RayRunner, SerialRunner
from tournaments.schedule import round_robin_tables, table_jobs
from tournaments.spec import parse_tournament

AGENTS = ["aggressive", "conservative", "balanced", "opportunistic"]


def spec(games: int, rules: str):
    return parse_tournament({
        "name": "bench", "game": "dhumbal", "rules": rules, "seed": 1, "deals": games // 4,
        "format": "round_robin", "agents": [{"spec": a} for a in AGENTS],
    })


def full_run(t, runner, parts: dict | None = None) -> float:
    out = Path(tempfile.mkdtemp(prefix="arena-bench-"))
    try:
        t0 = time.perf_counter()
        store = open_store(t, out, resume=False)
        driver = TournamentRunner(t, store, runner)
        driver.run()
        t1 = time.perf_counter()
        tournament_summary(t, store)
        store.close()
        end = time.perf_counter()
        if parts is not None:
            parts["store"] = driver.store_seconds
            parts["summary"] = end - t1
        return end - t0
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=20000)
    parser.add_argument("--rules", default="standard")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-ray", action="store_true")
    args = parser.parse_args()
    t = spec(args.games, args.rules)
    jobs = [j for tb in round_robin_tables("round_robin", t.names(), 4)
            for j in table_jobs(t, tb, t.deals)]
    print(f"{len(jobs)} games, rules {args.rules}, agents {', '.join(AGENTS)}")

    t0 = time.perf_counter()
    for _ in SerialRunner().run(jobs):
        pass
    bare = time.perf_counter() - t0
    print(f"serial, bare play:            {bare:8.2f} s  ({len(jobs) / bare:,.0f} games/s)")

    parts: dict = {}
    serial = full_run(t, SerialRunner(), parts)
    print(f"serial, store + statistics:   {serial:8.2f} s  (+{100 * (serial - bare) / bare:.1f}% "
          "over bare play, end to end; runs drift by several % on a shared machine)")
    print(f"  of which writing the store: {parts['store']:8.2f} s  "
          f"({100 * parts['store'] / bare:.1f}% of bare play), the summary (statistics, "
          f"bootstrap Elo, openskill): {parts['summary']:.2f} s "
          f"({100 * parts['summary'] / bare:.1f}%)")

    t0 = time.perf_counter()
    pool = ProcessRunner(args.workers)
    pool_start = time.perf_counter() - t0
    with pool:
        procs = full_run(t, pool)
    procs += pool_start
    print(f"processes x{args.workers}, full:          {procs:8.2f} s  "
          f"({serial / procs:.2f}x faster than serial; pool start {pool_start:.2f} s)")

    if not args.skip_ray:
        t0 = time.perf_counter()
        ray_runner = RayRunner(args.workers)
        ray_start = time.perf_counter() - t0
        with ray_runner:
            ray_time = full_run(t, ray_runner)
        print(f"ray x{args.workers} (local), full:       {ray_time:8.2f} s  "
              f"({ray_time / (procs - pool_start):.2f}x the processes time, both without "
              f"start-up; cluster start {ray_start:.2f} s)")


if __name__ == "__main__":
    main()
