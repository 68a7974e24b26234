"""Dhumbal rules, checked against docs/rules/dhumbal.md with hand-built positions.

Every expected number below is worked out by hand from the rules page (see the comments), not
read back from the implementation. Card values under ``face_values="rank"``: A=1, 2-10 face,
J/Q/K = 11/12/13; under ``"ten"`` J/Q/K = 10.
"""

from __future__ import annotations

import random

import pytest

from arena.core.errors import IllegalActionError
from arena.core.game import TERMINAL
from arena.core.registry import make_game
from games.dhumbal.cards import (
    CALL,
    DRAW,
    MELD_BASE,
    TAKE_BASE,
    card_name,
    cards_of,
    mask_of,
    parse_cards,
)


# -- helpers ------------------------------------------------------------------------------
def C(text: str) -> int:
    """One card id from text such as '5♥'."""
    (c,) = parse_cards(text)
    return c


def take(text: str) -> int:
    return TAKE_BASE + C(text)


def meld(game, text: str) -> int:
    """The discard action for the meld made of exactly these cards (KeyError if no such meld)."""
    return game.meld_action[mask_of(parse_cards(text))]


def hand_of(st, seat: int) -> set[int]:
    return set(cards_of(st.hands[seat]))


def legal_discards(game, st) -> set[frozenset[int]]:
    """The melds the player to move may discard, as sets of cards."""
    out = set()
    for a in st.legal_actions():
        if a >= MELD_BASE:
            out.add(frozenset(game.meld_cards[a - MELD_BASE]))
    return out


def fs(text: str) -> frozenset[int]:
    return frozenset(parse_cards(text))


def set_hand(st, seat: int, text: str) -> None:
    """Give ``seat`` exactly these cards, taking them from wherever they are and putting the
    seat's old cards on the deck (so every card stays in exactly one place)."""
    cards = parse_cards(text)
    want = mask_of(cards)
    old = [c for c in cards_of(st.hands[seat]) if not want >> c & 1]
    for s in range(len(st.hands)):
        if s != seat:
            st.hands[s] &= ~want
            st.known[s] &= ~want
    st.deck = [c for c in st.deck if not want >> c & 1]
    for m in st.pile:
        for c in list(m):
            if want >> c & 1:
                m.remove(c)
                st.pile_count -= 1
    st.deck.extend(old)
    st.hands[seat] = want
    st.known[seat] = 0


# -- 1. showdown: a tie goes against the caller ------------------------------------------
def test_showdown_tie_goes_against_caller():
    g = make_game("dhumbal", "standard")
    # Seat 1 calls with A♠ 4♥ = 5. Others: seat 2 5♣ 9♦ = 14, seat 3 2♦ 3♣ = 5, seat 0 A♥ 4♣ = 5.
    # Seat 1 is not strictly lowest (ties 5 with seats 3 and 0) -> the call fails. Winner: the
    # lowest other hand, first in turn order AFTER the caller: order 2, 3, 0 -> seat 3 (not 0).
    st = g.position(["A♥ 4♣", "A♠ 4♥", "5♣ 9♦", "2♦ 3♣"], pile=["7♠"], current=1)
    assert CALL in st.legal_actions(), "a hand of 5 must be allowed to call (threshold 5)"
    st.apply(CALL)
    res = st.results[-1]
    assert res.caller == 1
    assert res.success is False, "a caller tying another hand must fail (tie goes against caller)"
    assert res.winner == 3, (
        f"failed call: winner must be the first lowest hand in turn order after the caller "
        f"(seat 3), got seat {res.winner}")
    assert res.capped is False
    assert res.totals == (5, 5, 14, 5)
    # points: winner 0; others add their totals; failed caller adds 5 + 25 = 30.
    assert res.deltas == (5, 30, 14, 0), "points: winner 0, failed caller total + 25, others total"
    assert st.scores == [5, 30, 14, 0]
    assert res.eliminated == ()
    m = st.metrics()
    assert m["calls"][1] == 1 and m["calls_won"][1] == 0, "a failed call is a call not won"
    assert m["round_wins"] == [0, 0, 0, 1]


