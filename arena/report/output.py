"""Tables for the terminal and JSON files for the results of a match."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from arena.stats.pairwise import EXACT_DEALS

if TYPE_CHECKING:  # pragma: no cover
    from arena.core.game import MetricSpec
    from arena.stats.basic import AgentSummary, Timing
    from arena.stats.pairwise import PairTest, SeatTable
    from arena.stats.roles import RoleTables
    from arena.stats.summary import AgentRow, HeadToHead, LlmSpend, Summary


def _num(x: object, digits: int = 3) -> str:
    """A figure to ``digits`` decimals; "-" where there is none (None, NaN)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.{digits}f}"


WIDTH = 100
"""Terminal tables are laid out to fit this many columns: core figures in one table, a
game's metrics in a second one."""


def _table(title: str = "") -> Table:
    return Table(title=title or None, title_justify="left", box=box.SIMPLE_HEAD,
                 show_edge=False, pad_edge=False)


def _name_column(table: Table, header: str = "agent") -> None:
    # Names may be long specs; they fold, the figures never wrap.
    table.add_column(header, justify="left", overflow="fold", min_width=8)


def _figure_columns(table: Table, *headers: str) -> None:
    for h in headers:
        table.add_column(h, justify="right", no_wrap=True)


def _rate(rate: float, ci: Sequence[float]) -> str:
    """``0.295 (.236-.362)``: a rate in [0, 1] with its interval, compactly."""
    def short(x: float) -> str:
        text = f"{x:.3f}"
        return text[1:] if text.startswith("0.") else text
    return f"{rate:.3f} ({short(ci[0])}-{short(ci[1])})"


def _pm(mean: float | None, ci: Sequence[float | None] | None,
        games: int | None = None) -> str:
    """``+1.39 ±5.27``: a mean with the half-width of its (symmetric) t-interval.

    A zero-width interval is no certainty, only no spread seen: it shows as
    ``-1.00 all equal`` (every game paid the same), or ``+1.00 one game``.
    """
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "-"
    if not ci or ci[0] is None or ci[1] is None or math.isnan(ci[0]) or math.isnan(ci[1]):
        return f"{mean:+.2f}"
    if ci[0] == ci[1]:
        return f"{mean:+.2f} one game" if games == 1 else f"{mean:+.2f} all equal"
    return f"{mean:+.2f} ±{(ci[1] - ci[0]) / 2:.2f}"


def _side_tables(names: Sequence[str], headers: Sequence[str],
                 values: Sequence[Sequence[str]], title: str) -> list[Table]:
    """Per-agent figures under ``headers``, split over as many tables as it takes for each
    to fit in ``WIDTH`` columns."""
    name_width = min(max((len(n) for n in names), default=8), 28)
    tables: list[Table] = []
    start = 0
    while start < len(headers):
        width, stop = name_width, start
        while stop < len(headers):
            col = max([len(headers[stop])] + [len(row[stop]) for row in values]) + 3
            if stop > start and width + col > WIDTH:
                break
            width += col
            stop += 1
        table = _table(title if not tables else "")
        _name_column(table)
        _figure_columns(table, *headers[start:stop])
        for name, row in zip(names, values):
            table.add_row(name, *row[start:stop])
        tables.append(table)
        start = stop
    return tables


def _metric_header(name: str) -> str:
    return name.replace("_per_", "/").replace("_", " ")


def leaderboard(summaries: Sequence["AgentSummary"], metric_specs: Sequence["MetricSpec"],
                title: str = "", by_payoff: bool = False) -> Group:
    """Per-agent results, best win rate (or mean payoff) first; the game's metrics in a
    second table."""
    table = _table(title)
    _name_column(table)
    _figure_columns(table, "games", "wins", "win rate (95% CI)", "payoff ±95% CI",
                    "illegal", "errors")

    def key(s: "AgentSummary") -> tuple[float, str]:
        if by_payoff:
            return (-(s.payoff if s.payoff == s.payoff else float("-inf")), s.name)
        return (-s.win_rate, s.name)

    ordered = sorted(summaries, key=key)
    for s in ordered:
        wins = f"{s.wins:g}" if s.wins == int(s.wins) else f"{s.wins:.2f}"
        table.add_row(s.name, str(s.games), wins, _rate(s.win_rate, s.win_ci),
                      _pm(s.payoff, s.payoff_ci, s.games), str(s.illegal), str(s.errors))
    metrics = _side_tables([s.name for s in ordered],
                           [_metric_header(m.name) for m in metric_specs],
                           [[_num(s.metrics.get(m.name)) for m in metric_specs]
                            for s in ordered], "Game metrics")
    return Group(table, *[part for t in metrics for part in (Text(""), t)])


