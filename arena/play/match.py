"""Play one game: a ``GameJob`` (pure data) in, a ``GameRecord`` out.

``play(job)`` seeds the deal and each agent from the job, asks the seat to move for an action,
replaces an illegal answer by a seeded random legal move (counted), and turns an agent's
exception into a forfeit of that seat (recorded); a ``GameRun`` holds the game under way and
its running record, and builds the ``GameRecord``. ``match_jobs`` lays out a match with seat
rotation over duplicate deals: deal ``d`` is replayed once in every rotation, so each agent
holds every seat's cards equally often. An ``AgentCache`` keeps agents from game to game
wherever games are played (``run_jobs``, threaded matches, the runners' workers).
"""

from __future__ import annotations

import dataclasses
import numbers
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from arena.core.agent import SeatView
from arena.core.errors import ArenaError
from arena.core.game import CHANCE, TERMINAL, Outcome, draw_chance
from arena.core.registry import check_agent_count, make_agent, make_game
from arena.core.seeding import derive_rng, derive_seed
from arena.core.spec import parse_spec

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import Executor

    from arena.core.agent import Agent
    from arena.core.game import Game, State


@dataclass(frozen=True)
class GameJob:
    """One game to play, as plain picklable data; the same job always gives the same record."""

    job_id: str
    game: str
    """The game spec, e.g. ``dhumbal`` or ``dhumbal(players=3)``."""
    rules: str | None
    """The rules preset (None: the game's default)."""
    agents: tuple[str, ...]
    """Agent spec per seat."""
    labels: tuple[str, ...]
    """The entrant's display name per seat (distinct even when specs repeat)."""
    seed: int
    """The deal seed: jobs with the same seed play the same cards."""
    time_per_move: float | None = None
    """Seconds an agent may think per decision; over it, the agent forfeits the game."""


class AgentTimeout(BaseException):
    """An agent went over its time budget for one decision.

    A BaseException, so that an agent's own ``except Exception`` (a retry loop, say) cannot
    swallow it; the timer also repeats every 50 ms until the move loop disarms it.
    """


_armed = [False]


def _alarm(signum: int, frame: object) -> None:
    if _armed[0]:
        raise AgentTimeout("interrupted at the time budget")


def _disarm() -> None:
    _armed[0] = False
    signal.setitimer(signal.ITIMER_REAL, 0)


@dataclass
class GameRecord:
    """Everything the statistics need about one finished game (see docs/architecture.md)."""

    job_id: str
    game: str
    rules: str | None
    settings: dict[str, Any]
    seed: int
    agents: list[str]
    labels: list[str]
    actions: list[int]
    returns: list[float]
    ranks: list[int]
    winners: list[int]
    win_shares: list[float]
    decisions: list[int]
    think_ns: list[int]
    max_think_ns: list[int]
    illegal: list[int]
    errors: list[dict[str, Any]] = field(default_factory=list)
    forfeit: int | None = None
    metrics: dict[str, list[Any]] = field(default_factory=dict)
    think_hist: list[dict[int, int]] = field(default_factory=list)
    """Per seat, decision times binned by ``time_bin`` (bin -> count; ``time_bin_upper_ns`` is a
    bin's upper edge), for percentiles without every time."""
    texts: list[list[Any]] = field(default_factory=list)
    """Free text attached to statements: ``[move index, seat, text]`` (games with talk)."""
    roles: list[str] | None = None
    """Games with hidden roles: each seat's role in this game."""
    teams: list[str] | None = None
    """Team games: each seat's team; a seat's result is its team's."""
    team: str | None = None
    """Team games: the team that won (None: a draw, or not a team game)."""
    agent_stats: list[dict[str, Any] | None] = field(default_factory=list)
    """Per seat, the agent's ``game_stats()`` (e.g. an LLM's tokens and invalid answers);
    empty when no agent reported any."""
    notes: list[list[Any]] = field(default_factory=list)
    """Agents' notes on their decisions (``Agent.decision_note``, e.g. an LLM's reply):
    ``[move index, seat, text]``."""

    TIMING_FIELDS = ("think_ns", "max_think_ns", "think_hist", "agent_stats", "notes")

    @property
    def deal_key(self) -> str:
        """The deal this game replays: the job id without its rotation (``.../d3/r1`` -> ``.../d3``).

        Games with the same deal key held the same cards in different seat rotations. Other
        tables of a stage replay the same cards under their own deal keys: the card deal, the
        unit the pairwise tests group by, is ``card_deal``.
        """
        return self.job_id.rsplit("/r", 1)[0]

    @property
    def card_deal(self) -> int:
        """The cards this game held: its deal seed. Every seat rotation and every table of a
        stage that replays a deal shares it (the schedule derives it from the stage and the
        deal index only)."""
        return self.seed

    def to_dict(self) -> dict[str, Any]:
        # Shallow on purpose: asdict's deep copy cost ~0.5 ms a game on the store's hot path.
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "GameRecord":
        return cls(**data)

    def deterministic(self) -> dict[str, Any]:
        """The record without wall-clock timings: equal for equal jobs on any machine."""
        data = self.to_dict()
        for name in self.TIMING_FIELDS:
            data.pop(name)
        return data


