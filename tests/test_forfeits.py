"""The forfeit rule: a crash never pays, and every statistic scores forfeits the same way.

A forfeiting seat gets the game's lowest possible return and ranks last; the others share
what it loses and the win (``Outcome.forfeited``). The case that exposed the old rule (which
left forfeits out of the payoff statistics): a Kuhn poker agent that crashes whenever it
holds the Jack, so it picks which hands to lose, was shown at +0.41 chips a hand, first.
"""

from __future__ import annotations

import random

import pytest

from arena import Agent, Outcome, make_game, register_agent, run_match
from arena.core.game import CHANCE, TERMINAL
from arena.play.match import GameRecord
from arena.stats.basic import summarize
from arena.stats.pairwise import pairwise_tests
from arena.stats.summary import build_summary, standings


class JackCrasher(Agent):
    """Plays Kuhn poker at random, except that it raises whenever it holds the Jack."""

    name = "jack_crasher"

    def act(self, view, legal):
        if view.observation().hole == ("J",):
            raise RuntimeError("I hold the Jack")
        return self.rng.choice(list(legal))


register_agent("jack_crasher", JackCrasher)


def test_forfeit_outcome_gives_the_worst_return_and_shares_the_loss():
    out = Outcome.forfeited(4, 2, (-400.0, 400.0))
    assert out.returns == (400 / 3, 400 / 3, -400.0, 400 / 3)
    assert out.ranks == (0, 0, 1, 0)
    assert out.winners == (0, 1, 3)
    assert out.forfeit == 2
    assert sum(out.returns) == pytest.approx(0.0)


@pytest.mark.parametrize("spec, preset", [
    ("kuhn_poker", None), ("leduc_poker", None), ("connect_four", None),
    ("dhumbal", "paper"), ("dhumbal", "standard"), ("dhumbal(session_rounds=3)", "paper"),
])
def test_no_way_of_playing_on_ends_below_a_forfeit(spec, preset):
    """The forfeit's return is a true lower bound: random play never ends below it."""
    game = make_game(spec, preset)
    lo, hi = game.return_bounds()
    rng = random.Random(5)
    worst_seen = float("inf")
    for seed in range(60):
        state = game.new_state(seed)
        while state.current_player != TERMINAL:
            if state.current_player == CHANCE:
                actions, probs = zip(*state.chance_outcomes())
                state.apply(rng.choices(actions, probs)[0])
            else:
                state.apply(rng.choice(list(state.legal_actions())))
        returns = state.returns()
        assert all(lo <= r <= hi for r in returns), (spec, returns, (lo, hi))
        worst_seen = min(worst_seen, *returns)
    assert lo <= worst_seen


def test_dhumbal_coin_bound_is_the_failed_call_of_full_hands():
    game = make_game("dhumbal", "paper")  # 4 players, cap 100, rank values
    # The highest 5-card hand is K K K K Q = 64, under the cap: 4 hands of 64.
    assert game.return_bounds() == (-256.0, 256.0)
    assert make_game("dhumbal(payment_cap=30)", "paper").return_bounds() == (-120.0, 120.0)
    assert make_game("dhumbal", "standard").return_bounds() == (-1.0, 1.0)


def test_an_entrant_in_two_seats_forfeits_both():
    """The same agent twice at a table (an SPRT at a 4-seat table): its other seat must not
    tie for first with the winners, else crashing beats finishing third and fourth."""
    out = Outcome.forfeited(4, 0, (-1.0, 1.0), mates=[0, 2])
    assert out.returns == (-1.0, 1.0, -1.0, 1.0)
    assert out.ranks == (1, 0, 1, 0) and out.winners == (1, 3)
    from arena.stats.results import entrant_results

    rec = _record(0, ["a", "b", "a", "b"], list(out.returns), 1)
    rec.ranks, rec.winners, rec.win_shares = list(out.ranks), [1, 3], list(out.win_shares)
    mine = entrant_results(rec)["a"]
    assert mine.win_share == 0.0 and mine.payoff == -1.0 and mine.rank == 1


def test_games_scored_from_zero_up_credit_the_others_with_the_best_return():
    out = Outcome.forfeited(4, 1, (0.0, 36.0))  # e.g. hearts: returns 0..36
    assert out.returns == (36.0, 0.0, 36.0, 36.0)
    # Shares never go past the highest return.
    assert Outcome.forfeited(2, 0, (-10.0, 4.0)).returns == (-10.0, 4.0)


def test_a_crash_in_kuhn_never_pays():
    """The issue's case: 2,000 hands against cfr(iterations=2000), seed 1."""
    game = make_game("kuhn_poker")
    labels, stream = run_match(game, ["jack_crasher", "cfr(iterations=2000)"], 2000, seed=1)
    records = list(stream)
    crasher = labels[0]
    forfeits = sum(rec.forfeit is not None for rec in records)
    assert 500 < forfeits < 800  # it holds the Jack in about a third of the hands
    summary = build_summary(records, labels, game, bootstrap=20)
    rows = {row.name: row for row in summary.agents}
    assert rows[crasher].forfeits == forfeits
    assert rows[crasher].payoff < 0
    assert rows[crasher].payoff_ci[1] < 0
    assert [row.name for row in summary.agents] == [labels[1], crasher]
    # Every statistic sees the same forfeits: the pairwise payoff means agree with it.
    (pair,) = summary.pairs
    assert pair.payoff_a == pytest.approx(rows[crasher].payoff)
    assert pair.payoff_b == pytest.approx(rows[labels[1]].payoff)
    # Game metrics that measure results follow the rule too: bb/100 (antes of 1) is the
    # payoff per hand times 100, forfeited hands included.
    for name, row in rows.items():
        assert row.metrics["bb_per_100"] == pytest.approx(100 * row.payoff)
    # A forfeited hand costs the crasher 2 chips, the most a Kuhn hand can cost.
    for rec in records:
        if rec.forfeit is not None:
            assert rec.returns[rec.forfeit] == -2.0
            assert rec.ranks[rec.forfeit] == 1


