"""Connect Four, Hex and Go boards (games/openspiel/boards.py) and their rule-based agents.

Positions are built by hand from moves; each expectation is checked against OpenSpiel's own
verdict where it has one (names against ``action_to_string``, the sides each Hex player
joins against who wins, the area count against Go's returns).
"""

from __future__ import annotations

import dataclasses
import random

import pytest

from agents.heuristics.connect_four import ConnectFourRules
from agents.heuristics.go import GoRules
from arena.core.agent import SeatView
from arena.core.game import TERMINAL
from arena.play.match import run_match
from arena.core.registry import make_agent, make_game, register_agent
from games.openspiel.boards import go_area

register_agent("c4_rules", ConnectFourRules)
register_agent("go_rules", GoRules)


def position(game, moves):
    """The state after ``moves`` (names, or ints for actions) from the start."""
    state = game.new_state(0)
    for move in moves:
        state.apply(move if isinstance(move, int) else game.action_from_name(move))
    return state


def policy(spec, state):
    """``spec``'s action probabilities for the seat to move, by move name."""
    agent = make_agent(spec, state.game)
    seat = state.current_player
    agent.start(seat, random.Random(0))
    legal = state.legal_actions()
    probs = agent.action_probabilities(SeatView(state, seat), legal)
    assert abs(sum(probs.values()) - 1.0) < 1e-9
    assert agent.act(SeatView(state, seat), legal) in [a for a, p in probs.items() if p > 0]
    return {state.action_name(a): p for a, p in probs.items()}


def best(probs):
    return {name for name, p in probs.items() if p > 0}


def win_share(game, spec, games, seed):
    labels, records = run_match(game, [spec, "random"], games, seed)
    records = list(records)
    assert not any(r.errors for r in records), records[0].errors
    return sum(r.win_shares[r.labels.index(labels[0])] for r in records) / len(records)


# -- boards ------------------------------------------------------------------------------

def test_connect_four_text_shows_columns_discs_and_last_move():
    game = make_game("connect_four")
    state = position(game, [3, 3, 2, 4])
    text = state.text(0)
    assert "you are player 0, playing x" in text and "Your move." in text
    assert "Last move: o dropped in column 4." in text
    lines = text.splitlines()
    assert lines.count("  0 1 2 3 4 5 6") == 2  # numbered as the actions are, above and below
    assert "| . . x x o . . |" in lines and "| . . . o . . . |" in lines
    assert lines.index("| . . . o . . . |") + 1 == lines.index("| . . x x o . . |")
    assert "Waiting for player 0, playing x." in state.text(1)
    obs = state.observation(0)
    assert obs.board[-2:] == ("...o...", "..xxo..") and obs.stone == "x"
    assert obs.to_move == 0 and obs.legal == tuple(range(7)) and obs.last_move == 4
    assert state.observation(1).legal == ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        obs.to_move = 1


def test_hex_text_draws_the_rhombus_with_the_names_of_its_cells():
    game = make_game("hex", "7x7")
    c4 = game.action_from_name("c4")
    assert c4 == 3 * 7 + 2  # column c, row 4
    state = position(game, ["c4"])
    text = state.text(1)
    assert "you are player 1, playing o (white)" in text
    assert "Last move: x (black) at c4." in text
    assert "joining the top and bottom edges (rows 1 and 7)" in text
    assert "left and right edges (columns a and g)" in text
    lines = text.splitlines()
    assert "    a b c d e f g" in lines
    row4 = next(line for line in lines if line.strip().startswith("4 "))
    assert row4 == "    4  . . x . . . .  4"  # shifted right by one space a row
    assert state.observation(1).board[3] == "..x...."


@pytest.mark.parametrize("seat,chain,filler", [
    (0, [f"a{r}" for r in range(1, 8)], [f"{c}7" for c in "bcdefg"]),
    (1, [f"{c}1" for c in "abcdefg"], [f"{c}7" for c in "abcdefg"]),
])
def test_hex_sides_in_the_text_are_the_ones_that_win(seat, chain, filler):
    """Black's column a (top to bottom) wins for x; white's row 1 (left to right) for o."""
    game = make_game("hex", "7x7")
    state = game.new_state(0)
    ours, theirs = iter(chain), iter(filler)
    while state.current_player != TERMINAL:
        state.apply(game.action_from_name(next(ours if state.current_player == seat
                                               else theirs)))
    assert state.returns()[seat] == 1.0
    assert f"player {seat}, {('x (black)', 'o (white)')[seat]}, won" in state.text(0)
    assert next(ours, None) is None, "won before the chain was complete"


def test_action_names_are_openspiels_coordinates():
    c4 = make_game("connect_four")
    assert c4.action_name(3) == "drop in column 3"
    hex7 = make_game("hex", "7x7")
    go = make_game("go9")
    for game in (hex7, go):
        state = game.new_state(0)
        for a in range(game.num_actions):
            spiel = state.s.action_to_string(0, a).lower()
            ours = game.action_name(a)
            assert spiel.endswith(ours), (a, spiel, ours)
            assert state.action_name(a) == ours
    assert go.action_from_name("d4") == 3 * 9 + 3
    assert go.action_from_name("J9") == 80 and go.action_name(81) == "pass"
    assert go.action_name(8) == "j1"  # no letter i


