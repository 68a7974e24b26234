"""The summary of a set of games: per agent, per pair, per seat, ratings; recomputable at will.

``build_summary`` is a pure function of the records (in schedule order) and a few settings,
so a resumed run, a run on other workers and ``arena report`` all give the same summary;
only its ``timing`` part (wall clock) differs between runs. The summary is typed
(``Summary`` and its rows): a report reads attributes, and ``Summary.to_json`` writes the
one JSON document (summary.json) from them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from arena.stats.basic import AgentSummary, Timing, summarize
from arena.stats.pairwise import PairTest, SeatTable, pairwise_tests, seat_by_agent, seat_table
from arena.stats.ratings import (
    DEFAULT_BOOTSTRAP,
    bootstrap_elo,
    bootstrap_payoff,
    bradley_terry,
    elo_separation,
    head_to_head,
    openskill_ratings,
    pairwise_results,
)
from arena.stats.roles import GroupResult, RoleTables, role_tables

if TYPE_CHECKING:  # pragma: no cover
    from arena.core.game import Game
    from arena.play.match import GameRecord


#: What the Elo and openskill ratings are fitted to (the summary's ``elo_measures``).
ELO_MEASURES = ("who finished ahead of whom: every pair of seats at a table scored by rank "
                "(win 1, tie 0.5, loss 0)")
RANK_CI_FROM = ", 95% bootstrap over card deals"
BY_PAYOFF = "mean payoff"
"""``Summary.ranked_by`` in games ranked by payoff."""

Interval = tuple[float, float]
HeadToHead = Mapping[str, Mapping[str, float | None]]
"""Mean score of the row agent against the column agent (None: they never met)."""


@dataclass(frozen=True)
class Skill:
    """An openskill (Weng-Lin Plackett-Luce) rating; ``ordinal`` is mu - 3 sigma."""

    mu: float
    sigma: float
    ordinal: float

    def to_json(self) -> dict[str, float]:
        return {"mu": self.mu, "sigma": self.sigma, "ordinal": self.ordinal}


@dataclass(frozen=True)
class AgentRow:
    """One row of the leaderboard: ``AgentSummary``'s figures, the entrant's family and
    settings, and its ratings (see ``build_summary``)."""

    name: str
    spec: str
    games: int
    wins: float
    win_rate: float
    win_ci: Interval
    win_ci_normal: Interval
    payoff: float
    payoff_ci: Interval
    metrics: Mapping[str, float | list[float] | None]
    illegal: int
    errors: int
    forfeits: int
    decisions: int
    agent_stats: Mapping[str, Any]
    """The agent's own figures (an LLM's tokens, rates, latency), lists left out."""
    family: str | None
    settings: Mapping[str, Any] | None
    """Every setting of the agent, defaults included (None where its spec did not load);
    in the document only for an agent that played."""
    elo: float | None
    elo_ci: Interval | None
    elo_rank_ci: Interval | None
    elo_separated: bool
    elo_bound: tuple[float | None, float | None] | None
    payoff_all_equal: bool
    payoff_rank_ci: Interval | None
    """In the document only in games ranked by payoff."""
    rank_ci: Interval | None
    """The rank interval in the leaderboard's order (``payoff_rank_ci`` or ``elo_rank_ci``)."""
    openskill: Skill | None
    win_rate_by_seat: tuple[float | None, ...] | None

    def to_json(self, by_payoff: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name, "spec": self.spec, "games": self.games, "wins": self.wins,
            "win_rate": self.win_rate, "win_ci": list(self.win_ci),
            "win_ci_normal": list(self.win_ci_normal), "payoff": self.payoff,
            "payoff_ci": list(self.payoff_ci), "metrics": _copy(self.metrics),
            "illegal": self.illegal, "errors": self.errors, "forfeits": self.forfeits,
            "decisions": self.decisions, "agent_stats": _copy(self.agent_stats),
            "family": self.family}
        if self.games:
            out["settings"] = _copy(self.settings)
        out.update(elo=self.elo, elo_ci=_list(self.elo_ci), elo_rank_ci=_list(self.elo_rank_ci),
                   elo_separated=self.elo_separated, elo_bound=_list(self.elo_bound),
                   payoff_all_equal=self.payoff_all_equal)
        if by_payoff:
            out["payoff_rank_ci"] = _list(self.payoff_rank_ci)
        out.update(rank_ci=_list(self.rank_ci),
                   openskill=self.openskill.to_json() if self.openskill else None,
                   win_rate_by_seat=_list(self.win_rate_by_seat))
        return out


