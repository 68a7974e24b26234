"""Pairwise tests between agents and seat statistics, checked against scipy/statsmodels."""

from __future__ import annotations

import io
import math
import zlib

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

from arena.play.match import GameRecord
from arena.stats.pairwise import (
    PairTest,
    cohens_d,
    paired_deal_test,
    pairwise_tests,
    seat_by_agent,
    seat_table,
    welch,
)
from arena.stats.basic import wilson_interval

TOL = 1e-9


def record(labels: list[str], shares: list[float], returns: list[float] | None = None,
           deal: int = 0, rot: int = 0, prefix: str = "t", seed: int | None = None) -> GameRecord:
    """A finished game with the given per-seat win shares (and payoffs, default the shares).

    Its job id is ``{prefix}/d{deal}/r{rot}``; its deal seed (the card deal) is ``seed``,
    by default one per ``prefix`` and ``deal`` (as if every prefix were its own stage).
    """
    n = len(labels)
    if seed is None:
        seed = zlib.crc32(f"{prefix}/d{deal}".encode())
    returns = list(shares) if returns is None else returns
    top = max(shares)
    winners = [s for s in range(n) if shares[s] > 0]
    return GameRecord(
        job_id=f"{prefix}/d{deal}/r{rot}", game="g", rules=None, settings={}, seed=seed,
        agents=list(labels), labels=list(labels), actions=[], returns=list(returns),
        ranks=[1 if shares[s] == top and top > 0 else 2 for s in range(n)], winners=winners,
        win_shares=list(shares), decisions=[0] * n, think_ns=[0] * n, max_think_ns=[0] * n,
        illegal=[0] * n)


def one_winner(n: int, seat: int) -> list[float]:
    return [1.0 if s == seat else 0.0 for s in range(n)]


def by_pair(tests: list[PairTest]) -> dict[tuple[str, str], PairTest]:
    return {(t.a, t.b): t for t in tests}


# ---------------------------------------------------------------- Welch and Cohen's d

def test_welch_and_cohens_d_match_scipy_and_the_formula():
    # Per-game values of A and B in the 8 games they share (C and D sit in the other seats).
    win_a = [1, 0, 0, 0.5, 1, 0, 0, 1]
    win_b = [0, 0, 1, 0.5, 0, 0, 1 / 3, 0]
    pay_a = [5.0, -1.0, -2.5, 2.0, 7.0, -3.0, -1.0, 4.0]
    pay_b = [-2.0, 0.5, 6.0, 2.0, -1.5, -4.0, 1.0, -3.0]
    records = []
    for g in range(8):
        rest = 1.0 - win_a[g] - win_b[g]
        labels = ["C", "A", "B"] if g % 2 else ["A", "B", "C"]
        vals = {"A": (win_a[g], pay_a[g]), "B": (win_b[g], pay_b[g]),
                "C": (rest, -pay_a[g] - pay_b[g])}
        records.append(record(labels, [vals[x][0] for x in labels], [vals[x][1] for x in labels],
                              deal=g))
    # A game without B, and one without A: they must not enter the A-B comparison.
    records.append(record(["A", "C", "D"], [1, 0, 0], deal=100))
    records.append(record(["B", "C", "D"], [0, 0, 1], deal=101))

    tests = by_pair(pairwise_tests(records, ["A", "B", "C", "D"]))
    ab = tests["A", "B"]
    ref = sps.ttest_ind(win_a, win_b, equal_var=False)
    assert ab.games == 8
    assert ab.t == pytest.approx(float(ref.statistic), abs=TOL)
    assert ab.p == pytest.approx(float(ref.pvalue), abs=TOL)
    ref_pay = sps.ttest_ind(pay_a, pay_b, equal_var=False)
    assert ab.t_payoff == pytest.approx(float(ref_pay.statistic), abs=TOL)
    assert ab.p_payoff == pytest.approx(float(ref_pay.pvalue), abs=TOL)
    assert ab.win_a == pytest.approx(sum(win_a) / 8, abs=TOL)
    assert ab.win_b == pytest.approx(sum(win_b) / 8, abs=TOL)
    assert ab.payoff_a == pytest.approx(sum(pay_a) / 8, abs=TOL)

    n1 = n2 = 8
    m1, m2 = sum(win_a) / n1, sum(win_b) / n2
    s1 = sum((x - m1) ** 2 for x in win_a) / (n1 - 1)
    s2 = sum((x - m2) ** 2 for x in win_b) / (n2 - 1)
    d = (m1 - m2) / math.sqrt(((n1 - 1) * s1 + (n2 - 1) * s2) / (n1 + n2 - 2))
    assert ab.cohens_d == pytest.approx(d, abs=TOL)
    assert cohens_d([1, 2, 3], [2, 2]) == pytest.approx(
        (2 - 2) / math.sqrt((2 * 1.0 + 0) / 3), abs=TOL)

    # The other pairs: A and D shared one game, C and D two.
    assert list(tests) == [("A", "B"), ("A", "C"), ("A", "D"), ("B", "C"), ("B", "D"),
                           ("C", "D")]
    assert tests["A", "D"].games == 1 and tests["C", "D"].games == 2
    assert ab.to_dict()["p"] == ab.p


