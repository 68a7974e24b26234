"""Reading a model's answer: a pure function, strict contract first, then narrow fallbacks.

The contract asks for a JSON object ``{"reasoning": "...", "move": <number>}`` or a last line
``MOVE: <number>``, the number being the move's position in the numbered list the prompt
showed. Accepted, in this order:

1. ``json``: the whole reply (or a fenced ```json block in it) is a JSON object with an
   integer ``move`` (a string of digits is accepted too);
2. ``move_line``: the last non-empty line is ``MOVE: <number>`` (any case, optional
   ``**``/quotes around the number);
3. ``number``: the whole reply is a number;
4. ``name``: the whole reply is exactly one of the move names (case and surrounding
   whitespace ignored).

Nothing else: no searching of prose for numbers or keywords (a reply that *mentions* a move
is not a choice of it). The model's text is never evaluated.

In games with talk, words for the table come with the move: a string ``"say"`` in the JSON
object, or a line ``SAY: <words>`` before the ``MOVE:`` line (``Parsed.say``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

_FENCE = re.compile(r"```(?:json)?\s*(\{.*?\})\s*```", re.S | re.I)
_MOVE_LINE = re.compile(r"^\s*\**\s*move\s*\**\s*[:=]\s*[\"'*`]*\s*(\d+)\s*[\"'*`.]*\s*$", re.I)
_NUMBER = re.compile(r"^\s*[\"'*`]*(\d+)[\"'*`.]*\s*$")
_SAY_LINE = re.compile(r"^\s*\**\s*say\s*\**\s*:\s*(.*?)\s*$", re.I)


@dataclass(frozen=True)
class Parsed:
    """The move chosen (0-based index into the list shown) and how it was read, or an error
    saying what was wrong (for the re-prompt)."""

    index: int | None
    how: str | None
    error: str | None = None
    say: str | None = None
    """Words for the other players, if the reply had any (games with talk)."""


def parse_reply(text: str | None, moves: Sequence[str]) -> Parsed:
    """Read ``text`` against the numbered ``moves`` (shown 1..n)."""
    n = len(moves)
    if text is None or not text.strip():
        return Parsed(None, None, "the reply was empty")
    reply = text.strip()

    def pick(number: int, how: str, say: object = None) -> Parsed:
        if 1 <= number <= n:
            words = say.strip() if isinstance(say, str) else ""
            return Parsed(number - 1, how, say=words or None)
        return Parsed(None, None, f"move {number} is not in the list (1-{n})")

    for candidate, how in ((reply, "json"), *((m.group(1), "json") for m in _FENCE.finditer(reply))):
        if candidate.startswith("{") and candidate.endswith("}"):
            try:
                data = json.loads(candidate)
            except (json.JSONDecodeError, RecursionError):
                return Parsed(None, None, "the reply was not valid JSON")
            if not isinstance(data, dict) or "move" not in data:
                return Parsed(None, None, 'the JSON object has no "move"')
            move, say = data["move"], data.get("say")
            if isinstance(move, bool):
                return Parsed(None, None, '"move" must be a number')
            if isinstance(move, int):
                return pick(move, how, say)
            if isinstance(move, str) and move.strip().isdigit():
                return pick(int(move.strip()), how, say)
            return Parsed(None, None, '"move" must be a number')
    lines = [line for line in reply.splitlines() if line.strip()]
    m = _MOVE_LINE.match(lines[-1]) if lines else None
    if m:
        said = [s.group(1) for line in lines[:-1] if (s := _SAY_LINE.match(line))]
        return pick(int(m.group(1)), "move_line", said[-1] if said else None)
    m = _NUMBER.match(reply)
    if m:
        return pick(int(m.group(1)), "number")
    folded = reply.casefold()
    names = [i for i, name in enumerate(moves) if name.strip().casefold() == folded]
    if len(names) == 1:
        return Parsed(names[0], "name")
    return Parsed(None, None, 'no move found: answer with {"reasoning": "...", "move": <number>} '
                              "or a last line MOVE: <number>")
