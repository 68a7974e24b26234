"""How strong the search agents are: the tournaments behind the README's strength table.

    .venv/bin/python benchmarks/search_strength.py dhumbal [--rules paper,standard]
        [--opponents aggressive,conservative,balanced,opportunistic,expert] [--deals 15]
    .venv/bin/python benchmarks/search_strength.py connect_four [--deals 50]
    .venv/bin/python benchmarks/search_strength.py leduc [--deals 500]

Dhumbal: for each rules preset and opponent, one ``ismcts`` (default settings, or ``--search
SPEC``) against three
copies of the opponent at one 4-seat table, every deal replayed in all four seat rotations
(a round-robin tournament of four entrants). It prints the ``ismcts`` win rate with its 95%
interval (1/4 is what an equal player wins) and the paired test against each copy (by card
deal, Holm-adjusted over the table's pairs). Connect Four: ``mcts`` (default settings)
against ``random`` and against ``c4_rules``, both colours. Leduc: ``ismcts`` against
``random`` in chips. Each tournament is written under ``--out`` (default
out/search_strength) with its summary.json; the last line is all of it as JSON.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path


def tournament(out: Path, name: str, game: str, rules: str | None, deals: int,
               agents: list[tuple[str, str]], workers: int) -> dict:
    """Run a round robin of ``agents`` ((name, spec) pairs) and return its summary."""
    out.mkdir(parents=True, exist_ok=True)
    lines = [f'name = "{name}"', f'game = "{game}"', "seed = 11", f"deals = {deals}",
             'seats = "rotate"', 'format = "round_robin"']
    if rules:
        lines.append(f'rules = "{rules}"')
    for label, spec in agents:
        lines += ["", "[[agents]]", f"spec = '{spec}'", f'name = "{label}"']
    spec_file = out / f"{name}.toml"
    spec_file.write_text("\n".join(lines) + "\n")
    folder = out / name
    t0 = time.perf_counter()
    shutil.rmtree(folder, ignore_errors=True)  # a fresh run every time
    subprocess.run([sys.executable, "-m", "arena.cli", "tournament", str(spec_file), "--out",
                    str(folder), "--workers", str(workers), "--no-progress"],
                   check=True, stdout=subprocess.DEVNULL)
    summary = json.loads((folder / "summary.json").read_text())
    summary["wall_s"] = time.perf_counter() - t0
    return summary


def row(summary: dict, name: str) -> dict:
    return next(a for a in summary["agents"] if a["name"] == name)


def dhumbal(args: argparse.Namespace) -> list[dict]:
    results = []
    for rules in args.rules.split(","):
        for opp in args.opponents.split(","):
            agents = [("ismcts", args.search)] + [(f"{opp}-{k}", opp) for k in (1, 2, 3)]
            s = tournament(args.out, f"dhumbal-{rules}-{opp}", "dhumbal", rules, args.deals,
                           agents, args.workers)
            me = row(s, "ismcts")
            pairs = [p for p in s["pairs"] if "ismcts" in (p["a"], p["b"])]
            verdicts = [(p["p_paired_adjusted"], p["significant_paired"],
                         (p["win_a"] if p["a"] == "ismcts" else p["win_b"]) >
                         (p["win_b"] if p["a"] == "ismcts" else p["win_a"])) for p in pairs]
            ms = next((t["ms_per_decision"] for t in s.get("timing", []) if t["name"] == "ismcts"),
                      None)
            r = {"rules": rules, "opponent": opp, "games": me["games"],
                 "win_rate": me["win_rate"], "win_ci": me["win_ci"],
                 "paired_p_adjusted_max": max(v[0] for v in verdicts),
                 "beats_every_copy": all(v[1] and v[2] for v in verdicts),
                 "ms_per_decision": ms, "wall_s": round(s["wall_s"], 1)}
            results.append(r)
            print(f"{rules:9s} ismcts vs 3x {opp:14s} {r['games']:4d} games  win "
                  f"{r['win_rate']:.3f} ({r['win_ci'][0]:.3f}-{r['win_ci'][1]:.3f})  paired "
                  f"p_adj <= {r['paired_p_adjusted_max']:.2g}  beats every copy: "
                  f"{r['beats_every_copy']}  {ms and round(ms, 1)} ms/decision", flush=True)
    return results


def two_player(args: argparse.Namespace, game: str, me: str, rivals: list[str],
               score: str) -> list[dict]:
    results = []
    for rival in rivals:
        s = tournament(args.out, f"{game}-{me}-{rival}", game, None, args.deals,
                       [(me, me), (rival, rival)], args.workers)
        a = row(s, me)
        pair = s["pairs"][0]
        r = {"game": game, "agent": me, "rival": rival, "games": a["games"],
             "win_rate": a["win_rate"], "win_ci": a["win_ci"], "payoff": a["payoff"],
             "payoff_ci": a["payoff_ci"], "paired_p": pair["p_paired"],
             "wall_s": round(s["wall_s"], 1)}
        results.append(r)
        print(f"{game} {me} vs {rival}: {r['games']} games, win {r['win_rate']:.3f} "
              f"({r['win_ci'][0]:.3f}-{r['win_ci'][1]:.3f}), {score} {r['payoff']:+.3f} "
              f"({r['payoff_ci'][0]:+.3f} to {r['payoff_ci'][1]:+.3f})", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["dhumbal", "connect_four", "leduc"])
    parser.add_argument("--rules", default="paper,standard")
    parser.add_argument("--opponents", default="aggressive,conservative,balanced,opportunistic")
    parser.add_argument("--deals", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--search", default="ismcts",
                        help="dhumbal: the search entrant's spec (default: ismcts at its defaults)")
    parser.add_argument("--out", type=Path, default=Path("out/search_strength"))
    args = parser.parse_args()
    if args.what == "dhumbal":
        args.deals = args.deals or 15
        results = dhumbal(args)
    elif args.what == "connect_four":
        args.deals = args.deals or 50
        results = two_player(args, "connect_four", "mcts", ["random", "c4_rules"], "payoff")
    else:
        args.deals = args.deals or 500
        results = two_player(args, "leduc_poker", "ismcts", ["random"], "chips/hand")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
