"""Ratings of entrants from game records: Bradley-Terry Elo with bootstrap intervals,
openskill Plackett-Luce ratings and a head-to-head matrix (the SPRT is in
:mod:`arena.stats.sprt`).

The fits and the rating updates come from scipy and openskill; this module only turns game
records into the comparisons those libraries need and gathers the results.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from arena.stats.results import entrant_results

if TYPE_CHECKING:  # pragma: no cover
    from arena.play.match import GameRecord

#: Elo points per unit of natural-log strength: P(win) = 1 / (1 + 10^(-d/400)) is the
#: logistic function of d * ln(10) / 400.
ELO_PER_LOG = 400.0 / math.log(10.0)
#: The rating the pool mean (or the anchor agent) is given.
ELO_CENTER = 1500.0
#: Box bound on a fitted natural-log strength (about +-5200 Elo from the component's first
#: agent). It only binds where the maximum-likelihood estimate does not exist (an agent
#: that never lost, or never won, with ``prior_draws=0``); it keeps the optimizer finite.
_MAX_LOG_STRENGTH = 30.0


# --------------------------------------------------------------------------- comparisons

def _game_pairs(rec: "GameRecord") -> list[tuple[str, str, float]]:
    """One game's comparisons: every pair of seats with different labels, scored by rank.
    In a team game only seats of different teams are compared: teammates share one result,
    which says nothing about which of them is stronger (it is not a draw between them)."""
    out: list[tuple[str, str, float]] = []
    labels, ranks, teams = rec.labels, rec.ranks, getattr(rec, "teams", None)
    for i in range(len(labels)):
        for j in range(i + 1, len(labels)):
            if labels[i] == labels[j] or (teams is not None and teams[i] == teams[j]):
                # Two seats of the same entrant, or of one team, say nothing about strength.
                continue
            ri, rj = ranks[i], ranks[j]
            score = 1.0 if ri < rj else 0.0 if ri > rj else 0.5
            out.append((labels[i], labels[j], score))
    return out


def pairwise_results(records: Iterable["GameRecord"]) -> list[tuple[str, str, float]]:
    """Every pair of seats (i < j) with different labels as ``(label_i, label_j, score_i)``.

    ``score_i`` is 1 if seat i ranked better (lower rank) than seat j, 0 if worse, 0.5 if
    tied. An N-player table thus gives N(N-1)/2 comparisons (fewer where one entrant holds
    several seats), in game order and seat order.
    """
    out: list[tuple[str, str, float]] = []
    for rec in records:
        out.extend(_game_pairs(rec))
    return out


def _unique(names: Iterable[str]) -> list[str]:
    """Names in first-seen order without repeats (a name given twice is one agent)."""
    return list(dict.fromkeys(names))


# --------------------------------------------------------------------------- Bradley-Terry

def _score_matrices(idx_i: np.ndarray, idx_j: np.ndarray, scores: np.ndarray,
                    weights: np.ndarray | None, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(W, N): W[a, b] = score a made against b, N[a, b] = N[b, a] = comparisons of a and b."""
    w = np.ones_like(scores) if weights is None else weights
    flat_ab = idx_i * k + idx_j
    flat_ba = idx_j * k + idx_i
    W = (np.bincount(flat_ab, weights=w * scores, minlength=k * k)
         + np.bincount(flat_ba, weights=w * (1.0 - scores), minlength=k * k)).reshape(k, k)
    N = (np.bincount(flat_ab, weights=w, minlength=k * k)
         + np.bincount(flat_ba, weights=w, minlength=k * k)).reshape(k, k)
    return W, N


