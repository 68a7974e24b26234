"""Tournament formats: round robin, gauntlet, championship, SPRT, and any format registered
from outside (``register_format``, or the ``arena.formats`` entry-point group).

Each is a ``Format`` with frozen settings: it reads and checks its own table of the spec,
plans and plays its stages through the driver, and adds its summary notes and describes
them for reports (``NoteSection``s, which the terminal and the HTML page render alike).
"""

from arena.report.notes import NoteSection

from .base import Format, NoSettings, SpecContext, Stages
from .registry import (
    DEFAULT_FORMAT,
    FORMAT_GROUP,
    format_names,
    get_format,
    note_lines,
    note_sections,
    register_format,
    stored_settings,
    unregister_format,
)

__all__ = ["DEFAULT_FORMAT", "FORMAT_GROUP", "Format", "NoSettings", "NoteSection",
           "SpecContext", "Stages", "format_names", "get_format", "note_lines", "note_sections",
           "register_format", "stored_settings", "unregister_format"]
