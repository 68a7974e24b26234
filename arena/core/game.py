"""The game protocol: a configured ``Game`` makes ``State``s that agents move through.

Conventions every game follows (and ``arena.testing.check_game`` checks):

- seats are ``0..n-1``; ``State.current_player`` is the seat to move, ``TERMINAL`` at the end,
  ``CHANCE`` where the game exposes chance nodes (``chance_outcomes``); games may instead draw
  chance from their own generator, seeded by ``Game.new_state(seed)``;
- actions are ints in ``range(game.num_actions)``, a fixed-size space shared by RL masks and
  search; ``game.action_name(a)`` is a stable name for people and LLMs;
- ``observation(seat)`` / ``text(seat)`` / ``encode(seat)`` hold only what ``seat`` may know;
- ``determinize(seat, rng)`` samples a full state consistent with what ``seat`` knows
  (games with hidden information only: in the others it is a copy of the state);
- ``Game.return_bounds()`` bounds every seat's return (a forfeit gets the lowest);
- ``returns()`` and ``outcome()`` at the end, ``metrics()`` per seat for the statistics.

The base class enforces the shared invariants once (``apply`` on a finished game, illegal
actions); a game implements ``_apply`` and the views. A game is named once, in its
``GameInfo``; ``examples/games/nim.py`` is a complete small game.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np

from arena.core.errors import ArenaError, IllegalActionError, UnknownNameError
from arena.core.params import NoParams, build_params, params_dict

TERMINAL = -1
CHANCE = -2


@dataclass(frozen=True)
class GameInfo:
    """What a game is, as data: agents check it to refuse games they cannot play."""

    name: str
    description: str
    min_players: int
    max_players: int
    perfect_information: bool
    chance: bool
    teams: bool = False
    simultaneous: bool = False
    talk: bool = False
    """Some moves are statements to which free text can be attached (``State.is_statement``,
    ``Agent.talk``)."""


@dataclass(frozen=True)
class MetricSpec:
    """A game metric and how per-game, per-seat values aggregate over many games.

    ``ratio``: sum of ``num`` / sum of ``den`` (e.g. successful calls / calls);
    ``pearson``: Pearson r between the concatenated per-seat lists ``num`` and ``den``;
    ``mean``: the mean of the per-game values ``num`` times ``scale``, with a 95% t-interval
    reported as ``<name>_ci`` (e.g. big blinds won per 100 hands); ``den`` is unused.
    """

    name: str
    help: str
    kind: Literal["ratio", "pearson", "mean"]
    num: str
    den: str = ""
    scale: float = 1.0


@dataclass(frozen=True)
class Outcome:
    """The end of a game: payoff per seat, rank per seat (0 best, ties share), winners."""

    returns: tuple[float, ...]
    ranks: tuple[int, ...]
    winners: tuple[int, ...]
    forfeit: int | None = None
    teams: tuple[str, ...] | None = None
    """Team games: each seat's team (the team it played for in this game)."""
    team: str | None = None
    """Team games: the team that won (None: a draw, or not a team game)."""

    @property
    def win_shares(self) -> tuple[float, ...]:
        """Team games: 1 for every seat of the winning team, 1/2 for every seat in a draw,
        0 otherwise (a seat's result is its team's). Other games: 1 for a sole winner,
        1/k each for k tied winners, 0 otherwise."""
        n = len(self.returns)
        if self.teams is not None:
            if self.team is None:
                return (0.5,) * n
            return tuple(1.0 if t == self.team else 0.0 for t in self.teams)
        k = len(self.winners)
        return tuple((1.0 / k if s in self.winners else 0.0) for s in range(n))

    @staticmethod
    def team_result(teams: Sequence[str], winner: str | None) -> "Outcome":
        """A team game's end: every seat of ``winner`` gets +1 and ranks first, every other
        seat -1; ``winner=None`` is a draw (0 each, all first)."""
        teams = tuple(teams)
        if winner is None:
            n = len(teams)
            return Outcome((0.0,) * n, (0,) * n, tuple(range(n)), teams=teams, team=None)
        if winner not in teams:
            raise ValueError(f"winning team {winner!r} is none of the seats' teams {teams}")
        won = tuple(t == winner for t in teams)
        return Outcome(tuple(1.0 if w else -1.0 for w in won), tuple(0 if w else 1 for w in won),
                       tuple(s for s, w in enumerate(won) if w), teams=teams, team=winner)

    @staticmethod
    def from_scores(returns: Sequence[float], scores: Sequence[float] | None = None) -> "Outcome":
        """Rank seats by ``scores`` (higher is better; default the returns), ties sharing."""
        keys = list(returns if scores is None else scores)
        ranks = tuple(sum(1 for other in keys if other > mine) for mine in keys)
        winners = tuple(s for s, r in enumerate(ranks) if r == 0)
        return Outcome(tuple(float(r) for r in returns), ranks, winners)

    @staticmethod
    def forfeited(num_players: int, seat: int, bounds: tuple[float, float],
                  mates: Sequence[int] = (), teams: Sequence[str] | None = None) -> "Outcome":
        """``seat`` broke the game (raised, hung, overran its budget): the forfeit rule.

        The seat, and every other seat its entrant holds (``mates``: the same agent twice
        at a table), gets the game's lowest possible return (``bounds[0]``, from
        ``Game.return_bounds``) and ranks last; the other seats share the win and what the
        forfeiting seats lose (``-lowest * k / (n - k)`` each for ``k`` forfeiting seats,
        at most the highest return), or, where the lowest return is not below zero (a game
        that is not zero-sum, e.g. scores from 0 up), each gets the highest return. So no
        way of playing on can end worse for the agent than a forfeit: it cannot choose its
        losses by crashing. Every statistic reads these fields.

        A team game of two teams (``teams``: each seat's team) is lost by the forfeiting
        seat's team, the other team wins (``team_result``): a seat's result is its team's.
        """
        if teams is not None and len(set(teams)) == 2:
            other = next(t for t in teams if t != teams[seat])
            return dataclasses.replace(Outcome.team_result(teams, other), forfeit=seat)
        lo, hi = float(bounds[0]), float(bounds[1])
        out = {seat, *mates}
        k, others = len(out), num_players - len(out)
        gain = (min(hi, -lo * k / others) if lo < 0 else hi) if others else 0.0
        returns = tuple(lo if s in out else gain for s in range(num_players))
        ranks = tuple(1 if s in out else 0 for s in range(num_players))
        winners = tuple(s for s in range(num_players) if s not in out)
        return Outcome(returns, ranks, winners, forfeit=seat)