def _fit_component(W: np.ndarray, N: np.ndarray) -> np.ndarray:
    """Maximum-likelihood natural-log strengths of one connected group, first one pinned to 0.

    Minimizes the Bradley-Terry negative log-likelihood with L-BFGS-B and its analytic
    gradient; the objective is divided by the number of comparisons so that the stopping
    tolerances mean the same thing for ten games or ten thousand.
    """
    from scipy.optimize import minimize
    from scipy.special import expit, log_expit

    k = W.shape[0]
    total = N.sum() / 2.0

    def objective(x: np.ndarray) -> tuple[float, np.ndarray]:
        theta = np.concatenate(([0.0], x))
        diff = theta[:, None] - theta[None, :]
        nll = -float(np.sum(W * log_expit(diff)))
        # d(-loglik)/d(theta_a) = -sum_b (W_ab - N_ab * P(a beats b))
        grad = -(W - N * expit(diff)).sum(axis=1)
        return nll / total, grad[1:] / total

    res = minimize(objective, np.zeros(k - 1), jac=True, method="L-BFGS-B",
                   bounds=[(-_MAX_LOG_STRENGTH, _MAX_LOG_STRENGTH)] * (k - 1),
                   options={"ftol": 1e-15, "gtol": 1e-11, "maxiter": 10_000})
    return np.concatenate(([0.0], res.x))


def _fit_matrices(W: np.ndarray, N: np.ndarray, names: list[str], prior_draws: float,
                  anchor: str | None) -> np.ndarray:
    """Elo ratings (NaN where unrated) from score and count matrices over ``names``."""
    from scipy.sparse.csgraph import connected_components

    k = len(names)
    met = N > 0
    if prior_draws:
        # Virtual draws between every pair that met: half a win each way.
        W = W + 0.5 * prior_draws * met
        N = N + prior_draws * met
    elo = np.full(k, math.nan)
    n_comp, comp = connected_components(met, directed=False)
    anchor_idx = names.index(anchor) if anchor is not None else -1
    for c in range(n_comp):
        members = np.flatnonzero(comp == c)
        if len(members) < 2:
            continue  # an agent that met nobody has no rating
        sub = np.ix_(members, members)
        r = _fit_component(W[sub], N[sub]) * ELO_PER_LOG
        if anchor_idx in members:
            r += ELO_CENTER - r[members.tolist().index(anchor_idx)]
        else:
            r += ELO_CENTER - r.mean()
        elo[members] = r
    return elo


def _check_anchor(names: list[str], anchor: str | None) -> None:
    if anchor is not None and anchor not in names:
        raise ValueError(f"anchor {anchor!r} is not one of the names")


def bradley_terry(results: Iterable[tuple[str, str, float]], names: Sequence[str],
                  prior_draws: float = 1.0, anchor: str | None = None) -> dict[str, float]:
    """Bradley-Terry maximum-likelihood ratings on the Elo scale.

    ``results`` are ``(a, b, score_a)`` comparisons (see :func:`pairwise_results`); a draw
    (0.5) counts as half a win for each side. A rating difference d means
    P(win) = 1 / (1 + 10^(-d/400)).

    ``prior_draws``: this many virtual draws are added between every pair of names that
    actually met. That keeps an agent that never lost (or never won) finite, and pulls
    ratings very slightly together; 0 gives the pure maximum-likelihood fit, which does not
    exist (ratings run off to a box bound of about +-5200 Elo) under such separation.

    Anchoring: the mean rating of the rated ``names`` is 1500, or, if ``anchor`` names one of
    them, that agent is 1500. Comparisons involving a label outside ``names`` are dropped;
    names with no comparisons get NaN.

    Disconnected comparison graphs: groups of agents that never met (directly or through
    others) share no scale, so each group is fitted on its own and centred on 1500 by its
    own mean (the anchor's group by the anchor; an anchor with no comparisons anchors
    nothing). Ratings from different groups are not comparable.
    """
    names = _unique(names)
    _check_anchor(names, anchor)
    index = {n: i for i, n in enumerate(names)}
    ii, jj, ss = [], [], []
    for a, b, s in results:
        if a in index and b in index and a != b:
            ii.append(index[a])
            jj.append(index[b])
            ss.append(float(s))
    k = len(names)
    W, N = _score_matrices(np.array(ii, dtype=np.int64), np.array(jj, dtype=np.int64),
                           np.array(ss, dtype=float), None, k)
    elo = _fit_matrices(W, N, names, prior_draws, anchor)
    return {n: float(elo[i]) for i, n in enumerate(names)}


# --------------------------------------------------------------------------- bootstrap

#: Bootstrap resamples the summary takes by default: with fewer, the 2.5th and 97.5th
#: percentiles are noisy and on average fall inside the true ones.
DEFAULT_BOOTSTRAP = 1000