@pytest.mark.filterwarnings("ignore:Precision loss:RuntimeWarning")  # scipy, on [1, 1, 1]
def test_degenerate_samples_are_guarded():
    # A always wins, B never: no noise at all -> Welch p = 0, d undefined (nan); the paired
    # t-test is undefined too, so the verdict is the exact sign test: 5 deals all one way.
    recs = [record(["A", "B"], [1, 0], deal=d) for d in range(5)]
    t = pairwise_tests(recs, ["A", "B"])[0]
    assert (t.p, t.t) == (0.0, math.inf) and math.isnan(t.cohens_d)
    assert t.significant is True
    assert t.paired_test == "sign" and t.t_paired is None
    assert t.p_paired == pytest.approx(2 * 0.5 ** 5, abs=TOL) == t.p_paired_adjusted
    assert t.significant_paired is False
    # Both always tie: equal constant samples -> p = 1, d = 0.
    recs = [record(["A", "B"], [0.5, 0.5], deal=d) for d in range(5)]
    t = pairwise_tests(recs, ["B", "A"])[0]
    assert (t.a, t.b, t.p, t.t, t.cohens_d, t.significant) == ("B", "A", 1.0, 0.0, 0.0, False)
    # A single shared game: no test is possible -> p = 1 (no evidence), t and d nan.
    t = pairwise_tests([record(["A", "B"], [1, 0])], ["A", "B"])[0]
    assert t.p == 1.0 and math.isnan(t.t) and math.isnan(t.cohens_d) and t.deals == 1
    assert (t.paired_test, t.p_paired, t.diff, t.diff_ci) == ("sign", 1.0, 1.0, None)
    # One constant sample is an ordinary Welch test.
    assert welch([1, 1, 1], [0, 1, 0])[1] == pytest.approx(
        float(sps.ttest_ind([1, 1, 1], [0, 1, 0], equal_var=False).pvalue), abs=TOL)
    # No shared game: no pair at all.
    assert pairwise_tests([record(["A", "C"], [1, 0]), record(["B", "C"], [1, 0])],
                          ["A", "B"]) == []
    with pytest.raises(ValueError):
        pairwise_tests([], ["A", "A"])


# ---------------------------------------------------------------- adjustment and order

def _four_agent_records(seed: int = 7) -> list[GameRecord]:
    """Three-seat games among W, X, Y, Z with different strengths (Z never meets W)."""
    rng = np.random.default_rng(seed)
    strength = {"W": 3.0, "X": 1.0, "Y": 1.5, "Z": 0.6}
    tables = [["W", "X", "Y"], ["X", "Y", "Z"]]
    out = []
    for d in range(60):
        labels = tables[d % 2]
        for rot in range(3):
            seated = labels[rot:] + labels[:rot]
            w = np.array([strength[x] for x in seated])
            out.append(record(seated, one_winner(3, int(rng.choice(3, p=w / w.sum()))),
                              deal=d, rot=rot))
    return out


@pytest.mark.parametrize("method", ["holm", "bonferroni"])
def test_adjustment_equals_multipletests_and_pairs_follow_names(method):
    records = _four_agent_records()
    names = ["Y", "Z", "X", "W"]
    tests = pairwise_tests(records, names, adjust=method)
    # Every pair in names order, a before b; Z and W never met.
    expected = [(a, b) for i, a in enumerate(names) for b in names[i + 1:] if {a, b} != {"Z", "W"}]
    assert [(t.a, t.b) for t in tests] == expected
    raw = [t.p for t in tests]
    ref = multipletests(raw, method=method)[1]
    assert [t.p_adjusted for t in tests] == pytest.approx(list(ref), abs=TOL)
    if method == "bonferroni":
        assert [t.p_adjusted for t in tests] == pytest.approx(
            [min(1.0, p * len(raw)) for p in raw], abs=TOL)
    assert [t.significant for t in tests] == [p < 0.05 for p in ref]
    paired = [t.p_paired for t in tests]
    assert None not in paired
    assert [t.p_paired_adjusted for t in tests] == pytest.approx(
        list(multipletests(paired, method=method)[1]), abs=TOL)
    # W is the strongest: its comparisons with X and Y come out significant.
    assert by_pair(tests)["X", "W"].significant and by_pair(tests)["Y", "W"].significant
    # Reversing the order swaps a and b and flips the sign, nothing else.
    back = by_pair(pairwise_tests(records, names[::-1], adjust=method))
    for t in tests:
        u = back[t.b, t.a]
        assert u.t == pytest.approx(-t.t, abs=TOL) and u.p == pytest.approx(t.p, abs=TOL)


