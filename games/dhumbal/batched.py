"""Dhumbal on B tables at once, as torch tensors, on any device.

The same game as ``DhumbalGame`` (same rules settings, the same fixed action space, the same
observation layout as ``DhumbalState.encode``, the same returns), written for throughput:
every table's state is a set of tensors, and one ``step`` applies one action at every table
that is given one. Hands, known cards, the pile and the offer are 52-card boolean planes;
the deck is an ordered stack per table (``deck[b, :deck_len[b]]``, drawn from the end).
Chance (deals, reshuffles) comes from a ``torch.Generator`` seeded per batch.

The discard pile is kept as a card plane plus the two newest melds (``last``, ``prev``):
all the rules ever read of it (what a reshuffle keeps, which meld an offered card is taken
from, the observation's pile plane).

``tests/test_batched_dhumbal.py`` replays thousands of reference games on it (same deals,
same moves) and checks legal moves, observations, returns and ends at every step.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .cards import CALL, DRAW, MELD_BASE, TAKE_BASE, card_value, melds
from .game import PRESETS, DhumbalRules

TERMINAL = -1


@dataclass
class Tables:
    """The state of B tables (tensors on one device)."""

    hands: torch.Tensor       # bool [B, n, 52]
    known: torch.Tensor       # bool [B, n, 52]: cards taken from an offer, not yet discarded
    deck: torch.Tensor        # long [B, 52]: the stack, next card at deck_len - 1
    deck_len: torch.Tensor    # long [B]
    pile: torch.Tensor        # bool [B, 52]: every card on the discard pile
    last: torch.Tensor        # bool [B, 52]: the newest meld on the pile (what is left of it)
    prev: torch.Tensor        # bool [B, 52]: the meld below it
    offer: torch.Tensor       # bool [B, 52]
    next_offer: torch.Tensor  # bool [B, 52]
    current: torch.Tensor     # long [B]: seat to move, -1 at the end
    phase: torch.Tensor       # long [B]: 0 discard (or call), 1 draw
    turn: torch.Tensor        # long [B]
    round: torch.Tensor       # long [B]
    active: torch.Tensor      # bool [B, n]
    scores: torch.Tensor      # long [B, n]
    coins: torch.Tensor       # long [B, n]
    out_round: torch.Tensor   # long [B, n]: round a seat went out, -1 if still in


class BatchedDhumbal:
    """B tables of Dhumbal. ``rules``: a ``DhumbalRules`` or a preset name."""

    def __init__(self, rules: DhumbalRules | str = "standard", batch: int = 1024,
                 device: str | torch.device = "cpu", seed: int = 0):
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
        ms = melds(r.hand_size)
        self.M = len(ms)
        self.num_actions = MELD_BASE + self.M
        self.values = torch.tensor([card_value(c, r.face_values) for c in range(52)],
                                   dtype=torch.long, device=dev)
        mm = torch.zeros(self.M, 52, dtype=torch.bool)
        mo = torch.zeros(self.M, 52, dtype=torch.bool)
        last_card = torch.zeros(self.M, dtype=torch.long)
        for i, m in enumerate(ms):
            mm[i, list(m.cards)] = True
            mo[i, list(m.offer)] = True
            last_card[i] = m.cards[-1]
        self.meld_mask = mm.to(dev)
        self.meld_maskf = mm.float().to(dev)
        self.meld_offer = mo.to(dev)
        self.meld_last = last_card.to(dev)
        self.meld_size = mm.sum(1).to(dev)
        self.meld_value = (mm.long().to(dev) * self.values).sum(1)
        self.meld_run = torch.tensor([m.kind == "run" for m in ms], device=dev)
        self.encoding_size = 52 * 3 + 52 * (n - 1) + 3 * n + 7
        self.ar = torch.arange(batch, device=dev)
        self.t: Tables = self._blank()
        self.reset()

    # -- setting up -----------------------------------------------------------------------
    def _blank(self) -> Tables:
        B, n, dev = self.B, self.n, self.device
        z = lambda *shape, dt=torch.bool: torch.zeros(*shape, dtype=dt, device=dev)  # noqa: E731
        return Tables(
            hands=z(B, n, 52), known=z(B, n, 52), deck=z(B, 52, dt=torch.long),
            deck_len=z(B, dt=torch.long), pile=z(B, 52), last=z(B, 52), prev=z(B, 52),
            offer=z(B, 52), next_offer=z(B, 52), current=z(B, dt=torch.long),
            phase=z(B, dt=torch.long), turn=z(B, dt=torch.long), round=z(B, dt=torch.long),
            active=z(B, n), scores=z(B, n, dt=torch.long), coins=z(B, n, dt=torch.long),
            out_round=z(B, n, dt=torch.long))

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
        deck = torch.rand(k, 52, generator=self.gen, device=self.device).argsort(1)
        t.round[idx] += 1
        # Active seats take hand_size cards each from the top (the end), in seat order.
        act = t.active[idx]
        order = act.long().cumsum(1) - 1                                   # [k, n]
        pos = 51 - order.unsqueeze(2) * r.hand_size - torch.arange(
            r.hand_size, device=self.device)                               # [k, n, h]
        cards = deck.gather(1, pos.clamp(0, 51).reshape(k, -1)).reshape(k, n, r.hand_size)
        hands = torch.zeros(k, n, 52, dtype=torch.bool, device=self.device)
        hands.scatter_(2, cards, True)
        hands &= act.unsqueeze(2)
        dealt = act.sum(1) * r.hand_size
        start = deck.gather(1, (51 - dealt).unsqueeze(1)).squeeze(1)
        t.hands[idx] = hands
        t.deck[idx] = deck
        t.deck_len[idx] = 51 - dealt
        one = torch.zeros(k, 52, dtype=torch.bool, device=self.device)
        one[torch.arange(k, device=self.device), start] = True
        t.pile[idx] = one
        t.last[idx] = one
        t.prev[idx] = False
        t.known[idx] = False
        t.offer[idx] = one if r.pickup == "previous" else False
        t.next_offer[idx] = False
        t.turn[idx] = 0
        t.phase[idx] = 0
        t.current[idx] = self._first_active(idx, starter)

    def load(self, b: int, state) -> None:
        """Put a reference ``DhumbalState`` (same rules) at table ``b``: every card where it
        is, the deck in its order, the turn, round, scores and coins (for tests, and to
        start tables from hand-built positions)."""
        t, n, dev = self.t, self.n, self.device

        def plane(mask: int) -> torch.Tensor:
            return torch.tensor([bool(mask >> c & 1) for c in range(52)], device=dev)

        def cards(melds) -> torch.Tensor:
            m = 0
            for c in melds:
                m |= 1 << c
            return plane(m)

        for s in range(n):
            t.hands[b, s] = plane(state.hands[s])
            t.known[b, s] = plane(state.known[s])
        t.deck[b] = 0
        t.deck[b, :len(state.deck)] = torch.tensor(state.deck, dtype=torch.long, device=dev)
        t.deck_len[b] = len(state.deck)
        t.pile[b] = cards([c for meld in state.pile for c in meld])
        t.last[b] = cards(state.pile[-1] if state.pile else ())
        t.prev[b] = cards(state.pile[-2] if len(state.pile) > 1 else ())
        t.offer[b] = cards(state.offer)
        t.next_offer[b] = cards(state.next_offer)
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
        return (self.t.hands.long() * self.values).sum(2)

    def legal_mask(self) -> torch.Tensor:
        """Legal actions [B, num_actions] (none at a finished table)."""
        t, r = self.t, self.rules
        B, ar = self.B, self.ar
        mask = torch.zeros(B, self.num_actions, dtype=torch.bool, device=self.device)
        live = t.current >= 0
        cur = t.current.clamp(min=0)
        discard = live & (t.phase == 0)
        rows = discard.nonzero().squeeze(1)
        if rows.numel():  # the melds each hand holds (tables about to discard only)
            hand = t.hands[rows, cur[rows]]                                # [k, 52]
            mask[rows, MELD_BASE:] = (hand.float() @ self.meld_maskf.T) == self.meld_size
            total = (hand.long() * self.values).sum(1)
            mask[rows, CALL] = total <= r.call_threshold
        pickup = live & (t.phase == 1)
        mask[:, DRAW] = pickup & ((t.deck_len > 0) | self._reshufflable().any(1))
        mask[:, TAKE_BASE:MELD_BASE] = t.offer & pickup.unsqueeze(1)
        return mask

    def _kept(self) -> torch.Tensor:
        """The cards a reshuffle keeps on the pile [B, 52]."""
        t = self.t
        return t.last | t.prev if self.rules.pickup == "previous" else t.last

    def _reshufflable(self) -> torch.Tensor:
        return self.t.pile & ~self._kept()

    def encode(self, seat: torch.Tensor | int) -> torch.Tensor:
        """Observations [B, encoding_size] of ``seat`` (one seat per table, or one for all)
        in the layout of ``DhumbalState.encode``."""
        t, r, n, ar = self.t, self.rules, self.n, self.ar
        if isinstance(seat, int):
            seat = torch.full((self.B,), seat, dtype=torch.long, device=self.device)
        others = (seat.unsqueeze(1) + torch.arange(n, device=self.device)) % n  # [B, n]
        known = t.known[ar.unsqueeze(1), others[:, 1:]].reshape(self.B, -1)
        hand = t.hands[ar, seat]
        planes = torch.cat([hand, t.offer, t.pile, known], 1).float()
        # Ratios in float64, then float32: the reference's rounding.
        sizes = t.hands[ar.unsqueeze(1), others].sum(2).double() / r.hand_size
        active = t.active.gather(1, others).double()
        if r.scoring == "coins":
            money = (t.coins.gather(1, others) - r.start_coins).double() / (100.0 * r.payment_cap)
        else:
            money = t.scores.gather(1, others).double() / r.elimination
        to_move = t.current == seat
        total = (hand.long() * self.values).sum(1)
        tail = torch.stack([
            (to_move & (t.phase == 0)).double(), (to_move & (t.phase == 1)).double(),
            (to_move & (t.phase == 0) & (total <= r.call_threshold)).double(),
            total.double() / 50.0, t.turn.double() / r.max_turns, t.deck_len.double() / 52.0,
            (t.current < 0).double()], 1)
        return torch.cat([planes, torch.cat([sizes, active, money, tail], 1).float()], 1)

    def returns(self) -> torch.Tensor:
        """Each seat's return [B, n] as ``DhumbalState.returns`` computes it (final at a
        finished table; for a seat that is out under points, its settled return)."""
        t, r, n = self.t, self.rules, self.n
        if r.scoring == "coins":
            return (t.coins - r.start_coins).double()
        # Still in > went out later > lower score (ties share the better rank).
        key = t.active.long() * (1 << 40) + (t.out_round + 1) * (1 << 20) - t.scores
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
        t, r, ar = self.t, self.rules, self.ar
        go = t.current >= 0 if where is None else where & (t.current >= 0)
        cur = t.current.clamp(min=0)
        a = actions.clamp(min=0)
        # Discard phase: a call ends the round; otherwise the meld leaves the hand.
        disc = go & (t.phase == 0)
        calls = disc & (a == CALL)
        meld = disc & ~calls
        mi = (a - MELD_BASE).clamp(0, self.M - 1)
        mmask = self.meld_mask[mi] & meld.unsqueeze(1)                     # [B, 52]
        rows = t.hands[ar, cur]
        t.hands[ar, cur] = rows & ~mmask
        t.known[ar, cur] = t.known[ar, cur] & ~mmask
        m1 = meld.unsqueeze(1)
        if r.pickup == "previous":
            t.next_offer = torch.where(m1, self.meld_offer[mi], t.next_offer)
        else:
            last = torch.zeros_like(t.offer)
            last[ar, self.meld_last[mi]] = True
            t.offer = torch.where(m1, last, t.offer)
        t.pile |= mmask
        t.prev = torch.where(m1, t.last, t.prev)
        t.last = torch.where(m1, mmask, t.last)
        # Draw phase.
        pick = go & (t.phase == 1)
        draw = pick & (a == DRAW)
        take = pick & ~draw
        need = draw & (t.deck_len == 0)
        if need.any():
            self._reshuffle(need.nonzero().squeeze(1))
        top = t.deck[ar, (t.deck_len - 1).clamp(min=0)]
        card = torch.where(draw, top, (a - TAKE_BASE).clamp(0, 51))
        t.deck_len = t.deck_len - draw.long()
        onehot = torch.zeros_like(t.offer)
        onehot[ar, card] = True
        onehot &= pick.unsqueeze(1)
        t.hands[ar, cur] = t.hands[ar, cur] | onehot
        taken = onehot & take.unsqueeze(1)
        t.known[ar, cur] = t.known[ar, cur] | taken
        t.pile &= ~taken
        if r.pickup == "previous":
            t.prev &= ~taken
        else:
            t.last &= ~taken
        t.turn = t.turn + pick.long()
        p1 = pick.unsqueeze(1)
        t.offer = torch.where(p1, t.next_offer if r.pickup == "previous"
                              else torch.zeros_like(t.offer), t.offer)
        capped = pick & (t.turn >= r.max_turns)
        moving = pick & ~capped
        t.current = torch.where(moving, self._next_active(cur), t.current)
        t.phase = torch.where(moving, torch.zeros_like(t.phase),
                              torch.where(meld, torch.ones_like(t.phase), t.phase))
        if calls.any() or capped.any():
            self._showdown(calls, capped)

    def _next_active(self, seat: torch.Tensor) -> torch.Tensor:
        return self._first_active(self.ar, (seat + 1) % self.n)

    def _reshuffle(self, idx: torch.Tensor) -> None:
        """The pile, less the melds kept, shuffled into the deck at tables ``idx``."""
        t = self.t
        kept = self._kept()[idx]
        pool = t.pile[idx] & ~kept
        keys = torch.rand(idx.numel(), 52, generator=self.gen, device=self.device)
        keys = torch.where(pool, keys, torch.full_like(keys, 2.0))
        order = keys.argsort(1)                       # pool cards first, in random order
        count = pool.sum(1)
        # The stack: the pool's cards at positions 0..count-1 (drawn from count-1 down).
        t.deck[idx] = order
        t.deck_len[idx] = count
        t.pile[idx] = kept

    def _showdown(self, calls: torch.Tensor, capped: torch.Tensor) -> None:
        t, r, n = self.t, self.rules, self.n
        idx = (calls | capped).nonzero().squeeze(1)
        k = idx.numel()
        arn = torch.arange(n, device=self.device)
        act = t.active[idx]
        totals = (t.hands[idx].long() * self.values).sum(2)                 # [k, n]
        cur = t.current[idx]
        is_call = calls[idx]
        # Turn order from the seat after the caller (a call) or after the player who just
        # drew (the cap): the first lowest hand in that order wins.
        start = torch.where(is_call, (cur + 1) % n, self._first_active(idx, (cur + 1) % n))
        pos = (arn.unsqueeze(0) - start.unsqueeze(1)) % n
        big = torch.iinfo(torch.long).max // 4
        others = act & ~(is_call.unsqueeze(1) & (arn.unsqueeze(0) == cur.unsqueeze(1)))
        key = torch.where(others, totals * n + pos, torch.full_like(totals, big))
        lowest = key.argmin(1)                          # first lowest of the others / of all
        caller_total = totals.gather(1, cur.unsqueeze(1)).squeeze(1)
        others_min = torch.where(others, totals, torch.full_like(totals, big)).min(1).values
        success = torch.where(is_call, caller_total < others_min, torch.ones_like(is_call))
        winner = torch.where(is_call & success, cur, lowest)
        if r.cap_showdown == "lowest_calls":
            caller = torch.where(is_call, cur, winner)
        else:
            caller = torch.where(is_call, cur, torch.full_like(cur, -1))
        rows = torch.arange(k, device=self.device)
        is_winner = arn.unsqueeze(0) == winner.unsqueeze(1)
        is_caller = arn.unsqueeze(0) == caller.unsqueeze(1)
        if r.scoring == "coins":
            pay = totals.clamp(max=r.payment_cap) * act
            ok = success.unsqueeze(1)
            loses = act & ~is_winner
            deltas = torch.where(ok, -pay * loses, torch.zeros_like(pay))
            deltas[rows, winner] += torch.where(success, (pay * loses).sum(1), torch.zeros_like(winner))
            fail_pay = pay.sum(1)
            failed = ~success
            deltas[rows, caller.clamp(min=0)] -= torch.where(failed, fail_pay, 0)
            deltas[rows, winner] += torch.where(failed, fail_pay, 0)
            t.coins[idx] += deltas
            over = t.round[idx] + 1 >= r.session_rounds
        else:
            add = totals + r.fail_penalty * (is_caller & ~success.unsqueeze(1))
            add = add * (act & ~is_winner)
            scores = t.scores[idx] + add
            t.scores[idx] = scores
            out = act & (scores > r.elimination)
            t.active[idx] = act & ~out
            t.out_round[idx] = torch.where(out, t.round[idx].unsqueeze(1), t.out_round[idx])
            over = t.active[idx].sum(1) <= 1
        t.current[idx] = torch.where(over, torch.full_like(cur, TERMINAL), cur)
        again = idx[~over]
        if again.numel():
            starter = torch.zeros_like(again) if r.starter == "seat0" else winner[~over]
            self._deal(again, starter)
