"""Runners: play a list of jobs somewhere and hand the records back to the driver.

All runners share one interface (``run(jobs)`` yields records as games finish, in any
order) and one worker function, ``play_cached``, which keeps the game objects and agents of
each worker thread from game to game (``arena.play.match.AgentCache``: an agent that loads a
model loads it once; one that went over its time budget, and so may have been stopped
half-way through a move, is built anew before its next game). Jobs and records are plain
data, which is what lets them travel to processes or a cluster, and nothing a worker needs
depends on the start method (``fork``, ``spawn``, ``forkserver``): games and agents
registered at run time are registered again in each worker.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from arena.core.errors import ArenaError
from arena.play.match import GameJob, GameRecord, never_stop, thread_cache, threaded
from arena.core import registry

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import ThreadPoolExecutor

BACKENDS = ("serial", "processes", "ray")

_local = threading.local()
"""Each thread's ``AgentCache``: an agent is never shared by threads."""


def play_cached(job: GameJob) -> GameRecord:
    """Play ``job`` with this thread's kept game and agent objects (``AgentCache``)."""
    return thread_cache(_local).play(job)


_pools: dict[int, "ThreadPoolExecutor"] = {}


def _thread_pool(concurrency: int) -> "ThreadPoolExecutor":
    """This process's pool of ``concurrency`` game threads (kept, so are their agents)."""
    from concurrent.futures import ThreadPoolExecutor

    pool = _pools.get(concurrency)
    if pool is None:
        pool = _pools[concurrency] = ThreadPoolExecutor(concurrency,
                                                        thread_name_prefix="arena-game")
    return pool


def play_many(jobs: Sequence[GameJob], concurrency: int = 1,
              stop: Callable[[], bool] = never_stop) -> Iterator[GameRecord]:
    """Play ``jobs`` in this process, ``concurrency`` at once on threads; yield each record
    as its game finishes. Once ``stop()`` is true no game starts; those started finish."""
    if concurrency <= 1 or len(jobs) <= 1:
        for job in jobs:
            if stop():
                return
            yield play_cached(job)
        return
    yield from threaded(play_cached, jobs, _thread_pool(concurrency), concurrency, stop)


Registrations = dict[str, dict[str, str]]


def _target(target: object) -> str | None:
    """A registry target as ``"module:Class"`` (None: a class no other process can import)."""
    if isinstance(target, str):
        return target
    module, qualname = getattr(target, "__module__", None), getattr(target, "__qualname__", "")
    if not module or module == "__main__" or "<locals>" in qualname:
        return None
    return f"{module}:{qualname}"


def runtime_registrations() -> Registrations:
    """Games and agents registered in this process at run time (``register_agent``), which
    a worker that did not fork from it lacks, as ``"module:Class"`` targets: each is
    imported in the worker when first used, so its module must be importable there (a
    class defined in ``__main__`` or in a function is left out)."""
    return {group: {name: t for name, target in added.items()
                    if (t := _target(target)) is not None}
            for group, added in registry.registered_at_run_time().items()}


def _register(registrations: Registrations | None) -> None:
    if not registrations:
        return
    for group, register in ((registry.GAME_GROUP, registry.register_game),
                            (registry.AGENT_GROUP, registry.register_agent)):
        have = registry.registered_at_run_time()[group]
        for name, target in registrations.get(group, {}).items():
            if name not in have or _target(have[name]) != target:
                register(name, target)


def _play_batch(jobs: list[GameJob], registrations: Registrations | None = None,
                concurrency: int = 1) -> list[GameRecord]:
    _register(registrations)
    return list(play_many(jobs, concurrency))


def _init_worker(registrations: Registrations | None = None) -> None:
    # Ctrl-C goes to the driver, which stops the pool; workers must not die mid-write.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _register(registrations)


