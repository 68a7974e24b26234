"""Poker views for the first-class OpenSpiel poker games (kuhn_poker, leduc_poker, holdem).

``PokerState`` keeps the pyspiel state of ``SpielState`` and adds what a person, an LLM and
the statistics need: a typed ``PokerObservation`` (cards as strings like ``"As"``, pot,
contributions, stacks, amount to call, legal action kinds, betting by round), a text a person
can play from, action names such as ``call 10`` or ``raise to 40``, and per-seat metrics
(VPIP, PFR, aggression, big blinds won).

Everything a seat sees is parsed from that seat's own information-state (and observation)
string; the betting (who acted, how much) is replayed from the public action sequence in it
with the game's public rules (blinds, stacks, raise sizes, turn order). The one exception is
the order of the board cards in hold'em: OpenSpiel's string lists them sorted, so their deal
order (flop, turn, river) is read from the public board-dealing chance actions.
``check_invariants`` compares the replayed betting with OpenSpiel's own accounting.

Kuhn and Leduc have antes and no blinds; their "big blind" (the unit of ``bb_per_100``) is the
ante of 1 chip.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from arena.core.game import CHANCE, TERMINAL, MetricSpec, Outcome

from .adapter import SpielState

KINDS = ("fold", "check", "call", "bet", "raise", "all-in")
"""Names of the kinds of poker actions."""

AGGRESSIVE = frozenset(("bet", "raise", "all-in"))

RANKS = "23456789TJQKA"
_HOLDEM_SUITS = "cdhs"
_LEDUC_SUITS = "sh"

POKER_METRICS = (
    MetricSpec("vpip", "voluntarily put money in preflop (called or raised in the first "
               "round; posting blinds and checking do not count) / hands", "ratio",
               "vpip", "hands"),
    MetricSpec("pfr", "bet or raised in the first round / hands", "ratio", "pfr", "hands"),
    MetricSpec("aggression", "aggression factor: bets and raises / calls, all rounds",
               "ratio", "aggressive", "calls"),
    MetricSpec("bb_per_100", "big blinds won per 100 hands (Kuhn and Leduc: antes of 1)",
               "mean", "bb", scale=100.0),
)
"""The ``metric_specs`` of the poker games."""

HOLDEM_ACTION_NAMES = ("fold", "check/call", "bet/raise", "all-in")


def holdem_name_table(game: Any) -> list[str]:
    """Game-level (position-free) names of hold'em's fcpa actions (a ``_name_table``)."""
    return list(HOLDEM_ACTION_NAMES[:game.num_actions])


# -- what is public about a game's rules ---------------------------------------------------

@dataclass(frozen=True)
class PokerLayout:
    """The public rules of one poker game configuration, as the views need them."""

    family: str
    """"kuhn", "leduc" or "universal" (hold'em)."""
    players: int
    forced: tuple[int, ...]
    """Chips each seat must put in before the first action (antes or blinds)."""
    blinds: bool
    """True when the forced bets are blinds (they open the betting: a first-round bet
    over them is a raise); False for antes."""
    big_blind: int
    stacks: tuple[int, ...] | None
    """Starting stacks, or None where they never limit a bet (Kuhn, limit hold'em)."""
    nolimit: bool
    raise_sizes: tuple[int, ...]
    """Fixed bet size per round (limit games)."""
    max_raises: tuple[int, ...]
    first: tuple[int, ...]
    """First seat to act in each round."""
    rounds: int
    round_names: tuple[str, ...]
    board_counts: tuple[int, ...]
    hole_count: int
    positions: tuple[str, ...]
    """Per seat: its position at the table ("button, small blind", "UTG", ...) or ""."""
    rank_names: str
    """Card ranks of the deck, lowest first (Kuhn/Leduc)."""
    title: str
    rules_text: str
    suits: int = 4
    """Suits in the deck (hold'em card numbers are rank * suits + suit)."""


def _ints(text: str, n: int | None = None, fill: int = 0) -> tuple[int, ...]:
    vals = [int(x) for x in str(text).split()]
    if n is not None:
        vals = (vals + [vals[-1] if vals else fill] * n)[:n] if vals else [fill] * n
    return tuple(vals)


def _positions(forced: tuple[int, ...]) -> tuple[str, ...]:
    n = len(forced)
    if not any(forced):
        return ("",) * n
    bb = max(range(n), key=lambda s: (forced[s], -s))
    others = [s for s in range(n) if s != bb and forced[s] > 0]
    names = [""] * n
    names[bb] = "big blind"
    if n == 2:
        sb = 1 - bb
        names[sb] = "button, small blind"
        return tuple(names)
    if not others:
        return tuple(names)
    sb = max(others, key=lambda s: (forced[s], -s))
    names[sb] = "small blind"
    button = (sb - 1) % n
    if names[button]:
        return tuple(names)
    names[button] = "button"
    rest = []
    s = (bb + 1) % n
    while s != button:
        rest.append(s)
        s = (s + 1) % n
    labels = {0: [], 1: ["CO"], 2: ["UTG", "CO"], 3: ["UTG", "MP", "CO"]}.get(
        len(rest), ["UTG"] + [f"UTG+{i}" for i in range(1, len(rest) - 2)] + ["MP", "CO"])
    for s, label in zip(rest, labels):
        names[s] = label
    return tuple(names)


def _rank_names(count: int) -> str:
    return RANKS[-count - 1:-1] if count <= 12 else RANKS


def layout(game: Any) -> PokerLayout:
    """The public rules of ``game`` (cached on the game object)."""
    cached = game.__dict__.get("_poker_layout")
    if cached is None:
        cached = game.__dict__["_poker_layout"] = _make_layout(game)
    return cached


def _make_layout(game: Any) -> PokerLayout:
    n = game.num_players
    short = game.spiel.get_type().short_name
    if short == "kuhn_poker":
        ranks = _rank_names(n + 1)
        order = " < ".join(ranks)
        return PokerLayout(
            "kuhn", n, (1,) * n, False, 1, None, False, (1,), (1,), (0,), 1, ("betting",),
            (0,), 1, ("",) * n, ranks, "Kuhn poker",
            f"Kuhn poker: {n + 1} cards ({order}), one each; everyone antes 1; one bet of 1 "
            "may be made, then each later player calls or folds; the highest card left in "
            "wins the pot.")
    if short == "leduc_poker":
        ranks = _rank_names(n + 1)
        start = int(game.rules.starting_player) if hasattr(game.rules, "starting_player") \
            else 0
        first = (start % n, start % n)
        return PokerLayout(
            "leduc", n, (1,) * n, False, 1, (100,) * n, False, (2, 4), (2, 2), first, 2,
            ("round 1", "round 2"), (0, 1), 1, ("",) * n, ranks, "Leduc hold'em",
            f"Leduc hold'em: {2 * (n + 1)} cards ({', '.join(ranks)} in two suits); everyone "
            "antes 1 and gets one private card; a public card is shown after round 1. Bets "
            "and raises are 2 in round 1 and 4 in round 2, at most 2 a round. At showdown a "
            "pair with the public card wins, else the higher card; equal ranks split.")
    r = game.rules
    rounds = int(r.numRounds)
    nolimit = str(r.betting) == "nolimit"
    forced = _ints(r.blind, n)
    stacks = _ints(r.stack, n) if nolimit else None
    raise_sizes = _ints(r.raiseSize, rounds)
    max_raises = _ints(r.maxRaises, rounds, fill=1 << 30) if str(r.maxRaises).strip() \
        else (1 << 30,) * rounds
    first = tuple(x - 1 for x in _ints(r.firstPlayer, rounds, fill=1))
    board = _ints(r.numBoardCards, rounds)
    names = ("preflop", "flop", "turn", "river") if rounds == 4 and board == (0, 3, 1, 1) \
        else tuple(f"round {i + 1}" for i in range(rounds))
    bb = max(forced) or 1
    small = sorted((b for b in forced if b > 0), reverse=True)
    blinds_text = f"{small[1]}/{small[0]}" if len(small) > 1 else f"{bb}"
    kind = "no-limit" if nolimit else "limit"
    table = "Heads-up" if n == 2 else f"{n}-player"
    title = f"{table} {kind} Texas Hold'em"
    if nolimit:
        bets = (f"stacks {stacks[0]}; a bet or raise is pot-size (or all-in)"
                if len(set(stacks)) == 1 else f"stacks {' '.join(map(str, stacks))}; "
                "a bet or raise is pot-size (or all-in)")
    else:
        sizes = ", ".join(f"{raise_sizes[i]} {names[i]}" for i in range(rounds))
        caps = ", ".join(f"{max_raises[i]} {names[i]}" for i in range(rounds)
                         if max_raises[i] < 1 << 30)
        bets = f"fixed bets and raises of {sizes}" + (
            f"; at most {caps} bets and raises (blinds not counted)" if caps else "")
    text = (f"{title}: blinds {blinds_text}, {bets}. You get {int(r.numHoleCards)} private "
            f"cards; the board is shared. Best five cards of yours and the board win.")
    return PokerLayout(
        "universal", n, forced, True, bb, stacks, nolimit, raise_sizes, max_raises, first,
        rounds, names, board, int(r.numHoleCards), _positions(forced), RANKS, title, text,
        int(r.numSuits))


def kuhn_card(layout: PokerLayout, card: int) -> str:
    return layout.rank_names[card]


def leduc_card(layout: PokerLayout, card: int) -> str:
    return layout.rank_names[card // 2] + _LEDUC_SUITS[card % 2]


def holdem_card(card: int, suits: int = 4) -> str:
    return RANKS[card // suits] + _HOLDEM_SUITS[card % suits]


# -- replaying the betting -----------------------------------------------------------------

@dataclass(frozen=True)
class Move:
    """One betting action: who, what kind, chips added, and the seat's total this round."""

    seat: int
    kind: str
    added: int
    total: int


class _Betting:
    """The betting of a hand replayed from the public action sequence."""

    def __init__(self, lay: PokerLayout):
        n = lay.players
        self.lay = lay
        self.contrib = list(lay.forced)
        self.folded = [False] * n
        self.round = 0
        self.start = [0] * n if lay.blinds else list(lay.forced)
        self.level0 = 0 if lay.blinds else max(lay.forced)
        self.raises = 0
        self.rounds: list[list[Move]] = [[]]
        self.count = 0
        self.actor = self._first_active(lay.first[0])

    def live(self, s: int) -> bool:
        """Still in the hand and able to act (not folded, not all-in)."""
        st = self.lay.stacks
        return not self.folded[s] and (st is None or self.contrib[s] < st[s])

    def _first_active(self, s: int) -> int:
        n = self.lay.players
        for i in range(n):
            if self.live((s + i) % n):
                return (s + i) % n
        return s

    def to_call(self, s: int) -> int:
        need = max(self.contrib) - self.contrib[s]
        st = self.lay.stacks
        return min(need, st[s] - self.contrib[s]) if st is not None else need

    def stack_left(self, s: int) -> int | None:
        st = self.lay.stacks
        return None if st is None else st[s] - self.contrib[s]

    def kind_of_raise(self, s: int, to: int) -> str:
        st = self.lay.stacks
        if st is not None and self.lay.nolimit and to >= st[s]:
            return "all-in"
        return "raise" if max(self.contrib) > self.level0 else "bet"

    def raise_to(self, s: int) -> int:
        """The total a fixed-size (limit) bet or raise brings the seat to."""
        return max(self.contrib) + self.lay.raise_sizes[self.round]

    def act(self, code: str, to: int | None = None, seat: int | None = None) -> Move:
        """Apply ``f`` (fold), ``c`` (check/call) or ``r`` (bet/raise to ``to``)."""
        s = self.actor if seat is None else seat
        before = self.contrib[s]
        if code == "f":
            self.folded[s] = True
            kind = "fold"
        elif code == "c":
            need = self.to_call(s)
            kind = "call" if need > 0 else "check"
            self.contrib[s] += need
        else:
            to = self.raise_to(s) if to is None else to
            kind = self.kind_of_raise(s, to)
            self.contrib[s] = to
            self.raises += 1
        move = Move(s, kind, self.contrib[s] - before, self.contrib[s] - self.start[s])
        self.rounds[-1].append(move)
        self.count += 1
        self.actor = self._next(s)
        return move

    def _next(self, s: int) -> int:
        if self.lay.family == "kuhn":
            return self.count % self.lay.players
        n = self.lay.players
        for i in range(1, n + 1):
            if self.live((s + i) % n):
                return (s + i) % n
        return s

    def next_round(self) -> None:
        self.round += 1
        self.rounds.append([])
        self.start = list(self.contrib)
        self.level0 = max(self.contrib)
        self.raises = 0
        self.actor = self._first_active(self.lay.first[min(self.round, len(self.lay.first) - 1)])


@dataclass
class _Hand:
    """One seat's parsed view (everything in it is public, except ``hole``)."""

    bet: _Betting
    round: int
    hole: tuple[str, ...]
    board: tuple[str, ...]
    reported: dict[str, Any] = field(default_factory=dict)
    """OpenSpiel's own numbers (contributions, stacks), for ``check_invariants``."""


_FIELD = re.compile(r"\[([A-Za-z0-9]+)(?::\s?|\s)([^\]]*)\]")


def _fields(text: str) -> dict[str, str]:
    return {k.strip(): v.strip() for k, v in _FIELD.findall(text)}


def _parse(state: "PokerState", seat: int) -> _Hand:
    lay = layout(state.game)
    if lay.family == "kuhn":
        return _parse_kuhn(state, seat, lay)
    if lay.family == "leduc":
        return _parse_leduc(state, seat, lay)
    return _parse_universal(state, seat, lay)


def _parse_kuhn(state: "PokerState", seat: int, lay: PokerLayout) -> _Hand:
    text = state.s.information_state_string(seat)
    m = re.match(r"(\d*)([pb]*)$", text)
    if m is None:
        raise ValueError(f"kuhn_poker: unexpected information state {text!r}")
    digits, seq = m.groups()
    bet = _Betting(lay)
    for ch in seq:
        facing = bet.to_call(bet.actor) > 0
        if ch == "p":
            bet.act("f" if facing else "c")
        else:
            bet.act("c" if facing else "r")
    hole = (kuhn_card(lay, int(digits)),) if digits else ()
    return _Hand(bet, 0, hole, ())


def _parse_leduc(state: "PokerState", seat: int, lay: PokerLayout) -> _Hand:
    info = _fields(state.s.information_state_string(seat))
    obs = _fields(state.s.observation_string(seat))
    bet = _Betting(lay)
    for r, key in enumerate(("Round1", "Round2")):
        if r == 1 and "Public" in info:
            bet.next_round()
        for a in info.get(key, "").split():
            bet.act({"0": "f", "1": "c", "2": "r"}[a])
    private = int(info.get("Private", "-1"))
    hole = (leduc_card(lay, private),) if private >= 0 else ()
    board = (leduc_card(lay, int(info["Public"])),) if "Public" in info else ()
    reported = {"contrib": _nums(obs.get("Ante", "")), "money": _nums(info.get("Money", ""))}
    return _Hand(bet, bet.round, hole, board, reported)


def _nums(text: str) -> tuple[float, ...]:
    return tuple(float(x) for x in str(text).split())


def _cards(text: str) -> tuple[str, ...]:
    return tuple(text[i:i + 2] for i in range(0, len(text), 2))


def _parse_universal(state: "PokerState", seat: int, lay: PokerLayout) -> _Hand:
    info = _fields(state.s.information_state_string(seat))
    obs = _fields(state.s.observation_string(seat))
    bet = _Betting(lay)
    seq = info.get("Sequences", "")
    for r, part in enumerate(seq.split("|")):
        if r:
            bet.next_round()
        for code, amount in re.findall(r"([fcr])(\d*)", part):
            bet.act(code, int(amount) if amount else None)
    board_set = _cards(info.get("Public", ""))
    # Deal order of the board: the public chance actions after the hole cards.
    dealt = lay.players * lay.hole_count
    chance = _chance_actions(state)
    ordered = tuple(holdem_card(a, lay.suits) for a in chance[dealt:dealt + len(board_set)])
    board = ordered if sorted(ordered) == sorted(board_set) else board_set
    reported = {"contrib": _nums(obs.get("PlayerContribution", "")),
                "money": _nums(info.get("Money", "")), "round": int(info.get("Round", 0))}
    return _Hand(bet, bet.round, _cards(info.get("Private", "")), board, reported)


def _chance_actions(state: "PokerState") -> list[int]:
    """The chance actions of the hand in order (hole cards first, then the board)."""
    return [pa.action for pa in state.s.full_history() if pa.player < 0]


# -- the observation -----------------------------------------------------------------------

@dataclass(frozen=True)
class PokerObservation:
    """What one seat knows of a poker hand."""

    seat: int
    to_move: int
    """The seat to act, ``CHANCE`` (-2) while cards are dealt, ``TERMINAL`` (-1) at the end."""
    round: int
    """Betting round, 0 first (hold'em: 0 preflop, 1 flop, 2 turn, 3 river)."""
    round_name: str
    hole: tuple[str, ...]
    """This seat's private cards ("As", "Kh"; Kuhn "J"/"Q"/"K"; Leduc "Js", "Qh", ...)."""
    board: tuple[str, ...]
    """Public cards in deal order."""
    pot: int
    contributions: tuple[int, ...]
    """Chips each seat has put in this hand (blinds and antes included)."""
    stacks: tuple[int, ...] | None
    """Chips each seat has behind, or None where stacks never limit a bet (Kuhn, limit)."""
    to_call: int
    """Chips this seat must add to call (0: it may check)."""
    legal: tuple[str, ...]
    """Kinds of this seat's legal actions (fold/check/call/bet/raise/all-in), aligned with
    ``legal_actions``; empty when it is not this seat's turn."""
    legal_actions: tuple[int, ...]
    history: tuple[tuple[tuple[int, str], ...], ...]
    """Per round so far, the (seat, kind) of every betting action."""
    folded: tuple[bool, ...]
    big_blind: int
    """The unit of ``bb`` metrics: the big blind, or the ante of 1 in Kuhn and Leduc."""
    positions: tuple[str, ...]

    @property
    def contribution(self) -> int:
        return self.contributions[self.seat]

    @property
    def stack(self) -> int | None:
        return None if self.stacks is None else self.stacks[self.seat]

    @property
    def active_opponents(self) -> int:
        return sum(1 for s, f in enumerate(self.folded) if not f and s != self.seat)

    def action(self, kind: str) -> int | None:
        """The legal action of ``kind``, or None."""
        for k, a in zip(self.legal, self.legal_actions):
            if k == kind:
                return a
        return None


class PokerState(SpielState):
    """A poker hand of an OpenSpiel poker game, with poker views, names and metrics."""

    def __init__(self, game: Any, spiel_state: Any):
        self._memo: dict[Any, Any] = {}
        super().__init__(game, spiel_state)

    def _apply(self, action: int) -> None:
        self._memo.clear()
        super()._apply(action)

    def _hand(self, seat: int) -> _Hand:
        key = ("hand", seat)
        hand = self._memo.get(key)
        if hand is None:
            hand = self._memo[key] = _parse(self, seat)
        return hand

    def _public(self) -> _Hand:
        """The public part of the hand (betting, board), parsed from seat 0's view."""
        return self._hand(0)

    # -- the legal moves, named ----------------------------------------------------------
    def _moves(self) -> dict[int, Move]:
        """Per legal action of the seat to move, the move it makes (kind and amounts)."""
        hit = self._memo.get("moves")
        if hit is not None:
            return hit
        p = self.current_player
        out: dict[int, Move] = {}
        if p >= 0:
            hand = self._hand(p)  # the mover's own view (its betting part is public)
            lay = layout(self.game)
            bet = hand.bet
            for a in self.legal_actions():
                out[a] = self._move(lay, bet, p, a)
        self._memo["moves"] = out
        return out

    def _move(self, lay: PokerLayout, bet: _Betting, p: int, a: int) -> Move:
        need = bet.to_call(p)
        mine = bet.contrib[p] - bet.start[p]
        if lay.family == "kuhn":
            code = ("f" if need > 0 else "c") if a == 0 else ("c" if need > 0 else "r")
        else:
            code = {0: "f", 1: "c", 2: "r", 3: "r"}.get(a, "r")
        if code == "f":
            return Move(p, "fold", 0, mine)
        if code == "c":
            return Move(p, "call" if need > 0 else "check", need, mine + need)
        if lay.family == "universal" and lay.nolimit:
            to = _contribution_after(self, p, a)
        else:
            to = bet.raise_to(p)
        kind = "all-in" if a == 3 and lay.family == "universal" else bet.kind_of_raise(p, to)
        if a == 2 and kind == "all-in":
            kind = "raise" if max(bet.contrib) > bet.level0 else "bet"
        return Move(p, kind, to - bet.contrib[p], to - bet.start[p])

    def _card(self, card: int) -> str:
        lay = layout(self.game)
        if lay.family == "kuhn":
            return kuhn_card(lay, card)
        if lay.family == "leduc":
            return leduc_card(lay, card)
        return holdem_card(card, lay.suits)

    def action_name(self, action: int) -> str:
        if self.current_player == CHANCE:
            return f"deal {self._card(action)}"
        move = self._moves().get(action)
        if move is None:
            return super().action_name(action)
        return move_name(move)

    # -- views ---------------------------------------------------------------------------
    def observation(self, seat: int) -> PokerObservation:
        key = ("obs", seat)
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        hand = self._hand(seat)
        bet, lay = hand.bet, layout(self.game)
        mine = self.current_player == seat
        moves = self._moves() if mine else {}
        history = tuple(tuple((m.seat, m.kind) for m in moves_) for moves_ in bet.rounds)
        obs = PokerObservation(
            seat=seat, to_move=self.current_player, round=hand.round,
            round_name=lay.round_names[min(hand.round, lay.rounds - 1)],
            hole=hand.hole, board=hand.board, pot=sum(bet.contrib),
            contributions=tuple(bet.contrib),
            stacks=None if lay.stacks is None else tuple(
                st - c for st, c in zip(lay.stacks, bet.contrib)),
            to_call=bet.to_call(seat) if not bet.folded[seat] else 0,
            legal=tuple(m.kind for m in moves.values()), legal_actions=tuple(moves),
            history=history, folded=tuple(bet.folded), big_blind=lay.big_blind,
            positions=lay.positions,
        )
        self._memo[key] = obs
        return obs

    def text(self, seat: int) -> str:
        return render(self, seat)

    def metrics(self, outcome: Outcome | None = None) -> dict[str, list[Any]]:
        lay = layout(self.game)
        n = lay.players
        out: dict[str, list[Any]] = {k: [0] * n for k in ("vpip", "pfr", "aggressive", "calls")}
        out["hands"] = [1] * n
        bet = self._public().bet
        for r, moves in enumerate(bet.rounds):
            for m in moves:
                aggressive = m.kind in AGGRESSIVE
                if m.kind == "call" or aggressive:
                    if r == 0:
                        out["vpip"][m.seat] = 1
                if aggressive:
                    out["aggressive"][m.seat] += 1
                    if r == 0:
                        out["pfr"][m.seat] = 1
                elif m.kind == "call":
                    out["calls"][m.seat] += 1
        # A forfeited hand is scored by the forfeit rule, not by the unfinished state.
        returns = outcome.returns if outcome is not None else self.returns()
        out["bb"] = [r / lay.big_blind for r in returns]
        return out

    def check_invariants(self) -> None:
        """No card is dealt twice (hole cards and board); the replayed betting agrees with
        OpenSpiel's accounting and turn order."""
        lay = layout(self.game)
        dealt = _chance_actions(self)
        if len(set(dealt)) != len(dealt):
            twice = sorted({c for c in dealt if dealt.count(c) > 1})
            raise AssertionError(f"cards dealt twice: {[self._card(c) for c in twice]} "
                                 f"(deal {[self._card(c) for c in dealt]})")
        for seat in range(lay.players):
            hand = self._hand(seat)
            bet = hand.bet
            if self.current_player >= 0:
                assert bet.actor == self.current_player, \
                    f"replayed turn order says seat {bet.actor}, OpenSpiel {self.current_player}"
            rep = hand.reported.get("contrib")
            if rep and self.current_player != TERMINAL:
                assert tuple(bet.contrib) == rep, \
                    f"replayed contributions {bet.contrib} != OpenSpiel's {rep}"
            if lay.family == "universal" and self.current_player != TERMINAL:
                assert hand.round == hand.reported["round"], "round mismatch"
            if seat != 0:
                pub = self._public().bet
                assert [m for r in pub.rounds for m in r] == [m for r in bet.rounds for m in r]


def _contribution_after(state: PokerState, p: int, action: int) -> int:
    child = state.s.child(action)
    obs = _fields(child.observation_string(p))
    return _ints(obs["PlayerContribution"])[p]


def move_name(move: Move) -> str:
    """``fold``, ``check``, ``call 10``, ``bet 20``, ``raise to 40``, ``all-in 9900``.

    ``call N`` and ``all-in N`` add N chips; ``bet N`` and ``raise to N`` make the seat's
    total bet in this round N.
    """
    if move.kind in ("fold", "check"):
        return move.kind
    if move.kind in ("call", "all-in"):
        return f"{move.kind} {move.added}"
    if move.kind == "bet":
        return f"bet {move.total}"
    return f"raise to {move.total}"


# -- text ----------------------------------------------------------------------------------

_VERB = {"fold": "folds", "check": "checks", "call": "calls", "bet": "bets", "raise": "raises",
         "all-in": "goes all-in"}


def _who(lay: PokerLayout, s: int, me: int, short: bool = True) -> str:
    name = "you" if s == me else f"seat {s}"
    pos = lay.positions[s] if s < len(lay.positions) else ""
    if pos and not short:
        return f"{name} ({pos})"
    return name


def _move_text(lay: PokerLayout, m: Move, me: int) -> str:
    who = _who(lay, m.seat, me)
    if m.kind in ("fold", "check"):
        verb = "fold" if who == "you" and m.kind == "fold" else (
            "check" if who == "you" else _VERB[m.kind])
        return f"{who} {verb}"
    you = who == "you"
    if m.kind == "call":
        return f"{who} {'call' if you else 'calls'} {m.added}"
    if m.kind == "bet":
        return f"{who} {'bet' if you else 'bets'} {m.total}"
    if m.kind == "raise":
        return f"{who} {'raise' if you else 'raises'} to {m.total}"
    return f"{who} {'go' if you else 'goes'} all-in ({m.added} more, {m.total} this round)"


def render(state: PokerState, seat: int) -> str:
    """The seat's view as text: rules, seat, cards, pot, stacks, betting, whose turn."""
    lay = layout(state.game)
    obs = state.observation(seat)
    bet = state._hand(seat).bet
    lines = [lay.rules_text]
    pos = lay.positions[seat]
    lines.append(f"You are seat {seat}{f' ({pos})' if pos else ''} of {lay.players}.")
    card_word = "card" if len(obs.hole) == 1 else "cards"
    lines.append(f"Your {card_word}: {' '.join(obs.hole) if obs.hole else '(not dealt yet)'}")
    if lay.family != "kuhn":
        label = "Public card" if lay.family == "leduc" else "Board"
        if obs.board:
            lines.append(f"{label}: {_board_text(lay, obs.board)}")
        else:
            lines.append(f"{label}: (none yet)")
    lines.append(f"Pot: {obs.pot}")
    lines.append("Seats:")
    for s in range(lay.players):
        parts = [f"{obs.contributions[s]} in the pot"]
        if s == seat and state.current_player >= 0:
            parts[0] += f" ({obs.contributions[s] - bet.start[s]} this round)"
        if obs.stacks is not None:
            parts.append(f"{obs.stacks[s]} behind")
        if obs.folded[s]:
            parts.append("folded")
        elif obs.stacks is not None and obs.stacks[s] == 0:
            parts.append("all-in")
        lines.append(f"  {_who(lay, s, seat, short=False)}: {', '.join(parts)}")
    betting = []
    for r, moves in enumerate(bet.rounds):
        if moves:
            name = lay.round_names[min(r, lay.rounds - 1)]
            betting.append(f"  {name}: " + ", ".join(_move_text(lay, m, seat) for m in moves))
    lines.append("Betting so far:" if betting else "Betting so far: none")
    lines.extend(betting)
    p = state.current_player
    if p == TERMINAL:
        returns = state.returns()
        mine = returns[seat]
        unit = "big blind" if lay.family == "universal" else "ante"
        bbs = mine / lay.big_blind
        verdict = ("won" if mine > 0 else "lost" if mine < 0 else "broke even")
        amount = f" {abs(mine):g} chip{'' if abs(mine) == 1 else 's'}" if mine else ""
        unit += "" if abs(bbs) == 1 else "s"
        lines.append(f"The hand is over: you {verdict}{amount} ({bbs:+g} {unit}). Results: "
                     + ", ".join(f"{_who(lay, s, seat)} {r:+g}" for s, r in enumerate(returns))
                     + ".")
    elif p == CHANCE:
        lines.append("Cards are being dealt.")
    elif p == seat:
        names = [state.action_name(a) for a in obs.legal_actions]
        call = f"{obs.to_call} to call" if obs.to_call else "nothing to call"
        lines.append(f"Your move ({obs.round_name}), {call}. Choose one of: "
                     + " | ".join(names))
        lines.append("(call N and all-in N add N chips; bet N and raise to N make your total "
                     "bet this round N.)")
    else:
        pos = lay.positions[p]
        lines.append(f"Waiting for seat {p}{f' ({pos})' if pos else ''} to act "
                     f"({obs.round_name}).")
    return "\n".join(lines)


def _board_text(lay: PokerLayout, board: tuple[str, ...]) -> str:
    if lay.round_names[:4] == ("preflop", "flop", "turn", "river"):
        parts = ["flop " + " ".join(board[:3])]
        if len(board) > 3:
            parts.append(f"turn {board[3]}")
        if len(board) > 4:
            parts.append(f"river {board[4]}")
        return ", ".join(parts)
    return " ".join(board)