def console(stderr: bool = False) -> Console:
    """A console that lays tables out in ``WIDTH`` columns when output goes to a file or pipe
    (in a terminal, in the terminal's width), and reads no markup in what it prints."""
    # markup=False: names, errors and model text are shown as written ("[red]" is text).
    probe = Console(stderr=stderr, markup=False)
    return probe if probe.is_terminal else Console(stderr=stderr, width=WIDTH, markup=False)


def timing_table(timings: Sequence["Timing"]) -> Table:
    table = _table("Decision time (wall clock, varies between runs)")
    _name_column(table)
    _figure_columns(table, "decisions", "ms per decision", "p95 ms", "slowest ms")
    for t in timings:
        table.add_row(t.name, str(t.decisions), _num(t.ms_per_decision, 4), _num(t.p95_ms, 4),
                      _num(t.max_ms, 2))
    return table


def llm_table(rows: Sequence[tuple[str, Mapping[str, Any]]],
              spend: "LlmSpend | None" = None) -> Table | None:
    """The LLM agents' own figures (``AgentSummary.agent_stats``: ``(name, stats)`` rows),
    or None without any; ``spend``: the run's totals and budget (a tournament's
    ``Summary.llm``), as the caption."""
    rows = [(name, st) for name, st in rows if st.get("decisions")]
    if not rows:
        return None
    table = _table("LLM agents (latency: wall clock, varies between runs)")
    _name_column(table)
    _figure_columns(table, "decisions", "invalid", "fallback", "retries", "tokens in/out",
                    "cost $", "cached", "ms mean/p95")
    for name, st in rows:
        cost = st.get("cost_usd")
        table.add_row(name, str(st["decisions"]), _num(st.get("invalid_rate", math.nan), 3),
                      _num(st.get("fallback_rate", math.nan), 3),
                      str(st.get("retries", 0) + st.get("transport_retries", 0)),
                      f"{st.get('tokens_in', 0)}/{st.get('tokens_out', 0)}",
                      "?" if cost is None else f"{cost:.4f}", str(st.get("cached", 0)),
                      f"{_num(st.get('latency_ms_mean', math.nan), 1)}/"
                      f"{_num(st.get('latency_ms_p95', math.nan), 1)}")
    if spend is not None:
        cost = spend.cost_usd
        parts = [f"{spend.tokens:,} tokens"
                 + (f" of a budget of {spend.max_tokens:,}" if spend.max_tokens else ""),
                 ("cost unknown (a model without a price)" if cost is None else f"${cost:.4f}")
                 + (f" of a budget of ${spend.max_cost:g}" if spend.max_cost else "")]
        if spend.stopped:
            parts.append(f"stopped: {spend.stopped}")
        table.caption = "Total: " + "; ".join(parts) + \
            " (cost estimated from the price table: agents/llm/prices.toml)"
    return table


def _clean(value: Any) -> Any:
    """JSON has no NaN: write null."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def write_json(path: str | os.PathLike, data: Any) -> None:
    """Write ``data`` as JSON atomically: a reader never sees half a file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(_clean(data), fh, indent=2, ensure_ascii=False)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- tournament reports -------------------------------------------------------------------

def _finite(x: Any) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x)


def _elo_cell(a: "AgentRow") -> str:
    """``1604 (1560-1645)``; for an agent the data cannot place, its one-sided bound
    (``< 852 separated``) or ``separated``, never the prior's precise-looking number."""
    if a.elo is None:
        return "-"
    if a.elo_separated:
        lo, hi = a.elo_bound or (None, None)
        if _finite(lo):
            return f"> {lo:.0f} separated"
        if _finite(hi):
            return f"< {hi:.0f} separated"
        return "separated"
    ci = a.elo_ci
    if ci and _finite(ci[0]) and _finite(ci[1]):
        return f"{a.elo:.0f} ({ci[0]:.0f}-{ci[1]:.0f})"
    return f"{a.elo:.0f}"