def test_showdown_strictly_lowest_caller_succeeds():
    g = make_game("dhumbal", "standard")
    # Seat 1 calls with A♠ 3♥ = 4, strictly below 5, 14, 5 -> success, seat 1 wins.
    st = g.position(["A♥ 4♣", "A♠ 3♥", "5♣ 9♦", "2♦ 3♣"], pile=["7♠"], current=1)
    st.apply(CALL)
    res = st.results[-1]
    assert res.success is True and res.winner == 1, "a strictly lowest caller must win"
    assert res.totals == (5, 4, 14, 5)
    assert res.deltas == (5, 0, 14, 5), "points: winner adds 0, every other seat its hand total"
    m = st.metrics()
    assert m["calls"][1] == 1 and m["calls_won"][1] == 1
    assert m["call_totals"][1] == [4] and m["call_wins"][1] == [1]


# -- 2. melds ----------------------------------------------------------------------------
def test_ace_low_run_is_legal_and_ace_high_is_not():
    g = make_game("dhumbal", "standard")
    # A♠ 2♠ 3♠ 4♠ 9♦ (total 19, no call): singles, runs A-2-3, 2-3-4, A-2-3-4; nothing else.
    st = g.position(["A♠ 2♠ 3♠ 4♠ 9♦", "5c", "6c", "7c"], pile=["8c"])
    expected = {fs(x) for x in ("A♠", "2♠", "3♠", "4♠", "9♦")} | {
        fs("A♠ 2♠ 3♠"), fs("2♠ 3♠ 4♠"), fs("A♠ 2♠ 3♠ 4♠")}
    assert legal_discards(g, st) == expected, "runs: A-2-3 (Ace low) and longer runs are melds"
    assert CALL not in st.legal_actions(), "total 19 > threshold 5: no call"
    st.apply(g.action_from_name("discard A♠ 2♠ 3♠"))
    assert hand_of(st, 0) == set(parse_cards("4♠ 9♦")), "discarding A-2-3 removes those cards"
    assert [set(m) for m in st.pile] == [{C("8c")}, set(parse_cards("A♠ 2♠ 3♠"))]

    # Q♠ K♠ A♠ 2♠ 5♦: Ace is low only, so Q-K-A and K-A-2 are not runs; A-2 is only 2 cards.
    st = g.position(["Q♠ K♠ A♠ 2♠ 5♦", "5c", "6c", "7c"], pile=["8c"])
    expected = {fs(x) for x in ("Q♠", "K♠", "A♠", "2♠", "5♦")}
    assert legal_discards(g, st) == expected, "Q-K-A / K-A-2 must not be legal runs (Ace is low only)"
    assert mask_of(parse_cards("Q♠ K♠ A♠")) not in g.meld_action, "Q-K-A must not be a meld"

    # No wrap into the next suit's block either: Q♥ K♥ are followed (card ids) by A♠.
    # Q♥ K♥ A♥ A♠ 2♥: singles + the pair A♥ A♠; no run at all.
    st = g.position(["Q♥ K♥ A♥ A♠ 2♥", "5c", "6c", "7c"], pile=["8c"])
    expected = {fs(x) for x in ("Q♥", "K♥", "A♥", "A♠", "2♥")} | {fs("A♥ A♠")}
    assert legal_discards(g, st) == expected, "Q-K-A is not a run, in any suit"


def test_runs_need_one_suit_and_three_cards():
    g = make_game("dhumbal", "standard")
    # 2♠ 3♥ 4♠ 5♠ 9♦: 2-3-4 is mixed suit (no run); 4♠ 5♠ is a 2-card "run" (not a meld).
    st = g.position(["2♠ 3♥ 4♠ 5♠ 9♦", "5c", "6c", "7c"], pile=["8c"])
    expected = {fs(x) for x in ("2♠", "3♥", "4♠", "5♠", "9♦")}
    assert legal_discards(g, st) == expected, "runs must be one suit and at least 3 cards"
    with pytest.raises(IllegalActionError):
        st.apply(meld(g, "A♠ 2♠ 3♠"))  # a meld not in the hand

    # 9♥ 10♥ J♥ Q♥ K♥: runs of 3 (3 of them), 4 (2) and 5 (1) + 5 singles = 11 discards.
    st = g.position(["9♥ 10♥ J♥ Q♥ K♥", "5c", "6c", "7c"], pile=["8c"])
    got = legal_discards(g, st)
    runs = {m for m in got if len(m) >= 3}
    assert runs == {fs("9♥ 10♥ J♥"), fs("10♥ J♥ Q♥"), fs("J♥ Q♥ K♥"), fs("9♥ 10♥ J♥ Q♥"),
                    fs("10♥ J♥ Q♥ K♥"), fs("9♥ 10♥ J♥ Q♥ K♥")}, "every run of 3+ is a meld"
    assert len(got) == 11 and not any(len(m) == 2 for m in got), "no 2-card runs"


