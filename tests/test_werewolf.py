"""Werewolf: the rules against hand-built games (known truth), the views (no hidden role
shown, secret night moves and votes), determinization, the conformance suite, and the
rule-based bot."""

from __future__ import annotations

import random

import pytest

from arena.core.agent import SeatView
from arena.core.errors import IllegalActionError
from arena.core.game import CHANCE, Outcome
from arena.core.params import NoParams
from agents.heuristics.werewolf import WerewolfBot, WerewolfBotParams
from agents.random import RandomAgent
from arena.play.match import run_match
from arena.testing import check_game
from games.werewolf.game import (
    ABSTAIN,
    ABSTAINED,
    NIGHT,
    OVER,
    SAY_NOTHING,
    TALK,
    VOTE,
    WerewolfGame,
)

# seats 0 and 1 are the wolves, 2 the Seer, 3 the Doctor, 4-7 Villagers
EIGHT = ["werewolf", "werewolf", "seer", "doctor", "villager", "villager", "villager",
         "villager"]
FIVE = ["werewolf", "werewolf", "seer", "doctor", "villager"]


def make(players: int = 8, **rules) -> WerewolfGame:
    return WerewolfGame.from_params({"players": players, **rules})


def night(st, target, protect=None, inspect=None) -> None:
    """Every living wolf votes for ``target``; the Doctor protects ``protect`` (default: a
    living seat that is not the target and was not protected last night), the Seer
    inspects ``inspect`` (default: the first other living seat)."""
    g = st.game
    assert st.phase == NIGHT
    while st.phase == NIGHT and st.step == 0:
        st.apply(g.kill(target))
    if st.phase == NIGHT and st.step == 1:
        if protect is None:
            legal = st.legal_actions()
            protect = next(s for s in st.living() if s != target and g.protect(s) in legal)
        st.apply(g.protect(protect))
    if st.phase == NIGHT and st.step == 2:
        if inspect is None:
            inspect = next(s for s in st.living() if s != st.current_player)
        st.apply(g.inspect(inspect))


def talk(st) -> None:
    while st.phase == TALK:
        st.apply(SAY_NOTHING)


def vote(st, ballot: dict[int, int | None] | None = None) -> None:
    """Each living seat votes for ``ballot[seat]`` (absent or None: abstains)."""
    ballot = ballot or {}
    talk(st)
    while st.phase == VOTE:
        st.apply(st.game.vote(ballot.get(st.current_player)))


def day(st, ballot=None) -> None:
    talk(st)
    vote(st, ballot)


# -- rules --------------------------------------------------------------------------------

def test_deal_and_action_space():
    g = make()
    st = g.new_state(3)
    assert sorted(st.roles()) == sorted(EIGHT)
    assert st.teams().count("wolves") == 2 and set(st.teams()) == {"village", "wolves"}
    assert g.new_state(3).roles() == st.roles()  # the deal depends only on the seed
    assert len({g.new_state(s).roles() for s in range(20)}) > 5
    assert g.num_actions == 5 + 8 * 8
    names = [g.action_name(a) for a in range(g.num_actions)]
    assert len(set(names)) == len(names)
    assert g.action_name(g.kill(3)) == "kill seat 3"
    assert g.action_name(g.vote(7)) == "vote to exile seat 7"
    assert g.action_from_name("report seat 2 is a wolf") == g.report(2, True)
    with pytest.raises(ValueError):
        g.action_name(g.num_actions)
    with pytest.raises(ValueError):
        make(players=6, wolves=3)


def test_night_order_and_wolves_choose_a_non_wolf():
    g = make()
    st = g.deal(EIGHT)
    assert st.phase == NIGHT and st.day == 1 and st.current_player == 0
    assert st.legal_actions() == tuple(g.kill(s) for s in range(2, 8))
    st.apply(g.kill(5))
    assert st.current_player == 1
    st.apply(g.kill(5))
    assert st.current_player == 3  # the Doctor
    st.apply(g.protect(4))
    assert st.current_player == 2  # the Seer
    assert st.legal_actions() == tuple(g.inspect(s) for s in range(8) if s != 2)
    st.apply(g.inspect(0))
    assert st.phase == TALK and not st.alive[5] and st.deaths[-1].seat == 5
    assert st.observation(4).nights == (5,)


