"""The sequential probability ratio test that stops a duel early, over deal blocks.

A duel replays each deal in every seat rotation, and the games of one deal are not
independent: the same cards can favour whoever holds a hand (the rotations then tend to
split) or reveal the stronger player in every seat (they then tend to agree). Chess
testing meets the same problem with game pairs on one opening and models the pair, not
the game (the pentanomial model of fishtest, cutechess and fastchess). Here the unit is
the **deal block**: agent A's mean score over one deal's rotations, a value in [0, 1]
(for two players one of 0, 1/4, 1/2, 3/4, 1). Blocks of different deals are independent,
so their sample variance is the right one; a per-game variance is wrong by the factor
1 + (rotations - 1) * (the correlation between rotations).

The test is the generalized SPRT (GSPRT) in its normal approximation: with
s = 1 / (1 + 10^(-elo / 400)) the expected score at an Elo difference, N blocks, their
sum S and variance v,

    LLR = (s1 - s0) * (2 * S - N * (s0 + s1)) / (2 * v)

against Wald's bounds log(beta / (1 - alpha)) and log((1 - beta) / alpha). A block's mean
is s at Elo difference elo whatever the correlation, so elo0 and elo1 keep their meaning.

``pseudo_blocks`` regularise the variance as if that many extra blocks had landed half a
point either side of the mean (each adds 0.25, the largest a block can add, to the sum of
squares): a one-sided start (every deal won) gives a finite, decisive LLR instead of an
undefined one, and the early, too-small variance estimates that make a GSPRT stop wrongly
are damped.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

#: The model's name in the summary's notes.
MODEL = "deal-block GSPRT"
#: The regularisation the tournaments use (see the module docstring).
PSEUDO_BLOCKS = 2.0

Decision = Literal["H1", "H0"]


def expected_score(elo: float) -> float:
    """The logistic expected score at an Elo difference: 1 / (1 + 10^(-elo / 400))."""
    return 1.0 / (1.0 + 10.0 ** (-elo / 400.0))


def sprt_bounds(alpha: float, beta: float) -> tuple[float, float]:
    """Wald's stopping bounds (lower, upper) = (log(beta/(1-alpha)), log((1-beta)/alpha))."""
    return (math.log(beta / (1.0 - alpha)), math.log((1.0 - beta) / alpha))


@dataclass
class BlockStats:
    """Count, mean and sum of squared deviations of deal blocks, updated as they come."""

    n: int = 0
    mean: float = 0.0
    m2: float = 0.0

    def add(self, blocks: Iterable[float]) -> None:
        for x in blocks:  # Welford's update
            self.n += 1
            d = x - self.mean
            self.mean += d / self.n
            self.m2 += d * (x - self.mean)

    def variance(self, pseudo_blocks: float = 0.0) -> float:
        """The sample variance of a block (n - 1 denominator), with ``pseudo_blocks`` extra
        blocks half a point from the mean; 0.0 where it is undefined."""
        dof = self.n - 1 + pseudo_blocks
        if self.n == 0 or dof <= 0:
            return 0.0
        return (self.m2 + 0.25 * pseudo_blocks) / dof


def llr_of(stats: BlockStats, elo0: float, elo1: float, pseudo_blocks: float = 0.0) -> float:
    """The GSPRT log-likelihood ratio of H1 (Elo difference elo1) against H0 (elo0) from
    block statistics; 0.0 while the variance is undefined or zero."""
    var = stats.variance(pseudo_blocks)
    if var <= 0.0:
        return 0.0
    s0, s1 = expected_score(elo0), expected_score(elo1)
    total = stats.mean * stats.n
    return (s1 - s0) * (2.0 * total - stats.n * (s0 + s1)) / (2.0 * var)


def sprt_llr(blocks: Sequence[float], elo0: float, elo1: float,
             pseudo_blocks: float = 0.0) -> float:
    """The log-likelihood ratio over deal blocks (each A's mean score over one deal)."""
    stats = BlockStats()
    stats.add(blocks)
    return llr_of(stats, elo0, elo1, pseudo_blocks)


def sprt_decision(llr: float, alpha: float, beta: float) -> Decision | None:
    """``"H1"`` once the LLR reaches the upper bound, ``"H0"`` at the lower, else ``None``
    (keep playing). ``alpha`` is the false-H1 rate, ``beta`` the false-H0 rate."""
    lower, upper = sprt_bounds(alpha, beta)
    if llr >= upper:
        return "H1"
    if llr <= lower:
        return "H0"
    return None


def deal_blocks(keyed_scores: Iterable[tuple[Hashable, float]], per_deal: int) -> list[float]:
    """Deal blocks from (deal key, A's score in one game) pairs: the mean score of each
    deal that has all its ``per_deal`` games, in the order the deals first appear. A deal
    with games missing (a run stopped mid-deal) is left out until it is complete."""
    games: dict[Hashable, list[float]] = {}
    for key, x in keyed_scores:
        games.setdefault(key, []).append(x)
    return [sum(xs) / len(xs) for xs in games.values() if len(xs) == per_deal]


@dataclass
class Sprt:
    """A sequential test over deal blocks: add blocks, read the LLR and the decision."""

    elo0: float
    elo1: float
    alpha: float = 0.05
    beta: float = 0.05
    pseudo_blocks: float = PSEUDO_BLOCKS
    stats: BlockStats = field(default_factory=BlockStats)

    def add(self, blocks: Iterable[float]) -> None:
        self.stats.add(blocks)

    @property
    def deals(self) -> int:
        return self.stats.n

    @property
    def llr(self) -> float:
        return llr_of(self.stats, self.elo0, self.elo1, self.pseudo_blocks)

    @property
    def bounds(self) -> tuple[float, float]:
        return sprt_bounds(self.alpha, self.beta)

    @property
    def decision(self) -> Decision | None:
        return sprt_decision(self.llr, self.alpha, self.beta)


def run_looks(test: Sprt, batches: Iterable[Sequence[float]]) -> Sprt:
    """Adds deal blocks batch by batch, looking at the test after each batch only, and stops
    at the first decision: later batches are never drawn (a lazy iterable that plays each
    batch plays no more than needed). Running out of batches, the deal cap, leaves the
    test undecided (``decision`` None): the cap decides nothing."""
    for blocks in batches:
        test.add(blocks)
        if test.decision is not None:
            break
    return test


def in_batches(blocks: Sequence[float], batch: int) -> Iterable[Sequence[float]]:
    """``blocks`` cut into consecutive batches of ``batch`` (the last may be shorter)."""
    return (blocks[i:i + batch] for i in range(0, len(blocks), batch))