def test_sets_of_two_three_and_four():
    g = make_game("dhumbal", "standard")
    # 7♣ 7♦ 7♥ 7♠ 2♣: 5 singles + C(4,2)=6 pairs + C(4,3)=4 triples + 1 quad = 16 discards.
    st = g.position(["7♣ 7♦ 7♥ 7♠ 2♣", "5c", "6c", "8c"], pile=["9c"])
    got = legal_discards(g, st)
    by_size = {k: sum(1 for m in got if len(m) == k) for k in range(1, 6)}
    assert by_size == {1: 5, 2: 6, 3: 4, 4: 1, 5: 0}, f"sets of 2, 3, 4 of a rank: {by_size}"
    assert fs("7♣ 7♦ 7♥ 7♠") in got and fs("7♦ 7♠") in got
    assert not any(len(m) == 2 and C("2♣") in m for m in got), "a pair must be one rank"
    st.apply(meld(g, "7♦ 7♥ 7♠"))
    assert hand_of(st, 0) == set(parse_cards("7♣ 2♣"))


# -- 3. the pickup offer ----------------------------------------------------------------
def test_pickup_previous_set_run_single_and_first_turn():
    g = make_game("dhumbal", "standard")
    st = g.position(
        ["5♦ 5♥ 5♠ K♣ Q♣", "K♦ 2♣ 3♣ 4♦ 9♠", "6♥ 7♥ 8♥ 2♦ 3♦", "J♠ 10♠ 4♣ 4♥ A♦"],
        pile=["9♣"],
    )
    # First turn: the offer is the face-up starting card 9♣.
    st.apply(meld(g, "5♦ 5♥ 5♠"))
    assert st.legal_actions() == (DRAW, take("9♣")), "first turn: offer = the starting card"
    st.apply(DRAW)
    # Seat 1, after seat 0's set 5♦ 5♥ 5♠: any card of the set may be taken.
    assert st.current_player == 1
    st.apply(meld(g, "K♦"))
    assert st.legal_actions() == (DRAW, take("5♦"), take("5♥"), take("5♠")), (
        "pickup=previous: after a set, any card of it is offered")
    st.apply(take("5♥"))
    assert C("5♥") in hand_of(st, 1)
    assert cards_of(st.known[1]) == [C("5♥")], "a card taken from the offer becomes known"
    assert sorted(st.pile[1]) == sorted(parse_cards("5♦ 5♠")), "the taken card leaves the pile"
    # Seat 2, after seat 1's single K♦: only K♦.
    st.apply(meld(g, "6♥ 7♥ 8♥"))
    assert st.legal_actions() == (DRAW, take("K♦")), "after a single, that card is offered"
    st.apply(DRAW)
    # Seat 3, after seat 2's run 6♥ 7♥ 8♥: only the ends 6♥ and 8♥, not the middle 7♥.
    st.apply(meld(g, "J♠"))
    assert st.legal_actions() == (DRAW, take("6♥"), take("8♥")), (
        "pickup=previous: after a run only its end cards are offered")
    with pytest.raises(IllegalActionError):
        st.apply(take("7♥"))
    st.apply(take("8♥"))
    assert C("8♥") in hand_of(st, 3)
    st.check_invariants()


def test_first_turn_offer_in_a_dealt_round_is_the_starting_card():
    g = make_game("dhumbal", "standard")
    st = g.new_state(7)
    assert len(st.pile) == 1 and len(st.pile[0]) == 1, "one card turned face up to start the pile"
    start = st.pile[0][0]
    assert all(len(cards_of(h)) == 5 for h in st.hands), "5 cards dealt to each seat"
    assert len(st.deck) == 52 - 20 - 1
    assert st.current_player == 0, "the first round starts at seat 0"
    st.apply(next(a for a in st.legal_actions() if a >= MELD_BASE))
    assert TAKE_BASE + start in st.legal_actions(), "first turn: the starting card is offered"