def test_tied_wolf_vote_is_a_chance_node():
    g = make()
    st = g.deal(EIGHT)
    st.apply(g.kill(4))
    st.apply(g.kill(6))
    assert st.current_player == CHANCE
    assert st.chance_outcomes() == [(g.kill(4), 0.5), (g.kill(6), 0.5)]
    with pytest.raises(IllegalActionError):
        st.apply(g.kill(5))
    st.apply(g.kill(6))
    assert st.current_player == 3 and st.nights[-1].target == 6


def test_protection_saves_the_victim():
    g = make()
    st = g.deal(EIGHT)
    night(st, 5, protect=5)
    assert st.phase == TALK and all(st.alive) and st.deaths == []
    assert st.observation(6).nights == (None,)
    assert "nobody died" in st.text(6)
    assert st.observation(3).protections == ((1, 5),)


@pytest.mark.parametrize("repeat", [False, True])
def test_doctor_repeat_rule(repeat):
    g = make(doctor_repeat=repeat)
    st = g.deal(EIGHT)
    night(st, 5, protect=4)
    day(st)
    while st.step == 0:
        st.apply(g.kill(6))
    assert st.current_player == 3
    assert (g.protect(4) in st.legal_actions()) == repeat
    assert g.protect(3) in st.legal_actions() and g.protect(7) in st.legal_actions()
    if not repeat:
        with pytest.raises(IllegalActionError):
            st.apply(g.protect(4))
        assert "protect seat 4" not in st.text(3).split("Options:")[-1]


def test_the_seers_result_is_private():
    g = make()
    a, b = g.deal(EIGHT), g.deal(EIGHT)
    night(a, 5, inspect=0)
    night(b, 5, inspect=6)
    assert a.observation(2).inspections == ((1, 0, True),)
    assert b.observation(2).inspections == ((1, 6, False),)
    assert "seat 0 is a WOLF" in a.text(2)
    for s in (0, 1, 3, 4, 6, 7):
        assert a.observation(s) == b.observation(s) and a.text(s) == b.text(s)
        assert (a.encode(s) == b.encode(s)).all()
        assert a.observation(s).inspections == ()
    assert (a.encode(2) != b.encode(2)).any()


def test_wolves_see_wolves_and_villagers_see_nobody():
    g = make()
    st = g.deal(EIGHT)
    assert st.observation(0).known_roles == ("werewolf", "werewolf") + (None,) * 6
    assert "Your fellow werewolves: seat 1" in st.text(0)
    assert st.observation(4).known_roles == (None,) * 4 + ("villager",) + (None,) * 3
    assert st.observation(2).known_roles[2] == "seer" and st.observation(2).known_roles.count(
        None) == 7
    # a villager cannot tell two deals apart (same role), in any view, through a game
    other = g.deal(["villager", "doctor", "werewolf", "seer", "villager", "werewolf",
                    "villager", "villager"])
    for s in (4,):
        assert st.observation(s) == other.observation(s) and st.text(s) == other.text(s)
        assert (st.encode(s) == other.encode(s)).all()
    assert "werewolf" not in str(st.observation(4).known_roles)


def test_votes_are_hidden_until_all_have_voted():
    g = make()
    st = g.deal(EIGHT)
    night(st, 5, protect=5)
    talk(st)
    assert st.phase == VOTE and st.current_player == 0
    yes, no = st.clone(), st.clone()
    yes.apply(g.vote(4))
    no.apply(ABSTAIN)
    for s in range(1, 8):
        assert yes.observation(s) == no.observation(s) and yes.text(s) == no.text(s)
        assert (yes.encode(s) == no.encode(s)).all()
    assert yes.observation(0).my_vote == 4 and no.observation(0).my_vote == ABSTAINED
    assert yes.observation(3).voted == (0,) and "Voted so far (hidden): seat 0" in yes.text(3)
    vote(yes, {s: 4 for s in range(8) if s != 4})
    assert yes.ballots[-1].votes[0] == (0, 4) and yes.observation(6).ballots[-1].exiled == 4
    assert "seat 0 -> seat 4" in yes.text(6)