@dataclass(frozen=True, kw_only=True)
class StageRow(GroupResult):
    """One agent's results in one stage of a tournament."""

    name: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, **self.result_json()}


@dataclass(frozen=True)
class MetricColumn:
    """One of the game's metrics, as the reports head its column."""

    name: str
    help: str


@dataclass(frozen=True)
class LlmSpend:
    """LLM use over the games and the run's budget (``cost_usd`` None: a model without a
    price; ``stopped``: why the run stopped at its budget, None if it did not)."""

    tokens_in: int
    tokens_out: int
    tokens: int
    cost_usd: float | None
    max_tokens: int | None
    max_cost: float | None
    stopped: str | None

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Versions:
    """What the games were played with: ``arena``, ``code`` (a fingerprint of the game's and
    agents' source) and ``open_spiel`` where used; ``mixed_in``: other versions a forced
    resume mixed into the same store."""

    played_with: Mapping[str, str]
    mixed_in: tuple[Mapping[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.played_with)
        if self.mixed_in:
            out["mixed_in"] = [dict(m) for m in self.mixed_in]
        return out


@dataclass(frozen=True)
class Summary:
    """Everything the reports show (see ``build_summary``); ``to_json`` is summary.json."""

    game: str
    rules: str | None
    settings: Mapping[str, Any]
    """The game's settings."""
    games: int
    adjust: str
    ranked_by: str
    """What the leaderboard is ordered by, in words ("mean payoff" or "Elo (from ranks)")."""
    elo_measures: str
    rank_ci_from: str
    bootstrap: int
    agents: tuple[AgentRow, ...]
    """In leaderboard order."""
    pairs: tuple[PairTest, ...]
    head_to_head: HeadToHead
    seats: SeatTable
    metrics: tuple[MetricColumn, ...]
    roles: RoleTables | None
    """Games with roles or teams only."""
    stages: Mapping[str, tuple[StageRow, ...]] | None
    """Per stage (tournaments of several stages only), its agents' results."""
    notes: Mapping[str, Any] | None
    """The tournament format's own JSON (its name and seats, a championship's advancing
    agents, an SPRT's state); None outside tournaments."""
    timing: tuple[Timing, ...]
    """Decision times (wall clock: differs from run to run)."""
    llm: LlmSpend | None = None
    versions: Versions | None = None

    @property
    def by_payoff(self) -> bool:
        """Whether the game is ranked by mean payoff (else by Elo from ranks)."""
        return self.ranked_by == BY_PAYOFF

    def to_json(self) -> dict[str, Any]:
        """The summary as plain JSON-ready data (summary.json, less NaN cleaning)."""
        out: dict[str, Any] = {
            "game": self.game, "rules": self.rules, "settings": _copy(self.settings),
            "games": self.games, "adjust": self.adjust, "ranked_by": self.ranked_by,
            "elo_measures": self.elo_measures, "rank_ci_from": self.rank_ci_from,
            "bootstrap": self.bootstrap,
            "agents": [a.to_json(self.by_payoff) for a in self.agents],
            "pairs": [p.to_dict() for p in self.pairs],
            "head_to_head": _copy(self.head_to_head), "seats": self.seats.to_dict(),
            "metrics": [{"name": m.name, "help": m.help} for m in self.metrics]}
        if self.roles is not None:
            out.update(self.roles.to_json())
        if self.stages:
            out["stages"] = {stage: [row.to_json() for row in rows]
                             for stage, rows in self.stages.items()}
        if self.notes:
            out["notes"] = _copy(self.notes)
        out["timing"] = [t.to_dict() for t in self.timing]
        if self.llm is not None:
            out["llm"] = self.llm.to_json()
        if self.versions is not None:
            out["versions"] = self.versions.to_json()
        return out


def _list(value: Sequence[Any] | None) -> list[Any] | None:
    return None if value is None else list(value)


def _copy(value: Any) -> Any:
    """Plain JSON data out of mappings and sequences (so the document shares nothing)."""
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_copy(v) for v in value]
    return value


