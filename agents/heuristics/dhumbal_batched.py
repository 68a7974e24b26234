"""The study's Dhumbal heuristics on B tables at once (``games.dhumbal.batched``).

Each chooses exactly what its reference implementation (``dhumbal_study``) chooses in the
same position, with the same parameters: the same discard score (computed in float64, in the
reference's order of operations), ties to the first move in action order, the same pickup
rule. Where the reference draws a random number (a call with a probability strictly between
0 and 1), the batched version reads it from ``u`` (one uniform number per table): given the
number the reference agent's generator would draw, the choice is the same; the tests check
this on every decision of thousands of reference games.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import torch

from games.dhumbal.batched import BatchedDhumbal, lookup, row_min
from games.dhumbal.cards import CALL, DRAW, MELD_BASE, TAKE_BASE, card_value, melds

from .dhumbal_study import Aggressive, Balanced, Conservative, Opportunistic, ThresholdCaller

STUDY = {cls.name: cls for cls in (Aggressive, Conservative, Balanced, Opportunistic)}
PARAMS = {name: cls.Params() for name, cls in STUDY.items()}
KINDS = tuple(STUDY)


def call_probability(env: BatchedDhumbal, kind: str, total: torch.Tensor) -> torch.Tensor:
    """The probability [B] that heuristic ``kind`` calls with hand ``total`` (float64)."""
    p: Any = PARAMS[kind]  # the fields of kind's own Params
    t = env.t
    one, zero = torch.ones_like(total, dtype=torch.float64), torch.zeros_like(
        total, dtype=torch.float64)
    if issubclass(STUDY[kind], ThresholdCaller):
        return torch.where(total <= p.call_max, one, zero)
    if STUDY[kind] is Balanced:
        return torch.where(total <= p.call_sure, one, torch.where(
            total <= p.call_mid, one * p.p_mid, torch.where(total <= p.call_max,
                                                             one * p.p_high, zero)))
    # opportunistic
    seat = t.current.clamp(min=0)
    alive = t.active.double()
    count = alive.sum(1)
    if env.rules.scoring == "coins":
        mine = t.coins.gather(1, seat.unsqueeze(1)).squeeze(1).double()
        ahead = mine > (t.coins.double() * alive).sum(1) / count
    else:
        mine = t.scores.gather(1, seat.unsqueeze(1)).squeeze(1).double()
        ahead = mine < (t.scores.double() * alive).sum(1) / count
    prob = torch.where(ahead, one * p.base_ahead, one * p.base_behind) + \
        p.slope * (p.call_max - total).double()
    prob = torch.where(t.turn > p.late_turn, prob + p.late_bonus, prob)
    prob = prob.clamp(max=1.0)
    return torch.where(total <= p.call_sure, one, torch.where(total > p.call_max, zero, prob))


@dataclass(frozen=True)
class HeuristicTables:
    """What the heuristics look up, for one hand size and card values, on one device: per
    kind, per meld, and per suit's 13 bits (the same tables for every suit)."""

    discard_pref: torch.Tensor    # float64 [kinds]: the weight of a meld's worth in its score
    pickup_threshold: torch.Tensor  # long [kinds]
    meld_value: torch.Tensor      # long [M]: a meld's worth
    meld_size: torch.Tensor       # long [M]: its cards
    meld_run: torch.Tensor        # bool [M]: a run
    set_index: torch.Tensor       # long [13 * 16]: at rank * 16 + a pattern of suits, the
                                  # meld number of that rank's set in those suits (-1: none)
    longest_run: torch.Tensor     # long [8192, S]: a suit's longest runs (first suit's melds)
    runs_per_suit: int
    ranks: torch.Tensor           # long [8192, P]: the ranks in a suit, lowest first
    high: torch.Tensor            # long [8192]: the card worth most, worth * 64 + 63 - rank
    low: torch.Tensor             # long [8192]: the card worth least, worth * 64 + rank


_TABLES: dict[tuple[int, str, torch.device], HeuristicTables] = {}


def heuristic_tables(env: BatchedDhumbal) -> HeuristicTables:
    """The heuristics' tables for ``env``'s rules and device (made once: ``mixed_actions``
    runs several times per step; call it before compiling ``discard_actions`` or
    ``pickup_actions``, whose graphs would otherwise be made with the cache still empty)."""
    key = (env.rules.hand_size, env.rules.face_values, env.device)
    got = _TABLES.get(key)
    if got is None:
        got = _TABLES[key] = _make_tables(*key)
    return got