def test_plurality_exiles_the_most_voted_and_a_tie_exiles_nobody():
    g = make()
    st = g.deal(EIGHT)
    night(st, 5, protect=5)
    tie = st.clone()
    day(tie, {0: 4, 1: 4, 2: 0, 3: 0})  # 2-2
    assert all(tie.alive) and tie.ballots[-1].exiled is None and tie.phase == NIGHT
    day(st, {0: 4, 1: 4, 2: 0})  # 2-1, five abstain: plurality exiles
    assert not st.alive[4] and st.deaths[-1].cause == "exile" and st.ballots[-1].exiled == 4


def test_majority_needs_more_than_half_the_living():
    g = make(exile="majority")
    st = g.deal(EIGHT)
    night(st, 5, protect=5)  # 8 living
    few = st.clone()
    day(few, {0: 4, 1: 4, 2: 4})  # 3 of 8
    assert all(few.alive) and few.ballots[-1].exiled is None
    half = st.clone()
    day(half, {s: 4 for s in (0, 1, 2, 3)})  # 4 of 8: not more than half
    assert all(half.alive)
    day(st, {s: 0 for s in (1, 2, 3, 5, 6)})  # 5 of 8
    assert not st.alive[0] and st.ballots[-1].exiled == 0


def test_village_wins_when_the_last_wolf_is_exiled():
    g = make()
    st = g.deal(EIGHT)
    night(st, 5, protect=5)
    day(st, {s: 0 for s in range(2, 8)})
    assert st.phase == NIGHT and not st.alive[0]
    night(st, 6, protect=6)
    day(st, {s: 1 for s in range(2, 8)})
    assert st.phase == OVER and st.winner == "village"
    assert st.returns() == (-1.0, -1.0) + (1.0,) * 6
    assert st.outcome() == Outcome.team_result(st.teams(), "village")


def test_wolves_win_at_parity_after_a_night():
    g = make(5)
    st = g.deal(FIVE)  # 2 wolves, 3 others: one death makes parity
    night(st, 4, protect=3)
    assert st.phase == OVER and st.winner == "wolves" and st.day == 1
    assert st.returns() == (1.0, 1.0, -1.0, -1.0, -1.0)
    assert st.legal_actions() == ()
    with pytest.raises(IllegalActionError):
        st.apply(SAY_NOTHING)


def test_wolves_win_at_parity_after_a_day():
    g = make(5)
    st = g.deal(FIVE)
    night(st, 4, protect=4)  # saved: 2 wolves, 3 others
    assert st.phase == TALK
    day(st, {0: 2, 1: 2, 4: 2})
    assert st.phase == OVER and st.winner == "wolves" and not st.alive[2]
    assert st.outcome().team == "wolves" and st.outcome().winners == (0, 1)


def test_day_cap_ends_in_a_draw():
    g = make(max_days=2)
    st = g.deal(EIGHT)
    night(st, 5, protect=5)
    day(st)
    assert st.phase == NIGHT and st.day == 2
    night(st, 6, protect=6)
    day(st)
    assert st.phase == OVER and st.winner is None and "draw" in st.end
    assert st.returns() == (0.0,) * 8
    out = st.outcome()
    assert out.team is None and out.win_shares == (0.5,) * 8


@pytest.mark.parametrize("reveal", [True, False])
def test_reveal_on_death(reveal):
    g = make(reveal_on_death=reveal)
    st = g.deal(EIGHT)
    night(st, 3, protect=4)  # the Doctor dies
    day(st, {s: 1 for s in range(2, 8)})  # a wolf is exiled
    obs = st.observation(6)
    assert [d.seat for d in obs.deaths] == [3, 1]
    if reveal:
        assert [d.role for d in obs.deaths] == ["doctor", "werewolf"]
        assert obs.known_roles[3] == "doctor" and obs.known_roles[1] == "werewolf"
        assert "exiled - a werewolf" in st.text(6)
    else:
        assert [d.role for d in obs.deaths] == [None, None]
        assert obs.known_roles == (None,) * 6 + ("villager", None)
        assert "role not revealed" in st.text(6)
    # the night after the Doctor's death: no Doctor step
    while st.step == 0:
        st.apply(g.kill(4))
    assert st.current_player == 2