def deal_clusters(records: Sequence["GameRecord"]) -> tuple[np.ndarray, int]:
    """Each record's card deal as an index (first-seen order of the records' ``seed``), and
    the number of deals.

    Every seat rotation of a deal, and every table of a stage, replays the same deal seed:
    those games share one card deal and their results are not independent (each rotation
    hands the same cards to another seat), so the bootstrap draws deals, not games.
    """
    ids: dict[int, int] = {}
    idx = np.fromiter((ids.setdefault(rec.seed, len(ids)) for rec in records), dtype=np.int64,
                      count=len(records))
    return idx, len(ids)


def _resample_counts(n_clusters: int, reps: int, seed: int,
                     cells: int = 2_000_000) -> Iterable[np.ndarray]:
    """Blocks of rows of the bootstrap's draw counts: row r says how often replicate r drew
    each of the ``n_clusters`` deals (``n_clusters`` draws with replacement). The same
    ``seed`` gives the same rows, so two statistics resampled with one seed share deals."""
    rng = np.random.default_rng(seed)
    block = max(1, cells // max(n_clusters, 1))
    for start in range(0, reps, block):
        m = min(block, reps - start)
        draws = rng.integers(0, n_clusters, size=(m, n_clusters))
        offsets = (np.arange(m, dtype=np.int64) * n_clusters)[:, None]
        yield np.bincount((draws + offsets).ravel(),
                          minlength=m * n_clusters).reshape(m, n_clusters).astype(float)


def _ranks(values: np.ndarray) -> np.ndarray:
    """Per row, rank 1 = largest among the finite entries (ties share the best rank); NaN
    where the value is NaN."""
    from scipy.stats import rankdata

    filled = np.where(np.isnan(values), -np.inf, values)
    ranks = rankdata(-filled, method="min", axis=1).astype(float)
    ranks[np.isnan(values)] = math.nan
    return ranks


def _percentile_summary(point: np.ndarray, boot: np.ndarray,
                        names: list[str], key: str) -> dict[str, dict[str, Any]]:
    """Per name: ``key`` (the point estimate), ``ci`` (2.5th and 97.5th percentiles of the
    replicates) and ``rank_ci`` (2.5th percentile of the replicate ranks rounded down, the
    97.5th rounded up); NaN where no replicate has a value."""
    ranks = _ranks(boot)
    out: dict[str, dict[str, Any]] = {}
    for i, n in enumerate(names):
        col, rcol = boot[:, i], ranks[:, i]
        if np.all(np.isnan(col)):
            ci: tuple[float, float] = (math.nan, math.nan)
            rank_ci: tuple[float, float] = (math.nan, math.nan)
        else:
            ci = (float(np.nanpercentile(col, 2.5)), float(np.nanpercentile(col, 97.5)))
            rank_ci = (int(np.nanpercentile(rcol, 2.5, method="lower")),
                       int(np.nanpercentile(rcol, 97.5, method="higher")))
        out[n] = {key: float(point[i]), "ci": ci, "rank_ci": rank_ci}
    return out


def _log_lik(theta: np.ndarray, W: np.ndarray) -> np.ndarray:
    from scipy.special import log_expit

    return np.sum(W * log_expit(theta[:, :, None] - theta[:, None, :]), axis=(1, 2))


def _fit_batch(W: np.ndarray, N: np.ndarray, prior_draws: float,
               anchor_idx: int) -> np.ndarray:
    """Elo ratings of many replicates at once: ``W``, ``N`` are (m, k, k) score and count
    matrices; the same fit as :func:`_fit_matrices` (virtual draws between pairs that met,
    the rated agents' mean or the anchor at 1500, NaN for agents with no comparisons).

    Damped Newton steps on all replicates together (the log-likelihood is concave, strictly
    so where the fit exists). A replicate whose fit has no single finite maximum (rated
    agents in separate groups; without virtual draws, also a side that never scored against
    the rest) is fitted by :func:`_fit_matrices` instead.
    """
    from scipy.special import expit

    m, k, _ = W.shape
    met = N > 0
    rated = np.asarray(met.any(axis=2))
    # Which rated agent reaches which along "met" (with virtual draws) or along "scored
    # against" (without): log2(k) boolean squarings of the graph suffice.
    reach = (met if prior_draws > 0 else W > 0) | np.eye(k, dtype=bool)[None]
    for _ in range(max(1, math.ceil(math.log2(max(k, 2))))):
        step_reach = reach.astype(np.int64)
        reach = np.einsum("mij,mjl->mil", step_reach, step_reach) > 0
    both = rated[:, :, None] & rated[:, None, :]
    batch = np.asarray(~np.any(both & ~reach, axis=(1, 2)))
    elo = np.full((m, k), math.nan)
    names = [str(i) for i in range(k)]
    anchor = names[anchor_idx] if anchor_idx >= 0 else None
    for r in np.flatnonzero(~batch):
        elo[r] = _fit_matrices(W[r], N[r], names, prior_draws, anchor)
    if not batch.any():
        return elo

    Wb = W[batch] + 0.5 * prior_draws * met[batch]
    Nb = N[batch] + prior_draws * met[batch]
    u = rated[batch].astype(float)
    theta = np.zeros(Wb.shape[:2])
    ll = _log_lik(theta, Wb)
    eye = np.eye(k)[None]
    for _ in range(200):
        p = expit(theta[:, :, None] - theta[:, None, :])
        grad = (Wb - Nb * p).sum(axis=2)
        curv = Nb * p * (1.0 - p)
        lap = eye * curv.sum(axis=2)[:, :, None] - curv
        # Pin the free shift (rated agents' mean) and leave unrated agents where they are.
        system = lap + u[:, :, None] * u[:, None, :] / k + eye * (1.0 - u)[:, :, None]
        step = np.linalg.solve(system, grad[:, :, None])[:, :, 0]
        t = np.ones(len(theta))
        for _ in range(40):
            trial = _log_lik(theta + t[:, None] * step, Wb)
            worse = trial < ll - 1e-12 * np.abs(ll)
            if not worse.any():
                break
            t[worse] *= 0.5
        theta = theta + t[:, None] * step
        ll = _log_lik(theta, Wb)
        if np.max(np.abs(t[:, None] * step)) < 1e-10:
            break
    out = theta * ELO_PER_LOG
    if anchor_idx >= 0:
        shift = ELO_CENTER - out[:, anchor_idx]
        no_anchor = ~rated[batch][:, anchor_idx]
        shift[no_anchor] = (ELO_CENTER - (out * u).sum(axis=1) / u.sum(axis=1))[no_anchor]
    else:
        shift = ELO_CENTER - (out * u).sum(axis=1) / np.maximum(u.sum(axis=1), 1.0)
    out = out + shift[:, None]
    out[u == 0] = math.nan
    elo[batch] = out
    return elo


def bootstrap_elo(records: Sequence["GameRecord"], names: Sequence[str],
                  reps: int = DEFAULT_BOOTSTRAP, seed: int = 0, prior_draws: float = 1.0,
                  anchor: str | None = None) -> dict[str, dict[str, Any]]:
    """Bradley-Terry Elo with percentile-bootstrap 95% intervals, resampling card deals.

    A cluster bootstrap: the card deals (the records' ``seed``, see :func:`deal_clusters`)
    are drawn with replacement and every game of a drawn deal comes with it, since the
    games that replay one deal (its seat rotations, and the other tables of the stage) are
    not independent, nor are the comparisons of one N-player table. Each replicate is
    refitted as the point estimate (:func:`bradley_terry` with the same ``prior_draws`` and
    ``anchor``). Seeded with ``numpy.random.default_rng(seed)``: the same seed gives the
    same output.

    Returns per name ``{"elo": point estimate on all games, "ci": (2.5th, 97.5th percentile
    of the replicate ratings), "rank_ci": (lo, hi)}``, where ranks are 1 = best among the
    agents rated in that replicate and ``rank_ci`` takes the 2.5th percentile rounded down
    and the 97.5th rounded up to whole ranks (widening it, never narrowing it). A name
    with no rating in any replicate gets NaN, and so does every interval when the games
    hold fewer than two deals.
    """
    names = _unique(names)
    _check_anchor(names, anchor)
    k = len(names)
    index = {n: i for i, n in enumerate(names)}
    cluster, n_clusters = deal_clusters(records)

    # Every deal's comparisons summed into its own score and count matrices once; a
    # replicate's matrices are then the deals' matrices weighted by how often it drew them.
    deal_of, ii, jj, ss = [], [], [], []
    for g, rec in enumerate(records):
        for a, b, s in _game_pairs(rec):
            if a in index and b in index:
                deal_of.append(cluster[g])
                ii.append(index[a])
                jj.append(index[b])
                ss.append(s)
    deal_arr = np.array(deal_of, dtype=np.int64)
    ii_arr, jj_arr = np.array(ii, dtype=np.int64), np.array(jj, dtype=np.int64)
    ss_arr = np.array(ss, dtype=float)
    W, N = _score_matrices(ii_arr, jj_arr, ss_arr, None, k)
    point = _fit_matrices(W, N, names, prior_draws, anchor)

    cells = k * k
    wins = (np.bincount(deal_arr * cells + ii_arr * k + jj_arr, weights=ss_arr,
                        minlength=n_clusters * cells)
            + np.bincount(deal_arr * cells + jj_arr * k + ii_arr, weights=1.0 - ss_arr,
                          minlength=n_clusters * cells)).reshape(n_clusters, cells)
    met = (np.bincount(deal_arr * cells + ii_arr * k + jj_arr, minlength=n_clusters * cells)
           + np.bincount(deal_arr * cells + jj_arr * k + ii_arr,
                         minlength=n_clusters * cells)).reshape(n_clusters, cells)
    anchor_idx = index[anchor] if anchor is not None else -1
    boot = np.full((reps, k), math.nan)
    if n_clusters > 1:  # one deal says nothing about how results vary between deals
        row = 0
        for counts in _resample_counts(n_clusters, reps, seed):
            m = len(counts)
            boot[row:row + m] = _fit_batch((counts @ wins).reshape(m, k, k),
                                           (counts @ met).reshape(m, k, k), prior_draws,
                                           anchor_idx)
            row += m
    return _percentile_summary(point, boot, names, "elo")


def bootstrap_payoff(records: Sequence["GameRecord"], names: Sequence[str],
                     reps: int = DEFAULT_BOOTSTRAP, seed: int = 0) -> dict[str, dict[str, Any]]:
    """Mean payoff per seat played, with a cluster-bootstrap 95% interval and rank interval.

    The same resampling of card deals as :func:`bootstrap_elo` (with the same ``seed`` the
    same replicates), applied to each entrant's mean return over the seats it held (the
    summary's ``payoff``). Returns per name ``{"payoff", "ci", "rank_ci"}``, ranks 1 = the
    highest mean payoff in that replicate; NaN for a name that never played, and intervals
    NaN when the games hold fewer than two deals.
    """
    names = _unique(names)
    k = len(names)
    index = {n: i for i, n in enumerate(names)}
    cluster, n_clusters = deal_clusters(records)
    total = np.zeros((n_clusters, k))
    seats = np.zeros((n_clusters, k))
    for g, rec in enumerate(records):
        c = cluster[g]
        for label, ret in zip(rec.labels, rec.returns):
            i = index.get(label)
            if i is not None:
                total[c, i] += ret
                seats[c, i] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        point = total.sum(axis=0) / seats.sum(axis=0)
        boot = np.full((reps, k), math.nan)
        if n_clusters > 1:
            row = 0
            for counts in _resample_counts(n_clusters, reps, seed):
                m = len(counts)
                boot[row:row + m] = (counts @ total) / (counts @ seats)
                row += m
    return _percentile_summary(point, boot, names, "payoff")


# --------------------------------------------------------------------------- separation

def elo_separation(results: Iterable[tuple[str, str, float]], names: Sequence[str],
                   elo: dict[str, float] | None = None,
                   level: float = 0.95) -> dict[str, dict[str, Any]]:
    """Which agents' Elo the data cannot place: their rating is set by the virtual draws.

    The Bradley-Terry maximum-likelihood fit exists only where, in each group of agents that
    met, every split of the group into two sides has each side scoring (a win or a draw)
    against the other. Otherwise the fit would push the sides infinitely far apart, and the
    finite ratings :func:`bradley_terry` reports for them come from ``prior_draws`` alone
    (an agent that lost every comparison gets 780 or 877 Elo as the prior says).

    Here the group's strongly connected parts (agents linked both ways by "scored against")
    are found; where there are several, every agent outside the largest part is separated
    (all of them if the largest is not unique). A separated part that never dropped a point
    against the rest is ``"above"`` them, one that never scored against them ``"below"``.

    With ``elo`` (the fitted ratings), an agent above or below the rest also gets a
    one-sided ``level`` bound, given the others' ratings as fitted and treating its
    comparisons with them as independent: the ratings at which a record as one-sided as
    its own has probability ``1 - level`` or more. ``"bound": (lo, None)`` means ``> lo``,
    ``(None, hi)`` means ``< hi``.

    Returns per name ``{"separated": bool, "side": "above" | "below" | None,
    "bound": (lo, hi) | None}``.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    names = _unique(names)
    k = len(names)
    index = {n: i for i, n in enumerate(names)}
    W = np.zeros((k, k))
    N = np.zeros((k, k))
    for a, b, s in results:
        if a in index and b in index and a != b:
            i, j = index[a], index[b]
            W[i, j] += s
            W[j, i] += 1.0 - s
            N[i, j] += 1
            N[j, i] += 1
    out: dict[str, dict[str, Any]] = {
        n: {"separated": False, "side": None, "bound": None} for n in names}
    _, group = connected_components(csr_matrix(N > 0), directed=False)
    _, part = connected_components(csr_matrix(W > 0), directed=True, connection="strong")
    for g in np.unique(group):
        members = np.flatnonzero(group == g)
        parts = np.unique(part[members])
        if len(members) < 2 or len(parts) < 2:
            continue
        sizes = {p: int(np.sum(part[members] == p)) for p in parts}
        biggest = max(sizes.values())
        keep = [p for p, s in sizes.items() if s == biggest]
        for p in parts:
            if len(keep) == 1 and p == keep[0]:
                continue
            inside = members[part[members] == p]
            outside = members[part[members] != p]
            lost = W[np.ix_(outside, inside)].sum() > 0    # the rest scored against it
            scored = W[np.ix_(inside, outside)].sum() > 0  # it scored against the rest
            side = "above" if not lost else "below" if not scored else None
            for i in inside:
                bound = None
                if side is not None and elo is not None:
                    bound = _one_sided_bound(side, N[i, outside],
                                             np.array([elo[names[j]] for j in outside]),
                                             level)
                out[names[i]] = {"separated": True, "side": side, "bound": bound}
    return out


def _one_sided_bound(side: str, n: np.ndarray, opponents: np.ndarray,
                     level: float) -> tuple[float | None, float | None] | None:
    """The rating x where winning (``side="above"``) or losing (``"below"``) all ``n[j]``
    comparisons with opponents rated ``opponents[j]`` has probability ``1 - level``."""
    from scipy.optimize import brentq
    from scipy.special import log_expit

    ok = (n > 0) & np.isfinite(opponents)
    n, opponents = n[ok], opponents[ok]
    if not len(n):
        return None
    sign = 1.0 if side == "above" else -1.0
    target = math.log(1.0 - level)

    def excess(x: float) -> float:
        # log P(the one-sided record | rating x) minus log(1 - level)
        return float(np.sum(n * log_expit(sign * (x - opponents) / ELO_PER_LOG))) - target

    lo, hi = float(opponents.min()) - 10_000.0, float(opponents.max()) + 10_000.0
    x = brentq(excess, lo, hi, xtol=1e-6)
    return (x, None) if side == "above" else (None, x)


def rank_above(a: str, b: str, boot: dict[str, dict[str, Any]]) -> bool:
    """Whether ``a`` ranks above ``b``: only where a's CI lies wholly above b's (no overlap)."""
    lo_a = boot[a]["ci"][0]
    hi_b = boot[b]["ci"][1]
    # NaN compares False: an unrated agent ranks above nobody and below nobody.
    return bool(lo_a > hi_b)


# --------------------------------------------------------------------------- openskill

def job_order(job_id: str) -> tuple:
    """Sort key of a job id: its text with every run of digits compared as a number
    (``t2/d9`` before ``t10/d0``)."""
    import re

    return tuple(int(part) if i % 2 else part
                 for i, part in enumerate(re.split(r"(\d+)", job_id)))


def openskill_ratings(records: Iterable["GameRecord"], names: Sequence[str],
                      model: Any = None) -> dict[str, dict[str, float]]:
    """Weng-Lin Plackett-Luce ratings from the openskill package.

    The ratings are updated game by game, so they depend on the order of the games. The
    games are taken in job-id order (:func:`job_order`: stage, table, deal, rotation, with
    numbers compared as numbers), whatever order the records come in, so a serial run,
    worker processes and Ray give the same ratings; records with equal job ids keep their
    given order.

    Each distinct label at a table is one team of one player, ranked by the best (lowest)
    rank of its seats; a game with fewer than two distinct labels changes nothing. In a team
    game (records with ``teams``) each team is one openskill team of its seats' labels.
    Labels
    outside ``names`` still take part (they are opponents) but are not reported. ``model``
    defaults to ``openskill.models.PlackettLuce()`` with the library's defaults.

    Returns per name ``{"mu", "sigma", "ordinal"}`` (ordinal = mu - 3 sigma, the library's
    ``ordinal()``); a name that never played keeps the prior rating.
    """
    if model is None:
        from openskill.models import PlackettLuce

        model = PlackettLuce()
    ratings: dict[str, Any] = {}

    def get(label: str) -> Any:
        if label not in ratings:
            ratings[label] = model.rating(name=label)
        return ratings[label]

    for rec in sorted(records, key=lambda r: job_order(r.job_id)):
        if getattr(rec, "teams", None) is not None:
            _rate_teams(model, rec, get, ratings)
            continue
        best = {label: r.rank for label, r in entrant_results(rec).items()}
        if len(best) < 2:
            continue
        labels = list(best)
        teams = [[get(label)] for label in labels]
        new = model.rate(teams, ranks=[best[label] for label in labels])
        for label, team in zip(labels, new):
            ratings[label] = team[0]

    out: dict[str, dict[str, float]] = {}
    for n in _unique(names):
        r = get(n)
        out[n] = {"mu": float(r.mu), "sigma": float(r.sigma), "ordinal": float(r.ordinal())}
    return out


# --------------------------------------------------------------------------- head to head

def head_to_head(records: Iterable["GameRecord"],
                 names: Sequence[str]) -> dict[str, dict[str, float | None]]:
    """Mean score of row agent A against column agent B over all their pairwise comparisons.

    Scores are by rank as in :func:`pairwise_results` (win 1, tie 0.5, loss 0), so
    ``h2h[A][B] + h2h[B][A] == 1`` wherever they met. None where they never met, and on
    the diagonal.
    """
    names = _unique(names)
    total: dict[tuple[str, str], float] = {}
    count: dict[tuple[str, str], int] = {}
    for a, b, s in pairwise_results(records):
        for key, val in (((a, b), s), ((b, a), 1.0 - s)):
            total[key] = total.get(key, 0.0) + val
            count[key] = count.get(key, 0) + 1
    return {a: {b: (total[(a, b)] / count[(a, b)] if a != b and (a, b) in count else None)
                for b in names} for a in names}


def _rate_teams(model: Any, rec: "GameRecord", get: Any, ratings: dict[str, Any]) -> None:
    """One team game in openskill's team model: each team is the distinct labels of its
    seats, ranked by the team's rank (teammates share a result, they are not opponents who
    drew); a label seated on two teams says nothing about itself and is left out."""
    members: dict[str, list[str]] = {}
    rank: dict[str, int] = {}
    for label, team, r in zip(rec.labels, rec.teams or (), rec.ranks):
        if label not in members.setdefault(team, []):
            members[team].append(label)
        rank[team] = min(rank.get(team, r), r)
    both = {label for label in rec.labels
            if sum(label in ms for ms in members.values()) > 1}
    teams = {t: [m for m in ms if m not in both] for t, ms in members.items()}
    teams = {t: ms for t, ms in teams.items() if ms}
    if len(teams) < 2:
        return
    order = list(teams)
    new = model.rate([[get(m) for m in teams[t]] for t in order],
                     ranks=[rank[t] for t in order])
    for t, team in zip(order, new):
        for label, rating in zip(teams[t], team):
            ratings[label] = rating
