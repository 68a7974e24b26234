"""``arena train``: masked PPO (sb3-contrib's MaskablePPO) or DQN (stable-baselines3's, masked
at action selection) on any arena game, against arena agents and snapshots of itself.

The output folder holds ``final.ckpt`` (the trained agent: ``ppo(path=DIR/final.ckpt)``),
``checkpoints/step_N.ckpt``, ``snapshots/`` (self-play opponents), ``tb/`` (TensorBoard),
``eval.csv`` / ``eval.json`` (win rate with its 95% interval against each evaluation opponent,
measured by ordinary seat-rotated arena matches of the checkpoint) and ``train.json`` (the
settings, versions, timings).
"""

from __future__ import annotations

import csv
import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from arena import __version__
from arena.core.agent import Agent
from arena.core.errors import ArenaError
from arena.core.registry import make_agent, make_game
from arena.core.spec import Spec, parse_spec
from arena.envs import ArenaGymEnv, OpponentPool
from arena.play.match import match_jobs, run_jobs
from arena.stats.basic import summarize

from agents.rl.agents import DqnAgent, PolicyParams, PpoAgent
from agents.rl.checkpoint import save_checkpoint
from agents.rl.config import TrainConfig

ALGORITHMS = ("ppo", "dqn")


def _check(cfg: TrainConfig) -> None:
    if cfg.algorithm not in ALGORITHMS:
        raise ArenaError(f"unknown algorithm {cfg.algorithm!r}: use one of {', '.join(ALGORITHMS)}")
    if cfg.device not in ("cpu", "cuda", "auto"):
        raise ArenaError(f"device {cfg.device!r}: use cpu, cuda or auto")
    if cfg.device == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise ArenaError("--device cuda: no CUDA device is available here "
                             f"(torch {torch.__version__}); use --device cpu")
    for name in ("timesteps", "envs", "eval_games", "n_steps", "batch_size", "n_epochs"):
        if getattr(cfg, name) < 1:
            raise ArenaError(f"{name} must be at least 1, got {getattr(cfg, name)}")
    if not cfg.net_arch or min(cfg.net_arch) < 1:
        raise ArenaError(f"net_arch {cfg.net_arch}: layer sizes must be positive")


def policy_spec(algorithm: str, path: Path) -> str:
    """The agent spec of a checkpoint, e.g. ``ppo(path=out/final.ckpt)``."""
    return str(Spec(algorithm, (("path", str(path)),)))


def evaluate(algorithm: str, path: Path, game: Any, opponents: list[str], games: int,
             seed: int) -> list[dict[str, Any]]:
    """Win rate (Wilson 95% interval) and payoff of the checkpoint at ``path`` against each
    opponent: one seat for it, the others for copies of the opponent, seats rotated over
    duplicate deals, as ``arena match`` plays."""
    cls = PpoAgent if algorithm == "ppo" else DqnAgent
    learner = policy_spec(algorithm, path)
    rows = []
    n = game.num_players
    for opp in opponents:
        specs = [learner] + [opp] * (n - 1)
        labels = ["learner"] + [f"{opp}#{k}" for k in range(1, n)]
        agents: dict[str, Agent] = {
            "learner": cls(PolicyParams(path=str(path), check_version=False), game)}
        for label, spec in zip(labels[1:], specs[1:]):
            agents[label] = make_agent(spec, game)
        jobs = match_jobs(game.name, game.preset, specs, games, seed, "rotate", labels=labels,
                          prefix=f"eval-{opp}")
        records = list(run_jobs(jobs, game, agents))
        summaries, _ = summarize(records, game.metric_specs, order=labels)
        me = next(s for s in summaries if s.name == "learner")
        rows.append({"opponent": opp, "games": me.games, "win_rate": me.win_rate,
                     "win_ci": list(me.win_ci), "payoff": me.payoff,
                     "payoff_ci": list(me.payoff_ci)})
    return rows


class _Schedule:
    def __init__(self, every: int):
        self.every, self.next = every, every

    def due(self, steps: int) -> bool:
        if self.every <= 0 or steps < self.next:
            return False
        while self.next <= steps:
            self.next += self.every
        return True


