"""Tournament formats by name: the built-in ones, those of the ``arena.formats`` entry-point
group (any installed package can add one, as a ``"module:Class"`` target) and those given to
``register_format`` at run time. A format's class is imported only when it is used."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Mapping
from importlib.metadata import entry_points
from typing import Any

from arena.core.errors import UnknownNameError
from arena.report.notes import NoteSection

from .base import Format

FORMAT_GROUP = "arena.formats"
BUILT_IN = {
    "round_robin": "tournaments.formats.round_robin:RoundRobin",
    "gauntlet": "tournaments.formats.gauntlet:Gauntlet",
    "championship": "tournaments.formats.championship:Championship",
    "sprt": "tournaments.formats.sprt:SprtFormat",
}
"""In this order in error messages; written here rather than as entry points, so that a
checkout that was not reinstalled still has them."""
DEFAULT_FORMAT = "round_robin"

_added: dict[str, object] = {}
_loaded: dict[str, Format[Any]] = {}


@functools.lru_cache(maxsize=None)
def _entry_points() -> Mapping[str, str]:
    return {ep.name: ep.value for ep in entry_points(group=FORMAT_GROUP)}


def _targets() -> dict[str, object]:
    return {**BUILT_IN, **_entry_points(), **_added}


def register_format(name: str, target: object) -> None:
    """Add a format (a ``Format`` subclass, or ``"module:Class"``) under ``name``; the same
    name again replaces it."""
    _added[name] = target
    _loaded.pop(name, None)


def unregister_format(name: str) -> None:
    """Remove a format ``register_format`` added (tests that add one for a while)."""
    _added.pop(name, None)
    _loaded.pop(name, None)


def format_names() -> list[str]:
    """Every format's name, the built-in ones first."""
    return list(_targets())


def _load(target: object) -> type:
    if not isinstance(target, str):
        return target  # type: ignore[return-value]  # a class registered directly
    module, _, attr = target.partition(":")
    obj: Any = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def get_format(name: str) -> Format[Any]:
    """The format called ``name`` (one instance per process)."""
    if name in _loaded:
        return _loaded[name]
    targets = _targets()
    if name not in targets:
        raise UnknownNameError("format", name, targets)
    cls = _load(targets[name])
    if not (isinstance(cls, type) and issubclass(cls, Format)):
        raise TypeError(f"format '{name}': {cls!r} is not a Format subclass")
    fmt = _loaded[name] = cls()
    return fmt


def note_sections(notes: Mapping[str, Any]) -> list[NoteSection]:
    """How reports show a tournament summary's format notes (none without a format)."""
    name = notes.get("format")
    return get_format(name).note_sections(notes) if isinstance(name, str) else []


def note_lines(notes: Mapping[str, Any]) -> list[str]:
    """The terminal's lines for a tournament summary's format notes (none without a
    format): a line per section of ``note_sections``."""
    name = notes.get("format")
    return get_format(name).lines(notes) if isinstance(name, str) else []


def stored_settings(name: str, settings: object, deals: int) -> dict[str, Any]:
    """The fields a stored tournament of format ``name`` holds for ``settings`` (with every
    built-in format's absent fields, see ``Format.absent_fields``), in the stored order."""
    data: dict[str, Any] = {}
    for built_in in BUILT_IN:
        data.update(get_format(built_in).absent_fields(deals))
    data.update(get_format(name).stored(settings))
    return data
