"""Trained agents: checkpoints (weights only, metadata checked), the ``ppo``/``dqn`` agents,
and ``arena train`` end to end (PPO learns Leduc poker against random play)."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sb3_contrib")

from arena.core.agent import SeatView  # noqa: E402
from arena.core.errors import ArenaError  # noqa: E402
from arena.core.registry import make_agent, make_game  # noqa: E402
from agents.rl.checkpoint import (CheckpointError, build_policy, game_meta,  # noqa: E402
                                  read_checkpoint, save_checkpoint)

ROOT = Path(__file__).resolve().parents[1]


def arena(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "arena.cli", *args], capture_output=True,
                          text=True, cwd=cwd or ROOT, timeout=600)


def _random_checkpoint(path, game, algorithm="ppo", seed=0):
    import torch

    torch.manual_seed(seed)
    meta = {**game_meta(game), "algorithm": algorithm, "net_arch": [32, 32],
            "activation": "tanh"}
    policy = build_policy(meta, game)
    return save_checkpoint(path, policy, game, algorithm, [32, 32], "tanh"), policy


def test_a_checkpoint_plays_the_masked_argmax_of_its_network(tmp_path):
    import torch

    game = make_game("dhumbal", "standard")
    path, policy = _random_checkpoint(tmp_path / "p.ckpt", game)
    agent = make_agent(f"ppo(path={path})", game)
    state = game.new_state(3)
    view = SeatView(state, state.current_player)
    legal = list(state.legal_actions())
    with torch.no_grad():
        obs = torch.as_tensor(state.encode(state.current_player)).unsqueeze(0)
        dist = policy.get_distribution(obs, action_masks=np.isin(np.arange(game.num_actions),
                                                                 legal)[None])
        probs = dist.distribution.probs[0].numpy()
    assert agent.act(view, legal) == int(np.argmax(probs))
    sampler = make_agent(f"ppo(path={path},greedy=false)", game)
    p = sampler.action_probabilities(view, legal)
    assert set(p) == set(legal) and sum(p.values()) == pytest.approx(1.0)
    for a in legal:
        assert p[a] == pytest.approx(float(probs[a]), abs=1e-5)


def test_a_checkpoint_for_other_rules_or_another_game_is_refused_in_one_line(tmp_path):
    path, _ = _random_checkpoint(tmp_path / "p.ckpt", make_game("dhumbal", "standard"))
    with pytest.raises(CheckpointError, match="rules preset 'standard'.*'paper'"):
        make_agent(f"ppo(path={path})", make_game("dhumbal", "paper"))
    with pytest.raises(CheckpointError, match="game 'dhumbal'"):
        make_agent(f"ppo(path={path})", make_game("kuhn_poker"))
    with pytest.raises(CheckpointError, match="a ppo checkpoint, not dqn"):
        make_agent(f"dqn(path={path})", make_game("dhumbal", "standard"))
    with pytest.raises(ArenaError, match="not found"):
        make_agent(f"ppo(path={tmp_path / 'missing.ckpt'})", make_game("dhumbal", "standard"))


def test_a_checkpoint_from_another_arena_version_needs_consent(tmp_path):
    import torch

    game = make_game("kuhn_poker")
    path, _ = _random_checkpoint(tmp_path / "p.ckpt", game)
    data = torch.load(path, weights_only=True)
    data["meta"]["arena_version"] = "0.0.1"
    torch.save(data, path)
    with pytest.raises(CheckpointError, match="arena 0.0.1.*check_version=false"):
        make_agent(f"ppo(path={path})", game)
    assert make_agent(f"ppo(path={path},check_version=false)", game) is not None


class _Payload:
    def __reduce__(self):
        return (os.system, (f"touch {_Payload.marker}",))


def test_loading_a_checkpoint_runs_no_code_from_it(tmp_path):
    marker = tmp_path / "pwned"
    _Payload.marker = marker
    evil = tmp_path / "evil.ckpt"
    with open(evil, "wb") as f:
        pickle.dump({"meta": {"format": "arena-checkpoint"}, "x": _Payload()}, f)
    with pytest.raises(CheckpointError, match="not an arena checkpoint"):
        read_checkpoint(evil)
    assert not marker.exists()
    (tmp_path / "junk.ckpt").write_text("not a checkpoint")
    with pytest.raises(CheckpointError, match="not an arena checkpoint"):
        read_checkpoint(tmp_path / "junk.ckpt")


def test_train_ppo_learns_leduc_against_random_and_its_checkpoint_plays(tmp_path):
    out = tmp_path / "run"
    res = arena("train", "ppo", "leduc_poker", "--opponents", "random", "--timesteps", "24000",
                "--envs", "4", "--n-steps", "512", "--eval-games", "400", "--seed", "1",
                "--out", str(out), "--no-progress")
    assert res.returncode == 0, res.stderr
    for name in ("final.ckpt", "eval.csv", "eval.json", "train.json"):
        assert (out / name).is_file(), name
    assert list((out / "tb").rglob("events.out.tfevents.*"))
    assert len(list((out / "checkpoints").glob("step_*.ckpt"))) >= 5
    result = json.loads((out / "train.json").read_text())
    assert result["timesteps"] >= 24000 and result["config"]["opponents"] == ["random"]
    last = result["last_eval"][0]
    # Poker is scored in chips: the interval of the mean payoff lies above zero.
    assert last["payoff_ci"][0] > 0, last
    evals = json.loads((out / "eval.json").read_text())
    first = evals[0]
    assert last["payoff"] > first["payoff"] or first["payoff_ci"][0] > 0
    # The checkpoint is an agent of ordinary matches.
    res = arena("match", "leduc_poker", "--agents", f"ppo(path={out / 'final.ckpt'}),random",
                "--games", "200", "--no-progress", "--json", str(tmp_path / "m.json"))
    assert res.returncode == 0, res.stderr
    agents = json.loads((tmp_path / "m.json").read_text())["agents"]
    assert agents[0]["illegal"] == 0 and agents[0]["payoff"] > 0


def test_train_dqn_plays_only_legal_moves_and_self_play_adds_snapshots(tmp_path):
    out = tmp_path / "dqn"
    res = arena("train", "dqn", "kuhn_poker", "--timesteps", "3000", "--envs", "2",
                "--eval-games", "50", "--self-play", "--snapshot-every", "1000",
                "--out", str(out), "--no-progress")
    assert res.returncode == 0, res.stderr
    snaps = sorted((out / "snapshots").glob("*.ckpt"))
    assert len(snaps) >= 2
    meta, _ = read_checkpoint(snaps[0])
    assert meta["algorithm"] == "dqn" and meta["game"] == "kuhn_poker"
    res = arena("match", "kuhn_poker", "--agents", f"dqn(path={out / 'final.ckpt'}),random",
                "--games", "100", "--no-progress", "--json", str(tmp_path / "m.json"))
    assert res.returncode == 0, res.stderr
    assert json.loads((tmp_path / "m.json").read_text())["agents"][0]["illegal"] == 0


def test_self_play_snapshots_join_the_training_pool(tmp_path):
    from agents.rl.train import TrainConfig, train

    seen = []
    from arena.envs import ArenaGymEnv

    original = ArenaGymEnv.add_opponent

    def spy(self, spec, weight=1.0):
        seen.append(spec)
        original(self, spec, weight)

    ArenaGymEnv.add_opponent = spy
    try:
        train(TrainConfig(algorithm="ppo", game="kuhn_poker", out=str(tmp_path / "sp"),
                          timesteps=2048, envs=2, n_steps=256, batch_size=64, eval_games=20,
                          self_play=True, snapshot_every=512, progress=False))
    finally:
        ArenaGymEnv.add_opponent = original
    assert seen and all(s.startswith("ppo(path=") for s in seen)
    # Every environment gets each snapshot.
    assert len(seen) % 2 == 0 and seen[0] == seen[1]


@pytest.mark.parametrize("args,message", [
    (["train", "sac", "kuhn_poker", "--timesteps", "10", "--out", "X"], "unknown algorithm"),
    (["train", "ppo", "kuhn_poker", "--opponents", "nobody", "--timesteps", "10",
      "--out", "X"], "nobody"),
    (["train", "ppo", "no_game", "--timesteps", "10", "--out", "X"], "no_game"),
    (["train", "ppo", "kuhn_poker", "--timesteps", "0", "--out", "X"], "at least 1"),
    (["train", "ppo", "kuhn_poker", "--net", "a,b", "--timesteps", "10", "--out", "X"],
     "--net"),
])
def test_bad_training_input_exits_2_with_one_line_and_writes_nothing(tmp_path, args, message):
    args = [str(tmp_path / "X") if a == "X" else a for a in args]
    res = arena(*args)
    assert res.returncode == 2, res.stderr
    assert message in res.stderr and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "X").exists()


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="a GPU is present")
def test_cuda_without_a_gpu_is_a_clear_error(tmp_path):
    res = arena("train", "ppo", "kuhn_poker", "--timesteps", "10", "--device", "cuda",
                "--out", str(tmp_path / "X"))
    assert res.returncode == 2 and "no CUDA device" in res.stderr
    assert not (tmp_path / "X").exists()


def test_the_shipped_ppo_dhumbal_plays_standard_dhumbal_and_only_that(tmp_path):
    from agents.rl.agents import SHIPPED

    ckpt = SHIPPED / "ppo-dhumbal-standard.ckpt"
    assert ckpt.is_file() and ckpt.stat().st_size < 5_000_000
    meta, _ = read_checkpoint(ckpt)
    assert (meta["game"], meta["rules"], meta["algorithm"]) == ("dhumbal", "standard", "ppo")
    with pytest.raises(CheckpointError, match="rules preset"):
        make_agent("ppo-dhumbal", make_game("dhumbal", "paper"))
    with pytest.raises(ArenaError, match="plays only dhumbal"):
        make_agent("ppo-dhumbal", make_game("kuhn_poker"))
    res = arena("match", "dhumbal", "--rules", "standard", "--agents",
                "ppo-dhumbal,aggressive,aggressive,aggressive", "--games", "8", "--no-progress",
                "--json", str(tmp_path / "m.json"))
    assert res.returncode == 0, res.stderr
    rows = json.loads((tmp_path / "m.json").read_text())["agents"]
    assert rows[0]["name"] == "ppo-dhumbal" and rows[0]["illegal"] == 0
    assert rows[0]["errors"] == 0 and rows[0]["decisions"] > 0
