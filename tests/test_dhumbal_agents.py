"""The study's Dhumbal agents follow docs/rules/dhumbal.md exactly; the expert's judgement holds.

Positions are hand-built; expected moves are worked out by hand from the rules text.
"""

from __future__ import annotations

import random

import pytest

from arena.core.agent import SeatView
from arena.core.registry import make_agent, make_game
from games.dhumbal.cards import CALL, DRAW, TAKE_BASE, parse_cards

FILLER = ["Kc Kd Qc Qd Jc", "Ks Qs Js 10c 10d", "9c 9d 8c 8d 7c"]


def decide(agent_spec, game, st, seed=0):
    agent = make_agent(agent_spec, game)
    agent.start(st.current_player, random.Random(seed))
    return agent.act(SeatView(st, st.current_player), st.legal_actions())


def name(game, action):
    return game.action_name(action)


@pytest.mark.parametrize("spec,total,calls", [
    ("aggressive", 10, True), ("aggressive", 9, True),
    ("conservative", 9, False), ("conservative", 7, True),
    ("balanced", 5, True),
])
def test_deterministic_call_rules_under_paper(spec, total, calls):
    game = make_game("dhumbal", "paper")
    hands = {10: "Ac 2d 3h 4s", 9: "Ac 2d 2h 4s", 7: "Ac 2d 4s", 5: "Ac 4s"}
    st = game.position([hands[total], *FILLER], pile=["5h"])
    assert game.hand_total(st.hands[0]) == total
    assert (decide(spec, game, st) == CALL) is calls


def _call_rate(spec, game, st, trials=3000):
    return sum(decide(spec, game, st, seed) == CALL for seed in range(trials)) / trials


def test_balanced_calls_six_to_eight_with_p_07_and_nine_ten_with_p_04():
    game = make_game("dhumbal", "paper")
    st = game.position(["Ac 2d 4s", *FILLER], pile=["5h"])  # total 7
    assert abs(_call_rate("balanced", game, st) - 0.7) < 0.035
    st = game.position(["Ac 2d 2h 4s", *FILLER], pile=["5h"])  # total 9
    assert abs(_call_rate("balanced", game, st) - 0.4) < 0.035


def test_opportunistic_call_probability_depends_on_coins_and_turn():
    game = make_game("dhumbal", "paper")
    hand = "Ac 2d 2h 4s"  # total 9: p = base + 0.05 * (10 - 9) (+ 0.15 after turn 20)
    behind = game.position([hand, *FILLER], pile=["5h"], coins=[9000, 10000, 10000, 10000])
    assert abs(_call_rate("opportunistic", game, behind) - 0.35) < 0.035
    late = game.position([hand, *FILLER], pile=["5h"], coins=[9000, 10000, 10000, 10000],
                         turn=21)
    assert abs(_call_rate("opportunistic", game, late) - 0.50) < 0.035
    ahead = game.position([hand, *FILLER], pile=["5h"], coins=[11000, 10000, 10000, 10000])
    assert abs(_call_rate("opportunistic", game, ahead) - 0.85) < 0.035
    sure = game.position(["Ac 2d 4s", *FILLER], pile=["5h"])  # 7: always
    assert _call_rate("opportunistic", game, sure, 200) == 1.0


def test_discard_score_weighs_value_by_discard_high_pref():
    # Hand 10♠ 3♣ 3♦ 9♥ 5♣ (total 30). Score = value*pref + 2*n (n>1) + 10*value/30:
    # aggressive (pref 1.0): 10♠ 13.33 > set 3♣3♦ 12.0 > 9♥ 12.0 -> 10♠;
    # conservative (pref 0.6): set 3.6+4+2 = 9.6 > 10♠ 6+3.33 = 9.33 -> the pair of threes.
    game = make_game("dhumbal", "standard")
    st = game.position(["10s 3c 3d 9h 5c", *FILLER], pile=["Kh"])
    assert name(game, decide("aggressive", game, st)) == "discard 10♠"
    assert name(game, decide("conservative", game, st)) == "discard 3♣ 3♦"