def _rank_cell(rank_ci: Sequence[Any] | None) -> str:
    if not rank_ci or not _finite(rank_ci[0]) or not _finite(rank_ci[1]):
        return "-"
    lo, hi = rank_ci
    return f"{lo:g}" if lo == hi else f"{lo:g}-{hi:g}"


def tournament_leaderboard(summary: "Summary", title: str = "") -> Group:
    """Agents in leaderboard order: win rate, payoff, Elo with CI and rank interval, errors;
    then family, openskill and the game's metrics in a second table.

    The rank interval is in the leaderboard's order: by mean payoff in games ranked by
    payoff, where the Elo column (fitted to who finished ahead, not to payoff) is headed
    "Elo by wins". A note under the table says what the rank and Elo columns measure, and
    what "separated" means where an agent is.
    """
    metric_names = [m.name for m in summary.metrics]
    by_payoff = summary.by_payoff
    table = _table(title)
    _figure_columns(table, "#")
    _name_column(table)
    _figure_columns(table, "games", "win rate (95% CI)", "payoff ±95% CI",
                    "Elo by wins (95% CI)" if by_payoff else "Elo (95% CI)",
                    "rank", "errors")
    for i, a in enumerate(summary.agents, 1):
        table.add_row(str(i), a.name, str(a.games), _rate(a.win_rate, a.win_ci),
                      _pm(a.payoff, a.payoff_ci, a.games), _elo_cell(a),
                      _rank_cell(a.rank_ci), str(a.errors))
    notes = [("rank: 95% interval of the rank by mean payoff" if by_payoff else
              "rank: 95% interval of the rank by Elo")
             + f" ({summary.bootstrap} bootstrap resamples of card deals)."]
    if by_payoff:
        notes.append("Elo by wins and openskill rate who finished ahead of whom in each "
                     "game, not payoff.")
    if any(a.elo_separated for a in summary.agents):
        notes.append("separated: never lost (or never won) against the rest, so its Elo is "
                     "set by the prior's virtual draws; the bound shown is one-sided 95%.")
    side = _side_tables(
        [a.name for a in summary.agents],
        ["family", "openskill"] + [_metric_header(m) for m in metric_names],
        [[a.family or "", _num(a.openskill.ordinal if a.openskill else None, 2)]
         + [_num(a.metrics.get(m)) for m in metric_names] for a in summary.agents],
        "Family, openskill (mu - 3 sigma" + (", by finishing order" if by_payoff else "")
        + ") and game metrics")
    return Group(table, Text(" ".join(notes)),
                 *[part for t in side for part in (Text(""), t)])


def pairs_table(pairs: Sequence["PairTest"], adjust: str = "holm") -> Table:
    """The verdict on each pair: the paired test over card deals (see ``PairTest``).

    Welch's per-game tests are left to summary.json and pairs.csv: they treat two agents at
    one table as independent samples and every game as independent, so they reject too often.
    """
    payoff = bool(pairs) and pairs[0].score == "payoff"
    what = "payoff" if payoff else "win share"
    tests = {p.paired_test for p in pairs}
    how = " / ".join(name for key, name in (
        ("t", "t-test"), ("permutation", f"exact sign-flip test (x, <= {EXACT_DEALS} deals)"),
        ("sign", "exact sign test (s, where t is undefined)")) if key in tests) or "test"
    table = _table(f"Pairwise: difference in {what} (a - b) per card deal, paired {how} over "
                   f"card deals, {adjust}-adjusted over all {len(pairs)} pairs; * = adjusted "
                   "p < 0.05 (Welch's per-game tests: summary.json)")
    score_cols = ("payoff a", "payoff b") if payoff else ("win a", "win b")
    for col in ("a", "b"):
        table.add_column(col, justify="left", overflow="fold", min_width=8)
    for col in ("deals", "games", *score_cols, "a-b ±95%", "p", "p adj"):
        table.add_column(col, justify="right", no_wrap=True)
    table.add_column("", justify="left", no_wrap=True)
    digits = 2 if payoff else 3
    for p in pairs:
        sa, sb = (p.payoff_a, p.payoff_b) if payoff else (p.win_a, p.win_b)
        p_raw = _p(p.p_paired) + {"sign": " s", "permutation": " x"}.get(p.paired_test, "")
        table.add_row(p.a, p.b, str(p.deals), str(p.games), _num(sa, digits),
                      _num(sb, digits), _diff(p.diff, p.diff_ci, digits), p_raw,
                      _p(p.p_paired_adjusted), "*" if p.significant_paired else "")
    return table