def play(job: GameJob, game: "Game | None" = None,
         agents: "Sequence[Agent] | None" = None) -> GameRecord:
    """Play ``job`` to the end. ``game`` and ``agents`` may be passed in to reuse them."""
    if game is None:
        game = make_game(job.game, job.rules)
    if agents is None:
        check_agent_count(game, len(job.agents))
        agents = [make_agent(spec, game) for spec in job.agents]
    run = GameRun(job, game, agents)
    outcome = run.start_agents()
    if outcome is None:
        with run.timer.interrupting():
            outcome = run.play_moves()
    if outcome is None:
        outcome = run.state.outcome()
    run.finish_agents(outcome)
    return run.record(outcome)


@dataclass(frozen=True)
class MoveTimer:
    """The time budget of one decision, enforced twice: an interval timer interrupts an
    agent that runs past it (so a game never hangs; main thread only), and the measured
    time decides. ``start`` and ``finish`` each get the same budget as one move."""

    limit_ns: int | None
    """The budget in nanoseconds (None: no limit)."""
    alarm: bool
    """Whether the interval timer is used (a budget, on the main thread, where supported)."""

    @classmethod
    def for_job(cls, job: GameJob) -> "MoveTimer":
        limit_ns = None if job.time_per_move is None else int(job.time_per_move * 1e9)
        alarm = (limit_ns is not None and hasattr(signal, "setitimer")
                 and threading.current_thread() is threading.main_thread())
        return cls(limit_ns, alarm)

    @contextmanager
    def interrupting(self) -> Iterator[None]:
        """Within: the timer's signal raises ``AgentTimeout`` while ``arm``-ed."""
        if not self.alarm:
            yield
            return
        previous = signal.signal(signal.SIGALRM, _alarm)
        try:
            yield
        finally:
            _disarm()
            signal.signal(signal.SIGALRM, previous)

    def arm(self) -> None:
        """Start the interval timer of one decision (under ``interrupting``)."""
        if self.alarm:
            assert self.limit_ns is not None
            _armed[0] = True
            signal.setitimer(signal.ITIMER_REAL, self.limit_ns / 1e9, 0.05)

    def disarm(self) -> None:
        if self.alarm:
            _disarm()

    def deadline(self) -> float | None:
        """The ``time.monotonic()`` by which a decision starting now must be made."""
        return None if self.limit_ns is None else time.monotonic() + self.limit_ns / 1e9

    def check(self, t0: int, what: str, per: str = "") -> None:
        """Raise ``AgentTimeout`` if the decision begun at ``t0`` went over the budget; the
        message is ``{what}took ... s, over the budget of ... s{per}``."""
        clock = time.perf_counter_ns
        if self.limit_ns is not None and clock() - t0 > self.limit_ns:
            raise AgentTimeout(f"{what}took {(clock() - t0) / 1e9:.3f} s, over the budget "
                               f"of {self.limit_ns / 1e9:g} s{per}")

    def call(self, what: str, fn: Callable[..., Any], *args: Any) -> None:
        """Call ``fn(*args)`` (an agent's ``start`` or ``finish``) under the budget."""
        if self.limit_ns is None:
            fn(*args)
            return
        t0 = time.perf_counter_ns()
        with self.interrupting():
            self.arm()
            fn(*args)
        self.check(t0, f"{what} ")


