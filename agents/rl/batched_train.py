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

from pathlib import Path
from typing import Any

from arena.core.errors import ArenaError
from arena.core.registry import make_game
from games.dhumbal.game import PRESETS, DhumbalGame

from agents.rl.checkpoint import save_checkpoint
from agents.rl.train import TrainConfig, TrainingRun, eval_pool_and_out, schedules


def check_batched(cfg: TrainConfig) -> None:
    if cfg.algorithm != "ppo":
        raise ArenaError("--batched trains ppo only")
    if cfg.game != "dhumbal":
        raise ArenaError(f"--batched: the batched engine plays dhumbal, not {cfg.game!r}")
    if (cfg.rules or DhumbalGame.default_preset) not in PRESETS:
        names = [DhumbalGame.default_preset] + [
            p for p in PRESETS if p != DhumbalGame.default_preset]
        raise ArenaError(f"--batched: rules preset {cfg.rules!r}: {', '.join(names[:-1])} or "
                         f"{names[-1]}")
    from agents.rl.batched_env import OPPONENTS

    bad = [o for o in cfg.opponents if o not in OPPONENTS]
    if bad:
        raise ArenaError(f"--batched opponents are the batched heuristics "
                         f"({', '.join(OPPONENTS)}); not {', '.join(bad)}")


def _device(cfg: TrainConfig) -> str:
    import torch

    device = cfg.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ArenaError(f"--device cuda: no CUDA device is available here (torch "
                         f"{torch.__version__}); use --device cpu")
    return device


def train_batched(cfg: TrainConfig) -> dict[str, Any]:
    """Run ``cfg`` on the batched game; returns what ``train.json`` holds."""
    import torch
    from torch.utils.tensorboard import SummaryWriter

    from agents.rl.batched_env import BatchedDhumbalEnv, LearnerReward

    check_batched(cfg)
    device = _device(cfg)
    rules = cfg.rules or DhumbalGame.default_preset
    game = make_game("dhumbal", rules)
    eval_opponents, out = eval_pool_and_out(cfg, game, cfg.opponents)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(cfg.seed)
    env = BatchedDhumbalEnv(rules, envs=cfg.envs, opponents=cfg.opponents, device=device,
                            seed=cfg.seed, compile=cfg.compile, reward=LearnerReward(
                                cfg.reward, cfg.gamma if cfg.shaping else None))
    ppo = _Ppo(cfg, env, device)
    writer = SummaryWriter(str(out / "tb" / "ppo_batched"))
    meta = {"timesteps": 0, "seed": cfg.seed, "opponents": cfg.opponents,
            "self_play": cfg.self_play, "batched": True, "envs": cfg.envs}

    def save(path: Path, steps: int) -> Path:
        return save_checkpoint(path, ppo.policy, game, "ppo", cfg.net_arch, "tanh",
                               {**meta, "timesteps": steps})

    def log(opponent: str, win_rate: float, steps: int) -> None:
        writer.add_scalar(f"eval/win_rate_{opponent}", win_rate, steps)

    run = TrainingRun(cfg, game, out, eval_opponents, save, log)
    steps = _train(cfg, ppo, env, run, writer)
    result = run.finish(steps, {**cfg.record(), "batched": True, "device": device})
    writer.close()
    return result