def _diff(mean: float | None, ci: Sequence[float] | None, digits: int) -> str:
    """``+0.125 ±0.061``: a mean difference with the half-width of its interval, if any."""
    if mean is None or (isinstance(mean, float) and not math.isfinite(mean)):
        return "-"
    if not ci or ci[0] is None or ci[1] is None:
        return f"{mean:+.{digits}f}"
    return f"{mean:+.{digits}f} ±{(ci[1] - ci[0]) / 2:.{digits}f}"


def _p(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return "<1e-4" if x < 1e-4 else f"{x:.4f}"


def h2h_table(summary: "Summary") -> Table:
    h2h = summary.head_to_head
    names = [a.name for a in summary.agents]
    table = Table(title="Head to head: score of row against column (by rank, ties 0.5)",
                  title_justify="left")
    table.add_column("")
    for n in names:
        table.add_column(n, justify="right")
    for a in names:
        table.add_row(a, *[_num(h2h[a][b]) if h2h[a][b] is not None else "" for b in names])
    return table


def seats_line(seats: "SeatTable") -> str:
    rates = ", ".join(f"seat {r.seat} {r.win_rate:.3f}" for r in seats.seats)
    p = _p(seats.p) if seats.p is not None else "-"
    return f"Win rate by seat: {rates} (chi-square p = {p})"


def roles_table(tables: "RoleTables") -> Table:
    """Win rates by team, by role, and by agent in each role (team games with roles)."""
    table = _table("Results by team and role (a seat's result is its team's)")
    table.add_column("team / role", overflow="fold")
    table.add_column("agent", overflow="fold")
    _figure_columns(table, "games", "win rate (95% CI)")
    for t in tables.teams:
        table.add_row(f"team {t.team}", "all", str(t.games), _rate(t.win_rate, t.win_ci))
    for r in tables.roles:
        table.add_row(r.role, "all", str(r.games), _rate(r.win_rate, r.win_ci))
    for ar in sorted(tables.agent_roles, key=lambda r: r.role):
        table.add_row(ar.role, ar.agent, str(ar.games), _rate(ar.win_rate, ar.win_ci))
    return table


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    import csv

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows([[("" if v is None else v) for v in row] for row in rows])
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


LLM_COLUMNS = ("decisions", "invalid_rate", "fallback_rate", "retries", "transport_retries",
               "transport_errors", "tokens_in", "tokens_out", "cost_usd", "cached",
               "latency_ms_mean", "latency_ms_p95")


def write_tournament_files(out: Path, summary: "Summary", records: Sequence[Any],
                           stage_of: Any) -> list[Path]:
    """summary.json, summary.csv, pairs.csv, games.csv and the PNG plots in ``out``."""
    out = Path(out)
    write_json(out / "summary.json", summary.to_json())
    _write_agents_csv(out / "summary.csv", summary)
    pair_keys = ([f.name for f in dataclasses.fields(summary.pairs[0])] if summary.pairs
                 else ["a", "b"])
    _write_csv(out / "pairs.csv", pair_keys,
               [[row[k] for k in pair_keys] for row in (p.to_dict() for p in summary.pairs)])
    _write_games_csv(out / "games.csv", records, stage_of)
    return [out / "summary.json", out / "summary.csv", out / "pairs.csv", out / "games.csv",
            *plot_summary(out, summary)]


def _write_agents_csv(path: Path, summary: "Summary") -> None:
    metric_names = [m.name for m in summary.metrics]
    # LLM figures as columns where some agent has them (an empty cell: not an LLM agent).
    llm_cols = LLM_COLUMNS if any(a.agent_stats.get("decisions")
                                  for a in summary.agents) else ()
    rows = []
    for a in summary.agents:
        skill = a.openskill
        rows.append([a.name, a.spec, a.family, a.games, a.wins, a.win_rate,
                     a.win_ci[0], a.win_ci[1], a.payoff, a.payoff_ci[0],
                     a.payoff_ci[1], a.elo, *(a.elo_ci or [None, None]),
                     *(a.rank_ci or [None, None]), skill.mu if skill else None,
                     skill.sigma if skill else None, skill.ordinal if skill else None,
                     a.illegal, a.errors,
                     *[a.metrics.get(m) for m in metric_names],
                     *[a.agent_stats.get(k) for k in llm_cols]])
    _write_csv(path,
               ["name", "spec", "family", "games", "wins", "win_rate", "win_ci_low",
                "win_ci_high", "payoff", "payoff_ci_low", "payoff_ci_high", "elo", "elo_ci_low",
                "elo_ci_high", "rank_low", "rank_high", "openskill_mu", "openskill_sigma",
                "openskill_ordinal", "illegal", "errors", *metric_names,
                *[f"llm_{k}" for k in llm_cols]], rows)


def _write_games_csv(path: Path, records: Sequence[Any], stage_of: Any) -> None:
    game_rows = []
    for rec in records:
        err = {e["seat"]: f"{e['type']}: {e['message']}" for e in rec.errors}
        for seat, label in enumerate(rec.labels):
            game_rows.append([rec.job_id, stage_of(rec.job_id), rec.deal_key, seat, label,
                              rec.agents[seat], rec.ranks[seat], rec.win_shares[seat],
                              rec.returns[seat], rec.decisions[seat], rec.illegal[seat],
                              err.get(seat, ""), rec.roles[seat] if rec.roles else "",
                              rec.teams[seat] if rec.teams else ""])
    _write_csv(path, ["job_id", "stage", "deal", "seat", "agent", "spec", "rank",
                      "win_share", "payoff", "decisions", "illegal", "error", "role", "team"],
               game_rows)


def _luminance(rgb: Sequence[float]) -> float:
    """WCAG relative luminance of an sRGB colour (components in [0, 1])."""
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb[:3]]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def label_color(score: float, cmap: str = "RdBu") -> str:
    """Text colour for a head-to-head cell of colour map ``cmap``: whichever of white and
    black contrasts more with the cell (white on the dark ends of RdBu, black in between)."""
    import matplotlib

    lum = _luminance(matplotlib.colormaps[cmap](score))
    # Contrast with white (1.05 / (L + 0.05)) beats contrast with black ((L + 0.05) / 0.05)
    # below L = 0.179.
    return "white" if 1.05 / (lum + 0.05) > (lum + 0.05) / 0.05 else "black"