class GameRun:
    """One game under way: its state and agents, and its running record (moves, decisions,
    think times, illegal answers, errors, free text, notes), which ``record`` turns into the
    ``GameRecord`` once the game is over."""

    def __init__(self, job: GameJob, game: "Game", agents: "Sequence[Agent]"):
        self.job, self.game, self.agents = job, game, agents
        n = self.n = game.num_players
        self.state = game.new_state(derive_seed(job.seed, "deal"))
        self.views = [SeatView(self.state, s) for s in range(n)]
        self.timer = MoveTimer.for_job(job)
        self.chance_rng = derive_rng(job.seed, "chance")
        self.fallback_rng = derive_rng(job.seed, job.job_id, "fallback")
        self.actions: list[int] = []
        self.decisions, self.think_ns, self.max_think_ns = [0] * n, [0] * n, [0] * n
        self.think_hist: list[dict[int, int]] = [{} for _ in range(n)]
        self.illegal = [0] * n
        self.errors: list[dict[str, Any]] = []
        self.texts: list[list[Any]] = []
        self.notes: list[list[Any]] = []
        self.agent_stats: list[dict[str, Any] | None] = []

    def start_agents(self) -> Outcome | None:
        """Tell each agent the game begins; a forfeit outcome if one breaks, else None."""
        job = self.job
        for s, agent in enumerate(self.agents):
            try:
                self.timer.call("start", agent.start, s,
                                derive_rng(job.seed, job.job_id, "agent", s))
            except (Exception, AgentTimeout) as exc:  # noqa: BLE001 - a broken agent loses
                return self.forfeit(s, exc)
        return None

    def play_moves(self) -> Outcome | None:
        """The move loop; returns a forfeit outcome, or None at the normal end."""
        clock = time.perf_counter_ns
        state, agents, views, timer = self.state, self.agents, self.views, self.timer
        limit_ns = timer.limit_ns
        while True:
            p = state.current_player
            if p < 0:
                if p == TERMINAL:
                    return None
                if p == CHANCE:
                    a = draw_chance(state, self.chance_rng)
                    state._apply(a)
                    self.actions.append(a)
                    continue
                raise RuntimeError(f"{state.game.name}: unexpected current_player {p}")
            legal = state.legal_actions()
            t0 = clock()
            agents[p].deadline = timer.deadline()
            try:
                # The agent is called here, in the frame that catches, so that an error's
                # traceback in the record starts at the agent's own frames.
                timer.arm()
                try:
                    a = agents[p].act(views[p], legal)
                finally:
                    timer.disarm()
                text = None
                if a in legal and state.is_statement(a):
                    text = agents[p].talk(views[p], a)  # within the same budget as the move
                note = agents[p].decision_note()
                if limit_ns is not None:
                    timer.check(t0, "", " per move")
            except (Exception, AgentTimeout) as exc:  # noqa: BLE001 - loses its game only
                return self.forfeit(p, exc)
            self.decided(p, clock() - t0, a, legal, text, note)

    def decided(self, seat: int, dt: int, a: Any, legal: Sequence[int], text: Any,
                note: Any) -> None:
        """``seat`` answered ``a`` in ``dt`` ns: count the decision, play the answer (an
        illegal one is counted and replaced by a seeded random legal move, dropping its
        text) and keep its text and note."""
        self.think_ns[seat] += dt
        if dt > self.max_think_ns[seat]:
            self.max_think_ns[seat] = dt
        self.decisions[seat] += 1
        hist = self.think_hist[seat]
        key = time_bin(dt)
        hist[key] = hist.get(key, 0) + 1
        if type(a) is not int:
            # numpy integers are fine; 1.7 or "3" is not an action.
            a = int(a) if isinstance(a, numbers.Integral) else -1
        if a not in legal:
            self.illegal[seat] += 1
            a = self.fallback_rng.choice(legal)
            text = None
        self.state._apply(a)
        self.actions.append(a)
        move = len(self.actions) - 1
        if text:
            text = clean_text(text)
            if text:
                self.state.add_text(seat, text)
                self.texts.append([move, seat, text])
        if note:
            note = clean_text(note)
            if note:
                self.notes.append([move, seat, note])

    def fail(self, seat: int, exc: BaseException) -> None:
        """Record ``seat``'s error (called while handling it, for its traceback)."""
        job = self.job
        self.errors.append({
            "seat": seat, "agent": job.labels[seat], "type": type(exc).__name__,
            "message": str(exc)[:500], "where": traceback.format_exc(limit=3)[-1500:],
            "move": len(self.actions)})

    def forfeit(self, seat: int, exc: BaseException) -> Outcome:
        """Record the error that broke ``seat``, and the forfeit rule's outcome: every seat
        of its entrant forfeits; in a team game of two teams its team loses (a seat's result
        is its team's)."""
        self.fail(seat, exc)
        labels = self.job.labels
        mates = [s for s in range(self.n) if labels[s] == labels[seat]]
        return Outcome.forfeited(self.n, seat, self.state.game.return_bounds(), mates,
                                 self.state.teams())

    def finish_agents(self, outcome: Outcome) -> None:
        """Tell each agent the game ended and ask its ``game_stats`` (errors are recorded;
        the result stands)."""
        for s, agent in enumerate(self.agents):
            try:
                self.timer.call("finish", agent.finish, self.views[s], outcome)
            except (Exception, AgentTimeout) as exc:  # noqa: BLE001 - recorded
                self.fail(s, exc)
        stats: list[dict[str, Any] | None] = []
        for s, agent in enumerate(self.agents):
            try:
                stats.append(agent.game_stats())
            except Exception as exc:  # noqa: BLE001 - recorded
                self.fail(s, exc)
                stats.append(None)
        self.agent_stats = stats if any(x is not None for x in stats) else []

    def record(self, outcome: Outcome) -> GameRecord:
        job, state = self.job, self.state
        return GameRecord(
            job_id=job.job_id, game=job.game, rules=self.game.preset,
            settings=self.game.settings(), seed=job.seed, agents=list(job.agents),
            labels=list(job.labels), actions=self.actions, returns=list(outcome.returns),
            ranks=list(outcome.ranks), winners=list(outcome.winners),
            win_shares=list(outcome.win_shares), decisions=self.decisions,
            think_ns=self.think_ns, max_think_ns=self.max_think_ns, illegal=self.illegal,
            errors=self.errors, forfeit=outcome.forfeit, metrics=state.metrics(outcome),
            think_hist=self.think_hist, texts=self.texts, agent_stats=self.agent_stats,
            notes=self.notes, **_roles_and_teams(state, outcome),
        )


