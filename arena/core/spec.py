"""Spec strings: ``name`` or ``name(key=value, ...)``, and comma-separated lists of them.

``ismcts(iterations=200)``, ``llm(base_url=http://host:8000/v1,model=m)``, ``go(board_size=9)``.
An agent's or a game's name may instead point at a class: ``path/to/file.py:Class`` (a
Python file, relative or absolute) or ``package.module:Class`` (an importable module), e.g.
``./my_bot.py:MyBot(depth=2)``; a name with spaces or odd characters may be quoted
(``"my bots/bot.py:Bot"(depth=2)``).
Values stay text here and are converted by the owner's declared parameter types
(arena/core/params.py); a value may be quoted ('...' or "...") to hold commas or parentheses.
A list splits on commas outside parentheses and quotes:
``llm(base_url=http://h:8000/v1,model=m),random`` is two specs.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from arena.core.errors import SpecError

_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-.]*\Z")  # game names may start with a digit
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
_PLAIN_REF = re.compile(r"[A-Za-z0-9_\-./:\\~+@]+\Z")  # written without quotes in str()
_QUOTES = "'\""


@dataclass(frozen=True)
class Spec:
    """A parsed spec: a registered name and its parameters, in the order written."""

    name: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def kwargs(self) -> dict[str, str]:
        return dict(self.params)

    @property
    def reference(self) -> "Reference | None":
        """Where the class is, for ``file.py:Class`` / ``module:Class`` names; else None."""
        return split_reference(self.name)

    def __str__(self) -> str:
        name = self.name
        if not _NAME.match(name) and not _PLAIN_REF.match(name):
            name = f'"{name}"' if '"' not in name else f"'{name}'"
        if not self.params:
            return name
        return f"{name}({','.join(f'{k}={_quote(v)}' for k, v in self.params)})"


@dataclass(frozen=True)
class Reference:
    """A ``target:Class`` agent or game name: a Python file (``is_file``) or a module, and a
    class."""

    target: str
    attr: str

    @property
    def is_file(self) -> bool:
        """A file path (ends in ``.py`` or has a path separator), not a module name."""
        t = self.target
        return t.endswith(".py") or "/" in t or "\\" in t or not _DOTTED.match(t)

    def __str__(self) -> str:
        return f"{self.target}:{self.attr}"


def split_reference(name: str) -> Reference | None:
    """``Reference`` for ``file.py:Class`` or ``module:Class``, None for a registered name."""
    if ":" not in name:
        return None
    target, _, attr = name.rpartition(":")
    if not target.strip() or not _DOTTED.match(attr):
        raise SpecError(f"bad agent reference {name!r}: expected path/to/file.py:Class or "
                        "package.module:Class")
    return Reference(target, attr)


def absolute(spec: "str | Spec", base: "str | os.PathLike[str] | None" = None) -> Spec:
    """``spec`` with a relative ``file.py:Class`` path made absolute from ``base`` (default:
    the current folder), so that it means the same file in any process; other specs as
    they are."""
    spec = parse_spec(spec)
    ref = spec.reference
    if ref is None or not ref.is_file:
        return spec
    path = os.path.expanduser(ref.target)
    path = os.path.abspath(os.path.join(os.fspath(base) if base is not None else os.getcwd(),
                                        path))
    return Spec(f"{path}:{ref.attr}", spec.params)


def _quote(value: str) -> str:
    if value and not any(ch in value for ch in ",()'\" "):
        return value
    return f'"{value}"' if '"' not in value else f"'{value}'"


def split_top_level(text: str, sep: str = ",") -> list[str]:
    """Split on ``sep`` outside parentheses and quotes; raises on unbalanced input."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise SpecError(f"unbalanced ')' at position {i + 1} in {text!r}")
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    if quote:
        raise SpecError(f"unclosed quote {quote} in {text!r}")
    if depth:
        raise SpecError(f"missing ')' in {text!r}")
    parts.append(text[start:])
    return parts


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _check_name(name: str, raw: str) -> None:
    if ":" in name:
        split_reference(name)
        if any(ch in name for ch in "()" + _QUOTES):
            raise SpecError(f"bad name {name!r} in spec {raw!r}: quote a path that holds "
                            "parentheses or quotes")
    elif not _NAME.match(name):
        where = "" if name == raw else f" in spec {raw!r}"
        raise SpecError(f"bad name {name!r}{where}: expected letters, digits, '_', '-' or '.'"
                        ", or path/to/file.py:Class")


def parse_spec(text: "str | Spec") -> Spec:
    """Parse one spec; ``Spec`` objects pass through unchanged."""
    if isinstance(text, Spec):
        return text
    raw = text.strip()
    if not raw:
        raise SpecError("empty spec: expected a name such as 'random' or 'ismcts(iterations=200)'")
    if raw[0] in _QUOTES:
        end = raw.find(raw[0], 1)
        if end < 0:
            raise SpecError(f"unclosed quote {raw[0]} in {raw!r}")
        name, rest = raw[1:end], raw[end + 1:].strip()
        if not name.strip():
            raise SpecError(f"empty name in spec {raw!r}")
        if ":" not in name and not _NAME.match(name):
            raise SpecError(f"bad name {name!r} in spec {raw!r}: only a path:Class reference "
                            "may be quoted")
        if ":" in name:
            split_reference(name)
    elif "(" in raw:
        name, rest = raw[: raw.index("(")].strip(), raw[raw.index("("):]
        _check_name(name, raw)
    else:
        _check_name(raw, raw)
        return Spec(raw)
    if not rest:
        return Spec(name)
    if not rest.startswith("(") or not rest.endswith(")"):
        raise SpecError(f"spec {raw!r} must end with ')' after its parameters")
    inner = rest[1:-1]
    params: list[tuple[str, str]] = []
    if inner.strip():
        for item in split_top_level(inner):
            if "=" not in item:
                raise SpecError(f"parameter {item.strip()!r} in {raw!r} must be key=value")
            key, value = item.split("=", 1)
            key = key.strip()
            if not _KEY.match(key):
                raise SpecError(f"bad parameter name {key!r} in {raw!r}")
            if key in dict(params):
                raise SpecError(f"parameter {key!r} given twice in {raw!r}")
            params.append((key, _unquote(value.strip())))
    return Spec(name, tuple(params))


def parse_spec_list(text: str) -> list[Spec]:
    """Parse ``a,b(x=1),c`` into specs; empty items are an error."""
    items = split_top_level(text)
    if any(not item.strip() for item in items):
        raise SpecError(f"empty item in the list {text!r} (a stray comma?)")
    return [parse_spec(item) for item in items]