@dataclass(frozen=True)
class SummaryContext:
    """What the caller knows beyond the games: each entrant's family (by name), each agent
    spec's settings (loaded by the caller: the summary loads no agent code; a spec missing
    here gets None), the games of each stage (shown per stage where there are several) and
    the tournament format's notes."""

    families: Mapping[str, str] = field(default_factory=dict)
    settings: Mapping[str, Mapping[str, Any] | None] = field(default_factory=dict)
    stages: Mapping[str, Sequence["GameRecord"]] | None = None
    notes: Mapping[str, Any] | None = None


def build_summary(records: Sequence["GameRecord"], names: Sequence[str], game: "Game",
                  context: SummaryContext | None = None, *, adjust: str = "holm",
                  bootstrap: int = DEFAULT_BOOTSTRAP, seed: int = 0) -> Summary:
    """Everything the reports show.

    Per agent, besides the win rate and payoff: ``elo`` (Bradley-Terry on who finished
    ahead of whom, see ``elo_measures``) with ``elo_ci`` and ``elo_rank_ci`` from a bootstrap
    of ``bootstrap`` resamples of card deals; ``elo_separated`` where the data cannot place
    the agent (it never lost, or never won, against the rest: its Elo is set by the virtual
    draws) and ``elo_bound``, a one-sided 95% bound ``(lo, None)`` or ``(None, hi)`` where one
    applies; ``rank_ci``, the rank interval in the leaderboard's own order (mean payoff in
    games ranked by payoff, from the same deal resamples as ``payoff_rank_ci``, else Elo);
    ``payoff_all_equal`` where every game paid the agent the same (a zero-width interval
    that is no certainty); ``openskill``.
    """
    names = list(names)
    context = context or SummaryContext()
    by_payoff = game.ranked_by == "payoff"
    agents, timings = summarize(records, game.metric_specs, order=names)
    rows = _agent_rows(records, names, game, agents, context, bootstrap, seed)
    rows.sort(key=leaderboard_key(game.ranked_by))
    return Summary(
        game=records[0].game if records else game.name, rules=game.preset,
        settings=game.settings(), games=len(records), adjust=adjust,
        ranked_by=BY_PAYOFF if by_payoff else "Elo (from ranks)",
        elo_measures=ELO_MEASURES + (", not payoff" if by_payoff else ""),
        rank_ci_from=("mean payoff" if by_payoff else "Elo") + RANK_CI_FROM,
        bootstrap=bootstrap, agents=tuple(rows),
        pairs=tuple(pairwise_tests(records, names, adjust=adjust, ranked_by=game.ranked_by)),
        head_to_head=head_to_head(records, names),
        seats=seat_table(records, game.num_players),
        metrics=tuple(MetricColumn(m.name, m.help) for m in game.metric_specs),
        roles=role_tables(records, names),
        stages=_stage_rows(context.stages, names) if context.stages else None,
        notes=dict(context.notes) if context.notes else None, timing=tuple(timings))