def plot_summary(out: Path, summary: "Summary") -> list[Path]:
    """elo.png (Elo with 95% CI bars; an agent with ``elo_separated`` as a hollow red marker
    with its one-sided bound, no bar), head_to_head.png (heatmap), seats.png (win by seat)."""
    import matplotlib

    matplotlib.use("Agg")
    paths = []
    agents = [a for a in summary.agents if a.elo is not None]
    if agents:
        paths.append(_plot_elo(out / "elo.png", agents, summary.by_payoff,
                               f"{summary.game} ({summary.rules}): {summary.games} games"))
    names = [a.name for a in summary.agents]
    if names:
        paths.append(_plot_head_to_head(out / "head_to_head.png", names,
                                        summary.head_to_head))
    if summary.seats.seats:
        paths.append(_plot_seats(out / "seats.png", summary.seats, summary.agents))
    return paths


def _save(fig: Any, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _plot_elo(path: Path, agents: Sequence["AgentRow"], by_payoff: bool, title: str) -> Path:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 0.5 * len(agents) + 1.5))
    ys = list(range(len(agents)))[::-1]
    placed = [(y, a.elo, a.elo_ci) for y, a in zip(ys, agents)
              if not a.elo_separated and a.elo is not None]
    if placed:
        elo = [e for _, e, _ in placed]
        ci = [c if c and all(_finite(x) for x in c) else (e, e) for _, e, c in placed]
        ax.errorbar(elo, [y for y, _, _ in placed],
                    # Clipped: the point fit and the bootstrap fits may differ in the
                    # last digits, which would put the point a hair outside its interval.
                    xerr=[[max(0.0, e - c[0]) for e, c in zip(elo, ci)],
                          [max(0.0, c[1] - e) for e, c in zip(elo, ci)]],
                    fmt="o", capsize=4)
    # An agent the data cannot place: a hollow marker at its prior-set rating, an arrow
    # out to its one-sided bound, no interval.
    for y, a in zip(ys, agents):
        if a.elo_separated and a.elo is not None:
            _mark_separated(ax, y, a.elo, a.elo_bound or (None, None))
    ax.set_yticks(ys, [a.name for a in agents])
    ax.set_ylim(min(ys) - 0.6, max(ys) + 0.6)
    ax.axvline(1500, color="grey", lw=0.8, ls="--")
    ax.set_xlabel(("Bradley-Terry Elo by wins, not payoff" if by_payoff
                   else "Bradley-Terry Elo")
                  + " (95% bootstrap CI over card deals)")
    ax.set_title(title)
    return _save(fig, path)


