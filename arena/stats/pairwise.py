"""Pairwise significance tests between agents and the win rate by seat with a chi-square test
of first-mover bias.

The verdict on a pair is a paired test over card deals (a paired t-test of the per-deal
differences, or an exact sign test where the t-test is undefined), Holm/Bonferroni-adjusted
over every pair that met. Welch's t-test and Cohen's d on per-game values are kept for
reference only: they treat two agents at one table as independent samples, which they are
not, and they count the games of one card deal as independent.
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from arena.stats.basic import mean_interval, wilson_interval
from arena.stats.results import entrant_results

if TYPE_CHECKING:  # pragma: no cover
    from arena.play.match import GameRecord

ADJUST_METHODS: tuple[str, ...] = ("holm", "bonferroni")
Score = Literal["win_share", "payoff"]


@dataclass(frozen=True)
class PairTest:
    """The comparison of agents ``a`` and ``b`` over the games they both played.

    The verdict (``*_paired``): for every card deal (``GameRecord.card_deal``: one deal seed,
    whatever its seat rotation or table) in which both played, the mean over that deal's
    shared games of a's score minus b's, where the score is ``score``: the win share, or the
    payoff in games ranked by payoff. These per-deal differences are the independent units.
    In games with hidden roles (``GameRecord.roles``) the difference is between the two in
    the same role (``by_role``): within a deal, a's mean score in each role minus b's in
    that role, weighted by how many such pairs the deal has (role luck cancels even where a
    deal's rotations are incomplete); deals in which they never held a common role drop out.
    ``p_paired`` is two-sided: the exact sign test over the non-zero differences where the
    t-test is undefined (one deal, or all differences equal; ``paired_test`` "sign": 1.0
    when there are none, ``2 * 0.5**15`` for 15 deals all one way), the exact sign-flip
    permutation test for 2 to ``EXACT_DEALS`` deals ("permutation"), else the one-sample
    t-test of their mean against 0 ("t").
    ``p_paired_adjusted`` is Holm/Bonferroni-adjusted over every pair of the call, so the
    family never depends on the data.

    For reference only: ``t``/``p``/``p_adjusted``/``significant`` are Welch's t-test on the
    per-game win shares (adjusted over the same pairs), ``t_payoff``/``p_payoff`` the same on
    per-game payoffs, ``cohens_d`` the per-game standardized win-share difference. They
    treat every game as independent and a's and b's values in one game as independent
    samples (they are negatively correlated: only one can win), so they reject too often.
    """

    a: str
    b: str
    score: str
    """What the verdict compares: "win_share", or "payoff" in games ranked by payoff."""
    games: int
    """Games in which both played."""
    deals: int
    """Card deals (``GameRecord.card_deal``) in which both played (with roles: and held a
    common role): the test's sample size."""
    win_a: float
    """Mean per-game win share of ``a`` over the shared games."""
    win_b: float
    payoff_a: float
    """Mean per-game payoff of ``a`` over the shared games."""
    payoff_b: float
    by_role: bool
    """Whether the per-deal differences compare the two in the same role (games with roles)."""
    diff: float
    """Mean over the shared card deals of the per-deal difference of ``score`` (a - b)."""
    diff_ci: tuple[float, float] | None
    """95% t-interval of ``diff`` over card deals; None where the sign test was used."""
    paired_test: str
    """"t" (paired t-test), "permutation" (exact sign-flip test) or "sign" (exact sign
    test), each over card deals."""
    t_paired: float | None
    """t of the paired t-test; None when the sign test was used."""
    p_paired: float
    p_paired_adjusted: float
    significant_paired: bool
    """The verdict: ``p_paired_adjusted < alpha`` (0.05 by default)."""
    t: float
    """Welch's t of the per-game win shares (a - b); nan with a single shared game."""
    p: float
    p_adjusted: float
    significant: bool
    """Welch's ``p_adjusted < alpha``: for reference, not the verdict."""
    cohens_d: float
    """(win_a - win_b) / pooled per-game SD; nan with a single shared game or a zero SD
    with unequal means (undefined)."""
    t_payoff: float
    p_payoff: float

    def to_dict(self) -> dict[str, Any]:
        """Plain data (floats, ints, bools, None) for JSON."""
        data = asdict(self)
        data["diff_ci"] = None if self.diff_ci is None else list(self.diff_ci)
        return data


@dataclass(frozen=True)
class SeatRow:
    """Results of one seat over all games."""

    seat: int
    games: int
    wins: float
    """Sum of the seat's win shares (a k-way tie for first counts 1/k)."""
    win_rate: float
    win_ci: tuple[float, float]
    """Wilson 95% score interval of the win rate."""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["win_ci"] = list(self.win_ci)
        return data


@dataclass(frozen=True)
class SeatTable:
    """Win rate by seat and Pearson's chi-square test that every seat wins equally often."""

    num_seats: int
    games: int
    seats: tuple[SeatRow, ...]
    chi2: float | None
    """None when no seat won anything (no games, or only games without a winner)."""
    dof: int
    p: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"num_seats": self.num_seats, "games": self.games,
                "seats": [row.to_dict() for row in self.seats],
                "chi2": self.chi2, "dof": self.dof, "p": self.p}


