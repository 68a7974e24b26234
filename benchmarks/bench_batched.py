"""Throughput of the batched Dhumbal (games/dhumbal/batched.py) with heuristic opponents.

    .venv/bin/python benchmarks/bench_batched.py [--device cpu|cuda] [--rules standard]
        [--batches 256,4096,65536] [--steps 50] [--warmup 200] [--threads N] [--compile]
        [--learner random|KIND] [--opponents aggressive,...,expert]
        [--ppo-envs 4096 --ppo-steps N]

For each batch size B: a learner seat at each of B tables (playing a random legal move, or
with ``--learner`` a batched study heuristic), the other three seats played by batched
heuristics (``--opponents``; default the study's aggressive, conservative, balanced,
opportunistic, one drawn per seat and game), finished tables reset in place. With a
heuristic learner it also reports the learner's win share over the games that ended in the
timed steps.
Reports learner steps per second: the time of ``env.step`` alone (the learner's action
applied, the opponents' moves until the learner is to move again, finished tables reset,
the learner's observations and legal masks), not the time the learner takes to pick its
moves; and game moves per second in the same time: every move made at every table, the
learner's and the heuristic opponents' (a learner step is one learner move and the
opponents' moves that follow it), which is how batched game environments (pgx, for one)
count environment steps. The timing starts after ``--warmup`` steps: the tables start
their games together, in step, and only drift apart over the first rounds (rounds end at
different times, and new games seat the learner anywhere), so the first steps run fewer,
fuller passes than a long run does. ``--compile``: the game's moves and the heuristics through
``torch.compile`` (compiled in the warm-up steps). With
``--ppo-steps N`` it also times N agent steps of the batched PPO trainer (rollouts of 32
steps per table, 4 epochs over minibatches of a quarter of a rollout). The last line is
JSON.
"""

from __future__ import annotations

import argparse
import json
import time

import torch

from agents.heuristics.dhumbal_batched import KINDS, heuristic_actions
from agents.rl.batched_env import OPPONENTS, BatchedDhumbalEnv, LearnerReward


def env_rate(rules: str, batch: int, steps: int, device: str, compile: bool = False,
             warmup: int = 200, learner: str = "random",
             opponents: tuple[str, ...] = KINDS) -> dict:
    # A random learner times the environment as the trainer runs it (rewards: returns); a
    # heuristic learner is there to be scored, so its rewards are its win shares.
    env = BatchedDhumbalEnv(rules, envs=batch, device=device, seed=0, compile=compile,
                            opponents=opponents,
                            reward=LearnerReward("return" if learner == "random" else "win"))
    gen = torch.Generator(device=env.device).manual_seed(0)

    def pick(legal: torch.Tensor) -> torch.Tensor:
        if learner == "random":
            return (torch.rand(legal.shape, generator=gen, device=env.device) * legal).argmax(1)
        u = torch.rand(batch, generator=gen, device=env.device, dtype=torch.float64)
        return heuristic_actions(env.env, learner, u)

    obs, legal = env.observe()
    for _ in range(warmup):
        obs, legal, _, _ = env.step(pick(legal))
    if env.device.type == "cuda":
        torch.cuda.synchronize()
    episodes0, moves0 = env.episodes, env.moves
    won = torch.zeros((), dtype=torch.float64, device=env.device)
    dt = 0.0  # the environment's time only: the learner's pick is not counted
    for _ in range(steps):
        a = pick(legal)
        if env.device.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        obs, legal, reward, _ = env.step(a)
        if env.device.type == "cuda":
            torch.cuda.synchronize()
        dt += time.perf_counter() - t0
        won += reward.sum()   # a heuristic's win share of each game that ended (0 elsewhere)
    moves, episodes = env.moves - moves0, env.episodes - episodes0
    return {"batch": batch, "learner_steps_per_s": batch * steps / dt,
            "moves_per_s": moves / dt, "moves_per_learner_step": moves / (batch * steps),
            "episodes": episodes, "seconds": dt,
            "learner_win_share": None if learner == "random" else float(won) / max(episodes, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--rules", default="standard")
    ap.add_argument("--batches", default="256,4096,65536")
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=200,
                    help="steps played before the timing (the tables' games drift apart "
                         "from their common start)")
    ap.add_argument("--threads", type=int, default=0,
                    help="torch CPU threads (default: torch's; use 1 when another job keeps "
                         "a core busy: waiting threads spin and slow it down 100-fold)")
    ap.add_argument("--compile", action="store_true",
                    help="run the game's steps and the heuristics through torch.compile")
    ap.add_argument("--learner", default="random", choices=("random",) + KINDS,
                    help="the learner seat's player (default random legal moves)")
    ap.add_argument("--opponents", default=",".join(KINDS),
                    help=f"the other seats, drawn per game: some of {', '.join(OPPONENTS)}")
    ap.add_argument("--ppo-envs", type=int, default=4096)
    ap.add_argument("--ppo-steps", type=int, default=0,
                    help="also time this many agent steps of batched PPO training")
    args = ap.parse_args()
    if args.warmup < 0 or args.steps < 1:
        ap.error("--warmup: 0 or more steps; --steps: 1 or more")
    opponents = tuple(o.strip() for o in args.opponents.split(","))
    bad = [o for o in opponents if o not in OPPONENTS]
    if bad:
        ap.error(f"--opponents: {', '.join(bad)} unknown; choose from {', '.join(OPPONENTS)}")
    if args.threads:
        torch.set_num_threads(args.threads)
    rows = []
    for b in [int(x) for x in args.batches.split(",")]:
        row = env_rate(args.rules, b, args.steps, args.device, args.compile, args.warmup,
                       args.learner, opponents)
        rows.append(row)
        share = row["learner_win_share"]
        print(f"B={b:>7,}: {row['learner_steps_per_s']:>12,.0f} learner steps/s, "
              f"{row['moves_per_s']:>12,.0f} moves/s ({row['episodes']:,} games finished "
              f"in {row['seconds']:.1f} s" + (
                  "" if share is None else f"; the learner's win share {share:.3f}") + ")",
              flush=True)
    ppo = None
    if args.ppo_steps:
        import tempfile

        from agents.rl.batched_train import train_batched
        from agents.rl.train import TrainConfig

        with tempfile.TemporaryDirectory() as tmp:
            cfg = TrainConfig(algorithm="ppo", game="dhumbal", rules=args.rules, out=tmp,
                              opponents=["aggressive", "conservative", "balanced",
                                         "opportunistic"],
                              timesteps=args.ppo_steps, envs=args.ppo_envs,
                              device=args.device, n_steps=32,
                              batch_size=max(256, args.ppo_envs * 8), n_epochs=4,
                              eval_games=1, eval_opponents=["aggressive"], shaping=True,
                              progress=False)
            result = train_batched(cfg)
        ppo = {"envs": args.ppo_envs, "timesteps": result["timesteps"],
               "train_s": result["train_s"], "agent_steps_per_s": result["train_steps_per_s"]}
        print(f"PPO, {args.ppo_envs:,} tables: {ppo['agent_steps_per_s']:,.0f} agent steps/s "
              f"({ppo['timesteps']:,} steps in {ppo['train_s']:.1f} s)")
    print(json.dumps({"device": args.device, "rules": args.rules, "learner": args.learner,
                      "opponents": opponents,
                      "torch_threads": torch.get_num_threads(), "rows": rows, "ppo": ppo}))


if __name__ == "__main__":
    main()
