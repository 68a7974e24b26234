"""Avalon: the rules against hand-built games (known truth), the views (no hidden role
shown, secret votes), determinization, the conformance suite, and the rule-based bot."""

from __future__ import annotations

import random

import pytest

from arena.core.agent import SeatView
from arena.core.errors import IllegalActionError
from arena.core.game import Outcome
from arena.core.params import NoParams
from agents.heuristics.avalon import AvalonBot, AvalonBotParams
from agents.random import RandomAgent
from arena.play.match import run_match
from arena.testing import check_game
from games.avalon.game import (
    APPROVE,
    ASSASSINATE,
    FAIL,
    PROPOSE,
    QUEST,
    REJECT,
    SAY_NOTHING,
    SUCCESS,
    TALK,
    VOTE,
    AvalonGame,
)

FIVE = ["merlin", "servant", "servant", "assassin", "minion"]  # evil: seats 3 and 4
SIX = ["merlin", "servant", "servant", "servant", "assassin", "minion"]
SEVEN = ["merlin", "servant", "servant", "servant", "assassin", "minion", "minion"]


def make(players: int = 5, preset: str | None = None, **rules) -> AvalonGame:
    return AvalonGame.from_params({"players": players, **rules}, preset)


def propose(st, team) -> None:
    """The leader proposes ``team``; every seat says nothing."""
    st.apply(st.game.propose(team))
    while st.phase == TALK:
        st.apply(SAY_NOTHING)


def vote(st, approvers) -> None:
    while st.phase == VOTE:
        st.apply(APPROVE if st.current_player in approvers else REJECT)


def cards(st, failers=()) -> None:
    while st.phase == QUEST:
        st.apply(FAIL if st.current_player in failers else SUCCESS)


def quest(st, team, failers=()) -> None:
    """A whole quest: ``team`` proposed, approved by all, ``failers`` play Fail."""
    propose(st, team)
    vote(st, range(st.n))
    cards(st, failers)


# -- rules --------------------------------------------------------------------------------

def test_quest_sizes_and_fails_needed_per_player_count():
    table = {5: (2, 3, 2, 3, 3), 6: (2, 3, 4, 3, 4), 7: (2, 3, 3, 4, 4),
             8: (3, 4, 4, 5, 5), 9: (3, 4, 4, 5, 5), 10: (3, 4, 4, 5, 5)}
    evil = {5: 2, 6: 2, 7: 3, 8: 3, 9: 3, 10: 4}
    for n, sizes in table.items():
        g = make(n)
        assert g.sizes == sizes
        assert g.needed == ((1, 1, 1, 2, 1) if n >= 7 else (1,) * 5)
        st = g.new_state(n)
        assert sum(t == "evil" for t in st.teams()) == evil[n]
        assert st.roles().count("merlin") == 1 and st.roles().count("assassin") == 1
        for q, size in enumerate(sizes):  # the leader may propose teams of this size only
            st.quest = q
            props = [g.teams[a - g.propose_base] for a in st.legal_actions()]
            assert {len(t) for t in props} == {size}
            assert len(props) == len({frozenset(t) for t in props})


def test_tie_vote_rejects_and_majority_approves():
    st = make(6).deal(SIX)
    propose(st, [0, 1])
    vote(st, {0, 1, 2})  # 3-3
    assert st.phase == PROPOSE and st.attempt == 1 and st.leader == 1
    assert st.proposals[-1].approved is False
    propose(st, [1, 2])
    vote(st, {0, 1, 2, 3})  # 4-2
    assert st.phase == QUEST and st.proposals[-1].approved and st.team == (1, 2)


def test_fifth_rejection_wins_for_evil():
    st = make(5).deal(FIVE)
    for k in range(5):
        assert not st.is_terminal
        propose(st, [k, (k + 1) % 5])
        vote(st, {0, 1})
    assert st.is_terminal and st.winner == "evil"
    assert st.returns() == (-1.0, -1.0, -1.0, 1.0, 1.0)
    assert st.outcome() == Outcome.team_result(st.teams(), "evil")


def test_fifth_proposal_is_approved_automatically_under_auto_approve():
    g = make(5, "avalonbench")
    assert g.rules.fifth_rejection == "auto_approve" and g.rules.players == 5
    st = g.deal(FIVE)
    for k in range(4):
        propose(st, [k, (k + 1) % 5])
        vote(st, set())
    assert st.attempt == 4 and st.leader == 4
    st.apply(g.propose([3, 4]))  # no talk, no vote: straight to the quest
    assert st.phase == QUEST and st.proposals[-1].votes is None and st.proposals[-1].approved
    cards(st, {3})
    assert st.quests[-1].fails == 1 and not st.quests[-1].success and not st.is_terminal