class Runner(ABC):
    """Plays jobs; ``run`` yields each record as its game finishes."""

    name = "runner"
    workers = 1
    concurrency = 1
    """Games each worker plays at once, on threads."""
    stopping = False
    """Set by ``stop``: start no more games."""
    lean = False
    """Keep as little work in flight as keeps every worker busy (a run with a budget: when
    it is spent, the games already sent to workers are all that is still played)."""

    def stop(self) -> None:
        """Start no more games (e.g. a budget is spent): ``run`` yields the games already
        under way (tasks sent to a worker finish) and ends."""
        self.stopping = True

    def _chunk(self, jobs: int, most: int) -> int:
        """Jobs per task sent to a worker: few enough that a kill loses little, at least
        ``concurrency`` so a worker's threads are all busy."""
        if self.lean:
            return max(self.concurrency, 1)
        return max(self.concurrency, 1, min(most, jobs // (self.workers * 8)))

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

    def __init__(self, concurrency: int = 1):
        self.concurrency = concurrency

    def run(self, jobs: Sequence[GameJob]) -> Iterator[GameRecord]:
        yield from play_many(jobs, self.concurrency, lambda: self.stopping)


class ProcessRunner(Runner):
    """A pool of local worker processes (default: one per core).

    ``start_method`` is how workers start: ``fork``, ``spawn`` or ``forkserver`` (default:
    the platform's, e.g. ``fork`` on Linux, ``spawn`` on macOS and Windows; ``spawn`` is
    the one that is safe with CUDA or threads in the driver). A worker that dies (killed,
    out of memory, a crash in native code) stops the run with an error instead of a hang;
    the games already stored stay, so ``--resume`` goes on.
    """

    name = "processes"

    def __init__(self, workers: int | None = None, start_method: str | None = None,
                 concurrency: int = 1):
        from concurrent.futures import ProcessPoolExecutor

        methods = multiprocessing.get_all_start_methods()
        if start_method is not None and start_method not in methods:
            raise ArenaError(f"unknown start method '{start_method}'; valid here: "
                             f"{', '.join(methods)}")
        self.workers = workers or os.cpu_count() or 1
        self.concurrency = concurrency
        ctx = multiprocessing.get_context(start_method)
        self.start_method = ctx.get_start_method()
        self.pool = ProcessPoolExecutor(self.workers, mp_context=ctx,
                                        initializer=_init_worker,
                                        initargs=(runtime_registrations(),))

    def run(self, jobs: Sequence[GameJob]) -> Iterator[GameRecord]:
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        if not jobs:
            return
        # Chunks cut the per-game IPC cost; small enough that a kill loses little.
        size = self._chunk(len(jobs), 16)
        chunks = [list(jobs[i:i + size]) for i in range(0, len(jobs), size)]
        pending, nxt = set(), 0
        try:
            while nxt < len(chunks) or pending:
                ahead = self.workers if self.lean else 4 * self.workers
                while nxt < len(chunks) and len(pending) < ahead \
                        and not self.stopping:
                    pending.add(self.pool.submit(_play_batch, chunks[nxt], None,
                                                 self.concurrency))
                    nxt += 1
                if self.stopping:  # tasks not yet started are dropped
                    pending = {f for f in pending if not f.cancel()}
                    if not pending:
                        return
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
            manager = getattr(self.pool, "_executor_manager_thread", None)
            self.pool.shutdown(wait=False, cancel_futures=True)
            for proc in procs:  # do not wait for games in flight
                proc.terminate()
            if manager is not None:
                # Let the pool's thread see its workers gone before the interpreter exits
                # (else it may print errors after the driver's last word, e.g. on Ctrl-C).
                manager.join(timeout=10)
            self.pool = None


class RayRunner(Runner):
    """Tasks on a Ray cluster: an existing one (``address``) or a local one started here."""

    name = "ray"

    def __init__(self, workers: int | None = None, address: str | None = None,
                 concurrency: int = 1):
        self.concurrency = concurrency
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
        self._registrations = ray.put(runtime_registrations())

    def run(self, jobs: Sequence[GameJob]) -> Iterator[GameRecord]:
        if not jobs:
            return
        ray = self.ray
        size = self._chunk(len(jobs), 32)
        batches = [list(jobs[i:i + size]) for i in range(0, len(jobs), size)]
        pending, nxt = [], 0
        while nxt < len(batches) or pending:
            ahead = self.workers if self.lean else 2 * self.workers
            while nxt < len(batches) and len(pending) < ahead \
                    and not self.stopping:
                pending.append(self._remote.remote(batches[nxt], self._registrations,
                                                   self.concurrency))
                nxt += 1
            if not pending:
                return
            done, pending = ray.wait(pending, num_returns=1)
            yield from ray.get(done[0])

    def close(self) -> None:
        if self.started and self.ray.is_initialized():
            self.ray.shutdown()
            self.started = False


def make_runner(backend: str, workers: int | None = None, address: str | None = None,
                start_method: str | None = None, concurrency: int = 1) -> Runner:
    if start_method is not None and backend != "processes":
        raise ArenaError("--start-method needs --backend processes")
    if concurrency < 1:
        raise ArenaError(f"concurrency {concurrency}: at least 1")
    if backend == "serial":
        return SerialRunner(concurrency)
    if backend == "processes":
        return ProcessRunner(workers, start_method, concurrency)
    if backend == "ray":
        return RayRunner(workers, address, concurrency)
    raise ArenaError(f"unknown backend '{backend}'; valid: {', '.join(BACKENDS)}")
