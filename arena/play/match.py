"""Play one game: a ``GameJob`` (pure data) in, a ``GameRecord`` out.

``play(job)`` seeds the deal and each agent from the job, asks the seat to move for an action,
replaces an illegal answer by a seeded random legal move (counted), and turns an agent's
exception into a forfeit of that seat (recorded). ``match_jobs`` lays out a match with seat
rotation over duplicate deals: deal ``d`` is replayed once in every rotation, so each agent
holds every seat's cards equally often.
"""

from __future__ import annotations

import dataclasses
import numbers
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
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
    """Per seat, decision times binned by ``time_bin`` (for percentiles without every time)."""
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
    n = game.num_players
    if agents is None:
        check_agent_count(game, len(job.agents))
        agents = [make_agent(spec, game) for spec in job.agents]
    state = game.new_state(derive_seed(job.seed, "deal"))
    views = [SeatView(state, s) for s in range(n)]
    errors: list[dict[str, Any]] = []
    broken = None
    limit_ns = None if job.time_per_move is None else int(job.time_per_move * 1e9)
    # A budget is enforced twice: an interval timer interrupts an agent that runs past it
    # (so a game never hangs; main thread only), and the measured time decides. ``start``
    # and ``finish`` each get the same budget as one move.
    alarm = (limit_ns is not None and hasattr(signal, "setitimer")
             and threading.current_thread() is threading.main_thread())
    for s, agent in enumerate(agents):
        try:
            _timed("start", limit_ns, alarm, agent.start, s,
                   derive_rng(job.seed, job.job_id, "agent", s))
        except (Exception, AgentTimeout) as exc:  # noqa: BLE001 - a broken agent loses its game
            errors.append(_error(job, s, exc, 0))
            broken = _forfeit(job, n, s, state)
            break
    chance_rng = derive_rng(job.seed, "chance")
    fallback_rng = derive_rng(job.seed, job.job_id, "fallback")
    actions: list[int] = []
    texts: list[list[Any]] = []
    notes: list[list[Any]] = []
    decisions, think, longest, illegal = [0] * n, [0] * n, [0] * n, [0] * n
    hist: list[dict[int, int]] = [{} for _ in range(n)]
    previous_handler = signal.signal(signal.SIGALRM, _alarm) if alarm else None
    try:
        outcome = broken or _loop(job, state, agents, views, n, chance_rng, fallback_rng,
                                  actions, decisions, think, longest, hist, illegal, errors,
                                  limit_ns, alarm, texts, notes)
    finally:
        if alarm:
            _disarm()
            signal.signal(signal.SIGALRM, previous_handler)
    if outcome is None:
        outcome = state.outcome()
    for s, agent in enumerate(agents):
        try:
            _timed("finish", limit_ns, alarm, agent.finish, views[s], outcome)
        except (Exception, AgentTimeout) as exc:  # noqa: BLE001 - recorded; the result stands
            errors.append(_error(job, s, exc, len(actions)))
    agent_stats: list[dict[str, Any] | None] = []
    for s, agent in enumerate(agents):
        try:
            agent_stats.append(agent.game_stats())
        except Exception as exc:  # noqa: BLE001 - recorded; the result stands
            errors.append(_error(job, s, exc, len(actions)))
            agent_stats.append(None)
    if all(x is None for x in agent_stats):
        agent_stats = []
    return GameRecord(
        job_id=job.job_id, game=job.game, rules=game.preset, settings=game.settings(),
        seed=job.seed, agents=list(job.agents), labels=list(job.labels), actions=actions,
        returns=list(outcome.returns), ranks=list(outcome.ranks), winners=list(outcome.winners),
        win_shares=list(outcome.win_shares), decisions=decisions, think_ns=think,
        max_think_ns=longest, illegal=illegal, errors=errors, forfeit=outcome.forfeit,
        metrics=state.metrics(outcome), think_hist=hist, texts=texts, agent_stats=agent_stats,
        notes=notes,
        **_roles_and_teams(state, outcome),
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


def _timed(what: str, limit_ns: int | None, alarm: bool, fn: Any, *args: Any) -> None:
    """Call ``fn(*args)`` under the time budget of one decision (see ``play``)."""
    if limit_ns is None:
        fn(*args)
        return
    clock = time.perf_counter_ns
    t0 = clock()
    if alarm:
        previous = signal.signal(signal.SIGALRM, _alarm)
        _armed[0] = True
        signal.setitimer(signal.ITIMER_REAL, limit_ns / 1e9, 0.05)
        try:
            fn(*args)
        finally:
            _disarm()
            signal.signal(signal.SIGALRM, previous)
    else:
        fn(*args)
    if clock() - t0 > limit_ns:
        raise AgentTimeout(f"{what} took {(clock() - t0) / 1e9:.3f} s, over the budget of "
                           f"{limit_ns / 1e9:g} s")


def timed_out_seats(record: GameRecord) -> set[int]:
    """Seats whose agent went over the time budget in this game (and may have been
    interrupted anywhere, leaving it half-updated): such an agent is built anew before its
    next game."""
    return {e["seat"] for e in record.errors if e["type"] == AgentTimeout.__name__}


def _forfeit(job: GameJob, n: int, seat: int, state: "State") -> Outcome:
    """The forfeit rule's outcome: every seat of the broken seat's entrant forfeits; in a
    team game of two teams its team loses (a seat's result is its team's)."""
    mates = [s for s in range(n) if job.labels[s] == job.labels[seat]]
    return Outcome.forfeited(n, seat, state.game.return_bounds(), mates, state.teams())


def _error(job: GameJob, seat: int, exc: BaseException, move: int) -> dict[str, Any]:
    return {"seat": seat, "agent": job.labels[seat], "type": type(exc).__name__,
            "message": str(exc)[:500], "where": traceback.format_exc(limit=3)[-1500:],
            "move": move}


def time_bin_upper_ns(key: int) -> int:
    """Upper edge (ns) of a decision-time bin: quarter-octave bins, at most 25% wide."""
    b, sub = key >> 2, key & 3
    if b <= 3:
        return 1 << b
    return (1 << (b - 1)) + ((sub + 1) << (b - 3))


def _loop(job, state, agents, views, n, chance_rng, fallback_rng, actions, decisions, think,
          longest, hist, illegal, errors, limit_ns, alarm, texts, notes) -> Outcome | None:
    """The move loop of ``play``; returns a forfeit outcome, or None at the normal end."""
    clock = time.perf_counter_ns
    append = actions.append
    while True:
        p = state.current_player
        if p < 0:
            if p == TERMINAL:
                return None
            if p == CHANCE:
                a = draw_chance(state, chance_rng)
                state._apply(a)
                append(a)
                continue
            raise RuntimeError(f"{state.game.name}: unexpected current_player {p}")
        legal = state.legal_actions()
        t0 = clock()
        agents[p].deadline = None if limit_ns is None else time.monotonic() + limit_ns / 1e9
        try:
            if alarm:
                _armed[0] = True
                signal.setitimer(signal.ITIMER_REAL, limit_ns / 1e9, 0.05)
                try:
                    a = agents[p].act(views[p], legal)
                finally:
                    _disarm()
            else:
                a = agents[p].act(views[p], legal)
            text = None
            if a in legal and state.is_statement(a):
                text = agents[p].talk(views[p], a)  # within the same budget as the move
            note = agents[p].decision_note()
            if limit_ns is not None and clock() - t0 > limit_ns:
                raise AgentTimeout(f"took {(clock() - t0) / 1e9:.3f} s, over the budget "
                                   f"of {limit_ns / 1e9:g} s per move")
        except (Exception, AgentTimeout) as exc:  # noqa: BLE001 - loses its game, not the run
            if alarm:
                _disarm()
            errors.append(_error(job, p, exc, len(actions)))
            return _forfeit(job, n, p, state)
        dt = clock() - t0
        think[p] += dt
        if dt > longest[p]:
            longest[p] = dt
        decisions[p] += 1
        b = dt.bit_length()
        key = (b << 2) | (dt >> (b - 3) & 3) if b > 3 else b << 2
        h = hist[p]
        h[key] = h.get(key, 0) + 1
        if type(a) is not int:
            # numpy integers are fine; 1.7 or "3" is not an action.
            a = int(a) if isinstance(a, numbers.Integral) else -1
        if a not in legal:
            illegal[p] += 1
            a = fallback_rng.choice(legal)
            text = None
        state._apply(a)
        append(a)
        if text:
            text = clean_text(text)
            if text:
                state.add_text(p, text)
                texts.append([len(actions) - 1, p, text])
        if note:
            note = clean_text(note)
            if note:
                notes.append([len(actions) - 1, p, note])
    return None


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
               labels: Sequence[str] | None = None, prefix: str = "match",
               time_per_move: float | None = None) -> list[GameJob]:
    """The jobs of a match of ``games`` games between ``specs`` (one per seat).

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
            seed=derive_seed(seed, "deal", deal), time_per_move=time_per_move,
        ))
    return jobs


def run_jobs(jobs: Sequence[GameJob], game: "Game",
             agents_by_label: "dict[str, Agent]") -> Iterator[GameRecord]:
    """Play jobs one after another in this process, reusing one agent object per entrant."""
    for job in jobs:
        record = play(job, game, [agents_by_label[label] for label in job.labels])
        for seat in timed_out_seats(record):
            agents_by_label[job.labels[seat]] = make_agent(job.agents[seat], game)
        yield record


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


def run_jobs_threaded(jobs: Sequence[GameJob], game: "Game", specs_by_label: dict[str, str],
                      concurrency: int) -> Iterator[GameRecord]:
    """Play jobs on ``concurrency`` threads of this process, each with its own agents, and
    yield the records in job order. For agents that wait on the network (LLM agents): the
    games' waits overlap. The time budget of a move holds on every thread: the move's
    measured time decides (the interval timer that interrupts a running agent works on the
    main thread only), and each agent is told its deadline (``Agent.deadline``)."""
    from concurrent.futures import ThreadPoolExecutor

    local = threading.local()

    def one(job: GameJob) -> GameRecord:
        agents = getattr(local, "agents", None)
        if agents is None:
            agents = local.agents = {label: make_agent(spec, game)
                                     for label, spec in specs_by_label.items()}
        record = play(job, game, [agents[label] for label in job.labels])
        for seat in timed_out_seats(record):
            agents[job.labels[seat]] = make_agent(job.agents[seat], game)
        return record

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
    jobs = match_jobs(game_spec or game.name, game.preset, specs, games, seed, seats,
                      labels=labels, time_per_move=time_per_move)
    if concurrency > 1:
        return labels, run_jobs_threaded(jobs, game, dict(zip(labels, specs)), concurrency)
    return labels, run_jobs(jobs, game, agents)
