"""A rule-based Connect Four player: win, block, do not set up the opponent, play central.

The rules, in order: drop where a disc wins now; else where the opponent would win next
move; else among the columns that do not let the opponent win by dropping on top of our
disc (all columns if none is safe), the ones nearest the centre. Ties are broken uniformly
with the agent's own generator, and ``action_probabilities`` says exactly that policy.
The board is read from the observation (``games.openspiel.boards``), so the rules know the
board size and line length of any configured game.
"""

from __future__ import annotations

from collections.abc import Sequence

from arena.core.agent import BestMovesAgent, SeatView

_DIRECTIONS = ((0, 1), (1, 0), (1, 1), (1, -1))


class Board:
    """A Connect Four grid, bottom row first: ``cells[row][col]`` is "x", "o" or "."."""

    def __init__(self, rows_top_first: Sequence[str], line: int):
        self.cells = [list(row) for row in reversed(rows_top_first)]
        self.rows, self.cols = len(self.cells), len(self.cells[0])
        self.line = line

    def height(self, col: int) -> int:
        """The row a disc dropped in ``col`` lands on (``rows`` if the column is full)."""
        for row in range(self.rows):
            if self.cells[row][col] == ".":
                return row
        return self.rows

    def wins_at(self, row: int, col: int, stone: str) -> bool:
        """Whether ``stone`` at (row, col) completes a line (the cell itself may be empty)."""
        for dr, dc in _DIRECTIONS:
            count = 1
            for sign in (1, -1):
                r, c = row + sign * dr, col + sign * dc
                while 0 <= r < self.rows and 0 <= c < self.cols and self.cells[r][c] == stone:
                    count += 1
                    r, c = r + sign * dr, c + sign * dc
            if count >= self.line:
                return True
        return False

    def wins_by_dropping(self, col: int, stone: str) -> bool:
        row = self.height(col)
        return row < self.rows and self.wins_at(row, col, stone)

    def gives_win_on_top(self, col: int, stone: str, other: str) -> bool:
        """Whether ``stone`` dropped in ``col`` lets ``other`` win by dropping on top of it."""
        row = self.height(col) + 1
        if row >= self.rows:
            return False
        self.cells[row - 1][col] = stone
        try:
            return self.wins_at(row, col, other)
        finally:
            self.cells[row - 1][col] = "."


class ConnectFourRules(BestMovesAgent):
    """Wins if it can, blocks the opponent's win, avoids giving one, prefers the centre."""

    name = "c4_rules"
    games = ("connect_four",)

    def best_moves(self, view: SeatView, legal: Sequence[int]) -> list[int]:
        """The columns the rules rank first (the agent picks uniformly among them)."""
        obs = view.observation()
        me = obs.stone
        other = "o" if me == "x" else "x"
        board = Board(obs.board, int(getattr(self.game.rules, "x_in_row", 4)))
        wins = [c for c in legal if board.wins_by_dropping(c, me)]
        if wins:
            return wins
        blocks = [c for c in legal if board.wins_by_dropping(c, other)]
        if blocks:
            return blocks
        safe = [c for c in legal if not board.gives_win_on_top(c, me, other)] or list(legal)
        centre = (board.cols - 1) / 2
        nearest = min(abs(c - centre) for c in safe)
        return [c for c in safe if abs(c - centre) == nearest]

