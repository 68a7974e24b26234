"""Terminal tables fit in 100 columns (core figures first, a game's metrics apart), and the
head-to-head plot's labels stay readable on its dark cells."""

from __future__ import annotations

import io

from rich.console import Console

from arena import make_game, run_match
from arena.report.output import WIDTH, label_color, leaderboard, tournament_leaderboard
from arena.stats.basic import summarize
from arena.stats.summary import build_summary

SPECS = ["aggressive", "expert(call_confidence=0.8,samples=8)", "balanced", "opportunistic"]


def _render(renderable) -> list[str]:
    out = io.StringIO()
    Console(file=out, width=WIDTH, color_system=None).print(renderable)
    return out.getvalue().splitlines()


def _records():
    game = make_game("dhumbal", "paper")  # coins scoring: the most metrics of any game
    labels, stream = run_match(game, SPECS, 40, seed=3)
    return game, labels, list(stream)


def test_leaderboards_fit_in_100_columns_with_figures_unbroken():
    game, labels, records = _records()
    summaries, _ = summarize(records, game.metric_specs, order=labels)
    summary = build_summary(records, labels, game, bootstrap=20)
    for table in (leaderboard(summaries, game.metric_specs),
                  tournament_leaderboard(summary, "title")):
        lines = _render(table)
        assert max(len(line) for line in lines) <= WIDTH, "\n".join(lines)
        for s in summaries:
            # The win rate and its interval are printed whole on one line.
            rate = f"{s.win_rate:.3f} ({s.win_ci[0]:.3f}"[:-5]
            assert any(rate in line and f"{s.win_ci[1]:.3f}"[1:] in line for line in lines)
        # The metrics are in their own table, every metric shown.
        text = "\n".join(lines)
        for m in game.metric_specs:
            assert m.name.replace("_per_", "/").replace("_", " ") in text


def test_head_to_head_labels_contrast_with_their_cells():
    import matplotlib

    cmap = matplotlib.colormaps["RdBu"]

    def luminance(rgb):
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb[:3]]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    colors = set()
    for score in [i / 50 for i in range(51)]:
        cell = luminance(cmap(score))
        text = 1.0 if label_color(score) == "white" else 0.0
        colors.add(label_color(score))
        hi, lo = max(cell, text), min(cell, text)
        # WCAG contrast ratio; 4.5 is the level for normal text.
        assert (hi + 0.05) / (lo + 0.05) >= 4.5, (score, label_color(score), cell)
    assert colors == {"white", "black"}
