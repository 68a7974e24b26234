"""Search speed: simulations/s of ``mcts`` against OpenSpiel's MCTS bots, and ``ismcts``
iterations/s on Dhumbal, side by side in one process.

    .venv/bin/python benchmarks/bench_search.py [--sims N] [--decisions N] [--repeats N]
        [--ismcts-iterations N] [--positions N] [--c C] [--seed S]

Connect Four, from the initial position, ``--sims`` simulations per search:

- ``mcts(reuse=false, rollout=random)``, the arena engine, timed around ``agent.act``
  (iterations read from ``agent.last_search.iterations``);
- OpenSpiel's Python ``MCTSBot`` (``RandomRolloutEvaluator(n_rollouts=1)``, ``solve=False``),
  timed around ``bot.mcts_search(state)``;
- OpenSpiel's C++ ``pyspiel.MCTSBot`` (as ``engine=openspiel`` builds it), timed around
  ``bot.mcts_search(state)``.

The arena scales values to [0, 1]; OpenSpiel uses the raw -1..1 returns, so both OpenSpiel
bots get ``uct_c = 2 * c`` (the same exploration). A repeat is ``--decisions`` searches from
the initial position; its rate is its simulations over its time, and the table reports the
median repeat (the best one beside it). The JSON line carries the medians.

Dhumbal, 4 players, ``standard`` and ``paper`` rules: ``ismcts`` with its default settings
except ``iterations``, one search from each of ``--positions`` mid-game positions (random
moves from ``new_state(seed)``); the rate is total iterations over total search time.

The last line printed is one JSON object (the figures and the settings).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import time
from importlib.metadata import version
from typing import Any

import numpy as np
import pyspiel
from open_spiel.python.algorithms import mcts as spiel_mcts

from arena import make_agent, make_game
from arena.core.agent import SeatView
from arena.core.game import CHANCE, TERMINAL


def _rates(search_once, decisions: int, repeats: int) -> list[float]:
    """Simulations/s of each repeat; ``search_once(repeat, decision)`` returns
    (simulations, seconds) of one search."""
    rates = []
    for r in range(repeats):
        sims = seconds = 0.0
        for d in range(decisions):
            n, dt = search_once(r, d)
            sims += n
            seconds += dt
        rates.append(sims / seconds)
    return rates


def bench_arena_mcts(sims: int, c: float, decisions: int, repeats: int,
                     seed: int) -> list[float]:
    game = make_game("connect_four")
    state = game.new_state(seed)
    agent = make_agent(f"mcts(iterations={sims},reuse=false,rollout=random,c={c})", game)

    def once(r: int, d: int) -> tuple[int, float]:
        if d == 0:
            agent.start(0, random.Random(seed + r))
        view, legal = SeatView(state, 0), state.legal_actions()
        t0 = time.perf_counter()
        agent.act(view, legal)
        dt = time.perf_counter() - t0
        n = agent.last_search.iterations
        assert n == sims, (n, sims)
        return n, dt

    return _rates(once, decisions, repeats)


def _bench_spiel_bot(make_bot, decisions: int, repeats: int) -> list[float]:
    """Rates of an OpenSpiel bot (``make_bot(game, repeat)``) searching the initial
    position, timed around ``bot.mcts_search(state)``."""
    game = pyspiel.load_game("connect_four")
    state = game.new_initial_state()
    bot = None

    def once(r: int, d: int) -> tuple[int, float]:
        nonlocal bot
        if d == 0:
            bot = make_bot(game, r)
        t0 = time.perf_counter()
        root = bot.mcts_search(state)
        dt = time.perf_counter() - t0
        return root.explore_count, dt

    return _rates(once, decisions, repeats)


def bench_openspiel_python(sims: int, uct_c: float, decisions: int, repeats: int,
                           seed: int) -> list[float]:
    def make(game: Any, r: int) -> Any:
        rs = np.random.RandomState(seed + r)
        return spiel_mcts.MCTSBot(game, uct_c, sims, spiel_mcts.RandomRolloutEvaluator(1, rs),
                                  solve=False, random_state=rs)

    return _bench_spiel_bot(make, decisions, repeats)


def bench_openspiel_cpp(sims: int, uct_c: float, decisions: int, repeats: int,
                        seed: int) -> list[float]:
    def make(game: Any, r: int) -> Any:
        # (game, evaluator, uct_c, max_simulations, max_memory_mb, solve, seed, verbose,
        #  child selection, max_time_s): as agents/search/spiel.py builds it
        return pyspiel.MCTSBot(game, pyspiel.RandomRolloutEvaluator(1, seed + r), uct_c, sims,
                               1000, False, seed + r, False,
                               pyspiel.ChildSelectionPolicy.UCT, -1.0)

    return _bench_spiel_bot(make, decisions, repeats)


def midgame_positions(preset: str, count: int, seed: int) -> tuple[Any, list[Any]]:
    """The game and ``count`` Dhumbal positions a few random moves into a deal (each a
    decision with more than one legal move)."""
    game = make_game("dhumbal", preset)
    positions = []
    k = 0
    while len(positions) < count:
        s = seed + k
        k += 1
        rng = random.Random(s)
        state = game.new_state(s)
        for _ in range(6 + s % 10):
            if state.current_player == TERMINAL:
                break
            if state.current_player == CHANCE:
                outcomes = state.chance_outcomes()
                state.apply(rng.choices([a for a, _ in outcomes], [p for _, p in outcomes])[0])
            else:
                state.apply(rng.choice(state.legal_actions()))
        while state.current_player >= 0 and len(state.legal_actions()) == 1:
            state.apply(state.legal_actions()[0])
        if state.current_player >= 0:
            positions.append(state)
    return game, positions


def bench_ismcts(preset: str, iterations: int, positions: int,
                 seed: int) -> tuple[float, int, float]:
    """(iterations/s, total iterations, total seconds) over the positions."""
    game, states = midgame_positions(preset, positions, seed)
    agent = make_agent(f"ismcts(iterations={iterations})", game)
    total = 0
    seconds = 0.0
    for i, state in enumerate(states):
        seat = state.current_player
        agent.start(seat, random.Random(seed + i))
        agent.last_search = None
        view, legal = SeatView(state, seat), state.legal_actions()
        t0 = time.perf_counter()
        agent.act(view, legal)
        seconds += time.perf_counter() - t0
        total += agent.last_search.iterations
    return total / seconds, total, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=2000,
                        help="Connect Four simulations per search (default 2000)")
    parser.add_argument("--decisions", type=int, default=5,
                        help="searches per repeat (default 5)")
    parser.add_argument("--repeats", type=int, default=5,
                        help="repeats; the median repeat is reported (default 5)")
    parser.add_argument("--c", type=float, default=1.0,
                        help="the arena's UCT constant; OpenSpiel gets 2*c (default 1.0)")
    parser.add_argument("--ismcts-iterations", type=int, default=1000,
                        help="ismcts iterations per decision on Dhumbal (default 1000)")
    parser.add_argument("--positions", type=int, default=8,
                        help="Dhumbal mid-game positions per rules preset (default 8)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    uct_c = 2.0 * args.c
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"python {platform.python_version()} on {platform.machine()} ({os.cpu_count()} cores, "
          f"1-min load {load:.2f}), open_spiel {version('open_spiel')}, one process")
    print(f"Connect Four, initial position: {args.sims} simulations per search, "
          f"{args.decisions} searches per repeat, {args.repeats} repeats; "
          f"arena c={args.c:g}, OpenSpiel uct_c={uct_c:g}")

    rows = []
    t_all = time.perf_counter()
    for label, fn, c in (("mcts (arena, reuse=false, rollout=random)", bench_arena_mcts, args.c),
                         ("OpenSpiel Python MCTSBot", bench_openspiel_python, uct_c),
                         ("OpenSpiel C++ pyspiel.MCTSBot", bench_openspiel_cpp, uct_c)):
        rates = fn(args.sims, c, args.decisions, args.repeats, args.seed)
        rows.append((label, statistics.median(rates), max(rates)))
    base = rows[0][1]
    print(f"{'search':>42} {'median sims/s':>14} {'best sims/s':>12} {'vs mcts':>8}")
    for label, med, best in rows:
        print(f"{label:>42} {med:>14,.0f} {best:>12,.0f} {med / base:>7.2f}x")

    print(f"\nDhumbal, 4 players: ismcts(iterations={args.ismcts_iterations}), default settings "
          f"otherwise, one search from each of {args.positions} mid-game positions")
    ismcts = {}
    print(f"{'rules':>42} {'iterations/s':>14} {'iterations':>12} {'seconds':>8}")
    for preset in ("standard", "paper"):
        rate, total, seconds = bench_ismcts(preset, args.ismcts_iterations, args.positions,
                                            args.seed)
        ismcts[preset] = rate
        print(f"{preset:>42} {rate:>14,.0f} {total:>12,} {seconds:>8.2f}")
    print(f"\n(total {time.perf_counter() - t_all:.1f} s)")

    print(json.dumps({
        "mcts_sims_per_s": round(rows[0][1], 1),
        "openspiel_python_sims_per_s": round(rows[1][1], 1),
        "openspiel_cpp_sims_per_s": round(rows[2][1], 1),
        "ismcts_iters_per_s": round(ismcts["standard"], 1),
        "ismcts_paper_iters_per_s": round(ismcts["paper"], 1),
        "settings": {
            "game": "connect_four", "position": "initial", "sims": args.sims,
            "decisions": args.decisions, "repeats": args.repeats, "statistic": "median repeat",
            "c": args.c, "openspiel_uct_c": uct_c, "rollout": "random, 1 per leaf",
            "openspiel_solve": False, "ismcts_iterations": args.ismcts_iterations,
            "ismcts_positions": args.positions, "ismcts_players": 4, "seed": args.seed,
            "python": platform.python_version(), "machine": platform.machine(),
            "load_avg_1m": round(load, 2),
        },
    }))


if __name__ == "__main__":
    main()