def test_pickup_own_offers_the_card_just_thrown():
    g = make_game("dhumbal", "paper")
    st = g.position(
        ["3♣ 4♣ 5♣ K♦ Q♦", "K♥ 2♠ 3♠ 4♠ 9♠", "7♦ 7♥ 2♥ 3♥ J♣", "J♠ 10♠ 4♥ 6♥ A♦"],
        pile=["9♣"],
    )
    # Seat 0 throws the run 3♣ 4♣ 5♣: the top of the pile is now 5♣ (the last card thrown).
    st.apply(meld(g, "3♣ 4♣ 5♣"))
    assert st.legal_actions() == (DRAW, take("5♣")), (
        "pickup=own: the offer is the top card of the pile after your own discard (5♣)")
    st.apply(take("5♣"))
    assert C("5♣") in hand_of(st, 0)
    # Seat 1 throws K♥: the offer is K♥, none of seat 0's cards.
    st.apply(meld(g, "K♥"))
    assert st.legal_actions() == (DRAW, take("K♥")), "pickup=own: offer = the card just thrown"
    st.apply(DRAW)
    # Seat 2 throws the pair 7♦ 7♥: exactly one of those two cards is offered.
    st.apply(meld(g, "7♦ 7♥"))
    offered = [a - TAKE_BASE for a in st.legal_actions() if a >= TAKE_BASE]
    assert DRAW in st.legal_actions()
    assert len(offered) == 1 and offered[0] in parse_cards("7♦ 7♥"), (
        f"pickup=own: one card of the set just thrown is offered, got {offered}")
    st.check_invariants()


# -- 4. reshuffle ------------------------------------------------------------------------
def _full_position(g, hands, offer_meld, **kw):
    """A position using all 52 cards: the hands, one big old pile meld holding every other
    card, then ``offer_meld`` on top; the deck is empty."""
    placed = set(parse_cards(" ".join(hands))) | set(parse_cards(offer_meld))
    rest = [c for c in range(52) if c not in placed]
    st = g.position(hands, pile=[rest, offer_meld], fill_deck=False, **kw)
    return st, rest


def test_reshuffle_previous_keeps_offer_and_just_discarded():
    g = make_game("dhumbal(players=2)", "standard")
    st, rest = _full_position(g, ["K♣ 2♦", "Q♣ 3♦"], "7♦ 8♦ 9♦")
    st.check_invariants()
    assert st.deck == []
    st.apply(meld(g, "K♣"))
    assert DRAW in st.legal_actions(), "deck empty but the pile can be reshuffled: DRAW is legal"
    st.apply(DRAW)
    # The old pile (45 cards) becomes the deck; the offer 7♦ 8♦ 9♦ and the just-thrown K♣ stay.
    assert [sorted(m) for m in st.pile] == [sorted(parse_cards("7♦ 8♦ 9♦")), [C("K♣")]], (
        "reshuffle must keep the current offer meld and the meld just discarded on the pile")
    drawn = hand_of(st, 0) - {C("2♦")}
    assert len(drawn) == 1 and drawn <= set(rest), "the drawn card comes from the reshuffled pile"
    assert set(st.deck) == set(rest) - drawn and len(st.deck) == len(rest) - 1, (
        "every reshuffled card must be in the new deck (cards conserved)")
    st.check_invariants()
    # Seat 1's offer is K♣ (previous player's discard).
    st.apply(meld(g, "Q♣"))
    assert st.legal_actions() == (DRAW, take("K♣"))

    # The reshuffle uses the seeded RNG: the same position and seed give the same deck.
    decks = []
    for _ in range(2):
        s2, _ = _full_position(g, ["K♣ 2♦", "Q♣ 3♦"], "7♦ 8♦ 9♦", seed=5)
        s2.apply(meld(g, "K♣"))
        s2.apply(DRAW)
        decks.append((list(s2.deck), s2.hands[0]))
    assert decks[0] == decks[1], "reshuffle must be deterministic given the seed"


def test_reshuffle_own_keeps_only_the_meld_just_discarded():
    g = make_game("dhumbal(players=2)", "paper")
    st, rest = _full_position(g, ["K♣ 2♦", "Q♣ 3♦"], "7♦ 8♦ 9♦")
    st.apply(meld(g, "K♣"))
    assert st.legal_actions() == (DRAW, take("K♣"))
    st.apply(DRAW)
    # Under pickup=own the offer (K♣) is inside the meld just discarded; all else is reshuffled.
    pool = set(rest) | set(parse_cards("7♦ 8♦ 9♦"))
    assert [list(m) for m in st.pile] == [[C("K♣")]], "only the meld just discarded stays"
    drawn = hand_of(st, 0) - {C("2♦")}
    assert len(drawn) == 1 and drawn <= pool
    assert set(st.deck) == pool - drawn and len(st.deck) == len(pool) - 1
    st.check_invariants()


