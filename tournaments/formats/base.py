"""What a tournament format is: its settings, how it reads and checks them, the stages it
plays, the notes it adds to the summary and how reports show them.

A format is a subclass of ``Format`` registered by name (see ``tournaments.formats``). The
spec reader, the driver and the CLI ask it; none of them knows any format by name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar, cast

from tournaments.reader import TableReader, TournamentSpecError, spec_error

from arena.report.notes import NoteSection

if TYPE_CHECKING:  # pragma: no cover
    from arena.core.game import Game
    from arena.play.match import GameJob
    from arena.store.sqlite import Store
    from tournaments.schedule import Table
    from tournaments.spec import Entrant, Tournament


@dataclass(frozen=True)
class NoSettings:
    """The settings of a format that has none (it reads no table of its own)."""


@dataclass(frozen=True)
class SpecContext:
    """What a format's settings are checked against: the rest of the spec."""

    where: str
    """The spec's file (or label), for errors."""
    game: "Game"
    agents: "tuple[Entrant, ...]"
    deals: int

    @property
    def names(self) -> list[str]:
        return [a.name for a in self.agents]

    @property
    def seats(self) -> int:
        return self.game.num_players

    def fail(self, field_name: str, message: str) -> TournamentSpecError:
        return spec_error(self.where, field_name, message)


class Stages(Protocol):
    """What a format's plan asks of the driver (``TournamentRunner``)."""

    store: "Store"
    n: int
    """Seats at a table."""
    next_seq: int
    """The schedule position the next planned job gets."""
    finished: int

    def jobs(self, tables: "list[Table]", deals: int) -> "list[GameJob]":
        """The games of ``tables``, ``deals`` deals each (each job remembers its stage)."""

    def play(self, jobs: "list[GameJob]") -> None:
        """Play those of ``jobs`` the store lacks, storing each as it comes back."""

    def expect(self, games: int) -> None:
        """The number of games planned so far (what progress counts up to)."""

    def end_plan(self) -> None:
        """The plan stopped early: what was played is all there is."""


S = TypeVar("S")


class Format(Generic[S]):
    """One tournament format. Subclasses set ``name``, ``Settings`` (a frozen dataclass) and
    ``section`` when they read a table of the spec, and write ``run``."""

    name: ClassVar[str] = ""
    Settings: ClassVar[type] = NoSettings
    section: ClassVar[str | None] = None
    """The spec's table for this format's settings (``[name]``), or None: it reads none. The
    table is refused in a spec of another format."""

    # -- the spec -------------------------------------------------------------------------
    def parse(self, table: TableReader, spec: SpecContext) -> S:
        """The settings from the format's ``table`` (empty when absent), checked against
        ``spec``; errors are ``table.fail(key, ...)`` or ``spec.fail(field, ...)``."""
        table.finish()
        return cast(S, self.Settings())

    def stored(self, settings: S) -> dict[str, Any]:
        """The settings as the stored tournament holds them (they are part of its digest):
        by default under the format's name."""
        fields = dataclasses.asdict(cast(Any, settings))
        return {self.name: fields} if fields else {}

    def from_stored(self, data: Mapping[str, Any]) -> S:
        """The settings back from a stored tournament (``stored``'s inverse)."""
        return cast(S, self.Settings(**data.get(self.name, {})))

    def absent_fields(self, deals: int) -> dict[str, Any]:
        """What tournaments of another format store for this format's fields. The built-in
        formats store every built-in format's fields in every tournament, as one flat record
        did before formats were classes, so that the digests of existing stores hold; a new
        format stores only its own and leaves this empty."""
        return {}

    def settings(self, t: "Tournament") -> S:
        """``t``'s settings, which are this format's."""
        if not isinstance(t.settings, self.Settings):
            raise TypeError(f"tournament '{t.name}' has {type(t.settings).__name__}, not the "
                            f"{self.Settings.__name__} of format '{self.name}'")
        return cast(S, t.settings)

    # -- playing and reporting ------------------------------------------------------------
    def run(self, t: "Tournament", stages: Stages) -> None:
        """Plan and play every stage of ``t`` (a resumed run plans the same jobs: the plan
        may depend only on the spec and on earlier stages' stored games)."""
        raise NotImplementedError

    def notes(self, t: "Tournament", store: "Store", seats: int) -> dict[str, object]:
        """What the summary's notes add for this format (JSON), from the stored games."""
        return {}

    def note_sections(self, notes: Mapping[str, Any]) -> list[NoteSection]:
        """How any report shows ``notes`` (a summary's notes, from ``notes``): the HTML page
        a heading and paragraphs per section, the terminal a line per section."""
        return []

    def lines(self, notes: Mapping[str, Any]) -> list[str]:
        """The terminal's lines for ``notes``: one per section, unless its terminal line is
        empty (a format writes ``note_sections``, not this)."""
        return [line for s in self.note_sections(notes) if (line := s.terminal_line())]
