"""Exceptions the arena raises for bad input; the CLI turns them into one-line errors, exit 2."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ArenaError(Exception):
    """Bad input from a user (a name, a value, a file): reported in one line, exit code 2."""


class UnknownNameError(ArenaError, KeyError):
    """A name that is not registered; the message lists the valid ones and the closest."""

    def __init__(self, kind: str, name: str, choices: Iterable[str], context: str = ""):
        self.kind, self.name, self.choices = kind, name, sorted(choices)
        close = difflib.get_close_matches(name, self.choices, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        where = f" {context}" if context else ""
        super().__init__(
            f"unknown {kind} '{name}'{where}; valid: {', '.join(self.choices) or '(none)'}.{hint}"
        )

    def __str__(self) -> str:  # KeyError would quote the message
        return self.args[0]


class SpecError(ArenaError, ValueError):
    """A spec string such as ``ismcts(iterations=200)`` that does not parse."""


class ParamError(ArenaError, ValueError):
    """A parameter or rule setting with a bad name or value."""


class IllegalActionError(ArenaError, ValueError):
    """An action that is not legal in the state it was applied to."""
