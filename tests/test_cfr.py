"""CFR on small poker, and exploitability of tabulated agent policies, against known values."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("pyspiel")

from arena.core.errors import ArenaError  # noqa: E402
from games.openspiel.exploit import exploitability, tabulate  # noqa: E402
from arena.core.registry import make_agent, make_game  # noqa: E402


def test_uniform_random_in_kuhn_has_the_known_exploitability():
    # NashConv of the uniform policy in Kuhn poker is 11/12 (OpenSpiel's tests), so / 2.
    game = make_game("kuhn_poker")
    assert exploitability(game, make_agent("random", game)) == pytest.approx(11 / 24, abs=1e-9)


def test_cfr_reaches_equilibrium_in_kuhn_with_the_known_game_value():
    from open_spiel.python.algorithms import expected_game_score

    game = make_game("kuhn_poker")
    agent = make_agent("cfr(iterations=5000)", game)
    assert exploitability(game, agent) < 0.01
    table = tabulate(game, agent)
    value = expected_game_score.policy_value(game.spiel.new_initial_state(), [table, table])
    assert value[0] == pytest.approx(-1 / 18, abs=0.005)  # Kuhn's value for player 0


def test_more_cfr_iterations_are_less_exploitable_in_leduc():
    game = make_game("leduc_poker")
    few = exploitability(game, make_agent("cfr(iterations=20)", game))
    more = exploitability(game, make_agent("cfr(iterations=200)", game))
    assert more < few and more < 0.1


def test_cli_prints_the_value_last():
    res = subprocess.run([sys.executable, "-m", "arena.cli", "exploitability", "kuhn_poker",
                          "cfr(iterations=5000)"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    last = res.stdout.strip().splitlines()[-1]
    assert last.startswith("exploitability (NashConv / 2):")
    assert float(last.split()[-1]) < 0.01
    res = subprocess.run([sys.executable, "-m", "arena.cli", "exploitability", "dhumbal",
                          "random"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 2 and "needs an OpenSpiel game" in res.stderr


def test_cfr_refuses_other_games_and_plays_legal_moves():
    with pytest.raises(ArenaError):
        make_agent("cfr", make_game("connect_four"))
    from arena.play.match import run_match

    _, records = run_match(make_game("kuhn_poker"), ["cfr(iterations=500)", "random"], 40, 1)
    records = list(records)
    assert all(sum(r.illegal) == 0 and not r.errors for r in records)


def test_poker_leaderboards_rank_by_payoff_not_hands_won():
    from arena.play.match import run_match
    from arena.stats.summary import build_summary

    game = make_game("kuhn_poker")
    assert game.ranked_by == "payoff" and make_game("dhumbal").ranked_by == "win_rate"
    labels, stream = run_match(game, ["poker_rules(style=tight)", "random"], 300, 4)
    summary = build_summary(list(stream), labels, game, bootstrap=10)
    payoffs = [a.payoff for a in summary.agents]
    assert payoffs == sorted(payoffs, reverse=True)
    assert summary.ranked_by == "mean payoff"
