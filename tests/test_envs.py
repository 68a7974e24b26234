"""The PettingZoo and Gymnasium environments (``arena.envs``): faithful to the game, seeded
from ``reset``, the learner's seat rotating, rewards as the game pays them. (PettingZoo's
``api_test`` and Gymnasium's ``check_env`` run for every game in the conformance suite.)"""

from __future__ import annotations

import numpy as np
import pytest

from arena.core.errors import ArenaError, IllegalActionError
from arena.core.registry import make_game
from arena.core.seeding import derive_seed
from arena.envs import ArenaAECEnv, ArenaGymEnv, OpponentPool, scaled_return, seat_name


def _random_episode(env, rng):
    """Play the learner uniformly at random among legal moves; (observations, rewards, info)."""
    obs_seq, rewards = [], []
    obs, info = env.reset()
    obs_seq.append(obs)
    while True:
        mask = env.action_masks()
        assert mask.any() and np.array_equal(mask, info["action_mask"])
        obs, reward, term, trunc, info = env.step(int(rng.choice(np.flatnonzero(mask))))
        rewards.append(reward)
        obs_seq.append(obs)
        if term or trunc:
            return obs_seq, rewards, info


def test_aec_env_deals_as_a_match_and_pays_the_games_returns():
    game = make_game("dhumbal", "paper")
    env = ArenaAECEnv(game)
    env.reset(seed=11)
    # The deal is the one a match with job seed 11 plays.
    twin = game.new_state(derive_seed(11, "deal"))
    assert env.state.hands == twin.hands and env.state.deck == twin.deck
    rng = np.random.default_rng(0)
    totals = {a: 0.0 for a in env.possible_agents}
    for agent in env.agent_iter(max_iter=10_000):
        obs, reward, term, trunc, _ = env.last()
        totals[agent] += reward
        if term or trunc:
            env.step(None)
            continue
        seat = int(agent.split("_")[1])
        assert env.state.current_player == seat
        np.testing.assert_array_equal(obs["observation"], twin.encode(seat))
        legal = np.flatnonzero(obs["action_mask"])
        assert list(legal) == list(env.state.legal_actions())
        for other in env.possible_agents:  # a seat not to move is offered nothing
            if other != agent:
                assert not env.observe(other)["action_mask"].any()
        action = int(rng.choice(legal))
        env.step(action)
        twin.apply(action)
    assert twin.current_player < 0 and not env.agents
    returns = twin.returns()
    assert [totals[seat_name(s)] for s in range(4)] == pytest.approx(list(returns))


def test_aec_env_refuses_an_illegal_move_and_names_the_legal_ones():
    env = ArenaAECEnv("kuhn_poker")
    env.reset(seed=0)
    illegal = next(a for a in range(env.game.num_actions)
                   if a not in env.state.legal_actions()) if env.game.num_actions > 2 else None
    if illegal is None:
        with pytest.raises(IllegalActionError):
            env.step(None)
    else:
        with pytest.raises(IllegalActionError, match="legal"):
            env.step(illegal)


def test_the_learners_seat_rotates_and_a_seed_replays_the_same_episodes():
    def run(seed):
        env = ArenaGymEnv("dhumbal", ["aggressive"], rules="paper")
        env.reset(seed=seed)
        rng = np.random.default_rng(5)
        seats, episodes = [], []
        for _ in range(8):
            obs, rewards, info = _random_episode(env, rng)
            seats.append(info["seat"])
            episodes.append((np.stack(obs), rewards))
        return seats, episodes

    seats, first = run(3)
    # reset(seed=3) itself dealt episode 0 (seat 0); _random_episode's resets continue.
    assert seats == [1, 2, 3, 0, 1, 2, 3, 0]
    seats2, second = run(3)
    assert seats2 == seats
    for (oa, ra), (ob, rb) in zip(first, second):
        np.testing.assert_array_equal(oa, ob)
        assert ra == rb
    _, third = run(4)
    assert any(len(a[1]) != len(b[1]) or not np.array_equal(a[0], b[0])
               for a, b in zip(first, third))


def test_reward_is_the_scaled_return_and_shaping_telescopes_to_it():
    game = make_game("dhumbal", "standard")
    scale = scaled_return(game)
    assert scale == 1.0  # points: returns by rank within -1..1
    rng = np.random.default_rng(1)
    env = ArenaGymEnv(game, ["random"], seat=2)
    env.reset(seed=0)
    _, rewards, info = _random_episode(env, rng)
    assert all(r == 0.0 for r in rewards[:-1])
    assert rewards[-1] == pytest.approx(info["game_return"] * scale)

    # Shaping with gamma = 1: the rewards add up to the return minus the first potential,
    # and rounds that end pay on the way.
    env = ArenaGymEnv(game, ["random"], seat=2, shaping=1.0)
    env.reset(seed=0)
    phi0 = env._phi
    _, rewards, info = _random_episode(env, np.random.default_rng(1))
    assert sum(rewards) == pytest.approx(info["game_return"] - phi0)
    assert sum(1 for r in rewards[:-1] if r != 0.0) >= 1


