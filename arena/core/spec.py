"""Spec strings: ``name`` or ``name(key=value, ...)``, and comma-separated lists of them.

``ismcts(iterations=200)``, ``llm(base_url=http://host:8000/v1,model=m)``, ``go(board_size=9)``.
Values stay text here and are converted by the owner's declared parameter types
(arena/params.py); a value may be quoted ('...' or "...") to hold commas or parentheses.
A list splits on commas outside parentheses and quotes:
``llm(base_url=http://h:8000/v1,model=m),random`` is two specs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from arena.core.errors import SpecError

_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-.]*\Z")  # game names may start with a digit
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@dataclass(frozen=True)
class Spec:
    """A parsed spec: a registered name and its parameters, in the order written."""

    name: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def kwargs(self) -> dict[str, str]:
        return dict(self.params)

    def __str__(self) -> str:
        if not self.params:
            return self.name
        return f"{self.name}({','.join(f'{k}={_quote(v)}' for k, v in self.params)})"


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


def parse_spec(text: str) -> Spec:
    """Parse one spec; ``Spec`` objects pass through unchanged."""
    if isinstance(text, Spec):
        return text
    raw = text.strip()
    if not raw:
        raise SpecError("empty spec: expected a name such as 'random' or 'ismcts(iterations=200)'")
    if "(" not in raw:
        if not _NAME.match(raw):
            raise SpecError(f"bad name {raw!r}: expected letters, digits, '_', '-' or '.'")
        return Spec(raw)
    if not raw.endswith(")"):
        raise SpecError(f"spec {raw!r} must end with ')' after its parameters")
    name, inner = raw[: raw.index("(")].strip(), raw[raw.index("(") + 1 : -1]
    if not _NAME.match(name):
        raise SpecError(f"bad name {name!r} in spec {raw!r}")
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
