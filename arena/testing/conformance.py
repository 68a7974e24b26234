"""``check_game``: every check a game must pass to play in the arena.

Like PettingZoo's ``api_test`` or Gymnasium's ``check_env``, one call runs the whole suite on
a game (a ``Game`` or a spec such as ``"dhumbal(players=3)"``) and raises ``AssertionError``
saying what is wrong and its likely cause:

- the action space: a fixed size, a unique, stable name per action;
- random play to the end over many seeds, the game's invariants checked at every step:
  legal actions ascending, inside the space and named, returns finite and within the game's
  bounds, a consistent outcome; moves after the end and illegal moves refused;
- determinism: the same seed gives the same game, a clone continues like the original,
  a record's actions replay to the same end;
- settled results: what ``settled_result`` says of a seat before the end is what it gets;
- views: what a seat sees (``text``, ``encode``, ``observation``) never changes when what it
  cannot see is re-dealt, and a seat that is not to move is never offered a move;
- return bounds: every game says them (a forfeit is scored with them), and returns stay
  inside them;
- determinization (imperfect information only: a perfect-information game's is a copy of
  the state, the base class's default): every sample keeps the seat's information state,
  passes the invariants and plays on to the end; it depends only on what the seat knows and
  on the generator passed in (not on the real hidden cards, not on the global ``random``);
  and different generators give different hidden cards;
- environments: the game as a PettingZoo AEC environment passes PettingZoo's ``api_test``,
  and as a Gymnasium environment (one learner, ``random`` in the other seats) Gymnasium's
  ``check_env`` (``envs=False`` skips them).
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from arena.core.errors import IllegalActionError
from arena.core.game import CHANCE, TERMINAL, Game, State, draw_chance
from arena.core.registry import make_game

MAX_STEPS = 200_000
"""Moves after which a random game counts as endless (a loop in the rules)."""


def check_game(game_or_spec: "Game | str", *, preset: str | None = None, seeds: int = 20,
               positions: int = 3, determinizations: int = 16, seed: int = 0,
               determinize: bool = True, envs: bool = True) -> None:
    """Run every conformance check on a game; raise ``AssertionError`` on the first failure.

    ``game_or_spec``: a ``Game``, or a spec made with ``make_game`` under ``preset``.
    ``seeds``: random games played to the end. ``positions``: positions per game where the
    views and determinizations are checked (the last live one included).
    ``determinizations``: samples per seat at each of those positions. ``seed``: the first
    seed (other seeds check other positions). ``determinize=False`` skips the checks of
    ``determinize`` (and of ``likely_determinize`` where the game has its own) for a game
    whose ``determinize`` raises ``NotImplementedError``; its
    views are still checked against real states that differ only in what the seat cannot
    see (two chance outcomes swapped). ``envs``: run PettingZoo's ``api_test`` and
    Gymnasium's ``check_env`` on the game's environments (``arena.envs``).
    """
    game = game_or_spec if isinstance(game_or_spec, Game) else make_game(game_or_spec, preset)
    label = game.describe()
    seed_list = range(seed, seed + max(1, seeds))
    for check in (_check_return_bounds, _check_action_space, _check_illegal_moves):
        _run(label, check, game, seed)
    for s in seed_list:
        _run(label, _check_random_play, game, s)
        _run(label, _check_determinism, game, s)
    _run(label, _check_seeds_differ, game, seed_list)
    imperfect = not game.info.perfect_information
    if imperfect and determinize:
        _run(label, _check_determinize_defined, game, seed)
    methods = ["determinize"]
    if type(game.new_state(seed)).likely_determinize is not State.likely_determinize:
        methods.append("likely_determinize")  # a game's own model: the same contract
    tallies = {m: _Tally(game.num_players) for m in methods}
    for s in seed_list:
        for pos in _positions(game, s, positions):
            _run(label, _check_views, pos, determinize)
            if imperfect and determinize:
                for m in methods:
                    _run(label, _check_determinize, pos, determinizations, tallies[m], m)
    if imperfect and determinize:
        for m in methods:
            _run(label, tallies[m].verdict)
    if envs and int(np.prod(game.encoding_shape)) > 0:  # no encoding: not an RL environment
        _run(label, check_envs, game, seed)


def check_envs(game: Game, seed: int = 0, cycles: int = 100) -> None:
    """PettingZoo's ``api_test`` on ``ArenaAECEnv(game)`` and Gymnasium's ``check_env`` on
    ``ArenaGymEnv(game)``, quietly (their progress lines and the warnings every Dict/Box
    observation space draws are dropped); their failures raise AssertionError."""
    import contextlib
    import io
    import warnings

    from gymnasium.utils.env_checker import check_env
    from pettingzoo.test import api_test

    from arena.envs import ArenaAECEnv, ArenaGymEnv

    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        try:
            api_test(ArenaAECEnv(game), num_cycles=cycles)
        except AssertionError as exc:
            raise AssertionError(f"PettingZoo api_test: {exc}") from exc
        except Exception as exc:  # noqa: BLE001 - any crash of the environment is a failure
            raise AssertionError(f"PettingZoo api_test crashed: {type(exc).__name__}: {exc}") \
                from exc
        env = ArenaGymEnv(game, ["random"])
        env.reset(seed=seed)
        try:
            check_env(env, skip_render_check=True)
        except AssertionError as exc:
            raise AssertionError(f"Gymnasium check_env: {exc}") from exc
        except Exception as exc:  # noqa: BLE001
            raise AssertionError(f"Gymnasium check_env crashed: {type(exc).__name__}: {exc}") \
                from exc


def _run(label: str, check: Callable[..., None], *args: Any) -> None:
    try:
        check(*args)
    except AssertionError as exc:
        raise AssertionError(f"{label}: {exc}") from exc


# -- playing -------------------------------------------------------------------------------

def random_step(state: State, rng: random.Random) -> int:
    """Play one uniformly random move, or a chance outcome drawn by its probability."""
    if state.current_player == CHANCE:
        outcomes = state.chance_outcomes()
        assert outcomes and abs(sum(p for _, p in outcomes) - 1.0) < 1e-6, \
            "chance probabilities do not sum to 1"
        action = draw_chance(state, rng)
    else:
        action = rng.choice(list(state.legal_actions()))
    state.apply(action)
    return action


def play_out(state: State, rng: random.Random,
             check: Callable[[State], None] | None = None) -> list[int]:
    """Play ``state`` to the end with random moves (``check`` before each); the actions."""
    actions = []
    while state.current_player != TERMINAL:
        if check is not None:
            check(state)
        actions.append(random_step(state, rng))
        assert len(actions) < MAX_STEPS, \
            f"no end after {MAX_STEPS} random moves: a loop in the rules?"
    return actions


@dataclasses.dataclass
class _Position:
    """A decision position of a random game, with the moves that led to it."""

    state: State
    seed: int
    actions: list[int]
    chance_steps: list[int]
    """Indices in ``actions`` of the chance outcomes (games with ``CHANCE`` nodes)."""

    def replay(self, actions: list[int], seat: int) -> tuple[State | None, list[str]]:
        """The state other moves from the same seed lead to (None if one is illegal), and
        ``seat``'s information state after every move."""
        state = self.state.game.new_state(self.seed)
        keys = []
        try:
            for a in actions:
                state.apply(a)
                keys.append(state.information_state_key(seat))
        except IllegalActionError:
            return None, keys
        return state, keys

    def twins(self, seat: int, rng: random.Random, tries: int = 40) -> Iterator[State]:
        """Real states ``seat`` cannot tell from this one, now or at any earlier step: two
        chance outcomes of the history swapped."""
        steps = self.chance_steps
        if len(steps) < 2:
            return
        _, keys = self.replay(self.actions, seat)
        for _ in range(tries):
            i, j = rng.sample(steps, 2)
            if self.actions[i] == self.actions[j]:
                continue
            moved = list(self.actions)
            moved[i], moved[j] = moved[j], moved[i]
            twin, twin_keys = self.replay(moved, seat)
            if twin is not None and twin_keys == keys \
                    and twin.current_player == self.state.current_player:
                yield twin


