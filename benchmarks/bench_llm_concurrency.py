"""Wall time of a 64-game LLM Dhumbal match (paper rules, one llm seat against three
``aggressive``) at --concurrency 1 and 16, against the local fake server answering each
request after 100-200 ms (uniform, seeded), run in its own process as a real server would
be. The games' network waits overlap on threads.

Usage: .venv/bin/python benchmarks/bench_llm_concurrency.py [--games 64] [--levels 1,4,16]
"""

from __future__ import annotations

import argparse
import random
import time

from agents.llm.fake_server import FakeLLMServer
from arena.core.registry import make_game
from arena.play.match import run_match


class _JitterServer(FakeLLMServer):
    def __init__(self) -> None:
        super().__init__(seed=1)
        self._jitter = random.Random(2)

    def _answer(self, body):  # type: ignore[override]
        status, payload, _ = super()._answer(body)
        with self.lock:
            wait = self._jitter.uniform(0.1, 0.2)
        return status, payload, wait


def _serve(conn) -> None:  # the server process
    with _JitterServer() as server:
        conn.send(server.base_url)
        conn.recv()  # until the benchmark is done


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--games", type=int, default=64)
    ap.add_argument("--levels", default="1,16")
    args = ap.parse_args()
    game = make_game("dhumbal", "paper")
    base = None
    import multiprocessing as mp

    parent, child = mp.Pipe()
    proc = mp.Process(target=_serve, args=(child,), daemon=True)
    proc.start()
    base_url = parent.recv()
    try:
        spec = f"llm(base_url={base_url},model=fake)"
        for level in (int(x) for x in args.levels.split(",")):
            t0 = time.perf_counter()
            _, stream = run_match(game, [spec, "aggressive", "aggressive", "aggressive"],
                                  args.games, seed=0, concurrency=level)
            records = list(stream)
            dt = time.perf_counter() - t0
            base = base or dt
            requests = sum(st["decisions"] for r in records for st in r.agent_stats if st)
            print(f"concurrency {level:3d}: {len(records)} games in {dt:6.2f} s "
                  f"({base / dt:5.1f}x), {requests} llm decisions")
    finally:
        parent.send("stop")
        proc.join(5)


if __name__ == "__main__":
    main()