def test_dead_never_move():
    g = make()
    rng = random.Random(5)
    for seed in range(30):
        st = g.new_state(seed)
        while not st.is_terminal:
            p = st.current_player
            if p == CHANCE:
                st.apply(rng.choice([a for a, _ in st.chance_outcomes()]))
                continue
            assert st.alive[p], f"dead seat {p} to move"
            for a in st.legal_actions():
                _, target = g.split(a)
                assert target is None or st.alive[target]
            st.apply(rng.choice(st.legal_actions()))
    st = g.deal(EIGHT)
    night(st, 4, protect=5)
    assert 4 not in st.order
    talk(st)
    assert 4 not in st.order and g.vote(4) not in st.legal_actions()


def test_statements_carry_free_text_into_every_view():
    g = make()
    st = g.deal(EIGHT)
    night(st, 5, protect=5)
    assert st.is_statement(g.report(3, True)) and st.is_statement(SAY_NOTHING)
    assert st.is_statement(g.claim("seer")) and st.is_statement(g.vouch(2))
    assert not st.is_statement(ABSTAIN) and not st.is_statement(g.vote(1))
    assert not st.is_statement(g.kill(4))
    st.apply(g.claim("seer"))
    st.add_text(0, "trust me, I am the Seer")
    st.apply(g.report(0, True))
    assert "trust me, I am the Seer" in st.text(5) and "claims to be the seer" in st.text(7)
    assert "reports as Seer that seat 0 is a WOLF" in st.text(3)
    assert st.observation(2).statements[0].text == "trust me, I am the Seer"
    with pytest.raises(ValueError):
        st.add_text(5, "no statement yet")


def test_night_moves_are_hidden_from_the_village():
    g = make()
    a, b = g.deal(EIGHT), g.deal(EIGHT)
    a.apply(g.kill(4))
    b.apply(g.kill(6))
    for s in range(2, 8):
        assert a.observation(s) == b.observation(s) and a.text(s) == b.text(s)
        assert a.observation(s).to_move is None
    assert a.observation(1).wolf_nights[-1].votes == ((0, 4),)
    assert a.observation(1).to_move == 1 and "seat 0 -> seat 4" in a.text(1)


def test_determinize_keeps_what_the_seat_knows():
    g = make(reveal_on_death=False)
    st = g.deal(EIGHT)
    night(st, 5, protect=6, inspect=0)  # seat 5 dies; the Seer found wolf 0
    day(st, {s: 7 for s in range(7)})  # seat 7 exiled (hidden role)
    night(st, 4, protect=4)  # saved: nobody dies
    talk(st)
    for seat in (2, 3, 4, 0):
        key = st.information_state_key(seat)
        for k in range(40):
            d = st.determinize(seat, random.Random(k))
            d.check_invariants()
            assert d.information_state_key(seat) == key
            assert d.role_of[seat] == st.role_of[seat]
            assert d.role_of[5] != "werewolf"  # a night victim
            assert d.alive[d.holder("doctor")]  # nobody died on night 2: the Doctor lives
            if seat == 2:
                assert d.role_of[0] == "werewolf"
            if seat == 3:
                assert d.role_of[4] != "werewolf"  # protected on a night nobody died
            if seat == 0:
                assert d.teams() == st.teams()
    roles = {tuple(st.determinize(4, random.Random(k)).role_of) for k in range(60)}
    assert len(roles) > 10


@pytest.mark.parametrize("rules, seeds", [
    ({}, 10),
    ({"players": 6, "wolves": 1, "reveal_on_death": False, "doctor_repeat": True,
      "exile": "majority", "discussion_rounds": 1}, 8),
])
def test_conformance(rules, seeds):
    check_game(make(**rules), seeds=seeds)