def test_nothing_to_reshuffle_forces_taking_the_offer():
    g = make_game("dhumbal(players=2)", "standard")
    # Deck empty, pile = just the offer meld: after seat 0 throws K♣ the pile holds only the
    # offer (7♦ 8♦ 9♦) and the just-thrown K♣ -> nothing to shuffle -> must take 7♦ or 9♦.
    st = g.position(["K♣ 2♦", "Q♣ 3♦"], pile=["7♦ 8♦ 9♦"], fill_deck=False)
    st.apply(meld(g, "K♣"))
    assert st.legal_actions() == (take("7♦"), take("9♦")), (
        "nothing left to reshuffle: DRAW must not be legal; only the offer may be taken")
    with pytest.raises(IllegalActionError):
        st.apply(DRAW)
    st.apply(take("9♦"))
    assert hand_of(st, 0) == set(parse_cards("2♦ 9♦"))


# -- 5. turn cap -------------------------------------------------------------------------
_CAP_HANDS = ["9♥ J♥", "2♣ 3♣", "K♠ 4♠", "A♣ 4♦"]


def test_turn_cap_lowest_wins_ties_from_next_seat():
    g = make_game("dhumbal(max_turns=3)", "standard")
    # turn 2 of 3: seat 2 throws K♠ and draws A♦ -> 3 turns played -> showdown, no caller.
    # Totals: seat 0 9+11 = 20, seat 1 2+3 = 5, seat 2 4+1 = 5, seat 3 1+4 = 5.
    # Tie at 5 (seats 1, 2, 3): first in turn order from the seat that would move next (3):
    # order 3, 0, 1, 2 -> seat 3 wins (not seat 1, the lowest index, nor seat 2, who just moved).
    st = g.position(_CAP_HANDS, pile=["5♠"], deck_top="A♦", current=2, turn=2)
    st.apply(meld(g, "K♠"))
    st.apply(DRAW)
    assert len(st.results) == 1, "the round must end after max_turns turns"
    res = st.results[0]
    assert res.capped is True and res.caller is None, "cap showdown has no caller (lowest_wins)"
    assert res.totals == (20, 5, 5, 5)
    assert res.winner == 3, (
        f"cap tie must go to the first in turn order from the next seat (3), got {res.winner}")
    assert res.deltas == (20, 5, 5, 0)
    m = st.metrics()
    assert m["calls"] == [0, 0, 0, 0], "no call was made at a lowest_wins turn cap"
    assert m["round_wins"] == [0, 0, 0, 1]
    assert st.current_player == 3 and st.round == 1, "standard: the round winner starts next"


def test_turn_cap_paper_lowest_counts_as_successful_caller():
    g = make_game("dhumbal(max_turns=3)", "paper")
    st = g.position(_CAP_HANDS, pile=["5♠"], deck_top="A♦", current=2, turn=2)
    st.apply(meld(g, "K♠"))
    st.apply(DRAW)
    res = st.results[0]
    assert res.capped is True
    assert res.winner == 3 and res.caller == 3 and res.success is True, (
        "paper (lowest_calls): the lowest hand at the cap counts as a successful caller")
    m = st.metrics()
    assert m["calls"] == [0, 0, 0, 1] and m["calls_won"] == [0, 0, 0, 1]
    # coins: every other seat pays seat 3 its total: 20 + 5 + 5 = 30.
    assert res.deltas == (-20, -5, -5, 30)
    assert st.current_player == TERMINAL, "paper: one round is one game"
    assert st.returns() == (-20.0, -5.0, -5.0, 30.0)


# -- 6. coins scoring --------------------------------------------------------------------
def test_coins_successful_call_each_pays_own_total_capped():
    g = make_game("dhumbal(payment_cap=30)", "paper")
    # Seat 0 calls with A♣ 2♣ 3♣ 4♦ = 10 (paper threshold 10). Others:
    # seat 1 K♠ Q♠ J♠ 10♠ 9♠ = 55 -> pays 30 (cap); seat 2 5♥ 6♥ = 11 -> pays 11;
    # seat 3 K♦ K♥ K♣ = 39 -> pays 30 (cap). Caller gets 71.
    st = g.position(["A♣ 2♣ 3♣ 4♦", "K♠ Q♠ J♠ 10♠ 9♠", "5♥ 6♥", "K♦ K♥ K♣"], pile=["7♠"])
    assert CALL in st.legal_actions(), "paper: a total of 10 may call (threshold 10)"
    st.apply(CALL)
    res = st.results[0]
    assert res.success and res.winner == 0
    assert res.totals == (10, 55, 11, 39)
    assert res.deltas == (71, -30, -11, -30), "successful call: each other pays own total, capped"
    assert st.coins == [10071, 9970, 9989, 9970], "coins start at 10,000"
    assert st.returns() == (71.0, -30.0, -11.0, -30.0)
    assert st.outcome().winners == (0,)
    assert st.metrics()["coin_change"] == [71, -30, -11, -30]


