"""Schedules: which tables play which deals, stage by stage (formats in the README).

Every table of a stage plays the same deals (deal ``d`` of a stage has one seed), and with
``seats = "rotate"`` each deal is replayed in every seat rotation, so the luck of the cards
cancels out within a table and between tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from arena.play.match import GameJob, match_jobs, with_time_per_move
from arena.core.seeding import derive_seed

from .spec import Tournament


@dataclass(frozen=True)
class Table:
    """Agents (by name) at one table, in their rotation-0 seat order."""

    stage: str
    index: int
    names: tuple[str, ...]

    @property
    def table_id(self) -> str:
        return f"{self.stage}/t{self.index}"


def round_robin_tables(stage: str, names: list[str], seats: int) -> list[Table]:
    """Every ``seats``-subset of ``names`` (one table when there are exactly ``seats``)."""
    return [Table(stage, i, combo) for i, combo in enumerate(combinations(names, seats))]


def gauntlet_tables(stage: str, candidates: tuple[str, ...], pool: list[str],
                    seats: int) -> list[Table]:
    """Each candidate with every ``seats - 1``-subset of the pool."""
    tables: list[Table] = []
    for c in candidates:
        for rest in combinations(pool, seats - 1):
            tables.append(Table(stage, len(tables), (c, *rest)))
    return tables


def head_to_head_table(stage: str, a: str, b: str, seats: int) -> Table:
    """Two agents filling a table alternately (a, b, a, b, ...)."""
    return Table(stage, 0, tuple(a if s % 2 == 0 else b for s in range(seats)))


def table_jobs(t: Tournament, table: Table, deals: int) -> list[GameJob]:
    """The games of one table: ``deals`` deals, each in every rotation (or fixed seats)."""
    specs = [t.entrant(name).spec for name in table.names]
    per_deal = len(specs) if t.seats == "rotate" else 1
    jobs = match_jobs(t.game, t.rules, specs, deals * per_deal, derive_seed(t.seed, table.stage),
                      t.seats, labels=list(table.names), prefix=table.table_id)
    return jobs if t.time_per_move is None else with_time_per_move(jobs, t.time_per_move)


def games_per_deal(t: Tournament, seats: int) -> int:
    return seats if t.seats == "rotate" else 1
