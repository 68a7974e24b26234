"""``format = "championship"``: a round robin in each group ("group-<name>" stages), then the
best of each group meet in a round robin final ("final").

```toml
[championship]
groups = "family"              # one group per family, or a table name -> [agent names]
advance = 1                    # the best `advance` of each group meet in the final
final_deals = 40               # deals per table in the final (default: deals)
```

A group too small to fill a table, or no larger than ``advance``, plays no games and sends
all its agents to the final.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from arena.core.registry import make_game
from arena.report.notes import NoteSection
from tournaments.reader import TableReader
from tournaments.schedule import games_per_deal, round_robin_tables

from .base import Format, SpecContext, Stages

if TYPE_CHECKING:  # pragma: no cover
    from arena.store.sqlite import Store
    from tournaments.spec import Tournament

Groups = tuple[tuple[str, tuple[str, ...]], ...]
"""(group name, its agent names), in the spec's order."""


@dataclass(frozen=True)
class ChampionshipSettings:
    groups: Groups
    advance: int
    """How many of each group go to the final."""
    final_deals: int
    """Deals per table in the final."""

    def plays(self, members: tuple[str, ...], seats: int) -> bool:
        """Whether a group of ``members`` plays to pick its best (else all of it advances)."""
        return len(members) >= seats and len(members) > self.advance


def _family_groups(spec: SpecContext) -> Groups:
    order: dict[str, list[str]] = {}
    for a in spec.agents:
        order.setdefault(a.family, []).append(a.name)
    return tuple((fam, tuple(m)) for fam, m in order.items())


def _named_groups(table: TableReader, raw: dict[str, Any], names: list[str]) -> Groups:
    seen: set[str] = set()
    built = []
    for gname, members in raw.items():
        if not isinstance(members, list) or not members:
            raise table.fail(f"groups.{gname}", "expected a non-empty list of agent names")
        for m in members:
            if m not in names:
                raise table.fail(f"groups.{gname}",
                                 f"'{m}' is not an agent name; names: {', '.join(names)}")
            if m in seen:
                raise table.fail(f"groups.{gname}", f"'{m}' is in two groups")
            seen.add(m)
        built.append((gname, tuple(members)))
    return tuple(built)


def _check_seats(table: TableReader, s: ChampionshipSettings, spec: SpecContext) -> None:
    n, advance = spec.seats, s.advance
    for gname, members in s.groups:
        if advance < len(members) < n:
            raise table.fail(f"groups.{gname}",
                             f"{len(members)} agents cannot fill a {n}-seat table to pick the "
                             f"best {advance}; add agents to the group or raise advance")
    finalists = sum(min(advance, len(m)) for _, m in s.groups)
    if finalists < n:
        raise table.fail("advance",
                         f"{len(s.groups)} group(s) advancing {advance} each give {finalists} "
                         f"finalists, fewer than the {n} seats of {spec.game.describe()}; raise "
                         "advance or add agents")


class Championship(Format[ChampionshipSettings]):
    name = "championship"
    Settings = ChampionshipSettings
    section = "championship"

    def parse(self, table: TableReader, spec: SpecContext) -> ChampionshipSettings:
        raw_groups = table.get("groups", (str, dict), "family")
        advance = table.positive("advance", 1)
        final_deals = table.positive("final_deals", spec.deals)
        table.finish()
        if raw_groups == "family":
            groups = _family_groups(spec)
        elif isinstance(raw_groups, str):
            raise table.fail("groups",
                             f"expected \"family\" or a table of groups, got {raw_groups!r}")
        else:
            groups = _named_groups(table, raw_groups, spec.names)
        settings = ChampionshipSettings(groups, advance, final_deals)
        _check_seats(table, settings, spec)
        return settings

    def stored(self, settings: ChampionshipSettings) -> dict[str, Any]:
        return {"groups": settings.groups, "advance": settings.advance,
                "final_deals": settings.final_deals}

    def from_stored(self, data: Mapping[str, Any]) -> ChampionshipSettings:
        return ChampionshipSettings(tuple((g, tuple(m)) for g, m in data.get("groups", ())),
                                    data.get("advance", 1), data["final_deals"])

    def absent_fields(self, deals: int) -> dict[str, Any]:
        return {"groups": (), "advance": 1, "final_deals": deals}

    def run(self, t: "Tournament", stages: Stages) -> None:
        s, n = self.settings(t), stages.n
        group_jobs = []
        for gname, members in s.groups:
            if s.plays(members, n):
                group_jobs += stages.jobs(
                    round_robin_tables(f"group-{gname}", list(members), n), t.deals)
        finalists_count = sum(min(s.advance, len(m)) for _, m in s.groups)
        final_tables = round_robin_tables("final", [f"f{i}" for i in range(finalists_count)], n)
        per_final_table = s.final_deals * games_per_deal(t, n)
        stages.expect(len(group_jobs) + len(final_tables) * per_final_table)
        stages.play(group_jobs)
        advanced = advanced_by_group(t, stages.store, n)
        finalists = [name for best in advanced.values() for name in best]
        stages.play(stages.jobs(round_robin_tables("final", finalists, n), s.final_deals))

    def notes(self, t: "Tournament", store: "Store", seats: int) -> dict[str, object]:
        return {"advanced": advanced_by_group(t, store, seats)}

    def note_sections(self, notes: Mapping[str, Any]) -> list[NoteSection]:
        if "advanced" not in notes:
            return []
        advanced: dict[str, list[str]] = notes["advanced"]
        lines = tuple(f"{g}: {', '.join(names)}" for g, names in advanced.items())
        return [NoteSection("Championship: advanced to the final", lines,
                            labels=tuple(advanced),
                            terminal="Advanced to the final: " + "; ".join(lines))]


def advanced_by_group(t: "Tournament", store: "Store", seats: int) -> dict[str, list[str]]:
    """The agents each championship group sends to the final (from its stored games)."""
    from arena.stats.summary import standings

    s = Championship().settings(t)
    ranked_by = make_game(t.game, t.rules).ranked_by
    out = {}
    for gname, members in s.groups:
        if s.plays(members, seats):
            out[gname] = standings(store.records(f"group-{gname}", actions=False),
                                   list(members), ranked_by)[: s.advance]
        else:
            out[gname] = list(members)
    return out
