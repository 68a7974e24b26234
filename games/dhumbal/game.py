"""Dhumbal (Jhyap): the Nepali draw-and-discard card game, every rule a setting.

Rules page: docs/rules/dhumbal.md (every setting and the preset table). Presets
``paper`` (the seed study's conditions), ``standard`` (recommended) and ``yaniv``.

A turn is two decisions: first ``call`` or discard a meld, then draw (deck or offer). Chance
(shuffles) comes from the state's own generator, seeded by ``new_state(seed)``.
"""

from __future__ import annotations

import random
from itertools import combinations
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from arena.core.game import TERMINAL, Game, GameInfo, MetricSpec, Outcome, State
from arena.core.params import param

from .cards import (
    CALL,
    DRAW,
    MELD_BASE,
    TAKE_BASE,
    card_name,
    card_value,
    cards_of,
    mask_of,
    melds,
    parse_cards,
)

DISCARD, PICKUP = 0, 1
PHASES = ("discard", "draw")


@dataclass(frozen=True)
class DhumbalRules:
    """Rule settings of Dhumbal (see docs/rules/dhumbal.md)."""

    players: int = param(4, "seats at the table (2-5)")
    hand_size: int = param(5, "cards dealt to each player")
    face_values: Literal["rank", "ten"] = param("rank", "J/Q/K count 11/12/13 (rank) or 10 (ten)")
    call_threshold: int = param(5, "a player may call only with a hand total <= this")
    pickup: Literal["previous", "own"] = param(
        "previous", "offer = the previous player's discard, or the card you just threw (own)"
    )
    max_turns: int = param(200, "turns in a round before a showdown with no caller")
    cap_showdown: Literal["lowest_wins", "lowest_calls"] = param(
        "lowest_wins", "at the turn cap the lowest hand wins (or counts as a successful caller)"
    )
    scoring: Literal["coins", "points"] = param("points", "coins (the study) or points (elimination)")
    payment_cap: int = param(100, "coins: most a single hand pays")
    start_coins: int = param(10000, "coins: each player's starting coins")
    session_rounds: int = param(1, "coins: rounds in one game, coins carried over")
    fail_penalty: int = param(25, "points: added to a failed caller's hand total")
    elimination: int = param(100, "points: a player whose score exceeds this is out")
    starter: Literal["seat0", "winner"] = param(
        "winner", "who starts rounds after the first: seat 0, or the previous round's winner"
    )

    def __post_init__(self) -> None:
        if not 2 <= self.players <= 5:
            raise ValueError(f"players={self.players} must be between 2 and 5")
        if not 1 <= self.hand_size <= 10 or self.players * self.hand_size + 2 > 52:
            raise ValueError(
                f"hand_size={self.hand_size} must be 1-10 and leave a deck "
                f"({self.players} players x {self.hand_size} + 2 <= 52)"
            )
        for name in ("max_turns", "session_rounds", "payment_cap", "elimination"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}={getattr(self, name)} must be at least 1")
        if self.call_threshold < 0 or self.fail_penalty < 0 or self.start_coins < 0:
            raise ValueError("call_threshold, fail_penalty and start_coins must be >= 0")


PRESETS = {
    "paper": dict(
        players=4, face_values="rank", call_threshold=10, pickup="own", max_turns=100,
        cap_showdown="lowest_calls", scoring="coins", payment_cap=100, session_rounds=1,
        starter="seat0",
    ),
    "standard": dict(
        players=4, face_values="rank", call_threshold=5, pickup="previous", max_turns=200,
        cap_showdown="lowest_wins", scoring="points", fail_penalty=25, elimination=100,
        starter="winner",
    ),
    "yaniv": dict(
        players=4, face_values="ten", call_threshold=7, pickup="previous", max_turns=200,
        cap_showdown="lowest_wins", scoring="points", fail_penalty=30, elimination=200,
        starter="winner",
    ),
}


@dataclass(frozen=True)
class PositionSetup:
    """What a hand-built position (``DhumbalGame.position``) holds besides the cards; every
    field may also be passed to ``position`` by name."""

    current: int = 0
    """The seat whose turn begins."""
    turn: int = 0
    """Turns already played in the round."""
    fill_deck: bool = True
    """Every card not placed goes into the deck below ``deck_top`` (else the deck holds
    just ``deck_top``)."""
    scores: Sequence[int] | None = None
    """Points per seat (default 0)."""
    coins: Sequence[int] | None = None
    """Coins per seat (default the rules' ``start_coins``)."""
    active: Sequence[bool] | None = None
    """Seats still in the game (default all)."""
    known: Sequence | None = None
    """Per seat, its cards the others know (picked up from the pile); default none."""
    seed: int = 0
    """Seeds the shuffle of the filled deck and the state's generator."""


