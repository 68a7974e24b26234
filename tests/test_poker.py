"""Poker views, metrics, hand evaluator and the ``poker_rules`` bot.

Hands are built by applying chosen deals and actions to real states; the expected values
(pots, amounts, who acted, who won) are worked out by hand from the rules:
- Kuhn: ante 1 each, one bet of 1; cards 0/1/2 = J/Q/K.
- Leduc: ante 1, bets 2 (round 1) and 4 (round 2); card c has rank c // 2 (J J Q Q K K) and
  suit "sh"[c % 2].
- hold'em: card c = rank * 4 + suit (ranks 2..A, suits c d h s); hole cards are dealt two
  to seat 0, then two to seat 1, ...; limit HU: seat 0 big blind 10, seat 1 button/small
  blind 5, bets 10/10/20/20, the button acts first preflop and last after.
"""

from __future__ import annotations

import random
import re

import pytest

from arena.core.agent import SeatView
from arena.core.game import TERMINAL
from arena.play.match import run_match
from arena.core.registry import make_agent, make_game, register_agent
from arena.stats.basic import mean_interval

from agents.heuristics.poker import (
    FLUSH, FULL_HOUSE, HIGH_CARD, PAIR, QUADS, STRAIGHT, STRAIGHT_FLUSH, TRIPS, TWO_PAIR,
    PokerRules, category, cards, evaluate,
)
from games.openspiel.poker import PokerObservation, PokerState

register_agent("poker_rules", PokerRules)

RANKS = "23456789TJQKA"


def c(text: str) -> int:
    """Hold'em card index as OpenSpiel's universal_poker numbers it."""
    return RANKS.index(text[0]) * 4 + "cdhs".index(text[1])


def build(game, actions):
    state = game.new_state(0)
    for a in actions:
        state.apply(a)
    return state


def holdem_deal(*hands):
    return [c(x) for hand in hands for x in hand.split()]


# -- observations ---------------------------------------------------------------------

def test_kuhn_observation_after_a_bet():
    game = make_game("kuhn_poker")
    st = build(game, [2, 0, 1])  # seat 0 K, seat 1 J; seat 0 bets
    assert isinstance(st, PokerState)
    o = st.observation(1)
    assert isinstance(o, PokerObservation)
    assert (o.seat, o.to_move, o.round) == (1, 1, 0)
    assert o.hole == ("J",) and o.board == ()
    assert o.pot == 3 and o.contributions == (2, 1) and o.to_call == 1
    assert o.legal == ("fold", "call") and o.legal_actions == (0, 1)
    assert o.history == (((0, "bet"),),)
    assert st.observation(0).hole == ("K",)
    assert st.observation(0).legal == ()  # not seat 0's turn
    assert [st.action_name(a) for a in (0, 1)] == ["fold", "call 1"]
    first = build(game, [2, 0])
    assert [first.action_name(a) for a in (0, 1)] == ["check", "bet 1"]
    assert game.new_state(0).action_name(2) == "deal K"


def test_leduc_observation_in_round_two():
    game = make_game("leduc_poker")
    # seat 0 Ks (4), seat 1 Jh (1); bet 2, raise to 4, call; public card Kh (5).
    st = build(game, [4, 1, 2, 2, 1, 5])
    o = st.observation(0)
    assert o.hole == ("Ks",) and o.board == ("Kh",)
    assert o.round == 1 and o.round_name == "round 2"
    assert o.contributions == (5, 5) and o.pot == 10 and o.stacks == (95, 95)
    assert o.to_call == 0 and o.legal == ("check", "bet")
    assert o.history == (((0, "bet"), (1, "raise"), (0, "call")), ())
    assert [st.action_name(a) for a in o.legal_actions] == ["check", "bet 4"]
    assert st.observation(1).hole == ("Jh",)
    st.apply(2)
    o1 = st.observation(1)
    assert o1.to_call == 4 and o1.legal == ("fold", "call", "raise")
    assert [st.action_name(a) for a in o1.legal_actions] == ["fold", "call 4", "raise to 8"]