def schedules(cfg: TrainConfig, least: int) -> tuple[_Schedule, _Schedule, _Schedule]:
    """When to evaluate, to save a checkpoint and (self-play) to add a snapshot: every
    ``cfg``'s interval, or by default a tenth of the run (at least ``least`` steps), at each
    evaluation for checkpoints."""
    tenth = max(least, cfg.timesteps // 10)
    eval_every = cfg.eval_every or tenth
    snap_every = (cfg.snapshot_every or tenth) if cfg.self_play else 0
    return (_Schedule(eval_every), _Schedule(cfg.checkpoint_every or eval_every),
            _Schedule(snap_every))


class TrainingRun:
    """What a training run writes, whichever trainer runs it: checkpoints of the policy, its
    evaluations (``eval.csv`` / ``eval.json``, and each win rate to the trainer's log), and
    at the end ``final.ckpt`` and ``train.json``."""

    def __init__(self, cfg: TrainConfig, game: Any, out: Path, eval_opponents: list[str],
                 save: Callable[[Path, int], Path], log: Callable[[str, float, int], None]):
        """``save(path, steps)``: writes the policy's checkpoint; ``log(opponent, win rate,
        steps)``: an evaluation's result to the trainer's log."""
        self.cfg, self.game, self.out, self.eval_opponents = cfg, game, out, eval_opponents
        self.save, self._log = save, log
        self.evals: list[dict[str, Any]] = []
        self.eval_s = 0.0
        self.started = time.perf_counter()

    def checkpoint(self, steps: int, folder: str = "checkpoints") -> Path:
        return self.save(self.out / folder / f"step_{steps}.ckpt", steps)

    def evaluate(self, steps: int) -> None:
        """Save a checkpoint and evaluate it."""
        t0 = time.perf_counter()
        path = self.checkpoint(steps)
        rows = evaluate(self.cfg.algorithm, path, self.game, self.eval_opponents,
                        self.cfg.eval_games, seed=self.cfg.seed + 7919)
        for row in rows:
            row["timesteps"] = steps
            self.evals.append(row)
            self._log(str(row["opponent"]), row["win_rate"], steps)
        _write_evals(self.out, self.evals)
        self.eval_s += time.perf_counter() - t0

    def finish(self, steps: int, config: dict[str, Any]) -> dict[str, Any]:
        """Save ``final.ckpt``, evaluate it (unless that was just done) and write
        ``train.json`` (with ``config``, the run's settings); returns what it holds."""
        import torch

        final = self.save(self.out / "final.ckpt", steps)
        if not self.evals or self.evals[-1]["timesteps"] != steps:
            self.evaluate(steps)
        wall = time.perf_counter() - self.started
        train_s = wall - self.eval_s
        result = {
            "config": config, "final": str(final), "timesteps": steps,
            "wall_s": round(wall, 1), "train_s": round(train_s, 1),
            "eval_s": round(self.eval_s, 1),
            "train_steps_per_s": round(steps / max(train_s, 1e-9), 1),
            "versions": {"arena": __version__, "torch": torch.__version__, **_lib_versions()},
            "last_eval": [r for r in self.evals
                          if r["timesteps"] == self.evals[-1]["timesteps"]],
            "agent": policy_spec(self.cfg.algorithm, final),
        }
        (self.out / "train.json").write_text(json.dumps(result, indent=2) + "\n")
        return result


def _make_model(cfg: TrainConfig, venv: Any, tb: str) -> Any:
    import torch

    act = torch.nn.Tanh if cfg.algorithm == "ppo" else torch.nn.ReLU
    if cfg.algorithm == "ppo":
        from sb3_contrib import MaskablePPO

        return MaskablePPO(
            "MlpPolicy", venv, learning_rate=cfg.learning_rate, n_steps=cfg.n_steps,
            batch_size=cfg.batch_size, n_epochs=cfg.n_epochs, gamma=cfg.gamma,
            ent_coef=cfg.ent_coef,
            policy_kwargs=dict(net_arch=dict(pi=cfg.net_arch, vf=cfg.net_arch), activation_fn=act),
            tensorboard_log=tb, seed=cfg.seed, device=cfg.device, verbose=0)
    return _masked_dqn_class()(
        "MlpPolicy", venv, learning_rate=cfg.learning_rate, batch_size=cfg.batch_size,
        gamma=cfg.gamma, buffer_size=min(200_000, max(10_000, cfg.timesteps)),
        learning_starts=min(5_000, cfg.timesteps // 10), exploration_fraction=0.3,
        train_freq=4, target_update_interval=2_000,
        policy_kwargs=dict(net_arch=cfg.net_arch, activation_fn=act),
        tensorboard_log=tb, seed=cfg.seed, device=cfg.device, verbose=0)


def _masked_dqn_class() -> type:
    """stable-baselines3's DQN, masked (a class made on use: SB3 is imported lazily)."""
    from stable_baselines3 import DQN

    class _MaskedDQN(DQN):
        """DQN that only ever plays legal moves: exploration draws among the legal moves and
        the greedy move is the legal one of highest Q. (The bootstrap target still takes the
        maximum over every action of the next state, as stable-baselines3's DQN does.)"""

        def _sample_action(self, learning_starts: int, action_noise: Any = None,
                           n_envs: int = 1) -> tuple[np.ndarray, np.ndarray]:
            import torch

            if not hasattr(self, "_explore_rng"):
                self._explore_rng = np.random.default_rng(self.seed)
            assert self.env is not None  # set before learning starts
            masks = np.stack(self.env.env_method("action_masks")).astype(bool)
            rng = self._explore_rng
            with torch.no_grad():
                obs = torch.as_tensor(self._last_obs, dtype=torch.float32, device=self.device)
                q = self.policy.q_net(obs).cpu().numpy()
            q[~masks] = -np.inf
            actions = q.argmax(axis=1)
            warm = self.num_timesteps < learning_starts
            for i in range(n_envs):
                if warm or rng.random() < self.exploration_rate:
                    actions[i] = rng.choice(np.flatnonzero(masks[i]))
            return actions, actions

    return _MaskedDQN


def eval_pool_and_out(cfg: TrainConfig, game: Any, opponents: list[str]) -> tuple[list[str], Path]:
    """The evaluation opponents (checked: unknown names fail before training starts) and
    the output folder (refused if it holds a finished run)."""
    eval_opponents = cfg.eval_opponents or list(dict.fromkeys(opponents))
    for spec in eval_opponents:
        make_agent(spec, game)
    out = Path(cfg.out)
    if (out / "final.ckpt").exists():
        raise ArenaError(f"{out} already holds a finished run (final.ckpt); choose another --out")
    return eval_opponents, out


def train(cfg: TrainConfig) -> dict[str, Any]:
    """Run ``cfg`` to the end; returns what ``train.json`` holds."""
    _check(cfg)
    game = make_game(parse_spec(cfg.game), cfg.rules)
    pool = OpponentPool(cfg.opponents, max_snapshots=cfg.max_snapshots)
    for spec in pool.specs:
        make_agent(spec, game)  # unknown names and bad values fail before training starts
    eval_opponents, out = eval_pool_and_out(cfg, game, pool.specs)
    venv = _vec_env(cfg, game)
    out.mkdir(parents=True, exist_ok=True)
    model = _make_model(cfg, venv, str(out / "tb"))
    activation = "tanh" if cfg.algorithm == "ppo" else "relu"
    meta = {"timesteps": 0, "seed": cfg.seed, "opponents": cfg.opponents,
            "self_play": cfg.self_play}

    def save(path: Path, steps: int) -> Path:
        return save_checkpoint(path, model.policy, game, cfg.algorithm, cfg.net_arch, activation,
                               {**meta, "timesteps": steps})

    def log(opponent: str, win_rate: float, steps: int) -> None:
        model.logger.record(f"eval/win_rate_{opponent.replace('/', '_')}", win_rate)

    run = TrainingRun(cfg, game, out, eval_opponents, save, log)
    model.learn(total_timesteps=cfg.timesteps, callback=_callback(run),
                progress_bar=cfg.progress, tb_log_name=cfg.algorithm)
    return run.finish(int(model.num_timesteps), cfg.record())


def _vec_env(cfg: TrainConfig, game: Any) -> Any:
    """``cfg.envs`` environments against the opponent pool, stepped together."""
    from stable_baselines3.common.monitor import Monitor
    from stable_baselines3.common.vec_env import DummyVecEnv

    def make_env(i: int) -> Any:
        def thunk() -> Any:
            env = ArenaGymEnv(game, OpponentPool(cfg.opponents, max_snapshots=cfg.max_snapshots),
                              reward=cfg.reward,  # type: ignore[arg-type]
                              shaping=cfg.gamma if cfg.shaping else None)
            env.reset(seed=cfg.seed * 1_000 + i)
            return Monitor(env)
        return thunk

    venv = DummyVecEnv([make_env(i) for i in range(cfg.envs)])
    venv.seed(cfg.seed)
    return venv


def _callback(run: TrainingRun) -> Any:
    """The callback that evaluates, checkpoints and (self-play) adds snapshots of the
    learner to every environment's opponent pool, as the run's schedules say."""
    from stable_baselines3.common.callbacks import BaseCallback

    sched_eval, sched_ckpt, sched_snap = schedules(run.cfg, 1)

    class _Callback(BaseCallback):
        def _on_step(self) -> bool:
            steps = self.num_timesteps
            evaluate_now, checkpoint_now = sched_eval.due(steps), sched_ckpt.due(steps)
            if evaluate_now:
                run.evaluate(steps)  # saves the checkpoint it evaluates
            elif checkpoint_now:
                run.checkpoint(steps)
            if sched_snap.due(steps):
                snap = run.checkpoint(steps, "snapshots")
                spec = policy_spec(run.cfg.algorithm, snap)
                self.training_env.env_method("add_opponent", spec)
            return True

    return _Callback()


def _lib_versions() -> dict[str, str]:
    from importlib.metadata import version

    out = {}
    for name in ("stable-baselines3", "sb3-contrib", "gymnasium", "pettingzoo"):
        try:
            out[name] = version(name)
        except Exception:  # noqa: BLE001 - a version is only informative
            pass
    return out


def _write_evals(out: Path, evals: list[dict[str, Any]]) -> None:
    tmp = out / "eval.json.tmp"
    tmp.write_text(json.dumps(evals, indent=2) + "\n")
    tmp.replace(out / "eval.json")
    with open(out / "eval.csv.tmp", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["timesteps", "opponent", "games", "win_rate", "win_ci_low", "win_ci_high",
                    "payoff", "payoff_ci_low", "payoff_ci_high"])
        for r in evals:
            w.writerow([r["timesteps"], r["opponent"], r["games"], f"{r['win_rate']:.4f}",
                        f"{r['win_ci'][0]:.4f}", f"{r['win_ci'][1]:.4f}",
                        *(f"{x:.4f}" if math.isfinite(x) else ""
                          for x in (r["payoff"], *r["payoff_ci"]))])
    (out / "eval.csv.tmp").replace(out / "eval.csv")
