"""A sweep (one seat or one agent winning every game) is a result like any other: its
intervals hold their own rates and every table and plot is written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from arena.stats.basic import wilson_interval

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("n", [1, 3, 8, 50, 1000])
def test_a_wilson_interval_holds_its_rate_at_both_ends(n):
    lo, hi = wilson_interval(n, n)
    assert hi == 1.0 and 0.0 < lo < 1.0
    lo, hi = wilson_interval(0, n)
    assert lo == 0.0 and 0.0 < hi < 1.0
    # Inside, the library's interval is kept as it is.
    from statsmodels.stats.proportion import proportion_confint

    if n > 1:
        assert wilson_interval(1, n) == pytest.approx(
            proportion_confint(1, n, alpha=0.05, method="wilson"), abs=0)


def test_a_one_deal_sweep_writes_every_table_and_plot(tmp_path):
    spec = (ROOT / "tournaments/examples/kuhn.toml").read_text()
    lines = [("deals = 1" if line.startswith("deals") else line)
             for line in spec.splitlines()]
    path = tmp_path / "sweep.toml"
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    res = subprocess.run([sys.executable, "-m", "arena.cli", "tournament", str(path),
                          "--out", str(out), "--no-progress"],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    for name in ("summary.json", "summary.csv", "pairs.csv", "games.csv", "elo.png",
                 "head_to_head.png", "seats.png", "report/index.html"):
        assert (out / name).is_file(), name
    assert "Win rate by seat" in res.stdout
    import json

    seats = json.loads((out / "summary.json").read_text())["seats"]
    swept = [s for s in seats["seats"] if s["win_rate"] in (0.0, 1.0)]
    assert swept, "one deal of Kuhn poker should be a sweep for some seat"
    for s in seats["seats"]:
        assert s["win_ci"][0] <= s["win_rate"] <= s["win_ci"][1]
