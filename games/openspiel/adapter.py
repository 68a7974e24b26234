"""Any OpenSpiel (pyspiel) game as an arena game.

A pyspiel game becomes a ``SpielGame`` subclass: its parameters become a typed ``Rules``
dataclass (types from the defaults), chance nodes become ``CHANCE`` (the match samples them
from the job's seeded generator), simultaneous-move games are made turn-based with
``pyspiel.convert_to_turn_based``, the observation tensor (or the information-state tensor)
is the encoding, the observation string (or information-state string) the text, and
``determinize`` searches for a history the seat cannot tell from the real one (see
``resample_history``).
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pyspiel

from arena.core.game import CHANCE, TERMINAL, Game, GameInfo, State
from arena.core.params import NoParams

_KINDS = (bool, int, float, str)


def seeded_by(gtype: Any) -> str | None:
    """The parameter that seeds a "sampled stochastic" game's own generator, if any."""
    if gtype.chance_mode != pyspiel.GameType.ChanceMode.SAMPLED_STOCHASTIC:
        return None
    for key in ("rng_seed", "seed"):
        if key in gtype.parameter_specification:
            return key
    return None


def spiel_type(name: str) -> Any:
    """The registered ``pyspiel.GameType`` of ``name``."""
    for gtype in pyspiel.registered_games():
        if gtype.short_name == name:
            return gtype
    raise KeyError(name)


def rules_class(spiel_name: str, spec: Mapping[str, Any],
                overrides: Mapping[str, Any] | None = None) -> type:
    """A frozen dataclass of a pyspiel game's parameters (types from their defaults)."""
    defaults = {**spec, **(overrides or {})}
    fields = []
    for key, value in defaults.items():
        if not key.isidentifier():
            continue  # e.g. kriegspiel's '50_move_rule': not settable from a spec
        kind = next((k for k in _KINDS if type(value) is k), str)
        fields.append((key, kind, dataclasses.field(
            default=value, metadata={"help": f"OpenSpiel parameter of {spiel_name}"})))
    if not fields:
        return NoParams
    cls = dataclasses.make_dataclass(f"{spiel_name.title().replace('_', '')}Rules", fields,
                                     frozen=True)
    cls.__doc__ = f"Parameters of the OpenSpiel game {spiel_name}."
    return cls


@dataclass(frozen=True)
class SpielObservation:
    """What one seat sees of an OpenSpiel state, in the game's own words."""

    seat: int
    to_move: int
    text: str
    legal: tuple[int, ...]


def game_info(name: str, gtype: Any, description: str | None = None) -> GameInfo:
    chance = gtype.chance_mode != pyspiel.GameType.ChanceMode.DETERMINISTIC
    perfect = gtype.information == pyspiel.GameType.Information.PERFECT_INFORMATION
    return GameInfo(
        name=name,
        description=description or f"OpenSpiel: {gtype.long_name}",
        min_players=gtype.min_num_players,
        max_players=gtype.max_num_players,
        perfect_information=perfect,
        chance=chance,
        simultaneous=gtype.dynamics == pyspiel.GameType.Dynamics.SIMULTANEOUS,
    )


