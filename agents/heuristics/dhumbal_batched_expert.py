"""The ``expert`` Dhumbal heuristic (``dhumbal_expert``) on many tables at once.

Its discard and its draw are deterministic and are exactly the reference's: the same unseen
cards (not in the hand, not on the pile, not known to be in another hand), the same hand
score (the total less ``shed_weight`` times the worth of the largest meld the hand could
shed), the same plans (each meld it may shed, then the deck's expected score over the
unseen cards or an offered card), the same ties (the first move in action order; a draw
before a take). With the default ``shed_weight`` of 0.5 (or any weight of a few binary
digits) every number in them is a multiple of a half added in float64, so the sums are
exact and the choices equal to the bit; with a weight such as 0.1 a sum can differ from the
reference's in its last bit (torch adds in another order), and a near tie may then go the
other way (about 1 decision in 1,400). Its call judges the risk of being undercut by
dealing the unseen cards to the opponents ``samples`` times, as the reference does, from a
``torch.Generator``: the same probability of calling, not the same random deals. The tests
check the discards and draws on every decision of reference games, and the call estimate
against the reference's on sampled positions.
"""

from __future__ import annotations

import functools

import torch

from games.dhumbal.batched import BatchedDhumbal, lookup
from games.dhumbal.cards import CALL, DRAW, MELD_BASE, TAKE_BASE, card_value

from .dhumbal_expert import ExpertParams

FULL = (1 << 52) - 1
ROWS_AT_ONCE = 4096
"""Tables planned together (bounds the [tables, melds, 52] planes a plan builds)."""


@functools.lru_cache(maxsize=None)
def _tables(face_values: str, device: torch.device) -> tuple[torch.Tensor, ...]:
    """Card values [52]; each card's rank and suit; per 13-bit suit, the worth of its
    longest-worth run (3 or more in a row; 0 for none); and a 4-bit pattern's count."""
    values = [card_value(c, face_values) for c in range(52)]
    rank_values = values[:13]
    best = []
    for x in range(1 << 13):
        top, k = 0, 0
        while k < 13:
            if x >> k & 1:
                start = k
                while k < 13 and x >> k & 1:
                    k += 1
                if k - start >= 3:  # every card is worth at least 1: the whole run is best
                    top = max(top, sum(rank_values[start:k]))
            else:
                k += 1
        best.append(top)
    cards = torch.arange(52)
    return tuple(x.to(device) for x in (
        torch.tensor(values, dtype=torch.long), cards % 13, cards // 13,
        torch.tensor(best, dtype=torch.long),
        torch.tensor([bin(p).count("1") for p in range(16)], dtype=torch.long)))


class _Scorer:
    """Hand scores of ``expert`` for hands [k, m] and each card added to them [k, m, 52]."""

    def __init__(self, env: BatchedDhumbal, params: ExpertParams):
        self.env, self.w = env, params.shed_weight
        (self.values, self.rank_of, self.suit_of, self.lut_run,
         self.popcount) = _tables(env.rules.face_values, env.device)
        self.values32, self.lut_run32 = self.values.int(), self.lut_run.int()
        self.rank_bit = 1 << self.rank_of

    def with_each_card(self, hands: torch.Tensor) -> torch.Tensor:
        """float64 [k, m, 52]: the score of ``hands | card`` for every card (meaningless for
        a card already in the hand)."""
        env = self.env
        k, m = hands.shape
        flat = hands.reshape(-1)
        chunks = env.chunks(flat)                                                # [km, 4]
        total = lookup(env.lut_total, chunks).sum(1).int()                       # [km]
        counts = lookup(self.popcount, env.rank_suits(flat))                     # [km, 13]
        shed = torch.maximum((counts * self.values[:13]).amax(1),
                             lookup(self.lut_run, chunks).amax(1)).int()         # [km]
        # Adding card c raises only its rank's set and its suit's runs (int32 planes: the
        # [km, 52] work is what a plan costs).
        with_set = (counts.int().index_select(1, self.rank_of) + 1) * self.values32
        with_run = lookup(self.lut_run32, chunks.index_select(1, self.suit_of)
                          | self.rank_bit)
        shed_c = torch.maximum(torch.maximum(shed.unsqueeze(1), with_set), with_run)
        score = (total.unsqueeze(1) + self.values32).double() - self.w * shed_c.double()
        return score.view(k, m, 52)