def _agent_rows(records: Sequence["GameRecord"], names: list[str], game: "Game",
                agents: list[AgentSummary], context: SummaryContext,
                bootstrap: int, seed: int) -> list[AgentRow]:
    """Each agent's figures with its ratings, in ``names`` order."""
    by_payoff = game.ranked_by == "payoff"
    elo = bootstrap_elo(records, names, reps=bootstrap, seed=seed) if records else {}
    # The same seed resamples the same deals for the payoff ranks as for the Elo.
    payoff_boot = (bootstrap_payoff(records, names, reps=bootstrap, seed=seed)
                   if records and by_payoff else {})
    separation = elo_separation(pairwise_results(records), names,
                                {n: e["elo"] for n, e in elo.items()})
    skill = openskill_ratings(records, names)
    by_seat = seat_by_agent(records, names, game.num_players)
    specs = {label: spec for r in records for spec, label in zip(r.agents, r.labels)}
    rows = []
    for a in agents:
        e = elo.get(a.name, {})
        point = e.get("elo")
        sep = separation.get(a.name) or {}
        elo_rank_ci = _interval(e.get("rank_ci"))
        payoff_rank_ci = _interval(payoff_boot.get(a.name, {}).get("rank_ci"))
        seat_rates = by_seat.get(a.name)
        rows.append(AgentRow(
            name=a.name, spec=specs.get(a.name, a.spec), games=a.games, wins=a.wins,
            win_rate=a.win_rate, win_ci=a.win_ci, win_ci_normal=a.win_ci_normal,
            payoff=a.payoff, payoff_ci=a.payoff_ci, metrics=dict(a.metrics),
            illegal=a.illegal, errors=a.errors, forfeits=a.forfeits, decisions=a.decisions,
            agent_stats={k: v for k, v in a.agent_stats.items() if not isinstance(v, list)},
            family=context.families.get(a.name),
            settings=context.settings.get(specs[a.name]) if a.name in specs else None,
            # Never compared: no rating.
            elo=None if point is None or math.isnan(point) else point,
            elo_ci=_interval(e.get("ci")), elo_rank_ci=elo_rank_ci,
            elo_separated=bool(sep.get("separated")),
            elo_bound=tuple(sep["bound"]) if sep.get("bound") else None,
            payoff_all_equal=a.games > 1 and a.payoff_ci[0] == a.payoff_ci[1],
            payoff_rank_ci=payoff_rank_ci if by_payoff else None,
            rank_ci=payoff_rank_ci if by_payoff else elo_rank_ci,
            openskill=Skill(**skill[a.name]) if a.name in skill else None,
            win_rate_by_seat=tuple(seat_rates) if seat_rates is not None else None))
    return rows


def _interval(value: Sequence[float] | None) -> Interval | None:
    return None if value is None else (value[0], value[1])


def _stage_rows(stages: Mapping[str, Sequence["GameRecord"]],
                names: list[str]) -> dict[str, tuple[StageRow, ...]]:
    out = {}
    for stage, recs in stages.items():
        played = [n for n in names if any(n in r.labels for r in recs)]
        out[stage] = tuple(StageRow(name=s.name, games=s.games, wins=s.wins,
                                    win_rate=s.win_rate, win_ci=s.win_ci)
                           for s in summarize(recs, order=played)[0])
    return out


class Ranked(Protocol):
    """What a leaderboard is ordered by."""

    @property
    def name(self) -> str: ...
    @property
    def payoff(self) -> float: ...
    @property
    def elo(self) -> float | None: ...
    @property
    def win_rate(self) -> float: ...


def leaderboard_key(ranked_by: str) -> Callable[[Ranked], tuple]:
    """The order of a leaderboard's rows: by mean payoff in games ranked by payoff, else by
    Elo, then win rate; then by name."""
    if ranked_by == "payoff":
        return lambda r: (-_finite(r.payoff), r.name)
    return lambda r: (-_finite(r.elo), -r.win_rate, r.name)


@dataclass(frozen=True)
class _Standing:
    name: str
    payoff: float
    win_rate: float
    elo: float | None


def standings(records: Sequence["GameRecord"], names: Sequence[str],
              ranked_by: str) -> list[str]:
    """``names`` in leaderboard order over ``records`` (what a championship advances by):
    the same key as the summary's leaderboard, with the Elo point estimate (no bootstrap)."""
    agents, _ = summarize(records, order=list(names))
    elo = (bradley_terry(pairwise_results(records), list(names)) if ranked_by != "payoff"
           else {})
    rows = [_Standing(a.name, a.payoff, a.win_rate, elo.get(a.name)) for a in agents]
    rows.sort(key=leaderboard_key(ranked_by))
    return [row.name for row in rows]


def _finite(x: float | None) -> float:
    return float("-inf") if x is None or math.isnan(x) else x


def deterministic_part(summary: "Summary | Mapping[str, Any]") -> dict[str, Any]:
    """The summary's document less its wall-clock timings: equal for equal games, however
    they ran."""
    document = summary.to_json() if isinstance(summary, Summary) else summary
    return {k: v for k, v in document.items() if k != "timing"}