def test_two_fails_needed_on_the_fourth_quest_at_seven_players():
    # seats 4, 5, 6 are evil
    def to_fourth():
        st = make(7).deal(SEVEN)
        quest(st, [0, 1])
        quest(st, [0, 1, 4], {4})
        quest(st, [0, 1, 2])
        assert (st.successes, st.failures, st.quest) == (2, 1, 3)
        return st

    st = to_fourth()
    quest(st, [0, 1, 4, 5], {4})  # one Fail: the quest succeeds
    assert st.quests[-1].fails == 1 and st.quests[-1].success
    assert st.phase == ASSASSINATE and st.current_player == 4
    st = to_fourth()
    quest(st, [0, 4, 5, 6], {4, 5})  # two Fails: it fails
    assert st.quests[-1].fails == 2 and not st.quests[-1].success
    assert (st.successes, st.failures, st.phase) == (2, 2, PROPOSE)
    st = make(5).deal(FIVE)  # below 7 players one Fail fails the fourth quest
    quest(st, [0, 1])
    quest(st, [0, 1, 3], {3})
    quest(st, [0, 1])
    quest(st, [0, 1, 3], {3})
    assert not st.quests[-1].success and st.failures == 2


def test_good_cannot_play_fail():
    st = make(5).deal(FIVE)
    propose(st, [1, 3])
    vote(st, range(5))
    assert st.current_player == 1 and st.legal_actions() == (SUCCESS,)
    with pytest.raises(IllegalActionError):
        st.apply(FAIL)
    st.apply(SUCCESS)
    assert st.current_player == 3 and st.legal_actions() == (SUCCESS, FAIL)


def test_three_failed_quests_win_for_evil():
    st = make(5).deal(FIVE)
    quest(st, [0, 3], {3})
    quest(st, [0, 1, 4], {4})
    quest(st, [3, 4], {3, 4})
    assert st.is_terminal and st.winner == "evil" and st.quests[-1].fails == 2
    assert st.returns() == (-1.0, -1.0, -1.0, 1.0, 1.0)


def _three_successes():
    st = make(5).deal(FIVE)
    quest(st, [0, 1])
    quest(st, [0, 1, 2])
    quest(st, [1, 2])
    assert st.phase == ASSASSINATE and st.current_player == 3  # the Assassin names
    return st


def test_assassination():
    g = make(5)
    st = _three_successes()
    assert st.legal_actions() == tuple(g.assassinate(s) for s in (0, 1, 2))  # good seats
    hit = st.clone()
    hit.apply(g.assassinate(0))
    assert hit.winner == "evil" and hit.returns() == (-1.0, -1.0, -1.0, 1.0, 1.0)
    miss = st.clone()
    miss.apply(g.assassinate(2))
    assert miss.winner == "good" and miss.returns() == (1.0, 1.0, 1.0, -1.0, -1.0)
    assert miss.outcome().team == "good" and miss.outcome().winners == (0, 1, 2)
    with pytest.raises(IllegalActionError):
        st.apply(g.assassinate(4))


def test_statements_carry_free_text_into_every_view():
    st = make(5).deal(FIVE)
    g = st.game
    st.apply(g.propose([0, 1]))
    assert st.is_statement(g.accuse(3)) and st.is_statement(SAY_NOTHING)
    assert not st.is_statement(APPROVE) and not st.is_statement(g.propose([0, 1]))
    st.apply(g.accuse(3))
    st.add_text(0, "seat 3 looks shifty")
    st.apply(g.claim("merlin"))
    assert "seat 3 looks shifty" in st.text(4) and "claims to be merlin" in st.text(2)
    assert st.observation(2).statements[0].text == "seat 3 looks shifty"
    with pytest.raises(ValueError):
        st.add_text(3, "no statement yet")


# -- views ------------------------------------------------------------------------------

def _script(st, rng):
    """A fixed line of play legal under any deal (all Success, everyone approves)."""
    moves = []
    while not st.is_terminal and len(moves) < 60:
        legal = st.legal_actions()
        if st.phase in (VOTE, QUEST):
            a = legal[0]
        else:
            a = rng.choice(legal)
        moves.append(a)
        st.apply(a)
    return moves