def test_coins_failed_call_caller_pays_sum_of_all_capped():
    g = make_game("dhumbal(payment_cap=8)", "paper")
    # Seat 0 calls with 10; seat 2 has 5♥ 2♦ = 7 < 10 -> call fails, seat 2 (lowest other) wins.
    # Caller pays the sum of ALL totals incl. its own, each capped at 8:
    # min(10,8) + min(55,8) + min(7,8) + min(10,8) = 8 + 8 + 7 + 8 = 31.
    st = g.position(["A♣ 2♣ 3♣ 4♦", "K♠ Q♠ J♠ 10♠ 9♠", "5♥ 2♦", "A♥ 9♥"], pile=["7♠"])
    st.apply(CALL)
    res = st.results[0]
    assert res.success is False and res.winner == 2
    assert res.totals == (10, 55, 7, 10)
    assert res.deltas == (-31, 0, 31, 0), (
        "failed call: caller pays the winner the sum of all totals (own included), each capped")
    assert st.coins == [9969, 10000, 10031, 10000]
    m = st.metrics()
    assert m["calls"][0] == 1 and m["calls_won"][0] == 0 and m["call_totals"][0] == [10]


def test_coins_failed_call_uncapped_sum_and_tie_winner():
    g = make_game("dhumbal", "paper")
    # cap 100: seat 0 calls with 10; seats 2 and 3 tie it at 10 -> fails; winner = first in
    # turn order after the caller among the lowest others -> seat 2. Pays 10+55+10+10 = 85.
    st = g.position(["A♣ 2♣ 3♣ 4♦", "K♠ Q♠ J♠ 10♠ 9♠", "5♥ 5♦", "A♥ 9♥"], pile=["7♠"])
    st.apply(CALL)
    res = st.results[0]
    assert res.success is False and res.winner == 2
    assert res.deltas == (-85, 0, 85, 0)


# -- 7. points scoring, elimination and ranking ------------------------------------------
def test_points_elimination_and_final_ranking():
    g = make_game("dhumbal", "standard")
    # Round 0, scores 90/80/95/50. Seat 0 calls with A♣ 4♣ = 5; seat 3 has A♦ 2♦ = 3 -> fails;
    # seat 3 (lowest other) wins. Points: seat 0 +5+25 = 30 -> 120 (out, > 100);
    # seat 1 10♠ 10♥ = 20 -> exactly 100 (NOT out); seat 2 6♥ = 6 -> 101 (out); seat 3 +0 -> 50.
    st = g.position(["A♣ 4♣", "10♠ 10♥", "6♥", "A♦ 2♦"], pile=["7♠"],
                    scores=[90, 80, 95, 50])
    st.apply(CALL)
    res = st.results[0]
    assert res.success is False and res.winner == 3
    assert res.deltas == (30, 20, 6, 0)
    assert st.scores == [120, 100, 101, 50]
    assert res.eliminated == (0, 2), "scores above 100 are out; exactly 100 is not"
    assert st.active == [False, True, False, True]
    assert st.current_player == 3, "the game goes on; the round winner (seat 3) starts"
    assert st.round == 1
    assert st.hands[0] == 0 and st.hands[2] == 0, "eliminated seats get no cards"
    assert len(cards_of(st.hands[1])) == 5 and len(cards_of(st.hands[3])) == 5
    st.check_invariants()

    # Round 1: seat 3 calls with A♠ 2♠ = 3 against seat 1's K♠ K♥ K♦ K♣ Q♠ = 64 -> success;
    # seat 1 goes to 164 -> out in round 1. Seat 3 is the last one left.
    set_hand(st, 3, "A♠ 2♠")
    set_hand(st, 1, "K♠ K♥ K♦ K♣ Q♠")
    st.check_invariants()
    st.apply(CALL)
    res = st.results[1]
    assert res.success and res.winner == 3 and res.eliminated == (1,)
    assert st.scores == [120, 164, 101, 50]
    assert st.current_player == TERMINAL, "the game ends when one player is left"
    # Ranks: seat 3 (left) 0; seat 1 (out in round 1, later) 1 despite the highest score;
    # seats 0 and 2 out in round 0: lower score first -> seat 2 (101) 2, seat 0 (120) 3.
    out = st.outcome()
    assert out.ranks == (3, 1, 2, 0), f"ranking: last left, later out, lower score; got {out.ranks}"
    assert out.winners == (3,)
    # returns 1 - 2*rank/(n-1), n = 4.
    assert st.returns() == pytest.approx((-1.0, 1.0 / 3.0, -1.0 / 3.0, 1.0))