def test_limit_holdem_observation_on_the_flop():
    game = make_game("holdem")
    deal = holdem_deal("As Kd", "7c 2h")
    flop = [c("Qs"), c("Jh"), c("Ts")]
    st = build(game, deal + [2, 1] + flop)  # button raises to 20, big blind calls
    o = st.observation(0)
    assert set(o.hole) == {"As", "Kd"} and o.board == ("Qs", "Jh", "Ts")
    assert (o.round, o.round_name, o.to_move) == (1, "flop", 0)
    assert o.pot == 40 and o.contributions == (20, 20) and o.stacks is None
    assert o.history == (((1, "raise"), (0, "call")), ())
    assert o.to_call == 0 and o.legal == ("check", "bet")
    assert o.positions == ("big blind", "button, small blind")
    assert [st.action_name(a) for a in o.legal_actions] == ["check", "bet 10"]
    st.apply(2)  # bet 10
    o1 = st.observation(1)
    assert set(o1.hole) == {"7c", "2h"} and o1.to_call == 10
    assert [st.action_name(a) for a in o1.legal_actions] == ["fold", "call 10", "raise to 20"]
    # Before any action: the small blind owes 5 and may raise to 20.
    pre = build(game, deal)
    p = pre.observation(1)
    assert p.to_move == 1 and p.to_call == 5 and p.pot == 15 and p.history == ((),)
    assert [pre.action_name(a) for a in p.legal_actions] == ["fold", "call 5", "raise to 20"]


def test_nolimit_amounts_positions_and_all_in():
    game = make_game("holdem", "nolimit_6max")
    st = build(game, list(range(12)))
    o = st.observation(2)
    assert o.positions[:3] == ("small blind", "big blind", "UTG") and o.positions[5] == "button"
    assert o.pot == 150 and o.to_call == 100 and o.stacks[:3] == (9950, 9900, 10000)
    # Pot-size raise: call 100 makes the pot 250, raise by that: to 350.
    assert [st.action_name(a) for a in o.legal_actions] == [
        "fold", "call 100", "raise to 350", "all-in 10000"]
    st.apply(2)
    st.apply(3)  # seat 3 all-in
    o4 = st.observation(4)
    assert o4.history == (((2, "raise"), (3, "all-in")),)
    assert o4.to_call == 10000 and o4.contributions == (50, 100, 350, 10000, 0, 0)
    assert o4.stacks[3] == 0


# -- text --------------------------------------------------------------------------------

def _hidden_cards_absent(text, cards_):
    return not any(re.search(rf"(?<![0-9A-Za-z]){re.escape(x)}(?![0-9A-Za-z])", text)
                   for x in cards_)


def test_text_never_shows_the_opponents_cards():
    game = make_game("holdem")
    deal = holdem_deal("As Kd", "7c 2h")
    st = build(game, deal + [1, 1] + [c("Qs"), c("Jh"), c("Ts")])
    t0, t1 = st.text(0), st.text(1)
    assert "As Kd" in t0 and "7c 2h" in t1
    assert "Qs Jh Ts" in t0 and "big blind" in t0 and "Pot: 20" in t0
    assert _hidden_cards_absent(t0, ["7c", "2h"]) and _hidden_cards_absent(t1, ["As", "Kd"])
    assert not any(x in t0 for x in ("7c", "2h")) and not any(x in t1 for x in ("As", "Kd"))
    # Other hole cards for seat 1, same text for seat 0.
    other = build(game, holdem_deal("As Kd", "3d 3s") + [1, 1] + [c("Qs"), c("Jh"), c("Ts")])
    assert other.text(0) == t0 and other.observation(0) == st.observation(0)
    while st.current_player != TERMINAL:  # check down to showdown
        st.apply(1 if st.current_player >= 0 else st.chance_outcomes()[0][0])
    assert st.returns()[0] > 0
    assert not any(x in st.text(0) for x in ("7c", "2h"))
    assert not any(x in st.text(1) for x in ("As", "Kd"))


