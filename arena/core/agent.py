"""The agent protocol: an agent sees one seat's view and the legal actions, and picks one.

An agent is built once per game configuration (``Agent(params, game)``; it refuses games it
cannot play there), told ``start(seat, rng)`` before each game with a generator of its own,
asked ``act(view, legal)`` at each decision, and told ``finish(view, outcome)`` at the end.
The ``SeatView`` gives only what the seat may know, computed on demand so that agents that
need little (random play) pay little.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from arena.core.errors import ArenaError
from arena.core.params import NoParams

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from arena.core.game import Game, Outcome, State


@dataclass(frozen=True)
class Budget:
    """What one decision of the agent may spend, as the agent declares it (search agents set
    their simulations and time): for whoever reads the agent. The arena enforces only the
    job's ``time_per_move`` (a tournament's ``[budgets] time_per_move``)."""

    time_per_move: float | None = None
    """Wall-clock seconds per decision, or None for no limit."""
    simulations: int | None = None
    """Search iterations / playouts per decision (search agents)."""
    tokens: int | None = None
    """Model tokens per decision (LLM agents)."""


class SeatView:
    """One seat's window on the live state of a game."""

    __slots__ = ("_state", "seat")

    def __init__(self, state: "State", seat: int):
        self._state = state
        self.seat = seat

    @property
    def game(self) -> "Game":
        return self._state.game

    def observation(self) -> Any:
        return self._state.observation(self.seat)

    def text(self) -> str:
        return self._state.text(self.seat)

    def encode(self) -> "np.ndarray":
        return self._state.encode(self.seat)

    def info_key(self) -> str:
        """A string naming this seat's information state (see State.information_state_key)."""
        return self._state.information_state_key(self.seat)

    def determinize(self, rng: random.Random) -> "State":
        return self._state.determinize(self.seat, rng)

    def likely_determinize(self, rng: random.Random) -> "State":
        return self._state.likely_determinize(self.seat, rng)

    def action_name(self, action: int) -> str:
        return self._state.action_name(action)


class Agent:
    """Base class of agents. Subclasses set ``name``, ``Params`` and, if limited, ``games``."""

    name: ClassVar[str] = "agent"
    Params: ClassVar[type] = NoParams
    games: ClassVar[tuple[str, ...] | None] = None
    """Names of the games this agent plays, or None for any game."""
    interactive: ClassVar[bool] = False
    """True for agents that wait on a person (never timed or run in workers)."""

    def __init__(self, params: Any, game: "Game"):
        if self.games is not None and game.name not in self.games:
            raise ArenaError(
                f"agent '{self.name}' plays only {', '.join(self.games)}, not {game.name}"
            )
        self.params = params
        self.game = game
        self.budget = Budget()
        self.seat = -1
        self.rng = random.Random(0)
        self.deadline: float | None = None
        """During ``act``: the ``time.monotonic()`` by which the move must be made (its time
        budget), or None without one. An answer after it counts as a timeout; agents that
        wait (on a network) should give up before it."""

    def start(self, seat: int, rng: random.Random) -> None:
        """A new game begins; ``rng`` is this agent's own generator for it."""
        self.seat = seat
        self.rng = rng

    def act(self, view: SeatView, legal: Sequence[int]) -> int:
        """The chosen action, one of ``legal``."""
        raise NotImplementedError

    def action_probabilities(self, view: SeatView,
                             legal: Sequence[int]) -> dict[int, float] | None:
        """The agent's policy here, if it can say (used to tabulate it, e.g. for
        exploitability); None for agents whose choice cannot be written down."""
        return None

    def talk(self, view: SeatView, action: int) -> str | None:
        """Free text to attach to the statement ``action`` just chosen (games with talk,
        e.g. Avalon's claims and accusations), or None. Every seat reads it in the public
        history; the rules never do, and bots ignore it. Called right after ``act``, within
        the same time budget."""
        return None

    def decision_note(self) -> str | None:
        """Text about the decision just made, kept with the game's record and shown beside
        the move in replays (e.g. an LLM's raw reply), or None (the default). Called right
        after ``act`` (and ``talk``), within the same time budget; untrusted text, shown
        escaped."""
        return None

    def finish(self, view: SeatView, outcome: "Outcome") -> None:
        """The game ended (hook for learning or showing the result)."""

    def game_stats(self) -> dict[str, Any] | None:
        """What the agent's decisions of the game just played cost and how they went, as
        numbers (summed over games and seats in the results) and lists of numbers
        (joined), e.g. an LLM agent's invalid answers, fallbacks, tokens and latencies;
        None (the default) for agents with nothing to report. Asked after ``finish``."""
        return None

    def unpriced(self) -> str | None:
        """Why a cost budget in US dollars cannot be kept with this agent (it spends without
        a known price), or None: it can (the default, for agents that spend nothing). Asked
        before a tournament with a cost budget plays anything."""
        return None


class BestMovesAgent(Agent):
    """An agent that ranks moves and picks uniformly among the best (``best_moves``)."""

    def best_moves(self, view: SeatView, legal: Sequence[int]) -> list[int]:
        """The equally good best moves here (a non-empty subset of ``legal``)."""
        raise NotImplementedError

    def act(self, view: SeatView, legal: Sequence[int]) -> int:
        return self.rng.choice(self.best_moves(view, legal))

    def action_probabilities(self, view: SeatView, legal: Sequence[int]) -> dict[int, float]:
        best = self.best_moves(view, legal)
        return {a: (1.0 / len(best) if a in best else 0.0) for a in legal}
