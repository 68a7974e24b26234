"""Results per role and per team, for games with hidden roles and teams (Avalon, Werewolf).

A seat's result in a team game is its team's (``GameRecord.win_shares``: 1 for every seat of
the winning team, 1/2 each in a draw), so these tables count seats: one row per role, per
team and per (agent, role), each with its games, wins (draws count half), win rate and 95%
Wilson interval. With seat rotation over duplicate deals every agent holds every role of a
deal equally often, so the per-agent rows compare agents under the same role luck, and the
per-role rows show how much the role itself decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from arena.stats.basic import wilson_interval

if TYPE_CHECKING:  # pragma: no cover
    from arena.play.match import GameRecord


def _row(key: dict[str, Any], games: int, wins: float) -> dict[str, Any]:
    lo, hi = wilson_interval(wins, games) if games else (0.0, 1.0)
    return {**key, "games": games, "wins": wins,
            "win_rate": wins / games if games else 0.0, "win_ci": [lo, hi]}


def role_tables(records: Iterable["GameRecord"],
                names: Sequence[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """``{"roles": [...], "teams": [...], "agent_roles": [...], "agent_teams": [...]}`` over
    the records that carry roles or teams (empty lists where none do). Rows are in order of
    first appearance; ``names`` orders the agents (labels) where given. A label holding
    several seats of one game counts once per seat."""
    count: dict[tuple, list[float]] = {}

    def add(kind: str, key: tuple, share: float) -> None:
        c = count.setdefault((kind, *key), [0, 0.0])
        c[0] += 1
        c[1] += share

    for rec in records:
        for s, share in enumerate(rec.win_shares):
            label = rec.labels[s]
            if rec.roles is not None:
                add("roles", (rec.roles[s],), share)
                add("agent_roles", (label, rec.roles[s]), share)
            if rec.teams is not None:
                add("teams", (rec.teams[s],), share)
                add("agent_teams", (label, rec.teams[s]), share)
    fields = {"roles": ("role",), "teams": ("team",), "agent_roles": ("agent", "role"),
              "agent_teams": ("agent", "team")}
    out: dict[str, list[dict[str, Any]]] = {kind: [] for kind in fields}
    for (kind, *key), (games, wins) in count.items():
        out[kind].append(_row(dict(zip(fields[kind], key)), int(games), wins))
    if names is not None:
        order = {n: i for i, n in enumerate(names)}
        for kind in ("agent_roles", "agent_teams"):
            out[kind].sort(key=lambda r: order.get(r["agent"], len(order)))
    return out
