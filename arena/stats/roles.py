"""Results per role and per team, for games with hidden roles and teams (Avalon, Werewolf).

A seat's result in a team game is its team's (``GameRecord.win_shares``: 1 for every seat of
the winning team, 1/2 each in a draw): one row per role, per team and per (agent, role),
each with its games, wins (draws count half), win rate and 95% Wilson interval. A game
counts once per row however many seats it gave that role or team (three servants share one
result: counting them three times would narrow the interval falsely). With seat rotation
over duplicate deals every agent holds every role of a deal equally often, so the per-agent
rows compare agents under the same role luck, and the per-role rows show how much the role
itself decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from arena.stats.basic import wilson_interval

if TYPE_CHECKING:  # pragma: no cover
    from arena.play.match import GameRecord


@dataclass(frozen=True, kw_only=True)
class GroupResult:
    """One row of a table of results (a role, a team, an agent in a role or a team, an
    agent in a stage): its games, wins, win rate and the rate's interval. In the role and
    team tables a game counts once per row however many of its seats the row held, and its
    win is the mean win share of those seats (draws count half)."""

    games: int
    wins: float
    win_rate: float
    win_ci: tuple[float, float]
    """Wilson 95% interval of the win rate."""

    def result_json(self) -> dict[str, Any]:
        """The row's result fields as JSON (after the fields that name the row)."""
        return {"games": self.games, "wins": self.wins, "win_rate": self.win_rate,
                "win_ci": list(self.win_ci)}


@dataclass(frozen=True, kw_only=True)
class RoleRow(GroupResult):
    role: str

    def to_json(self) -> dict[str, Any]:
        return {"role": self.role, **self.result_json()}


@dataclass(frozen=True, kw_only=True)
class TeamRow(GroupResult):
    team: str

    def to_json(self) -> dict[str, Any]:
        return {"team": self.team, **self.result_json()}


@dataclass(frozen=True, kw_only=True)
class AgentRoleRow(GroupResult):
    agent: str
    role: str

    def to_json(self) -> dict[str, Any]:
        return {"agent": self.agent, "role": self.role, **self.result_json()}


@dataclass(frozen=True, kw_only=True)
class AgentTeamRow(GroupResult):
    agent: str
    team: str

    def to_json(self) -> dict[str, Any]:
        return {"agent": self.agent, "team": self.team, **self.result_json()}


@dataclass(frozen=True)
class RoleTables:
    """Results per role, per team and per agent in each role and team."""

    roles: tuple[RoleRow, ...]
    teams: tuple[TeamRow, ...]
    agent_roles: tuple[AgentRoleRow, ...]
    agent_teams: tuple[AgentTeamRow, ...]

    def to_json(self) -> dict[str, list[dict[str, Any]]]:
        """``{"roles": [...], "teams": [...], "agent_roles": [...], "agent_teams": [...]}``."""
        return {"roles": [r.to_json() for r in self.roles],
                "teams": [r.to_json() for r in self.teams],
                "agent_roles": [r.to_json() for r in self.agent_roles],
                "agent_teams": [r.to_json() for r in self.agent_teams]}


def _result(games: int, wins: float) -> dict[str, Any]:
    lo, hi = wilson_interval(wins, games) if games else (0.0, 1.0)
    return {"games": games, "wins": wins, "win_rate": wins / games if games else 0.0,
            "win_ci": (lo, hi)}


def _count(records: Iterable["GameRecord"]) -> dict[tuple, list[float]]:
    """``(kind, *key) -> [games, wins]`` in order of first appearance."""
    count: dict[tuple, list[float]] = {}
    for rec in records:
        # One observation per game and key: seats of one team (or role) in a game share its
        # result, so counting them as separate games would narrow the interval falsely.
        shares: dict[tuple, list[float]] = {}
        for s, share in enumerate(rec.win_shares):
            label = rec.labels[s]
            if rec.roles is not None:
                shares.setdefault(("roles", rec.roles[s]), []).append(share)
                shares.setdefault(("agent_roles", label, rec.roles[s]), []).append(share)
            if rec.teams is not None:
                shares.setdefault(("teams", rec.teams[s]), []).append(share)
                shares.setdefault(("agent_teams", label, rec.teams[s]), []).append(share)
        for key, got in shares.items():
            c = count.setdefault(key, [0, 0.0])
            c[0] += 1
            c[1] += sum(got) / len(got)
    return count


def role_tables(records: Iterable["GameRecord"],
                names: Sequence[str] | None = None) -> RoleTables | None:
    """The role and team tables over the records that carry roles or teams; None where
    none does. Rows are in order of first appearance; ``names`` orders the agents (labels)
    where given. A game counts once per row, with the mean share of the row's seats in it."""
    records = list(records)
    if not any(r.roles is not None or r.teams is not None for r in records):
        return None
    rows: dict[str, list[Any]] = {"roles": [], "teams": [], "agent_roles": [],
                                  "agent_teams": []}
    for (kind, *key), (games, wins) in _count(records).items():
        result = _result(int(games), wins)
        if kind == "roles":
            rows[kind].append(RoleRow(role=key[0], **result))
        elif kind == "teams":
            rows[kind].append(TeamRow(team=key[0], **result))
        elif kind == "agent_roles":
            rows[kind].append(AgentRoleRow(agent=key[0], role=key[1], **result))
        else:
            rows[kind].append(AgentTeamRow(agent=key[0], team=key[1], **result))
    if names is not None:
        order = {n: i for i, n in enumerate(names)}
        for kind in ("agent_roles", "agent_teams"):
            rows[kind].sort(key=lambda r: order.get(r.agent, len(order)))
    return RoleTables(roles=tuple(rows["roles"]), teams=tuple(rows["teams"]),
                      agent_roles=tuple(rows["agent_roles"]),
                      agent_teams=tuple(rows["agent_teams"]))
