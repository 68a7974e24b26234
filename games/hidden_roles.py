"""What games of hidden roles and two teams share (Avalon, Werewolf): a seat's view of its
own role and team, the dealt roles and teams, free text attached to statements, and a
result in which a whole team wins (+1 each) or loses (-1 each), or nobody does (a draw, 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from arena.core.game import Game, Outcome, State


@dataclass(frozen=True)
class HiddenRoleObservation:
    """What one seat knows. Seats are absolute. A game's observation adds its own fields
    after these (and says what ``known_roles`` holds in it)."""

    seat: int
    role: str
    team: str
    known_roles: tuple[str | None, ...]
    """Per seat what this seat knows of its role (None: nothing)."""


class HiddenRoleGame(Game):
    """A game of hidden roles whose rules name the number of seats (``rules.players``)
    and whose result is a team's win or loss, +1 or -1 each."""

    @property
    def num_players(self) -> int:
        return self.rules.players

    def return_bounds(self) -> tuple[float, float]:
        return (-1.0, 1.0)


class HiddenRoleState(State):
    """A position of a hidden-role game. A subclass sets ``role_team`` (role -> team) and
    keeps ``role_of`` (the role per seat), ``statements`` (frozen dataclasses with ``seat``
    and ``text``) and ``winner`` (the winning team, None while it goes on or in a draw)."""

    __slots__ = ()

    role_team: ClassVar[Mapping[str, str]]
    n: int
    role_of: list[str]
    statements: list[Any]
    winner: str | None

    def __init__(self, game: Game, roles: list[str] | None):
        """``roles`` per seat; None for a bare state that ``clone`` fills in."""
        self.game = game
        self.rules = game.rules
        self.n = game.rules.players
        if roles is not None:
            self.role_of = list(roles)

    def roles(self) -> tuple[str, ...]:
        return tuple(self.role_of)

    def teams(self) -> tuple[str, ...]:
        return tuple(self.role_team[r] for r in self.role_of)

    def add_text(self, seat: int, text: str) -> None:
        """Append ``text`` to ``seat``'s last statement (it joins the public history)."""
        for i in range(len(self.statements) - 1, -1, -1):
            st = self.statements[i]
            if st.seat == seat:
                joined = f"{st.text}\n{text}" if st.text else text
                self.statements[i] = replace(st, text=joined)
                return
        raise ValueError(f"{self.game.name}: seat {seat} has made no statement to attach "
                         "text to")

    def returns(self) -> tuple[float, ...]:
        if self.winner is None:
            return (0.0,) * self.n
        return tuple(1.0 if self.role_team[r] == self.winner else -1.0 for r in self.role_of)

    def outcome(self) -> Outcome:
        return Outcome.team_result(self.teams(), self.winner)

    def information_state_key(self, seat: int) -> str:
        # The observation's repr names every field: equal keys, equal knowledge.
        return repr(self.observation(seat))
