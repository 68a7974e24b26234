"""Run a tournament: plan its stages, play what the store lacks, stop early where asked.

The driver owns the store: records come back from the runner and are written as they
arrive. The plan is a pure function of the spec and of earlier stages' stored results, so a
resumed run plans the same jobs and plays only those missing.
"""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arena.core.version import VERSION as __version__
from arena.core.game import Game
from arena.play.match import GameJob, GameRecord
from arena.core.errors import ArenaError
from arena.core.registry import make_agent, make_game
from arena.store.sqlite import FILENAME, Store, StoreError

from .formats import get_format
from .runners import Runner
from .schedule import Table, table_jobs
from .spec import Tournament

if TYPE_CHECKING:  # pragma: no cover
    from arena.stats.summary import Summary

ProgressFn = Callable[[int, int], None]
"""Called with (games done, games planned so far)."""


class BudgetReached(Exception):
    """The tournament's token or cost budget is spent: no game was started after it, the
    games under way were stored, and the run can be resumed with a larger budget."""


def llm_spend(records: "Iterable[GameRecord]",
              start: dict[str, Any] | None = None) -> dict[str, Any]:
    """LLM use over ``records`` (added to ``start``, an earlier result): tokens in and out,
    and the cost in US dollars (``cost_usd`` None where some agent used tokens without a
    known price)."""
    tokens_in, tokens_out = (start["tokens_in"], start["tokens_out"]) if start else (0, 0)
    cost: float | None = start["cost_usd"] if start else 0.0
    for rec in records:
        for stats in rec.agent_stats or ():
            if not stats:
                continue
            used_in, used_out = stats.get("tokens_in", 0), stats.get("tokens_out", 0)
            tokens_in += used_in
            tokens_out += used_out
            if "cost_usd" in stats:
                cost = None if cost is None else cost + stats["cost_usd"]
            elif used_in or used_out:
                cost = None
    return {"tokens_in": tokens_in, "tokens_out": tokens_out,
            "tokens": tokens_in + tokens_out, "cost_usd": cost}


def budget_left(t: Tournament, spend: dict[str, Any]) -> str | None:
    """Why the budget is spent (None: it is not)."""
    if t.max_tokens is not None and spend["tokens"] >= t.max_tokens:
        return f"the token budget ({t.max_tokens:,}) is spent: {spend['tokens']:,} tokens used"
    if t.max_cost is not None:
        if spend["cost_usd"] is None:
            return ("a cost budget is set but some LLM agent's model has no price: add it to "
                    "a price table ($ARENA_LLM_PRICES) or give the agent price_in/price_out")
        if spend["cost_usd"] >= t.max_cost:
            return (f"the cost budget (${t.max_cost:g}) is spent: ${spend['cost_usd']:.4f} "
                    "used")
    return None


def check_prices(t: Tournament, game: Game) -> None:
    """With a cost budget, every entrant that spends needs a price before anything is
    spent (see ``Agent.unpriced``)."""
    if t.max_cost is None:
        return
    for entrant in t.agents:
        why = make_agent(entrant.spec, game).unpriced()
        if why is not None:
            raise ArenaError(f"agent '{entrant.name}': {why}")


class _NoStore:
    def close(self) -> None:
        pass


def code_versions(t: Tournament) -> dict[str, str]:
    """What the games of ``t`` were played with: the arena version, a fingerprint of the
    source of the game's and the agents' packages, and the OpenSpiel version where used.

    A resumed run compares these with the store's, so that games of different rules or
    agent code are not silently mixed in one result.
    """
    import hashlib
    import sys

    from arena.core.registry import agent_class
    from arena.core.spec import parse_spec

    classes: list[type] = [type(make_game(t.game, t.rules))]
    classes += [agent_class(parse_spec(a.spec).name) for a in t.agents]
    folders = set()
    for cls in classes:
        source = getattr(sys.modules.get(cls.__module__), "__file__", None)
        if source:
            folders.add(Path(source).resolve().parent)
    digest = hashlib.sha256()
    for folder in sorted(folders):
        for path in sorted(folder.glob("*.py")):
            digest.update(f"{path.relative_to(folder.parent)}\0".encode())
            digest.update(path.read_bytes())
    versions = {"arena": __version__, "code": digest.hexdigest()[:12]}
    if "pyspiel" in sys.modules:
        from importlib.metadata import PackageNotFoundError, version

        try:
            versions["open_spiel"] = version("open_spiel")
        except PackageNotFoundError:  # pragma: no cover - a source build
            pass
    return versions


