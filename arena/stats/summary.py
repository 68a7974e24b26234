"""The summary of a set of games: per agent, per pair, per seat, ratings; recomputable at will.

``build_summary`` is a pure function of the records (in schedule order) and a few settings,
so a resumed run, a run on other workers and ``arena report`` all give the same summary;
only its ``timing`` part (wall clock) differs between runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from arena.stats.pairwise import pairwise_tests, seat_by_agent, seat_table
from arena.stats.ratings import (
    bootstrap_elo,
    bradley_terry,
    head_to_head,
    openskill_ratings,
    pairwise_results,
)
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
    rows.sort(key=leaderboard_key(game.ranked_by))
    pairs = [p.to_dict() for p in pairwise_tests(records, names, adjust=adjust,
                                                 ranked_by=game.ranked_by)]
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


def leaderboard_key(ranked_by: str) -> Callable[[Mapping[str, Any]], tuple]:
    """The order of a leaderboard's rows (``name``, ``payoff``, ``elo``, ``win_rate``): by mean
    payoff in games ranked by payoff, else by Elo, then win rate; then by name."""
    if ranked_by == "payoff":
        return lambda r: (-_finite(r["payoff"]), r["name"])
    return lambda r: (-_finite(r["elo"]), -r["win_rate"], r["name"])


def standings(records: Sequence["GameRecord"], names: Sequence[str],
              ranked_by: str) -> list[str]:
    """``names`` in leaderboard order over ``records`` (what a championship advances by):
    the same key as the summary's leaderboard, with the Elo point estimate (no bootstrap)."""
    agents, _ = summarize(records, order=list(names))
    rows = [{"name": a.name, "payoff": a.payoff, "win_rate": a.win_rate, "elo": None}
            for a in agents]
    if ranked_by != "payoff":
        elo = bradley_terry(pairwise_results(records), list(names))
        for row in rows:
            row["elo"] = elo.get(row["name"])
    rows.sort(key=leaderboard_key(ranked_by))
    return [row["name"] for row in rows]


def _finite(x: float | None) -> float:
    return float("-inf") if x is None or math.isnan(x) else x


def deterministic_part(summary: Mapping[str, Any]) -> dict[str, Any]:
    """The summary less its wall-clock timings: equal for equal games, however they ran."""
    return {k: v for k, v in summary.items() if k != "timing"}