def unseen_cards(env: BatchedDhumbal, rows: torch.Tensor) -> torch.Tensor:
    """Card masks [k] of the cards the seat to move at tables ``rows`` has not seen: not
    in its hand, not on the pile, not known to be in another seat's hand."""
    t = env.t
    seat = t.current.index_select(0, rows).clamp(min=0)
    hands, known = t.hands.index_select(0, rows), t.known.index_select(0, rows)
    others = torch.where(env._seat_ids == seat.unsqueeze(1), 0, known)
    seen = hands.gather(1, seat.unsqueeze(1)).squeeze(1) | t.pile.index_select(0, rows)
    for s in range(env.n):
        seen = seen | others[:, s]
    return ~seen & FULL


def _deck_scores(scores: torch.Tensor, unseen: torch.Tensor) -> torch.Tensor:
    """The mean score over the unseen cards [k, m] (inf where none is unseen)."""
    n = unseen.sum(1, keepdim=True)                                              # [k, 1]
    total = torch.where(unseen.unsqueeze(1), scores, 0.0).sum(2)
    return torch.where(n > 0, total / n.clamp(min=1).double(), float("inf"))


def plan(env: BatchedDhumbal, rows: torch.Tensor,
         params: ExpertParams = ExpertParams()) -> torch.Tensor:
    """The expert's move [k] at tables ``rows`` other than a call: in the discard phase the
    meld to shed, in the draw phase the draw or the offered card to take."""
    out = torch.empty(rows.numel(), dtype=torch.long, device=env.device)
    discarding = env.t.phase.index_select(0, rows) == 0
    scorer = _Scorer(env, params)
    for phase, fn in ((True, _discard), (False, _draw)):
        at = (discarding == phase).nonzero().squeeze(1)
        for i in range(0, at.numel(), ROWS_AT_ONCE):
            part = at[i:i + ROWS_AT_ONCE]
            out[part] = fn(env, rows[part], scorer)
    return out