def test_a_servant_never_sees_another_seats_role():
    g = make(5)
    a = g.deal(FIVE)
    b = g.deal(["assassin", "servant", "minion", "servant", "merlin"])
    moves = _script(a.clone(), random.Random(4))
    for m in moves:
        if a.phase == ASSASSINATE:
            break  # the Assassin is then public (it is the one to move)
        for s in (1,):
            assert a.observation(s) == b.observation(s)
            assert a.text(s) == b.text(s)
            assert (a.encode(s) == b.encode(s)).all()
        a.apply(m)
        b.apply(m)
    obs = g.deal(FIVE).observation(1)
    assert obs.known_roles == (None, "servant", None, None, None)
    assert "You know only your own role" in g.deal(FIVE).text(1)


def test_merlin_sees_evil_and_evil_see_each_other():
    st = make(5).deal(FIVE)
    assert st.observation(0).known_roles == ("merlin", None, None, "evil", "evil")
    assert st.observation(3).known_roles == (None, None, None, "assassin", "evil")
    assert st.observation(4).known_roles == (None, None, None, "evil", "minion")
    text = st.text(0)
    assert "seat 3 is evil" in text and "seat 4 is evil" in text and "seat 1 is" not in text
    assert "seat 4 is evil" in st.text(3)


def test_votes_are_hidden_until_all_have_voted():
    st = make(5).deal(FIVE)
    propose(st, [0, 1])
    yes, no = st.clone(), st.clone()
    yes.apply(APPROVE)
    no.apply(REJECT)
    for s in range(1, 5):
        assert yes.observation(s) == no.observation(s) and yes.text(s) == no.text(s)
        assert (yes.encode(s) == no.encode(s)).all()
    assert yes.observation(0).my_vote is True and no.observation(0).my_vote is False
    assert yes.observation(2).voted == (0,) and "Voted so far (hidden): seat 0" in yes.text(2)
    for st in (yes, no):
        vote(st, {1, 2})
    assert yes.observation(2).proposals[-1].votes == (True, True, True, False, False)
    assert no.observation(2).proposals[-1].votes == (False, True, True, False, False)
    assert yes.phase == QUEST and no.phase == PROPOSE


def test_determinize_keeps_what_the_seat_knows_and_the_fail_counts():
    g = make(5)
    st = g.deal(FIVE)
    quest(st, [0, 3], {3})  # failed: seat 0 or seat 3 is evil, as seat 1 sees it
    quest(st, [1, 2, 4], ())
    propose(st, [2, 4])
    st.apply(APPROVE)  # seat 2 leads the vote; its vote is hidden from the others
    key = st.information_state_key(1)
    deals = set()
    for k in range(200):
        d = st.determinize(1, random.Random(k))
        d.check_invariants()
        assert d.information_state_key(1) == key
        assert d.role_of[1] == "servant"
        assert d.is_evil(0) or d.is_evil(3)
        deals.add(tuple(d.role_of))
        assert d.votes[2] in (True, False)
    # evil sets without seat 1 and touching {0, 3}: 5 of the 6, each with its completions
    evil_sets = {frozenset(s for s, r in enumerate(roles) if r in ("assassin", "minion"))
                 for roles in deals}
    assert len(evil_sets) == 5 and frozenset({2, 4}) not in evil_sets
    assert {d.index("merlin") for d in deals} == {0, 2, 3, 4}  # any seat but its own
    for k in range(30):  # Merlin and evil keep the evil set they know
        assert st.determinize(0, random.Random(k)).teams() == st.teams()
        d = st.determinize(4, random.Random(k))
        assert d.teams() == st.teams() and d.role_of[4] == "minion"
    public = _three_successes()
    for k in range(30):  # a public Assassin stays the Assassin
        assert public.determinize(1, random.Random(k)).role_of[3] == "assassin"


@pytest.mark.parametrize("players, preset, seeds", [
    (5, None, 12), (7, None, 8), (10, None, 4), (5, "avalonbench", 8)])
def test_conformance(players, preset, seeds):
    check_game(make(players, preset), seeds=seeds)


# -- bots -------------------------------------------------------------------------------

def _play(game, good, evil, games, seed=0):
    """Good win rate with ``good`` in every good seat and ``evil`` in every evil one, and
    the Assassin's hits / shots."""
    wins = hits = shots = 0
    for i in range(games):
        st = game.new_state(seed + i)
        agents = [good if t == "good" else evil for t in st.teams()]
        rngs = [random.Random((seed + i) * 101 + s) for s in range(game.num_players)]
        while not st.is_terminal:
            p = st.current_player
            agents[p].start(p, rngs[p])
            st.apply(agents[p].act(SeatView(st, p), st.legal_actions()))
        wins += st.winner == "good"
        if st.target is not None:
            shots += 1
            hits += st.role_of[st.target] == "merlin"
    return wins / games, hits / max(1, shots)