def test_text_hides_cards_in_kuhn_and_leduc():
    kuhn = make_game("kuhn_poker")
    # Seat 0 holds K and checks; seat 1 holds J or Q: seat 0's text is the same.
    texts = {build(kuhn, [2, other, 0]).text(0) for other in (0, 1)}
    assert len(texts) == 1
    text = texts.pop()
    assert "Your card: K" in text
    body = text.split("\n", 1)[1]  # the first line states the rules (J < Q < K)
    assert _hidden_cards_absent(body, ["J", "Q"])
    leduc = make_game("leduc_poker")
    st = build(leduc, [4, 1, 1, 1, 5])
    assert "Ks" in st.text(0) and _hidden_cards_absent(st.text(0), ["Jh"])
    assert "Jh" in st.text(1) and _hidden_cards_absent(st.text(1), ["Ks"])


def test_text_says_whose_turn_and_the_choices():
    game = make_game("holdem")
    st = build(game, holdem_deal("As Kd", "7c 2h"))
    mine, theirs = st.text(1), st.text(0)
    assert "Your move" in mine and "fold | call 5 | raise to 20" in mine
    assert "Waiting for seat 1" in theirs and "Your move" not in theirs


# -- metrics ---------------------------------------------------------------------------------

def test_metrics_raise_then_fold():
    game = make_game("holdem")
    st = build(game, holdem_deal("As Kd", "7c 2h") + [2, 0])  # button raises, blind folds
    assert st.current_player == TERMINAL
    m = st.metrics()
    assert m["hands"] == [1, 1]
    assert m["vpip"] == [0, 1] and m["pfr"] == [0, 1]
    assert m["aggressive"] == [0, 1] and m["calls"] == [0, 0]
    assert m["bb"] == [-1.0, 1.0]  # the big blind loses its 10


def test_metrics_limp_check_and_postflop_war():
    game = make_game("holdem")
    board = [c("Kc"), c("9d"), c("5h"), c("3s"), c("8c")]
    # Button limps (call 5), big blind checks; flop: blind bets 10, button raises to 20,
    # blind calls; turn and river checked; aces beat 7-high: seat 0 wins 30 = 3 big blinds.
    actions = holdem_deal("As Ad", "7c 2h") + [1, 1] + board[:3] + [2, 2, 1] + [board[3]] \
        + [1, 1] + [board[4]] + [1, 1]
    st = build(game, actions)
    assert st.current_player == TERMINAL
    m = st.metrics()
    assert m["vpip"] == [0, 1]  # checking the big blind is not voluntary
    assert m["pfr"] == [0, 0]
    assert m["aggressive"] == [1, 1] and m["calls"] == [1, 1]
    assert m["bb"] == [3.0, -3.0]


def test_kuhn_metrics_and_specs():
    game = make_game("kuhn_poker")
    st = build(game, [2, 0, 0, 1, 1])  # K vs J: check, bet, call; K wins 2
    m = st.metrics()
    assert m["vpip"] == [1, 1] and m["pfr"] == [0, 1]
    assert m["aggressive"] == [0, 1] and m["calls"] == [1, 0] and m["bb"] == [2.0, -2.0]
    specs = {s.name: s for s in game.metric_specs}
    assert (specs["vpip"].kind, specs["vpip"].num, specs["vpip"].den) == ("ratio", "vpip",
                                                                         "hands")
    assert (specs["aggression"].num, specs["aggression"].den) == ("aggressive", "calls")
    assert (specs["bb_per_100"].kind, specs["bb_per_100"].num,
            specs["bb_per_100"].scale) == ("mean", "bb", 100.0)


def test_game_level_holdem_names():
    game = make_game("holdem", "nolimit_6max")
    assert [game.action_name(a) for a in range(4)] == ["fold", "check/call", "bet/raise",
                                                       "all-in"]


