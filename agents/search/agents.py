"""``mcts`` and ``ismcts``: Monte Carlo tree search agents for every game of the arena.

``mcts`` is UCT for perfect-information games (chance nodes included); ``ismcts`` is
single-observer information-set MCTS for games with hidden information: each iteration
starts from a fresh ``determinize`` of the searching seat's own view, so the search never
sees another seat's cards, and the end of each playout is scored with the cards of that
determinization. Both share one engine (``agents.search.tree``).

Budgets are settings, recorded with the agent's spec: ``iterations`` per decision and/or
``time`` seconds per decision (whichever ends first; with ``time`` the result depends on the
machine's speed, so it no longer repeats exactly). With ``engine=openspiel`` an OpenSpiel
game is searched by OpenSpiel's C++ bots (``pyspiel.MCTSBot`` / ``pyspiel.ISMCTSBot``,
random playouts) with the same budgets and seeding.

``act`` plays the most visited move (``final=most_visited``) or samples the root visit
distribution (``final=visit_sample``); ``action_probabilities`` is that visit distribution,
so ``arena exploitability`` measures the policy of ``final=visit_sample``.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from arena.core.agent import Agent, Budget, SeatView
from arena.core.errors import ArenaError
from arena.core.game import State
from arena.core.params import param
from arena.core.registry import make_agent
from arena.core.spec import parse_spec

from .tree import Node, Playout, Search, most_visited


@dataclass(frozen=True)
class SearchParams:
    """Settings shared by ``mcts`` and ``ismcts``."""

    iterations: int = param(200, "search iterations per decision (0: only the time limit)")
    time: float = param(0.0, "seconds per decision, 0 for none; with iterations, whichever "
                             "ends first (then results depend on the machine's speed)")
    c: float = param(1.0, "UCT exploration constant (values in units of twice the standard deviation of the returns seen)")
    rollout: str = param("game", "playout policy: game (the game's own quick policy, where "
                                 "it has one; else random), random, or an agent spec in every "
                                 "seat (quote one with settings: rollout=\"expert(samples=8)\")")
    horizon: Literal["round", "game"] = param(
        "round", "games played in rounds: end playouts at the end of the round (scored by "
                 "the game's estimate of the final result) or play to the end of the game")
    prior: float = param(0.0, "weight of a bias towards the rollout policy's move at each "
                              "node (0: plain UCT)")
    opponents: Literal["search", "rollout"] = param(
        "search", "the other seats' moves inside the tree: searched (UCT for their own "
                  "return) or played by the rollout policy, as a model of them")
    final: Literal["most_visited", "visit_sample"] = param(
        "most_visited", "play the most visited move, or sample the root visit distribution")
    engine: Literal["arena", "openspiel"] = param(
        "arena", "this engine (any game, any rollout) or OpenSpiel's C++ bot (OpenSpiel "
                 "games, random playouts)")

    def __post_init__(self) -> None:
        if self.iterations < 0 or self.time < 0:
            raise ValueError("iterations and time must be >= 0")
        if self.iterations == 0 and self.time == 0:
            raise ValueError("give a budget: iterations > 0 or time > 0")
        if self.c < 0 or self.prior < 0:
            raise ValueError(f"c={self.c} and prior={self.prior} must be >= 0")
        if self.engine == "openspiel" and self.rollout not in ("game", "random"):
            raise ValueError("engine=openspiel plays out at random only (rollout=random)")


@dataclass(frozen=True)
class MctsParams(SearchParams):
    """Settings of ``mcts``."""

    iterations: int = param(1000, "search iterations per decision (0: only the time limit)")
    reuse: bool = param(True, "keep the subtree of the position reached between moves")


@dataclass(frozen=True)
class IsmctsParams(SearchParams):
    """Settings of ``ismcts``."""

    iterations: int = param(250, "search iterations per decision (0: only the time limit)")
    prior: float = param(0.5, "weight of a bias towards the rollout policy's move at each "
                              "node (0: plain UCT)")
    sampling: Literal["likely", "uniform"] = param(
        "uniform", "hidden cards drawn from the game's model of how players play, where it "
                  "has one (Dhumbal: hands get lower as a round goes on), or uniformly among "
                  "the deals the seat cannot rule out")
    worlds: int = param(0, "0: a fresh determinization every iteration; k: k drawn per "
                           "decision and searched in turn (the moves compared on the same "
                           "hidden cards: less noise, a coarser sample)")

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.worlds < 0:
            raise ValueError(f"worlds={self.worlds} must be >= 0")


class _SearchAgent(Agent):
    """What ``mcts`` and ``ismcts`` share: budgets, playouts, the final choice."""

    Params = SearchParams

    def __init__(self, params: SearchParams, game: Any):
        super().__init__(params, game)
        self.budget = Budget(time_per_move=params.time or None,
                             simulations=params.iterations or None)
        agents = self._rollout_agents(params.rollout, game)
        own = params.rollout == "game" and \
            type(game.new_state(0)).playout_action is not State.playout_action
        self.playout = Playout(agents, game_policy=own)
        # A bias towards the policy's move only where the policy knows something.
        self.prior = params.prior if (agents or own) else 0.0
        self.horizon_round = params.horizon == "round"
        self.spiel = None
        if params.engine == "openspiel":
            from .spiel import SpielEngine

            self.spiel = SpielEngine(game, params, self.name)
        self.last_search: Search | None = None
        """The latest search (its tree and iteration count), for inspection and tests."""

    def _rollout_agents(self, spec: str, game: Any) -> list[Agent] | None:
        if spec in ("game", "random"):
            return None
        try:
            return [make_agent(spec, game) for _ in range(game.num_players)]
        except ArenaError as exc:
            raise ArenaError(f"agent '{self.name}': rollout={spec} is not game, random or an "
                             f"agent spec: {exc}") from None

    def _modelled(self, seat: int) -> frozenset[int]:
        if self.params.opponents == "search":
            return frozenset()
        return frozenset(s for s in range(self.game.num_players) if s != seat)

    def _budget(self) -> tuple[int | None, float | None]:
        p = self.params
        return (p.iterations or None), (p.time or None)

    def _visits(self, view: SeatView, legal: Sequence[int], rng: random.Random,
                keep: bool) -> dict[int, float]:
        """The root visit counts of a search from ``view`` (engine by the settings)."""
        if self.spiel is not None:
            self.last_search = None  # OpenSpiel's trees stay in C++
            return self.spiel.visits(view, rng)
        search = self._search(view, rng, keep)
        self.last_search = search
        root = search.root
        return {a: float(root.children[a].visits) if a in root.children else 0.0
                for a in legal}

    def _search(self, view: SeatView, rng: random.Random, keep: bool) -> Search:
        raise NotImplementedError

    def act(self, view: SeatView, legal: Sequence[int]) -> int:
        if len(legal) == 1:
            return legal[0]
        visits = self._visits(view, legal, self.rng, keep=True)
        if self.params.final == "visit_sample":
            return self.rng.choices(list(legal), [visits.get(a, 0.0) + 1e-12 for a in legal])[0]
        if self.spiel is None:
            return most_visited(self.last_search.root, legal, self.rng)
        if self.spiel.best is not None:
            return self.spiel.best
        top = max(visits.get(a, 0.0) for a in legal)
        return self.rng.choice([a for a in legal if visits.get(a, 0.0) == top])

    def action_probabilities(self, view: SeatView, legal: Sequence[int]) -> dict[int, float]:
        """The root visit distribution of a fresh search from here."""
        if len(legal) == 1:
            return {legal[0]: 1.0}
        visits = self._visits(view, legal, self.rng, keep=False)
        total = sum(visits.get(a, 0.0) for a in legal)
        if total <= 0:
            return {a: 1.0 / len(legal) for a in legal}
        return {a: visits.get(a, 0.0) / total for a in legal}


class MctsAgent(_SearchAgent):
    """UCT Monte Carlo tree search for perfect-information games (chance nodes included)."""

    name = "mcts"
    Params = MctsParams

    def __init__(self, params: MctsParams, game: Any):
        if not game.info.perfect_information:
            raise ArenaError(f"agent 'mcts' needs a perfect-information game; {game.name} "
                             "hides information from the seats: use ismcts")
        super().__init__(params, game)
        self._kept: _Kept | None = None

    def start(self, seat: int, rng: random.Random) -> None:
        super().start(seat, rng)
        self._kept = None

    def _search(self, view: SeatView, rng: random.Random, keep: bool) -> Search:
        root_state = view.determinize(rng)  # a copy: the game may draw chance inside it
        reuse = keep and self.params.reuse
        kept = self._reused(root_state) if reuse else None
        search = Search(root_state.clone, self.playout, self.params.c, rng,
                        self.horizon_round, root=kept.root if kept else None,
                        modelled=self._modelled(view.seat), prior=self.prior)
        if kept is not None:
            search.spread = kept.spread
        search.run(*self._budget())
        if reuse:
            self._kept = _Kept(root_state, search.root, search.spread)
        elif keep:
            self._kept = None  # reuse=false: nothing to carry
        return search

    def act(self, view: SeatView, legal: Sequence[int]) -> int:
        action = super().act(view, legal)
        if self._kept is not None:
            self._kept.action = action  # the next search starts below this move
        return action

    def _reused(self, now: Any) -> "_Kept | None":
        """The kept tree's node at the position ``now``, found by replaying the tree's
        moves from the last decision a few plies deep, or None."""
        kept = self._kept
        if kept is None or kept.action not in kept.root.children:
            return None
        target = now.information_state_key(self.seat)
        frontier = [(kept.root.children[kept.action], _after(kept.state, kept.action))]
        for _ in range(2 * self.game.num_players + 2):
            nxt = []
            for node, st in frontier:
                if st.information_state_key(self.seat) == target:
                    return _Kept(st, node, kept.spread)
                if not st.is_terminal:
                    nxt.extend((child, _after(st, a)) for a, child in node.children.items()
                               if child.visits > 0)
            frontier = nxt
            if not frontier:
                break
        return None


@dataclass
class _Kept:
    """A tree kept for the next decision: its root position and node, the spread of the
    returns seen, and the move played from it."""

    state: Any
    root: Node
    spread: tuple[int, float, float, float, float]
    action: int | None = None


def _after(state: Any, action: int) -> Any:
    st = state.clone()
    st._apply(action)
    return st


class IsmctsAgent(_SearchAgent):
    """Single-observer information-set MCTS: every iteration a fresh determinization of
    this seat's own view, availability counts in UCT; any game that can ``determinize``."""

    name = "ismcts"
    Params = IsmctsParams

    def _search(self, view: SeatView, rng: random.Random, keep: bool) -> Search:
        draw = view.likely_determinize if self.params.sampling == "likely" else \
            view.determinize
        try:
            if self.params.worlds:
                worlds = itertools.cycle([draw(rng) for _ in range(self.params.worlds)])

                def sample() -> Any:
                    return next(worlds).clone()
            else:
                def sample() -> Any:
                    return draw(rng)

            search = Search(sample, self.playout, self.params.c, rng, self.horizon_round,
                            modelled=self._modelled(view.seat), prior=self.prior)
            search.run(*self._budget())
        except NotImplementedError as exc:
            raise ArenaError(f"agent 'ismcts' needs a game that can determinize: {exc}") \
                from None
        return search