def test_unknown_adjustment_is_refused():
    with pytest.raises(ValueError):
        pairwise_tests(_four_agent_records(), ["W", "X"], adjust="fdr_bh")  # type: ignore[arg-type]


# ---------------------------------------------------------------- paired duplicate deals

def test_paired_test_equals_ttest_rel_on_per_deal_means():
    rng = np.random.default_rng(11)
    records = []
    mean_a: list[float] = []
    mean_b: list[float] = []
    for d in range(20):  # above EXACT_DEALS: the t-test
        labels = ["A", "B", "C"]
        shares_a, shares_b = [], []
        for rot in range(3):
            seated = labels[rot:] + labels[:rot]
            # Ties now and then, so win shares of 1/2 and 1/3 occur.
            kind = rng.integers(5)
            if kind == 0:
                shares = [1 / 3] * 3
            elif kind == 1:
                shares = [0.5, 0.5, 0.0]
            else:
                shares = one_winner(3, int(rng.integers(3)))
            records.append(record(seated, shares, deal=d, rot=rot))
            shares_a.append(shares[seated.index("A")])
            shares_b.append(shares[seated.index("B")])
        mean_a.append(sum(shares_a) / 3)
        mean_b.append(sum(shares_b) / 3)
    # A deal where only A and C played: the A-B pair must not see it.
    records.append(record(["A", "C", "D"], [1, 0, 0], deal=50))
    # A and D share a single deal: no paired test for them.
    tests = by_pair(pairwise_tests(records, ["A", "B", "C", "D"]))
    ab = tests["A", "B"]
    ref = sps.ttest_rel(mean_a, mean_b)
    assert ab.deals == 20 and ab.games == 60
    assert ab.t_paired == pytest.approx(float(ref.statistic), abs=TOL)
    assert ab.p_paired == pytest.approx(float(ref.pvalue), abs=TOL)
    assert ab.paired_test == "t"
    assert ab.diff == pytest.approx(float(np.mean(mean_a) - np.mean(mean_b)), abs=TOL)
    ci = sps.ttest_rel(mean_a, mean_b).confidence_interval(0.95)
    assert ab.diff_ci == pytest.approx((float(ci.low), float(ci.high)), abs=TOL)
    # A and D share a single deal: no t-test; the sign test of one deal says p = 1.
    ad = tests["A", "D"]
    assert ad.deals == 1 and ad.paired_test == "sign" and ad.p_paired == 1.0
    # Every pair that met (all but B and D) is in the family, with or without a t-test.
    assert len(tests) == 5
    ref_adj = multipletests([t.p_paired for t in tests.values()], method="holm")[1]
    assert [t.p_paired_adjusted for t in tests.values()] == pytest.approx(list(ref_adj),
                                                                         abs=TOL)


# ---------------------------------------------------------------- repeated labels

def test_repeated_labels_in_one_game_are_averaged():
    # A holds two seats of every game; its per-game value is the mean over them.
    games = [
        (["A", "A", "B"], [1.0, 0.0, 0.0], [3.0, -1.0, -2.0]),
        (["A", "B", "A"], [0.0, 1.0, 0.0], [-1.0, 4.0, -3.0]),
        (["B", "A", "A"], [0.0, 0.5, 0.5], [-2.0, 1.0, 1.0]),
        (["A", "B", "A"], [0.0, 0.0, 1.0], [0.0, -6.0, 6.0]),
    ]
    records = [record(lab, sh, ret, deal=d) for d, (lab, sh, ret) in enumerate(games)]
    win_a = [0.5, 0.0, 0.5, 0.5]
    win_b = [0.0, 1.0, 0.0, 0.0]
    pay_a = [1.0, -2.0, 1.0, 3.0]
    pay_b = [-2.0, 4.0, -2.0, -6.0]
    t = pairwise_tests(records, ["A", "B"])[0]
    assert t.games == 4
    assert t.win_a == pytest.approx(0.375, abs=TOL) and t.win_b == pytest.approx(0.25, abs=TOL)
    assert t.payoff_a == pytest.approx(0.75, abs=TOL)
    assert t.p == pytest.approx(float(sps.ttest_ind(win_a, win_b, equal_var=False).pvalue),
                                abs=TOL)
    assert t.p_payoff == pytest.approx(
        float(sps.ttest_ind(pay_a, pay_b, equal_var=False).pvalue), abs=TOL)
    # Per seat, A's seats are counted separately.
    assert seat_by_agent(records, ["A", "B"], 3) == {
        "A": [pytest.approx(1 / 3), 0.25, pytest.approx(0.5)], "B": [0.0, 0.5, 0.0]}


