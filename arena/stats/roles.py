"""Results per role and per team, for games with hidden roles and teams (Avalon, Werewolf).

A seat's result in a team game is its team's (``GameRecord.win_shares``: 1 for every seat of
the winning team, 1/2 each in a draw): one row per role, per team and per (agent, role),
each with its games, wins (draws count half), win rate and 95% Wilson interval. A game
counts once per row however many seats it gave that role or team (three servants share one
result: counting them three times would narrow the interval falsely). With seat rotation over duplicate deals every agent holds every role of a
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
    the records that carry roles or teams; ``{}`` where none does. Rows are in order of
    first appearance; ``names`` orders the agents (labels) where given. A game counts once
    per row, with the mean share of the row's seats in it."""
    records = list(records)
    if not any(r.roles is not None or r.teams is not None for r in records):
        return {}
    count: dict[tuple, list[float]] = {}

    def add(kind: str, key: tuple, share: float) -> None:
        c = count.setdefault((kind, *key), [0, 0.0])
        c[0] += 1
        c[1] += share

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
        for (kind, *key), got in shares.items():
            add(kind, tuple(key), sum(got) / len(got))
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