def stored_versions(store: Store) -> dict[str, str]:
    """The versions the store's games were played with (older stores: the arena's only)."""
    raw = store.get_meta("versions")
    if raw is not None:
        return json.loads(raw)
    arena_version = store.get_meta("arena_version")
    return {"arena": arena_version} if arena_version else {}


def _describe(versions: dict[str, str], keys: list[str]) -> str:
    return ", ".join(f"{k} {versions[k]}" for k in keys)


def _check_versions(store: Store, t: Tournament, out: Path, force: bool,
                    record: bool = True) -> None:
    old, new = stored_versions(store), code_versions(t)
    differ = [k for k in new if k in old and old[k] != new[k]]
    if not differ:
        return
    if not force:
        store.close()
        raise StoreError(f"{out} was written with {_describe(old, differ)}, this is "
                         f"{_describe(new, differ)}; its games would be mixed with games of "
                         "other code: pass --force-resume to mix them anyway, or choose "
                         "another --out")
    mixed = json.loads(store.get_meta("mixed_versions") or "[]")
    if record and new not in mixed:
        store.set_meta("mixed_versions", json.dumps(mixed + [new]))


def open_store(t: Tournament, out: Path, resume: bool, create: bool = True,
               force: bool = False) -> Store:
    """The store in ``out`` for ``t``: new, or the same tournament's with ``resume``.

    A store written by another arena version, or with other game or agent code, is
    refused unless ``force`` (the versions mixed in are then recorded). ``create=False``
    only checks (refusing a folder that holds something else) and writes nothing; it
    returns an object to ``close()``.
    """
    path = out / FILENAME
    if path.exists():
        store = Store(path)
        digest = store.get_meta("spec_hash")
        if digest is None and store.count() == 0:
            if create:
                _init_meta(store, t)  # killed while being created: nothing to lose
            return store
        if digest != t.digest():
            name = store.get_meta("name")
            store.close()
            raise StoreError(f"{out} holds a different tournament ('{name}', spec hash "
                             f"{digest}, this spec {t.digest()}); choose another --out")
        if not resume:
            count = store.count()
            store.close()
            raise StoreError(f"{out} already holds this tournament ({count} games); pass "
                             "--resume to finish it, or choose another --out")
        _check_versions(store, t, out, force, record=create)
        return store
    if out.exists() and not out.is_dir():
        raise StoreError(f"--out {out} is a file, expected a folder")
    if not create:
        return _NoStore()  # type: ignore[return-value]
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"--out {out}: cannot create the folder ({exc.strerror})") from None
    store = Store(path)
    _init_meta(store, t)
    return store


def _init_meta(store: Store, t: Tournament) -> None:
    with store.transaction():
        store.set_meta("spec_hash", t.digest())
        store.set_meta("name", t.name)
        store.set_meta("tournament", json.dumps(t.to_dict()))
        store.set_meta("source", t.source)
        store.set_meta("versions", json.dumps(code_versions(t)))
        store.set_meta("created", datetime.datetime.now(datetime.timezone.utc).isoformat())


def load_stored_tournament(store: Store) -> Tournament:
    raw = store.get_meta("tournament")
    if raw is None:
        raise StoreError(f"{store.path}: no tournament recorded in this store")
    return Tournament.from_dict(json.loads(raw))


def stage_of(job_id: str) -> str:
    """The stage of a tournament job id (``<stage>/t<table>/d<deal>/r<rotation>``); read from
    the right, so a stage name may hold any character ('/' too)."""
    return job_id.rsplit("/", 3)[0]


def stage_notes(t: Tournament, store: Store, seats: int) -> dict[str, object]:
    """What ``t``'s format adds to the summary's notes (e.g. who advanced, an SPRT's state)."""
    return get_format(t.format).notes(t, store, seats)