def _per_game(rec: "GameRecord") -> dict[str, tuple[float, float]]:
    """label -> (mean win share, mean payoff) over that label's seats in one game."""
    return {label: (r.win_share, r.payoff) for label, r in entrant_results(rec).items()}


def _per_role(rec: "GameRecord") -> dict[str, list[tuple[str, float, float]]] | None:
    """label -> (role, win share, payoff) of each seat it held; None without roles."""
    if rec.roles is None:
        return None
    out: dict[str, list[tuple[str, float, float]]] = defaultdict(list)
    for seat, label in enumerate(rec.labels):
        out[label].append((rec.roles[seat], rec.win_shares[seat], rec.returns[seat]))
    return out


def _role_matched_diff(a: str, b: str, games: Sequence[dict[str, list[tuple[str, float, float]]]],
                       k_score: int) -> float | None:
    """The per-deal difference of a's score minus b's in the same role: for each role both
    held in ``games`` (one deal's shared games), a's mean minus b's mean in it, weighted by
    min(a's seats in it, b's); None where they held no common role."""
    scores: dict[str, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for per in games:
        for side, label in enumerate((a, b)):
            for role, win, pay in per[label]:
                scores[role][side].append(pay if k_score else win)
    total = weight = 0.0
    for xa, xb in scores.values():
        w = min(len(xa), len(xb))
        if w:
            total += w * (math.fsum(xa) / len(xa) - math.fsum(xb) / len(xb))
            weight += w
    return total / weight if weight else None


def _constant(x: np.ndarray) -> bool:
    return bool(x.size == 0 or np.all(x == x[0]))


def welch(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    """(t, p) of Welch's two-sided t-test, ``scipy.stats.ttest_ind(x, y, equal_var=False)``.

    Guards (where scipy gives nan): fewer than two values in either sample -> (nan, 1.0),
    i.e. no evidence; both samples constant -> (0.0, 1.0) if their means are equal, else
    (+-inf, 0.0) (a difference without any noise).
    """
    from scipy import stats

    xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if xa.size < 2 or ya.size < 2:
        return (math.nan, 1.0)
    if _constant(xa) and _constant(ya):
        diff = float(xa[0] - ya[0])
        return (0.0, 1.0) if diff == 0.0 else (math.copysign(math.inf, diff), 0.0)
    with warnings.catch_warnings():
        # scipy warns of "catastrophic cancellation" whenever one sample is constant, which
        # win indicators often are (an agent that never won); the result is still exact.
        warnings.simplefilter("ignore", RuntimeWarning)
        res = stats.ttest_ind(xa, ya, equal_var=False)
    return (float(res.statistic), float(res.pvalue))


def cohens_d(x: Sequence[float], y: Sequence[float]) -> float:
    """(mean x - mean y) / pooled SD, SD^2 = ((n1-1) s1^2 + (n2-1) s2^2) / (n1 + n2 - 2).

    nan when n1 + n2 < 3 or a sample is empty; with a zero pooled SD, 0.0 for equal means
    and nan (undefined) otherwise.
    """
    xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n1, n2 = xa.size, ya.size
    if n1 == 0 or n2 == 0 or n1 + n2 < 3:
        return math.nan
    diff = float(xa.mean() - ya.mean())
    ss = (float(np.var(xa, ddof=1)) * (n1 - 1) if n1 > 1 else 0.0) + \
         (float(np.var(ya, ddof=1)) * (n2 - 1) if n2 > 1 else 0.0)
    sd = math.sqrt(ss / (n1 + n2 - 2))
    if sd == 0.0:
        return 0.0 if diff == 0.0 else math.nan
    return diff / sd


def sign_test(diffs: Sequence[float] | np.ndarray) -> float:
    """Two-sided exact sign test (``scipy.stats.binomtest(k, n, 0.5)``) over the non-zero
    values; 1.0 when there are none."""
    from scipy import stats

    d = np.asarray(diffs, dtype=float)
    pos, n = int(np.sum(d > 0)), int(np.sum(d != 0))
    if n == 0:
        return 1.0
    return float(stats.binomtest(pos, n, 0.5).pvalue)


EXACT_DEALS = 16
"""Up to this many card deals the verdict is the exact sign-flip permutation test (all
``2**n`` flips); above it, the paired t-test, whose normal approximation is sound there."""


def sign_flip_test(diffs: Sequence[float] | np.ndarray) -> float:
    """Two-sided exact sign-flip permutation test of the mean against 0: the share of the
    ``2**n`` sign assignments whose ``|sum|`` is at least the observed one. Exact under the
    null that each deal's difference is as likely to favour either agent (as it is between
    equal agents over rotated duplicate deals), whatever its distribution."""
    d = np.asarray(diffs, dtype=float)
    n = d.size
    if n == 0 or not np.any(d):
        return 1.0
    signs = 1 - 2 * ((np.arange(2 ** n)[:, None] >> np.arange(n)) & 1)
    sums = np.abs(signs @ d)
    observed = abs(float(d.sum()))
    return float(np.mean(sums >= observed - 1e-12 * max(1.0, observed)))


def paired_deal_test(diffs: Sequence[float]) -> tuple[str, float | None, float]:
    """(test, t, p) for per-deal differences against 0, two-sided.

    - ``("sign", None, p)``: the exact sign test where the t-test is undefined (one value,
      or every value equal, as under complete dominance);
    - ``("permutation", t, p)``: the exact sign-flip permutation test for 2 to
      ``EXACT_DEALS`` deals, where the t-test's normal approximation is rough (with few
      deals it could call a slightly mixed result far more significant than a clean
      sweep); ``t`` is the one-sample t statistic, for reference;
    - ``("t", t, p)``: ``scipy.stats.ttest_1samp(diffs, 0)`` above that.
    """
    from scipy import stats

    d = np.asarray(diffs, dtype=float)
    if d.size < 2 or _constant(d):
        return ("sign", None, sign_test(d))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = stats.ttest_1samp(d, 0.0)
    if d.size <= EXACT_DEALS:
        return ("permutation", float(res.statistic), sign_flip_test(d))
    return ("t", float(res.statistic), float(res.pvalue))


def adjust_pvalues(pvalues: Sequence[float], method: str = "holm") -> list[float]:
    """Family-wise adjusted p-values, as ``statsmodels.stats.multitest.multipletests`` gives.

    Written out (tests/test_pairwise.py checks it against statsmodels) because statsmodels
    runs a full garbage collection on every call, which costs most of a second when a
    summary holds tens of thousands of game records.
    """
    if method not in ADJUST_METHODS:
        raise ValueError(f"unknown p-value adjustment {method!r}; use one of {ADJUST_METHODS}")
    m = len(pvalues)
    if m == 0:
        return []
    if method == "bonferroni":
        return [min(1.0, float(p) * m) for p in pvalues]
    order = sorted(range(m), key=lambda i: pvalues[i])
    out = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * float(pvalues[i])))
        out[i] = running
    return out


