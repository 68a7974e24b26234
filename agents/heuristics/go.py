"""A rule-based Go player: capture, escape atari, give atari, keep its eyes, never self-atari.

It reads the board from the observation (``games.openspiel.boards.GoObservation``), finds
the groups and their liberties, and ranks the legal moves in tiers:

1. captures, most stones first;
2. moves that save an own group in atari (the stone joins it and leaves two or more
   liberties), most stones saved first, then most liberties;
3. moves that put an opponent group in atari (without self-atari), largest group first;
4. any other move that neither fills an own eye nor leaves its group in atari;
5. pass (only when nothing above is left, e.g. every move fills an own eye).

An own eye is an empty point whose neighbours are all own stones and that has no opponent
stone on a diagonal (at most one in the middle of the board): such points are never filled.
With ``pass_when_ahead`` (the default) it also passes right after the opponent passed when
the Tromp-Taylor area count, komi included, already wins, which ends the game at once.
Ties are broken uniformly with the agent's own generator; ``action_probabilities`` gives
exactly that policy.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from arena.core.agent import BestMovesAgent, SeatView
from arena.core.params import param
from games.openspiel.boards import go_neighbours

EMPTY = "."


@functools.lru_cache(maxsize=8)
def _geometry(size: int) -> tuple[tuple[tuple[int, ...], ...], tuple[tuple[int, ...], ...]]:
    """Per point: its orthogonal neighbours and its diagonal neighbours."""
    nbrs, diags = [], []
    for p in range(size * size):
        r, c = divmod(p, size)
        nbrs.append(tuple(go_neighbours(p, size)))
        diags.append(tuple((r + dr) * size + c + dc for dr in (-1, 1) for dc in (-1, 1)
                           if 0 <= r + dr < size and 0 <= c + dc < size))
    return tuple(nbrs), tuple(diags)


@dataclass(frozen=True)
class Group:
    """A chain of stones of one colour and its liberties (points as action ids)."""

    colour: str
    stones: frozenset[int]
    liberties: frozenset[int]


@dataclass(frozen=True)
class MoveEffect:
    """What a stone at ``point`` does, judged on the board right after it (captures made)."""

    point: int
    captured: int
    """Opponent stones removed."""
    liberties: int
    """Liberties of the group the new stone belongs to."""
    saved: int
    """Own stones in atari that the move joins and leaves with two or more liberties."""
    ataris: int
    """Opponent stones that the move leaves with a single liberty (not captured)."""
    eye: bool
    """The point is an own eye."""


class GoBoard:
    """Groups and liberties of a Go position (``points`` indexed by action id)."""

    def __init__(self, points: str, size: int):
        self.points = points
        self.size = size
        self.nbrs, self.diags = _geometry(size)
        self.group_at: list[Group | None] = [None] * len(points)
        for p, colour in enumerate(points):
            if colour != EMPTY and self.group_at[p] is None:
                group = self._flood(p, colour)
                for q in group.stones:
                    self.group_at[q] = group

    def _flood(self, start: int, colour: str) -> Group:
        stones, liberties, stack = {start}, set(), [start]
        while stack:
            p = stack.pop()
            for n in self.nbrs[p]:
                c = self.points[n]
                if c == EMPTY:
                    liberties.add(n)
                elif c == colour and n not in stones:
                    stones.add(n)
                    stack.append(n)
        return Group(colour, frozenset(stones), frozenset(liberties))

    def groups(self) -> list[Group]:
        return list({id(g): g for g in self.group_at if g is not None}.values())

    def is_eye(self, p: int, colour: str) -> bool:
        if self.points[p] != EMPTY or any(self.points[n] != colour for n in self.nbrs[p]):
            return False
        enemies = sum(1 for d in self.diags[p] if self.points[d] not in (EMPTY, colour))
        on_edge = len(self.nbrs[p]) < 4
        return enemies == 0 if on_edge else enemies <= 1

    def effect(self, p: int, colour: str) -> MoveEffect:
        """What ``colour`` playing the empty point ``p`` does (assumes the move is legal)."""
        own = {id(g): g for n in self.nbrs[p]
               if (g := self.group_at[n]) is not None and g.colour == colour}
        enemy = {id(g): g for n in self.nbrs[p]
                 if (g := self.group_at[n]) is not None and g.colour != colour}
        dead = [g for g in enemy.values() if g.liberties == {p}]
        removed = frozenset().union(*(g.stones for g in dead)) if dead else frozenset()
        merged = {p}.union(*(g.stones for g in own.values()))
        liberties = {n for n in self.nbrs[p] if self.points[n] == EMPTY}
        for g in own.values():
            liberties |= g.liberties
        liberties.discard(p)
        liberties |= {q for q in removed if any(n in merged for n in self.nbrs[q])}
        safe = len(liberties) >= 2
        saved = sum(len(g.stones) for g in own.values() if len(g.liberties) == 1) if safe else 0
        ataris = sum(len(g.stones) for g in enemy.values()
                     if len(g.liberties) == 2 and p in g.liberties) if safe else 0
        return MoveEffect(p, len(removed), len(liberties), saved, ataris,
                          self.is_eye(p, colour))


@dataclass(frozen=True)
class GoRulesParams:
    pass_when_ahead: bool = param(
        True, "pass right after the opponent passed when the area count (komi included) "
              "already wins, which ends the game")


class GoRules(BestMovesAgent):
    """Go by tiers: capture, save own groups in atari, atari, any safe non-eye move, pass."""

    name = "go_rules"
    Params = GoRulesParams
    games = ("go9",)

    def best_moves(self, view: SeatView, legal: Sequence[int]) -> list[int]:
        """The moves the tiers rank first (the agent picks uniformly among them)."""
        obs = view.observation()
        size = obs.size
        pass_action = size * size
        me = obs.stone
        if self.params.pass_when_ahead and obs.last_move == pass_action \
                and pass_action in legal and self._margin(obs) > 0:
            return [pass_action]
        board = GoBoard(obs.points, size)
        effects = [board.effect(a, me) for a in legal if a != pass_action]
        effects = [e for e in effects if not e.eye]
        for score in (lambda e: (e.captured,), lambda e: (e.saved, e.liberties),
                      lambda e: (e.ataris,)):
            tier = [e for e in effects if score(e)[0] > 0]
            if tier:
                top = max(score(e) for e in tier)
                return [e.point for e in tier if score(e) == top]
        rest = [e.point for e in effects if e.liberties >= 2]
        if rest:
            return rest
        return [pass_action] if pass_action in legal else list(legal)

    def _margin(self, obs) -> float:
        """Our Tromp-Taylor lead if the game ended now (komi and handicap included)."""
        black, white = obs.area
        handicap = getattr(self.game.rules, "handicap", 0)
        lead = black - white - obs.komi - (handicap if handicap >= 2 else 0)
        return lead if obs.seat == 0 else -lead

