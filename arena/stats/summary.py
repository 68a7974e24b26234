"""The summary of a set of games: per agent, per pair, per seat, ratings; recomputable at will.

``build_summary`` is a pure function of the records (in schedule order) and a few settings,
so a resumed run, a run on other workers and ``arena report`` all give the same summary;
only its ``timing`` part (wall clock) differs between runs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from arena.stats.pairwise import pairwise_tests, seat_by_agent, seat_table
from arena.stats.ratings import bootstrap_elo, head_to_head, openskill_ratings
from arena.stats.basic import summarize

if TYPE_CHECKING:  # pragma: no cover
    from arena.core.game import Game
    from arena.play.match import GameRecord


def build_summary(records: Sequence["GameRecord"], names: Sequence[str], game: "Game", *,
                  families: Mapping[str, str] | None = None, adjust: str = "holm",
                  bootstrap: int = 200, seed: int = 0,
                  stages: Mapping[str, Sequence["GameRecord"]] | None = None,
                  notes: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Everything the reports show, as plain JSON-ready data."""
    names = list(names)
    agents, timings = summarize(records, game.metric_specs, order=names)
    elo = bootstrap_elo(records, names, reps=bootstrap, seed=seed) if records else {}
    skill = openskill_ratings(records, names)
    by_seat = seat_by_agent(records, names, game.num_players)
    rows = []
    for a in agents:
        row = a.to_dict()
        row["family"] = (families or {}).get(a.name)
        e = elo.get(a.name, {})
        row["elo"] = e.get("elo")
        if row["elo"] is not None and math.isnan(row["elo"]):
            row["elo"] = None  # never compared: no rating
        row["elo_ci"] = list(e["ci"]) if "ci" in e else None
        row["rank_ci"] = list(e["rank_ci"]) if "rank_ci" in e else None
        row["openskill"] = skill.get(a.name)
        row["win_rate_by_seat"] = by_seat.get(a.name)
        rows.append(row)
    if game.ranked_by == "payoff":
        rows.sort(key=lambda r: (-_finite(r["payoff"]), r["name"]))
    else:
        rows.sort(key=lambda r: (-_finite(r["elo"]), -r["win_rate"], r["name"]))
    pairs = [p.to_dict() for p in pairwise_tests(records, names, adjust=adjust)]
    out: dict[str, Any] = {
        "game": records[0].game if records else game.name,
        "rules": game.preset,
        "settings": game.settings(),
        "games": len(records),
        "adjust": adjust,
        "ranked_by": "mean payoff" if game.ranked_by == "payoff" else "Elo (from ranks)",
        "bootstrap": bootstrap,
        "agents": rows,
        "pairs": pairs,
        "head_to_head": head_to_head(records, names),
        "seats": seat_table(records, game.num_players).to_dict(),
        "metrics": [{"name": m.name, "help": m.help} for m in game.metric_specs],
    }
    if stages:
        out["stages"] = {
            stage: [{"name": s.name, "games": s.games, "wins": s.wins, "win_rate": s.win_rate,
                     "win_ci": list(s.win_ci)}
                    for s in summarize(recs, order=[n for n in names if any(
                        n in r.labels for r in recs)])[0]]
            for stage, recs in stages.items()
        }
    if notes:
        out["notes"] = dict(notes)
    out["timing"] = [t.to_dict() for t in timings]
    return out


def _finite(x: float | None) -> float:
    return float("-inf") if x is None or math.isnan(x) else x


def deterministic_part(summary: Mapping[str, Any]) -> dict[str, Any]:
    """The summary less its wall-clock timings: equal for equal games, however they ran."""
    return {k: v for k, v in summary.items() if k != "timing"}
