"""The search engine shared by ``mcts`` and ``ismcts``: UCT over a tree of actions.

One iteration takes a root state (the real position for ``mcts``; for ``ismcts`` a fresh
``determinize`` from the searching seat's own view), walks the tree by UCT from the root,
adds one node, plays out to the end (or to the end of the round, see ``horizon_round``), and backs
the end's returns up the path. Every node keeps the statistics of the seat that chose the move
into it, so each seat maximises its own return (any number of players, not only zero-sum).

- Chance nodes (``CHANCE``): an outcome is drawn with its probability, and each outcome has its
  own child, so a move's value is the average over chance outcomes in proportion to their
  probabilities: the expectation.
- Availability counts (single-observer ISMCTS, Cowling, Powley and Whitehouse 2012): a move is
  legal only in some determinizations (the cards another seat may hold), so its exploration
  term counts the iterations in which it was available, not the parent's visits. In a
  perfect-information game every move is available on every visit, so this is UCT with the
  parent's visits counted from the child's creation (the same once every move is tried).
- Values are measured in units of twice the standard deviation of the returns backed up so
  far in this search (at least a quarter of their range, so that a search whose returns are
  nearly all equal still explores), so one exploration constant fits games paid in +-1 and
  games paid in hundreds of coins; for +-1 results it is the 0..1 scale of plain UCT. Scaling
  by the lowest and highest return alone lets a few large payments (Dhumbal's coins) shrink
  real differences between moves to nothing next to the exploration term.

Everything random comes from the ``random.Random`` the caller passes: the same seed, the same
tree and the same move.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from arena.core.agent import SeatView
from arena.core.game import CHANCE, TERMINAL, draw_chance

if TYPE_CHECKING:  # pragma: no cover
    from arena.core.agent import Agent
    from arena.core.game import State


class Node:
    """A node of the search tree: the statistics of the move that leads into it."""

    __slots__ = ("children", "visits", "total", "avail", "seat")

    def __init__(self, seat: int):
        self.children: dict[int, Node] = {}
        self.visits = 0
        self.total = 0.0
        """Sum of ``seat``'s returns over the iterations through this node."""
        self.avail = 0
        """Iterations in which the move into this node was legal (ISMCTS)."""
        self.seat = seat
        """The seat that chose the move into this node (``CHANCE`` for a chance outcome)."""


class Playout:
    """How a playout picks moves: uniformly at random, by the game's own playout policy
    (``State.playout_action``), or by an agent in every seat."""

    def __init__(self, agents: "Sequence[Agent] | None" = None, game_policy: bool = False):
        self.agents = list(agents) if agents else None
        self.game_policy = game_policy

    def start(self, rng: random.Random) -> None:
        if self.agents:
            for seat, agent in enumerate(self.agents):
                agent.start(seat, rng)

    def move(self, state: "State", seat: int, rng: random.Random) -> int:
        if self.game_policy:
            return state.playout_action(rng)
        legal = state.legal_actions()
        if self.agents is None:  # uniformly random
            return legal[int(rng.random() * len(legal))]
        return self.agents[seat].act(SeatView(state, seat), legal)

    def prior(self, state: "State", seat: int, rng: random.Random) -> int:
        """The move a search leans towards (``State.prior_action`` under the game's own
        policy, else the playout move); -1 for none."""
        if self.game_policy:
            action = state.prior_action(rng)
            return -1 if action is None else action
        return self.move(state, seat, rng)


