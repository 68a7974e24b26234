"""The browser report of a large tournament: how long it takes to write, how fast it opens.

    .venv/bin/python benchmarks/bench_html_report.py [--games 100000] [--played 64]
        [--replays 40] [--bootstrap 200] [--keep DIR]

Builds a store of ``--games`` Dhumbal games (a 4-agent round robin of the study's
heuristics, ``--games / 4`` deals in 4 seat rotations): ``--played`` games are really
played, and their rows are copied under the schedule's job ids until the store is full
(statistics and the report read the stored rows as they are, so copies cost what real
games cost; the copies' moves replay like the originals). Then it times:

- ``write_s``: ``write_html_report`` (the whole ``report/`` folder: games list, per-game
  details, step views for ``--replays`` games, the page data, the assets), with the summary
  computed beforehand;
- ``summary_s``: the tournament summary itself (statistics, bootstrap Elo with
  ``--bootstrap`` resamples, openskill), which ``arena report`` computes before any file
  is written (not part of ``write_s``);
- in headless Chromium (``/usr/bin/chromium``, through Playwright), from ``goto`` to the
  page's ready mark: ``index_load_s`` (leaderboard and charts), ``games_load_s`` (every
  game in the filterable list) and ``replay_load_s`` (one game with step views).

Prints one JSON object. Needs the browser for the load times (else they are null).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from arena.core.registry import make_game  # noqa: E402
from arena.play.match import play  # noqa: E402
from arena.report.html import write_html_report  # noqa: E402
from arena.store.sqlite import Store  # noqa: E402
from tournaments.run import open_store, tournament_summary  # noqa: E402
from tournaments.schedule import round_robin_tables, table_jobs  # noqa: E402
from tournaments.spec import parse_tournament  # noqa: E402

AGENTS = ["aggressive", "conservative", "balanced", "opportunistic"]
CHROMIUM = "/usr/bin/chromium"


def build_store(out: Path, games: int, played: int, bootstrap: int) -> tuple[object, Store]:
    t = parse_tournament({
        "name": "bench", "game": "dhumbal", "rules": "standard", "seed": 1,
        "deals": games // 4, "format": "round_robin", "stats": {"bootstrap": bootstrap},
        "agents": [{"spec": a} for a in AGENTS],
    })
    store = open_store(t, out, resume=False)
    table = round_robin_tables("round_robin", [a.name for a in t.agents], 4)[0]
    jobs = table_jobs(t, table, games // 4)
    game = make_game(t.game, t.rules)
    real = [play(job, game) for job in jobs[:played]]
    with store.transaction():
        for seq, job in enumerate(jobs):
            rec = dataclasses.replace(real[seq % len(real)], job_id=job.job_id,
                                      labels=list(job.labels), agents=list(job.agents))
            store.add(rec, seq, "round_robin")
    return t, store


def load_times(report: Path) -> dict[str, float | None]:
    out: dict[str, float | None] = {"index_load_s": None, "games_load_s": None,
                                    "replay_load_s": None}
    if not Path(CHROMIUM).exists():
        return out
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return out
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for key, url in (("index_load_s", "index.html"), ("games_load_s", "games.html"),
                         ("replay_load_s", "replay.html#0")):
            t0 = time.perf_counter()
            path, _, frag = url.partition("#")
            page.goto((report / path).as_uri() + ("#" + frag if frag else ""))
            page.wait_for_selector("body[data-ready='1']", timeout=120_000)
            out[key] = round(time.perf_counter() - t0, 3)
            page.goto("about:blank")
        browser.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--games", type=int, default=100_000)
    ap.add_argument("--played", type=int, default=64)
    ap.add_argument("--replays", default="40")
    ap.add_argument("--bootstrap", type=int, default=200)
    ap.add_argument("--keep", help="build in this folder and keep it")
    args = ap.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-html-"))
    if folder.exists():
        shutil.rmtree(folder)
    try:
        t0 = time.perf_counter()
        t, store = build_store(folder, args.games, args.played, args.bootstrap)
        build_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        summary = tournament_summary(t, store)
        summary_s = time.perf_counter() - t0
        replays = "all" if args.replays == "all" else int(args.replays)
        t0 = time.perf_counter()
        index = write_html_report(folder, summary, store, make_game(t.game, t.rules), replays,
                                  f"arena tournament bench.toml --out {folder}")
        write_s = time.perf_counter() - t0
        store.close()
        size = sum(f.stat().st_size for f in index.parent.rglob("*") if f.is_file())
        files = sum(1 for f in index.parent.rglob("*") if f.is_file())
        result = {"games": args.games, "played": args.played, "replays": args.replays,
                  "build_store_s": round(build_s, 2),
                  "summary_s": round(summary_s, 2),
                  "write_s": round(write_s, 2), "report_mb": round(size / 2**20, 1),
                  "report_files": files, **load_times(index.parent)}
        print(json.dumps(result))
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
