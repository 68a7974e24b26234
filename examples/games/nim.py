"""Nim, a complete game written only against the public API (docs/architecture.md walks
through it). A move takes counters from one heap; whoever takes the last one wins (misère:
loses). Bouton's theorem: the seat to move wins with perfect play iff the xor of the heaps
is non-zero (misère: the same unless no heap holds two counters, then iff their number is
even). Play it: ``arena match "examples/games/nim.py:Nim(heaps='1,3,5,7')" --agents random,mcts``
"""

from __future__ import annotations

import copy
import functools
import operator
from dataclasses import dataclass

import numpy as np

from arena import TERMINAL, Game, GameInfo, MetricSpec, Outcome, State, param


def to_move_wins(heaps: tuple[int, ...] | list[int], misere: bool) -> bool:
    """Whether the seat to move wins with perfect play (Bouton's theorem)."""
    if misere and max(heaps, default=0) <= 1:
        return sum(heaps) % 2 == 0
    return functools.reduce(operator.xor, heaps, 0) != 0


@dataclass(frozen=True)
class NimRules:
    """The rules as typed settings (a ValueError here is a one-line error in the CLI)."""

    heaps: str = param("3,4,5", "counters in each heap, comma-separated (1-8 heaps of 1-15)")
    misere: bool = param(False, "misère play: whoever takes the last counter loses")

    def __post_init__(self) -> None:
        parts = self.heaps.split(",")
        if not (len(parts) <= 8 and all(p.strip().isdigit() and 1 <= int(p) <= 15
                                        for p in parts)):
            raise ValueError(f"heaps={self.heaps!r}: expected 1-8 sizes of 1-15, comma-separated")


@dataclass(frozen=True)
class NimObservation:
    """What a seat knows: everything (Nim has no hidden information)."""

    seat: int
    to_move: int
    heaps: tuple[int, ...]
    legal: tuple[int, ...]  # empty unless this seat is to move (check_game checks it)


class Nim(Game):
    """Take counters from one heap; the last to take wins (or loses, misère)."""

    info = GameInfo(name="nim", description="Nim: take counters from one heap; the last to "
                    "take wins (misère: loses)", min_players=2, max_players=2,
                    perfect_information=True, chance=False)
    Rules = NimRules
    presets = {"classic": {"heaps": "3,4,5"}, "marienbad": {"heaps": "1,3,5,7", "misere": True}}
    default_preset = "classic"
    metric_specs = (MetricSpec("kept_wins", "moves from a won position that kept it won / "
                               "won positions to move in", "ratio", "kept", "won"),)
    num_players = 2  # a class attribute fills the abstract property

    def __init__(self, rules: NimRules | None = None, preset: str | None = None):
        super().__init__(rules, preset)
        self.sizes = tuple(int(p) for p in self.rules.heaps.split(","))
        self.width = max(self.sizes)  # action = heap * width + (counters taken - 1)

    @property
    def num_actions(self) -> int:
        return len(self.sizes) * self.width

    @property
    def encoding_shape(self) -> tuple[int, ...]:
        return (self.num_actions + 1,)  # a 1 per counter at (heap, position), then "my move"

    def new_state(self, seed: int) -> NimState:
        return NimState(self)  # no chance: every seed starts from the same heaps

    def action_name(self, action: int) -> str:
        if not 0 <= action < self.num_actions:
            raise ValueError(f"nim: no action {action} (valid 0-{self.num_actions - 1})")
        heap, take = divmod(action, self.width)
        return f"take {take + 1} from heap {heap + 1}"

    def return_bounds(self) -> tuple[float, float]:
        return (-1.0, 1.0)  # win +1, loss -1: a forfeit scores -1 for its seat


class NimState(State):
    """A position: the heaps, the seat to move, and the winner once no counter is left."""

    def __init__(self, game: Nim):
        self.game: Nim = game
        self.heaps, self.current_player, self.winner = list(game.sizes), 0, -1
        self.kept, self.won = [0, 0], [0, 0]  # per seat, for the kept_wins metric

    def legal_actions(self) -> list[int]:  # ascending; empty at the end
        w = self.game.width
        return [h * w + k for h, n in enumerate(self.heaps) for k in range(n)]

    def _apply(self, action: int) -> None:  # State.apply has checked that it is legal
        heap, take = divmod(action, self.game.width)
        seat, misere = self.current_player, self.game.rules.misere
        was_won = to_move_wins(self.heaps, misere)
        self.heaps[heap] -= take + 1
        self.won[seat] += was_won
        self.kept[seat] += was_won and not to_move_wins(self.heaps, misere)
        self.current_player = 1 - seat if any(self.heaps) else TERMINAL
        if not any(self.heaps):
            self.winner = 1 - seat if misere else seat

    def observation(self, seat: int) -> NimObservation:
        legal = tuple(self.legal_actions()) if seat == self.current_player else ()
        return NimObservation(seat, self.current_player, tuple(self.heaps), legal)

    def text(self, seat: int) -> str:
        rule = "loses" if self.game.rules.misere else "wins"
        lines = [f"Nim: whoever takes the last counter {rule}. You are player {seat}."]
        lines += [f"heap {h + 1}: {'o' * n or '-'} ({n})" for h, n in enumerate(self.heaps)]
        lines.append(f"The game is over: player {self.winner} won." if self.is_terminal
                     else "Your move: take 1 or more counters from one heap."
                     if self.current_player == seat
                     else f"Waiting for player {self.current_player}.")
        return "\n".join(lines)

    def encode(self, seat: int) -> np.ndarray:
        out = np.zeros(self.game.encoding_shape, dtype=np.float32)
        for h, n in enumerate(self.heaps):
            out[h * self.game.width:h * self.game.width + n] = 1.0
        out[-1] = float(self.current_player == seat)
        return out

    def clone(self) -> NimState:  # independent: no list shared with the original
        other = copy.copy(self)
        other.heaps, other.kept, other.won = list(self.heaps), list(self.kept), list(self.won)
        return other

    def returns(self) -> tuple[float, ...]:
        return tuple(0.0 if self.winner < 0 else 1.0 if s == self.winner else -1.0
                     for s in range(2))

    def metrics(self, outcome: Outcome | None = None) -> dict[str, list[int]]:
        return {"kept": list(self.kept), "won": list(self.won)}  # how each seat played

    def check_invariants(self) -> None:
        assert all(0 <= n <= s for n, s in zip(self.heaps, self.game.sizes)), self.heaps
        assert self.is_terminal == (not any(self.heaps)), "the end is when no counter is left"

