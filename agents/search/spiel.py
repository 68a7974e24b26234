"""``engine=openspiel``: OpenSpiel's C++ MCTS and IS-MCTS bots behind ``mcts`` / ``ismcts``.

The same budgets (iterations, seconds) and exploration constant as the arena engine. The
arena engine measures values in units of twice the standard deviation of the returns seen in
its search (at least half their spread; see ``agents.search.tree``), OpenSpiel uses raw
returns, so its ``uct_c`` is ``c`` times the game's utility range: the same unit where two
standard deviations span that range (results of +-1 split evenly), an approximation
elsewhere. Playouts are random (one per leaf). A new bot is made for every
decision, seeded from the agent's generator, so a search repeats exactly given its seed
(without a time limit). ``ismcts`` hands the C++ bot a state from the seat's own
``determinize``; the bot then samples worlds with OpenSpiel's ``ResampleFromInfostate``,
which not every OpenSpiel game has.
"""

from __future__ import annotations

import random
from typing import Any

from arena.core.agent import SeatView
from arena.core.errors import ArenaError

_NO_LIMIT = 10**9


class SpielEngine:
    """Root visit counts from OpenSpiel's C++ search bots."""

    def __init__(self, game: Any, params: Any, kind: str):
        import pyspiel

        self.pyspiel = pyspiel
        spiel = getattr(game, "spiel", None)
        if spiel is None:
            raise ArenaError(f"agent '{kind}': engine=openspiel needs an OpenSpiel game; "
                             f"{game.name} is not one (use engine=arena)")
        self.spiel = spiel
        self.kind = kind
        self.params = params
        span = float(spiel.max_utility() - spiel.min_utility())
        self.uct_c = params.c * (span if span > 0 else 1.0)
        self.best: int | None = None
        """The C++ MCTS bot's own choice in the latest search (None for IS-MCTS)."""

    def _budget(self) -> tuple[int, float]:
        p = self.params
        return (p.iterations or _NO_LIMIT), (p.time if p.time else -1.0)

    def visits(self, view: SeatView, rng: random.Random) -> dict[int, float]:
        """Visit counts (``mcts``) or visit shares (``ismcts``) of the root moves."""
        ps = self.pyspiel
        seed = rng.getrandbits(31)
        sims, seconds = self._budget()
        state = view.determinize(rng).s
        evaluator = ps.RandomRolloutEvaluator(1, seed)
        if self.kind == "mcts":
            bot = ps.MCTSBot(self.spiel, evaluator, self.uct_c, sims, 1000, False, seed, False,
                             ps.ChildSelectionPolicy.UCT, seconds)
            root = bot.mcts_search(state)
            # OpenSpiel's own final choice: a move proven to win (a terminal child) first,
            # then the most visited.
            self.best = int(root.best_child().action)
            return {int(child.action): float(child.explore_count) for child in root.children}
        bot = ps.ISMCTSBot(seed, evaluator, self.uct_c, sims, -1,
                           ps.ISMCTSFinalPolicyType.NORMALIZED_VISIT_COUNT, False, True, seconds)
        try:
            policy = bot.get_policy(state)
        except (RuntimeError, ps.SpielError) as exc:
            raise ArenaError(f"agent 'ismcts' (engine=openspiel) cannot search "
                             f"{self.spiel.get_type().short_name}: {exc}") from None
        out = {int(a): float(p) for a, p in policy}
        self.best = None
        return out
