"""Ratings: pairwise comparisons, Bradley-Terry Elo against an independent fit and known
truth, bootstrap intervals, openskill against the library itself, head-to-head (the SPRT
is in test_sprt.py)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from arena.play.match import GameRecord
from arena.stats.ratings import (
    bootstrap_elo,
    bradley_terry,
    head_to_head,
    openskill_ratings,
    pairwise_results,
    rank_above,
)

# Written out here rather than imported, so the tests do not share the module's constant.
LOG_TO_ELO = 400.0 / math.log(10.0)


def rec(labels: list[str], ranks: list[int], job_id: str = "j", seed: int = 0) -> GameRecord:
    """A finished game with the given entrants per seat and ranks (0 = best), dealt from
    ``seed`` (games with one seed share a card deal)."""
    n = len(labels)
    best = min(ranks)
    winners = [s for s in range(n) if ranks[s] == best]
    shares = [1.0 / len(winners) if s in winners else 0.0 for s in range(n)]
    return GameRecord(job_id=job_id, game="g", rules=None, settings={}, seed=seed,
                      agents=list(labels), labels=list(labels), actions=[],
                      returns=[float(-r) for r in ranks], ranks=list(ranks), winners=winners,
                      win_shares=shares, decisions=[0] * n, think_ns=[0] * n,
                      max_think_ns=[0] * n, illegal=[0] * n)


def duel_records(true_elo: dict[str, float], games_per_pair: int, seed: int,
                 draw: float = 0.2) -> list[GameRecord]:
    """Two-player games between every pair, each on a deal of its own; expected score
    follows the Elo formula."""
    rng = np.random.default_rng(seed)
    out = []
    for a, b in itertools.combinations(sorted(true_elo), 2):
        s = 1.0 / (1.0 + 10.0 ** (-(true_elo[a] - true_elo[b]) / 400.0))
        p_win = max(0.0, s - draw / 2)
        p_loss = max(0.0, 1.0 - s - draw / 2)
        p = np.array([p_win, 1.0 - p_win - p_loss, p_loss])
        for g, outcome in enumerate(rng.choice(3, size=games_per_pair, p=p)):
            ranks = [[0, 1], [0, 0], [1, 0]][outcome]
            # Alternate seats so that seat order carries no information.
            if g % 2:
                out.append(rec([b, a], ranks[::-1], f"{a}-{b}/{g}", seed=len(out)))
            else:
                out.append(rec([a, b], ranks, f"{a}-{b}/{g}", seed=len(out)))
    return out


# --------------------------------------------------------------------------- pairwise

def test_pairwise_results_four_seats_tie_and_repeated_label():
    # Seats: A (rank 1), B (rank 0), A again (rank 2), C (rank 1, tied with seat 0).
    game = rec(["A", "B", "A", "C"], [1, 0, 2, 1])
    assert pairwise_results([game]) == [
        ("A", "B", 0.0),  # seats 0-1: A worse
        ("A", "C", 0.5),  # seats 0-3: tie
        ("B", "A", 1.0),  # seats 1-2 (the A-A pair 0-2 gives nothing)
        ("B", "C", 1.0),  # seats 1-3
        ("A", "C", 0.0),  # seats 2-3
    ]


# --------------------------------------------------------------------------- Bradley-Terry

def test_bradley_terry_equals_statsmodels_logit_reference():
    import statsmodels.api as sm

    rng = np.random.default_rng(12345)
    names = ["a", "b", "c", "d", "e"]
    true_log = np.array([0.0, 0.4, -0.3, 0.9, 0.2])
    rows = []
    for _ in range(3000):
        i, j = rng.choice(5, size=2, replace=False)
        p = 1.0 / (1.0 + math.exp(-(true_log[i] - true_log[j])))
        u = rng.random()
        # 20% draws, keeping the expected score at p.
        score = 1.0 if u < p - 0.1 else 0.5 if u < p + 0.1 else 0.0
        rows.append((names[i], names[j], score))

    # Independent fit: binomial GLM (logit link) on +1/-1 indicators, no intercept, the
    # first agent's column dropped (its strength is 0); a draw is y = 0.5.
    X = np.zeros((len(rows), 5))
    y = np.zeros(len(rows))
    for r, (a, b, s) in enumerate(rows):
        X[r, names.index(a)] = 1.0
        X[r, names.index(b)] = -1.0
        y[r] = s
    fit = sm.GLM(y, X[:, 1:], family=sm.families.Binomial()).fit(tol=1e-14)
    ref = np.concatenate(([0.0], fit.params)) * LOG_TO_ELO
    ref += 1500.0 - ref.mean()

    got = bradley_terry(rows, names, prior_draws=0)
    for n, r in zip(names, ref):
        assert got[n] == pytest.approx(r, abs=1e-4)
    assert np.mean(list(got.values())) == pytest.approx(1500.0, abs=1e-9)

    # Anchoring on a name only shifts: that agent is 1500, differences unchanged.
    anchored = bradley_terry(rows, names, prior_draws=0, anchor="c")
    assert anchored["c"] == pytest.approx(1500.0, abs=1e-9)
    for n in names:
        assert anchored[n] - anchored["c"] == pytest.approx(got[n] - got["c"], abs=1e-4)


def test_bradley_terry_recovers_true_elo_from_four_player_tables():
    # Plackett-Luce orders (Gumbel trick) have Bradley-Terry pairwise marginals, so the
    # per-pair comparisons of 4-player tables estimate the true Elo differences.
    true_elo = {"w": 0.0, "x": 100.0, "y": 250.0, "z": 400.0}
    names = list(true_elo)
    theta = np.array([true_elo[n] for n in names]) / LOG_TO_ELO
    rng = np.random.default_rng(7)
    records = []
    for g in range(4000):
        seats = rng.permutation(4)
        perf = theta[seats] + rng.gumbel(size=4)
        ranks = np.argsort(np.argsort(-perf))
        records.append(rec([names[s] for s in seats], [int(r) for r in ranks], f"t/{g}"))
    got = bradley_terry(pairwise_results(records), names)
    for n in names:
        # Standard error of each difference is ~5 Elo here.
        assert got[n] - got["w"] == pytest.approx(true_elo[n], abs=25.0)


def test_bradley_terry_recovers_true_elo_from_duels():
    true_elo = {"p": -150.0, "q": 0.0, "r": 200.0}
    records = duel_records(true_elo, 3000, seed=3)
    got = bradley_terry(pairwise_results(records), list(true_elo))
    assert got["q"] - got["p"] == pytest.approx(150.0, abs=25.0)
    assert got["r"] - got["p"] == pytest.approx(350.0, abs=25.0)


def test_prior_draws_closed_form_and_undefeated_agent_is_finite():
    # A beats B three times. With one virtual draw: score 3.5 of 4, so
    # P(A beats B) = 7/8 and the difference is 400 log10(7).
    rows = [("A", "B", 1.0)] * 3
    got = bradley_terry(rows, ["A", "B"], prior_draws=1.0)
    diff = 400.0 * math.log10(7.0)
    assert got["A"] == pytest.approx(1500.0 + diff / 2, abs=1e-4)
    assert got["B"] == pytest.approx(1500.0 - diff / 2, abs=1e-4)

    # Undefeated A in a larger pool: finite with the prior, runaway without it.
    rows = [("A", "B", 1.0)] * 5 + [("B", "C", 1.0)] * 3 + [("C", "B", 1.0)] * 2
    with_prior = bradley_terry(rows, ["A", "B", "C"], prior_draws=1.0)
    assert all(math.isfinite(v) for v in with_prior.values())
    assert with_prior["A"] > with_prior["B"] > with_prior["C"]
    assert with_prior["A"] - with_prior["B"] < 800.0
    pure = bradley_terry(rows, ["A", "B", "C"], prior_draws=0)
    assert pure["A"] - pure["B"] > 2000.0


def test_bradley_terry_unrated_and_disconnected():
    rows = [("A", "B", 1.0), ("A", "B", 0.0), ("A", "B", 1.0),
            ("C", "D", 0.0), ("C", "D", 0.5), ("X", "A", 1.0)]  # X is not in names
    got = bradley_terry(rows, ["A", "B", "C", "D", "E"], prior_draws=0)
    assert math.isnan(got["E"])
    # Each group centred on 1500 by itself; A-B: 2 of 3 -> 400 log10(2).
    assert got["A"] + got["B"] == pytest.approx(3000.0, abs=1e-6)
    assert got["A"] - got["B"] == pytest.approx(400.0 * math.log10(2.0), abs=1e-4)
    assert got["C"] + got["D"] == pytest.approx(3000.0, abs=1e-6)
    assert got["D"] - got["C"] == pytest.approx(400.0 * math.log10(3.0), abs=1e-4)
    with pytest.raises(ValueError):
        bradley_terry(rows, ["A", "B"], anchor="Z")


# --------------------------------------------------------------------------- bootstrap

def test_bootstrap_deterministic_covers_point_and_ranks_strongest_first():
    true_elo = {"top": 600.0, "mid": 50.0, "low": 0.0}
    records = duel_records(true_elo, 60, seed=11)
    names = ["low", "mid", "top"]
    a = bootstrap_elo(records, names, reps=200, seed=5)
    # Determinism, on fewer replicates to keep the test quick.
    b1 = bootstrap_elo(records, names, reps=40, seed=5)
    b2 = bootstrap_elo(records, names, reps=40, seed=5)
    c = bootstrap_elo(records, names, reps=40, seed=6)
    assert b1 == b2
    assert all(b1[n]["ci"] != c[n]["ci"] for n in names)
    point = bradley_terry(pairwise_results(records), names)
    for n in names:
        assert a[n]["elo"] == pytest.approx(point[n], abs=1e-9)
        lo, hi = a[n]["ci"]
        assert lo < a[n]["elo"] < hi
    assert a["top"]["rank_ci"] == (1, 1)
    assert a["mid"]["rank_ci"][1] == 3  # mid and low are too close to separate
    assert rank_above("top", "mid", a) and rank_above("top", "low", a)
    assert not rank_above("mid", "low", a) and not rank_above("low", "top", a)


# --------------------------------------------------------------------------- openskill

def test_openskill_matches_library_and_moves_the_right_way():
    from openskill.models import PlackettLuce

    games = [rec(["A", "B"], [0, 1]),
             rec(["B", "C", "B", "A"], [0, 1, 3, 2]),  # B holds two seats: best rank 0
             rec(["C", "A"], [0, 0])]
    got = openskill_ratings(games, ["A", "B", "C", "D"])

    model = PlackettLuce()
    prior = model.rating()
    a, b, c = model.rating(), model.rating(), model.rating()
    [[a], [b]] = model.rate([[a], [b]], ranks=[0, 1])
    # After game 1 the winner rose and the loser fell.
    assert a.mu > prior.mu > b.mu
    [[b], [c], [a]] = model.rate([[b], [c], [a]], ranks=[0, 1, 2])
    [[c], [a]] = model.rate([[c], [a]], ranks=[0, 0])
    for name, r in (("A", a), ("B", b), ("C", c), ("D", prior)):
        assert got[name]["mu"] == pytest.approx(r.mu, abs=1e-12)
        assert got[name]["sigma"] == pytest.approx(r.sigma, abs=1e-12)
        assert got[name]["ordinal"] == pytest.approx(r.mu - 3 * r.sigma, abs=1e-12)

    one = openskill_ratings(games[:1], ["A", "B"])
    assert one["A"]["mu"] > prior.mu > one["B"]["mu"]


# --------------------------------------------------------------------------- head to head

def test_head_to_head_symmetric_and_by_rank():
    games = [rec(["A", "B"], [0, 1]), rec(["A", "B"], [0, 0]), rec(["B", "A"], [1, 0]),
             rec(["A", "C", "A"], [1, 0, 2])]
    h2h = head_to_head(games, ["A", "B", "C", "D"])
    assert h2h["A"]["B"] == pytest.approx((1.0 + 0.5 + 1.0) / 3)
    assert h2h["A"]["C"] == 0.0  # both A seats ranked below C
    for a, b in itertools.permutations(["A", "B", "C"], 2):
        if h2h[a][b] is not None:
            assert h2h[a][b] + h2h[b][a] == pytest.approx(1.0)
    assert h2h["B"]["C"] is None and h2h["C"]["B"] is None
    assert all(h2h[n][n] is None for n in h2h)
    assert h2h["D"] == {"A": None, "B": None, "C": None, "D": None}


# --------------------------------------------------------------------------- deal clusters

def test_bootstrap_resamples_card_deals_not_games():
    # Every deal replayed four times with the same result (as four seat rotations of one
    # deal can be): the copies carry no more information than one game, so the intervals
    # must be those of the games played once. Resampling games instead would treat the
    # copies as independent and give intervals about half as wide.
    import dataclasses

    true_elo = {"p": 0.0, "q": 80.0, "r": 200.0}
    once = duel_records(true_elo, 80, seed=4)
    four = [dataclasses.replace(g, job_id=f"{g.job_id}/r{c}") for g in once for c in range(4)]
    names = list(true_elo)
    a = bootstrap_elo(once, names, reps=300, seed=2, prior_draws=0)
    b = bootstrap_elo(four, names, reps=300, seed=2, prior_draws=0)
    for n in names:
        assert b[n]["elo"] == pytest.approx(a[n]["elo"], abs=1e-4)
        assert b[n]["ci"] == pytest.approx(a[n]["ci"], abs=1e-4)
        assert b[n]["rank_ci"] == a[n]["rank_ci"]


def test_deal_clusters_group_games_by_deal_seed():
    from arena.stats.ratings import deal_clusters

    games = [rec(["A", "B"], [0, 1], f"s/t{t}/d{d}/r{r}", seed=100 + d)
             for t in range(2) for d in range(3) for r in range(2)]
    idx, n = deal_clusters(games)
    # Both rotations and both tables of a deal are one cluster.
    assert n == 3 and list(idx) == [0, 0, 1, 1, 2, 2] * 2


def test_bootstrap_defaults_to_at_least_1000_resamples():
    # 200 percentile resamples put the 2.5th and 97.5th percentiles inside the true ones
    # on average, and noisily.
    import inspect

    from arena.stats.summary import build_summary
    from tournaments.spec import parse_tournament

    assert inspect.signature(bootstrap_elo).parameters["reps"].default >= 1000
    assert inspect.signature(build_summary).parameters["bootstrap"].default >= 1000
    t = parse_tournament({"name": "t", "game": "kuhn_poker", "deals": 1,
                          "format": "round_robin",
                          "agents": [{"spec": "random"}, {"spec": "poker_rules"}]})
    assert t.bootstrap >= 1000


def test_batched_replicate_fit_matches_the_point_fit():
    # The bootstrap fits its replicates together (Newton steps on all at once); each must
    # be the fit bradley_terry makes: virtual draws only where a pair met, unrated agents
    # NaN, the mean or the anchor at 1500, split groups fitted apart.
    from arena.stats.ratings import _fit_batch, _fit_matrices

    rng = np.random.default_rng(0)
    k, m = 5, 120
    W, N = np.zeros((m, k, k)), np.zeros((m, k, k))
    for r in range(m):
        for _ in range(rng.integers(3, 60)):
            i, j = rng.choice(k, 2, replace=False)
            if (r % 7 == 0 and 4 in (i, j)) or (r % 11 == 0 and {i, j} & {0, 1}
                                                 and {i, j} & {2, 3, 4}):
                continue  # agent 4 unrated; {0, 1} cut off from the rest
            s = float(rng.random() < (0.9 if i < j else 0.3))
            W[r, i, j] += s
            W[r, j, i] += 1 - s
            N[r, i, j] += 1
            N[r, j, i] += 1
    labels = [str(i) for i in range(k)]
    for prior, anchor in ((1.0, -1), (0.5, 2), (0.0, -1)):
        got = _fit_batch(W, N, prior, anchor)
        ref = np.array([_fit_matrices(W[r], N[r], labels, prior,
                                      None if anchor < 0 else str(anchor)) for r in range(m)])
        assert np.array_equal(np.isnan(got), np.isnan(ref))
        assert np.nanmax(np.abs(got - ref)) < 1e-3


def test_payoff_bootstrap_ranks_by_mean_payoff_over_deals():
    from arena.stats.ratings import bootstrap_payoff

    games = []
    for d in range(60):
        for r, (x, y) in enumerate((("A", "B"), ("B", "A"))):
            # A wins a third of the hands, 5 chips each; B wins the rest, 1 chip each.
            win = "A" if (2 * d + r) % 3 == 0 else "B"
            g = rec([x, y], [0, 1] if x == win else [1, 0], f"t/d{d}/r{r}", seed=d)
            gain = 5.0 if win == "A" else 1.0
            g.returns[:] = [gain if lab == win else -gain for lab in g.labels]
            games.append(g)
    got = bootstrap_payoff(games, ["A", "B", "C"], reps=400, seed=1)
    assert got["A"]["payoff"] > 0 > got["B"]["payoff"]
    assert got["A"]["rank_ci"] == (1, 1) and got["B"]["rank_ci"] == (2, 2)
    assert got["A"]["ci"][0] < got["A"]["payoff"] < got["A"]["ci"][1]
    assert math.isnan(got["C"]["payoff"]) and math.isnan(got["C"]["ci"][0])
    # By rank (who won the hand) B is the stronger: the Elo says the opposite.
    elo = bootstrap_elo(games, ["A", "B"], reps=50, seed=1)
    assert elo["B"]["elo"] > elo["A"]["elo"] and elo["A"]["rank_ci"] == (2, 2)


# --------------------------------------------------------------------------- separation

def _always_last_tables(n_games: int = 40) -> list[GameRecord]:
    """Four-seat tables of A, B, C, D: A, B, C share the top places, D is always last."""
    rng = np.random.default_rng(9)
    out = []
    for g in range(n_games):
        order = ["A", "B", "C"]
        top = [int(x) for x in rng.permutation(3)]
        labels = order + ["D"]
        out.append(rec(labels, top + [3], f"t/d{g}/r0", seed=g))
    return out


def test_agent_that_never_won_is_separated_and_bounded_above():
    from arena.stats.ratings import elo_separation

    records = _always_last_tables()
    names = ["A", "B", "C", "D"]
    results = pairwise_results(records)
    # Its rating is whatever the prior says: the 684 / 780 / 877 pattern.
    by_prior = [bradley_terry(results, names, prior_draws=p)["D"] for p in (0.5, 1.0, 2.0)]
    assert by_prior[1] - by_prior[0] > 50 and by_prior[2] - by_prior[1] > 50
    elo = bradley_terry(results, names)
    sep = elo_separation(results, names, elo)
    assert sep["D"]["separated"] and sep["D"]["side"] == "below"
    lo, hi = sep["D"]["bound"]
    assert lo is None and elo["D"] < hi < min(elo[n] for n in "ABC")
    assert not any(sep[n]["separated"] for n in "ABC")
    assert all(sep[n]["bound"] is None for n in "ABC")


def test_separation_bound_closed_form_and_other_shapes():
    from arena.stats.ratings import elo_separation

    # One opponent rated 1500, ten comparisons all lost: the bound is where losing all ten
    # has probability 5%, P(win) = 1 - 0.05^(1/10).
    p = 1.0 - 0.05 ** (1 / 10)
    rows = [("A", "B", 0.0)] * 10
    sep = elo_separation(rows, ["A", "B"], {"A": 1200.0, "B": 1500.0})
    # Two agents, one side each: neither part is the larger, both are separated.
    assert sep["A"]["separated"] and sep["B"]["separated"]
    assert sep["A"]["bound"][0] is None
    assert sep["A"]["bound"][1] == pytest.approx(1500 + 400 * math.log10(p / (1 - p)), abs=1e-4)
    assert sep["B"]["side"] == "above" and sep["B"]["bound"][1] is None
    assert sep["B"]["bound"][0] == pytest.approx(1200 - 400 * math.log10(p / (1 - p)), abs=1e-4)
    # A draw is a point scored: no separation.
    sep = elo_separation(rows + [("A", "B", 0.5)], ["A", "B"])
    assert not sep["A"]["separated"] and not sep["B"]["separated"]
    # A chain (A beats B, B beats C, never back): nobody can be placed.
    sep = elo_separation([("A", "B", 1.0), ("B", "C", 1.0), ("A", "C", 1.0)], list("ABC"))
    assert [sep[n]["side"] for n in "ABC"] == ["above", None, "below"]
    assert all(sep[n]["separated"] for n in "ABC")
    # An unbeaten agent among agents who all beat each other: only it is separated.
    rows = ([("A", x, 1.0) for x in "BCD"] + [("B", "C", 1.0), ("C", "D", 1.0),
                                             ("D", "B", 1.0)])
    sep = elo_separation(rows, list("ABCDE"))
    assert [sep[n]["separated"] for n in "ABCDE"] == [True, False, False, False, False]
    assert sep["A"]["side"] == "above" and sep["A"]["bound"] is None  # no ratings given


# --------------------------------------------------------------------------- openskill order

def test_openskill_takes_games_in_job_id_order_whatever_the_record_order():
    rng = np.random.default_rng(3)
    names = ["A", "B", "C", "D", "E"]
    games = []
    for t in range(12):
        for d in range(3):
            for r in range(4):
                seats = [names[i] for i in rng.permutation(5)[:4]]
                games.append(rec(seats, [int(x) for x in rng.permutation(4)],
                                 f"round_robin/t{t}/d{d}/r{r}", seed=d))
    base = openskill_ratings(games, names)
    for s in range(3):
        shuffled = [games[i] for i in np.random.default_rng(s).permutation(len(games))]
        assert openskill_ratings(shuffled, names) == base
    # The order is the job ids' with numbers compared as numbers (t2 before t10).
    from arena.stats.ratings import job_order

    assert job_order("round_robin/t2/d9/r0") < job_order("round_robin/t10/d0/r0")
    assert openskill_ratings(sorted(games, key=lambda g: g.job_id), names) == base


def test_one_deal_gives_no_interval():
    # Resampling a single deal reproduces it every time: no spread, and no knowledge of
    # how results vary between deals, so no interval rather than a zero-width one.
    from arena.stats.ratings import bootstrap_payoff

    games = [rec(["A", "B"], [r % 2, 1 - r % 2], f"t/d0/r{r}", seed=5) for r in range(6)]
    elo = bootstrap_elo(games, ["A", "B"], reps=20)
    pay = bootstrap_payoff(games, ["A", "B"], reps=20)
    assert elo["A"]["elo"] == pytest.approx(1500.0)
    for got in (elo, pay):
        assert all(math.isnan(x) for x in got["A"]["ci"] + got["A"]["rank_ci"])
