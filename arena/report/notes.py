"""A tournament format's notes as any report shows them: sections of plain text.

A format (``tournaments.formats.Format.sections``) turns the notes it added to a summary
into ``NoteSection``s; the terminal prints one line per section and the HTML page a heading
and its paragraphs, so neither report knows any format.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NoteSection:
    """One part of a format's notes: a heading and its paragraphs (the HTML page), and the
    line the terminal prints for it."""

    title: str
    lines: tuple[str, ...]
    """The paragraphs under the heading, as plain text."""
    labels: tuple[str, ...] = ()
    """Empty, or one per line: the line starts with this label and ": ", which the page
    shows in bold (a championship's group names)."""
    terminal: str | None = None
    """The terminal's line for the section; None: the title, ": " and the lines joined by
    "; "; empty: the terminal shows nothing of it."""

    def __post_init__(self) -> None:
        if self.labels and (len(self.labels) != len(self.lines) or not all(
                line.startswith(label + ": ") for label, line in zip(self.labels, self.lines))):
            raise ValueError(f"section {self.title!r}: each label must start its line, "
                             "followed by ': '")

    def terminal_line(self) -> str:
        if self.terminal is not None:
            return self.terminal
        return f"{self.title}: {'; '.join(self.lines)}"

    def to_json(self) -> dict[str, object]:
        """The section as the HTML page's data hold it."""
        return {"title": self.title, "lines": list(self.lines), "labels": list(self.labels)}
