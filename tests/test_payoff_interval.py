"""The payoff interval treats the card deal as the unit: a cluster-robust t-interval that
equals statsmodels' cluster-robust OLS on a constant, and the plain t-interval when every
deal is one game."""

from __future__ import annotations

import random

import numpy as np
import pytest
from scipy import stats

from arena.stats.basic import cluster_mean_interval, summarize
from arena.play.match import GameRecord


def test_cluster_interval_equals_statsmodels_cluster_robust_ols():
    import statsmodels.api as sm

    rng = random.Random(3)
    clusters = []
    for _ in range(12):
        luck = rng.gauss(0, 2)  # the deal's cards move every game of it together
        clusters.append([luck + rng.gauss(0, 1) for _ in range(4)])
    y = np.array([v for c in clusters for v in c])
    groups = np.repeat(np.arange(len(clusters)), 4)
    fit = sm.OLS(y, np.ones_like(y)).fit(cov_type="cluster", cov_kwds={"groups": groups},
                                          use_t=True)
    lo, hi = fit.conf_int()[0]
    mean, mlo, mhi = cluster_mean_interval(clusters)
    assert mean == pytest.approx(fit.params[0])
    assert (mlo, mhi) == pytest.approx((lo, hi), rel=1e-9)
    # Games within a deal are positively correlated here: the per-game interval is too
    # narrow, the clustered one wider.
    naive = stats.t.interval(0.95, len(y) - 1, loc=y.mean(), scale=stats.sem(y))
    assert mhi - mlo > 1.5 * (naive[1] - naive[0])


def test_one_game_per_deal_is_the_ordinary_t_interval():
    values = [1.0, -2.0, 0.5, 3.0, -1.0, 2.5]
    mean, lo, hi = cluster_mean_interval([[v] for v in values])
    ref = stats.t.interval(0.95, len(values) - 1, loc=np.mean(values), scale=stats.sem(values))
    assert (lo, hi) == pytest.approx(ref, rel=1e-12)
    assert mean == pytest.approx(np.mean(values))


def _rec(seed: int, rot: int, returns: list[float]) -> GameRecord:
    labels = ["a", "b"] if rot == 0 else ["b", "a"]
    ret = returns if rot == 0 else returns[::-1]
    winner = 0 if ret[0] > ret[1] else 1
    return GameRecord(
        job_id=f"m/d{seed}/r{rot}", game="g", rules=None, settings={}, seed=seed,
        agents=labels, labels=labels, actions=[], returns=ret, ranks=[0, 1] if winner == 0
        else [1, 0], winners=[winner], win_shares=[1.0, 0.0] if winner == 0 else [0.0, 1.0],
        decisions=[1, 1], think_ns=[0, 0], max_think_ns=[0, 0], illegal=[0, 0])


def test_summary_payoff_interval_clusters_by_card_deal():
    rng = random.Random(1)
    records = []
    for seed in range(10):
        big = rng.choice([-5.0, 5.0])  # a's result in both rotations of a deal agree
        for rot in range(2):
            records.append(_rec(seed, rot, [big + rng.gauss(0, 0.1), -big]))
    agents, _ = summarize(records, order=["a", "b"])
    a = agents[0]
    per_deal = {}
    for rec in records:
        per_deal.setdefault(rec.seed, []).append(rec.returns[rec.labels.index("a")])
    assert (a.payoff, *a.payoff_ci) == pytest.approx(
        cluster_mean_interval(list(per_deal.values())))
    games = [v for vs in per_deal.values() for v in vs]
    naive = stats.t.interval(0.95, len(games) - 1, loc=np.mean(games), scale=stats.sem(games))
    assert a.payoff_ci[1] - a.payoff_ci[0] > naive[1] - naive[0]


def test_one_deal_gives_no_interval_unless_every_game_paid_the_same():
    mean, lo, hi = cluster_mean_interval([[1.0, 0.0, 0.5, 1.0]])
    assert mean == pytest.approx(0.625) and np.isnan(lo) and np.isnan(hi)
    assert cluster_mean_interval([[-1.0, -1.0]]) == (-1.0, -1.0, -1.0)


def test_elo_plot_survives_a_point_a_hair_outside_its_interval(tmp_path):
    import dataclasses

    from arena.report.output import plot_summary
    from arena.stats.pairwise import SeatTable
    from arena.stats.summary import AgentRow, Summary

    agent = AgentRow(
        name="a", spec="a", games=2, wins=1.0, win_rate=0.5, win_ci=(0.0, 1.0),
        win_ci_normal=(0.0, 1.0), payoff=0.0, payoff_ci=(0.0, 0.0), metrics={}, illegal=0,
        errors=0, forfeits=0, decisions=0, agent_stats={}, family=None, settings=None,
        elo=1405.2935952607563, elo_ci=(1405.293595260756,) * 2, elo_rank_ci=None,
        elo_separated=False, elo_bound=None, payoff_all_equal=False, payoff_rank_ci=None,
        rank_ci=None, openskill=None, win_rate_by_seat=(0.5, 0.5))
    other = dataclasses.replace(agent, name="b", elo=1594.7064047392437,
                                elo_ci=(1594.706404739244, 1594.706404739244))
    summary = Summary(
        game="g", rules=None, settings={}, games=2, adjust="holm", ranked_by="Elo",
        elo_measures="", rank_ci_from="", bootstrap=0, agents=(agent, other), pairs=(),
        head_to_head={"a": {"a": None, "b": 0.0}, "b": {"a": 1.0, "b": None}},
        seats=SeatTable(num_seats=2, games=2, seats=(), chi2=None, dof=1, p=None),
        metrics=(), roles=None, stages=None, notes=None, timing=())
    paths = plot_summary(tmp_path, summary)
    assert (tmp_path / "elo.png") in paths