# -- the evaluator ----------------------------------------------------------------------

RANKED = [  # best first; each a 7-card hand
    ("straight flush", "9h 8h 7h 6h 5h Kd 2c", STRAIGHT_FLUSH),
    ("steel wheel", "Ah 2h 3h 4h 5h Kd Kc", STRAIGHT_FLUSH),
    ("quad kings, ace", "Ks Kh Kd Kc Ad 2c 3c", QUADS),
    ("quad kings, queen", "Ks Kh Kd Kc Qd 2c 3c", QUADS),
    ("aces full of twos", "As Ah Ad 2c 2d 7h 9s", FULL_HOUSE),
    ("kings full of aces", "Ks Kh Kd As Ac 7h 9s", FULL_HOUSE),
    ("ace-high flush", "Ac Jc 8c 6c 2c Kd Qh", FLUSH),
    ("king-high flush, Q second", "Kc Qc 8c 6c 2c Ad Ah", FLUSH),
    ("king-high flush, J second", "Kc Jc 9c 6c 4c Ad Ah", FLUSH),
    ("broadway", "As Kd Qh Jc Tc 2d 3h", STRAIGHT),
    ("six-high straight", "6s 5d 4h 3c 2c Kd Kh", STRAIGHT),
    ("wheel", "As 2d 3h 4c 5c Kd 9h", STRAIGHT),
    ("trip queens, A K", "Qs Qh Qd Ac Kc 2d 7h", TRIPS),
    ("trip queens, A J", "Qs Qh Qd Ac Jc 2d 7h", TRIPS),
    ("aces and twos", "As Ah 2d 2c 9c 7d 5h", TWO_PAIR),
    ("kings and queens, ace", "Ks Kh Qd Qc Ac 7d 5h", TWO_PAIR),
    ("kings and queens, jack", "Ks Kh Qd Qc Jc 7d 5h", TWO_PAIR),
    ("pair of aces, K Q J", "As Ah Kd Qc Jc 7d 5h", PAIR),
    ("pair of aces, K Q T", "As Ah Kd Qc Tc 7d 5h", PAIR),
    ("pair of twos", "2s 2h Ad Kc Qc 7d 5h", PAIR),
    ("ace high", "As Kh Qd 9c 7c 4d 2h", HIGH_CARD),
    ("king high", "Ks Qh Jd 9c 7c 4d 2h", HIGH_CARD),
]


def test_evaluator_ranks_hand_made_hands():
    values = [evaluate(cards(hand)) for _, hand, _ in RANKED]
    for (name, _, cat), v in zip(RANKED, values):
        assert category(v) == cat, name
    for (a, _, _), (b, _, _), va, vb in zip(RANKED, RANKED[1:], values, values[1:]):
        assert va > vb, f"{a} should beat {b}"


def test_evaluator_best_five_of_seven():
    # Three pairs: the best two count, the third pair's card can be the kicker.
    assert evaluate(cards("As Ad Ks Kd Qs Qd 2c")) == evaluate(cards("As Ad Ks Kd Qh"))
    # Six suited cards: the best five of the suit make the flush.
    assert evaluate(cards("Ah Kh 9h 7h 4h 2h Qd")) > evaluate(cards("Ah Kh 9h 7h 3h 2h Qd"))
    assert evaluate(cards("Ah Kh 9h 7h 4h 2h Qd")) == evaluate(cards("Ah Kh 9h 7h 4h 3c Qd"))
    # Two trips make a full house; the board plays: a split.
    assert category(evaluate(cards("9s 9h 9d 4c 4d 4h Ac"))) == FULL_HOUSE
    board = cards("As Ks Qd Jc Th")
    assert evaluate(board + cards("2c 3d")) == evaluate(board + cards("4h 5h"))
    # A pair on a straight board does not beat the straight; 7 cards with a 6-card run.
    assert evaluate(cards("9c 8d 7h 6s 5c 4d 9h")) == evaluate(cards("9c 8d 7h 6s 5c"))