def test_run_bonus_and_low_hand_bonus():
    # 5♥6♥7♥ run (18) with K♠ left over: aggressive scores the run 18 + 6 + 3 + 10*18/31 =
    # 32.8 and K♠ 13 + 4.2 = 17.2 -> the run.
    game = make_game("dhumbal", "standard")
    st = game.position(["5h 6h 7h Ks", *FILLER], pile=["Qh"])
    assert name(game, decide("aggressive", game, st)) == "discard 5♥ 6♥ 7♥"


def test_low_hand_not_called_sheds_the_largest_card_keeping_rest_plus_five_within_ten():
    # Paper rules (call threshold 10); conservative does not call on 9 (A♣ 2♦ 2♥ 4♠).
    # The largest card with (9 - v) + 5 <= 10 is 4♠, though the score rule would pick 2♦2♥.
    game = make_game("dhumbal", "paper")
    st = game.position(["Ac 2d 2h 4s", *FILLER], pile=["5h"])
    assert name(game, decide("conservative", game, st)) == "discard 4♠"


@pytest.mark.parametrize("after_total_hand,offer,takes", [
    ("Kc Ac", "4h", True),      # total 14 after discard: threshold 4 -> take a 4
    ("9c 2c", "4h", False),     # total 11 <= 12: threshold 3 -> draw
    ("Kc 5c", "6h", True),      # total 18 > 15: threshold 6 -> take a 6
    ("Kc 5c", "7h", False),     # ... but not a 7
])
def test_pickup_threshold_moves_with_the_hand_total(after_total_hand, offer, takes):
    game = make_game("dhumbal", "standard")
    # Seat 0 discards its Q♠ first; the pickup rule looks at the hand it keeps.
    st = game.position([after_total_hand + " Qs", *FILLER], pile=[offer])
    st.apply(game.action_from_name("discard Q♠"))
    action = decide("aggressive", game, st)
    expected = TAKE_BASE + parse_cards(offer)[0] if takes else DRAW
    assert action == expected, f"{after_total_hand} / {offer}: got {name(game, action)}"


def test_study_random_is_a_coin_flip():
    game = make_game("dhumbal", "standard")
    st = game.position(["Ac 2d", *FILLER], pile=["5h"])
    assert abs(_call_rate("study_random", game, st) - 0.5) < 0.035


def test_expert_calls_when_safe_and_not_when_undercut_is_likely():
    game = make_game("dhumbal", "standard")
    # Total 1 against three 5-card hands: no 5 cards sum to 1 -> always strictly lowest.
    st = game.position(["Ac", *FILLER], pile=["5h"])
    assert decide("expert", game, st) == CALL
    # Total 5 against a player known to hold only A♠ (took it from the offer): never lowest.
    st = game.position(["2c 3d", "As", "Ks Qs Js 10c 10d", "9c 9d 8c 8d 7c"], pile=["5h"],
                       known=["", "As", "", ""])
    assert CALL in st.legal_actions()
    assert decide("expert", game, st) != CALL
    # Total 5 against three 1-card hands of unknown cards: lowest only if all three are
    # 6+ (about (30/48)^3 = 0.24 of deals) -> below the 0.6 confidence -> no call.
    st = game.position(["2c 3d", "Ks", "Qs", "Js"], pile=["5h"])
    agent = make_agent("expert(samples=4000)", game)
    agent.start(0, random.Random(1))
    obs = st.observation(0)
    p = agent.call_success(obs, agent._unseen(obs, st.hands[0]))
    unseen = [c for c in range(52) if c not in parse_cards("2c 3d 5h")]
    high = sum(1 for c in unseen if c % 13 + 1 > 5)
    exact = (high / 49) * ((high - 1) / 48) * ((high - 2) / 47)
    assert abs(p - exact) < 0.03, (p, exact)
    assert decide("expert", game, st) != CALL