def test_bots_on_both_sides_play_to_the_end_in_a_match():
    for players in (5, 8):
        g = make(players)
        _, records = run_match(g, ["avalon_bot"] * players, games=players, seed=3,
                               game_spec=f"avalon(players={players})")
        records = list(records)
        assert len(records) == players
        for rec in records:
            assert not rec.errors and sum(rec.illegal) == 0 and rec.team in ("good", "evil")
            assert rec.win_shares == [1.0 if t == rec.team else 0.0 for t in rec.teams]
            m = rec.metrics
            assert sum(m["good_games"]) == players - g.evil_count
            assert sum(m["good_wins"]) + sum(m["evil_wins"]) in (players - g.evil_count,
                                                                 g.evil_count)


def test_good_bots_beat_random_evil():
    g = make(5)
    bot, rnd = AvalonBot(AvalonBotParams(), g), RandomAgent(NoParams(), g)
    bots, _ = _play(g, bot, rnd, 300)
    chance, _ = _play(g, rnd, rnd, 300)
    assert bots > 0.5 and bots > chance + 0.15, (bots, chance)  # measured 0.64 vs 0.34
    assert _play(g, rnd, bot, 100)[0] < 0.1  # and evil bots crush random good


def test_smart_assassin_finds_merlin_more_often_than_a_random_one():
    g = make(5)
    bot = AvalonBot(AvalonBotParams(), g)
    _, smart = _play(g, bot, bot, 150)
    _, blind = _play(g, bot, AvalonBot(AvalonBotParams(assassin="random"), g), 150)
    assert smart > blind + 0.2, (smart, blind)  # measured about 0.8 vs 0.3


def test_metrics_of_a_hand_built_game():
    g = make(5)
    st = g.deal(FIVE)
    quest(st, [0, 3], {3})  # all approve a team with evil: good seats' votes wrong
    propose(st, [0, 1, 2])
    vote(st, {0, 1, 2})  # good approve a clean team, evil reject: right for good
    cards(st)
    quest(st, [1, 2])
    quest(st, [0, 1, 2])
    st.apply(g.assassinate(1))
    m = st.metrics()
    assert st.winner == "good"
    assert m["good_games"] == [1, 1, 1, 0, 0] and m["good_wins"] == [1, 1, 1, 0, 0]
    assert m["evil_games"] == [0, 0, 0, 1, 1] and m["evil_wins"] == [0] * 5
    assert m["merlin_assassinations"] == [1, 0, 0, 0, 0] and m["merlin_named"] == [0] * 5
    assert m["assassin_shots"] == [0, 0, 0, 1, 0] and m["assassin_hits"] == [0] * 5
    assert m["quests_joined"] == [3, 3, 3, 1, 0] and m["quests_succeeded"] == [2, 3, 3, 0, 0]
    assert m["votes_good"] == [4, 4, 4, 0, 0] and m["votes_right"] == [3, 3, 3, 0, 0]
    forfeit = Outcome.team_result(st.teams(), "evil")
    assert st.metrics(forfeit)["evil_wins"] == [0, 0, 0, 1, 1]


def test_the_example_tournament_gives_every_entrant_each_role_of_a_deal(tmp_path):
    """Roles are part of the deal: over a deal's seat rotations each entrant holds each of
    its roles once, so the per-(agent, role) tables count the same games for everyone."""
    import dataclasses
    from collections import Counter
    from pathlib import Path

    from tournaments.run import TournamentRunner, open_store, tournament_summary
    from tournaments.runners import SerialRunner
    from tournaments.spec import load_tournament

    t = load_tournament(Path(__file__).parents[1] / "tournaments/examples/avalon.toml")
    t = dataclasses.replace(t, deals=2)
    store = open_store(t, tmp_path / "out", resume=False)
    TournamentRunner(t, store, SerialRunner()).run()
    records = store.records()
    summary = tournament_summary(t, store)
    store.close()
    assert len(records) == 2 * 5  # two deals, five rotations
    names = [e.name for e in t.agents]
    for deal in {r.card_deal for r in records}:
        games = [r for r in records if r.card_deal == deal]
        dealt = Counter(games[0].roles)
        assert all(Counter(r.roles) == dealt and r.roles == games[0].roles for r in games)
        for name in names:
            held = Counter(r.roles[r.labels.index(name)] for r in games)
            assert held == dealt, (name, held)
    rows = {(row.agent, row.role): row.games for row in summary.roles.agent_roles}
    for name in names:
        assert rows[(name, "merlin")] == 2 and rows[(name, "assassin")] == 2
    assert {p.by_role for p in summary.pairs} == {True}
