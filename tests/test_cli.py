"""The ``arena`` command as a user runs it: results, determinism, listings, bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from arena.core.registry import make_game
from arena.core.seeding import derive_seed
from games.dhumbal.cards import card_name, cards_of


def arena(*args, stdin=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "arena.cli", *args], capture_output=True,
                          text=True, input=stdin, cwd=cwd, timeout=300)


STUDY = "aggressive,conservative,balanced,opportunistic"


def test_match_prints_and_writes_identical_results_on_a_second_run(tmp_path):
    runs = []
    for i in range(2):
        path = tmp_path / f"r{i}.json"
        res = arena("match", "dhumbal", "--rules", "paper", "--agents", STUDY, "--games", "80",
                    "--seed", "1", "--json", str(path))
        assert res.returncode == 0, res.stderr
        runs.append((res.stdout, json.loads(path.read_text())))
    (out1, data1), (out2, data2) = runs
    assert data1["agents"] == data2["agents"]
    # The printed leaderboard (everything above the wall-clock timing table) is identical.
    assert out1.split("Decision time")[0] == out2.split("Decision time")[0]
    names = [a["name"] for a in data1["agents"]]
    assert names == STUDY.split(",")
    for a in data1["agents"]:
        assert {"name", "games", "wins", "win_rate", "win_ci", "payoff", "metrics"} <= set(a)
        assert a["games"] == 80 and 0 <= a["win_rate"] <= 1
    assert sum(a["wins"] for a in data1["agents"]) == pytest.approx(80)
    assert data1["settings"]["pickup"] == "own" and data1["rules"] == "paper"
    for name in names:
        assert name in out1


def test_match_results_depend_on_the_seed(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    arena("match", "dhumbal", "--agents", "random,random,random,random", "--games", "8",
          "--seed", "1", "--json", str(a))
    arena("match", "dhumbal", "--agents", "random,random,random,random", "--games", "8",
          "--seed", "2", "--json", str(b))
    assert json.loads(a.read_text())["agents"] != json.loads(b.read_text())["agents"]


@pytest.mark.parametrize("args,needle", [
    (["match", "dhumbal", "--agents", "no_such_agent,random,random,random"],
     "unknown agent 'no_such_agent'; valid: aggressive"),
    (["match", "chesss", "--agents", "random,random"], "unknown game 'chesss'; valid: "),
    (["match", "dhumbal", "--rules", "house", "--agents", "random,random,random,random"],
     "unknown rules preset 'house' for dhumbal; valid: paper, standard, yaniv"),
    (["match", "dhumbal", "--agents", "random,random,random"],
     "seats 4 agents, but 3 were given"),
    (["match", "dhumbal(players=9)", "--agents", "random,random"], "between 2 and 5"),
    (["match", "dhumbal", "--agents", "expert(samples=zero),random,random,random"],
     "samples='zero' is not an integer"),
    (["match", "dhumbal", "--agents", "expert(sample=3),random,random,random"],
     "unknown parameter 'sample'; valid: samples"),
    (["match", "dhumbal", "--agents", "random(,random"], "missing ')'"),
    (["match", "dhumbal", "--agents", "random,random,random,random", "--games", "0"],
     "must be at least 1"),
    (["match", "dhumbal", "--agents", "random,random,random,random", "--seats", "shuffle"],
     "invalid choice"),
    (["match", "dhumbal", "--agents", "random,random,random,random", "--json",
      "/no/such/dir/r.json"], "does not exist"),
    (["agents", "dhumbl"], "Did you mean 'dhumbal'"),
    (["match", "dhumbal", "--agents", "human,random,random,random"], "use 'arena play'"),
    (["play", "dhumbal", "--vs", "expert,expert"], "seats 4 agents, but 3 were given"),
])
def test_bad_input_is_one_line_exit_2_nothing_written(tmp_path, args, needle):
    res = arena(*args, cwd=tmp_path)
    assert res.returncode == 2, res.stderr
    assert needle in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert "Traceback" not in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_listings():
    res = arena("games")
    assert res.returncode == 0
    assert "dhumbal" in res.stdout and "paper" in res.stdout and "call_threshold" in res.stdout
    res = arena("agents", "dhumbal")
    assert res.returncode == 0
    for name in ("random", "aggressive", "conservative", "balanced", "opportunistic",
                 "study_random", "expert"):
        assert f"{name} (" in res.stdout
    assert "pickup_threshold = 4" in res.stdout


def test_a_person_can_play_and_sees_no_hidden_cards():
    seed = 5
    game = make_game("dhumbal", "paper")
    state = game.new_state(derive_seed(seed, "deal"))
    res = arena("play", "dhumbal", "--rules", "paper", "--vs", "expert,expert,expert",
                "--seed", str(seed), stdin="x\n" + "1\n" * 400)
    assert res.returncode == 0, res.stderr
    assert "is not a move here" in res.stdout
    assert "Game over." in res.stdout
    first_screen = res.stdout.split("Your move")[0]
    assert "Your hand: " + " ".join(card_name(c) for c in cards_of(state.hands[0])) \
        in first_screen
    for seat in (1, 2, 3):
        for c in cards_of(state.hands[seat]):
            assert card_name(c) not in first_screen, f"seat {seat}'s {card_name(c)} shown"


def test_play_quits_cleanly():
    res = arena("play", "dhumbal", "--vs", "random,random,random", "--seed", "1", stdin="q\n")
    assert res.returncode == 130 and "Traceback" not in res.stderr