# ---------------------------------------------------------------- seats

def _seat_records(probs: list[float], games: int, seed: int, names: list[str] | None = None):
    """Games whose winning seat is drawn with ``probs``; entrants rotate over the seats."""
    rng = np.random.default_rng(seed)
    n = len(probs)
    names = names or [f"p{i}" for i in range(n)]
    seats = rng.choice(n, size=games, p=probs)
    out = []
    for g, seat in enumerate(seats):
        rot = g % n
        out.append(record(names[rot:] + names[:rot], one_winner(n, int(seat)), deal=g // n,
                          rot=rot))
    return out, np.bincount(seats, minlength=n)


def test_seat_table_finds_first_mover_bias():
    records, counts = _seat_records([0.4, 0.2, 0.2, 0.2], 2000, seed=1)
    table = seat_table(records, 4)
    assert table.p is not None and table.p < 0.001
    assert table.games == 2000 and table.dof == 3
    for row, c in zip(table.seats, counts):
        assert row.games == 2000 and row.wins == c
        assert row.win_rate == pytest.approx(c / 2000, abs=TOL)
        assert row.win_ci == pytest.approx(wilson_interval(float(c), 2000), abs=TOL)
    ref = sps.chisquare(counts)
    assert table.chi2 == pytest.approx(float(ref.statistic), abs=TOL)
    assert table.p == pytest.approx(float(ref.pvalue), abs=TOL)
    assert table.to_dict()["seats"][0]["win_ci"] == list(table.seats[0].win_ci)


def test_seat_table_unbiased_game_is_not_flagged():
    records, counts = _seat_records([0.25] * 4, 2000, seed=2)
    table = seat_table(records, 4)
    assert table.p is not None and table.p > 0.01
    assert [r.wins for r in table.seats] == list(counts)


def test_seat_bias_shows_per_seat_not_per_agent():
    names = ["A", "B", "C", "D"]
    records, _ = _seat_records([0.4, 0.2, 0.2, 0.2], 2000, seed=3, names=names)
    assert seat_table(records, 4).p < 0.001
    per_agent = seat_by_agent(records, names, 4)
    for name in names:
        rates = per_agent[name]
        assert all(r is not None for r in rates)
        assert rates[0] > max(rates[1:])  # every agent wins more from seat 0
    # Identical agents, rotated over the seats: the paired test sees no difference.
    assert not any(t.significant_paired for t in pairwise_tests(records, names))


def test_seat_count_must_match():
    records = [record(["A", "B", "C"], [1, 0, 0]), record(["A", "B"], [1, 0])]
    with pytest.raises(ValueError):
        seat_table(records, 3)
    with pytest.raises(ValueError):
        seat_by_agent(records, ["A"], 3)
    empty = seat_table([], 2)
    assert empty.chi2 is None and empty.p is None and empty.seats[0].win_ci == (0.0, 1.0)


# ---------------------------------------------------------------- identical agents