def _record(i: int, labels: list[str], returns: list[float], winner: int) -> GameRecord:
    n = len(labels)
    return GameRecord(
        job_id=f"t/d{i}/r0", game="kuhn_poker", rules=None, settings={}, seed=i,
        agents=list(labels), labels=list(labels), actions=[], returns=returns,
        ranks=[0 if s == winner else 1 for s in range(n)], winners=[winner],
        win_shares=[1.0 if s == winner else 0.0 for s in range(n)],
        decisions=[1] * n, think_ns=[0] * n, max_think_ns=[0] * n, illegal=[0] * n)


def test_standings_follow_the_games_leaderboard_key():
    """Payoff games advance by payoff (winning many small pots and losing big ones loses);
    others by Elo from ranks."""
    records = []
    for i in range(30):  # 'pots' wins 2 of 3 hands by 1 chip, loses the third by 5
        if i % 3:
            records.append(_record(i, ["pots", "big"], [1.0, -1.0], 0))
        else:
            records.append(_record(i, ["pots", "big"], [-5.0, 5.0], 1))
    assert standings(records, ["pots", "big"], "payoff") == ["big", "pots"]
    assert standings(records, ["pots", "big"], "win_rate") == ["pots", "big"]
    agents, _ = summarize(records, order=["pots", "big"])
    assert agents[0].win_rate > agents[1].win_rate and agents[0].payoff < agents[1].payoff
    (pair,) = pairwise_tests(records, ["pots", "big"])
    assert pair.payoff_a == pytest.approx(agents[0].payoff)


class LateCrasher(Agent):
    """Plays Dhumbal at random for a few moves, then raises."""

    name = "late_crasher"

    def start(self, seat, rng):
        super().start(seat, rng)
        self.moves = 0

    def act(self, view, legal):
        self.moves += 1
        if self.moves > 3:
            raise RuntimeError("gave up")
        return self.rng.choice(list(legal))


register_agent("late_crasher", LateCrasher)


def test_dhumbal_result_metrics_follow_the_forfeit_rule():
    game = make_game("dhumbal(session_rounds=2)", "paper")
    labels, stream = run_match(game, ["late_crasher", "aggressive", "balanced", "random"], 8, 2)
    records = list(stream)
    assert all(rec.forfeit is not None for rec in records)
    agents, _ = summarize(records, game.metric_specs, order=labels)
    for a in agents:
        # Coin change per round is the payoff per game over the rounds played, the
        # interrupted round counted: it agrees with the payoff column.
        rounds = sum(rec.metrics["rounds"][s] for rec in records
                     for s, label in enumerate(rec.labels) if label == a.name)
        assert a.metrics["coins_per_round"] == pytest.approx(a.payoff * a.games / rounds)
    crasher = next(a for a in agents if a.name == "late_crasher")
    assert crasher.metrics["round_win_rate"] == 0.0
    assert crasher.payoff == game.return_bounds()[0]


def test_the_jack_crasher_loaded_from_a_file_by_the_cli_ranks_below_cfr(tmp_path):
    """The issue's case end to end: the agent file, the CLI, 2,000 hands, seed 1."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    arena = Path(sys.executable).with_name("arena")
    out = tmp_path / "kuhn.json"
    res = subprocess.run(
        [str(arena), "match", "kuhn_poker", "--agents",
         "examples/agents/jack_crasher.py:JackCrasher,cfr(iterations=2000)",
         "--games", "2000", "--seed", "1", "--json", str(out)],
        cwd=root, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    rows = {r["name"]: r for r in json.loads(out.read_text())["agents"]}
    crasher = rows["examples/agents/jack_crasher.py:JackCrasher"]
    cfr = rows["cfr(iterations=2000)"]
    assert crasher["forfeits"] > 600 and crasher["payoff"] < 0 and crasher["payoff_ci"][1] < 0
    assert crasher["payoff"] < cfr["payoff"]
    # The leaderboard (by mean payoff in poker) prints cfr first.
    board = res.stdout.splitlines()
    first = next(i for i, line in enumerate(board) if line.startswith("cfr("))
    assert all(not line.startswith("examples/") for line in board[:first])


def test_dhumbal_round_wins_skip_every_seat_of_the_forfeiting_agent():
    from arena import GameJob, play

    register_agent("late_crasher", LateCrasher)
    job = GameJob(job_id="x/d0/r0", game="dhumbal", rules="standard",
                  agents=("late_crasher", "random", "late_crasher", "random"),
                  labels=("c", "r", "c", "r"), seed=4)
    rec = play(job)
    assert rec.forfeit in (0, 2)
    assert rec.metrics["round_wins"][0] == rec.metrics["round_wins"][2] == 0
    assert rec.win_shares == [0.0, 0.5, 0.0, 0.5]