def pairwise_tests(records: Sequence["GameRecord"], names: Sequence[str],
                   adjust: str = "holm", alpha: float = 0.05,
                   ranked_by: str = "win_rate") -> list[PairTest]:
    """Tests for every pair ``(a, b)`` of ``names`` (a before b) that shared a game.

    Pairs come in ``names`` order (a's index, then b's); labels not in ``names`` are ignored.
    ``ranked_by`` is the game's (``Game.ranked_by``): with "payoff" the verdict compares
    payoffs per card deal, else win shares. See ``PairTest`` for what each number tests.
    """
    names = list(names)
    if len(set(names)) != len(names):
        raise ValueError("pairwise_tests: names must be distinct")
    score: Score = "payoff" if ranked_by == "payoff" else "win_share"
    k_score = 1 if score == "payoff" else 0
    wanted = set(names)
    games: list[dict[str, tuple[float, float]]] = []
    roles: list[dict[str, list[tuple[str, float, float]]] | None] = []
    card_deals: list[int] = []
    played: dict[str, set[int]] = defaultdict(set)
    for rec in records:
        values = _per_game(rec)
        i = len(games)
        games.append(values)
        roles.append(_per_role(rec))
        card_deals.append(rec.card_deal)
        for label in values:
            if label in wanted:
                played[label].add(i)

    raw: list[dict[str, Any]] = []
    for ia, a in enumerate(names):
        for b in names[ia + 1:]:
            shared = sorted(played[a] & played[b])
            if not shared:
                continue
            wa = [games[i][a][0] for i in shared]
            wb = [games[i][b][0] for i in shared]
            pa = [games[i][a][1] for i in shared]
            pb = [games[i][b][1] for i in shared]
            t, p = welch(wa, wb)
            t_pay, p_pay = welch(pa, pb)
            by_deal: dict[int, list[int]] = defaultdict(list)
            for i in shared:
                by_deal[card_deals[i]].append(i)
            by_role = any(roles[i] is not None for i in shared)
            if by_role:
                matched = (_role_matched_diff(a, b, [roles[i] for i in idx  # type: ignore[misc]
                                                     if roles[i] is not None], k_score)
                           for idx in by_deal.values())
                diffs = [d for d in matched if d is not None]
            else:
                diffs = [float(np.mean([games[i][a][k_score] - games[i][b][k_score]
                                        for i in idx])) for idx in by_deal.values()]
            test, t_paired, p_paired = paired_deal_test(diffs)
            raw.append(dict(
                a=a, b=b, score=score, games=len(shared), deals=len(diffs), by_role=by_role,
                win_a=float(np.mean(wa)), win_b=float(np.mean(wb)),
                payoff_a=float(np.mean(pa)), payoff_b=float(np.mean(pb)),
                diff=float(np.mean(diffs)) if diffs else 0.0,
                diff_ci=mean_interval(diffs)[1:] if test != "sign" else None,
                paired_test=test, t_paired=t_paired, p_paired=p_paired,
                t=t, p=p, cohens_d=cohens_d(wa, wb), t_payoff=t_pay, p_payoff=p_pay))

    # One family for the verdict: every pair that met, whatever its data.
    pp_adj = adjust_pvalues([r["p_paired"] for r in raw], adjust)
    p_adj = adjust_pvalues([r["p"] for r in raw], adjust)
    return [PairTest(**r, p_paired_adjusted=ppa, significant_paired=ppa < alpha,
                     p_adjusted=pa_, significant=pa_ < alpha)
            for r, ppa, pa_ in zip(raw, pp_adj, p_adj)]