def _identical_tournament(seed: int, agents: int = 6, seats: int = 4,
                          games: int = 200) -> tuple[list[GameRecord], list[str]]:
    """Equal agents: every game seats a random ``seats`` of them, replayed in every rotation,
    and the winner is a uniformly random seat."""
    rng = np.random.default_rng(seed)
    names = [f"agent{i}" for i in range(agents)]
    out = []
    for d in range(games // seats):
        table = [names[i] for i in rng.permutation(agents)[:seats]]
        for rot in range(seats):
            out.append(record(table[rot:] + table[:rot],
                              one_winner(seats, int(rng.integers(seats))), deal=d, rot=rot))
    return out, names


def test_identical_agents_show_no_significant_pair_after_correction():
    seeds = range(20)
    any_paired = 0
    for seed in seeds:
        records, names = _identical_tournament(seed)
        tests = pairwise_tests(records, names)
        assert len(tests) == 15
        any_paired += any(t.significant_paired for t in tests)
    # Not asserted for Welch's `significant`: it rejects too often here (about 15% of
    # tournaments over 1000 seeds, against 5% for the paired test; see the next test).
    assert any_paired / len(seeds) <= 0.10


@pytest.mark.xfail(strict=True, reason=(
    "Welch's test treats two agents' results in the same games as independent samples; "
    "they are negatively correlated (one's win is the other's loss), so the test rejects "
    "too often: ~17% at alpha 0.05 in two-player games. The paired test is valid."))
def test_welch_on_shared_games_keeps_its_nominal_rate():
    # 200 separate two-player matches of 100 games between equal agents, in one call.
    records = []
    names = []
    rng = np.random.default_rng(5)
    for m in range(200):
        a, b = f"a{m}", f"b{m}"
        names += [a, b]
        for g in range(100):
            records.append(record([a, b], one_winner(2, int(rng.integers(2))), deal=g,
                                  prefix=f"m{m}"))
    tests = pairwise_tests(records, names)
    assert len(tests) == 200
    assert np.mean([t.p < 0.05 for t in tests]) <= 0.10


def test_paired_test_keeps_its_nominal_rate_in_two_player_games():
    # The same setup with each deal played in both seatings: the paired test holds ~5%.
    records = []
    names = []
    rng = np.random.default_rng(6)
    for m in range(200):
        a, b = f"a{m}", f"b{m}"
        names += [a, b]
        for d in range(50):
            for rot, seated in enumerate(([a, b], [b, a])):
                records.append(record(seated, one_winner(2, int(rng.integers(2))), deal=d,
                                      rot=rot, prefix=f"m{m}"))
    tests = pairwise_tests(records, names)
    assert np.mean([t.p_paired < 0.05 for t in tests]) <= 0.10


# ---------------------------------------------------------------- Wilson coverage

@pytest.mark.parametrize("p", [0.1, 0.3, 0.5])
def test_wilson_interval_covers_the_true_rate(p):
    n, draws = 100, 2000
    wins = np.random.default_rng(int(p * 1000)).binomial(n, p, size=draws)
    cache = {k: wilson_interval(float(k), n) for k in set(wins.tolist())}
    covered = np.mean([cache[k][0] <= p <= cache[k][1] for k in wins.tolist()])
    assert 0.93 <= covered <= 0.97
    # The exact coverage (binomial probabilities of the counts whose interval holds p).
    ks = np.arange(n + 1)
    exact = sum(float(sps.binom.pmf(k, n, p)) for k in ks
                if wilson_interval(float(k), n)[0] <= p <= wilson_interval(float(k), n)[1])
    assert 0.93 <= exact <= 0.97


@pytest.mark.parametrize("method", ["holm", "bonferroni"])
def test_adjust_pvalues_equals_statsmodels_with_ties_and_extremes(method):
    import random

    from arena.stats.pairwise import adjust_pvalues

    rng = random.Random(5)
    for m in (1, 2, 7, 40):
        raw = [rng.choice([rng.random(), 0.0, 1.0, 0.03]) for _ in range(m)]
        assert adjust_pvalues(raw, method) == pytest.approx(
            list(multipletests(raw, method=method)[1]), abs=1e-12)


# ---------------------------------------------------------------- verdicts (paired, card deal)

def _table_text(tests: list[PairTest], adjust: str = "holm") -> tuple[str, dict[tuple[str, str], str]]:
    """The terminal pairs table of ``tests``: its title and header, and each pair's row."""
    from rich.console import Console

    from arena.report.output import pairs_table

    console = Console(file=io.StringIO(), width=160, record=True)
    console.print(pairs_table(tests, adjust))
    lines = console.export_text().splitlines()
    rows = {}
    for line in lines:
        words = line.replace("│", " ").split()
        if len(words) > 2 and (words[0], words[1]) in {(t.a, t.b) for t in tests}:
            rows[words[0], words[1]] = line
    return "\n".join(lines[:4]), rows


def _heads_up(a: str, b: str, deal_results: list[tuple[float, float]], prefix: str,
              payoffs: list[tuple[float, float]] | None = None) -> list[GameRecord]:
    """A two-player match: deal d is played in both seatings; ``deal_results[d]`` holds a's
    win share in each of them (and ``payoffs[d]`` a's payoff, b's being its negative)."""
    out = []
    for d, shares in enumerate(deal_results):
        for rot, (seated, share) in enumerate(zip(([a, b], [b, a]), shares)):
            pay = share if payoffs is None else payoffs[d][rot]
            sh = [share, 1 - share] if seated[0] == a else [1 - share, share]
            ret = [pay, -pay] if seated[0] == a else [-pay, pay]
            out.append(record(seated, sh, ret, deal=d, rot=rot, prefix=prefix))
    return out


def test_the_mark_comes_only_from_the_paired_verdict():
    # A beats B in every game of 3 deals: Welch's per-game test says p = 0, but 3 deals all
    # one way is p = 0.25 on the unit that is independent (the card deal). Before, the table
    # fell back to Welch where no paired test existed and showed `*`.
    tests = pairwise_tests(_heads_up("A", "B", [(1, 1)] * 3, "m"), ["A", "B"])
    head, rows = _table_text(tests)
    assert "*" not in rows["A", "B"]
    assert "sign test" in head and "card deal" in head
    (t,) = tests
    assert t.significant is True and t.p == 0.0  # Welch, kept in the JSON
    assert t.p_paired == pytest.approx(0.25, abs=TOL) and t.paired_test == "sign"
    assert t.significant_paired is False


def test_the_first_p_column_is_the_verdict_and_welch_stays_in_the_json():
    from arena.report.output import pairs_table

    tests = pairwise_tests(_four_agent_records(), ["W", "X", "Y", "Z"])
    assert any(f"{t.p:.4f}" != f"{t.p_paired:.4f}" for t in tests)
    table = pairs_table(tests, "holm")
    headers = [str(c.header) for c in table.columns]
    first_p = next(i for i, h in enumerate(headers) if h.startswith("p"))
    assert list(table.columns[first_p]._cells) == [
        "<1e-4" if t.p_paired < 1e-4 else f"{t.p_paired:.4f}" for t in tests]
    assert not any("welch" in h.lower() or "cohen" in h.lower() for h in headers)
    marks = list(table.columns[-1]._cells)
    assert marks == ["*" if t.significant_paired else "" for t in tests]
    # Welch's tests are in the JSON, after the verdict's fields.
    keys = list(tests[0].to_dict())
    assert keys.index("p_paired") < keys.index("p") and {"t", "p", "p_adjusted",
                                                          "significant", "cohens_d"} <= set(keys)


def test_complete_dominance_is_judged_by_an_exact_sign_test():
    # 15 deals all one way: the paired t-test is undefined (zero variance); the sign test
    # gives 2 * 0.5**15 = 6.1e-5, and Cohen's d is undefined rather than infinite.
    tests = pairwise_tests(_heads_up("A", "B", [(1, 1)] * 15, "m"), ["A", "B"])
    (t,) = tests
    assert t.p_paired == pytest.approx(6.103515625e-05, rel=1e-9)
    assert t.paired_test == "sign" and t.t_paired is None
    assert t.significant_paired is True and t.diff == 1.0 and t.diff_ci is None
    assert math.isnan(t.cohens_d)
    head, rows = _table_text(tests)
    assert "inf" not in head + "".join(rows.values())
    assert rows["A", "B"].rstrip().endswith("*")
    # The test on its own: t where defined, else the sign test over the non-zero values.
    assert paired_deal_test([0.0, 0.0, 0.0]) == ("sign", None, 1.0)
    assert paired_deal_test([0.5]) == ("sign", None, 1.0)
    assert paired_deal_test([-0.5] * 15)[2] == pytest.approx(6.103515625e-05, rel=1e-9)
    for diffs in ([1.0] * 18 + [0.5], [1.0] * 12 + [0.0] * 8):
        ref = sps.ttest_1samp(diffs, 0.0)
        assert paired_deal_test(diffs) == ("t", pytest.approx(float(ref.statistic)),
                                           pytest.approx(float(ref.pvalue)))
    # Up to EXACT_DEALS deals: the exact sign-flip test, checked by brute force.
    for diffs in ([1.0] * 14 + [0.5], [1.0] * 10 + [0.0] * 5, [0.3, -0.1, 0.2, 0.25, -0.05]):
        test, _, p = paired_deal_test(diffs)
        assert test == "permutation" and p == pytest.approx(_flip_p(diffs), abs=1e-12)


def _flip_p(diffs):
    """Brute-force two-sided sign-flip p: share of sign assignments with |sum| >= observed."""
    import itertools

    obs = abs(sum(diffs))
    flips = list(itertools.product((1, -1), repeat=len(diffs)))
    return sum(abs(sum(s * d for s, d in zip(f, diffs))) >= obs - 1e-12 for f in flips) \
        / len(flips)


def test_few_deals_never_beat_a_clean_sweep():
    # With three deals a clean sweep has p = 0.25 (sign test); a slightly mixed result must
    # not look far more significant (the t-test gives 0.008 for +1, +1, +0.75).
    sweep = paired_deal_test([1.0, 1.0, 1.0])
    mixed = paired_deal_test([1.0, 1.0, 0.75])
    assert sweep == ("sign", None, pytest.approx(0.25))
    assert mixed[0] == "permutation" and mixed[2] == pytest.approx(0.25)
    assert sps.ttest_1samp([1.0, 1.0, 0.75], 0.0).pvalue < 0.01  # what t would have said
    assert mixed[2] >= sweep[2]


def test_the_family_is_every_pair_that_met_whatever_its_data():
    # Three heads-up matches; in A-C and B-C every deal is split (each wins one seating), so
    # their per-deal differences are all zero and no t-test exists. They stay in the family
    # with p = 1: A-B's Holm-adjusted p is 3 times its raw p, not the raw p.
    ab = [(1, 1)] * 8 + [(1, 0)] * 10 + [(0, 0)] * 2
    records = (_heads_up("A", "B", ab, "ab") + _heads_up("A", "C", [(1, 0)] * 20, "ac")
               + _heads_up("B", "C", [(0, 1)] * 20, "bc"))
    tests = by_pair(pairwise_tests(records, ["A", "B", "C"]))
    raw = float(sps.ttest_1samp([1.0] * 8 + [0.0] * 10 + [-1.0] * 2, 0.0).pvalue)
    assert tests["A", "B"].p_paired == pytest.approx(raw, abs=TOL)
    assert tests["A", "B"].p_paired_adjusted == pytest.approx(3 * raw, abs=TOL)
    assert tests["A", "B"].paired_test == "t"
    for pair in (("A", "C"), ("B", "C")):
        assert tests[pair].paired_test == "sign" and tests[pair].p_paired == 1.0
        assert tests[pair].p_paired_adjusted == 1.0 and tests[pair].diff == 0.0
    # The Kuhn example's shape: cfr vs random was 0.0092 in a family of 3, 0.0366 in one of 6.
    head, _ = _table_text(list(tests.values()))
    assert "over all 3 pairs" in head


def test_payoff_games_are_judged_by_payoff_per_deal():
    # A wins most hands, small, and loses the big ones: ahead on win share, behind on payoff.
    rng = np.random.default_rng(3)
    deals, payoffs, diffs = [], [], []
    for d in range(40):
        shares = tuple(float(x) for x in rng.random(2) < 0.7)
        pays = tuple(1.0 if s else -float(rng.integers(4, 8)) for s in shares)
        deals.append(shares)
        payoffs.append(pays)
        diffs.append(float(np.mean([2 * x for x in pays])))  # a - b, b's payoff is -a's
    records = _heads_up("A", "B", deals, "m", payoffs)
    (by_win,) = pairwise_tests(records, ["A", "B"])
    (t,) = pairwise_tests(records, ["A", "B"], ranked_by="payoff")
    assert by_win.score == "win_share" and by_win.diff > 0 and by_win.significant_paired
    assert t.score == "payoff" and t.paired_test == "t"
    assert t.diff == pytest.approx(float(np.mean(diffs)), abs=TOL) and t.diff < 0
    ref = sps.ttest_1samp(diffs, 0.0)
    assert t.p_paired == pytest.approx(float(ref.pvalue), abs=TOL) and t.significant_paired
    assert t.diff_ci[1] < 0
    head, rows = _table_text([t])
    assert "payoff" in head and "payoff a" in head and rows["A", "B"].rstrip().endswith("*")


def test_poker_summary_judges_pairs_by_payoff():
    # The rule bot wins fewer Kuhn hands than random but more chips: the summary of a game
    # ranked by payoff must side with the chips (before, `*` went to random's win share).
    from arena.core.registry import make_game
    from arena.play.match import run_match
    from arena.stats.summary import build_summary

    game = make_game("kuhn_poker")
    labels, stream = run_match(game, ["poker_rules(style=tight)", "random"], 600, seed=5)
    summary = build_summary(list(stream), labels, game, bootstrap=20)
    (pair,) = summary.pairs
    assert pair.win_a < pair.win_b and pair.significant  # Welch on win shares
    assert pair.payoff_a > pair.payoff_b and pair.significant_paired
    assert pair.score == "payoff" and pair.deals == 300 and pair.diff > 0
    assert pair.diff == pytest.approx(pair.payoff_a - pair.payoff_b, abs=1e-9)


def _shared_deal_tables(rng: np.random.Generator, deals: int, seats: str = "rotate",
                        beta: float = 0.0, agents: int = 5, size: int = 4,
                        prefix: str = "rr") -> tuple[list[GameRecord], list[str]]:
    """A round robin of identical agents at ``size``-seat tables where every table replays
    the same card deals (one seed per deal index, as the schedule does). Each card deal gives
    every seat a hand; the winning seat is drawn with weights exp(beta * hand)."""
    from itertools import combinations

    names = [f"agent{i}" for i in range(agents)]
    tables = list(combinations(names, size))
    out = []
    for d in range(deals):
        hands = rng.normal(size=size)
        seed = zlib.crc32(f"{prefix}/d{d}".encode())
        w = np.exp(beta * hands)
        for i, table in enumerate(tables):
            for rot in range(size if seats == "rotate" else 1):
                seated = list(table[rot:] + table[:rot])
                out.append(record(seated, one_winner(size, int(rng.choice(size, p=w / w.sum()))),
                                  deal=d, rot=rot, prefix=f"{prefix}/t{i}", seed=seed))
    return out, names


def test_the_card_deal_is_the_unit_not_the_table():
    # Five agents at 4-seat tables: a pair meets at 3 tables, each replaying the same 6 card
    # deals. That is 6 independent deals, not 18.
    records, names = _shared_deal_tables(np.random.default_rng(1), 6, beta=1.0)
    tests = pairwise_tests(records, names)
    assert {t.deals for t in tests} == {6} and {t.games for t in tests} == {72}
    t = tests[0]
    per_deal: dict[int, list[float]] = {}
    for rec in records:
        if t.a in rec.labels and t.b in rec.labels:
            per_deal.setdefault(rec.card_deal, []).append(
                rec.win_shares[rec.labels.index(t.a)] - rec.win_shares[rec.labels.index(t.b)])
    diffs = [float(np.mean(v)) for v in per_deal.values()]
    assert len(diffs) == 6
    assert t.paired_test == "permutation"
    assert t.p_paired == pytest.approx(_flip_p(diffs), abs=TOL)


def test_the_schedule_replays_each_card_deal_at_every_table():
    # The real schedule and engine: records of one deal index share their card deal across
    # tables and rotations, so the pairwise tests count card deals.
    from arena.core.registry import make_agent, make_game
    from arena.play.match import run_jobs
    from tournaments.schedule import round_robin_tables, table_jobs
    from tournaments.spec import parse_tournament

    t = parse_tournament({"name": "u", "game": "dhumbal", "rules": "paper", "seed": 4,
                          "deals": 2, "format": "round_robin",
                          "agents": [{"spec": "random", "name": f"r{i}"} for i in range(5)]})
    game = make_game("dhumbal", "paper")
    jobs = [j for table in round_robin_tables("round_robin", t.names(), 4)
            for j in table_jobs(t, table, t.deals)]
    records = list(run_jobs(jobs, game, {n: make_agent("random", game) for n in t.names()}))
    assert len(records) == 5 * 2 * 4
    assert {p.deals for p in pairwise_tests(records, t.names())} == {2}
    assert len({r.card_deal for r in records}) == 2
    assert len({r.deal_key for r in records}) == 10


def _null_rejections(reps: int, deals: int, seats: str, beta: float, seed: int
                     ) -> tuple[int, int, int]:
    """(pairs, pairs with paired p < 0.05, tournaments with a `*`) over ``reps`` simulated
    round robins of identical agents that share card deals across tables."""
    rng = np.random.default_rng(seed)
    pairs = raw = anymark = 0
    for _ in range(reps):
        records, names = _shared_deal_tables(rng, deals, seats=seats, beta=beta)
        tests = pairwise_tests(records, names)
        pairs += len(tests)
        raw += sum(t.p_paired < 0.05 for t in tests)
        anymark += any(t.significant_paired for t in tests)
    return pairs, raw, anymark


def test_identical_agents_at_tables_sharing_deals_keep_the_nominal_rate():
    # Fixed seats: a pair sits in the same two seats at each of its 3 tables, so the card
    # deal (each seat's hand) makes its results at those tables alike. Counting every
    # table's deal as independent rejected 12.8% of these equal pairs; by card deal 5.0%
    # (4.8% over 3000 pairs, and a `*` in 4.7% of 300 tournaments).
    pairs, raw, anymark = _null_rejections(reps=60, deals=30, seats="fixed", beta=3.0, seed=8)
    assert pairs == 600
    assert 0.02 <= raw / pairs <= 0.085
    assert anymark / 60 <= 0.15


@pytest.mark.slow
def test_shown_verdict_keeps_its_false_positive_rate_in_played_tournaments():
    # Real Dhumbal games between identical random agents, through the real schedule (see
    # benchmarks/bench_false_positives.py for the full measurement, ~5% in every setting).
    import sys
    from pathlib import Path

    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path:
        sys.path.insert(0, root)
    from benchmarks.bench_false_positives import tournament

    rows = [tournament("rr5", 2000 + rep, 15) for rep in range(200)]
    pairs = sum(r["pairs"] for r in rows)
    raw = sum(r["paired_raw"] for r in rows) / pairs
    anymark = sum(r["verdict_any"] for r in rows) / len(rows)
    assert 0.03 <= raw <= 0.07
    assert anymark <= 0.09