# -- the rule bot ----------------------------------------------------------------------------

def choose(spec, game, st, seed=0):
    agent = make_agent(spec, game)
    agent.start(st.current_player, random.Random(seed))
    view = SeatView(st, st.current_player)
    probs = agent.action_probabilities(view, st.legal_actions())
    action = agent.act(view, st.legal_actions())
    assert probs[action] == 1.0 and abs(sum(probs.values()) - 1.0) < 1e-9
    return st.action_name(action)


@pytest.mark.parametrize("style", ["tight", "loose"])
def test_kuhn_rules(style):
    game = make_game("kuhn_poker")
    spec = f"poker_rules(style={style})"
    assert choose(spec, game, build(game, [2, 0])) == "bet 1"  # K opens with a bet
    assert choose(spec, game, build(game, [0, 2, 1])) == "call 1"  # K calls a bet
    assert choose(spec, game, build(game, [2, 0, 1])) == "fold"  # J folds to a bet
    assert choose(spec, game, build(game, [0, 2])) == "check"  # J checks when free
    # A queen facing a bet: the tight style folds, the loose one calls.
    q = build(game, [2, 1, 1])
    assert choose(spec, game, q) == ("fold" if style == "tight" else "call 1")


def test_leduc_and_holdem_rules():
    leduc = make_game("leduc_poker")
    # Round 2, seat 1 holds Jh with the public Js (a pair, unbeatable): it raises a bet.
    st = build(leduc, [4, 1, 1, 1, 0, 2])
    assert choose("poker_rules", leduc, st) == "raise to 8"
    # Seat 1 holds Jh against a bet with public card Kh: no pair, low card: folds.
    st = build(leduc, [4, 1, 1, 1, 5, 2])
    assert choose("poker_rules", leduc, st) == "fold"
    holdem = make_game("holdem")
    assert choose("poker_rules", holdem, build(holdem, holdem_deal("Qs Qd", "As Ad"))) \
        == "raise to 20"
    six = make_game("holdem", "nolimit_6max")
    # UTG shoves; the call needs ~50% equity (10000 into 20150) and 7-2 offsuit against
    # five hands has far less: fold.
    st = build(six, holdem_deal("Kd Kh", "Qd Qh", "Jd Jh", "7c 2d", "9s 9h", "3c 3d") + [3])
    assert choose("poker_rules", six, st) == "fold"


def test_full_holdem_matches_have_no_errors_or_illegal_moves():
    for preset, specs, games in (
            ("limit", ["poker_rules", "random"], 20),
            ("nolimit_6max", ["poker_rules", "poker_rules(style=loose)", "random", "random",
                              "random", "random"], 6)):
        game = make_game("holdem", preset)
        labels, records = run_match(game, specs, games, 7)
        records = list(records)
        assert len(records) == games
        for rec in records:
            assert rec.errors == [] and sum(rec.illegal) == 0 and rec.forfeit is None
            assert rec.metrics["hands"] == [1] * len(specs)


@pytest.mark.parametrize("game_name,spec,games", [
    ("leduc_poker", "poker_rules", 600),
    ("kuhn_poker", "poker_rules(style=loose)", 600),
])
def test_rules_beat_random(game_name, spec, games):
    game = make_game(game_name)
    labels, records = run_match(game, [spec, "random"], games, 3)
    payoff = [rec.returns[rec.labels.index(labels[0])] for rec in records]
    mean, lo, hi = mean_interval(payoff)
    assert lo > 0, f"{spec} vs random on {game_name}: mean {mean:.3f}, CI ({lo:.3f}, {hi:.3f})"


def test_policy_tabulates_and_is_less_exploitable_than_random():
    from games.openspiel.exploit import exploitability

    game = make_game("kuhn_poker")
    mine = exploitability(game, make_agent("poker_rules", game))
    rand = exploitability(game, make_agent("random", game))
    assert 0 < mine < rand
