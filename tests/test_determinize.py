"""Determinizations are possible states that depend only on what the seat knows, and the
conformance checker catches a determinize that cheats."""

from __future__ import annotations

import random

import pytest

from arena.core.game import CHANCE, TERMINAL
from arena.core.registry import make_game
from arena.testing import check_game
from games.dhumbal.game import DhumbalGame, DhumbalState


def _river(game, seed):
    """A heads-up limit hold'em hand played (never folding) to a decision on the river."""
    rng = random.Random(seed)
    state = game.new_state(seed)
    while True:
        if state.current_player == CHANCE:
            actions, probs = zip(*state.chance_outcomes())
            state.apply(rng.choices(actions, probs)[0])
        else:
            state.apply(rng.choice([a for a in state.legal_actions() if a != 0]))
        board = [pa for pa in state.s.full_history() if pa.player < 0]
        if len(board) == 9 and state.current_player >= 0:
            return state
        assert state.current_player != TERMINAL


def test_holdem_river_determinizations_are_possible():
    """1,000 determinizations at the river: no card twice, the seat's information kept (the
    old fallback re-dealt about one in five with a card twice)."""
    game = make_game("holdem")
    for seed in range(100):
        state = _river(game, seed)
        for k in range(10):
            seat = k % 2
            sample = state.determinize(seat, random.Random(seed * 100 + k))
            cards = [pa.action for pa in sample.s.full_history() if pa.player < 0]
            assert len(set(cards)) == len(cards), f"a card dealt twice: {sample.reveal()}"
            sample.check_invariants()
            assert sample.information_state_key(seat) == state.information_state_key(seat)


def test_poker_invariants_catch_a_card_dealt_twice():
    game = make_game("holdem")
    state = game.new_state(0)
    first = state.chance_outcomes()[0][0]
    state.apply(first)
    state.s.apply_action(first)  # bypass the legality check, as the old fallback did
    state._sync()
    with pytest.raises(AssertionError, match="dealt twice"):
        state.check_invariants()


def test_phantom_ttt_samples_the_opponents_hidden_moves():
    """The opponent's stones are hidden in phantom tic-tac-toe: determinizations place them
    anew (replaying the real ones would tell the searcher where they are)."""
    game = make_game("phantom_ttt")
    state = game.new_state(0)
    for a in (4, 0, 8):
        state.apply(a)
    boards = {state.determinize(1, random.Random(k)).reveal() for k in range(30)}
    assert len(boards) > 3


# -- determinize implementations that cheat, and the checker catching them ------------------

class _Peeking(DhumbalState):
    """Hands back the opponents' real hands, reshuffling only the deck."""

    __slots__ = ()

    def clone(self):
        copy = super().clone()
        copy.__class__ = type(self)
        return copy

    def determinize(self, seat, rng):
        sample = self.clone()
        rng.shuffle(sample.deck)
        sample.rng = random.Random(rng.getrandbits(63))
        return sample


class _PeekingCanonical(_Peeking):
    """Hands back the opponents' real hands, dealing the deck afresh from a sorted order (so
    the sample does not depend on the real deck order)."""

    __slots__ = ()

    def determinize(self, seat, rng):
        sample = self.clone()
        sample.deck.sort()
        rng.shuffle(sample.deck)
        sample.rng = random.Random(rng.getrandbits(63))
        return sample


class _GlobalRandom(_Peeking):
    """Deals the hidden cards properly, but from the global ``random`` module."""

    __slots__ = ()

    def determinize(self, seat, rng):
        sample = DhumbalState.determinize(self, seat, random.Random(random.getrandbits(63)))
        sample.__class__ = type(self)
        return sample


def _game_with(state_class):
    class Cheating(DhumbalGame):
        def new_state(self, seed):
            state = super().new_state(seed)
            state.__class__ = state_class
            return state

    return Cheating.from_params({}, "standard")


def test_checker_catches_a_determinize_that_keeps_the_real_hands():
    with pytest.raises(AssertionError, match="start from the real hidden cards"):
        check_game(_game_with(_Peeking), seeds=3, determinizations=6)
    with pytest.raises(AssertionError, match="opponents' real hidden cards"):
        check_game(_game_with(_PeekingCanonical), seeds=3, determinizations=6)


def test_checker_catches_a_determinize_that_uses_the_global_random():
    with pytest.raises(AssertionError, match="global random"):
        check_game(_game_with(_GlobalRandom), seeds=3, determinizations=6)


def test_honest_dhumbal_passes_the_same_run():
    check_game(_game_with(DhumbalState), seeds=3, determinizations=6)
