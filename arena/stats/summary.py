"""The summary of a set of games: per agent, per pair, per seat, ratings; recomputable at will.

``build_summary`` is a pure function of the records (in schedule order) and a few settings,
so a resumed run, a run on other workers and ``arena report`` all give the same summary;
only its ``timing`` part (wall clock) differs between runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from arena.core.registry import agent_settings
from arena.stats.pairwise import pairwise_tests, seat_by_agent, seat_table
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
from arena.stats.basic import summarize
from arena.stats.roles import role_tables

if TYPE_CHECKING:  # pragma: no cover
    from arena.core.game import Game
    from arena.play.match import GameRecord


#: What the Elo and openskill ratings are fitted to (the summary's ``elo_measures``).
ELO_MEASURES = ("who finished ahead of whom: every pair of seats at a table scored by rank "
                "(win 1, tie 0.5, loss 0)")
RANK_CI_FROM = ", 95% bootstrap over card deals"


def build_summary(records: Sequence["GameRecord"], names: Sequence[str], game: "Game", *,
                  families: Mapping[str, str] | None = None, adjust: str = "holm",
                  bootstrap: int = DEFAULT_BOOTSTRAP, seed: int = 0,
                  stages: Mapping[str, Sequence["GameRecord"]] | None = None,
                  notes: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Everything the reports show, as plain JSON-ready data.

    Per agent, besides the win rate and payoff: ``elo`` (Bradley-Terry on who finished
    ahead of whom, see ``elo_measures``) with ``elo_ci`` and ``elo_rank_ci`` from a bootstrap
    of ``bootstrap`` resamples of card deals; ``elo_separated`` where the data cannot place
    the agent (it never lost, or never won, against the rest: its Elo is set by the virtual
    draws) and ``elo_bound``, a one-sided 95% bound ``[lo, null]`` or ``[null, hi]`` where one
    applies; ``rank_ci``, the rank interval in the leaderboard's own order (mean payoff in
    games ranked by payoff, from the same deal resamples as ``payoff_rank_ci``, else Elo);
    ``payoff_all_equal`` where every game paid the agent the same (a zero-width interval
    that is no certainty); ``openskill``.
    """
    names = list(names)
    agents, timings = summarize(records, game.metric_specs, order=names)
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
        row = a.to_dict()
        row["family"] = (families or {}).get(a.name)
        if a.name in specs:
            row["spec"] = specs[a.name]
            row["settings"] = _settings(specs[a.name])
        e = elo.get(a.name, {})
        row["elo"] = e.get("elo")
        if row["elo"] is not None and math.isnan(row["elo"]):
            row["elo"] = None  # never compared: no rating
        row["elo_ci"] = list(e["ci"]) if "ci" in e else None
        row["elo_rank_ci"] = list(e["rank_ci"]) if "rank_ci" in e else None
        sep = separation.get(a.name) or {}
        row["elo_separated"] = bool(sep.get("separated"))
        row["elo_bound"] = list(sep["bound"]) if sep.get("bound") else None
        row["payoff_all_equal"] = a.games > 1 and a.payoff_ci[0] == a.payoff_ci[1]
        if by_payoff:
            pb = payoff_boot.get(a.name, {})
            row["payoff_rank_ci"] = list(pb["rank_ci"]) if "rank_ci" in pb else None
            row["rank_ci"] = row["payoff_rank_ci"]
        else:
            row["rank_ci"] = row["elo_rank_ci"]
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
        "elo_measures": ELO_MEASURES + (", not payoff" if by_payoff else ""),
        "rank_ci_from": ("mean payoff" if by_payoff else "Elo") + RANK_CI_FROM,
        "bootstrap": bootstrap,
        "agents": rows,
        "pairs": pairs,
        "head_to_head": head_to_head(records, names),
        "seats": seat_table(records, game.num_players).to_dict(),
        "metrics": [{"name": m.name, "help": m.help} for m in game.metric_specs],
    }
    out.update(role_tables(records, names))
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


def _settings(spec: str) -> dict[str, Any] | None:
    """The agent's settings with their defaults (budgets included), or None where the
    spec no longer loads here."""
    try:
        return agent_settings(spec)
    except Exception:  # noqa: BLE001 - a summary of stored games must not fail on a plugin
        return None


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