class SpielGame(Game):
    """An OpenSpiel game; subclasses fix ``spiel_name`` (and may add presets, text, metrics)."""

    spiel_name: ClassVar[str]
    spiel_overrides: ClassVar[Mapping[str, Any]] = {}
    """Parameter defaults that differ from OpenSpiel's (e.g. go9: board_size 9)."""
    native_resample: ClassVar[bool] = False
    """Use OpenSpiel's ``resample_from_infostate`` for ``determinize``. Off by default: some
    games' versions read the real hidden state (blackjack, gin_rummy: the sample depends on
    the real hidden cards) or break (universal_poker: wrong or crashing samples); turn it on
    only for a game whose version passes ``arena.testing.check_game``."""

    def __init__(self, rules: Any = None, preset: str | None = None):
        super().__init__(rules, preset)
        params = dataclasses.asdict(self.rules) if dataclasses.is_dataclass(self.rules) else {}
        spec = spiel_type(self.spiel_name).parameter_specification
        changed = {k: v for k, v in params.items() if spec.get(k) != v}
        try:
            loaded = pyspiel.load_game(self.spiel_name, changed)
        except (RuntimeError, pyspiel.SpielError) as exc:
            from arena.core.errors import ParamError

            raise ParamError(f"{self.name}: OpenSpiel refused {changed}: {exc}") from None
        gtype = loaded.get_type()
        self._params = changed
        self._seed_param = seeded_by(gtype)
        if gtype.dynamics == pyspiel.GameType.Dynamics.SIMULTANEOUS:
            loaded = pyspiel.convert_to_turn_based(loaded)
        self.spiel = loaded
        self.gtype = loaded.get_type()
        self._players = loaded.num_players()
        self._tensor, self._shape = None, (0,)
        for kind in ("observation", "information_state"):
            if getattr(self.gtype, f"provides_{kind}_tensor"):
                try:
                    self._shape = tuple(getattr(loaded, f"{kind}_tensor_shape")())
                except (RuntimeError, pyspiel.SpielError):
                    continue  # declared but unimplemented (e.g. crossword)
                self._tensor = kind
                break
        self._text = ("observation" if self.gtype.provides_observation_string
                      else "information_state" if self.gtype.provides_information_state_string
                      else None)
        self._names: list[str] | None = None

    @property
    def num_players(self) -> int:
        return self._players

    def return_bounds(self) -> tuple[float, float]:
        """OpenSpiel's own utility bounds (``min_utility``, ``max_utility``)."""
        return (float(self.spiel.min_utility()), float(self.spiel.max_utility()))

    @property
    def num_actions(self) -> int:
        return self.spiel.num_distinct_actions()

    @property
    def encoding_shape(self) -> tuple[int, ...]:
        return (int(np.prod(self._shape)),)

    def new_state(self, seed: int) -> "SpielState":
        # Chance is explicit (CHANCE nodes sampled by the match from the job's seed), except
        # in "sampled stochastic" games, which draw from a generator inside the game object:
        # those get a game seeded from ``seed`` for every new state.
        if self._seed_param is None:
            return self.state_class(self, self.spiel.new_initial_state())
        seeded = pyspiel.load_game(self.spiel_name,
                                   {**self._params, self._seed_param: seed % (2**31 - 1)})
        if seeded.get_type().dynamics == pyspiel.GameType.Dynamics.SIMULTANEOUS:
            seeded = pyspiel.convert_to_turn_based(seeded)
        return self.state_class(self, seeded.new_initial_state())

    state_class: ClassVar[type] = None  # set below to SpielState

    def action_name(self, action: int) -> str:
        """A name for the action as the first player to move would say it (unique per game)."""
        if not 0 <= action < self.num_actions:
            raise ValueError(f"{self.name}: no action {action} (valid 0-{self.num_actions - 1})")
        if self._names is None:
            self._names = self._name_table()
        return self._names[action]

    def _name_table(self) -> list[str]:
        state = self.spiel.new_initial_state()
        rng = random.Random(0)
        while state.is_chance_node():
            outcomes = state.chance_outcomes()
            state.apply_action(outcomes[rng.randrange(len(outcomes))][0])
        player = max(state.current_player(), 0)
        names: list[str] = []
        seen: dict[str, int] = {}
        for a in range(self.num_actions):
            try:
                name = state.action_to_string(player, a)
            except (RuntimeError, pyspiel.SpielError):
                name = f"action {a}"
            seen[name] = seen.get(name, 0) + 1
            names.append(name)
        return [n if seen[n] == 1 else f"{n} [{a}]" for a, n in enumerate(names)]