def draw_chance(state: "State", rng: random.Random) -> int:
    """A chance outcome of ``state`` (at a ``CHANCE`` node) drawn with its probability:
    the one way matches, checks and searches sample chance."""
    outcomes = state.chance_outcomes()
    return rng.choices([a for a, _ in outcomes], [p for _, p in outcomes])[0]


class Game(ABC):
    """A game with its rules fixed; a factory of states. Subclasses set the class fields.

    A game is named once, in ``info`` (``GameInfo.name``): ``name`` is set from it when the
    class is made. Subclasses must also say their ``return_bounds`` (a forfeit is scored
    with them; ``check_game`` refuses a game without them).
    """

    name: ClassVar[str]
    """The game's name: ``info.name`` (set by ``__init_subclass__``, never written twice)."""
    info: ClassVar[GameInfo]
    Rules: ClassVar[type] = NoParams
    presets: ClassVar[Mapping[str, Mapping[str, Any]]] = {}
    default_preset: ClassVar[str | None] = None
    metric_specs: ClassVar[tuple[MetricSpec, ...]] = ()
    ranked_by: ClassVar[Literal["win_rate", "payoff"]] = "win_rate"
    """What orders a leaderboard: games won, or the mean payoff where winning many small
    pots and losing big ones is a loss (poker)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        info = getattr(cls, "info", None)
        if not isinstance(info, GameInfo):
            return  # an abstract family of games (e.g. every OpenSpiel game): no name yet
        own = cls.__dict__.get("name")
        if own is not None and own != info.name:
            raise TypeError(f"{cls.__qualname__}: name {own!r} differs from info.name "
                            f"{info.name!r}; name a game once, in its GameInfo")
        cls.name = info.name

    def __init__(self, rules: Any = None, preset: str | None = None):
        """``rules`` as given; without them, those of ``preset`` (a name in ``presets``),
        else the rules' defaults. With both, ``preset`` only names where ``rules`` came
        from (``from_params``)."""
        if rules is None and preset is not None:
            if preset not in self.presets:
                raise UnknownNameError("rules preset", str(preset), self.presets,
                                       f"for {self.name}")
            rules = build_params(self.Rules, self.presets[preset],
                                 f"{self.name} preset {preset}")
        self.rules = rules if rules is not None else self.Rules()
        self.preset = preset

    @classmethod
    def from_params(cls, params: Mapping[str, Any], preset: str | None = None) -> "Game":
        """The game under ``preset`` (or the default one) with ``params`` overriding it."""
        preset = preset if preset is not None else cls.default_preset
        base = None
        if cls.presets:
            if preset is None or preset not in cls.presets:
                raise UnknownNameError("rules preset", str(preset), cls.presets, f"for {cls.name}")
            base = build_params(cls.Rules, cls.presets[preset], f"{cls.name} preset {preset}")
        elif preset is not None:
            raise ArenaError(f"{cls.name} has no rule presets (got --rules {preset})")
        return cls(build_params(cls.Rules, params, cls.name, base=base), preset)

    # -- size of things -------------------------------------------------------------------
    @property
    @abstractmethod
    def num_players(self) -> int: ...

    @property
    @abstractmethod
    def num_actions(self) -> int: ...

    @property
    @abstractmethod
    def encoding_shape(self) -> tuple[int, ...]: ...

    # -- states and actions ---------------------------------------------------------------
    @abstractmethod
    def new_state(self, seed: int) -> "State":
        """The initial state; all of the game's own chance comes from ``seed``."""

    @abstractmethod
    def action_name(self, action: int) -> str:
        """A stable, readable name for ``action`` (the same in every state)."""

    def action_from_name(self, name: str) -> int:
        """The action called ``name`` (case-insensitive)."""
        table = self.__dict__.get("_name_lookup")
        if table is None:
            table = {self.action_name(a).lower(): a for a in range(self.num_actions)}
            self._name_lookup = table
        try:
            return table[name.strip().lower()]
        except KeyError:
            raise IllegalActionError(f"{self.name}: no action named {name!r}") from None

    def return_bounds(self) -> tuple[float, float]:
        """(lowest, highest) return any seat can get in one game under these rules.

        Every game must say them: any seat of any game may forfeit (raise, hang, overrun
        its budget), and the lowest is what it then gets (``Outcome.forfeited``), so it
        must be a true bound: no play may end below it. The learning environments scale
        rewards by them too. There is no default that fits every game (+-1 for a board
        game, coins for Dhumbal, chips for poker): the base class raises, and
        ``arena.testing.check_game`` refuses a game that does not override it, and checks
        that returns stay inside the bounds.
        """
        raise NotImplementedError(
            f"{self.name} does not say its return bounds (Game.return_bounds); a forfeit "
            "cannot be scored without them")

    def settings(self) -> dict[str, Any]:
        """The rules as plain data (stored with every game record)."""
        return params_dict(self.rules)

    def describe(self) -> str:
        """One line: the game, its preset and the seat count."""
        preset = f", rules {self.preset}" if self.preset else ""
        return f"{self.name}{preset}, {self.num_players} players"


