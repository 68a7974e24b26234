"""Boards a person or an LLM can play from: Connect Four, Hex and Go as arena states.

OpenSpiel plays the rules; these states only change the views. Each ``text(seat)`` draws the
board with the coordinates its moves are named by, says which stone the reader plays, whose
turn it is and what the last move was; ``observation(seat)`` gives the same as a frozen
``BoardObservation`` (``GoObservation`` adds captures, komi and the area count). Move names do
not depend on who moves, so the game-level names (``ConnectFour.action_name`` etc. in
classics.py) and the per-state names are the same:

- Connect Four: ``drop in column 3``; columns are numbered 0.. as the actions are.
- Hex: ``c4`` = column c, row 4 (``swap`` where the swap rule is on).
- Go: ``d4`` = column d, row 4 (columns skip the letter i, rows count up from the bottom),
  or ``pass``; action = (row - 1) * size + column index, pass = size * size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from arena.core.game import TERMINAL

from .adapter import SpielGame, SpielState

EMPTY = "."


@dataclass(frozen=True)
class BoardObservation:
    """What a seat sees of a board game (everything: these games hide nothing)."""

    seat: int
    to_move: int
    """The seat to move; ``TERMINAL`` (-1) once the game is over."""
    stone: str
    """This seat's stone as it appears in ``board``."""
    board: tuple[str, ...]
    """The rows as ``text`` draws them, top row first; one character per cell, "." empty."""
    legal: tuple[int, ...]
    """The legal actions when it is this seat's turn, else empty."""
    last_move: int | None
    """The last action played, None before the first."""


@dataclass(frozen=True)
class GoObservation(BoardObservation):
    """A Go position: ``board[0]`` is the top row (row ``size``), "X" black, "O" white."""

    size: int
    komi: float
    captured: tuple[int, int]
    """Stones captured so far by Black (seat 0) and by White (seat 1)."""
    area: tuple[int, int]
    """Tromp-Taylor area now: stones plus empty regions that touch only that colour."""

    @property
    def points(self) -> str:
        """The board as one string indexed by action id (row 1 first, as OpenSpiel counts)."""
        return "".join(reversed(self.board))


def _range_check(game: SpielGame, action: int) -> None:
    if not 0 <= action < game.num_actions:
        raise ValueError(f"{game.name}: no action {action} (valid 0-{game.num_actions - 1})")


class BoardState(SpielState):
    """A two-player board game whose moves have names independent of who plays them."""

    __slots__ = ()
    stones: ClassVar[tuple[str, str]]
    """The stone of seat 0 and seat 1 as drawn on the board."""

    # -- hooks of each game --------------------------------------------------------------
    @classmethod
    def move_name(cls, game: SpielGame, action: int) -> str:
        """The name of ``action`` in ``game`` (the same for every position and mover)."""
        raise NotImplementedError

    def rows(self) -> tuple[str, ...]:
        """The board, top row first, one character per cell."""
        raise NotImplementedError

    def colour(self, seat: int) -> str:
        """How the text calls ``seat``'s side, e.g. ``x`` or ``Black (X)``."""
        return self.stones[seat]

    def rules_lines(self, seat: int) -> list[str]:
        """What the reader must know to play: the goal and how moves are named."""
        return []

    def drawing(self, rows: tuple[str, ...]) -> list[str]:
        """The board with its coordinates."""
        raise NotImplementedError

    def describe_move(self, seat: int, action: int) -> str:
        return f"{self.colour(seat)} played {self.move_name(self.game, action)}"

    def notes(self) -> list[str]:
        """Extra position facts shown above the board (captures, score)."""
        return []

    # -- shared views --------------------------------------------------------------------
    def action_name(self, action: int) -> str:
        return self.move_name(self.game, action)

    def last(self) -> tuple[int, int] | None:
        """(seat, action) of the last move, None before the first."""
        history = self.s.full_history()
        if not history:
            return None
        return history[-1].player, history[-1].action

    def observation(self, seat: int) -> BoardObservation:
        last = self.last()
        return BoardObservation(
            seat, self.current_player, self.stones[seat], self.rows(),
            self.legal_actions() if self.current_player == seat else (),
            None if last is None else last[1])

    def status(self, seat: int) -> str:
        if self.current_player == TERMINAL:
            returns = self.s.returns()
            best = max(returns)
            winners = [p for p, r in enumerate(returns) if r == best]
            if len(winners) > 1:
                return "The game is over: a draw."
            w = winners[0]
            return (f"The game is over: player {w}, {self.colour(w)}, won; "
                    f"you {'won' if w == seat else 'lost'}.")
        if self.current_player == seat:
            return "Your move."
        p = self.current_player
        return f"Waiting for player {p}, playing {self.colour(p)}."

    def text(self, seat: int) -> str:
        last = self.last()
        lines = [f"{self.game.name}: you are player {seat}, playing {self.colour(seat)}.",
                 *self.rules_lines(seat),
                 self.status(seat),
                 "No moves yet." if last is None
                 else f"Last move: {self.describe_move(*last)}.",
                 *self.notes(),
                 "",
                 *self.drawing(self.rows())]
        return "\n".join(lines)