def _check_seats(records: Sequence["GameRecord"], num_seats: int) -> None:
    if num_seats < 1:
        raise ValueError("num_seats must be positive")
    for rec in records:
        if len(rec.labels) != num_seats:
            raise ValueError(f"{rec.job_id}: {len(rec.labels)} seats, expected {num_seats}; "
                             "pass the games of one table size")


def seat_table(records: Sequence["GameRecord"], num_seats: int) -> SeatTable:
    """Win rate per seat (Wilson CI) and a chi-square test of seat independence.

    Every record must have ``num_seats`` seats (else ValueError).
    """
    from scipy import stats

    _check_seats(records, num_seats)
    n = len(records)
    wins = [math.fsum(rec.win_shares[s] for rec in records) for s in range(num_seats)]
    rows = [SeatRow(seat=s, games=n, wins=wins[s], win_rate=wins[s] / n if n else 0.0,
                    win_ci=wilson_interval(wins[s], n)) for s in range(num_seats)]
    # Pearson's goodness-of-fit test of the winning seat against equal expected wins
    # (scipy.stats.chisquare), not chi2_contingency on seats x (wins, non-wins): each game
    # hands out one win (shared on ties), so the winning seat is one multinomial draw over
    # the seats, and the seats' rows are not independent samples. The contingency statistic
    # is the goodness-of-fit one times N/(N-1) (twice as large for two seats: seat 1's wins
    # are seat 0's losses), so it would overstate first-mover bias. Fractional wins from
    # ties are used as they are (a close approximation). Team games, where several seats
    # win at once, break the one-win-per-game model: read their p-value with care.
    total = math.fsum(wins)
    dof = num_seats - 1
    chi2: float | None = None
    p: float | None = None
    if total > 0 and num_seats > 1:
        res = stats.chisquare(wins, [total / num_seats] * num_seats)
        chi2, p = float(res.statistic), float(res.pvalue)
    return SeatTable(num_seats=num_seats, games=n, seats=tuple(rows), chi2=chi2, dof=dof, p=p)


def seat_by_agent(records: Sequence["GameRecord"], names: Sequence[str],
                  num_seats: int) -> dict[str, list[float | None]]:
    """Each name's win rate in each seat (None where it never sat there)."""
    _check_seats(records, num_seats)
    wins = {name: [0.0] * num_seats for name in names}
    count = {name: [0] * num_seats for name in names}
    for rec in records:
        for seat, label in enumerate(rec.labels):
            if label in wins:
                wins[label][seat] += rec.win_shares[seat]
                count[label][seat] += 1
    return {name: [wins[name][s] / count[name][s] if count[name][s] else None
                   for s in range(num_seats)] for name in names}