def test_coin_returns_are_scaled_into_minus_one_to_one():
    game = make_game("dhumbal", "paper")
    lo, hi = game.return_bounds()
    assert scaled_return(game) == pytest.approx(1.0 / max(abs(lo), abs(hi)))
    env = ArenaGymEnv(game, ["aggressive"])
    env.reset(seed=2)
    for _ in range(20):
        _, rewards, info = _random_episode(env, np.random.default_rng(2))
        assert -1.0 <= rewards[-1] <= 1.0
        assert rewards[-1] == pytest.approx(info["game_return"] * scaled_return(game))


def test_an_illegal_move_forfeits_the_game_or_raises():
    game = make_game("connect_four")
    env = ArenaGymEnv(game, ["random"], seat=0)
    env.reset(seed=0)
    illegal = game.num_actions  # outside the action space: never legal
    _, reward, term, _, info = env.step(illegal)
    assert term and info["illegal"]
    # The forfeit rule of matches: the lowest return the game allows.
    assert reward == pytest.approx(game.return_bounds()[0] * scaled_return(game))
    with pytest.raises(ArenaError, match="reset"):
        env.step(0)
    strict = ArenaGymEnv(game, ["random"], seat=0, illegal="raise")
    strict.reset(seed=0)
    with pytest.raises(IllegalActionError, match="legal"):
        strict.step(illegal)


def test_a_deal_that_ends_before_the_learner_moves_is_replaced():
    # Heads-up hold'em: the player who acts first may fold before the learner's first move.
    env = ArenaGymEnv("holdem", ["random"], seat=1)
    env.reset(seed=0)
    for _ in range(30):
        obs, info = env.reset()
        assert env.action_masks().any() and env.state.current_player == 1


def test_opponent_pool_draws_by_weight_and_keeps_the_newest_snapshots():
    pool = OpponentPool(["random", "aggressive"], weights=[3.0, 1.0], max_snapshots=2)
    rng = np.random.default_rng(0)
    draws = pool.draw(rng, 40_000)
    assert draws.count("random") / len(draws) == pytest.approx(0.75, abs=0.01)
    for k in range(4):
        pool.add(f"balanced(call_max={k})")
    assert pool.specs == ["random", "aggressive", "balanced(call_max=2)", "balanced(call_max=3)"]
    with pytest.raises(ArenaError, match="empty"):
        OpponentPool([])
    with pytest.raises(ArenaError, match="weight"):
        OpponentPool(["random"], weights=[0.0])


def test_bad_settings_fail_with_the_valid_choices():
    with pytest.raises(ArenaError, match="rotate"):
        ArenaGymEnv("kuhn_poker", seat=5)
    with pytest.raises(ArenaError, match="return, win"):
        ArenaGymEnv("kuhn_poker", reward="chips")
    with pytest.raises(ArenaError, match="unknown agent|no agent"):
        env = ArenaGymEnv("kuhn_poker", ["no_such_bot"])
        env.reset(seed=0)
    with pytest.raises(ArenaError, match="encoding"):
        ArenaGymEnv("phantom_ttt_ir")


def test_dhumbal_encoding_matches_what_the_seat_observes():
    """The encoder (bit-packed for speed) against the seat's observation, plane by plane."""
    import random

    game = make_game("dhumbal", "standard")
    for seed in range(15):
        state = game.new_state(seed)
        rng = random.Random(seed)
        while state.current_player >= 0:
            for seat in range(4):
                obs, v = state.observation(seat), state.encode(seat)
                want = np.zeros(52 * 6, dtype=np.float32)
                want[list(obs.hand)] = 1
                want[[52 + c for c in obs.offer]] = 1
                want[[104 + c for m in obs.pile for c in m]] = 1
                for k in range(1, 4):
                    want[[156 + 52 * (k - 1) + c for c in obs.known[(seat + k) % 4]]] = 1
                np.testing.assert_array_equal(v[:52 * 6], want)
                assert v[52 * 6] == obs.hand_sizes[seat] / 5
                assert v[52 * 6 + 15] == pytest.approx(obs.hand_total / 50)
            state.apply(rng.choice(state.legal_actions()))
