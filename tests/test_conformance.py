"""The conformance suite: ``arena.testing.check_game`` on every registered game under every
preset, and on a sample of OpenSpiel's imperfect-information games.

The checks themselves live in arena/testing/conformance.py (public, so a game package outside
this repository can run them); this file picks the games and sizes the runs.
"""

from __future__ import annotations

import random

import pytest

from arena.core.game import TERMINAL
from arena.core.registry import game_class, game_names, make_game
from arena.core.seeding import derive_seed
from arena.play.match import GameJob, play
from arena.testing import check_game, random_step

# Games whose random playouts are long: fewer seeds, so the suite stays quick.
LONG = {"go9", "hex", "holdem"}


def _configs():
    for name in game_names():
        cls = game_class(name)
        for preset in (cls.presets or [None]):
            yield pytest.param(name, preset, id=f"{name}-{preset}")


CONFIGS = list(_configs())

# OpenSpiel imperfect-information games outside the first-class ones. Their views must not
# show what the seat cannot see, and their determinizations must be possible states.
SPIEL_SAMPLE = ["phantom_ttt", "dark_hex", "phantom_ttt_ir", "dark_hex_ir", "latent_ttt",
                "liars_dice", "liars_dice_ir", "blackjack", "tiny_bridge_2p",
                "first_sealed_auction", "tiny_hanabi"]

# Games whose determinize raises NotImplementedError (the search finds no history in its
# budget: the views say nothing during the whole deal); their views are still checked.
NO_DETERMINIZE = ["crazy_eights"]


@pytest.mark.parametrize("name,preset", CONFIGS)
def test_check_game(name, preset):
    long = name in LONG
    check_game(name, preset=preset, seeds=4 if long else 12, positions=2 if long else 3,
               determinizations=6 if long else 10)


@pytest.mark.slow
@pytest.mark.parametrize("name,preset", CONFIGS)
def test_check_game_thoroughly(name, preset):
    if game_class(name).info.perfect_information:
        pytest.skip("perfect information: the quick run covers it")
    check_game(name, preset=preset, seeds=6 if name in LONG else 12, positions=3,
               determinizations=100, seed=100)


@pytest.mark.parametrize("name", SPIEL_SAMPLE)
def test_check_openspiel_game(name):
    check_game(name, seeds=8, positions=3, determinizations=12)


@pytest.mark.parametrize("name", NO_DETERMINIZE)
def test_check_openspiel_game_views(name):
    check_game(name, seeds=6, positions=3, determinize=False)


@pytest.mark.parametrize("name", NO_DETERMINIZE)
def test_failed_determinization_raises(name):
    """Where no consistent state is found, determinize says so: it never hands back an
    impossible state or the real one."""
    game = make_game(name)
    state = game.new_state(0)
    rng = random.Random(0)
    while state.current_player < 0:
        random_step(state, rng)
    for seat in range(game.num_players):
        with pytest.raises(NotImplementedError, match="cannot sample"):
            state.determinize(seat, random.Random(seat))


@pytest.mark.parametrize("name,preset", CONFIGS)
def test_same_seed_same_record_and_replay(name, preset):
    """Through the match harness: the same job gives the same record, which replays."""
    game = make_game(name, preset)
    agents = tuple(["random"] * game.num_players)
    job = GameJob("t/d0/r0", name, preset, agents, tuple(f"r{i}" for i in range(len(agents))), 11)
    first, second = play(job), play(job)
    assert first.deterministic() == second.deterministic(), "same job, different record"
    other = play(GameJob("t/d1/r0", name, preset, agents, job.labels, 12))
    assert other.actions != first.actions, "different seeds gave the same game"
    state = game.new_state(derive_seed(job.seed, "deal"))
    for a in first.actions:
        state.apply(a)
    assert state.current_player == TERMINAL
    assert list(state.returns()) == first.returns