class SpielState(State):
    """A pyspiel state behind the arena protocol."""

    __slots__ = ("game", "s", "current_player")

    def __init__(self, game: SpielGame, spiel_state: Any):
        self.game = game
        self.s = spiel_state
        self._sync()

    def _sync(self) -> None:
        s = self.s
        if s.is_terminal():
            self.current_player = TERMINAL
        elif s.is_chance_node():
            self.current_player = CHANCE
        else:
            self.current_player = s.current_player()

    def legal_actions(self) -> tuple[int, ...]:
        if self.current_player < 0:
            return ()
        return tuple(self.s.legal_actions())

    def chance_outcomes(self) -> list[tuple[int, float]]:
        return list(self.s.chance_outcomes())

    def _apply(self, action: int) -> None:
        self.s.apply_action(action)
        self._sync()

    def action_name(self, action: int) -> str:
        p = self.current_player
        try:
            return self.s.action_to_string(p if p >= 0 else pyspiel.PlayerId.CHANCE, action)
        except (RuntimeError, pyspiel.SpielError):
            return self.game.action_name(action)

    def information_state_key(self, seat: int) -> str:
        if self.game.gtype.provides_information_state_string:
            return self.s.information_state_string(seat)
        return self.spiel_text(seat)

    def spiel_text(self, seat: int) -> str:
        kind = self.game._text
        if kind == "observation":
            return self.s.observation_string(seat)
        if kind == "information_state":
            return self.s.information_state_string(seat)
        return str(self.s) if self.game.gtype.information == \
            pyspiel.GameType.Information.PERFECT_INFORMATION else ""

    def observation(self, seat: int) -> SpielObservation:
        return SpielObservation(seat, self.current_player, self.spiel_text(seat),
                                self.legal_actions() if self.current_player == seat else ())

    def text(self, seat: int) -> str:
        g = self.game
        if self.current_player == TERMINAL:
            status = "The game is over. Returns: " + ", ".join(
                f"player {p}: {r:+g}" for p, r in enumerate(self.s.returns()))
        elif self.current_player == seat:
            status = "Your move."
        else:
            status = f"Waiting for player {self.current_player}."
        return f"{g.name}: you are player {seat}. {status}\n{self.spiel_text(seat)}"

    def encode(self, seat: int) -> np.ndarray:
        kind = self.game._tensor
        if kind == "observation":
            return np.asarray(self.s.observation_tensor(seat), dtype=np.float32)
        if kind == "information_state":
            return np.asarray(self.s.information_state_tensor(seat), dtype=np.float32)
        return np.zeros(self.game.encoding_shape, dtype=np.float32)

    def clone(self) -> "SpielState":
        return type(self)(self.game, self.s.clone())

    def returns(self) -> tuple[float, ...]:
        return tuple(float(r) for r in self.s.returns())

    def determinize(self, seat: int, rng: random.Random) -> "SpielState":
        """A state ``seat`` cannot tell from this one, drawn with ``rng`` alone.

        A randomized search over histories (``resample_history``), or, where a game class
        turns on ``native_resample``, OpenSpiel's ``resample_from_infostate``, whose sample is
        kept only if it has the seat's information state and passes ``check_invariants``.
        This is not the exact posterior: the search picks each step uniformly among those
        the seat cannot tell apart, without weighting by chance probabilities or the other
        players' policies; every consistent state has a non-zero chance. Raises
        ``NotImplementedError`` where no consistent state is found within the search's
        budget (games whose views say nothing for many steps, e.g. crazy_eights' deal).
        """
        if self.game.gtype.information == pyspiel.GameType.Information.PERFECT_INFORMATION:
            return self.clone()
        if self.game.native_resample:
            try:
                sample = type(self)(self.game, self.s.resample_from_infostate(seat, rng.random))
                if sample.information_state_key(seat) == self.information_state_key(seat):
                    sample.check_invariants()
                    return sample
            except Exception:  # noqa: BLE001 - C++ errors arrive as assorted Python types
                pass
        try:
            sample = type(self)(self.game, resample_history(self.s, seat, rng))
        except (RuntimeError, pyspiel.SpielError, SearchExhausted) as exc:
            raise NotImplementedError(
                f"{self.game.name}: cannot sample a state consistent with player {seat}'s "
                f"information ({type(exc).__name__}: {exc})") from None
        return sample

    def reveal(self) -> str:
        return str(self.s)


SpielGame.state_class = SpielState


def _identified(node: Any, seat: int, action: int) -> int | None:
    """The chance outcome ``action`` at ``node`` if it is the only one that gives ``seat``
    the view it gives (the seat sees which card was dealt), else None."""
    target = seat_view(node.child(action), seat)
    for a, p in node.chance_outcomes():
        if p > 0 and a != action and seat_view(node.child(a), seat) == target:
            return None
    return action


class SearchExhausted(RuntimeError):
    """``resample_history`` spent its node budget without finding a consistent history."""


def seat_view(state: Any, seat: int) -> str:
    """What ``seat`` sees of a pyspiel state: its information-state string, else its
    observation string (the view a determinization must keep)."""
    gtype = state.get_game().get_type()
    if gtype.provides_information_state_string:
        return state.information_state_string(seat)
    return state.observation_string(seat)