class Search:
    """UCT search from one seat's decision; ``run`` returns the root of the tree it grew.

    ``sample()`` gives the state an iteration starts from (a clone or a determinization); it
    must be a fresh object the search may change. ``horizon_round``: stop a playout when the
    state's ``round`` changes and score it by ``estimated_returns()`` (games played in rounds).
    A new node is expanded with the playout policy's move when it has not been tried yet
    (then the other moves, at random), so a rarely visited node is not judged on a random
    first move (a call with a high hand, say) where the policy is sensible.
    ``prior``: the weight of a progressive bias towards the playout policy's move at each
    node, ``prior * sqrt(available) / (visits + 1)`` (scaled values): the search follows the
    policy until the other moves' values show it wrong (0: plain UCT).
    ``modelled``: seats whose moves inside the tree are the playout policy's (a model of
    those players) rather than UCT's; their moves still key the tree.
    """

    def __init__(self, sample: "Callable[[], State]", playout: Playout, c: float,
                 rng: random.Random, horizon_round: bool = False, root: Node | None = None,
                 modelled: frozenset[int] = frozenset(), prior: float = 0.0):
        self.sample = sample
        self.playout = playout
        self.c = c
        self.rng = rng
        self.horizon_round = horizon_round
        self.modelled = modelled
        self.prior = prior
        self.guided = playout.agents is not None or playout.game_policy
        self.root = root if root is not None else Node(TERMINAL)
        self.iterations = 0
        self.lo = math.inf
        self.hi = -math.inf
        self._n = 0  # count, sum and sum of squares of every return backed up
        self._s = 0.0
        self._ss = 0.0

    @property
    def spread(self) -> tuple[int, float, float, float, float]:
        """(count, sum, sum of squares, lowest, highest) of the returns backed up so far:
        what the value scale is computed from, carried with a tree that is reused."""
        return self._n, self._s, self._ss, self.lo, self.hi

    @spread.setter
    def spread(self, value: tuple[int, float, float, float, float]) -> None:
        self._n, self._s, self._ss, self.lo, self.hi = value

    def run(self, iterations: int | None, seconds: float | None) -> Node:
        """Run ``iterations`` iterations, or until ``seconds`` have passed (whichever is first;
        at least one iteration)."""
        deadline = time.perf_counter() + seconds if seconds else None
        self.playout.start(self.rng)
        done = 0
        while True:
            self.iterate()
            done += 1
            if iterations is not None and done >= iterations:
                break
            if deadline is not None and time.perf_counter() >= deadline:
                break
        self.iterations += done
        return self.root

    def iterate(self) -> None:
        rng, c = self.rng, self.c
        state = self.sample()
        start_round = state.round
        horizon = self.horizon_round
        modelled = self.modelled
        node = self.root
        path = [node]
        values = None
        while True:
            seat = state.current_player
            if seat == TERMINAL:
                values = state.returns()
                break
            if horizon and state.round != start_round:
                values = state.estimated_returns()
                break
            children = node.children
            if seat == CHANCE or seat in modelled:
                action = draw_chance(state, rng) if seat == CHANCE else \
                    self.playout.move(state, seat, rng)
                child = children.get(action)
                if child is None:
                    child = children[action] = Node(seat)
                state._apply(action)
                node = child
                path.append(child)
                continue
            legal = state.legal_actions()
            untried = None
            for a in legal:
                child = children.get(a)
                if child is None:
                    if untried is None:
                        untried = [a]
                    else:
                        untried.append(a)
                else:
                    child.avail += 1
            if untried is not None:
                # The playout policy's own move is tried first; then the others at random.
                action = self.playout.move(state, seat, rng) if self.guided else -1
                if action not in untried:
                    action = untried[int(rng.random() * len(untried))]
                child = children[action] = Node(seat)
                child.avail = 1
                state._apply(action)
                path.append(child)
                values = self._play_out(state, start_round)
                break
            favourite = self.playout.prior(state, seat, rng) if self.prior else -1
            action, node = self._select(children, legal, favourite)
            state._apply(action)
            path.append(node)
        for v in values:
            if v < self.lo:
                self.lo = v
            if v > self.hi:
                self.hi = v
            self._n += 1
            self._s += v
            self._ss += v * v
        for n in path:
            n.visits += 1
            if n.seat >= 0:
                n.total += values[n.seat]

    def _select(self, children: dict[int, Node], legal: Sequence[int],
                favourite: int = -1) -> tuple[int, Node]:
        scale = 0.0
        if self._n > 1:
            mean = self._s / self._n
            sd = max(math.sqrt(max(self._ss / self._n - mean * mean, 0.0)),
                     (self.hi - self.lo) / 4)
            if sd > 1e-12:
                scale = 0.5 / sd
        c = self.c
        best, best_score, best_action = None, -math.inf, -1
        ties = 0
        for a in legal:
            child = children[a]
            n = child.visits
            mean = child.total / n * scale
            score = mean + c * math.sqrt(math.log(child.avail) / n)
            if a == favourite:
                score += self.prior * math.sqrt(child.avail) / (n + 1)
            if score > best_score:
                best, best_score, best_action, ties = child, score, a, 1
            elif score == best_score:
                ties += 1  # reservoir choice among equals: no bias to low action numbers
                if self.rng.random() * ties < 1.0:
                    best, best_action = child, a
        return best_action, best

    def _play_out(self, state: "State", start_round: int) -> tuple[float, ...]:
        rng, playout, horizon = self.rng, self.playout, self.horizon_round
        if playout.game_policy:  # the common case, without the indirection
            while True:
                seat = state.current_player
                if seat >= 0:
                    if horizon and state.round != start_round:
                        return state.estimated_returns()
                    state._apply(state.playout_action(rng))
                elif seat == TERMINAL:
                    return state.returns()
                else:
                    state._apply(draw_chance(state, rng))
        while True:
            seat = state.current_player
            if seat == TERMINAL:
                return state.returns()
            if horizon and state.round != start_round:
                return state.estimated_returns()
            if seat == CHANCE:
                state._apply(draw_chance(state, rng))
            else:
                state._apply(playout.move(state, seat, rng))


def most_visited(root: Node, legal: Sequence[int], rng: random.Random) -> int:
    """The most visited legal root move (ties: the higher mean, then uniformly at random)."""
    best: list[int] = []
    key_best = None
    for a in legal:
        child = root.children.get(a)
        key = (child.visits, child.total / child.visits) if child and child.visits else (0, 0.0)
        if key_best is None or key > key_best:
            best, key_best = [a], key
        elif key == key_best:
            best.append(a)
    return best[0] if len(best) == 1 else rng.choice(best)
