"""Team games in the core: team outcomes, roles and teams in records, per-role statistics,
ratings that do not count teammates as opponents, the forfeit rule for teams."""

from __future__ import annotations

import random

import numpy as np
import pytest

from arena.core.agent import Agent
from arena.core.game import TERMINAL, Game, GameInfo, Outcome, State
from arena.core.seeding import derive_seed
from arena.play.match import GameJob, play
from arena.stats.ratings import openskill_ratings, pairwise_results
from arena.stats.roles import role_tables


class _TugState(State):
    """Four seats in two teams of two (dealt by the seed); each seat in turn pulls (1) or
    rests (0); the team with more pulls wins, equal pulls draw."""

    def __init__(self, game, seed):
        self.game = game
        seats = [0, 1, 2, 3]
        random.Random(seed).shuffle(seats)
        self.team_of = ["red"] * 4
        self.role_of = ["player"] * 4
        for s in seats[2:]:
            self.team_of[s] = "blue"
        self.role_of[seats[0]] = self.role_of[seats[2]] = "captain"
        self.pulls = []
        self.said = []
        self.current_player = 0

    def legal_actions(self):
        return (0, 1, 2) if self.current_player != TERMINAL else ()

    def is_statement(self, action):
        return action == 2  # "shout": a statement, and no pull

    def add_text(self, seat, text):
        self.said.append((seat, text))

    def _apply(self, action):
        self.pulls.append(1 if action == 1 else 0)
        self.current_player = len(self.pulls) if len(self.pulls) < 4 else TERMINAL

    def _winner(self):
        red = sum(p for s, p in enumerate(self.pulls) if self.team_of[s] == "red")
        blue = sum(self.pulls) - red
        return None if red == blue else "red" if red > blue else "blue"

    def outcome(self):
        return Outcome.team_result(self.team_of, self._winner())

    def returns(self):
        return self.outcome().returns

    def roles(self):
        return tuple(self.role_of)

    def teams(self):
        return tuple(self.team_of)

    def observation(self, seat):
        return (self.team_of[seat], tuple(self.pulls), tuple(self.said))

    def text(self, seat):
        return str(self.observation(seat))

    def encode(self, seat):
        return np.zeros(1, dtype=np.float32)

    def determinize(self, seat, rng):
        return self.clone()

    def clone(self):
        other = _TugState(self.game, 0)
        other.team_of, other.role_of = list(self.team_of), list(self.role_of)
        other.pulls, other.current_player = list(self.pulls), self.current_player
        other.said = list(self.said)
        return other


class _Tug(Game):
    name = "tug"
    info = GameInfo("tug", "a team test game", 4, 4, True, False, teams=True)

    num_players = property(lambda self: 4)
    num_actions = property(lambda self: 3)
    encoding_shape = property(lambda self: (1,))

    def new_state(self, seed):
        return _TugState(self, seed)

    def action_name(self, action):
        return ("rest", "pull", "shout")[action]

    def return_bounds(self):
        return (-1.0, 1.0)


class _Always(Agent):
    def __init__(self, game, move, says=None):
        super().__init__(None, game)
        self.move = move
        self.says = says

    def talk(self, view, action):
        return self.says

    def act(self, view, legal):
        if self.move is None:
            raise RuntimeError("broken agent")
        return self.move


def _play(labels, moves, seed, game=None):
    game = game or _Tug()
    job = GameJob(f"t/d{seed}/r0", "tug", None, tuple(labels), tuple(labels), seed)
    return play(job, game, [_Always(game, m) for m in moves])


def test_team_result_gives_every_winner_a_whole_win():
    o = Outcome.team_result(["good", "evil", "good", "evil", "good"], "evil")
    assert o.returns == (-1.0, 1.0, -1.0, 1.0, -1.0)
    assert o.ranks == (1, 0, 1, 0, 1) and o.winners == (1, 3)
    assert o.win_shares == (0.0, 1.0, 0.0, 1.0, 0.0)  # not 1/2 each: the team won
    draw = Outcome.team_result(["a", "b"], None)
    assert draw.returns == (0.0, 0.0) and draw.win_shares == (0.5, 0.5)
    with pytest.raises(ValueError, match="none of the seats"):
        Outcome.team_result(["a", "b"], "c")


def test_records_hold_each_seats_role_and_team_and_the_winning_team():
    seed = 5
    state = _Tug().new_state(derive_seed(seed, "deal"))  # the deal play() makes
    rec = _play(["a", "b", "c", "d"], [1, 1, 1, 1], seed)
    assert rec.roles == list(state.roles()) and rec.teams == list(state.teams())
    assert rec.team is None and rec.win_shares == [0.5] * 4  # 2 pulls each: a draw
    # Only seat 0 pulls: its team wins, both of its seats score a whole win.
    rec = _play(["a", "b", "c", "d"], [1, 0, 0, 0], seed)
    red = state.teams()[0]
    assert rec.team == red
    assert rec.win_shares == [1.0 if t == red else 0.0 for t in state.teams()]
    assert rec.returns == [1.0 if t == red else -1.0 for t in state.teams()]