def resample_history(state: Any, seat: int, rng: random.Random, budget: int = 200_000) -> Any:
    """A pyspiel state whose history ``seat`` cannot tell from ``state``'s, found by a
    randomized depth-first search over histories.

    The search walks the history step by step, aligned with the real one: the seat's own
    moves are replayed; at a chance node or another player's move it tries that node's
    legal outcomes in an order shuffled by ``rng`` and keeps one after which the seat's
    view (``seat_view``) equals its view at that step of the real game, backtracking when
    none does. Nothing prefers the real outcome, so the result depends only on the seat's
    views and ``rng``: states the seat cannot tell apart give the same sample for the same
    ``rng``. Each branch is taken uniformly among the consistent ones (not the exact
    posterior: chance probabilities and other players' policies are not weighed), and only
    histories of the same length, step for step, are considered. Raises
    ``SearchExhausted`` after ``budget`` tried steps; it never returns an impossible state.
    """
    game = state.get_game()
    truth = game.new_initial_state()
    targets: list[str] = []
    own: list[int | None] = []
    seen_dealt: list[int | None] = []
    for action in state.history():
        own.append(action if truth.current_player() == seat else None)
        seen_dealt.append(_identified(truth, seat, action) if truth.is_chance_node() else None)
        truth.apply_action(action)
        targets.append(seat_view(truth, seat))
    if not targets:
        return game.new_initial_state()
    # Chance outcomes the seat will see dealt later are tried last at earlier chance nodes
    # (dealt there, a card could not come again): without this, a deal that takes the
    # seat's own later card is found out only many steps on, after a long search.
    later: list[frozenset[int]] = [frozenset()] * len(targets)
    ahead: set[int] = set()
    for i in range(len(targets) - 1, -1, -1):
        later[i] = frozenset(ahead)
        if seen_dealt[i] is not None:
            ahead.add(seen_dealt[i])

    def options(node: Any, depth: int) -> list[int]:
        if own[depth] is not None:
            mine = node.current_player() == seat and own[depth] in node.legal_actions()
            return [own[depth]] if mine else []
        if node.is_chance_node():
            outs = [a for a, p in node.chance_outcomes() if p > 0]
        elif node.current_player() == seat or node.is_terminal():
            return []  # the seat knows it did not move here
        else:
            outs = list(node.legal_actions())
        rng.shuffle(outs)
        if later[depth]:
            outs.sort(key=lambda a: a not in later[depth])  # popped from the end: last
        return outs

    root = game.new_initial_state()
    stack: list[tuple[Any, list[int]]] = [(root, options(root, 0))]
    tried = 0
    while stack:
        node, todo = stack[-1]
        depth = len(stack) - 1
        while todo:
            if tried >= budget:
                raise SearchExhausted(
                    f"no history consistent with player {seat}'s view found in {budget} steps")
            tried += 1
            child = node.child(todo.pop())
            if seat_view(child, seat) == targets[depth]:
                break
        else:
            stack.pop()
            continue
        if depth + 1 == len(targets):
            if child.is_terminal() == state.is_terminal() and \
                    (child.current_player() == seat) == (state.current_player() == seat):
                return child
            continue  # the seat knows whether the game is over and whether it is to move
        stack.append((child, options(child, depth + 1)))
    raise SearchExhausted(f"no history gives player {seat}'s view (searched all of them)")


class OpenSpielProvider:
    """Every registered pyspiel game by its OpenSpiel name, with its parameters."""

    label = "OpenSpiel"

    def __init__(self) -> None:
        self._classes: dict[str, type] = {}

    def names(self) -> list[str]:
        out = []
        for gtype in pyspiel.registered_games():
            # Left out: mean-field games, games that take only action structs, and sampled-
            # stochastic games that cannot be seeded (their results would not repeat).
            sampled = gtype.chance_mode == pyspiel.GameType.ChanceMode.SAMPLED_STOCHASTIC
            if (gtype.is_concrete and gtype.default_loadable
                    and gtype.dynamics != pyspiel.GameType.Dynamics.MEAN_FIELD
                    and not getattr(gtype, "action_structs_only", False)
                    and (not sampled or seeded_by(gtype) is not None)):
                out.append(gtype.short_name)
        return sorted(out)

    def game_class(self, name: str) -> type:
        cls = self._classes.get(name)
        if cls is None:
            gtype = spiel_type(name)
            cls = type(f"Spiel_{name}", (SpielGame,), {
                "spiel_name": name,
                "info": game_info(name, gtype),
                "Rules": rules_class(name, gtype.parameter_specification),
                "__doc__": f"OpenSpiel's {gtype.long_name}.",
            })
            self._classes[name] = cls
        return cls


provider = OpenSpielProvider()
