"""Tables for the terminal and JSON files for the results of a match."""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:  # pragma: no cover
    from .game import MetricSpec
    from .stats import AgentSummary, Timing


def _num(x: float | None, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.{digits}f}"


def leaderboard(summaries: Sequence["AgentSummary"], metric_specs: Sequence["MetricSpec"],
                title: str = "") -> Table:
    """Per-agent results, best win rate first."""
    table = Table(title=title or None, title_justify="left")
    for col, justify in (("agent", "left"), ("games", "right"), ("wins", "right"),
                         ("win rate (95% CI)", "center"), ("payoff (95% CI)", "center")):
        table.add_column(col, justify=justify)
    for m in metric_specs:
        table.add_column(m.name.replace("_per_", "/").replace("_", " "), justify="right")
    table.add_column("illegal/errors", justify="right")
    for s in sorted(summaries, key=lambda s: (-s.win_rate, s.name)):
        wins = f"{s.wins:g}" if s.wins == int(s.wins) else f"{s.wins:.2f}"
        payoff = f"{s.payoff:.2f} ({s.payoff_ci[0]:.2f} to {s.payoff_ci[1]:.2f})"
        row = [s.name, str(s.games), wins,
               f"{s.win_rate:.3f} ({s.win_ci[0]:.3f}-{s.win_ci[1]:.3f})", payoff]
        row += [_num(s.metrics.get(m.name)) for m in metric_specs]
        row.append(f"{s.illegal}/{s.errors}")
        table.add_row(*row)
    return table


def console(stderr: bool = False) -> Console:
    """A console that does not squeeze wide tables when output goes to a file or pipe."""
    probe = Console(stderr=stderr)
    return probe if probe.is_terminal else Console(stderr=stderr, width=200)


def timing_table(timings: Sequence["Timing"]) -> Table:
    table = Table(title="Decision time (wall clock, varies between runs)", title_justify="left")
    for col in ("agent", "decisions", "ms per decision", "slowest ms"):
        table.add_column(col, justify="left" if col == "agent" else "right")
    for t in timings:
        table.add_row(t.name, str(t.decisions), _num(t.ms_per_decision, 4), _num(t.max_ms, 2))
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