def _positions(game: Game, seed: int, count: int) -> Iterator[_Position]:
    """``count`` decision positions of one random game, spread over it, the last live one
    (e.g. the river in hold'em, when the hand gets there) included."""
    rng = random.Random(seed * 7919 + 1)
    state = game.new_state(seed)
    actions: list[int] = []
    chance: list[int] = []
    live: list[int] = []
    while state.current_player != TERMINAL and len(actions) < MAX_STEPS:
        if state.current_player >= 0:
            live.append(len(actions))
        elif state.current_player == CHANCE:
            chance.append(len(actions))
        actions.append(random_step(state, rng))
    if not live or count <= 0:
        return
    picks = {live[-1]} | {rng.choice(live) for _ in range(count - 1)}
    for n in sorted(picks):
        state = game.new_state(seed)
        for a in actions[:n]:
            state.apply(a)
        yield _Position(state, seed, actions[:n], [i for i in chance if i < n])


# -- the action space, legality, the end ---------------------------------------------------

def _check_action_space(game: Game, seed: int) -> None:
    n = game.num_actions
    assert n > 0, "num_actions must be positive"
    names = [game.action_name(a) for a in range(n)]
    assert all(isinstance(x, str) and x for x in names), "an action has an empty name"
    dup = {x for x in names if names.count(x) > 1} if len(set(names)) < n else set()
    assert not dup, f"actions share a name: {sorted(dup)[:5]} (names must be unique)"
    assert [game.action_name(a) for a in range(n)] == names, "action names are not stable"
    for a in range(0, n, max(1, n // 50)):
        assert game.action_from_name(names[a]) == a, \
            f"action_from_name({names[a]!r}) is not {a}"
    try:
        game.action_name(n)
    except ValueError:
        pass
    else:
        raise AssertionError(f"action_name({n}) (outside the space) must raise ValueError")


def _check_illegal_moves(game: Game, seed: int) -> None:
    state = game.new_state(seed)
    rng = random.Random(seed)
    while state.current_player == CHANCE:
        random_step(state, rng)
    if state.current_player == TERMINAL:
        return
    legal = set(state.legal_actions())
    illegal = next((a for a in range(game.num_actions) if a not in legal), game.num_actions)
    before = state.clone()
    try:
        state.apply(illegal)
    except IllegalActionError:
        pass
    else:
        raise AssertionError(f"illegal action {illegal} was accepted (State.apply must raise "
                             "IllegalActionError: does the game bypass the base class?)")
    play_out(before, rng)
    try:
        before.apply(0)
    except IllegalActionError:
        pass
    else:
        raise AssertionError("a move after the end was accepted")


def _check_random_play(game: Game, seed: int) -> None:
    state = game.new_state(seed)
    steps = iter(range(MAX_STEPS))
    settled: dict[int, tuple[int, tuple[float, float]]] = {}

    def check(st: State) -> None:
        step = next(steps)
        _check_live(game, st, views=step % 4 == 0)
        for s in range(game.num_players):
            if s not in settled:
                result = st.settled_result(s)
                if result is not None:
                    settled[s] = (step, result)

    play_out(state, random.Random(seed), check)
    try:
        state.check_invariants()
    except AssertionError as exc:
        raise AssertionError(f"invariant broken at the end of seed {seed}: {exc}") from exc
    assert list(state.legal_actions()) == [], "legal actions after the end"
    returns = state.returns()
    assert len(returns) == game.num_players, \
        f"returns() has {len(returns)} values for {game.num_players} seats"
    assert all(np.isfinite(returns)), f"non-finite return: {returns}"
    low, high = bounds = game.return_bounds()
    assert all(low - 1e-9 <= r <= high + 1e-9 for r in returns), \
        f"returns {returns} outside the game's return_bounds {bounds}"
    out = state.outcome()
    assert tuple(out.returns) == tuple(float(r) for r in returns), \
        "outcome().returns differ from returns()"
    for s, (step, (ret, share)) in settled.items():
        assert abs(ret - out.returns[s]) < 1e-9 and abs(share - out.win_shares[s]) < 1e-9, \
            f"seat {s}: settled_result said ({ret}, {share}) at move {step}, the game " \
            f"ended with ({out.returns[s]}, {out.win_shares[s]})"
    assert out.winners and all(out.ranks[w] == 0 for w in out.winners), \
        f"winners {out.winners} must be the seats ranked 0 (ranks {out.ranks})"
    if out.teams is None:
        assert abs(sum(out.win_shares) - 1.0) < 1e-9, "win shares do not sum to 1"
    else:  # a team game: each seat's result is its team's
        teams = state.teams()
        assert teams is not None and tuple(out.teams) == tuple(teams), \
            f"outcome teams {out.teams} differ from the state's teams() {teams}"
        want = tuple(0.5 if out.team is None else float(t == out.team) for t in out.teams)
        assert out.win_shares == want, \
            f"team game: win shares {out.win_shares}, expected {want} (winning team " \
            f"{out.team!r}: Outcome.team_result)"


def _check_return_bounds(game: Game, seed: int) -> None:
    """Every game says its return bounds: any seat may forfeit, and a forfeit is scored
    with them (``Outcome.forfeited``)."""
    try:
        bounds = game.return_bounds()
    except NotImplementedError:
        raise AssertionError("return_bounds() is not implemented: a forfeit could not be "
                             "scored (define Game.return_bounds: the lowest and highest "
                             "return of a seat)") from None
    assert isinstance(bounds, tuple) and len(bounds) == 2, \
        f"return_bounds() must be a pair (lowest, highest), got {bounds!r}"
    low, high = bounds
    assert np.isfinite(low) and np.isfinite(high) and low <= high, \
        f"return_bounds() {bounds} must be finite, the lowest first"


def _check_determinize_defined(game: Game, seed: int) -> None:
    """A game with hidden information has its own ``determinize`` (the base class's copies
    the state, which is right only where every seat sees everything)."""
    state = game.new_state(seed)
    assert type(state).determinize is not State.determinize, \
        "the game has hidden information (info.perfect_information is False) but its State " \
        "does not implement determinize (or pass determinize=False to skip its checks)"


def _check_live(game: Game, state: State, views: bool = True) -> None:
    try:
        state.check_invariants()
    except AssertionError as exc:
        raise AssertionError(f"invariant broken during random play: {exc}") from exc
    for seat in range(game.num_players if views else 0):
        vec = state.encode(seat)
        assert vec.shape == game.encoding_shape and vec.dtype == np.float32, \
            f"encode({seat}) is {vec.dtype}{vec.shape}, expected float32{game.encoding_shape}"
        assert np.all(np.isfinite(vec)), f"encode({seat}) has non-finite values"
        if seat != state.current_player:
            _check_not_offered(state, seat)
    if state.current_player == CHANCE:
        return
    p = state.current_player
    assert 0 <= p < game.num_players, f"current_player {p} is not a seat"
    legal = list(state.legal_actions())
    assert legal, "no legal action in a live state"
    assert legal == sorted(set(legal)), f"legal actions not ascending and unique: {legal}"
    bad = [a for a in legal if not 0 <= a < game.num_actions]
    assert not bad, f"legal actions {bad} outside range(num_actions={game.num_actions})"
    for a in legal:
        name = state.action_name(a)
        assert isinstance(name, str) and name, f"legal action {a} has no name here"


def _check_not_offered(state: State, seat: int) -> None:
    """Fields of an observation that offer moves (``legal*``, ``can_*``) are empty for a
    seat that is not to move."""
    obs = state.observation(seat)
    if not dataclasses.is_dataclass(obs):
        return
    for f in dataclasses.fields(obs):
        if f.name.startswith(("legal", "can_")) and getattr(obs, f.name):
            raise AssertionError(
                f"seat {seat} is not to move (seat {state.current_player} is) but its "
                f"observation offers it moves: {f.name}={getattr(obs, f.name)!r}")


# -- determinism ---------------------------------------------------------------------------

def _trace(game: Game, seed: int) -> tuple[list[int], list[str], tuple[float, ...]]:
    state = game.new_state(seed)
    views: list[str] = []

    def look(st: State) -> None:
        if len(views) % 8 == 0:
            views.append(st.text(max(st.current_player, 0)))
        else:
            views.append("")

    actions = play_out(state, random.Random(seed), look)
    return actions, views, state.returns()


def _check_determinism(game: Game, seed: int) -> None:
    first, second = _trace(game, seed), _trace(game, seed)
    assert first == second, \
        f"seed {seed} gave two different games: chance not drawn from the state's own " \
        "seeded generator (global random? set or dict order?)"
    state = game.new_state(seed)
    for a in first[0]:
        state.apply(a)
    assert state.current_player == TERMINAL and state.returns() == first[2], \
        "replaying a game's actions from the same seed does not reach the same end"
    # A clone is independent and continues exactly like the original.
    rng = random.Random(seed)
    state = game.new_state(seed)
    for _ in range(min(7, len(first[0]) - 1)):
        random_step(state, rng)
    before = [state.text(s) for s in range(game.num_players)]
    play_out(state.clone(), random.Random(seed + 1))
    assert [state.text(s) for s in range(game.num_players)] == before, \
        "playing a clone changed the original (shared lists or generator?)"
    left, right = state.clone(), state.clone()
    ends = play_out(left, random.Random(9)), play_out(right, random.Random(9))
    assert ends[0] == ends[1] and left.returns() == right.returns(), \
        "two clones given the same moves end differently (is the generator state cloned?)"


def _check_seeds_differ(game: Game, seeds: range) -> None:
    if len(seeds) < 2:
        return
    traces = {tuple(_trace(game, s)[0]) for s in list(seeds)[:4]}
    assert len(traces) > 1, "different seeds gave the same game"


# -- views and determinization -------------------------------------------------------------

def _check_views(pos: _Position, determinize: bool) -> None:
    """What a seat sees must not change when everything it cannot see is re-dealt: if its
    views read another seat's hidden cards, a determinization would change them."""
    state, game = pos.state, pos.state.game
    for seat in range(game.num_players):
        rng = random.Random(pos.seed * 1000 + seat)
        others = list(itertools.islice(pos.twins(seat, rng), 2))
        if determinize and not game.info.perfect_information:
            others.append(_determinize(state, seat, rng))
        for other in others:
            _same_views(state, other, seat)


def _same_views(state: State, other: State, seat: int) -> None:
    for view in ("text", "observation"):
        mine, theirs = getattr(state, view)(seat), getattr(other, view)(seat)
        assert mine == theirs, \
            f"seat {seat}'s {view} depends on what it cannot see (it changed when the " \
            f"hidden information was re-dealt):\n{_diff(str(mine), str(theirs))}"
    changed = np.flatnonzero(state.encode(seat) != other.encode(seat))
    assert changed.size == 0, \
        f"seat {seat}'s encoding depends on what it cannot see: entries " \
        f"{changed[:10].tolist()} changed when the hidden information was re-dealt"
    if state.current_player == seat:
        assert list(other.legal_actions()) == list(state.legal_actions()), \
            f"seat {seat}'s legal actions depend on what it cannot see"


def _determinize(state: State, seat: int, rng: random.Random,
                 method: str = "determinize") -> State:
    sample = getattr(state, method)(seat, rng)
    assert sample is not state, f"{method} returned the state itself, not a new one"
    return sample


def _diff(a: str, b: str) -> str:
    for la, lb in zip(a.splitlines(), b.splitlines()):
        if la != lb:
            return f"  real:   {la[:200]}\n  sample: {lb[:200]}"
    return f"  real:   {a[-200:]}\n  sample: {b[-200:]}"


@dataclasses.dataclass
class _Tally:
    """Per seat, over all checked positions: did samples ever differ at all, and did they
    ever differ in what another seat knows (its hidden cards)?"""

    players: int
    varied: list[bool] = dataclasses.field(default_factory=list)
    others_varied: list[bool] = dataclasses.field(default_factory=list)

    def __post_init__(self) -> None:
        self.varied = [False] * self.players
        self.others_varied = [False] * self.players

    def verdict(self) -> None:
        assert any(self.varied), \
            "determinize returned the same state every time, for every seat and position: " \
            "it does not resample the hidden information (or ignores its rng)"
        for seat in range(self.players):
            if self.players > 1 and self.varied[seat] and not self.others_varied[seat]:
                raise AssertionError(
                    f"determinize({seat}, rng) never changed what another seat knows (its "
                    "hand, its hidden moves), only what nobody sees (e.g. the deck order): "
                    "does it hand back the opponents' real hidden cards?")


def _full(state: State) -> str:
    return state.reveal()


def _others(state: State, seat: int) -> tuple[str, ...]:
    return tuple(state.information_state_key(o) for o in range(state.game.num_players)
                 if o != seat)


def _check_determinize(pos: _Position, count: int, tally: _Tally,
                       method: str = "determinize") -> None:
    state, seed = pos.state, pos.seed
    for seat in range(state.game.num_players):
        key = state.information_state_key(seat)
        fulls, others = set(), set()
        for k in range(max(2, count)):
            sample = _determinize(state, seat, random.Random(seed * 7_000 + k), method)
            _check_sample(state, sample, seat, key, seed * 31 + k, play_on=k < 2)
            fulls.add(_full(sample))
            others.add(_others(sample, seat))
        tally.varied[seat] |= len(fulls) > 1
        tally.others_varied[seat] |= len(others) > 1
        twins = list(itertools.islice(pos.twins(seat, random.Random(seed + seat)), 1))
        twins.append(_determinize(state, seat, random.Random(seed * 13 + 5)))
        for twin in twins:
            _check_depends_on_knowledge(state, twin, seat, seed, method)


def _check_sample(state: State, sample: State, seat: int, key: str, seed: int,
                  play_on: bool) -> None:
    assert sample.information_state_key(seat) == key, \
        f"a determinization for seat {seat} changed its information state:\n" \
        f"{_diff(key, sample.information_state_key(seat))}"
    try:
        sample.check_invariants()
    except AssertionError as exc:
        raise AssertionError(f"a determinization for seat {seat} is not a possible state "
                             f"({exc}):\n{_full(sample)[:1500]}") from exc
    assert (sample.current_player == seat) == (state.current_player == seat), \
        f"a determinization for seat {seat} changed whether it is to move"
    assert sample.is_terminal == state.is_terminal, \
        f"a determinization for seat {seat} changed whether the game is over"
    if not play_on:
        return
    rest = sample.clone()
    try:
        steps = iter(range(MAX_STEPS))

        def every_eighth(st: State) -> None:
            if next(steps) % 8 == 0:
                st.check_invariants()

        play_out(rest, random.Random(seed), every_eighth)
        rest.check_invariants()
    except AssertionError as exc:
        raise AssertionError(f"a determinization for seat {seat} does not play on to a "
                             f"sound end: {exc}") from exc
    except IllegalActionError as exc:
        raise AssertionError(f"a determinization for seat {seat} does not play on: {exc}") \
            from exc


def _check_depends_on_knowledge(state: State, twin: State, seat: int, seed: int,
                                method: str = "determinize") -> None:
    """The same rng gives the same sample from ``state`` and from ``twin`` (a state the seat
    cannot tell from it), even with the global ``random`` reseeded in between."""
    saved = random.getstate()
    try:
        for k in range(3):
            rng_seed = seed * 17 + k
            random.seed(1000 + k)
            a = _full(getattr(state, method)(seat, random.Random(rng_seed)))
            random.seed(2000 + k)
            again = _full(getattr(state, method)(seat, random.Random(rng_seed)))
            assert a == again, \
                f"determinize({seat}, rng) gave two samples for the same rng seed when the " \
                "global random module was reseeded: it draws from the global random (or " \
                f"another generator) instead of its rng\n{_diff(a, again)}"
            b = _full(getattr(twin, method)(seat, random.Random(rng_seed)))
            assert a == b, \
                f"determinize({seat}, rng) depends on more than what seat {seat} knows: two " \
                "states it cannot tell apart gave different samples for the same rng seed. " \
                "Does it start from the real hidden cards (keep them, or reshuffle them " \
                f"in place)?\n{_diff(a, b)}"
    finally:
        random.setstate(saved)
