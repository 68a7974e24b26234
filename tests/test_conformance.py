"""The conformance suite every registered game must pass, under every one of its presets.

Random play to the end over many seeds with the game's invariants checked at every step;
determinism (same seed, same record); replay of a record's actions; a fixed-size action
space with stable names; observations that never depend on other seats' hidden information
(checked by re-dealing the hidden cards with ``determinize`` and comparing what the seat sees).
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from arena.core.errors import IllegalActionError
from arena.core.game import CHANCE, TERMINAL
from arena.play.match import GameJob, play
from arena.core.registry import game_class, game_names, make_game

# Games whose random playouts are long: fewer seeds, so the suite stays quick.
LONG = {"go9", "hex", "holdem"}


def _configs():
    for name in game_names():
        cls = game_class(name)
        for preset in (cls.presets or [None]):
            yield pytest.param(name, preset, id=f"{name}-{preset}")


CONFIGS = list(_configs())


def _seeds(name: str, many: int = 40) -> range:
    return range(6 if name in LONG else many)


def _step(state, rng):
    """One random move, or a chance outcome drawn by its probability."""
    if state.current_player == CHANCE:
        outcomes = state.chance_outcomes()
        assert outcomes and abs(sum(p for _, p in outcomes) - 1.0) < 1e-6, \
            "chance probabilities must sum to 1"
        actions, probs = zip(*outcomes)
        state.apply(rng.choices(actions, probs)[0])
    else:
        state.apply(rng.choice(state.legal_actions()))


def _random_play(game, seed, check=None):
    """Play ``game`` with uniformly random moves; calls ``check(state)`` before each move."""
    rng = random.Random(seed)
    state = game.new_state(seed)
    steps = 0
    while state.current_player != TERMINAL:
        if check is not None:
            check(state)
        _step(state, rng)
        steps += 1
        assert steps < 200_000, "game did not end: a loop in the rules?"
    return state


@pytest.mark.parametrize("name,preset", CONFIGS)
def test_random_play_keeps_invariants(name, preset):
    game = make_game(name, preset)

    def check(state):
        state.check_invariants()
        if state.current_player == CHANCE:
            return
        legal = list(state.legal_actions())
        assert legal, "no legal action in a live state"
        assert legal == sorted(set(legal)), f"legal actions not ascending/unique: {legal}"
        assert all(0 <= a < game.num_actions for a in legal), "action outside the action space"
        assert 0 <= state.current_player < game.num_players

    for seed in _seeds(name):
        state = _random_play(game, seed, check)
        state.check_invariants()
        assert state.legal_actions() == () or list(state.legal_actions()) == []
        returns = state.returns()
        assert len(returns) == game.num_players
        assert all(np.isfinite(returns)), "non-finite return"
        out = state.outcome()
        assert out.winners and all(out.ranks[w] == 0 for w in out.winners)
        assert abs(sum(out.win_shares) - 1.0) < 1e-9, "win shares must sum to 1"


@pytest.mark.parametrize("name,preset", CONFIGS)
def test_action_names_are_stable_and_unique(name, preset):
    game = make_game(name, preset)
    names = [game.action_name(a) for a in range(game.num_actions)]
    assert len(set(names)) == len(names), "two actions share a name"
    for a in range(0, game.num_actions, 7):
        assert game.action_from_name(names[a]) == a
    with pytest.raises(ValueError):
        game.action_name(game.num_actions)


@pytest.mark.parametrize("name,preset", CONFIGS)
def test_terminal_and_illegal_moves_are_refused(name, preset):
    game = make_game(name, preset)
    state = game.new_state(3)
    rng = random.Random(3)
    while state.current_player == CHANCE:
        _step(state, rng)
    illegal = next((a for a in range(game.num_actions) if a not in state.legal_actions()),
                   game.num_actions)  # every action legal here: one outside the space
    with pytest.raises(IllegalActionError):
        state.apply(illegal)
    state = _random_play(game, 3)
    with pytest.raises(IllegalActionError):
        state.apply(0)


@pytest.mark.parametrize("name,preset", CONFIGS)
def test_same_seed_same_record_and_replay(name, preset):
    game = make_game(name, preset)
    agents = tuple(["random"] * game.num_players)
    job = GameJob("t/d0/r0", name, preset, agents, tuple(f"r{i}" for i in range(len(agents))), 11)
    first, second = play(job), play(job)
    assert first.deterministic() == second.deterministic(), "same job, different record"
    other = play(GameJob("t/d1/r0", name, preset, agents, job.labels, 12))
    assert other.actions != first.actions, "different seeds gave the same game"
    # The record's actions replay to the same end from the same deal seed.
    from arena.core.seeding import derive_seed

    state = game.new_state(derive_seed(job.seed, "deal"))
    for a in first.actions:
        state.apply(a)
    assert state.current_player == TERMINAL
    assert list(state.returns()) == first.returns


@pytest.mark.parametrize("name,preset", CONFIGS)
def test_clone_is_independent(name, preset):
    game = make_game(name, preset)
    state = game.new_state(5)
    rng = random.Random(5)
    for _ in range(7):
        if state.current_player != TERMINAL:
            _step(state, rng)
    before = [state.text(s) for s in range(game.num_players)]
    copy = state.clone()
    while copy.current_player != TERMINAL:
        _step(copy, rng)
    assert [state.text(s) for s in range(game.num_players)] == before, "clone shares state"
    # A clone continues exactly like the original (its generator state included).
    a, b = state.clone(), state.clone()
    rng_a, rng_b = random.Random(9), random.Random(9)
    while a.current_player != TERMINAL:
        _step(a, rng_a)
        _step(b, rng_b)
    assert a.returns() == b.returns()


@pytest.mark.parametrize("name,preset", CONFIGS)
def test_views_do_not_leak_hidden_information(name, preset):
    """What a seat sees must not change when everything it cannot see is re-dealt.

    If ``text``/``encode``/``observation`` of seat s read another seat's hidden cards, a
    determinization from s's point of view (which re-deals exactly those) would change them.
    """
    game = make_game(name, preset)
    checked = 0
    for seed in _seeds(name, 12):
        rng = random.Random(seed)
        state = game.new_state(seed)
        step = 0
        while state.current_player != TERMINAL:
            if step % (25 if name in LONG else 5) == 0:
                for seat in range(game.num_players):
                    sample = state.determinize(seat, random.Random(seed * 1000 + step))
                    sample.check_invariants()
                    assert sample.text(seat) == state.text(seat), \
                        f"seat {seat}'s text depends on hidden information"
                    assert np.array_equal(sample.encode(seat), state.encode(seat)), \
                        f"seat {seat}'s encoding depends on hidden information"
                    assert sample.observation(seat) == state.observation(seat)
                    assert list(sample.legal_actions()) == list(state.legal_actions()) or \
                        sample.current_player != seat
                    checked += 1
            _step(state, rng)
            step += 1
    assert checked > 10


@pytest.mark.parametrize("name,preset", CONFIGS)
def test_determinize_actually_resamples_hidden_information(name, preset):
    game = make_game(name, preset)
    if game_class(name).info.perfect_information:
        pytest.skip("perfect information: nothing to resample")
    state = game.new_state(1)
    rng = random.Random(1)
    for _ in range(12):  # past the deal
        if state.current_player != TERMINAL:
            _step(state, rng)
    texts = {state.determinize(0, random.Random(i)).reveal() for i in range(8)}
    assert len(texts) > 1, "determinize returned the same hidden information every time"


@pytest.mark.parametrize("name,preset", CONFIGS)
def test_encoding_shape_and_values(name, preset):
    game = make_game(name, preset)
    state = game.new_state(2)
    rng = random.Random(2)
    for _ in range(20):
        if state.current_player == TERMINAL:
            break
        for seat in range(game.num_players):
            vec = state.encode(seat)
            assert vec.shape == game.encoding_shape and vec.dtype == np.float32
            assert np.all(np.isfinite(vec))
        _step(state, rng)