def tournament_summary(t: Tournament, store: Store) -> "Summary":
    """The summary of everything stored for ``t`` (what ``arena report`` recomputes)."""
    import dataclasses

    from arena.core.registry import agent_settings
    from arena.core.seeding import derive_seed
    from arena.stats.summary import LlmSpend, SummaryContext, Versions, build_summary

    game = make_game(t.game, t.rules)
    staged = store.staged_records(actions=False)
    records = [rec for _, rec in staged]
    by_stage: dict[str, list[GameRecord]] = {}
    for stage, rec in staged:
        by_stage.setdefault(stage, []).append(rec)
    settings: dict[str, dict[str, Any] | None] = {}
    for spec in dict.fromkeys(spec for rec in records for spec in rec.agents):
        try:
            settings[spec] = agent_settings(spec)
        except Exception:  # noqa: BLE001 - a summary of stored games must not fail on a plugin
            settings[spec] = None  # the spec no longer loads here
    context = SummaryContext(
        families={a.name: a.family for a in t.agents}, settings=settings,
        stages=by_stage if len(by_stage) > 1 else None,
        notes={"format": t.format, "seats": t.seats, "name": t.name,
               **stage_notes(t, store, game.num_players)})
    summary = build_summary(records, t.names(), game, context, adjust=t.adjust,
                            bootstrap=t.bootstrap, seed=derive_seed(t.seed, "bootstrap"))
    spend = llm_spend(records)
    llm = None
    if spend["tokens"] or t.max_tokens is not None or t.max_cost is not None:
        llm = LlmSpend(**spend, max_tokens=t.max_tokens, max_cost=t.max_cost,
                       stopped=store.get_meta("stopped") or None)
    versions = Versions(stored_versions(store),
                        tuple(json.loads(store.get_meta("mixed_versions") or "[]")))
    return dataclasses.replace(summary, llm=llm, versions=versions)


class TournamentRunner:
    """Plays a tournament's stages through a runner into a store."""

    def __init__(self, t: Tournament, store: Store, runner: Runner,
                 progress: ProgressFn | None = None):
        self.t, self.store, self.runner = t, store, runner
        self.game: Game = make_game(t.game, t.rules)
        self.n = self.game.num_players
        self.done = store.finished_ids()
        self.progress = progress or (lambda done, total: None)
        self.planned = 0
        self.finished = 0
        self.next_seq = 0
        self.stage: dict[str, str] = {}
        """The stage of each planned job id (stored with its game)."""
        self.store_seconds = 0.0
        """Wall time spent writing records (the store's cost, for benchmarks)."""
        self.budgeted = t.max_tokens is not None or t.max_cost is not None
        self.spend = llm_spend(store.records(actions=False)) if self.budgeted else None
        if self.budgeted:
            check_prices(t, self.game)
            runner.lean = True  # when the budget is spent, little is left in flight

    # -- what a format's plan asks (``tournaments.formats.Stages``) ------------------------
    def play(self, jobs: list[GameJob]) -> None:
        """Play those of ``jobs`` the store lacks, storing each as it comes back; jobs get
        their schedule positions in the order given."""
        seq = {}
        for job in jobs:
            seq[job.job_id] = self.next_seq
            self.next_seq += 1
        todo = [j for j in jobs if j.job_id not in self.done]
        self.finished += len(jobs) - len(todo)
        self.progress(self.finished, self.planned)
        if todo and self.budgeted and (why := budget_left(self.t, self._spent())):
            raise BudgetReached(why)
        clock = time.perf_counter
        for rec in self.runner.run(todo):
            t0 = clock()
            self.store.add(rec, seq[rec.job_id], self.stage[rec.job_id])
            self.store_seconds += clock() - t0
            self.done.add(rec.job_id)
            self.finished += 1
            self.progress(self.finished, self.planned)
            if self.budgeted:
                self.spend = llm_spend([rec], self.spend)
                if budget_left(self.t, self.spend):
                    self.runner.stop()  # the games under way still come back and are stored
        if self.runner.stopping and (why := budget_left(self.t, self._spent())):
            raise BudgetReached(why)

    def _spent(self) -> dict[str, Any]:
        return self.spend if self.spend is not None else llm_spend(())

    def jobs(self, tables: list[Table], deals: int) -> list[GameJob]:
        """The games of ``tables``, ``deals`` deals each (each job remembers its stage)."""
        jobs = []
        for table in tables:
            for job in table_jobs(self.t, table, deals):
                self.stage[job.job_id] = table.stage
                jobs.append(job)
        return jobs

    def expect(self, games: int) -> None:
        """The number of games planned so far (what progress counts up to)."""
        self.planned = games

    def end_plan(self) -> None:
        """The plan stopped early: what was played is all there is."""
        self.planned = self.finished
        self.progress(self.finished, self.planned)

    def run(self) -> None:
        """Play every stage the store still lacks, as the tournament's format plans them
        (what the summary shows is recomputed from the store afterwards: see
        ``tournament_summary``)."""
        get_format(self.t.format).run(self.t, self)