# -- Connect Four ------------------------------------------------------------------------

class ConnectFourState(BoardState):
    """Connect Four: discs drop to the lowest free cell of a column; x moves first."""

    __slots__ = ()
    stones = ("x", "o")

    @classmethod
    def move_name(cls, game: SpielGame, action: int) -> str:
        _range_check(game, action)
        return f"drop in column {action}"

    def rows(self) -> tuple[str, ...]:
        return tuple(self.s.observation_string(0).split())

    def rules_lines(self, seat: int) -> list[str]:
        k = getattr(self.game.rules, "x_in_row", 4)
        cols = self.game.num_actions
        return [f"x moves first. {k} of your discs in a line (across, up or diagonally) wins; "
                f"a move drops a disc into a column (0-{cols - 1}), where it falls to the "
                "lowest empty cell."]

    def describe_move(self, seat: int, action: int) -> str:
        return f"{self.colour(seat)} dropped in column {action}"

    def drawing(self, rows: tuple[str, ...]) -> list[str]:
        w = len(str(len(rows[0]) - 1)) + 1
        numbers = "".join(f"{c:>{w}}" for c in range(len(rows[0])))
        body = ["|" + "".join(f"{cell:>{w}}" for cell in row) + " |" for row in rows]
        return [" " + numbers, *body, "+" + "-" * (w * len(rows[0]) + 1) + "+", " " + numbers]


# -- Hex ---------------------------------------------------------------------------------

_HEX_BLACK = set("xyzX")  # OpenSpiel's standard and explicit renderings of the stones
_HEX_WHITE = set("opqO")


def _hex_shape(game: SpielGame) -> tuple[int, int]:
    """(rows, columns) of the hex board OpenSpiel built (the rules may not say directly)."""
    shape = game.spiel.observation_tensor_shape()
    return int(shape[-1]), int(shape[-2])


def _letters(n: int, skip_i: bool = False) -> str:
    letters = "abcdefghjklmnopqrstuvwxyz" if skip_i else "abcdefghijklmnopqrstuvwxyz"
    if n > len(letters):
        raise ValueError(f"a board {n} wide has no single-letter column names")
    return letters[:n]


class HexState(BoardState):
    """Hex on a rhombus: x (black, moves first) joins top and bottom, o (white) left and right."""

    __slots__ = ()
    stones = ("x", "o")

    @classmethod
    def move_name(cls, game: SpielGame, action: int) -> str:
        _range_check(game, action)
        rows, cols = _hex_shape(game)
        if action == rows * cols:
            return "swap"
        return f"{_letters(cols)[action % cols]}{action // cols + 1}"

    def rows(self) -> tuple[str, ...]:
        out = []
        for line in self.s.observation_string(0).splitlines():
            cells = line.split()
            out.append("".join("x" if c in _HEX_BLACK else "o" if c in _HEX_WHITE else EMPTY
                               for c in cells))
        return tuple(out)

    def colour(self, seat: int) -> str:
        return ("x (black)", "o (white)")[seat]

    def rules_lines(self, seat: int) -> list[str]:
        rows, cols = _hex_shape(self.game)
        letters = _letters(cols)
        lines = [f"x (black) moves first and wins by joining the top and bottom edges "
                 f"(rows 1 and {rows}) with a chain of x; o (white) wins by joining the left "
                 f"and right edges (columns a and {letters[-1]}). Each cell touches six: left, "
                 "right, the two above (same column and one to the right) and the two below "
                 "(same column and one to the left). A move names a cell, e.g. c4 = column c, "
                 "row 4."]
        if getattr(self.game.rules, "swap", False):
            lines.append("Swap rule: o's first move may be 'swap', taking x's opening stone "
                         "(mirrored) as its own.")
        return lines

    def describe_move(self, seat: int, action: int) -> str:
        name = self.move_name(self.game, action)
        if name == "swap":
            return f"{self.colour(seat)} swapped"
        return f"{self.colour(seat)} at {name}"

    def drawing(self, rows: tuple[str, ...]) -> list[str]:
        letters = " ".join(_letters(len(rows[0])))
        out = ["    " + letters]
        for r, row in enumerate(rows):
            out.append(" " * r + f"{r + 1:>2}  " + " ".join(row) + f"  {r + 1}")
        out.append(" " * (len(rows) - 1) + "    " + letters)
        return out


# -- Go ----------------------------------------------------------------------------------