class State(ABC):
    """A position of a game. ``current_player`` is a plain attribute for speed."""

    game: Game
    current_player: int
    round: int = 0
    """The round being played, in games played in rounds (a Dhumbal game is rounds to an
    elimination); always 0 elsewhere. A search may stop a playout when it changes and score
    it with ``estimated_returns``."""

    @property
    def is_terminal(self) -> bool:
        return self.current_player == TERMINAL

    @abstractmethod
    def legal_actions(self) -> Sequence[int]:
        """The legal actions of the seat to move, ascending; empty only at the end."""

    def apply(self, action: int) -> None:
        """Play ``action`` for the seat to move, checking that the game goes on and it is legal."""
        if self.current_player == TERMINAL:
            raise IllegalActionError(f"{self.game.name}: the game is over; no action can be applied")
        legal: Sequence[int]
        if self.current_player == CHANCE:
            legal = [a for a, _ in self.chance_outcomes()]
        else:
            legal = self.legal_actions()
        if action not in legal:
            name = self.game.action_name(action) if 0 <= action < self.game.num_actions else "?"
            raise IllegalActionError(
                f"{self.game.name}: action {action} ({name}) is not legal for seat "
                f"{self.current_player}; legal: {[self.game.action_name(a) for a in legal]}"
            )
        self._apply(int(action))

    @abstractmethod
    def _apply(self, action: int) -> None:
        """Play an action already known to be legal."""

    def information_state_key(self, seat: int) -> str:
        """A string naming everything ``seat`` knows (equal strings, same information state);
        tabular agents (CFR, transposition tables) key on it."""
        return self.text(seat)

    def action_name(self, action: int) -> str:
        """The action's name here (games whose names depend on the position override this)."""
        return self.game.action_name(action)

    def chance_outcomes(self) -> list[tuple[int, float]]:
        """(action, probability) at a ``CHANCE`` node."""
        raise NotImplementedError(f"{self.game.name} draws chance from its own seeded generator")

    @abstractmethod
    def observation(self, seat: int) -> Any:
        """What ``seat`` knows, as a typed value (a dataclass of the game's)."""

    @abstractmethod
    def text(self, seat: int) -> str:
        """What ``seat`` knows, rendered for a person or an LLM."""

    @abstractmethod
    def encode(self, seat: int) -> np.ndarray:
        """What ``seat`` knows, as a float32 vector of ``game.encoding_shape``."""

    def determinize(self, seat: int, rng: random.Random) -> "State":
        """A full state sampled to agree with everything ``seat`` knows, drawn with ``rng``.

        In a perfect-information game every seat knows the whole state, so the default
        (for those games only) is a copy of it (``clone``: callers play on it). A game
        with hidden information must override it.

        The sample must be a state that could be the real one: the same
        ``information_state_key(seat)``, the game's invariants hold (no card twice), and it
        plays on to the end. It depends only on what ``seat`` knows and on ``rng``: two
        states the seat cannot tell apart give the same sample for the same ``rng`` seed
        (never read the real hidden cards, never draw from the global ``random``), and
        every consistent state should have a non-zero chance; say where the sample is not
        the exact posterior. Raise ``NotImplementedError`` rather than return an impossible
        state. ``arena.testing.check_game`` checks all of this.
        """
        if self.game.info.perfect_information:
            return self.clone()
        raise NotImplementedError(
            f"{self.game.name} has hidden information but its State does not implement "
            "determinize (sample the hidden part from what the seat knows)")

    def likely_determinize(self, seat: int, rng: random.Random) -> "State":
        """A determinization drawn from the game's model of how players usually play (e.g.
        in Dhumbal a player who has played some turns likely holds low cards), for searches
        (``ismcts(sampling=likely)``). The same contract as ``determinize`` (only what
        ``seat`` knows, every consistent state possible); the default is ``determinize``."""
        return self.determinize(seat, rng)

    @abstractmethod
    def clone(self) -> "State":
        """An independent copy (its own generator state included)."""

    @abstractmethod
    def returns(self) -> tuple[float, ...]:
        """Payoff per seat; meaningful at the end."""

    def playout_action(self, rng: random.Random) -> int:
        """A quick move for the seat to move in a search's playouts, drawn with ``rng``
        (searches call it on their own determinized copies). The default is uniformly random;
        a game may offer a cheap sensible policy instead (Dhumbal sheds its highest cards),
        which searches use with ``rollout=game``."""
        legal = self.legal_actions()
        return legal[int(rng.random() * len(legal))]

    def prior_action(self, rng: random.Random) -> int | None:
        """The move a search should lean towards here (its ``prior``, a progressive bias),
        or ``None`` where the playout policy's choice is not worth leaning on (a search
        judges that decision by its own statistics alone). The default is the playout
        policy's move."""
        return self.playout_action(rng)

    def roles(self) -> tuple[str, ...] | None:
        """Each seat's role in this game once dealt (games with hidden roles), else None.
        Hidden information: for records and statistics, never shown to agents (a seat's
        own role is in its observation)."""
        return None

    def teams(self) -> tuple[str, ...] | None:
        """Each seat's team in this game (team games), else None; hidden like ``roles``."""
        return None

    def is_statement(self, action: int) -> bool:
        """Whether ``action`` is a statement (talk), to which the seat that makes it may
        attach free text (``add_text``). Games with talk override both."""
        return False

    def add_text(self, seat: int, text: str) -> None:
        """Attach free text to the statement ``seat`` just made: it joins the public
        history every seat's observation and text show. Bots ignore it; the game's rules
        never read it."""
        raise ValueError(f"{self.game.name} has no statements to attach text to")

    def settled_result(self, seat: int) -> tuple[float, float] | None:
        """``(return, win share)`` that ``seat`` will end the game with, once nothing left to
        play can change them (e.g. a player eliminated from a game that goes on without
        it), else None (the default: not known before the end). A learning environment
        ends the seat's episode there instead of playing out the rest without it; the
        conformance suite checks the values against the real end."""
        return None

    def estimated_returns(self) -> tuple[float, ...]:
        """An estimate of each seat's final return from the standing here, on the scale of
        ``returns()`` (the returns themselves at the end). Games played in rounds say how a
        finished round bears on the game (e.g. points against the elimination limit), so
        that a search can stop its playouts at the end of a round."""
        return self.returns()

    def outcome(self) -> Outcome:
        """Returns, ranks and winners at the end (default: rank by returns)."""
        return Outcome.from_scores(self.returns())

    def metrics(self, outcome: Outcome | None = None) -> dict[str, list[Any]]:
        """Per-seat values of the game's metrics (see ``Game.metric_specs``).

        ``outcome`` is the end as play scored it. Where it is a forfeit
        (``outcome.forfeit``), the state is unfinished and its own payoffs are not the
        game's result: metrics that measure payoff or results (chips won, round wins) must
        follow ``outcome``, the forfeit rule, so that no statistic flatters a forfeiting
        agent; metrics of how the seats played (calls, bets) count the play so far.
        """
        return {}

    def check_invariants(self) -> None:
        """Raise ``AssertionError`` if the state breaks one of the game's invariants."""

    def reveal(self) -> str:
        """Everything, hidden information included (for logs and debugging, never for agents)."""
        return "\n".join(self.text(s) for s in range(self.game.num_players))

