"""The hidden-role base that Avalon and Werewolf share: roles and teams, free text on
statements, a team's result, and the observation's leading fields."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pytest

from games.avalon.game import AvalonGame, AvalonObservation, AvalonState
from games.hidden_roles import HiddenRoleGame, HiddenRoleObservation, HiddenRoleState
from games.werewolf.game import WerewolfGame, WerewolfObservation, WerewolfState


@dataclass(frozen=True)
class Said:
    seat: int
    text: str = ""


def test_both_games_share_the_base():
    assert issubclass(AvalonState, HiddenRoleState) and issubclass(WerewolfState, HiddenRoleState)
    assert issubclass(AvalonGame, HiddenRoleGame) and issubclass(WerewolfGame, HiddenRoleGame)
    for obs in (AvalonObservation, WerewolfObservation):
        names = [f.name for f in dataclasses.fields(obs)]
        assert names[:4] == ["seat", "role", "team", "known_roles"]
    assert [f.name for f in dataclasses.fields(HiddenRoleObservation)] == [
        "seat", "role", "team", "known_roles"]


def test_roles_teams_returns_and_outcome_follow_the_role_team_table():
    st = AvalonGame().deal(["merlin", "assassin", "servant", "minion", "servant"])
    assert st.roles() == ("merlin", "assassin", "servant", "minion", "servant")
    assert st.teams() == ("good", "evil", "good", "evil", "good")
    assert st.returns() == (0.0,) * 5  # nobody has won yet
    st.winner = "evil"
    assert st.returns() == (-1.0, 1.0, -1.0, 1.0, -1.0)
    out = st.outcome()
    assert out.team == "evil" and out.winners == (1, 3) and out.returns == st.returns()
    assert out.teams == st.teams()


def test_werewolf_draw_scores_zero_for_all():
    g = WerewolfGame(preset="small")
    st = g.new_state(3)
    assert st.teams() == tuple("wolves" if r == "werewolf" else "village" for r in st.roles())
    st.winner = None
    assert st.returns() == (0.0,) * g.num_players
    assert st.outcome().team is None


def test_add_text_joins_the_seat_s_last_statement_only():
    st = WerewolfGame().new_state(0)
    st.statements = [Said(0), Said(1, "hi"), Said(0, "first")]
    st.add_text(0, "second")
    st.add_text(1, "there")
    assert st.statements == [Said(0), Said(1, "hi\nthere"), Said(0, "first\nsecond")]
    st.add_text(0, "third")
    assert st.statements[2].text == "first\nsecond\nthird" and st.statements[0].text == ""
    with pytest.raises(ValueError, match="^werewolf: seat 4 has made no statement to attach "
                                         "text to$"):
        st.add_text(4, "nothing said")
    with pytest.raises(ValueError, match="^avalon: seat 2 has made no statement"):
        AvalonGame().new_state(0).add_text(2, "nothing said")


def test_information_state_key_is_the_observation_repr():
    for g in (AvalonGame(), WerewolfGame()):
        st = g.new_state(5)
        for seat in range(g.num_players):
            key = st.information_state_key(seat)
            assert key == repr(st.observation(seat))
            assert key.startswith(f"{type(st.observation(seat)).__name__}(seat={seat}, role=")
        assert g.num_players == g.rules.players and g.return_bounds() == (-1.0, 1.0)