def test_points_yaniv_penalty_and_elimination_threshold():
    g = make_game("dhumbal", "yaniv")
    # yaniv: penalty 30, out above 200. Seat 0 calls with 3♣ 4♦ = 7 (threshold 7); seat 1 has
    # 2♥ 5♠ = 7 -> tie, call fails, winner seat 1. Seat 0: 170 + 7 + 30 = 207 -> out.
    # Seat 2 K♥ = 10 (ten) -> 190 + 10 = 200 -> not out. Seat 3 J♣ Q♣ = 20 -> 20.
    st = g.position(["3♣ 4♦", "2♥ 5♠", "K♥", "J♣ Q♣"], pile=["7♠"], scores=[170, 0, 190, 0])
    st.apply(CALL)
    res = st.results[0]
    assert res.success is False and res.winner == 1
    assert res.deltas == (37, 0, 10, 20)
    assert res.eliminated == (0,), "yaniv: out only above 200"


# -- 8. calling and card values ----------------------------------------------------------
def test_call_only_at_start_of_turn_and_under_threshold():
    g = make_game("dhumbal", "standard")
    st = g.position(["A♣ 4♦", "5c", "6c", "7c"], pile=["8c"])
    assert CALL in st.legal_actions(), "total 5 <= threshold 5: may call"
    assert st.observation(0).can_call
    st = g.position(["2♣ 4♦", "5c", "6c", "7c"], pile=["8c"])
    assert CALL not in st.legal_actions(), "total 6 > threshold 5: may not call"
    with pytest.raises(IllegalActionError):
        st.apply(CALL)
    # After discarding (draw phase) no call, even with a total under the threshold.
    st = g.position(["A♣ 2♣ K♦", "5c", "6c", "7c"], pile=["8c"])
    assert CALL not in st.legal_actions(), "total 16: no call"
    st.apply(meld(g, "K♦"))
    assert st.phase == 1
    assert g.hand_total(st.hands[0]) == 3
    assert CALL not in st.legal_actions(), "a call is only legal at the start of a turn"
    assert not st.observation(0).can_call
    with pytest.raises(IllegalActionError):
        st.apply(CALL)


def test_call_thresholds_of_presets():
    # paper 10, yaniv 7.
    for preset, ok, too_much in (("paper", "4♣ 6♦", "5♣ 6♦"), ("yaniv", "3♣ 4♦", "4♣ 4♦")):
        g = make_game("dhumbal", preset)
        st = g.position([ok, "5c", "6c", "7c"], pile=["8c"])
        assert CALL in st.legal_actions(), f"{preset}: {ok} is at the threshold, may call"
        st = g.position([too_much, "5c", "6c", "7c"], pile=["8c"])
        assert CALL not in st.legal_actions(), f"{preset}: {too_much} is over the threshold"


def test_face_values_ten_and_rank():
    hands = ["A♣ 2♣", "J♠ Q♥ K♦", "10♣ K♣", "5♦ 5♥"]
    # ten (yaniv): J/Q/K = 10 -> 3, 30, 20, 10.  rank (standard): 11/12/13 -> 3, 36, 23, 10.
    for preset, totals in (("yaniv", (3, 30, 20, 10)), ("standard", (3, 36, 23, 10))):
        g = make_game("dhumbal", preset)
        st = g.position(hands, pile=["7♠"])
        assert tuple(st.observation(s).hand_total for s in range(4)) == totals, (
            f"{preset}: wrong card values")
        st.apply(CALL)
        assert st.results[0].totals == totals, f"{preset}: showdown totals use the face values"
    # A King is 10 under ten, 13 under rank.
    assert make_game("dhumbal", "yaniv").hand_total(mask_of(parse_cards("K♠"))) == 10
    assert make_game("dhumbal", "standard").hand_total(mask_of(parse_cards("K♠ A♠"))) == 14


