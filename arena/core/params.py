"""Typed parameters for games (rule settings) and agents, declared as dataclasses.

A field's type (int, float, bool, str, ``Literal[...]``) converts the spec's text value; its
``help`` metadata documents it for ``arena games`` / ``arena agents``; a ``__post_init__`` that
raises ``ValueError`` rejects bad combinations. Errors name the owner, the field, the value and
what was expected.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from typing import Any, Literal, get_args, get_origin

from arena.core.errors import ParamError


def param(default: Any, help: str, **kwargs: Any) -> Any:
    """A dataclass field with a help text (shown by the CLI's listings)."""
    return dataclasses.field(default=default, metadata={"help": help}, **kwargs)


@dataclasses.dataclass(frozen=True)
class NoParams:
    """No parameters."""


def _convert(owner: str, name: str, kind: Any, value: Any) -> Any:
    origin = get_origin(kind)
    if origin is Literal:
        choices = get_args(kind)
        text = str(value)
        for choice in choices:
            if str(choice) == text:
                return choice
        raise ParamError(
            f"{owner}: {name}={text!r} is not one of: {', '.join(map(str, choices))}"
        )
    if kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "1", "on"):
            return True
        if text in ("false", "no", "0", "off"):
            return False
        raise ParamError(f"{owner}: {name}={value!r} is not a boolean (true/false)")
    if kind is int:
        if isinstance(value, bool):
            raise ParamError(f"{owner}: {name}={value!r} is not an integer")
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise ParamError(f"{owner}: {name}={value!r} is not an integer") from None
    if kind is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        try:
            return float(str(value).strip())
        except ValueError:
            raise ParamError(f"{owner}: {name}={value!r} is not a number") from None
    if kind is str:
        return str(value)
    # Optional[X]: "none" means None.
    args = [a for a in get_args(kind) if a is not type(None)]
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)) and len(args) == 1:
        if value is None or str(value).lower() == "none":
            return None
        return _convert(owner, name, args[0], value)
    raise TypeError(f"{owner}: unsupported parameter type {kind!r} for {name}")


def build_params(cls: type, values: Mapping[str, Any], owner: str, base: Any = None) -> Any:
    """An instance of the dataclass ``cls`` from text or typed ``values`` over ``base``."""
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = [k for k in values if k not in fields]
    if unknown:
        valid = ", ".join(fields) or "(none)"
        raise ParamError(f"{owner}: unknown parameter '{unknown[0]}'; valid: {valid}")
    hints = typing.get_type_hints(cls)
    converted = {k: _convert(owner, k, hints[k], v) for k, v in values.items()}
    try:
        if base is not None:
            return dataclasses.replace(base, **converted)
        return cls(**converted)
    except ValueError as exc:
        raise ParamError(f"{owner}: {exc}") from None


def describe_params(cls: type, instance: Any = None) -> list[tuple[str, str, str]]:
    """(name, value or default, help) for each field, for listings."""
    hints = typing.get_type_hints(cls)
    rows = []
    for f in dataclasses.fields(cls):
        value = getattr(instance, f.name) if instance is not None else f.default
        kind = hints[f.name]
        if get_origin(kind) is Literal:
            choices = "|".join(map(str, get_args(kind)))
            help_text = f"{f.metadata.get('help', '')} [{choices}]"
        else:
            help_text = f.metadata.get("help", "")
        rows.append((f.name, str(value), help_text.strip()))
    return rows


def params_dict(instance: Any) -> dict[str, Any]:
    """The instance's fields as plain JSON-ready values."""
    return dataclasses.asdict(instance)