@dataclass(frozen=True)
class RoundResult:
    """A finished round, public to all: every hand is shown at the showdown."""

    round: int
    caller: int | None
    """The calling seat (or, under ``cap_showdown=lowest_calls``, the lowest hand at the cap)."""
    success: bool
    winner: int
    capped: bool
    """True if the round ended at the turn cap."""
    hands: tuple[tuple[int, ...], ...]
    totals: tuple[int | None, ...]
    """Hand total per seat (None for seats already out)."""
    deltas: tuple[int, ...]
    """Coins won (coins scoring) or points added (points scoring) per seat."""
    eliminated: tuple[int, ...] = ()


class DhumbalObservation:
    """What one seat knows. Cards are ints (see cards.py); seats are absolute.

    A snapshot, equal to another with the same fields. Built on every decision of every
    agent, so it is cheap to make: the seat's hand and the known cards are kept as card
    masks (public ones, or the seat's own) and unpacked into card tuples when first read.
    """

    FIELDS = ("seat", "to_move", "phase", "hand", "hand_total", "can_call", "offer",
              "hand_sizes", "known", "pile", "deck_size", "turn", "round", "scores", "coins",
              "active", "history", "last_result")
    __slots__ = ("seat", "to_move", "phase", "hand_total", "can_call", "offer", "hand_sizes",
                 "pile", "deck_size", "turn", "round", "scores", "coins", "active", "history",
                 "last_result", "_hand", "_known")

    seat: int
    to_move: int
    phase: str
    hand_total: int
    can_call: bool
    offer: tuple[int, ...]
    """Cards the player to move may take (in the discard phase under ``pickup=previous``: the
    cards that player will be offered after discarding)."""
    hand_sizes: tuple[int, ...]
    pile: tuple[tuple[int, ...], ...]
    """The discard pile, oldest meld first (all of it has been seen face up)."""
    deck_size: int
    turn: int
    round: int
    scores: tuple[int, ...]
    coins: tuple[int, ...]
    active: tuple[bool, ...]
    history: tuple[tuple[int, int], ...]
    """This round's (seat, action) moves so far."""
    last_result: "RoundResult | None"

    @property
    def hand(self) -> tuple[int, ...]:
        """The seat's cards, ascending."""
        if isinstance(self._hand, int):
            self._hand = tuple(cards_of(self._hand))
        return self._hand

    @property
    def known(self) -> tuple[tuple[int, ...], ...]:
        """Cards known to be in each seat's hand (taken from an offer, not yet discarded)."""
        if self._known and isinstance(self._known[0], int):
            self._known = tuple(tuple(cards_of(k)) if k else () for k in self._known)
        return self._known

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DhumbalObservation):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in self.FIELDS)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, f) for f in self.FIELDS))

    def __repr__(self) -> str:
        return "DhumbalObservation(" + ", ".join(
            f"{f}={getattr(self, f)!r}" for f in self.FIELDS) + ")"


