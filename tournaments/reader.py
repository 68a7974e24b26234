"""Typed reading of a tournament spec's TOML tables, with errors that name the file and field
(shared by the spec and by each format, which reads its own table)."""

from __future__ import annotations

from typing import Any

from arena.core.errors import ArenaError


class TournamentSpecError(ArenaError):
    """A tournament spec that cannot be run; the message names the file and the field."""


def spec_error(where: str, field_name: str, message: str) -> TournamentSpecError:
    return TournamentSpecError(f"{where}: {field_name}: {message}")


class TableReader:
    """Typed access to one TOML table, collecting the field path for errors."""

    def __init__(self, where: str, table: dict[str, Any], path: str = ""):
        self.where, self.table, self.path = where, table, path
        self.used: set[str] = set()

    def _name(self, key: str) -> str:
        return f"{self.path}{key}"

    def fail(self, key: str, message: str) -> TournamentSpecError:
        """An error about ``key`` of this table."""
        return spec_error(self.where, self._name(key), message)

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ...,
            choices: tuple[Any, ...] | None = None) -> Any:
        self.used.add(key)
        if key not in self.table:
            if default is ...:
                raise self.fail(key, "missing (required)")
            return default
        value = self.table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:
            ok = False
        else:
            ok = isinstance(value, kinds)
        if not ok:
            expected = " or ".join(k.__name__ for k in kinds)
            raise self.fail(key, f"expected {expected}, got {type(value).__name__} {value!r}")
        if choices is not None and value not in choices:
            raise self.fail(key, f"{value!r} is not one of: {', '.join(map(str, choices))}")
        return value

    def positive(self, key: str, default: Any = ...) -> Any:
        """An int of at least 1 (or ``default``, which may be None)."""
        value = self.get(key, int, default)
        if value is not None and value < 1:
            raise self.fail(key, f"must be at least 1, got {value}")
        return value

    def finish(self) -> None:
        unknown = sorted(set(self.table) - self.used)
        if unknown:
            raise self.fail(unknown[0],
                            f"unknown field; valid here: {', '.join(sorted(self.used))}")
