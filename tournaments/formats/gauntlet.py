"""``format = "gauntlet"``: candidates against the rest (the pool), one stage ("gauntlet").

```toml
[gauntlet]
candidates = ["expert"]        # agent names; each plays every table of the pool's others
```
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tournaments.reader import TableReader
from tournaments.schedule import gauntlet_tables

from .base import Format, SpecContext, Stages

if TYPE_CHECKING:  # pragma: no cover
    from tournaments.spec import Tournament


@dataclass(frozen=True)
class GauntletSettings:
    candidates: tuple[str, ...]
    """The agents that each meet the pool (the other agents)."""


class Gauntlet(Format[GauntletSettings]):
    name = "gauntlet"
    Settings = GauntletSettings
    section = "gauntlet"

    def parse(self, table: TableReader, spec: SpecContext) -> GauntletSettings:
        candidates = tuple(table.get("candidates", list))
        table.finish()
        names = spec.names
        for c in candidates:
            if c not in names:
                raise table.fail("candidates",
                                 f"'{c}' is not an agent name; names: {', '.join(names)}")
        pool = [a for a in names if a not in candidates]
        n = spec.seats
        if not candidates or len(pool) < n - 1:
            raise table.fail("candidates", f"need at least one candidate and {n - 1} other "
                             f"agents in the pool, got {len(candidates)} and {len(pool)}")
        return GauntletSettings(candidates)

    def stored(self, settings: GauntletSettings) -> dict[str, Any]:
        return {"candidates": settings.candidates}

    def from_stored(self, data: Mapping[str, Any]) -> GauntletSettings:
        return GauntletSettings(tuple(data.get("candidates", ())))

    def absent_fields(self, deals: int) -> dict[str, Any]:
        return {"candidates": ()}

    def run(self, t: "Tournament", stages: Stages) -> None:
        candidates = self.settings(t).candidates
        pool = [a for a in t.names() if a not in candidates]
        jobs = stages.jobs(gauntlet_tables("gauntlet", candidates, pool, stages.n), t.deals)
        stages.expect(len(jobs))
        stages.play(jobs)
