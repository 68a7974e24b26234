"""One game's result per entrant: the one aggregation every statistic reads.

A record stores per seat the return, rank and win share; a forfeit is already scored there
by the forfeit rule (``Outcome.forfeited``: the forfeiting seat gets the game's lowest
possible return and ranks last, the others share what it loses and the win), so no
statistic treats forfeits on its own. An entrant that holds several seats of one game
(the same agent twice at a table) is one entrant there: its win share and payoff are the
means over its seats, its rank the best of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from arena.play.match import GameRecord


@dataclass(frozen=True)
class EntrantResult:
    """What one entrant got from one game."""

    label: str
    seats: tuple[int, ...]
    win_share: float
    """Mean win share over its seats (1 for a sole win, 1/k in a k-way tie for first)."""
    payoff: float
    """Mean return over its seats, in the game's units (forfeits scored by the rule)."""
    rank: int
    """Best rank of its seats (0 is first)."""
    forfeit: bool
    """Whether one of its seats forfeited this game."""


def entrant_results(rec: "GameRecord") -> dict[str, EntrantResult]:
    """Each label's result in ``rec``, in seat order of first appearance."""
    seats: dict[str, list[int]] = {}
    for seat, label in enumerate(rec.labels):
        seats.setdefault(label, []).append(seat)
    out = {}
    for label, ss in seats.items():
        k = len(ss)
        out[label] = EntrantResult(
            label=label, seats=tuple(ss),
            win_share=sum(rec.win_shares[s] for s in ss) / k,
            payoff=sum(rec.returns[s] for s in ss) / k,
            rank=min(rec.ranks[s] for s in ss),
            forfeit=rec.forfeit in ss,
        )
    return out
