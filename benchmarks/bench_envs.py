"""Steps per second of the learning environments, and of training on them.

- Gymnasium environment (``ArenaGymEnv``): the learner plays uniformly random legal moves
  (its choice costs next to nothing), the other seats are arena agents; a step is one
  decision of the learner, whatever the opponents play in between. One process, one core.
- PettingZoo AEC environment: every seat random, a step is one move.
- Training: ``arena train ppo`` on Dhumbal (standard) against ``aggressive``, steps per
  second of the learning phase (evaluation excluded), on the CPU, and on CUDA where present.

Usage: .venv/bin/python benchmarks/bench_envs.py [--seconds S] [--train-steps N] [--no-train]
"""

from __future__ import annotations

import argparse
import tempfile
import time

import numpy as np

from arena.envs import ArenaAECEnv, ArenaGymEnv


def gym_steps(game: str, rules: str | None, opponent: str, seconds: float) -> tuple[float, float]:
    """(steps per second, steps per episode) of the Gymnasium environment."""
    env = ArenaGymEnv(game, [opponent], rules=rules)
    rng = np.random.default_rng(0)
    env.reset(seed=0)
    steps = episodes = 0
    t0 = time.perf_counter()
    while True:
        mask = env.action_masks()
        _, _, term, trunc, _ = env.step(int(rng.choice(np.flatnonzero(mask))))
        steps += 1
        if term or trunc:
            episodes += 1
            env.reset()
            if time.perf_counter() - t0 > seconds:
                break
    dt = time.perf_counter() - t0
    return steps / dt, steps / episodes


def aec_steps(game: str, rules: str | None, seconds: float) -> float:
    env = ArenaAECEnv(game, rules)
    rng = np.random.default_rng(0)
    steps = 0
    t0 = time.perf_counter()
    seed = 0
    while time.perf_counter() - t0 < seconds:
        env.reset(seed=seed)
        seed += 1
        for agent in env.agent_iter():
            obs, _, term, trunc, _ = env.last()
            if term or trunc:
                env.step(None)
            else:
                env.step(int(rng.choice(np.flatnonzero(obs["action_mask"]))))
                steps += 1
    return steps / (time.perf_counter() - t0)


def train_steps(device: str, steps: int) -> float:
    from agents.rl.train import TrainConfig, train

    with tempfile.TemporaryDirectory() as out:
        result = train(TrainConfig(
            algorithm="ppo", game="dhumbal", rules="standard", opponents=["aggressive"],
            out=out, timesteps=steps, envs=8, n_steps=1024, batch_size=512, n_epochs=5,
            device=device, eval_games=4, eval_every=10 ** 12, progress=False))
    return float(result["train_steps_per_s"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="seconds per measurement")
    ap.add_argument("--train-steps", type=int, default=65_536)
    ap.add_argument("--no-train", action="store_true")
    args = ap.parse_args()
    print("Gymnasium environment, learner random, one process:")
    for game, rules, opp in [("dhumbal", "standard", "aggressive"),
                             ("dhumbal", "standard", "balanced"),
                             ("dhumbal", "standard", "random"),
                             ("dhumbal", "paper", "aggressive"),
                             ("leduc_poker", None, "random"),
                             ("connect_four", None, "random")]:
        rate, per_ep = gym_steps(game, rules, opp, args.seconds)
        label = f"{game}{'/' + rules if rules else ''} vs {opp}"
        print(f"  {label:34s} {rate:10,.0f} steps/s  ({per_ep:.1f} steps per episode)")
    print("PettingZoo AEC environment, every seat random:")
    for game, rules in [("dhumbal", "standard"), ("leduc_poker", None), ("connect_four", None)]:
        label = f"{game}{'/' + rules if rules else ''}"
        print(f"  {label:34s} {aec_steps(game, rules, args.seconds):10,.0f} steps/s")
    if not args.no_train:
        import torch

        print(f"Training, masked PPO, dhumbal/standard vs aggressive, {args.train_steps:,} steps "
              f"(torch {torch.__version__}):")
        print(f"  cpu  {train_steps('cpu', args.train_steps):10,.0f} steps/s")
        if torch.cuda.is_available():
            print(f"  cuda {train_steps('cuda', args.train_steps):10,.0f} steps/s")


if __name__ == "__main__":
    main()