def test_a_forfeit_in_a_team_game_loses_for_the_whole_team():
    rec = _play(["a", "b", "c", "d"], [1, 1, None, 1], 3)  # seat 2 breaks the game
    teams = _Tug().new_state(derive_seed(3, "deal")).teams()
    assert rec.forfeit == 2
    assert rec.team != teams[2] and rec.team is not None
    assert rec.win_shares == [0.0 if t == teams[2] else 1.0 for t in teams]


def test_role_tables_count_seats_by_role_team_and_agent():
    recs = [_play(["x", "y", "y2", "z"], [1, 0, 0, 0], seed) for seed in range(40)]
    tables = role_tables(recs, names=["x", "y", "y2", "z"])
    # x always pulls, the others never: x's team wins every game.
    x_team = {r.team: r for r in tables.agent_teams if r.agent == "x"}
    assert all(r.win_rate == 1.0 for r in x_team.values())
    teams = {r.team: r for r in tables.teams}
    # A game counts once per team and role: two seats of a team share one result.
    assert teams["red"].games == teams["blue"].games == 40
    assert teams["red"].wins + teams["blue"].wins == 40  # one team wins each game
    roles = {r.role: r for r in tables.roles}
    assert roles["captain"].games == roles["player"].games == 40
    by_agent_role = {(r.agent, r.role): r for r in tables.agent_roles}
    assert sum(r.games for (a, _), r in by_agent_role.items() if a == "x") == 40
    lo, hi = teams["red"].win_ci
    assert lo < teams["red"].win_rate < hi


def test_ratings_compare_only_seats_of_different_teams():
    rec = _play(["a", "b", "c", "d"], [1, 0, 0, 0], 7)
    teams = rec.teams
    pairs = pairwise_results([rec])
    assert len(pairs) == 4  # 2 x 2 across the teams, none between teammates
    for la, lb, score in pairs:
        ta, tb = teams["abcd".index(la)], teams["abcd".index(lb)]
        assert ta != tb
        assert score == (1.0 if ta == rec.team else 0.0)


def test_openskill_rates_a_team_game_as_two_teams():
    from openskill.models import PlackettLuce

    rec = _play(["a", "b", "c", "d"], [1, 0, 0, 0], 7)
    got = openskill_ratings([rec], ["a", "b", "c", "d"])
    model = PlackettLuce()
    teams = {}
    for label, team in zip(rec.labels, rec.teams):
        teams.setdefault(team, []).append(label)
    order = list(teams)
    new = model.rate([[model.rating(name=m) for m in teams[t]] for t in order],
                     ranks=[0 if t == rec.team else 1 for t in order])
    want = {m: r for t, team in zip(order, new) for m, r in zip(teams[t], team)}
    for label in "abcd":
        assert got[label]["mu"] == pytest.approx(want[label].mu)
        assert got[label]["sigma"] == pytest.approx(want[label].sigma)
    winners = [lab for lab, t in zip(rec.labels, rec.teams) if t == rec.team]
    assert all(got[w]["mu"] > 25 for w in winners)
    assert all(got[lab]["mu"] < 25 for lab in "abcd" if lab not in winners)


def test_free_text_joins_the_public_history_the_record_and_its_replay():
    from arena.play.match import MAX_TEXT, replay

    game = _Tug()
    job = GameJob("t/d1/r0", "tug", None, ("a", "b", "c", "d"), ("a", "b", "c", "d"), 1)
    agents = [_Always(game, 2, "I pull \x07next time"), _Always(game, 1, "ignored: no statement"),
              _Always(game, 2, None), _Always(game, 2, "x" * (MAX_TEXT + 50))]
    seen = []

    class _Reader(_Always):
        def act(self, view, legal):
            seen.append(view.observation()[2])
            return super().act(view, legal)

    agents[1] = _Reader(game, 1, "ignored: no statement")
    rec = play(job, game, agents)
    # Text only on statements, control characters dropped, long text cut.
    assert rec.texts == [[0, 0, "I pull next time"], [3, 3, "x" * MAX_TEXT]]
    assert seen == [((0, "I pull next time"),)]  # the next seat read it
    end = replay(game, rec)
    assert end.said == [(0, "I pull next time"), (3, "x" * MAX_TEXT)]
    assert list(end.outcome().returns) == rec.returns