class DhumbalGame(Game):
    """Dhumbal (Jhyap), 2-5 players: lowest hand wins; call when you think you are lowest."""

    info = GameInfo(
        name="dhumbal",
        description="Nepali draw-and-discard card game (Jhyap), a relative of Yaniv",
        min_players=2,
        max_players=5,
        perfect_information=False,
        chance=True,
    )
    Rules = DhumbalRules
    presets = PRESETS
    default_preset = "standard"

    def __init__(self, rules: DhumbalRules | None = None, preset: str | None = None):
        super().__init__(rules, preset)
        r: DhumbalRules = self.rules
        self.melds = melds(r.hand_size)
        self.values = tuple(card_value(c, r.face_values) for c in range(52))
        self.meld_masks = tuple(m.mask for m in self.melds)
        self.meld_cards = tuple(m.cards for m in self.melds)
        self.meld_offer = tuple(m.offer for m in self.melds)
        self.meld_action = {m.mask: MELD_BASE + i for i, m in enumerate(self.melds)}
        self._discard_cache: dict[int, tuple[tuple[int, ...], int]] = {}
        self._shed_cache: dict[int, int] = {}
        metrics = [
            MetricSpec("round_win_rate", "rounds won / rounds played", "ratio", "round_wins", "rounds"),
            MetricSpec("call_success", "successful calls / calls", "ratio", "calls_won", "calls"),
            MetricSpec("calls_per_round", "calls / rounds played", "ratio", "calls", "rounds"),
            MetricSpec("cards_per_round", "cards discarded / rounds played", "ratio",
                       "cards_discarded", "rounds"),
            MetricSpec("risk_r", "Pearson r of hand total at call vs call success", "pearson",
                       "call_totals", "call_wins"),
        ]
        if r.scoring == "coins":
            metrics.insert(1, MetricSpec("coins_per_round", "mean coin change per round", "ratio",
                                         "coin_change", "rounds"))
        else:
            metrics.insert(1, MetricSpec("points_per_round", "mean points added per round",
                                         "ratio", "points_added", "rounds"))
        self.metric_specs = tuple(metrics)

    @property
    def num_players(self) -> int:
        return self.rules.players

    def return_bounds(self) -> tuple[float, float]:
        """Points scoring: 1 (first) to -1 (last). Coins: per round a seat loses at most
        what a failed call costs, every hand's total (the highest cards of a full hand; a
        hand never grows past ``hand_size``), each capped at ``payment_cap``, and wins at
        most the other hands' worth; a game is ``session_rounds`` rounds."""
        r = self.rules
        if r.scoring == "points":
            return (-1.0, 1.0)
        values = sorted((card_value(c, r.face_values) for c in range(52)), reverse=True)
        hand = min(sum(values[:r.hand_size]), r.payment_cap)
        rounds = r.session_rounds
        return (-float(r.players * hand * rounds), float(r.players * hand * rounds))

    @property
    def num_actions(self) -> int:
        return MELD_BASE + len(self.melds)

    @property
    def encoding_shape(self) -> tuple[int, ...]:
        n = self.rules.players
        return (52 * 3 + 52 * (n - 1) + 3 * n + 7,)

    def new_state(self, seed: int) -> "DhumbalState":
        return DhumbalState(self, seed)

    def action_name(self, action: int) -> str:
        if action == CALL:
            return "call"
        if action == DRAW:
            return "draw from deck"
        if TAKE_BASE <= action < MELD_BASE:
            return "take " + card_name(action - TAKE_BASE)
        if MELD_BASE <= action < self.num_actions:
            return "discard " + " ".join(card_name(c) for c in self.meld_cards[action - MELD_BASE])
        raise ValueError(f"dhumbal: no action {action} (valid 0-{self.num_actions - 1})")

    def hand_total(self, hand: int) -> int:
        hit = self._discard_cache.get(hand)
        if hit is not None:
            return hit[1]
        values = self.values
        return sum(values[c] for c in cards_of(hand))

    def discard_options(self, hand: int) -> tuple[tuple[int, ...], int]:
        """(legal actions at the start of a turn, hand total) for a hand mask; cached."""
        hit = self._discard_cache.get(hand)
        if hit is not None:
            return hit
        cards = cards_of(hand)
        total = sum(self.values[c] for c in cards)
        acts = [MELD_BASE + c for c in cards]  # singles are melds 0-51
        by_rank: dict[int, list[int]] = {}
        for c in cards:
            by_rank.setdefault(c % 13, []).append(c)
        lookup = self.meld_action
        for same in by_rank.values():
            if len(same) >= 2:
                for size in range(2, len(same) + 1):
                    acts.extend(lookup[mask_of(combo)] for combo in combinations(same, size))
        for c in cards:
            length, rank = 1, c % 13
            while rank + length <= 12 and hand >> (c + length) & 1:
                length += 1
                if length >= 3:
                    acts.append(lookup[((1 << length) - 1) << c])
        acts.sort()
        if total <= self.rules.call_threshold:
            acts.insert(0, CALL)
        result = (tuple(acts), total)
        if len(self._discard_cache) > 400_000:
            self._discard_cache.clear()
        self._discard_cache[hand] = result
        return result

    def shed_action(self, hand: int) -> tuple[int, int]:
        """(the meld worth the most points in ``hand``, the hand's total): the playout
        policy's discard, computed straight from the hand and cached. The meld is the whole
        of a rank's cards, the longest run through a card, or a single card (ties: more
        cards, then the first in action order)."""
        hit = self._shed_cache.get(hand)
        if hit is not None:
            return hit
        values, lookup = self.values, self.meld_action
        cards = cards_of(hand)
        total = 0
        best = (-1, 0, 0)  # (points, cards, -action)
        by_rank: dict[int, int] = {}
        for c in cards:
            v = values[c]
            total += v
            key = (v, 1, -(MELD_BASE + c))
            if key > best:
                best = key
            by_rank[c % 13] = by_rank.get(c % 13, 0) | 1 << c
        for mask in by_rank.values():
            n = mask.bit_count()
            if n >= 2:
                a = lookup[mask]
                key = (sum(values[c] for c in cards_of(mask)), n, -a)
                if key > best:
                    best = key
        c0 = None
        for c in cards + [None]:  # maximal same-suit runs of 3 or more
            if c0 is not None and (c is None or c != prev + 1 or c // 13 != c0 // 13):
                if prev - c0 >= 2:
                    mask = ((1 << (prev - c0 + 1)) - 1) << c0
                    a = lookup.get(mask)
                    if a is not None:
                        key = (sum(values[x] for x in range(c0, prev + 1)), prev - c0 + 1, -a)
                        if key > best:
                            best = key
                c0 = None
            if c0 is None:
                c0 = c
            prev = c
        hit = (-best[2], total)
        if len(self._shed_cache) > 400_000:
            self._shed_cache.clear()
        self._shed_cache[hand] = hit
        return hit

    def position(self, hands: Sequence, pile: Sequence = (), deck_top: Sequence | str = (),
                 *, setup: PositionSetup | None = None, **changes: Any) -> "DhumbalState":
        """A hand-built position at the start of ``current``'s turn (for tests and puzzles).

        ``hands`` per seat and ``pile`` melds (oldest first) are card lists or text such as
        ``"A♠ 2s 10h"``; ``deck_top`` lists the next cards to be drawn, first drawn first; with
        ``fill_deck`` every card not placed goes below them (shuffled by ``seed``), otherwise
        the deck holds just ``deck_top``. Under ``pickup=previous`` the offer is the last pile
        meld's offerable cards, as if the previous player had just discarded it. The rest of
        the standing is ``setup`` (a ``PositionSetup``) with ``changes`` (its fields by name:
        ``current=2, scores=[...]``).
        """
        def as_cards(x) -> list[int]:
            return parse_cards(x) if isinstance(x, str) else list(x)

        setup = replace(setup or PositionSetup(), **changes)
        current, turn, known = setup.current, setup.turn, setup.known
        n = self.rules.players
        st = DhumbalState(self, None, _blank=True)
        st.rng = random.Random(setup.seed)
        st.active = list(setup.active) if setup.active is not None else [True] * n
        st.scores = list(setup.scores) if setup.scores is not None else [0] * n
        st.coins = (list(setup.coins) if setup.coins is not None
                    else [self.rules.start_coins] * n)
        st.out_round = [None if a else 0 for a in st.active]
        st.results = []
        st.m = {k: [0] * n for k in _METRIC_KEYS}
        st.call_totals = [[] for _ in range(n)]
        st.call_wins = [[] for _ in range(n)]
        st.round = 0
        st.hands = [mask_of(as_cards(h)) for h in hands]
        st.known = [mask_of(as_cards(k)) for k in known] if known is not None else [0] * n
        st.pile = [tuple(as_cards(m)) for m in pile]
        st.pile_count = sum(len(m) for m in st.pile)
        top = as_cards(deck_top)
        placed = set(top) | {c for m in st.pile for c in m} | {
            c for h in st.hands for c in cards_of(h)}
        rest = [c for c in range(52) if c not in placed] if setup.fill_deck else []
        st.rng.shuffle(rest)
        st.deck = rest + top[::-1]  # drawn from the end
        last = st.pile[-1] if st.pile else []
        if self.rules.pickup == "previous" and last:
            i = self.meld_action.get(mask_of(last))
            st.offer = self.meld_offer[i - MELD_BASE] if i is not None else tuple(last)
        else:
            st.offer = ()
        st.next_offer = ()
        st.turn = turn
        st.history = []
        seats = [s for s in range(n) if st.active[s]]
        st.next_seat = [0] * n
        for k, s in enumerate(seats):
            st.next_seat[s] = seats[(k + 1) % len(seats)]
        st.current_player = current
        st.phase = DISCARD
        return st

_METRIC_KEYS = ("rounds", "round_wins", "calls", "calls_won", "cards_discarded",
                "coin_change", "points_added")


class DhumbalState(State):
    """A position in a Dhumbal game (possibly many rounds)."""

    __slots__ = (
        "game", "rules", "rng", "current_player", "phase", "hands", "known", "deck", "pile",
        "pile_count", "offer", "next_offer", "turn", "round", "active", "next_seat", "scores",
        "coins", "out_round", "history", "results", "m", "call_totals", "call_wins",
    )

    def __init__(self, game: DhumbalGame, seed: int | None, _blank: bool = False):
        self.game = game
        self.rules = game.rules
        if _blank:
            return
        n = game.rules.players
        self.rng = random.Random(seed)
        self.active = [True] * n
        self.scores = [0] * n
        self.coins = [game.rules.start_coins] * n
        self.out_round: list[int | None] = [None] * n
        self.results: list[RoundResult] = []
        self.m = {k: [0] * n for k in _METRIC_KEYS}
        self.call_totals: list[list[int]] = [[] for _ in range(n)]
        self.call_wins: list[list[int]] = [[] for _ in range(n)]
        self.round = -1
        self._deal(0)

    # -- dealing and turn order -----------------------------------------------------------
    def _deal(self, starter: int) -> None:
        r, n = self.rules, self.rules.players
        self.round += 1
        deck = list(range(52))
        self.rng.shuffle(deck)
        self.hands = [0] * n
        for s in range(n):
            if self.active[s]:
                hand = 0
                for _ in range(r.hand_size):
                    hand |= 1 << deck.pop()
                self.hands[s] = hand
        start = deck.pop()
        self.deck = deck
        self.pile = [(start,)]
        self.pile_count = 1
        self.known = [0] * n
        self.offer = (start,) if r.pickup == "previous" else ()
        self.next_offer = ()
        self.turn = 0
        self.history: list[tuple[int, int]] = []
        seats = [s for s in range(n) if self.active[s]]
        self.next_seat = [0] * n
        for i, s in enumerate(seats):
            self.next_seat[s] = seats[(i + 1) % len(seats)]
        while not self.active[starter]:
            starter = (starter + 1) % n
        self.current_player = starter
        self.phase = DISCARD

    # -- the protocol ---------------------------------------------------------------------
    def legal_actions(self) -> tuple[int, ...]:
        p = self.current_player
        if p < 0:
            return ()
        if self.phase == DISCARD:
            return self.game.discard_options(self.hands[p])[0]
        acts = [TAKE_BASE + c for c in sorted(self.offer)]
        if self.deck or self._reshufflable():
            acts.insert(0, DRAW)
        return tuple(acts)

    def playout_action(self, rng: random.Random) -> int:
        """The playout policy of searches (``rollout=game``): call when the hand total is
        at most 5 (or at most the call limit, if lower), and with probability 1/2 when it is
        higher but still allowed; otherwise shed the meld worth the most points; then take
        the cheapest offered card if it is worth at most 4 (or if the deck is out), else draw
        from the deck."""
        g, p = self.game, self.current_player
        if self.phase == DISCARD:
            shed, total = g.shed_action(self.hands[p])
            if total <= self.rules.call_threshold and (total <= 5 or rng.random() < 0.5):
                return CALL
            return shed
        values = g.values
        cheapest = min(self.offer, key=lambda c: (values[c], c)) if self.offer else None
        can_draw = bool(self.deck) or self._reshufflable()
        if cheapest is not None and (values[cheapest] <= 4 or not can_draw):
            return TAKE_BASE + cheapest
        return DRAW

    def prior_action(self, rng: random.Random) -> int | None:
        """No lean where a call is allowed: the playout policy's call rule is a rough model
        of other players, while a search sees every call's showdown in its determinizations;
        elsewhere the playout policy's discard or draw."""
        if self.phase == DISCARD and self.game.shed_action(self.hands[self.current_player])[1] \
                <= self.rules.call_threshold:
            return None
        return self.playout_action(rng)

    def _kept_on_reshuffle(self) -> int:
        # previous: the current offer's meld and the meld just discarded; own: the latter only.
        return 2 if self.rules.pickup == "previous" else 1

    def _reshufflable(self) -> int:
        keep = self.pile[-self._kept_on_reshuffle():]
        return self.pile_count - sum(len(m) for m in keep)

    def _apply(self, action: int) -> None:
        p = self.current_player
        if self.phase == DISCARD:
            if action == CALL:
                self.history.append((p, action))
                self._showdown(p)
                return
            g = self.game
            i = action - MELD_BASE
            mask = g.meld_masks[i]
            self.hands[p] ^= mask
            self.known[p] &= ~mask
            cards = g.meld_cards[i]
            if self.rules.pickup == "previous":
                self.next_offer = g.meld_offer[i]
            else:
                self.offer = (cards[-1],)
            self.pile.append(tuple(cards))
            self.pile_count += len(cards)
            self.m["cards_discarded"][p] += len(cards)
            self.phase = PICKUP
            self.history.append((p, action))
            return
        if action == DRAW:
            if not self.deck:
                self._reshuffle()
            self.hands[p] |= 1 << self.deck.pop()
        else:
            c = action - TAKE_BASE
            self.hands[p] |= 1 << c
            self.known[p] |= 1 << c
            k = -self._kept_on_reshuffle()
            self.pile[k] = tuple(x for x in self.pile[k] if x != c)
            self.pile_count -= 1
        self.history.append((p, action))
        self.turn += 1
        if self.rules.pickup == "previous":
            self.offer = self.next_offer
        else:
            self.offer = ()
        if self.turn >= self.rules.max_turns:
            self._showdown(None)
            return
        self.current_player = self.next_seat[p]
        self.phase = DISCARD

    def _reshuffle(self) -> None:
        keep = self._kept_on_reshuffle()
        pool = [c for meld in self.pile[:-keep] for c in meld]
        self.rng.shuffle(pool)
        self.deck = pool
        self.pile = self.pile[-keep:]
        self.pile_count -= len(pool)

    # -- showdown and scoring -------------------------------------------------------------
    def _order_from(self, seat: int) -> list[int]:
        """Active seats in turn order starting at ``seat`` (which must be active)."""
        order, s = [seat], self.next_seat[seat]
        while s != seat:
            order.append(s)
            s = self.next_seat[s]
        return order

    def _showdown(self, caller: int | None) -> None:
        r, g, n = self.rules, self.game, self.rules.players
        totals: list[int | None] = [
            g.hand_total(self.hands[s]) if self.active[s] else None for s in range(n)
        ]
        capped = caller is None
        if caller is not None:
            others = self._order_from(caller)[1:]
            success = all(totals[caller] < totals[o] for o in others)
            winner = caller if success else min(others, key=lambda o: totals[o])  # first lowest
        else:
            order = self._order_from(self.next_seat[self.current_player])
            winner = min(order, key=lambda o: totals[o])
            success = True
            if r.cap_showdown == "lowest_calls":
                caller = winner
        deltas = [0] * n
        if r.scoring == "coins":
            if success:
                for s in range(n):
                    if self.active[s] and s != winner:
                        pay = min(totals[s], r.payment_cap)
                        deltas[s] -= pay
                        deltas[winner] += pay
            else:
                pay = sum(min(t, r.payment_cap) for t in totals if t is not None)
                deltas[caller] -= pay
                deltas[winner] += pay
            for s in range(n):
                self.coins[s] += deltas[s]
                self.m["coin_change"][s] += deltas[s]
        else:
            for s in range(n):
                if self.active[s] and s != winner:
                    deltas[s] = totals[s] + (r.fail_penalty if s == caller and not success else 0)
                    self.scores[s] += deltas[s]
                    self.m["points_added"][s] += deltas[s]
        for s in range(n):
            if self.active[s]:
                self.m["rounds"][s] += 1
        self.m["round_wins"][winner] += 1
        if caller is not None:
            self.m["calls"][caller] += 1
            self.m["calls_won"][caller] += int(success)
            self.call_totals[caller].append(totals[caller])
            self.call_wins[caller].append(int(success))
        eliminated = ()
        if r.scoring == "points":
            eliminated = tuple(
                s for s in range(n) if self.active[s] and self.scores[s] > r.elimination
            )
            for s in eliminated:
                self.active[s] = False
                self.out_round[s] = self.round
        self.results.append(RoundResult(
            round=self.round, caller=caller, success=success, winner=winner, capped=capped,
            hands=tuple(tuple(cards_of(h)) for h in self.hands), totals=tuple(totals),
            deltas=tuple(deltas), eliminated=eliminated,
        ))
        over = (self.round + 1 >= r.session_rounds) if r.scoring == "coins" \
            else sum(self.active) <= 1
        if over:
            self.current_player = TERMINAL
            return
        self._deal(0 if r.starter == "seat0" else winner)

    def returns(self) -> tuple[float, ...]:
        r, n = self.rules, self.rules.players
        if r.scoring == "coins":
            return tuple(float(c - r.start_coins) for c in self.coins)
        ranks = self._ranks()
        return tuple(1.0 - 2.0 * ranks[s] / (n - 1) for s in range(n))

    def settled_result(self, seat: int) -> tuple[float, float] | None:
        """Points scoring: a seat that is out keeps its place (everyone still in ends above
        it, the others out are ranked already), so its return is final and it won nothing."""
        if self.rules.scoring == "coins" or self.active[seat]:
            return None
        return (self.returns()[seat], 0.0)

    def estimated_returns(self) -> tuple[float, ...]:
        """Coins: the coins won so far (they add up). Points, mid-game: a seat already out
        keeps the return of its place so far; the seats still in share the returns of the
        places left to them, each moved by how far its score is below their mean score, as
        a share of the elimination limit (within -1..1)."""
        r = self.rules
        if r.scoring == "coins" or self.current_player == TERMINAL:
            return self.returns()
        n = r.players
        now = self.returns()
        alive = [s for s in range(n) if self.active[s]]
        share = sum(1.0 - 2.0 * k / (n - 1) for k in range(len(alive))) / len(alive)
        mean = sum(self.scores[s] for s in alive) / len(alive)
        out = list(now)
        for s in alive:
            out[s] = max(-1.0, min(1.0, share + (mean - self.scores[s]) / r.elimination))
        return tuple(out)

    def _ranks(self) -> list[int]:
        n = self.rules.players
        # Still in > went out later > lower score.
        keys = [
            (1 if self.active[s] else 0, -1 if self.out_round[s] is None else self.out_round[s],
             -self.scores[s])
            for s in range(n)
        ]
        return [sum(1 for k in keys if k > keys[s]) for s in range(n)]

    def outcome(self) -> Outcome:
        if self.rules.scoring == "coins":
            return Outcome.from_scores(self.returns(), self.coins)
        ranks = self._ranks()
        winners = tuple(s for s in range(len(ranks)) if ranks[s] == 0)
        return Outcome(self.returns(), tuple(ranks), winners)

    def metrics(self, outcome: Outcome | None = None) -> dict[str, list]:
        out = {k: list(v) for k, v in self.m.items()}
        if outcome is not None and outcome.forfeit is not None \
                and self.current_player != TERMINAL:
            # The interrupted round counts, scored by the forfeit rule: the others share
            # its win, and under coins the game's coin change is the forfeit's.
            others = [s for s in outcome.winners if self.active[s]]
            for s in range(self.rules.players):
                if self.active[s]:
                    out["rounds"][s] += 1
            for s in others:
                out["round_wins"][s] += 1 / len(others)
            if self.rules.scoring == "coins":
                out["coin_change"] = list(outcome.returns)
        out["call_totals"] = [list(x) for x in self.call_totals]
        out["call_wins"] = [list(x) for x in self.call_wins]
        return out

    # -- views ----------------------------------------------------------------------------
    def observation(self, seat: int) -> DhumbalObservation:
        g = self.game
        hand = self.hands[seat]
        total = g.hand_total(hand)
        to_move = self.current_player
        o = DhumbalObservation.__new__(DhumbalObservation)
        o.seat = seat
        o.to_move = to_move
        o.phase = PHASES[self.phase] if to_move >= 0 else "over"
        o._hand = hand
        o.hand_total = total
        o.can_call = to_move == seat and self.phase == DISCARD \
            and total <= self.rules.call_threshold
        o.offer = tuple(sorted(self.offer))
        o.hand_sizes = tuple([h.bit_count() for h in self.hands])
        o._known = tuple(self.known)
        o.pile = tuple(self.pile)
        o.deck_size = len(self.deck)
        o.turn = self.turn
        o.round = self.round
        o.scores = tuple(self.scores)
        o.coins = tuple(self.coins)
        o.active = tuple(self.active)
        o.history = tuple(self.history)
        o.last_result = self.results[-1] if self.results else None
        return o

    def text(self, seat: int) -> str:
        from .text import render

        return render(self.game, self.observation(seat))

    def encode(self, seat: int) -> np.ndarray:
        g, r, n = self.game, self.rules, self.rules.players
        # The card planes (hand, offer, pile, each other seat's known cards) as one bit
        # string, unpacked at once.
        bits = self.hands[seat]
        for c in self.offer:
            bits |= 1 << (52 + c)
        pile = 0
        for meld in self.pile:
            for c in meld:
                pile |= 1 << c
        bits |= pile << 104
        base = 156
        for k in range(1, n):
            bits |= self.known[(seat + k) % n] << base
            base += 52
        v = np.zeros(g.encoding_shape, dtype=np.float32)
        v[:base] = np.unpackbits(np.frombuffer(bits.to_bytes((base + 7) // 8, "little"),
                                               dtype=np.uint8), count=base, bitorder="little")
        coins = r.scoring == "coins"
        for k in range(n):
            s = (seat + k) % n
            v[base + k] = self.hands[s].bit_count() / r.hand_size
            v[base + n + k] = float(self.active[s])
            if coins:
                v[base + 2 * n + k] = (self.coins[s] - r.start_coins) / (100.0 * r.payment_cap)
            else:
                v[base + 2 * n + k] = self.scores[s] / r.elimination
        base += 3 * n
        to_move = self.current_player == seat
        total = g.hand_total(self.hands[seat])
        v[base] = float(to_move and self.phase == DISCARD)
        v[base + 1] = float(to_move and self.phase == PICKUP)
        v[base + 2] = float(to_move and self.phase == DISCARD and total <= r.call_threshold)
        v[base + 3] = total / 50.0
        v[base + 4] = self.turn / r.max_turns
        v[base + 5] = len(self.deck) / 52.0
        v[base + 6] = float(self.current_player < 0)
        return v

    # -- copies ---------------------------------------------------------------------------
    def clone(self) -> "DhumbalState":
        s = DhumbalState(self.game, None, _blank=True)
        s.rng = random.Random()
        s.rng.setstate(self.rng.getstate())
        for name in ("current_player", "phase", "pile_count", "offer", "next_offer", "turn",
                     "round"):
            setattr(s, name, getattr(self, name))
        for name in ("hands", "known", "deck", "active", "next_seat", "scores", "coins",
                     "out_round", "history", "results"):
            setattr(s, name, list(getattr(self, name)))
        s.pile = list(self.pile)  # melds are tuples
        s.m = {k: list(v) for k, v in self.m.items()}
        s.call_totals = [list(x) for x in self.call_totals]
        s.call_wins = [list(x) for x in self.call_wins]
        return s

    def determinize(self, seat: int, rng: random.Random) -> "DhumbalState":
        """Deal the cards ``seat`` cannot see (others' unknown cards, the deck) at random.

        Everything public stays: the pile, cards known to be in a hand (taken from an offer),
        hand sizes, scores. Seen cards later reshuffled into the deck are treated as unseen.
        """
        return self._deal_unseen(seat, rng, shed=False)

    def likely_determinize(self, seat: int, rng: random.Random) -> "DhumbalState":
        """Like ``determinize``, but each other seat's unknown cards are drawn as if it had
        played its turns of this round so far by shedding its highest card and drawing a
        random unseen one (up to six turns): the longer a player has played, the lower its
        hand is likely to be, as it is for any player who tries to win. Still only what
        ``seat`` knows, and any consistent deal can come out; the model is a guess about
        the players, not the exact posterior."""
        return self._deal_unseen(seat, rng, shed=True)

    def _deal_unseen(self, seat: int, rng: random.Random, shed: bool) -> "DhumbalState":
        s = self.clone()
        s.rng = random.Random(rng.getrandbits(63))
        seen = self.hands[seat]
        for meld in self.pile:
            for c in meld:
                seen |= 1 << c
        for o in range(self.rules.players):
            if o != seat:
                seen |= self.known[o]
        pool = [c for c in range(52) if not seen >> c & 1]
        rng.shuffle(pool)
        turns = [0] * self.rules.players
        if shed:
            for p, action in self.history:
                if action == DRAW or TAKE_BASE <= action < MELD_BASE:
                    turns[p] += 1
        values = self.game.values
        for o in range(self.rules.players):
            if o == seat or not self.active[o]:
                continue
            unknown = [pool.pop() for _ in range(
                self.hands[o].bit_count() - self.known[o].bit_count())]
            for _ in range(min(turns[o], 6) if unknown else 0):
                high = max(unknown, key=lambda c: (values[c], c))
                unknown.remove(high)
                pool.insert(int(rng.random() * (len(pool) + 1)), high)
                unknown.append(pool.pop())
            hand = self.known[o]
            for c in unknown:
                hand |= 1 << c
            s.hands[o] = hand
        s.deck = pool
        return s

    def check_invariants(self) -> None:
        n = self.rules.players
        seen = 0
        count = 0
        for s in range(n):
            assert self.known[s] & ~self.hands[s] == 0, f"seat {s}: known card not in hand"
            assert self.hands[s].bit_count() <= self.rules.hand_size, f"seat {s}: hand too big"
            if not self.active[s]:
                assert self.hands[s] == 0 or self.current_player == TERMINAL
            assert seen & self.hands[s] == 0, f"seat {s}: a card is in two places"
            seen |= self.hands[s]
            count += self.hands[s].bit_count()
        for c in self.deck:
            assert not seen >> c & 1, f"{card_name(c)} is in the deck and elsewhere"
            seen |= 1 << c
        pile_cards = [c for meld in self.pile for c in meld]
        assert len(pile_cards) == self.pile_count, "pile count out of step"
        for c in pile_cards:
            assert not seen >> c & 1, f"{card_name(c)} is on the pile and elsewhere"
            seen |= 1 << c
        count += len(self.deck) + len(pile_cards)
        assert count == 52 and seen == (1 << 52) - 1, f"{count} cards in play, expected 52"

    def reveal(self) -> str:
        hands = "; ".join(
            f"seat {s}: {' '.join(card_name(c) for c in cards_of(h))}"
            for s, h in enumerate(self.hands)
        )
        deck = " ".join(card_name(c) for c in reversed(self.deck))
        return f"{self.text(self.current_player if self.current_player >= 0 else 0)}\n" \
               f"[all hands] {hands}\n[deck, top first] {deck}"