def _roles_and_teams(state: "State", outcome: "Outcome") -> dict[str, Any]:
    """The record's ``roles``, ``teams`` and ``team`` (empty for games without them)."""
    roles = state.roles()
    teams = outcome.teams if outcome.teams is not None else state.teams()
    out: dict[str, Any] = {}
    if roles is not None:
        out["roles"] = list(roles)
    if teams is not None:
        out["teams"] = list(teams)
        out["team"] = outcome.team
    return out


def timed_out_seats(record: GameRecord) -> set[int]:
    """Seats whose agent went over the time budget in this game (and may have been
    interrupted anywhere, leaving it half-updated): such an agent is built anew before its
    next game."""
    return {e["seat"] for e in record.errors if e["type"] == AgentTimeout.__name__}


def time_bin(ns: int) -> int:
    """The bin of a decision time of ``ns`` nanoseconds in ``GameRecord.think_hist``:
    quarter-octave bins (the bit length and the two bits after the leading one)."""
    b = ns.bit_length()
    return (b << 2) | (ns >> (b - 3) & 3) if b > 3 else b << 2


def time_bin_upper_ns(key: int) -> int:
    """Upper edge (ns) of a decision-time bin: quarter-octave bins, at most 25% wide."""
    b, sub = key >> 2, key & 3
    if b <= 3:
        return 1 << b
    return (1 << (b - 1)) + ((sub + 1) << (b - 3))


MAX_TEXT = 2000
"""Characters of free text an agent may attach to one statement (the rest is cut)."""


def clean_text(text: Any) -> str:
    """Free text as the record keeps it: a string, printable characters and newlines only,
    at most ``MAX_TEXT`` characters, surrounding blanks removed."""
    text = str(text)[:MAX_TEXT]
    return "".join(c for c in text if c.isprintable() or c == "\n").strip()