def test_a_person_can_add_words_to_a_statement_and_is_told_the_team_result():
    from agents.human import HumanAgent

    game = _Tug()
    human = HumanAgent(None, game)
    answers = iter(["3", "we pull together", ])  # the third move ("shout"), then its words
    said = []
    human.ask = lambda prompt: next(answers)
    human.say = said.append
    job = GameJob("t/d2/r0", "tug", None, ("me", "b", "c", "d"), ("me", "b", "c", "d"), 2)
    rec = play(job, game, [human, _Always(game, 1), _Always(game, 0), _Always(game, 0)])
    assert rec.texts == [[0, 0, "we pull together"]]
    mine = rec.teams[0]
    want = "won!" if rec.team == mine else "lost"
    assert f"Your team ({mine})" in said[-1] and want in said[-1]


def test_the_forfeit_rule_scores_a_two_team_game_by_team():
    teams = ("good", "evil", "good", "evil", "good")
    out = Outcome.forfeited(5, 1, (-1.0, 1.0), teams=teams)
    assert out.forfeit == 1 and out.team == "good"
    assert out.win_shares == (1.0, 0.0, 1.0, 0.0, 1.0)
    assert out.returns == (1.0, -1.0, 1.0, -1.0, 1.0)
    # Without teams the seat-by-seat rule stands.
    assert Outcome.forfeited(5, 1, (-1.0, 1.0)).teams is None


# ------------------------------------------------- paired tests compare agents in one role

_ROLES = ["merlin", "servant", "servant", "assassin"]
_TEAM = {"merlin": "good", "servant": "good", "assassin": "evil"}


def _role_record(labels, good_wins, deal, rot):
    """A 4-seat game of the roles above (fixed by the deal, as a rotated deal keeps them)."""
    from arena.play.match import GameRecord

    teams = [_TEAM[r] for r in _ROLES]
    shares = [1.0 if (t == "good") == good_wins else 0.0 for t in teams]
    return GameRecord(
        job_id=f"t/d{deal}/r{rot}", game="g", rules=None, settings={}, seed=1000 + deal,
        agents=list(labels), labels=list(labels), actions=[], returns=list(shares),
        ranks=[0 if s else 1 for s in shares], winners=[s for s in range(4) if shares[s]],
        win_shares=shares, decisions=[0] * 4, think_ns=[0] * 4, max_think_ns=[0] * 4,
        illegal=[0] * 4, roles=list(_ROLES), teams=teams, team="good" if good_wins else "evil")


def _rotations(names):
    return [names[-r:] + names[:-r] if r else list(names) for r in range(len(names))]


def test_paired_test_compares_agents_in_the_same_role_not_across_teams():
    from arena.stats.pairwise import pairwise_tests

    # Every deal favours good, and a deal's last rotation (where a is evil) is missing:
    # compared game by game, a looks better than b in every deal; role by role (a and b as
    # Merlin, as servants) they are equal.
    recs = []
    for deal in range(20):
        for rot, labels in enumerate(_rotations(["a", "b", "c", "d"])[:3]):
            recs.append(_role_record(labels, True, deal, rot))
    (ab,) = [t for t in pairwise_tests(recs, ["a", "b", "c", "d"]) if (t.a, t.b) == ("a", "b")]
    assert ab.by_role and ab.win_a > ab.win_b
    assert ab.diff == 0.0 and ab.p_paired == 1.0 and not ab.significant_paired
    assert ab.deals == 20


def test_role_matched_difference_weights_each_role_by_its_pairs():
    from arena.stats.pairwise import pairwise_tests

    # One deal in four rotations, good winning in the first and third. a: Merlin won,
    # servant lost, servant won, assassin won (3/4); b: servant won, servant lost,
    # assassin lost, Merlin lost (1/4). Per role: Merlin 1 - 0, servants 1/2 - 1/2 (two
    # pairs), assassin 1 - 0: (1 + 2*0 + 1) / 4 = 1/2, the plain difference when every
    # rotation is there.
    rots = _rotations(["a", "b", "c", "d"])
    good = [True, False, True, False]
    recs = [_role_record(labels, g, 0, rot) for rot, (labels, g) in enumerate(zip(rots, good))]
    ab = {(t.a, t.b): t for t in pairwise_tests(recs, ["a", "b", "c", "d"])}[("a", "b")]
    assert (ab.win_a, ab.win_b, ab.deals) == (0.75, 0.25, 1)
    assert ab.diff == pytest.approx(0.5)
    # Without the last rotation only the servant seats pair up (1/2 - 1/2), where the game
    # by game difference would be 1/3.
    ab = {(t.a, t.b): t for t in pairwise_tests(recs[:3], ["a", "b", "c", "d"])}[("a", "b")]
    assert ab.diff == 0.0 and ab.deals == 1
