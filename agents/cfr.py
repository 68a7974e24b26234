"""``cfr``: counterfactual regret minimisation through OpenSpiel's solvers, for small games.

The solver runs once per game configuration and iteration count in each process (cached);
the agent then plays the average policy, sampling with its own generator. Exploitability
(NashConv / 2) of the result: ``arena exploitability kuhn_poker "cfr(iterations=5000)"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from arena.core.agent import Agent, SeatView
from arena.core.errors import ArenaError
from arena.core.params import param

_solved: dict[tuple[Any, ...], Any] = {}


@dataclass(frozen=True)
class CfrParams:
    """Settings of the CFR agent."""

    iterations: int = param(1000, "solver iterations (run once per game and setting)")
    solver: Literal["cfr", "cfr+"] = param("cfr", "vanilla CFR or CFR+")

    def __post_init__(self) -> None:
        if self.iterations < 1:
            raise ValueError(f"iterations={self.iterations} must be at least 1")


def solve(spiel_game: Any, iterations: int, solver: str) -> Any:
    """The average policy of ``iterations`` of CFR (or CFR+) on ``spiel_game`` (cached)."""
    import pyspiel

    key = (str(spiel_game), iterations, solver)
    hit = _solved.get(key)
    if hit is None:
        s = pyspiel.CFRPlusSolver(spiel_game) if solver == "cfr+" else pyspiel.CFRSolver(
            spiel_game)
        for _ in range(iterations):
            s.evaluate_and_update_policy()
        # The policy points into the solver's tables: keep the solver alive with it.
        hit = _solved[key] = (s, s.average_policy())
    return hit[1]


class CfrAgent(Agent):
    """Plays the average CFR policy of a small two-player zero-sum OpenSpiel game."""

    name = "cfr"
    Params = CfrParams
    games = ("kuhn_poker", "leduc_poker")

    def __init__(self, params: CfrParams, game):
        super().__init__(params, game)
        spiel = getattr(game, "spiel", None)
        if spiel is None or game.num_players != 2:
            raise ArenaError(f"agent 'cfr' needs a two-player OpenSpiel game, not {game.name}")
        self.policy = solve(spiel, params.iterations, params.solver)

    def action_probabilities(self, view: SeatView, legal: Sequence[int]) -> dict[int, float]:
        table = dict(self.policy.get_state_policy(view.info_key()))
        probs = {a: max(table.get(a, 0.0), 0.0) for a in legal}
        total = sum(probs.values())
        if total <= 0:
            return {a: 1.0 / len(legal) for a in legal}
        return {a: p / total for a, p in probs.items()}

    def act(self, view: SeatView, legal: Sequence[int]) -> int:
        probs = self.action_probabilities(view, legal)
        actions = list(probs)
        return self.rng.choices(actions, [probs[a] for a in actions])[0]