def replay(game: "Game", record: "GameRecord") -> "State":
    """The end state of ``record`` replayed on ``game`` (its deal, its moves and the free
    text attached to its statements): the same record gives the same game."""
    state = game.new_state(derive_seed(record.seed, "deal"))
    texts: dict[int, list[tuple[int, str]]] = {}
    for move, seat, text in record.texts:
        texts.setdefault(move, []).append((seat, text))
    for i, a in enumerate(record.actions):
        state._apply(a)
        for seat, text in texts.get(i, ()):
            state.add_text(seat, text)
    return state


def entrant_labels(specs: Sequence[str]) -> list[str]:
    """Display names for a list of agent specs: the spec, with ``#2``, ``#3`` on repeats."""
    seen: dict[str, int] = {}
    labels = []
    for spec in specs:
        text = str(parse_spec(spec))
        seen[text] = seen.get(text, 0) + 1
        labels.append(text if seen[text] == 1 else f"{text}#{seen[text]}")
    return labels


def match_jobs(game: str, rules: str | None, specs: Sequence[str], games: int, seed: int,
               seats: Literal["rotate", "fixed"] = "rotate",
               labels: Sequence[str] | None = None, prefix: str = "match") -> list[GameJob]:
    """The jobs of a match of ``games`` games between ``specs`` (one per seat), without a
    time budget (``with_time_per_move`` sets one).

    ``rotate``: game ``i`` plays deal ``i // n`` in rotation ``i % n`` (seat ``s`` holds entrant
    ``(s + rotation) % n``), so complete blocks of ``n`` games give every entrant every seat
    and every hand of each deal. ``fixed``: entrant ``k`` always sits in seat ``k`` and every
    game is a new deal (the seed study's setup).
    """
    specs = [str(parse_spec(s)) for s in specs]
    labels = list(labels) if labels is not None else entrant_labels(specs)
    n = len(specs)
    jobs = []
    for i in range(games):
        deal, rot = (i // n, i % n) if seats == "rotate" else (i, 0)
        order = [(s + rot) % n for s in range(n)]
        jobs.append(GameJob(
            job_id=f"{prefix}/d{deal}/r{rot}", game=game, rules=rules,
            agents=tuple(specs[k] for k in order), labels=tuple(labels[k] for k in order),
            seed=derive_seed(seed, "deal", deal),
        ))
    return jobs


def with_time_per_move(jobs: Sequence[GameJob], seconds: float | None) -> list[GameJob]:
    """``jobs`` with the time budget of a decision set to ``seconds`` (None: no limit)."""
    return [dataclasses.replace(job, time_per_move=seconds) for job in jobs]


@dataclass(frozen=True)
class AgentKey:
    """Which kept agent plays a seat. An agent is built from its spec for a game
    configuration, so agents with equal keys are interchangeable; ``copy`` tells apart the
    agents of one spec seated several times in one game (0 for its first seat, 1 for the
    next...), for an agent object plays one seat at a time."""

    game: str
    rules: str | None
    spec: str
    copy: int

    @staticmethod
    def of(job: GameJob) -> list["AgentKey"]:
        """The key of each seat of ``job``."""
        seen: dict[str, int] = {}
        keys = []
        for spec in job.agents:
            copy = seen[spec] = seen.get(spec, -1) + 1
            keys.append(AgentKey(job.game, job.rules, spec, copy))
        return keys


class AgentCache:
    """Agents kept from game to game, so that an agent that loads a model loads it once.

    An agent that went over its time budget may have been stopped half-way through a move
    (its state half-updated), so it is dropped and built anew before its next game. A
    cache belongs to one thread: an agent is never shared by games under way at once.
    """

    def __init__(self, game: "Game | None" = None):
        self.game = game
        """The game every job is played on (None: each job's own, ``make_game(job.game,
        job.rules)``)."""
        self.agents: dict[AgentKey, Agent] = {}

    def adopt(self, jobs: Sequence[GameJob], agents_by_label: "dict[str, Agent]") -> None:
        """Keep agents built by the caller: each plays its entrant's spec, under the key of
        the first seat its label holds in ``jobs``."""
        left = dict(agents_by_label)
        for job in jobs:
            for key, label in zip(AgentKey.of(job), job.labels):
                if label in left and key not in self.agents:
                    self.agents[key] = left.pop(label)
            if not left:
                return

    def play(self, job: GameJob) -> GameRecord:
        """Play ``job`` with the kept agents (building those missing)."""
        game = self.game if self.game is not None else make_game(job.game, job.rules)
        keys = AgentKey.of(job)
        agents = []
        for key in keys:
            agent = self.agents.get(key)
            if agent is None:
                agent = self.agents[key] = make_agent(key.spec, game)
            agents.append(agent)
        record = play(job, game, agents)
        for seat in timed_out_seats(record):
            self.agents.pop(keys[seat], None)
        return record


def thread_cache(local: threading.local, game: "Game | None" = None) -> AgentCache:
    """This thread's ``AgentCache`` in ``local`` (made on first use)."""
    cache: AgentCache | None = getattr(local, "agent_cache", None)
    if cache is None:
        cache = local.agent_cache = AgentCache(game)
    return cache


def run_jobs(jobs: Sequence[GameJob], game: "Game",
             agents_by_label: "dict[str, Agent]") -> Iterator[GameRecord]:
    """Play jobs one after another in this process on ``game``, starting with the agents
    given by entrant label and keeping them from game to game (``AgentCache``)."""
    cache = AgentCache(game)
    cache.adopt(jobs, agents_by_label)
    for job in jobs:
        yield cache.play(job)


def never_stop() -> bool:
    return False


def threaded(fn: Callable[[Any], Any], items: Sequence[Any], pool: "Executor", limit: int,
             stop: Callable[[], bool] = never_stop, ordered: bool = False) -> Iterator[Any]:
    """``fn(item)`` for each of ``items`` on ``pool``, at most ``limit`` at once; results are
    yielded as they finish (``ordered``: in the items' order). Once ``stop()`` is true no
    item is started; those started finish and are yielded."""
    from concurrent.futures import FIRST_COMPLETED, wait

    pending: dict[Any, int] = {}
    finished: dict[int, Any] = {}
    nxt = emitted = 0
    try:
        while nxt < len(items) or pending:
            while nxt < len(items) and len(pending) < limit and not stop():
                pending[pool.submit(fn, items[nxt])] = nxt
                nxt += 1
            if not pending:  # stopped
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                i = pending.pop(future)
                if ordered:
                    finished[i] = future.result()
                else:
                    yield future.result()
            while emitted in finished:
                yield finished.pop(emitted)
                emitted += 1
    finally:
        for future in pending:  # stopped early: items not started are dropped
            future.cancel()


def run_jobs_threaded(jobs: Sequence[GameJob], game: "Game",
                      concurrency: int) -> Iterator[GameRecord]:
    """Play jobs on ``concurrency`` threads of this process, each with its own agents, and
    yield the records in job order. For agents that wait on the network (LLM agents): the
    games' waits overlap. The time budget of a move holds on every thread: the move's
    measured time decides (the interval timer that interrupts a running agent works on the
    main thread only), and each agent is told its deadline (``Agent.deadline``)."""
    from concurrent.futures import ThreadPoolExecutor

    local = threading.local()

    def one(job: GameJob) -> GameRecord:
        return thread_cache(local, game).play(job)

    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="arena-game") as pool:
        yield from threaded(one, list(jobs), pool, concurrency, ordered=True)


def run_match(game: "Game", specs: Sequence[str], games: int, seed: int,
              seats: Literal["rotate", "fixed"] = "rotate",
              game_spec: str | None = None,
              concurrency: int = 1,
              time_per_move: float | None = None) -> tuple[list[str], Iterator[GameRecord]]:
    """Entrant labels and a lazy stream of records for a match in this process
    (``concurrency`` > 1: that many games at once, on threads).

    Builds one agent per entrant (checking the seat count first), so bad names or values
    fail before any game is played.
    """
    check_agent_count(game, len(specs))
    labels = entrant_labels(specs)
    agents = {label: make_agent(spec, game) for label, spec in zip(labels, specs)}
    for label, agent in agents.items():
        if agent.interactive:
            raise ArenaError(f"agent '{label}' waits for a person; use 'arena play'")
    jobs = with_time_per_move(
        match_jobs(game_spec or game.name, game.preset, specs, games, seed, seats,
                   labels=labels), time_per_move)
    if concurrency > 1:
        return labels, run_jobs_threaded(jobs, game, concurrency)
    return labels, run_jobs(jobs, game, agents)