def _make_tables(hand_size: int, face_values: str, dev: torch.device) -> HeuristicTables:
    ms = melds(hand_size)
    values = [card_value(c, face_values) for c in range(52)]
    per_suit = _suit_tables(hand_size, face_values)
    return HeuristicTables(
        discard_pref=torch.tensor([PARAMS[k].discard_high_pref for k in KINDS],
                                  dtype=torch.float64, device=dev),
        pickup_threshold=torch.tensor([PARAMS[k].pickup_threshold for k in KINDS], device=dev),
        meld_value=torch.tensor([sum(values[c] for c in m.cards) for m in ms], device=dev),
        meld_size=torch.tensor([len(m.cards) for m in ms], device=dev),
        meld_run=torch.tensor([m.kind == "run" for m in ms], device=dev),
        runs_per_suit=sum(m.kind == "run" and m.cards[0] < 13 for m in ms),
        **{name: x.to(dev) for name, x in per_suit.items()})


@functools.lru_cache(maxsize=None)
def _suit_tables(hand_size: int, face_values: str) -> dict[str, torch.Tensor]:
    """``HeuristicTables``' lookups by one suit's 13 bits, and ``set_index`` (on the CPU)."""
    ms = melds(hand_size)
    values = [card_value(c, face_values) for c in range(52)]
    chunks = range(1 << 13)
    index = {m.mask: i for i, m in enumerate(ms)}
    # The longest runs a suit holds (as many as a hand can hold at once), as the first
    # suit's meld numbers (suit s: + s * the runs per suit), -1 for none: the heuristics'
    # discard is never a part of a longer run.
    slots = max(1, min(3, hand_size // 3))
    longest = torch.full((1 << 13, slots), -1, dtype=torch.long)
    for x in chunks:
        k, found = 0, []
        while k < 13:
            if x >> k & 1:
                start = k
                while k < 13 and x >> k & 1:
                    k += 1
                if k - start >= 3 and ((1 << (k - start)) - 1) << start in index:
                    found.append(index[((1 << (k - start)) - 1) << start])
            else:
                k += 1
        found = found[:slots]  # more cannot be in one hand
        longest[x, :len(found)] = torch.tensor(found, dtype=torch.long)
    set_index = torch.tensor(
        [[index.get(sum(1 << (s * 13 + rank) for s in range(4) if p >> s & 1), -1)
          for p in range(16)] for rank in range(13)], dtype=torch.long)
    # The ranks of a 13-bit mask, lowest first, as many as a hand can hold pairs of.
    pairs = max(1, min(6, hand_size // 2))
    ranks = torch.full((1 << 13, pairs), -1, dtype=torch.long)
    for x in chunks:
        found = [k for k in range(13) if x >> k & 1][:pairs]
        ranks[x, :len(found)] = torch.tensor(found, dtype=torch.long)
    # A suit's cards worth most and least: worth * 64 + 63 - rank of the first such card
    # (its lowest rank), and worth * 64 + rank (-1 and 1 << 20 for no card).
    high = torch.tensor([max((values[k] * 64 + 63 - k for k in range(13) if x >> k & 1
                              and values[k] == max(values[j] for j in range(13) if x >> j & 1)),
                             default=-1) for x in chunks], dtype=torch.long)
    low = torch.tensor([min((values[k] * 64 + k for k in range(13) if x >> k & 1),
                            default=1 << 20) for x in chunks], dtype=torch.long)
    return {"longest_run": longest, "set_index": set_index.view(-1), "ranks": ranks,
            "high": high, "low": low}


def heuristic_actions(env: BatchedDhumbal, kind: str, u: torch.Tensor) -> torch.Tensor:
    """The action [B] heuristic ``kind`` plays for the seat to move at every table (any
    value at a finished table). ``u``: uniform numbers [B] for its random call decisions."""
    if kind not in PARAMS:
        raise ValueError(f"unknown heuristic '{kind}'; valid: {', '.join(KINDS)}")
    kinds = torch.full((env.B,), KINDS.index(kind), dtype=torch.long, device=env.device)
    return mixed_actions(env, kinds, u)


def mixed_actions(env: BatchedDhumbal, kinds: torch.Tensor, u: torch.Tensor,
                  where: torch.Tensor | None = None) -> torch.Tensor:
    """The action [B] of heuristic ``KINDS[kinds[b]]`` at each table ``b`` (tables not in
    ``where``, or finished: any value). ``u``: uniform numbers [B] for random calls.
    ``discard_actions`` and ``pickup_actions`` are its two phases on their own (a batch
    whose tables are all in one phase needs only one)."""
    return torch.where(env.t.phase == 0, discard_actions(env, kinds, u, where),
                       pickup_actions(env, kinds, where))


def _hand(env: BatchedDhumbal) -> tuple[torch.Tensor, torch.Tensor]:
    """The hand to move at each table as its four suits' 13 bits [B, 4], and its total."""
    c = env.chunks(env.hand())
    return c, lookup(env.lut_total, c).sum(1)


def discard_actions(env: BatchedDhumbal, kinds: torch.Tensor, u: torch.Tensor,
                    where: torch.Tensor | None = None) -> torch.Tensor:
    """``mixed_actions`` at the tables in the discard phase (elsewhere: any value).

    Everything is read from the hand's four 13-bit suits through lookup tables (no 52-card
    planes). The discard score is computed in float64 in the reference's order of
    operations, for the melds that can be best: the meld's worth, its size and whether it
    is a run all raise the score, so a set that leaves out a card of its rank, a run
    inside a longer run, or a single worth less than another is always beaten. What is
    left: the single worth most, each rank's whole set, each suit's longest runs. Ties go
    to the first meld in action order, as the reference's scan keeps its first best."""
    t = env.t
    live = t.current >= 0 if where is None else where & (t.current >= 0)
    c, total = _hand(env)
    tab = heuristic_tables(env)
    suit = env.suit_ids
    prob = torch.zeros_like(total, dtype=torch.float64)
    for i, k in enumerate(KINDS):  # every kind, at every table: no data-dependent branch
        prob = torch.where(kinds == i, call_probability(env, k, total), prob)
    disc = live & (t.phase == 0)
    can_call = disc & (total <= env.rules.call_threshold)
    call = can_call & ((prob >= 1.0) | ((prob > 0.0) & (u.double() < prob)))
    # The single worth most (ties: the lowest card), from each suit's best.
    key = (lookup(tab.high, c) - 13 * suit).amax(1)             # worth * 64 + 63 - card
    single_value, single = key // 64, 63 - key % 64
    # Not calling on a low hand: the single worth most that keeps (rest + 5) <= 10 is the
    # best single, if that one does.
    use_low = can_call & (total - single_value + 5 <= 10)
    # Each rank held twice or more, as a whole set: its suits, and so its meld number.
    twice = (c[:, 0] & (c[:, 1] | c[:, 2] | c[:, 3])) | (c[:, 1] & (c[:, 2] | c[:, 3])) | \
        (c[:, 2] & c[:, 3])
    rank = lookup(tab.ranks, twice)                                       # [B, J]
    r = rank.clamp(min=0)
    suits = (((c.unsqueeze(1) >> r.unsqueeze(2)) & 1) << suit).sum(2)         # [B, J]
    sets = torch.where(rank >= 0, lookup(tab.set_index, r * 16 + suits), -1)
    runs = lookup(tab.longest_run, c)                                     # [B, 4, S]
    runs = torch.where(runs >= 0, runs + suit.unsqueeze(1) * tab.runs_per_suit,
                       -1).flatten(1)
    m = torch.cat([single.unsqueeze(1), sets, runs], 1)
    ok = m >= 0
    m = m.clamp(min=0)
    vs = lookup(tab.meld_value, m)
    n = lookup(tab.meld_size, m)
    tot = total.unsqueeze(1)
    score = vs.double() * lookup(tab.discard_pref, kinds).unsqueeze(1)
    score = score + torch.where(n > 1, 2.0 * n, 0.0)
    score = score + torch.where(lookup(tab.meld_run, m), 3.0, 0.0)
    score = score + torch.where((tot - vs) <= 10, 50.0, 0.0)
    score = score + 10 * vs.double() / tot.double()
    score = torch.where(ok, score, float("-inf"))
    top = score.amax(1, keepdim=True)
    best = row_min(torch.where(ok & (score == top), m, env.M)).clamp(max=env.M - 1)
    return torch.where(call, CALL, MELD_BASE + torch.where(use_low, single, best))


def pickup_actions(env: BatchedDhumbal, kinds: torch.Tensor,
                   where: torch.Tensor | None = None) -> torch.Tensor:
    """``mixed_actions`` at the tables in the draw phase (elsewhere: any value): the offered
    card worth least (the lowest of equals), if worth at most the kind's threshold (moved
    by the hand's total) or if the deck cannot be drawn from; a draw otherwise."""
    t = env.t
    live = t.current >= 0 if where is None else where & (t.current >= 0)
    _, total = _hand(env)
    tab = heuristic_tables(env)
    offer = torch.where(live & (t.phase == 1), t.offer, 0)
    low = row_min(lookup(tab.low, env.chunks(offer)) + 13 * env.suit_ids)  # worth*64+card
    offered = offer != 0
    cheapest = (low % 64).clamp(max=51)
    threshold = lookup(tab.pickup_threshold, kinds)
    threshold = torch.where(total > 15, threshold + 2,
                            torch.where(total <= 12, threshold - 1, threshold))
    take = offered & ((low // 64 <= threshold) | ~env.can_draw())
    return torch.where(take, TAKE_BASE + cheapest, DRAW)
