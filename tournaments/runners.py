"""Runners: play a list of jobs somewhere and hand the records back to the driver.

All runners share one interface (``run(jobs)`` yields records as games finish, in any
order) and one worker function, ``play_cached``, which keeps one game object and one agent
per (spec, seat) in each worker process, so an agent that loads a model loads it once.
Jobs and records are plain data, which is what lets them travel to processes or a cluster.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from arena.core.errors import ArenaError
from arena.play.match import GameJob, GameRecord, play
from arena.core.registry import make_agent, make_game

if TYPE_CHECKING:  # pragma: no cover
    from arena.core.agent import Agent

BACKENDS = ("serial", "processes", "ray")

_agents: dict[tuple[str, str | None, str, int], "Agent"] = {}


def play_cached(job: GameJob) -> GameRecord:
    """Play ``job`` reusing this process's game and agent objects."""
    game = make_game(job.game, job.rules)
    agents = []
    for seat, spec in enumerate(job.agents):
        key = (job.game, job.rules, spec, seat)
        agent = _agents.get(key)
        if agent is None:
            agent = _agents[key] = make_agent(spec, game)
        agents.append(agent)
    return play(job, game, agents)


def _play_batch(jobs: list[GameJob]) -> list[GameRecord]:
    return [play_cached(job) for job in jobs]


def _init_worker() -> None:
    # Ctrl-C goes to the driver, which stops the pool; workers must not die mid-write.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Runner(ABC):
    """Plays jobs; ``run`` yields each record as its game finishes."""

    name = "runner"
    workers = 1

    @abstractmethod
    def run(self, jobs: Sequence[GameJob]) -> Iterator[GameRecord]: ...

    def close(self) -> None:
        """Release workers (idempotent)."""

    def __enter__(self) -> "Runner":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SerialRunner(Runner):
    """Every game in this process, one after another."""

    name = "serial"

    def run(self, jobs: Sequence[GameJob]) -> Iterator[GameRecord]:
        for job in jobs:
            yield play_cached(job)


class ProcessRunner(Runner):
    """A pool of local worker processes (default: one per core).

    A worker that dies (killed, out of memory, a crash in native code) stops the run with
    an error instead of a hang; the games already stored stay, so ``--resume`` goes on.
    """

    name = "processes"

    def __init__(self, workers: int | None = None):
        from concurrent.futures import ProcessPoolExecutor

        self.workers = workers or os.cpu_count() or 1
        ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        self.pool = ProcessPoolExecutor(self.workers, mp_context=ctx,
                                        initializer=_init_worker)

    def run(self, jobs: Sequence[GameJob]) -> Iterator[GameRecord]:
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        if not jobs:
            return
        # Chunks cut the per-game IPC cost; small enough that a kill loses little.
        size = max(1, min(16, len(jobs) // (self.workers * 8)))
        chunks = [list(jobs[i:i + size]) for i in range(0, len(jobs), size)]
        pending, nxt = set(), 0
        try:
            while nxt < len(chunks) or pending:
                while nxt < len(chunks) and len(pending) < 4 * self.workers:
                    pending.add(self.pool.submit(_play_batch, chunks[nxt]))
                    nxt += 1
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield from future.result()
        except BrokenProcessPool:
            raise ArenaError("a worker process died (killed, out of memory or crashed in "
                             "native code); the finished games are stored: run again with "
                             "--resume") from None

    def close(self) -> None:
        if self.pool is not None:
            procs = list((getattr(self.pool, "_processes", None) or {}).values())
            self.pool.shutdown(wait=False, cancel_futures=True)
            for proc in procs:  # do not wait for games in flight
                proc.terminate()
            self.pool = None


class RayRunner(Runner):
    """Tasks on a Ray cluster: an existing one (``address``) or a local one started here."""

    name = "ray"

    def __init__(self, workers: int | None = None, address: str | None = None):
        try:
            import ray
        except ImportError:
            raise ArenaError("the ray backend needs Ray: pip install 'arena[ray]' "
                             "(scripts/setup ray)") from None
        import logging

        self.ray = ray
        self.started = False
        if not ray.is_initialized():
            try:
                if address:
                    ray.init(address=address, logging_level=logging.ERROR, log_to_driver=False)
                else:
                    ray.init(num_cpus=workers or os.cpu_count() or 1, include_dashboard=False,
                             logging_level=logging.ERROR, log_to_driver=False)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise ArenaError(f"cannot start or reach a Ray cluster"
                                 f"{' at ' + address if address else ''}: {exc}") from None
            self.started = True
        self.workers = workers or int(ray.cluster_resources().get("CPU", 1))
        self._remote = ray.remote(num_cpus=1)(_play_batch)

    def run(self, jobs: Sequence[GameJob]) -> Iterator[GameRecord]:
        if not jobs:
            return
        ray = self.ray
        size = max(1, min(32, len(jobs) // (self.workers * 8)))
        batches = [list(jobs[i:i + size]) for i in range(0, len(jobs), size)]
        pending, nxt = [], 0
        while nxt < len(batches) or pending:
            while nxt < len(batches) and len(pending) < 2 * self.workers:
                pending.append(self._remote.remote(batches[nxt]))
                nxt += 1
            done, pending = ray.wait(pending, num_returns=1)
            yield from ray.get(done[0])

    def close(self) -> None:
        if self.started and self.ray.is_initialized():
            self.ray.shutdown()
            self.started = False


def make_runner(backend: str, workers: int | None = None, address: str | None = None) -> Runner:
    if backend == "serial":
        return SerialRunner()
    if backend == "processes":
        return ProcessRunner(workers)
    if backend == "ray":
        return RayRunner(workers, address)
    raise ArenaError(f"unknown backend '{backend}'; valid: {', '.join(BACKENDS)}")
