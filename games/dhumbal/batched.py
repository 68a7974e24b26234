"""Dhumbal on B tables at once, as torch tensors, on any device.

The same game as ``DhumbalGame`` (same rules settings, the same fixed action space, the same
observation layout as ``DhumbalState.encode``, the same returns), written for throughput:
every table's state is a set of tensors, and one ``step`` applies one action at every table
that is given one. Hands, known cards, the pile and the offer are 52-bit card masks in an
int64 (card ``c`` is bit ``c``, as in the reference engine), so a table's cards are a few
words, not planes of 52 booleans: moving cards is a bitwise operation, and hand totals, card
counts and the melds a hand holds are read from lookup tables indexed by one suit's 13 bits
(``plane`` unpacks a mask into 52 booleans where a plane is wanted: legal moves,
observations). The deck is an ordered stack per table (``deck[b, :deck_len[b]]``, drawn
from the end). Chance (deals, reshuffles) comes from a ``torch.Generator`` seeded per batch.

The discard pile is kept as a card mask plus the two newest melds (``last``, ``prev``):
all the rules ever read of it (what a reshuffle keeps, which meld an offered card is taken
from, the observation's pile plane).

``tests/test_batched_dhumbal.py`` replays thousands of reference games on it (same deals,
same moves) and checks legal moves, observations, returns and ends at every step.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
from dataclasses import dataclass

import torch

from .cards import CALL, DRAW, MELD_BASE, TAKE_BASE, card_value, mask_of, melds
from .game import PRESETS, DhumbalGame, DhumbalRules

TERMINAL = -1


@dataclass
class Tables:
    """The state of B tables (tensors on one device)."""

    hands: torch.Tensor       # long [B, n]: card masks (bit c: card c)
    known: torch.Tensor       # long [B, n]: cards taken from an offer, not yet discarded
    deck: torch.Tensor        # uint8 [B, 52]: the stack, next card at deck_len - 1
    deck_len: torch.Tensor    # long [B]
    pile: torch.Tensor        # long [B]: every card on the discard pile
    last: torch.Tensor        # long [B]: the newest meld on the pile (what is left of it)
    prev: torch.Tensor        # long [B]: the meld below it
    offer: torch.Tensor       # long [B]
    next_offer: torch.Tensor  # long [B]
    current: torch.Tensor     # long [B]: seat to move, -1 at the end
    phase: torch.Tensor       # long [B]: 0 discard (or call), 1 draw
    turn: torch.Tensor        # long [B]
    round: torch.Tensor       # long [B]
    active: torch.Tensor      # bool [B, n]
    scores: torch.Tensor      # long [B, n]
    coins: torch.Tensor       # long [B, n]
    out_round: torch.Tensor   # long [B, n]: round a seat went out, -1 if still in


class ShuffledDecks:
    """Random orders of the 52 cards, made many at a time and handed out in turn (a step
    deals to a few tables at a time, and work on thousands of decks at once costs far less
    per deck). The order they are handed out in, and so every game, follows from the seed.
    """

    def __init__(self, gen: torch.Generator, device: torch.device, batch: int):
        self.gen, self.device, self.batch = gen, device, max(batch, 1024)
        self.decks = torch.empty(0, 52, dtype=torch.uint8, device=device)
        self.next = 0

    def take(self, k: int) -> torch.Tensor:
        """``k`` decks [k, 52] (uint8; each a permutation of the cards)."""
        if self.next + k > self.decks.shape[0]:
            self.decks = torch.cat([self.decks[self.next:], self.shuffle(max(self.batch, k))])
            self.next = 0
        self.next += k
        return self.decks[self.next - k:self.next]

    def shuffle(self, count: int) -> torch.Tensor:
        """``count`` new decks: Fisher-Yates on all of them at once (step i swaps card i of
        every deck with a card j <= i drawn for that deck), several times faster than
        sorting random keys."""
        d = torch.arange(52, dtype=torch.uint8, device=self.device).unsqueeze(1).repeat(
            1, count)                                                     # [52, count]
        for i in range(51, 0, -1):
            j = torch.randint(0, i + 1, (1, count), generator=self.gen, device=self.device)
            card = d[i].clone()
            d[i] = d.gather(0, j).squeeze(0)
            d.scatter_(0, j, card.unsqueeze(0))
        return d.t().contiguous()


def lookup(table: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """``table[index]`` for a table indexed by its first dimension (several times faster
    than advanced indexing on CPU)."""
    return table.index_select(0, index.reshape(-1)).view(*index.shape, *table.shape[1:])


def row_min(x: torch.Tensor) -> torch.Tensor:
    """The least value of each row of an integer tensor [k, m] (``amin`` over a short last
    dimension of int64 is many times slower on CPU)."""
    return -(-x).amax(1)


@functools.lru_cache(maxsize=None)
def _lookup_tables(hand_size: int, face_values: str) -> tuple[torch.Tensor, ...]:
    """Lookup tables indexed by one suit's 13 bits (the same for every suit): the
    ranks' total worth and count; which of a suit's runs the suit holds (in action
    order); and, for the 4-bit pattern of suits a rank is held in, which of the rank's
    sets it holds (in action order). And a suit's ranks spread one bit in four (to read
    every rank's pattern of suits at once)."""
    ms = melds(hand_size)
    values = [card_value(c, face_values) for c in range(52)]
    chunks = range(1 << 13)
    lut_total = torch.tensor([sum(values[k] for k in range(13) if x >> k & 1) for x in chunks],
                             dtype=torch.long)
    lut_count = torch.tensor([x.bit_count() for x in chunks], dtype=torch.long)
    runs = [m for m in ms if m.kind == "run" and m.cards[0] < 13]   # the first suit's
    sets = [m for m in ms if m.kind == "set" and m.cards[0] % 13 == 0]  # the Ace's
    lut_runs = torch.tensor([[x & m.mask == m.mask for m in runs] for x in chunks],
                            dtype=torch.bool).reshape(1 << 13, len(runs))
    pattern = [sum(1 << (c // 13) for c in m.cards) for m in sets]
    lut_sets = torch.tensor([[p & q == q for q in pattern] for p in range(16)],
                            dtype=torch.bool).reshape(16, len(sets))
    # A suit's ranks, one bit in four (rank k: bit 4k).
    spread = torch.tensor([sum(1 << 4 * k for k in range(13) if x >> k & 1) for x in chunks],
                          dtype=torch.long)
    return lut_total, lut_count, lut_runs, lut_sets, spread


class BatchedDhumbal:
    """B tables of Dhumbal. ``rules``: a ``DhumbalRules`` or a preset name. ``compile``:
    run each step's moves through ``torch.compile`` (a C++ compiler on a CPU, Triton on a
    GPU; the first step of each batch size compiles, for some seconds)."""

    def __init__(self, rules: DhumbalRules | str = DhumbalGame.default_preset, batch: int = 1024,
                 device: str | torch.device = "cpu", seed: int = 0, compile: bool = False):
        if isinstance(rules, str):
            if rules not in PRESETS:
                raise ValueError(f"unknown preset '{rules}'; valid: {', '.join(PRESETS)}")
            rules = DhumbalRules(**PRESETS[rules])
        self.rules = r = rules
        self.n = n = r.players
        self.B = batch
        self.device = dev = torch.device(device)
        self.gen = torch.Generator(device=dev)
        self.gen.manual_seed(seed)
        self.decks = ShuffledDecks(self.gen, dev, batch)
        ms = melds(r.hand_size)
        self.M = len(ms)
        self.num_actions = MELD_BASE + self.M
        self.bit = torch.tensor([1 << c for c in range(52)], dtype=torch.long, device=dev)
        self.meld_bits = torch.tensor([m.mask for m in ms], dtype=torch.long, device=dev)
        self.meld_offer = torch.tensor([mask_of(m.offer) for m in ms], dtype=torch.long,
                                       device=dev)
        self.meld_last = torch.tensor([m.cards[-1] for m in ms], dtype=torch.long, device=dev)
        self._tables()
        self._bit_planes: dict[torch.dtype, torch.Tensor] = {}
        self._suit_shift = torch.arange(4, device=dev) * 13
        self.rank_ids = torch.arange(13, device=dev)
        self.suit_ids = torch.arange(4, device=dev)
        self._seat_ids = torch.arange(n, device=dev)
        self.encoding_size = 52 * 3 + 52 * (n - 1) + 3 * n + 7
        # What ``encode`` divides its numbers by: card counts, seats in, money, three flags,
        # hand total, turn, deck size, game over.
        money = 100.0 * r.payment_cap if r.scoring == "coins" else float(r.elimination)
        self._tail_scale = torch.tensor([float(r.hand_size)] * n + [1.0] * n + [money] * n + [
            1.0, 1.0, 1.0, 50.0, float(r.max_turns), 52.0, 1.0], dtype=torch.float64,
            device=dev)
        self.ar = torch.arange(batch, device=dev)
        self.t: Tables = self._blank()
        self._compile = compile
        self._subs: dict[int, BatchedDhumbal] = {}
        if compile:
            # One graph per batch size (and per sub-batch size, see ``subset``): more than
            # torch's default of 8 for a function when several sizes run in one process.
            torch._dynamo.config.recompile_limit = max(torch._dynamo.config.recompile_limit, 64)
        self._compiled_graphs()
        self.reset()

    def _compiled_graphs(self) -> None:
        # The moves of a step, and the showdowns, as torch.compile graphs (fused kernels:
        # fewer passes over memory on a CPU, far fewer kernel launches on a GPU), or the
        # plain code.
        compiled = functools.partial(torch.compile, dynamic=False) if self._compile else (
            lambda f: f)
        self._move, self._settles = compiled(self._step), compiled(self._settle)

    def pad(self, idx: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Table indices [k] for ``subset``, and which of the returned rows are theirs: in a
        compiled game they are padded with copies of the last to 64 times a power of 4 (the
        sizes sub-batches are compiled for), in a plain game not. Padding rows must not
        move (pass the mask as ``step``'s ``where``)."""
        k = size = idx.numel()
        if self._compile:
            size = 64
            while size < k:
                size *= 4
            idx = torch.cat([idx, idx[-1:].expand(size - k)])
        return idx, torch.arange(size, device=self.device) < k

    def _tables(self) -> None:
        luts = _lookup_tables(self.rules.hand_size, self.rules.face_values)
        (self.lut_total, self.lut_count, self.lut_runs, self.lut_sets, self.lut_spread) = (
            x.to(self.device) for x in luts)

    def subset(self, idx: torch.Tensor) -> "BatchedDhumbal":
        """The tables ``idx`` (long [k]; ascending, or with repeats of the last at the end
        as padding) as a batch of their own: their state with the same rules, lookup tables,
        generator and shuffled decks (so what they draw is what the whole batch would have
        drawn for them).
        A plain game's subset is stepped by the plain code; a compiled game keeps one
        compiled sub-batch per number of tables (a graph is made for each size, so pad ``idx``
        to a few sizes). ``merge`` puts the tables back."""
        k = idx.numel()
        sub = self._subs.get(k) if self._compile else None
        fields = {f.name: getattr(self.t, f.name).index_select(0, idx)
                  for f in dataclasses.fields(Tables)}
        if sub is not None:
            for name, value in fields.items():
                setattr(sub.t, name, value)
            return sub
        sub = copy.copy(self)
        sub.B = k
        sub.ar = torch.arange(k, device=self.device)
        sub.t = Tables(**fields)
        sub._subs = {}
        sub._compiled_graphs()
        if self._compile:
            self._subs[k] = sub
        return sub

    def merge(self, idx: torch.Tensor, sub: "BatchedDhumbal") -> None:
        """Write the first ``len(idx)`` tables of ``sub`` (from ``subset``) back at ``idx``."""
        k = idx.numel()
        for f in dataclasses.fields(Tables):
            getattr(self.t, f.name).index_copy_(0, idx, getattr(sub.t, f.name)[:k])

    # -- card masks -----------------------------------------------------------------------
    def plane(self, bits: torch.Tensor, dtype: torch.dtype = torch.bool) -> torch.Tensor:
        """Card masks [...] unpacked into [..., 52] (booleans, or 0/1 of ``dtype``), one
        suit's 13 bits at a time from a table."""
        table = self._bit_planes.get(dtype)
        if table is None:
            table = self._bit_planes[dtype] = (
                (torch.arange(1 << 13, device=self.device).unsqueeze(1)
                 >> self.rank_ids) & 1).to(dtype)
        return lookup(table, self.chunks(bits)).view(*bits.shape, 52)

    def chunks(self, bits: torch.Tensor) -> torch.Tensor:
        """Each suit's 13 bits of card masks [...]: [..., 4]."""
        return (bits.unsqueeze(-1) >> self._suit_shift) & 8191

    def total(self, bits: torch.Tensor) -> torch.Tensor:
        """The worth of the cards of masks [...] (hand totals)."""
        return lookup(self.lut_total, self.chunks(bits)).sum(-1)

    def count(self, bits: torch.Tensor) -> torch.Tensor:
        """The number of cards of masks [...]."""
        return lookup(self.lut_count, self.chunks(bits)).sum(-1)

    def rank_suits(self, bits: torch.Tensor) -> torch.Tensor:
        """For masks [k]: [k, 13], the 4-bit pattern of the suits each rank is held in."""
        # Each suit's ranks spread to one bit in four (rank r: bit 4r + suit), so the four
        # suits add up to a 13-nibble word.
        spread = lookup(self.lut_spread, self.chunks(bits)) << self.suit_ids       # [k, 4]
        return (spread.sum(-1).unsqueeze(-1) >> (4 * self.rank_ids)) & 15

    # -- setting up -----------------------------------------------------------------------
    def _blank(self) -> Tables:
        B, n, dev = self.B, self.n, self.device
        z = lambda *shape, dt=torch.long: torch.zeros(*shape, dtype=dt, device=dev)  # noqa: E731
        return Tables(
            hands=z(B, n), known=z(B, n), deck=z(B, 52, dt=torch.uint8), deck_len=z(B),
            pile=z(B), last=z(B), prev=z(B), offer=z(B), next_offer=z(B), current=z(B),
            phase=z(B), turn=z(B), round=z(B), active=z(B, n, dt=torch.bool),
            scores=z(B, n), coins=z(B, n), out_round=z(B, n))

    def reset(self, tables: torch.Tensor | None = None) -> None:
        """New games at ``tables`` (a bool mask [B]; default every table)."""
        t, r = self.t, self.rules
        idx = self.ar if tables is None else tables.nonzero().squeeze(1)
        if idx.numel() == 0:
            return
        t.active[idx] = True
        t.scores[idx] = 0
        t.coins[idx] = r.start_coins
        t.out_round[idx] = -1
        t.round[idx] = -1
        self._deal(idx, torch.zeros_like(idx))

    def _deal(self, idx: torch.Tensor, starter: torch.Tensor) -> None:
        """A new round at tables ``idx`` (long), started by ``starter`` (the first seat in
        still in from it)."""
        t, r, n = self.t, self.rules, self.n
        k = idx.numel()
        deck = self.decks.take(k)
        stack = deck.long()  # as indices
        t.round[idx] += 1
        # Active seats take hand_size cards each from the top (the end), in seat order.
        act = t.active[idx]
        order = act.long().cumsum(1) - 1                                   # [k, n]
        pos = 51 - order.unsqueeze(2) * r.hand_size - torch.arange(
            r.hand_size, device=self.device)                               # [k, n, h]
        cards = stack.gather(1, pos.clamp(0, 51).reshape(k, -1)).reshape(k, n, r.hand_size)
        dealt = act.sum(1) * r.hand_size
        start = lookup(self.bit, stack.gather(1, (51 - dealt).unsqueeze(1)).squeeze(1))
        t.hands[idx] = lookup(self.bit, cards).sum(2) * act   # distinct bits: the sum is the union
        t.deck[idx] = deck
        t.deck_len[idx] = 51 - dealt
        t.pile[idx] = start
        t.last[idx] = start
        t.prev[idx] = 0
        t.known[idx] = 0
        t.offer[idx] = start if r.pickup == "previous" else 0
        t.next_offer[idx] = 0
        t.turn[idx] = 0
        t.phase[idx] = 0
        t.current[idx] = self._first_active(idx, starter)

    def load(self, b: int, state) -> None:
        """Put a reference ``DhumbalState`` (same rules) at table ``b``: every card where it
        is, the deck in its order, the turn, round, scores and coins (for tests, and to
        start tables from hand-built positions)."""
        t, n, dev = self.t, self.n, self.device

        t.hands[b] = torch.tensor(list(state.hands), dtype=torch.long, device=dev)
        t.known[b] = torch.tensor(list(state.known), dtype=torch.long, device=dev)
        t.deck[b] = 0
        t.deck[b, :len(state.deck)] = torch.tensor(state.deck, dtype=torch.uint8, device=dev)
        t.deck_len[b] = len(state.deck)
        t.pile[b] = mask_of([c for meld in state.pile for c in meld])
        t.last[b] = mask_of(state.pile[-1] if state.pile else ())
        t.prev[b] = mask_of(state.pile[-2] if len(state.pile) > 1 else ())
        t.offer[b] = mask_of(state.offer)
        t.next_offer[b] = mask_of(state.next_offer)
        t.current[b] = state.current_player
        t.phase[b] = state.phase
        t.turn[b] = state.turn
        t.round[b] = state.round
        t.active[b] = torch.tensor(state.active, device=dev)
        t.scores[b] = torch.tensor(state.scores, device=dev)
        t.coins[b] = torch.tensor(state.coins, device=dev)
        t.out_round[b] = torch.tensor([-1 if x is None else x for x in state.out_round],
                                      device=dev)

    def _first_active(self, idx: torch.Tensor, seat: torch.Tensor) -> torch.Tensor:
        """For each table in ``idx``: the first seat still in at or after ``seat``."""
        n = self.n
        seats = (seat.unsqueeze(1) + torch.arange(n, device=self.device)) % n    # [k, n]
        ok = self.t.active[idx].gather(1, seats)
        return seats.gather(1, ok.long().argmax(1, keepdim=True)).squeeze(1)

    # -- reading --------------------------------------------------------------------------
    def totals(self) -> torch.Tensor:
        """Hand totals [B, n]."""
        return self.total(self.t.hands)

    def hand(self) -> torch.Tensor:
        """The card mask [B] of the seat to move at each table (seat 0's where finished)."""
        return self.t.hands.gather(1, self.t.current.clamp(min=0).unsqueeze(1)).squeeze(1)

    def can_draw(self) -> torch.Tensor:
        """[B]: a draw from the deck is possible (cards in it, or a pile to reshuffle)."""
        return (self.t.deck_len > 0) | (self._reshufflable() != 0)

    def legal_mask(self, out: torch.Tensor | None = None) -> torch.Tensor:
        """Legal actions [B, num_actions] (none at a finished table), written into ``out``
        if given (bool [B, num_actions])."""
        t, r, B = self.t, self.rules, self.B
        live = t.current >= 0
        discard = live & (t.phase == 0)
        hand = torch.where(discard, self.hand(), 0)
        # The melds a hand holds, in action order: singles (its cards), each rank's sets
        # (from the suits it holds that rank in), each suit's runs (from its 13 bits).
        sets = lookup(self.lut_sets, self.rank_suits(hand)).reshape(B, -1)
        runs = lookup(self.lut_runs, self.chunks(hand)).reshape(B, -1)
        pickup = live & (t.phase == 1)
        mask = torch.empty(B, self.num_actions, dtype=torch.bool, device=self.device) \
            if out is None else out
        mask[:, CALL] = discard & (self.total(hand) <= r.call_threshold)
        mask[:, DRAW] = pickup & self.can_draw()
        mask[:, TAKE_BASE:MELD_BASE] = self.plane(torch.where(pickup, t.offer, 0))
        mask[:, MELD_BASE:MELD_BASE + 52] = self.plane(hand)
        mask[:, MELD_BASE + 52:MELD_BASE + 52 + sets.shape[1]] = sets
        mask[:, MELD_BASE + 52 + sets.shape[1]:] = runs
        return mask

    def _kept(self) -> torch.Tensor:
        """The cards a reshuffle keeps on the pile [B]."""
        t = self.t
        return t.last | t.prev if self.rules.pickup == "previous" else t.last

    def _reshufflable(self) -> torch.Tensor:
        return self.t.pile & ~self._kept()

    def encode(self, seat: torch.Tensor | int, out: torch.Tensor | None = None) -> torch.Tensor:
        """Observations [B, encoding_size] of ``seat`` (one seat per table, or one for all)
        in the layout of ``DhumbalState.encode``, written into ``out`` if given (float32)."""
        t, r, n = self.t, self.rules, self.n
        if isinstance(seat, int):
            seat = torch.full((self.B,), seat, dtype=torch.long, device=self.device)
        B = self.B
        others = (seat.unsqueeze(1) + self._seat_ids) % n                  # [B, n]
        if out is None:
            out = torch.empty(B, self.encoding_size, device=self.device)
        hands = t.hands.gather(1, others)                                   # [B, n]
        cards = torch.cat([torch.stack([hands[:, 0], t.offer, t.pile], 1),
                           t.known.gather(1, others[:, 1:])], 1)          # [B, 3 + n - 1]
        out[:, :52 * (n + 2)] = self.plane(cards, torch.uint8).view(B, -1)  # 0/1: exact
        # The numbers after the planes: integers side by side, divided in float64 by their
        # scales, then rounded to float32 (the reference's rounding).
        if r.scoring == "coins":
            money = t.coins.gather(1, others) - r.start_coins
        else:
            money = t.scores.gather(1, others)
        to_move = t.current == seat
        total = self.total(hands[:, 0])
        discard = to_move & (t.phase == 0)
        ints = torch.cat([self.count(hands), t.active.gather(1, others), money, torch.stack([
            discard, to_move & (t.phase == 1), discard & (total <= r.call_threshold)], 1),
            torch.stack([total, t.turn, t.deck_len, (t.current < 0).long()], 1)], 1)
        out[:, 52 * (n + 2):] = ints.double() / self._tail_scale
        return out

    def returns(self, tables: torch.Tensor | None = None) -> torch.Tensor:
        """Each seat's return [B, n] as ``DhumbalState.returns`` computes it (final at a
        finished table; for a seat that is out under points, its settled return); with
        ``tables`` (long [k]), only at those: [k, n]."""
        t, r, n = self.t, self.rules, self.n
        pick = (lambda x: x) if tables is None else (lambda x: x.index_select(0, tables))
        if r.scoring == "coins":
            return (pick(t.coins) - r.start_coins).double()
        # Still in > went out later > lower score (ties share the better rank).
        key = pick(t.active).long() * (1 << 40) + (pick(t.out_round) + 1) * (1 << 20) - \
            pick(t.scores)
        rank = (key.unsqueeze(1) > key.unsqueeze(2)).sum(2)
        return 1.0 - 2.0 * rank.double() / (n - 1)

    def estimated_returns(self) -> torch.Tensor:
        """``DhumbalState.estimated_returns`` [B, n]: coins won so far; under points, mid-game,
        a seat out keeps its return, the seats still in share the returns of the places
        left, each moved by how far its score is below their mean, per elimination limit."""
        t, r, n = self.t, self.rules, self.n
        now = self.returns()
        if r.scoring == "coins":
            return now
        alive = t.active.double()
        k = alive.sum(1, keepdim=True)
        places = 1.0 - 2.0 * torch.arange(n, device=self.device, dtype=torch.float64) / (n - 1)
        share = (places.unsqueeze(0) * (torch.arange(n, device=self.device).unsqueeze(0)
                                        < k)).sum(1, keepdim=True) / k
        mean = (t.scores.double() * alive).sum(1, keepdim=True) / k
        est = (share + (mean - t.scores.double()) / r.elimination).clamp(-1.0, 1.0)
        est = torch.where(t.active, est, now)
        return torch.where((t.current < 0).unsqueeze(1), now, est)

    # -- playing --------------------------------------------------------------------------
    def step(self, actions: torch.Tensor, where: torch.Tensor | None = None) -> None:
        """Apply ``actions`` [B] at the tables ``where`` (bool [B]; default: every table
        still playing). Actions must be legal there (see ``legal_mask``)."""
        t = self.t
        go = t.current >= 0 if where is None else where & (t.current >= 0)
        a = actions.clamp(min=0)
        # A draw from an empty deck reshuffles the pile first (only tables about to draw
        # are touched, so this can come before the rest of the step).
        need = go & (t.phase == 1) & (a == DRAW) & (t.deck_len == 0)
        if need.any():
            self._reshuffle(need.nonzero().squeeze(1))
        calls, capped = self._move(a, go)
        ended = calls | capped
        if ended.any():
            # The showdowns and new deals on a sub-batch of the tables whose round ended.
            idx = ended.nonzero().squeeze(1)
            rows, real = self.pad(idx)
            sub = self.subset(rows)
            deal, starter = sub._settles(calls.index_select(0, rows) & real,
                                         capped.index_select(0, rows) & real)
            if deal.any():
                again = deal.nonzero().squeeze(1)
                sub._deal(again, starter.index_select(0, again))
            self.merge(idx, sub)

    def _step(self, a: torch.Tensor, go: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The moves of ``step`` without its data-dependent branches (one graph for
        ``torch.compile``): (tables where a player called, tables that hit the turn cap)."""
        t, r, ar = self.t, self.rules, self.ar
        cur = t.current.clamp(min=0).unsqueeze(1)
        hand = t.hands.gather(1, cur).squeeze(1)
        known = t.known.gather(1, cur).squeeze(1)
        # Discard phase: a call ends the round; otherwise the meld leaves the hand.
        disc = go & (t.phase == 0)
        calls = disc & (a == CALL)
        meld = disc & ~calls
        mi = (a - MELD_BASE).clamp(0, self.M - 1)
        mbits = torch.where(meld, lookup(self.meld_bits, mi), 0)
        hand = hand & ~mbits
        known = known & ~mbits
        if r.pickup == "previous":
            t.next_offer = torch.where(meld, lookup(self.meld_offer, mi), t.next_offer)
        else:
            t.offer = torch.where(meld, lookup(self.bit, lookup(self.meld_last, mi)), t.offer)
        t.pile = t.pile | mbits
        t.prev = torch.where(meld, t.last, t.prev)
        t.last = torch.where(meld, mbits, t.last)
        # Draw phase.
        pick = go & (t.phase == 1)
        draw = pick & (a == DRAW)
        take = pick & ~draw
        top = t.deck[ar, (t.deck_len - 1).clamp(min=0)].long()
        card = torch.where(draw, top, (a - TAKE_BASE).clamp(0, 51))
        t.deck_len = t.deck_len - draw.long()
        got = torch.where(pick, lookup(self.bit, card), 0)
        taken = torch.where(take, got, 0)
        mine = self._seat_ids == cur                                        # [B, n]
        t.hands = torch.where(mine, (hand | got).unsqueeze(1), t.hands)
        t.known = torch.where(mine, (known | taken).unsqueeze(1), t.known)
        t.pile = t.pile & ~taken
        if r.pickup == "previous":
            t.prev = t.prev & ~taken
        else:
            t.last = t.last & ~taken
        t.turn = t.turn + pick.long()
        t.offer = torch.where(pick, t.next_offer if r.pickup == "previous" else 0, t.offer)
        capped = pick & (t.turn >= r.max_turns)
        moving = pick & ~capped
        t.current = torch.where(moving, self._next_active(cur.squeeze(1)), t.current)
        t.phase = torch.where(moving, 0, torch.where(meld, 1, t.phase))
        return calls, capped

    def _next_active(self, seat: torch.Tensor) -> torch.Tensor:
        return self._first_active(self.ar, (seat + 1) % self.n)

    def _reshuffle(self, idx: torch.Tensor) -> None:
        """The pile, less the melds kept, shuffled into the deck at tables ``idx``."""
        t = self.t
        kept = self._kept()[idx]
        pool = self.plane(t.pile[idx] & ~kept)
        # A random order of all the cards, the pool's first (in that order): a random order
        # of the pool. The stack: the pool's cards at positions 0..count-1 (drawn from
        # count-1 down); the other cards after them, never drawn.
        perm = self.decks.take(idx.numel())
        inpool = pool.gather(1, perm.long()).long()
        count = inpool.sum(1)
        pos = torch.where(inpool == 1, inpool.cumsum(1) - 1,
                          count.unsqueeze(1) + (1 - inpool).cumsum(1) - 1)
        t.deck[idx] = torch.empty_like(perm).scatter_(1, pos, perm)
        t.deck_len[idx] = count
        t.pile[idx] = kept

    def _settle(self, calls: torch.Tensor, capped: torch.Tensor) -> tuple[torch.Tensor,
                                                                         torch.Tensor]:
        """The showdowns of the tables where a player called or the turn cap was hit, worked
        out at every table and kept only at those (no data-dependent branch: one graph;
        ``step`` runs it on a sub-batch of those tables). Returns (tables that deal a new
        round, the seat that starts it)."""
        t, r, n = self.t, self.rules, self.n
        sd = calls | capped
        arn = self._seat_ids.unsqueeze(0)
        act = t.active
        totals = self.total(t.hands)                                        # [B, n]
        cur = t.current.clamp(min=0)
        # Turn order from the seat after the caller (a call) or after the player who just
        # drew (the cap): the first lowest hand in that order wins.
        after = (cur + 1) % n
        start = torch.where(calls, after, self._first_active(self.ar, after))
        pos = (arn - start.unsqueeze(1)) % n
        big = torch.iinfo(torch.long).max // 4
        others = act & ~(calls.unsqueeze(1) & (arn == cur.unsqueeze(1)))
        lowest = torch.where(others, totals * n + pos, big).argmin(1)  # first lowest other
        caller_total = totals.gather(1, cur.unsqueeze(1)).squeeze(1)
        success = ~calls | (caller_total < row_min(torch.where(others, totals, big)))
        winner = torch.where(calls & success, cur, lowest)
        if r.cap_showdown == "lowest_calls":
            caller = torch.where(calls, cur, winner)
        else:
            caller = torch.where(calls, cur, -1)
        is_winner = arn == winner.unsqueeze(1)
        is_caller = arn == caller.unsqueeze(1)
        ok = success.unsqueeze(1)
        settle = sd.unsqueeze(1)
        if r.scoring == "coins":
            pay = totals.clamp(max=r.payment_cap) * act
            lost = pay * (act & ~is_winner)
            # Success: the others pay the winner their hands; failure: the caller pays the
            # winner every hand at the table.
            deltas = torch.where(ok, is_winner * lost.sum(1, keepdim=True) - lost,
                                 (is_winner.long() - is_caller.long()) * pay.sum(1, keepdim=True))
            t.coins = torch.where(settle, t.coins + deltas, t.coins)
            over = t.round + 1 >= r.session_rounds
        else:
            add = (totals + r.fail_penalty * (is_caller & ~ok)) * (act & ~is_winner)
            scores = t.scores + add
            out = settle & act & (scores > r.elimination)
            t.scores = torch.where(settle, scores, t.scores)
            t.active = act & ~out
            t.out_round = torch.where(out, t.round.unsqueeze(1), t.out_round)
            over = t.active.sum(1) <= 1
        t.current = torch.where(sd & over, TERMINAL, t.current)
        starter = torch.zeros_like(cur) if r.starter == "seat0" else winner
        return sd & ~over, starter
