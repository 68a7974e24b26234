"""``format = "round_robin"``: every table of ``seats`` agents out of all of them, one stage
("round_robin"). It has no table of its own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tournaments.reader import TableReader
from tournaments.schedule import round_robin_tables

from .base import Format, NoSettings, SpecContext, Stages

if TYPE_CHECKING:  # pragma: no cover
    from tournaments.spec import Tournament


class RoundRobin(Format[NoSettings]):
    name = "round_robin"

    def parse(self, table: TableReader, spec: SpecContext) -> NoSettings:
        if len(spec.agents) < spec.seats:
            raise spec.fail("agents", f"a round robin of {spec.game.describe()} needs at least "
                            f"{spec.seats} agents, got {len(spec.agents)}")
        return NoSettings()

    def run(self, t: "Tournament", stages: Stages) -> None:
        jobs = stages.jobs(round_robin_tables("round_robin", t.names(), stages.n), t.deals)
        stages.expect(len(jobs))
        stages.play(jobs)