def test_go_text_board_captures_and_turn():
    game = make_game("go9")
    state = position(game, ["d5", "e5", "f5", "a9", "e6", "b9", "e4"])  # black takes e5
    text = state.text(1)
    assert "you are player 1, playing White (O)" in text
    assert "Waiting for player 1" not in text and "Your move." in text
    assert "Last move: Black e4." in text
    assert "Black has taken 1 stone(s), White 0" in text and "komi 7.5" in text
    lines = text.splitlines()
    assert lines.count("    a b c d e f g h j") == 2
    assert "  9 O O . . . . . . . 9" in lines
    assert "  6 . . . . X . . . . 6" in lines
    assert "  5 . . . X . X . . . 5" in lines  # e5 is empty again
    assert "  4 . . . . X . . . . 4" in lines
    obs = state.observation(1)
    assert obs.captured == (1, 0) and obs.komi == 7.5 and obs.stone == "O"
    assert obs.points[game.action_from_name("e4")] == "X"
    assert obs.last_move == game.action_from_name("e4")
    state.apply(game.action_from_name("pass"))
    assert "Last move: White passed." in state.text(0)


def test_go_area_count_decides_openspiels_result():
    game = make_game("go9")
    checked = 0
    for seed in range(6):
        rng = random.Random(seed)
        state = game.new_state(seed)
        while state.current_player != TERMINAL:
            legal = state.legal_actions()
            # Rarely pass, so that random games end by two passes and by the move cap.
            state.apply(rng.choice(legal[:-1] if rng.random() < 0.9 and len(legal) > 1
                                   else legal))
        returns = state.returns()
        if returns == (0.0, 0.0):
            continue  # a superko draw: no score
        obs = state.observation(0)
        black, white = go_area(obs.points, obs.size)
        assert (black, white) == obs.area
        assert (black - white - 7.5 > 0) == (returns[0] > 0), (black, white, returns)
        checked += 1
    assert checked >= 4


# -- c4_rules ----------------------------------------------------------------------------

def test_c4_rules_takes_the_win_before_blocking():
    game = make_game("connect_four")
    state = position(game, [6, 0, 6, 0, 6, 0])  # both stacked three: x to move wins
    assert best(policy("c4_rules", state)) == {"drop in column 6"}


def test_c4_rules_blocks_the_threat():
    game = make_game("connect_four")
    state = position(game, [6, 0, 6, 0, 5, 0])  # o threatens column 0, x has no win
    assert best(policy("c4_rules", state)) == {"drop in column 0"}


def test_c4_rules_does_not_set_up_a_win_on_top():
    # o holds columns 0-2 of the second row; a disc in column 3 lets o complete it.
    game = make_game("connect_four")
    state = position(game, [0, 1, 2, 0, 6, 1, 6, 2])
    probs = policy("c4_rules", state)
    assert probs["drop in column 3"] == 0.0
    assert best(probs) == {"drop in column 2", "drop in column 4"}
    assert probs["drop in column 2"] == probs["drop in column 4"] == 0.5


def test_c4_rules_prefers_the_centre():
    game = make_game("connect_four")
    assert best(policy("c4_rules", game.new_state(0))) == {"drop in column 3"}


def test_c4_rules_beats_random():
    share = win_share(make_game("connect_four"), "c4_rules", 50, 1)
    assert share >= 0.9, share


# -- go_rules ----------------------------------------------------------------------------

def test_go_rules_captures_the_stone_in_atari():
    game = make_game("go9")
    state = position(game, ["d5", "e5", "f5", "a9", "e6", "b9"])  # white e5 has only e4
    assert best(policy("go_rules", state)) == {"e4"}


def test_go_rules_saves_its_group_in_atari():
    game = make_game("go9")
    state = position(game, ["d5", "e5", "f5", "a9", "e6"])  # white to move, e5 in atari
    assert best(policy("go_rules", state)) == {"e4"}


def test_go_rules_puts_a_stone_in_atari():
    game = make_game("go9")
    state = position(game, ["d5", "e5", "f5", "c3"])  # white e5 has two liberties
    assert best(policy("go_rules", state)) == {"e4", "e6"}


def test_go_rules_does_not_fill_its_eye_or_play_self_atari():
    game = make_game("go9")
    state = position(game, ["b1", "d5", "a2", "e6", "a5", "f5"])  # black eye at a1
    probs = policy("go_rules", state)
    assert probs["a1"] == 0.0, "filled its own eye"
    assert probs["e5"] == 0.0, "played into self-atari (e5 would have only e4)"
    assert probs["pass"] == 0.0 and probs["e4"] > 0.0


def test_go_rules_passes_when_only_its_eyes_are_left():
    """Black fills the board but for three one-point eyes; White can only pass."""
    game = make_game("go9")
    eyes = {"a1", "c1", "e1"}
    names = [game.action_name(a) for a in range(81)]
    moves = []
    for name in names:
        if name not in eyes:
            moves += [name, "pass"]
    state = position(game, moves)
    assert state.current_player == 0
    assert set(state.action_name(a) for a in state.legal_actions()) == eyes | {"pass"}
    assert best(policy("go_rules(pass_when_ahead=false)", state)) == {"pass"}


def test_go_rules_passes_back_only_when_the_count_already_wins():
    ahead = position(make_game("go9"), ["e5", "pass"])  # Black's area is the whole board
    assert best(policy("go_rules", ahead)) == {"pass"}
    assert "pass" not in best(policy("go_rules(pass_when_ahead=false)", ahead))
    # Komi -0.5: after Black's pass on the empty board White would lose by half a point.
    behind = position(make_game("go9(komi=-0.5)"), ["pass"])
    assert "pass" not in best(policy("go_rules", behind))


def test_go_rules_beats_random():
    share = win_share(make_game("go9"), "go_rules", 10, 2)
    assert share >= 0.9, share
