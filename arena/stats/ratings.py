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
    """One game's comparisons: every pair of seats with different labels, scored by rank."""
    out: list[tuple[str, str, float]] = []
    labels, ranks = rec.labels, rec.ranks
    for i in range(len(labels)):
        for j in range(i + 1, len(labels)):
            if labels[i] == labels[j]:
                # Two seats of the same entrant say nothing about its strength.
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
            r += ELO_CENTER - r[list(members).index(anchor_idx)]
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

def bootstrap_elo(records: Sequence["GameRecord"], names: Sequence[str], reps: int = 200,
                  seed: int = 0, prior_draws: float = 1.0,
                  anchor: str | None = None) -> dict[str, dict[str, Any]]:
    """Bradley-Terry Elo with percentile-bootstrap 95% intervals, resampling whole games.

    Games (not comparisons) are drawn with replacement, since the comparisons of one
    N-player table are not independent. Each replicate is refitted exactly as the point
    estimate (:func:`bradley_terry` with the same ``prior_draws`` and ``anchor``). Seeded
    with ``numpy.random.default_rng(seed)``: the same seed gives the same output.

    Returns per name ``{"elo": point estimate on all games, "ci": (2.5th, 97.5th percentile
    of the replicate ratings), "rank_ci": (lo, hi)}``, where ranks are 1 = best among the
    agents rated in that replicate and ``rank_ci`` takes the 2.5th percentile rounded down
    and the 97.5th rounded up to whole ranks (widening it, never narrowing it). A name
    with no rating in any replicate gets NaN.
    """
    from scipy.stats import rankdata

    names = _unique(names)
    _check_anchor(names, anchor)
    k = len(names)
    index = {n: i for i, n in enumerate(names)}

    # Flatten every game's comparisons once; a replicate only reweights them by how many
    # times it drew each game.
    game_of, ii, jj, ss = [], [], [], []
    for g, rec in enumerate(records):
        for a, b, s in _game_pairs(rec):
            if a in index and b in index:
                game_of.append(g)
                ii.append(index[a])
                jj.append(index[b])
                ss.append(s)
    n_games = len(records)
    game_arr = np.array(game_of, dtype=np.int64)
    ii_arr, jj_arr = np.array(ii, dtype=np.int64), np.array(jj, dtype=np.int64)
    ss_arr = np.array(ss, dtype=float)

    def fit(weights: np.ndarray | None) -> np.ndarray:
        W, N = _score_matrices(ii_arr, jj_arr, ss_arr, weights, k)
        return _fit_matrices(W, N, names, prior_draws, anchor)

    point = fit(None)
    rng = np.random.default_rng(seed)
    boot = np.full((reps, k), math.nan)
    ranks = np.full((reps, k), math.nan)
    for r in range(reps):
        if n_games == 0:
            break
        counts = np.bincount(rng.integers(0, n_games, n_games), minlength=n_games)
        elo = fit(counts[game_arr].astype(float))
        boot[r] = elo
        ok = ~np.isnan(elo)
        ranks[r, ok] = rankdata(-elo[ok], method="min")

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
        out[n] = {"elo": float(point[i]), "ci": ci, "rank_ci": rank_ci}
    return out


def rank_above(a: str, b: str, boot: dict[str, dict[str, Any]]) -> bool:
    """Whether ``a`` ranks above ``b``: only where a's CI lies wholly above b's (no overlap)."""
    lo_a = boot[a]["ci"][0]
    hi_b = boot[b]["ci"][1]
    # NaN compares False: an unrated agent ranks above nobody and below nobody.
    return bool(lo_a > hi_b)


# --------------------------------------------------------------------------- openskill

def openskill_ratings(records: Iterable["GameRecord"], names: Sequence[str],
                      model: Any = None) -> dict[str, dict[str, float]]:
    """Weng-Lin Plackett-Luce ratings from the openskill package, games taken in order.

    Each distinct label at a table is one team of one player, ranked by the best (lowest)
    rank of its seats; a game with fewer than two distinct labels changes nothing. Labels
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

    for rec in records:
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