def _mark_separated(ax: Any, y: float, elo: float,
                    bound: Sequence[float | None]) -> None:
    lo, hi = bound
    ax.plot([elo], [y], marker="o", mfc="none", color="tab:red", ls="none")
    label = "separated: rating set by the prior"
    above = lo is not None and _finite(lo)
    edge = lo if above else hi
    if edge is not None and _finite(edge):
        end = edge + (150.0 if above else -150.0)
        ax.plot([edge, end], [y, y], color="tab:red", lw=1)
        ax.plot([edge], [y], marker="|", ms=10, color="tab:red")
        ax.plot([end], [y], marker=">" if above else "<", color="tab:red")
        label += f" ({'>' if above else '<'} {edge:.0f})"
    ax.text(elo, y + 0.25, label, color="tab:red", fontsize=7, ha="center")


def _plot_head_to_head(path: Path, names: Sequence[str], h2h: "HeadToHead") -> Path:
    import matplotlib.pyplot as plt

    grid = [[math.nan if (score := h2h[a][b]) is None else score for b in names]
            for a in names]
    fig, ax = plt.subplots(figsize=(1.1 * len(names) + 2.5, 0.9 * len(names) + 1.8))
    im = ax.imshow(grid, cmap="RdBu", vmin=0, vmax=1)
    ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
    ax.set_yticks(range(len(names)), names)
    for i in range(len(names)):
        for j in range(len(names)):
            cell = grid[i][j]
            if not math.isnan(cell):
                ax.text(j, i, f"{cell:.2f}", ha="center", va="center", fontsize=8,
                        color=label_color(cell))
    fig.colorbar(im, ax=ax, label="score of row vs column")
    ax.set_title("Head to head")
    return _save(fig, path)


def _plot_seats(path: Path, table: "SeatTable", agents: Sequence["AgentRow"]) -> Path:
    import matplotlib.pyplot as plt

    seats = table.seats
    fig, ax = plt.subplots(figsize=(6, 4))
    xs = [s.seat for s in seats]
    rates = [s.win_rate for s in seats]
    # Never below zero: an interval that ends at its rate has a bar of length 0.
    err = [[max(0.0, r - s.win_ci[0]) for r, s in zip(rates, seats)],
           [max(0.0, s.win_ci[1] - r) for r, s in zip(rates, seats)]]
    ax.bar(xs, rates, yerr=err, capsize=4, color="#7aa6c2", label="all agents")
    for a in agents:
        pts = [(s, r) for s, r in enumerate(a.win_rate_by_seat or ()) if r is not None]
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=".", lw=0.8,
                    label=a.name)
    ax.axhline(1 / len(seats), color="grey", lw=0.8, ls="--")
    ax.set_xticks(xs)
    ax.set_xlabel("seat (0 moves first)")
    ax.set_ylabel("win rate")
    p = table.p
    ax.set_title("Win rate by seat" + (f" (chi-square p = {p:.3g})" if p is not None else ""))
    ax.legend(fontsize=7)
    return _save(fig, path)
