"""Tournament formats: round robin, gauntlet, championship, SPRT, and any format registered
from outside (``register_format``, or the ``arena.formats`` entry-point group).

Each is a ``Format`` with frozen settings: it reads and checks its own table of the spec,
plans and plays its stages through the driver, and adds and renders its summary notes.
"""

from .base import Format, NoSettings, SpecContext, Stages
from .registry import (
    DEFAULT_FORMAT,
    FORMAT_GROUP,
    format_names,
    get_format,
    note_lines,
    register_format,
    stored_settings,
    unregister_format,
)

__all__ = ["DEFAULT_FORMAT", "FORMAT_GROUP", "Format", "NoSettings", "SpecContext", "Stages",
           "format_names", "get_format", "note_lines", "register_format", "stored_settings",
           "unregister_format"]