def test_expert_plans_discard_and_pickup_together():
    # Offer A♥; the expert holds K♠ Q♠ 2♣ 3♦ 4♥. Best plan: shed a face card, take the ace.
    game = make_game("dhumbal", "standard")
    st = game.position(["Ks Qs 2c 3d 4h", *FILLER], pile=["Ah"])
    first = decide("expert", game, st)
    assert name(game, first) in ("discard K♠", "discard Q♠"), name(game, first)
    st.apply(first)
    assert decide("expert", game, st) == TAKE_BASE + parse_cards("Ah")[0]


def test_study_agents_refuse_other_games():
    from arena.core.game import Game, GameInfo
    from arena.core.errors import ArenaError

    class Other(Game):
        name = "other"
        info = GameInfo("other", "x", 2, 2, True, False)
        num_players, num_actions, encoding_shape = 2, 1, (1,)

        def new_state(self, seed):  # pragma: no cover
            raise NotImplementedError

        def action_name(self, action):
            return "a"

    for spec in ("aggressive", "study_random", "expert"):
        with pytest.raises(ArenaError):
            make_agent(spec, Other())


@pytest.mark.slow
def test_expert_beats_the_study_heuristics_under_standard_rules():
    """The expert must be stronger than the study's agents: more than its 1/4 fair share."""
    from arena.play.match import run_match
    from arena.stats.basic import summarize

    game = make_game("dhumbal", "standard")
    labels, stream = run_match(game, ["expert", "aggressive", "balanced", "opportunistic"],
                               120, 7)
    records = list(stream)
    summaries, _ = summarize(records, game.metric_specs, order=labels)
    expert = summaries[0]
    assert expert.win_ci[0] > 0.25, f"expert win rate {expert.win_rate:.3f} {expert.win_ci}"
    assert all(expert.win_rate > s.win_rate for s in summaries[1:])


def test_aggressive_and_conservative_are_one_heuristic_with_their_own_defaults():
    """Two registered names, one heuristic (``ThresholdCaller``): each name keeps its own
    defaults, help texts and errors, its settings override as any agent's, and its agent
    and settings survive pickling (worker processes receive them)."""
    import pickle

    from arena.core.params import describe_params
    from arena.core.registry import agent_class
    from agents.heuristics.dhumbal_study import ThresholdCaller

    aggressive, conservative = agent_class("aggressive"), agent_class("conservative")
    assert aggressive is not conservative
    assert issubclass(aggressive, ThresholdCaller) and issubclass(conservative, ThresholdCaller)
    assert (aggressive.name, conservative.name) == ("aggressive", "conservative")
    assert [(f, d) for f, d, _ in describe_params(aggressive.Params)] == [
        ("call_max", "10"), ("pickup_threshold", "4"), ("discard_high_pref", "1.0")]
    assert [(f, d) for f, d, _ in describe_params(conservative.Params)] == [
        ("call_max", "7"), ("pickup_threshold", "3"), ("discard_high_pref", "0.6")]
    assert [h for *_, h in describe_params(aggressive.Params)] == \
        [h for *_, h in describe_params(conservative.Params)]
    game = make_game("dhumbal", "paper")
    agent = make_agent("conservative(call_max=9)", game)
    assert repr(agent.params) == \
        "ConservativeParams(call_max=9, pickup_threshold=3, discard_high_pref=0.6)"
    assert pickle.loads(pickle.dumps(agent.params)) == agent.params
    assert pickle.loads(pickle.dumps(type(agent))) is conservative
    hands = "Ac 2d 2h 4s"  # total 9: conservative calls only with call_max raised to 9
    st = game.position([hands, *FILLER], pile=["5h"])
    assert decide("conservative(call_max=9)", game, st) == CALL
    assert decide("conservative", game, st) != CALL
    with pytest.raises(Exception, match="call_max"):
        make_agent("aggressive(call_max=x)", game)