def test_metrics_of_a_hand_built_game():
    g = make()
    st = g.deal(EIGHT)
    night(st, 5, protect=5, inspect=0)
    day(st, {2: 0, 3: 0, 4: 6})  # seat 0 exiled (a wolf); seat 4 voted for a villager
    night(st, 6, protect=6, inspect=1)
    day(st, {s: 1 for s in range(2, 8)})
    assert st.winner == "village"
    m = st.metrics()
    assert m["village_games"] == [0, 0] + [1] * 6 and m["village_wins"] == [0, 0] + [1] * 6
    assert m["wolf_games"] == [1, 1] + [0] * 6 and m["wolf_wins"] == [0] * 8
    assert m["seer_found"] == [0, 0, 2, 0, 0, 0, 0, 0] and m["seer_wolves"][2] == 2
    assert m["exiles"] == [0, 0] + [2] * 6 and m["exiles_wolf"] == [0, 0] + [2] * 6
    assert m["votes_cast"][4] == 2 and m["votes_wolf"][4] == 1
    assert m["days"] == [2] * 8
    forfeit = Outcome.team_result(st.teams(), "wolves")
    assert st.metrics(forfeit)["wolf_wins"] == [1, 1] + [0] * 6


# -- bots -------------------------------------------------------------------------------

def _play(game, village, wolves, games, seed=0):
    """The village's win rate with ``village`` in every village seat and ``wolves`` in
    every wolf seat."""
    wins = 0
    for i in range(games):
        st = game.new_state(seed + i)
        agents = [village if t == "village" else wolves for t in st.teams()]
        rngs = [random.Random((seed + i) * 101 + s) for s in range(game.num_players)]
        chance = random.Random(seed + i)
        while not st.is_terminal:
            p = st.current_player
            if p == CHANCE:
                st.apply(chance.choice([a for a, _ in st.chance_outcomes()]))
                continue
            agents[p].start(p, rngs[p])
            st.apply(agents[p].act(SeatView(st, p), st.legal_actions()))
        wins += st.winner == "village"
    return wins / games


def test_eight_bots_play_to_the_end_in_a_match():
    g = make()
    _, records = run_match(g, ["werewolf_bot"] * 8, games=8, seed=3, game_spec="werewolf")
    records = list(records)
    assert len(records) == 8
    for rec in records:
        assert not rec.errors and sum(rec.illegal) == 0 and rec.team in ("village", "wolves")
        assert rec.win_shares == [1.0 if t == rec.team else 0.0 for t in rec.teams]
        assert sum(rec.metrics["wolf_games"]) == 2 and sum(rec.metrics["seer_wolves"]) == 2


def test_village_bots_beat_random_wolves():
    g = make()
    bot, rnd = WerewolfBot(WerewolfBotParams(), g), RandomAgent(NoParams(), g)
    bots = _play(g, bot, rnd, 300)
    chance = _play(g, rnd, rnd, 300)
    assert bots > chance + 0.25, (bots, chance)  # measured 0.53 vs 0.13 (400 games)
    assert _play(g, rnd, bot, 100) < chance  # and wolf bots beat random wolves


def test_wolf_bots_fake_claim_and_never_kill_a_wolf():
    g = make()
    liar = WerewolfBot(WerewolfBotParams(fake_claim=1.0), g)
    st = g.deal(EIGHT)
    rng = random.Random(1)
    liar.start(0, rng)
    st.apply(liar.act(SeatView(st, 0), st.legal_actions()))
    assert st.nights[-1].votes[0][1] not in (0, 1)
    liar.start(1, rng)
    st.apply(liar.act(SeatView(st, 1), st.legal_actions()))
    assert st.nights[-1].votes[0][1] == st.nights[-1].votes[1][1]  # follows its mate
    while st.phase == NIGHT:
        st.apply(st.legal_actions()[0])
    if st.phase == TALK:
        liar.start(0, rng)
        a = liar.act(SeatView(st, 0), st.legal_actions())
        kind, target = g.split(a)
        assert kind == "report_wolf" and target not in (0, 1)
