"""``arena train ppo dhumbal --batched``: PPO on the batched Dhumbal, every table at once.

A lean single-file PPO (in the manner of CleanRL: rollout, GAE, clipped surrogate, value
loss, entropy bonus, gradient clipping) around sb3-contrib's ``MaskableActorCriticPolicy``,
so the network, its action masking and the checkpoint are exactly those of ``arena train
ppo``: the result is an ordinary ``ppo(path=...)`` agent that plays through the reference
engine with the same encoder. Rollouts stay on the device (observations, masks and rewards
come from ``BatchedDhumbalEnv`` as tensors); opponents are the batched study heuristics and,
with ``self_play``, frozen snapshots of the learner. Evaluations are ordinary seat-rotated
arena matches of the saved checkpoint (``agents.rl.train.evaluate``).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from arena import __version__
from arena.core.errors import ArenaError
from arena.core.registry import make_game

from agents.rl.checkpoint import save_checkpoint
from agents.rl.train import (TrainConfig, _lib_versions, _Schedule, _write_evals,
                             eval_pool_and_out, evaluate, policy_spec)

BATCHED_N_STEPS = 32
"""Default steps per table between updates (a rollout is envs x n_steps samples)."""


def check_batched(cfg: TrainConfig) -> None:
    if cfg.algorithm != "ppo":
        raise ArenaError("--batched trains ppo only")
    if cfg.game != "dhumbal":
        raise ArenaError(f"--batched: the batched engine plays dhumbal, not {cfg.game!r}")
    if (cfg.rules or "standard") not in ("standard", "paper", "yaniv"):
        raise ArenaError(f"--batched: rules preset {cfg.rules!r}: standard, paper or yaniv")
    from agents.rl.batched_env import OPPONENTS

    bad = [o for o in cfg.opponents if o not in OPPONENTS]
    if bad:
        raise ArenaError(f"--batched opponents are the batched heuristics "
                         f"({', '.join(OPPONENTS)}); not {', '.join(bad)}")


def train_batched(cfg: TrainConfig) -> dict[str, Any]:
    """Run ``cfg`` on the batched game; returns what ``train.json`` holds."""
    import numpy as np
    import torch
    from gymnasium import spaces
    from sb3_contrib.common.maskable.policies import MaskableActorCriticPolicy

    from agents.rl.batched_env import BatchedDhumbalEnv

    check_batched(cfg)
    device = cfg.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ArenaError(f"--device cuda: no CUDA device is available here (torch "
                         f"{torch.__version__}); use --device cpu")
    rules = cfg.rules or "standard"
    game = make_game("dhumbal", rules)
    eval_opponents, out = eval_pool_and_out(cfg, game, cfg.opponents)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(cfg.seed)
    env = BatchedDhumbalEnv(rules, envs=cfg.envs, opponents=cfg.opponents, device=device,
                            seed=cfg.seed, reward=cfg.reward,
                            shaping=cfg.gamma if cfg.shaping else None, compile=cfg.compile)
    obs_space = spaces.Box(-np.inf, np.inf, shape=(env.obs_size,), dtype=np.float32)
    def make_policy() -> Any:
        return MaskableActorCriticPolicy(
            obs_space, spaces.Discrete(env.num_actions), lambda _: cfg.learning_rate,
            net_arch=dict(pi=cfg.net_arch, vf=cfg.net_arch), activation_fn=torch.nn.Tanh,
        ).to(device)

    policy = make_policy()
    opt = policy.optimizer
    from torch.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(str(out / "tb" / "ppo_batched"))
    N, T = cfg.envs, cfg.n_steps
    per_update = N * T
    minibatch = min(cfg.batch_size, per_update)
    updates = max(1, -(-cfg.timesteps // per_update))
    eval_every = cfg.eval_every or max(per_update, cfg.timesteps // 10)
    ckpt_every = cfg.checkpoint_every or eval_every
    snap_every = (cfg.snapshot_every or max(per_update, cfg.timesteps // 10)) \
        if cfg.self_play else 0
    sched_eval, sched_ckpt, sched_snap = (_Schedule(eval_every), _Schedule(ckpt_every),
                                          _Schedule(snap_every))
    meta = {"timesteps": 0, "seed": cfg.seed, "opponents": cfg.opponents,
            "self_play": cfg.self_play, "batched": True, "envs": N}
    evals: list[dict[str, Any]] = []
    timing = {"eval_s": 0.0}
    started = time.perf_counter()

    def save(path: Path, steps: int) -> Path:
        return save_checkpoint(path, policy, game, "ppo", cfg.net_arch, "tanh",
                               {**meta, "timesteps": steps})

    def run_eval(steps: int) -> None:
        t0 = time.perf_counter()
        path = save(out / "checkpoints" / f"step_{steps}.ckpt", steps)
        rows = evaluate("ppo", path, game, eval_opponents, cfg.eval_games,
                        seed=cfg.seed + 7919)
        for row in rows:
            row["timesteps"] = steps
            evals.append(row)
            writer.add_scalar(f"eval/win_rate_{row['opponent']}", row["win_rate"], steps)
        _write_evals(out, evals)
        timing["eval_s"] += time.perf_counter() - t0

    def frozen(net: Any) -> Any:
        def act(obs: torch.Tensor, legal: torch.Tensor) -> torch.Tensor:
            with torch.no_grad():
                dist = net.get_distribution(obs, action_masks=legal)
                return dist.get_actions(deterministic=True)
        return act

    D, A = env.obs_size, env.num_actions
    buf_obs = torch.zeros(T, N, D, device=device)
    buf_mask = torch.zeros(T, N, A, dtype=torch.bool, device=device)
    buf_act = torch.zeros(T, N, dtype=torch.long, device=device)
    buf_logp = torch.zeros(T, N, device=device)
    buf_val = torch.zeros(T, N, device=device)
    buf_rew = torch.zeros(T, N, device=device)
    buf_done = torch.zeros(T, N, device=device)
    obs, legal = env.observe()
    steps = 0
    bar = None
    if cfg.progress:
        from tqdm import tqdm

        bar = tqdm(total=updates * per_update, unit="step", unit_scale=True,
                   desc="training (batched)")
    returns_seen: list[float] = []
    for update in range(updates):
        policy.train(False)
        for t in range(T):
            with torch.no_grad():
                dist = policy.get_distribution(obs, action_masks=legal)
                action = dist.get_actions(deterministic=False)
                buf_logp[t] = dist.log_prob(action)
                buf_val[t] = policy.predict_values(obs).flatten()
            buf_obs[t], buf_mask[t], buf_act[t] = obs, legal, action
            obs, legal, reward, done = env.step(action)
            buf_rew[t], buf_done[t] = reward, done.float()
            if done.any():
                returns_seen.extend(reward[done].tolist()[:64])
        with torch.no_grad():
            next_val = policy.predict_values(obs).flatten()
            adv = torch.zeros(T, N, device=device)
            last = torch.zeros(N, device=device)
            for t in reversed(range(T)):
                nv = next_val if t == T - 1 else buf_val[t + 1]
                live = 1.0 - buf_done[t]
                delta = buf_rew[t] + cfg.gamma * nv * live - buf_val[t]
                last = delta + cfg.gamma * 0.95 * live * last
                adv[t] = last
            ret = adv + buf_val
        b_obs, b_mask = buf_obs.reshape(-1, D), buf_mask.reshape(-1, A)
        b_act, b_logp = buf_act.reshape(-1), buf_logp.reshape(-1)
        b_adv, b_ret = adv.reshape(-1), ret.reshape(-1)
        policy.train(True)
        for _ in range(cfg.n_epochs):
            perm = torch.randperm(per_update, device=device)
            for start in range(0, per_update, minibatch):
                mb = perm[start:start + minibatch]
                values, logp, entropy = policy.evaluate_actions(b_obs[mb], b_act[mb],
                                                                action_masks=b_mask[mb])
                a = b_adv[mb]
                a = (a - a.mean()) / (a.std() + 1e-8)
                ratio = (logp - b_logp[mb]).exp()
                pg = -torch.min(ratio * a, ratio.clamp(0.8, 1.2) * a).mean()
                v_loss = 0.5 * ((values.flatten() - b_ret[mb]) ** 2).mean()
                loss = pg + 0.5 * v_loss - cfg.ent_coef * entropy.mean()
                opt.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(policy.parameters(), 0.5)
                opt.step()
        steps += per_update
        writer.add_scalar("train/policy_loss", pg.item(), steps)
        writer.add_scalar("train/value_loss", v_loss.item(), steps)
        writer.add_scalar("train/entropy", entropy.mean().item(), steps)
        if returns_seen:
            writer.add_scalar("train/episode_reward", float(np.mean(returns_seen)), steps)
            returns_seen = []
        if bar is not None:
            bar.update(per_update)
        if sched_eval.due(steps):
            run_eval(steps)
        elif sched_ckpt.due(steps):
            save(out / "checkpoints" / f"step_{steps}.ckpt", steps)
        if sched_snap.due(steps):
            snap = make_policy()
            snap.load_state_dict(policy.state_dict())
            snap.eval()
            env.add_policy(frozen(snap))
            save(out / "snapshots" / f"step_{steps}.ckpt", steps)
    if bar is not None:
        bar.close()
    final = save(out / "final.ckpt", steps)
    if not evals or evals[-1]["timesteps"] != steps:
        run_eval(steps)
    writer.close()
    wall = time.perf_counter() - started
    train_s = wall - timing["eval_s"]
    result = {
        "config": {**asdict(cfg), "batched": True, "device": device}, "final": str(final),
        "timesteps": steps, "wall_s": round(wall, 1), "train_s": round(train_s, 1),
        "eval_s": round(timing["eval_s"], 1),
        "train_steps_per_s": round(steps / max(train_s, 1e-9), 1),
        "versions": {"arena": __version__, "torch": torch.__version__, **_lib_versions()},
        "last_eval": [r for r in evals if r["timesteps"] == evals[-1]["timesteps"]],
        "agent": policy_spec("ppo", final),
    }
    (out / "train.json").write_text(json.dumps(result, indent=2) + "\n")
    return result