# -- 9. who starts the next round --------------------------------------------------------
def test_standard_next_round_starts_with_winner():
    g = make_game("dhumbal", "standard")
    # Seat 0 calls with A♣ 4♣ = 5; seat 2 holds A♦ 2♦ = 3 -> fails; winner seat 2 starts next.
    st = g.position(["A♣ 4♣", "10♠", "A♦ 2♦", "9♥"], pile=["7♠"])
    st.apply(CALL)
    assert st.results[0].winner == 2
    assert st.round == 1 and st.current_player == 2, "standard: the round winner starts"
    assert st.phase == 0
    assert all(len(cards_of(h)) == 5 for h in st.hands), "a fresh deal of 5 cards each"
    assert len(st.pile) == 1 and len(st.pile[0]) == 1
    assert st.scores == [30, 10, 0, 9]
    st.check_invariants()


def test_paper_next_round_starts_at_seat0_and_coins_carry():
    g = make_game("dhumbal(session_rounds=2)", "paper")
    # Seat 2 calls with A♣ 2♣ = 3: others K♠ 13, 9♥ 9, 5♦ 6♦ 11 -> success; gets 33.
    st = g.position(["K♠", "9♥", "A♣ 2♣", "5♦ 6♦"], pile=["7♠"], current=2)
    st.apply(CALL)
    assert st.results[0].success and st.results[0].winner == 2
    assert st.coins == [9987, 9991, 10033, 9989]
    assert st.current_player == 0 and st.round == 1, "paper: every round starts at seat 0"
    st.check_invariants()
    rng = random.Random(1)
    while st.current_player != TERMINAL:
        st.apply(rng.choice(st.legal_actions()))
    assert len(st.results) == 2, "session_rounds=2: the game is two rounds"
    d = st.results[1].deltas
    assert st.coins == [c + x for c, x in zip([9987, 9991, 10033, 9989], d)], "coins carry over"
    assert st.returns() == tuple(float(c - 10000) for c in st.coins)


# -- 10. hidden information --------------------------------------------------------------
def _names(cards) -> list[str]:
    return [card_name(c) for c in cards]


def test_text_and_observation_hide_other_hands():
    g = make_game("dhumbal", "standard")
    hands = ["A♣ 2♣ 3♦ K♦ 9♠", "K♥ 7♣ 8♦ J♠ 4♥", "Q♣ 6♦ 10♥ 2♠ 3♠", "A♥ 5♣ 6♣ 9♦ 10♠"]
    st = g.position(hands, pile=["4♠"], deck_top="Q♦ 8♣")
    for seat in range(4):
        obs = st.observation(seat)
        assert obs.hand == tuple(sorted(parse_cards(hands[seat]))), "observation.hand: own cards"
        text = st.text(seat)
        for other in range(4):
            for name in _names(parse_cards(hands[other])):
                if other == seat:
                    assert name in text, f"seat {seat} must see its own {name}"
                else:
                    assert name not in text, f"seat {seat}'s text leaks seat {other}'s {name}"
    # Seat 0 discards K♦ and takes the offered 4♠: 4♠ becomes public (known), the rest not.
    st.apply(meld(g, "K♦"))
    st.apply(take("4♠"))
    # Seat 1 discards 7♣ and draws Q♦ from the deck: nobody else may learn Q♦.
    st.apply(meld(g, "7♣"))
    st.apply(DRAW)
    assert C("Q♦") in hand_of(st, 1)
    for seat in (0, 2, 3):
        text = st.text(seat)
        assert "Q♦" not in text, f"seat {seat} learns seat 1's deck draw Q♦"
        for name in _names(parse_cards("K♥ 8♦ J♠ 4♥")):
            assert name not in text, f"seat {seat}'s text leaks seat 1's {name}"
        assert st.observation(seat).hand == tuple(sorted(cards_of(st.hands[seat])))
    for seat in (1, 2, 3):
        text = st.text(seat)
        assert "known to hold 4♠" in text, "a card taken from the offer is public"
        for name in _names(parse_cards("A♣ 2♣ 3♦ 9♠")):
            assert name not in text, f"seat {seat}'s text leaks seat 0's hidden {name}"
        assert st.observation(seat).known[0] == (C("4♠"),)
    assert "Q♦" in st.text(1), "the drawing seat sees its own new card"