def _train(cfg: TrainConfig, ppo: _Ppo, env: Any, run: TrainingRun, writer: Any) -> int:
    """Roll out and update until ``cfg.timesteps`` (rounded up to whole rollouts), logging,
    evaluating, checkpointing and adding snapshots as the run's schedules say; returns the
    steps trained."""
    import numpy as np

    per_update = ppo.N * ppo.T
    updates = max(1, -(-cfg.timesteps // per_update))
    sched_eval, sched_ckpt, sched_snap = schedules(cfg, per_update)
    obs, legal = env.observe()
    steps = 0
    bar = None
    if cfg.progress:
        from tqdm import tqdm

        bar = tqdm(total=updates * per_update, unit="step", unit_scale=True,
                   desc="training (batched)")
    for _ in range(updates):
        obs, legal = ppo.collect(obs, legal)
        pg, v_loss, entropy = ppo.update(obs)
        steps += per_update
        writer.add_scalar("train/policy_loss", pg.item(), steps)
        writer.add_scalar("train/value_loss", v_loss.item(), steps)
        writer.add_scalar("train/entropy", entropy.mean().item(), steps)
        if ppo.returns_seen:
            writer.add_scalar("train/episode_reward", float(np.mean(ppo.returns_seen)), steps)
            ppo.returns_seen = []
        if bar is not None:
            bar.update(per_update)
        if sched_eval.due(steps):
            run.evaluate(steps)
        elif sched_ckpt.due(steps):
            run.checkpoint(steps)
        if sched_snap.due(steps):
            env.add_policy(ppo.frozen_copy())
            run.checkpoint(steps, "snapshots")
    if bar is not None:
        bar.close()
    return steps


class _Ppo:
    """The lean PPO: sb3-contrib's masked actor-critic policy, its rollout buffers [T, N]
    on the device, and the update (GAE, clipped surrogate, value loss, entropy bonus,
    gradient clipping)."""

    def __init__(self, cfg: TrainConfig, env: Any, device: str):
        import torch

        self.cfg, self.env, self.device = cfg, env, device
        self.policy = self.make_policy()
        self.N, self.T = N, T = cfg.envs, cfg.n_steps
        D, A = env.obs_size, env.num_actions
        self.obs = torch.zeros(T, N, D, device=device)
        self.mask = torch.zeros(T, N, A, dtype=torch.bool, device=device)
        self.act = torch.zeros(T, N, dtype=torch.long, device=device)
        self.logp = torch.zeros(T, N, device=device)
        self.val = torch.zeros(T, N, device=device)
        self.rew = torch.zeros(T, N, device=device)
        self.done = torch.zeros(T, N, device=device)
        self.returns_seen: list[float] = []
        """Rewards of games that ended since the last log (up to 64 per step)."""

    def make_policy(self) -> Any:
        import numpy as np
        import torch
        from gymnasium import spaces
        from sb3_contrib.common.maskable.policies import MaskableActorCriticPolicy

        cfg, env = self.cfg, self.env
        obs_space = spaces.Box(-np.inf, np.inf, shape=(env.obs_size,), dtype=np.float32)
        return MaskableActorCriticPolicy(
            obs_space, spaces.Discrete(env.num_actions), lambda _: cfg.learning_rate,
            net_arch=dict(pi=cfg.net_arch, vf=cfg.net_arch), activation_fn=torch.nn.Tanh,
        ).to(self.device)

    def frozen_copy(self) -> Any:
        """A snapshot of the policy as an opponent: (observations, legal masks) -> its most
        likely legal actions."""
        import torch

        net = self.make_policy()
        net.load_state_dict(self.policy.state_dict())
        net.eval()

        def act(obs: torch.Tensor, legal: torch.Tensor) -> torch.Tensor:
            with torch.no_grad():
                dist = net.get_distribution(obs, action_masks=legal)
                return dist.get_actions(deterministic=True)
        return act

    def collect(self, obs: Any, legal: Any) -> tuple[Any, Any]:
        """T steps at every table from (obs, legal) into the buffers; returns the next."""
        import torch

        policy = self.policy
        policy.train(False)
        for t in range(self.T):
            with torch.no_grad():
                dist = policy.get_distribution(obs, action_masks=legal)
                action = dist.get_actions(deterministic=False)
                self.logp[t] = dist.log_prob(action)
                self.val[t] = policy.predict_values(obs).flatten()
            self.obs[t], self.mask[t], self.act[t] = obs, legal, action
            obs, legal, reward, done = self.env.step(action)
            self.rew[t], self.done[t] = reward, done.float()
            if done.any():
                self.returns_seen.extend(reward[done].tolist()[:64])
        return obs, legal

    def advantages(self, next_obs: Any) -> tuple[Any, Any]:
        """GAE (lambda 0.95) advantages and returns [T, N] of the rollout."""
        import torch

        T, gamma = self.T, self.cfg.gamma
        with torch.no_grad():
            next_val = self.policy.predict_values(next_obs).flatten()
            adv = torch.zeros(T, self.N, device=self.device)
            last = torch.zeros(self.N, device=self.device)
            for t in reversed(range(T)):
                nv = next_val if t == T - 1 else self.val[t + 1]
                live = 1.0 - self.done[t]
                delta = self.rew[t] + gamma * nv * live - self.val[t]
                last = delta + gamma * 0.95 * live * last
                adv[t] = last
            return adv, adv + self.val

    def update(self, next_obs: Any) -> tuple[Any, Any, Any]:
        """``n_epochs`` passes of minibatch updates over the rollout; returns the last
        minibatch's policy loss, value loss and entropies."""
        import torch

        cfg, policy, opt = self.cfg, self.policy, self.policy.optimizer
        adv, ret = self.advantages(next_obs)
        D, A, per_update = self.obs.shape[2], self.mask.shape[2], self.N * self.T
        minibatch = min(cfg.batch_size, per_update)
        b_obs, b_mask = self.obs.reshape(-1, D), self.mask.reshape(-1, A)
        b_act, b_logp = self.act.reshape(-1), self.logp.reshape(-1)
        b_adv, b_ret = adv.reshape(-1), ret.reshape(-1)
        policy.train(True)
        for _ in range(cfg.n_epochs):
            perm = torch.randperm(per_update, device=self.device)
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
        return pg, v_loss, entropy
