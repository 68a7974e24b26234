"""Per-agent statistics of a set of game records: win rate with CIs, payoff, game metrics.

Intervals come from statsmodels (Wilson, and the normal interval the seed study used) and
scipy (Student t for mean payoffs, Pearson r); this module only gathers the counts.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from arena.core.game import MetricSpec
    from arena.play.match import GameRecord


def wilson_interval(wins: float, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for a win rate (ties counted as fractions of a win)."""
    from statsmodels.stats.proportion import proportion_confint

    if n == 0:
        return (0.0, 1.0)
    lo, hi = proportion_confint(wins, n, alpha=alpha, method="wilson")
    # At a sweep the formula's bound misses the rate by rounding (1 - 1e-16 for n of n
    # wins): the interval must hold its own rate, or error bars come out negative.
    rate = wins / n
    return (max(0.0, min(float(lo), rate)), min(1.0, max(float(hi), rate)))


def normal_interval(wins: float, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """The normal (Wald) interval, as the seed study reported; clipped to [0, 1]."""
    from statsmodels.stats.proportion import proportion_confint

    if n == 0:
        return (0.0, 1.0)
    lo, hi = proportion_confint(wins, n, alpha=alpha, method="normal")
    return (max(0.0, float(lo)), min(1.0, float(hi)))


def mean_interval(values: Sequence[float], alpha: float = 0.05) -> tuple[float, float, float]:
    """(mean, low, high) with a Student-t interval; a single value, or values all equal,
    give (v, v, v): a zero-width interval that says nothing was seen to vary."""
    from scipy import stats

    n = len(values)
    if n == 0:
        return (math.nan, math.nan, math.nan)
    mean = math.fsum(values) / n
    if min(values) == max(values):
        # One game, or every game paid the same: no spread to estimate, not certainty.
        return (float(values[0]),) * 3
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    if sd == 0.0:
        return (mean, mean, mean)
    half = float(stats.t.ppf(1 - alpha / 2, n - 1)) * sd / math.sqrt(n)
    return (mean, mean - half, mean + half)


def cluster_mean_interval(clusters: Sequence[Sequence[float]],
                          alpha: float = 0.05) -> tuple[float, float, float]:
    """(mean, low, high) of all values, with a cluster-robust Student-t interval.

    The games of one card deal (its seat rotations, the other tables replaying it) are not
    independent, so the deal is the unit: the variance is the cluster-robust (CR1) one,
    ``G/(G-1) * sum_g (sum_i (y_gi - mean))^2 / N^2`` with ``G - 1`` degrees of freedom,
    what ``statsmodels`` OLS on a constant with ``cov_type="cluster"`` gives. With one
    value per cluster it is the ordinary t-interval. All values equal give a zero-width
    interval (nothing seen to vary, not certainty); values that vary within a single
    cluster give no interval (nan).
    """
    from scipy import stats

    values = [v for c in clusters for v in c]
    n, g = len(values), sum(1 for c in clusters if c)
    if n == 0:
        return (math.nan, math.nan, math.nan)
    mean = math.fsum(values) / n
    if min(values) == max(values):
        return (mean, mean, mean)
    if g < 2:
        return (mean, math.nan, math.nan)  # values vary, but one deal: no interval
    ss = math.fsum(math.fsum(v - mean for v in c) ** 2 for c in clusters if c)
    se = math.sqrt(g / (g - 1) * ss) / n
    if se == 0.0:
        return (mean, mean, mean)
    half = float(stats.t.ppf(1 - alpha / 2, g - 1)) * se
    return (mean, mean - half, mean + half)


def aggregate_metric(spec: "MetricSpec", per_game: Iterable[dict[str, Any]]) -> float | None:
    """One metric over many games' per-seat values (None where it is undefined)."""
    if spec.kind == "ratio":
        num = den = 0.0
        for values in per_game:
            num += values.get(spec.num, 0)
            den += values.get(spec.den, 0)
        return num / den if den else None
    if spec.kind == "pearson":
        xs: list[float] = []
        ys: list[float] = []
        for values in per_game:
            xs.extend(values.get(spec.num, ()))
            ys.extend(values.get(spec.den, ()))
        if len(xs) < 3 or len(set(xs)) < 2 or len(set(ys)) < 2:
            return None
        from scipy import stats

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return float(stats.pearsonr(xs, ys).statistic)
    if spec.kind == "mean":
        means = [v[spec.num] * spec.scale for v in per_game if spec.num in v]
        return mean_interval(means)[0] if means else None
    raise ValueError(f"unknown metric kind {spec.kind!r}")


def metric_interval(spec: "MetricSpec",
                    per_game: Iterable[dict[str, Any]]) -> tuple[float, float] | None:
    """The 95% t-interval of a ``mean`` metric (None for other kinds or too few games)."""
    if spec.kind != "mean":
        return None
    values = [v[spec.num] * spec.scale for v in per_game if spec.num in v]
    if len(values) < 2:
        return None
    _, lo, hi = mean_interval(values)
    return (lo, hi)


@dataclass
class AgentSummary:
    """One entrant's results over a set of games."""

    name: str
    spec: str
    games: int = 0
    wins: float = 0.0
    win_rate: float = 0.0
    win_ci: tuple[float, float] = (0.0, 1.0)
    win_ci_normal: tuple[float, float] = (0.0, 1.0)
    payoff: float = math.nan
    payoff_ci: tuple[float, float] = (math.nan, math.nan)
    metrics: dict[str, float | list[float] | None] = field(default_factory=dict)
    """The game's metrics by name (None where undefined), and for a ``mean`` metric its
    95% interval as ``<name>_ci``."""
    illegal: int = 0
    errors: int = 0
    forfeits: int = 0
    decisions: int = 0
    agent_stats: dict[str, Any] = field(default_factory=dict)
    """The agent's own figures (``Agent.game_stats``) over its games, e.g. an LLM's: numbers
    summed, lists joined, and for LLM agents the derived rates (``invalid_rate`` per answer
    read, ``fallback_rate`` per decision, ``latency_ms_mean``/``latency_ms_p95`` per request,
    ``tokens_per_decision``); empty for agents that report none."""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["agent_stats"] = {k: v for k, v in self.agent_stats.items()
                               if not isinstance(v, list)}
        data["win_ci"] = list(self.win_ci)
        data["win_ci_normal"] = list(self.win_ci_normal)
        data["payoff_ci"] = list(self.payoff_ci)
        return data


@dataclass(frozen=True)
class Timing:
    """Decision times of one entrant (wall clock: differs from run to run)."""

    name: str
    decisions: int
    ms_per_decision: float
    p95_ms: float
    """95th percentile, as the upper edge of its histogram bin (at most 25% high)."""
    max_ms: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _percentile_ms(hist: dict[int, int], q: float) -> float:
    from arena.play.match import time_bin_upper_ns

    total = sum(hist.values())
    if not total:
        return math.nan
    seen = 0
    for key in sorted(hist):
        seen += hist[key]
        if seen >= q * total:
            return time_bin_upper_ns(key) / 1e6
    return math.nan  # pragma: no cover


def _add_stats(total: dict[str, Any], stats: dict[str, Any]) -> None:
    for key, value in stats.items():
        if isinstance(value, list):
            total.setdefault(key, []).extend(value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            total[key] = total.get(key, 0) + value


def _derive_stats(total: dict[str, Any]) -> None:
    """Rates of an LLM agent's figures (when it reports decisions)."""
    decisions = total.get("decisions") or 0
    if not decisions:
        return
    if "invalid" in total:  # per answer read (a decision may take several)
        total["invalid_rate"] = total["invalid"] / (total.get("answers") or decisions)
    if "fallbacks" in total:
        total["fallback_rate"] = total["fallbacks"] / decisions
    if "tokens_in" in total:
        total["tokens_per_decision"] = (total["tokens_in"] + total.get("tokens_out", 0)) \
            / decisions
    lat = total.get("latency_ms")
    if lat:
        total["latency_ms_mean"] = float(np.mean(lat))
        total["latency_ms_p95"] = float(np.percentile(lat, 95))


def summarize(records: Sequence["GameRecord"], metric_specs: Sequence["MetricSpec"] = (),
              order: Sequence[str] | None = None) -> tuple[list[AgentSummary], list[Timing]]:
    """Per-entrant summaries (in ``order``, default first appearance) and timings."""
    payoffs: dict[str, dict[int, list[float]]] = {}
    per_game: dict[str, list[dict[str, Any]]] = {}
    out: dict[str, AgentSummary] = {}
    think: dict[str, list[int]] = {}
    hists: dict[str, dict[int, int]] = {}
    for rec in records:
        for seat, label in enumerate(rec.labels):
            s = out.get(label)
            if s is None:
                s = out[label] = AgentSummary(label, rec.agents[seat])
                payoffs[label], per_game[label], think[label] = {}, [], [0, 0, 0]
            s.games += 1
            s.wins += rec.win_shares[seat]
            s.illegal += rec.illegal[seat]
            s.decisions += rec.decisions[seat]
            s.errors += sum(1 for e in rec.errors if e["seat"] == seat)
            s.forfeits += rec.forfeit == seat
            # Forfeits count like any game: the record holds the forfeit rule's payoffs.
            payoffs[label].setdefault(rec.seed, []).append(rec.returns[seat])
            per_game[label].append({k: v[seat] for k, v in rec.metrics.items()})
            t = think[label]
            t[0] += rec.decisions[seat]
            t[1] += rec.think_ns[seat]
            t[2] = max(t[2], rec.max_think_ns[seat])
            seat_stats = rec.agent_stats[seat] if rec.agent_stats else None
            if seat_stats:
                _add_stats(s.agent_stats, seat_stats)
            if rec.think_hist:
                h = hists.setdefault(label, {})
                for key, count in rec.think_hist[seat].items():
                    h[int(key)] = h.get(int(key), 0) + count
    names = list(order) if order is not None else list(out)
    summaries, timings = [], []
    for name in names:
        s = out.get(name) or AgentSummary(name, name)
        if s.games:
            s.win_rate = s.wins / s.games
            s.win_ci = wilson_interval(s.wins, s.games)
            s.win_ci_normal = normal_interval(s.wins, s.games)
            # The card deal (the record's deal seed) is the unit of the payoff interval.
            mean, lo, hi = cluster_mean_interval(list(payoffs[name].values()))
            s.payoff, s.payoff_ci = mean, (lo, hi)
            s.metrics = {m.name: aggregate_metric(m, per_game[name]) for m in metric_specs}
            for m in metric_specs:
                ci = metric_interval(m, per_game[name])
                if ci is not None:
                    s.metrics[f"{m.name}_ci"] = list(ci)
        if s.agent_stats:
            _derive_stats(s.agent_stats)
        summaries.append(s)
        d, ns, mx = think.get(name, (0, 0, 0))
        timings.append(Timing(name, d, (ns / d / 1e6) if d else math.nan,
                              _percentile_ms(hists.get(name, {}), 0.95), mx / 1e6))
    return summaries, timings