def _seen_from(env: BatchedDhumbal, rows: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """At tables ``rows``: the hand to move [k], and the unseen and offered cards as planes
    [k, 52]."""
    t = env.t
    seat = t.current.index_select(0, rows).clamp(min=0)
    hand = t.hands.index_select(0, rows).gather(1, seat.unsqueeze(1)).squeeze(1)
    return (hand, env.plane(unseen_cards(env, rows)),
            env.plane(t.offer.index_select(0, rows)))


def _draw(env: BatchedDhumbal, rows: torch.Tensor, scorer: _Scorer) -> torch.Tensor:
    """The draw phase: the deck first, then the offered cards, lowest first; the first
    best (the deck on a tie)."""
    hand, unseen, offer = _seen_from(env, rows)
    scores = scorer.with_each_card(hand.unsqueeze(1))                            # [k, 1, 52]
    deck = _deck_scores(scores, unseen).squeeze(1)
    takes = torch.where(offer, scores.squeeze(1), float("inf"))
    take_score, take_card = takes.min(1)   # the first of equal minima: the lowest card
    can_draw = env.can_draw().index_select(0, rows)
    return torch.where(can_draw & (deck <= take_score), DRAW, TAKE_BASE + take_card)


def _discard(env: BatchedDhumbal, rows: torch.Tensor, scorer: _Scorer) -> torch.Tensor:
    """The discard phase: each meld the hand holds (in action order) scored by the best
    hand it leads to (the deck's expected card, or a card it may take); the first best."""
    hand, unseen, offer = _seen_from(env, rows)
    holds = (env.meld_bits & ~hand.unsqueeze(1)) == 0                            # [k, M]
    m = max(int(holds.sum(1).max()), 1) if rows.numel() else 1
    melds = torch.sort((~holds).to(torch.uint8), dim=1, stable=True).indices[:, :m]
    valid = holds.gather(1, melds)
    rest = hand.unsqueeze(1) & ~lookup(env.meld_bits, melds)                     # [k, m]
    scores = scorer.with_each_card(rest)                                         # [k, m, 52]
    option = _deck_scores(scores, unseen)
    if env.rules.pickup == "own":   # it may take back the last card of what it shed
        last = lookup(env.meld_last, melds)
        option = torch.minimum(option, scores.gather(2, last.unsqueeze(2)).squeeze(2))
    else:
        option = torch.minimum(option, torch.where(offer.unsqueeze(1), scores,
                                                   float("inf")).amin(2))
    option = torch.where(valid, option, float("inf"))
    return MELD_BASE + melds.gather(1, option.argmin(1, keepdim=True)).squeeze(1)


def call_success(env: BatchedDhumbal, rows: torch.Tensor, samples: int,
                 gen: torch.Generator) -> torch.Tensor:
    """float64 [k]: the share of ``samples`` random deals of the unseen cards to the
    opponents (their known cards fixed) in which the seat to move at tables ``rows`` has a
    strictly lower total than every other seat still in."""
    out = torch.empty(rows.numel(), dtype=torch.float64, device=env.device)
    step = max(1, (1 << 20) // (samples * 52))
    for at in range(0, rows.numel(), step):
        part = rows[at:at + step]
        out[at:at + part.numel()] = _call_success(env, part, samples, gen)
    return out


def _call_success(env: BatchedDhumbal, rows: torch.Tensor, samples: int,
                  gen: torch.Generator) -> torch.Tensor:
    t = env.t
    k, dev = rows.numel(), env.device
    values = _tables(env.rules.face_values, dev)[0]
    seat = t.current.index_select(0, rows).clamp(min=0)
    hands, known = t.hands.index_select(0, rows), t.known.index_select(0, rows)
    mine = env.total(hands.gather(1, seat.unsqueeze(1)).squeeze(1))             # [k]
    opponent = t.active.index_select(0, rows) & (env._seat_ids != seat.unsqueeze(1))
    hidden = torch.where(opponent, env.count(hands) - env.count(known), 0)       # [k, n]
    known_sum = env.total(known)                                                 # [k, n]
    unseen = env.plane(unseen_cards(env, rows))                                  # [k, 52]
    # A random order of each table's unseen cards per deal: the opponents take them in
    # turn, seat order, as many as each holds unknown cards.
    keys = torch.rand(k, samples, 52, generator=gen, device=dev)
    keys = torch.where(unseen.unsqueeze(1), keys, 2.0)
    order = keys.argsort(2)
    dealt = lookup(values, order)                                                # [k, S, 52]
    prefix = torch.nn.functional.pad(dealt.cumsum(2), (1, 0))                    # [k, S, 53]
    end = hidden.cumsum(1)
    start = end - hidden
    need = end[:, -1]
    got = prefix.gather(2, end.clamp(max=52).unsqueeze(1).expand(k, samples, -1)) - \
        prefix.gather(2, start.clamp(max=52).unsqueeze(1).expand(k, samples, -1))
    above = (known_sum.unsqueeze(1) + got > mine.view(k, 1, 1)) | ~opponent.unsqueeze(1)
    wins = above.all(2).sum(1)
    share = wins.double() / samples
    return torch.where(need <= unseen.sum(1), share, 0.0)


def expert_actions(env: BatchedDhumbal, rows: torch.Tensor, gen: torch.Generator,
                   params: ExpertParams = ExpertParams()) -> torch.Tensor:
    """The expert's move [k] for the seat to move at tables ``rows`` (every one playing):
    a call where one is allowed and judged safe enough, else its ``plan``."""
    t = env.t
    actions = plan(env, rows, params)
    hand = t.hands.index_select(0, rows).gather(
        1, t.current.index_select(0, rows).clamp(min=0).unsqueeze(1)).squeeze(1)
    may_call = (t.phase.index_select(0, rows) == 0) & (
        env.total(hand) <= env.rules.call_threshold)
    if bool(may_call.any()):
        at = may_call.nonzero().squeeze(1)
        safe = call_success(env, rows[at], params.samples, gen) >= params.call_confidence
        actions[at] = torch.where(safe, CALL, actions[at])
    return actions
