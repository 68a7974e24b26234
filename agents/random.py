"""The uniformly random agent: any game, a legal move drawn from its own seeded generator."""

from __future__ import annotations

from collections.abc import Sequence

from arena.core.agent import Agent, SeatView


class RandomAgent(Agent):
    """A uniformly random legal move (any game)."""

    name = "random"

    def act(self, view: SeatView, legal: Sequence[int]) -> int:
        return self.rng.choice(legal)

    def action_probabilities(self, view: SeatView, legal: Sequence[int]) -> dict[int, float]:
        return {a: 1.0 / len(legal) for a in legal}