def go_area(points: str, size: int) -> tuple[int, int]:
    """Tromp-Taylor area of Black and White: stones, plus empty regions that reach only one
    colour (``points`` indexed by action id: "X", "O", ".")."""
    black, white = points.count("X"), points.count("O")
    seen = [False] * len(points)
    for start, p in enumerate(points):
        if p != EMPTY or seen[start]:
            continue
        seen[start] = True
        stack, region, touches = [start], 0, set()
        while stack:
            q = stack.pop()
            region += 1
            for n in go_neighbours(q, size):
                c = points[n]
                if c == EMPTY:
                    if not seen[n]:
                        seen[n] = True
                        stack.append(n)
                else:
                    touches.add(c)
        if touches == {"X"}:
            black += region
        elif touches == {"O"}:
            white += region
    return black, white


def go_neighbours(p: int, size: int) -> list[int]:
    """The points next to ``p`` (action ids) on a ``size`` board."""
    r, c = divmod(p, size)
    out = []
    if r > 0:
        out.append(p - size)
    if r < size - 1:
        out.append(p + size)
    if c > 0:
        out.append(p - 1)
    if c < size - 1:
        out.append(p + 1)
    return out


def _go_size(game: SpielGame) -> int:
    return math.isqrt(game.num_actions - 1)


def _go_points(spiel_state: Any, size: int) -> str:
    # Planes of OpenSpiel's go tensor: black, white, empty (cells in action order), to-play.
    planes = np.asarray(spiel_state.observation_tensor(0), dtype=np.float32)
    n = size * size
    black, white = planes[:n] > 0, planes[n:2 * n] > 0
    return "".join("X" if b else "O" if w else EMPTY for b, w in zip(black, white))


class GoState(BoardState):
    """Go as OpenSpiel plays it: Tromp-Taylor area scoring, simple ko forbidden, a position
    repeated by a stone ends the game as a draw (superko), at most 2 * size^2 moves."""

    __slots__ = ()
    stones = ("X", "O")

    @classmethod
    def move_name(cls, game: SpielGame, action: int) -> str:
        _range_check(game, action)
        size = _go_size(game)
        if action == size * size:
            return "pass"
        r, c = divmod(action, size)
        return f"{_letters(size, skip_i=True)[c]}{r + 1}"

    def points(self) -> str:
        """The board indexed by action id: "X" black, "O" white, "." empty."""
        return _go_points(self.s, _go_size(self.game))

    def rows(self) -> tuple[str, ...]:
        size = _go_size(self.game)
        points = self.points()
        return tuple(points[r * size:(r + 1) * size] for r in reversed(range(size)))

    def colour(self, seat: int) -> str:
        return ("Black (X)", "White (O)")[seat]

    def captured(self, points: str) -> tuple[int, int]:
        """Stones captured by Black and by White: stones played minus stones on the board."""
        # Handicap stones are on the board before the first move.
        start = _go_points(self.game.spiel.new_initial_state(), _go_size(self.game))
        played = [start.count("X"), start.count("O")]
        pass_action = self.game.num_actions - 1
        for step in self.s.full_history():
            if step.action != pass_action:
                played[step.player] += 1
        lost_black = played[0] - points.count("X")
        lost_white = played[1] - points.count("O")
        return lost_white, lost_black

    def komi(self) -> float:
        return float(getattr(self.game.rules, "komi", 7.5))

    def observation(self, seat: int) -> GoObservation:
        base = super().observation(seat)
        size = _go_size(self.game)
        points = "".join(reversed(base.board))
        return GoObservation(base.seat, base.to_move, base.stone, base.board, base.legal,
                             base.last_move, size, self.komi(), self.captured(points),
                             go_area(points, size))

    def rules_lines(self, seat: int) -> list[str]:
        size = _go_size(self.game)
        return [f"Go on a {size}x{size} board; Black moves first. A move names a point, e.g. "
                f"d4 = column d, row 4 (columns skip the letter i), or pass. Scoring is "
                f"Tromp-Taylor area (your stones plus the empty points only you surround), "
                f"komi {self.komi():g} to White. Two passes in a row end the game, and so "
                f"does a stone that repeats an earlier position (a draw), or move "
                f"{self.game.spiel.max_game_length()}. Simple ko and suicide are illegal."]

    def describe_move(self, seat: int, action: int) -> str:
        name = self.move_name(self.game, action)
        color = ("Black", "White")[seat]
        return f"{color} passed" if name == "pass" else f"{color} {name}"

    def notes(self) -> list[str]:
        points = self.points()
        by_black, by_white = self.captured(points)
        black, white = go_area(points, _go_size(self.game))
        return [f"Moves played: {len(self.s.history())}. Captures: Black has taken {by_black} "
                f"stone(s), White {by_white}. Area now: Black {black}, White {white} + komi "
                f"{self.komi():g}."]

    def drawing(self, rows: tuple[str, ...]) -> list[str]:
        size = len(rows)
        letters = " ".join(_letters(size, skip_i=True))
        out = ["    " + letters]
        for i, row in enumerate(rows):
            out.append(f"{size - i:>3} " + " ".join(row) + f" {size - i}")
        out.append("    " + letters)
        return out

