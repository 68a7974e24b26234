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

import torch

from games.dhumbal.batched import BatchedDhumbal
from games.dhumbal.cards import CALL, DRAW, MELD_BASE, TAKE_BASE

from .dhumbal_study import (
    AggressiveParams,
    BalancedParams,
    ConservativeParams,
    OpportunisticParams,
)

PARAMS = {"aggressive": AggressiveParams(), "conservative": ConservativeParams(),
          "balanced": BalancedParams(), "opportunistic": OpportunisticParams()}
KINDS = tuple(PARAMS)


def call_probability(env: BatchedDhumbal, kind: str, total: torch.Tensor) -> torch.Tensor:
    """The probability [B] that heuristic ``kind`` calls with hand ``total`` (float64)."""
    p, t = PARAMS[kind], env.t
    one, zero = torch.ones_like(total, dtype=torch.float64), torch.zeros_like(
        total, dtype=torch.float64)
    if kind in ("aggressive", "conservative"):
        return torch.where(total <= p.call_max, one, zero)
    if kind == "balanced":
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


_CONSTANTS: dict[torch.device, tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = {}


def _constants(dev: torch.device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per kind, the discard score's weight and the pickup threshold; the card ids (made
    once per device: ``mixed_actions`` runs several times per step)."""
    got = _CONSTANTS.get(dev)
    if got is None:
        got = _CONSTANTS[dev] = (
            torch.tensor([PARAMS[k].discard_high_pref for k in KINDS], dtype=torch.float64,
                         device=dev),
            torch.tensor([PARAMS[k].pickup_threshold for k in KINDS], device=dev),
            torch.arange(52, device=dev))
    return got


def heuristic_actions(env: BatchedDhumbal, kind: str, u: torch.Tensor,
                      legal: torch.Tensor | None = None) -> torch.Tensor:
    """The action [B] heuristic ``kind`` plays for the seat to move at every table (any
    value at a finished table). ``u``: uniform numbers [B] for its random call decisions."""
    if kind not in PARAMS:
        raise ValueError(f"unknown heuristic '{kind}'; valid: {', '.join(KINDS)}")
    kinds = torch.full((env.B,), KINDS.index(kind), dtype=torch.long, device=env.device)
    return mixed_actions(env, kinds, u, legal)


def mixed_actions(env: BatchedDhumbal, kinds: torch.Tensor, u: torch.Tensor,
                  legal: torch.Tensor | None = None,
                  where: torch.Tensor | None = None) -> torch.Tensor:
    """The action [B] of heuristic ``KINDS[kinds[b]]`` at each table ``b`` (tables not in
    ``where``, or finished: any value). ``u``: uniform numbers [B] for random calls.

    The discard score is computed only for the melds each hand holds (a few of the 315),
    in float64 in the reference's order of operations; ties go to the first meld in action
    order."""
    t = env.t
    dev = env.device
    legal = env.legal_mask() if legal is None else legal
    live = t.current >= 0 if where is None else where & (t.current >= 0)
    ar = env.ar
    hand = t.hands[ar, t.current.clamp(min=0)]
    total = (hand.long() * env.values).sum(1)
    values = env.values
    prefs, pick_thr, card_ids = _constants(dev)
    # -- discard phase ----------------------------------------------------------------------
    prob = torch.zeros(env.B, dtype=torch.float64, device=dev)
    for i, k in enumerate(KINDS):
        sel = kinds == i
        if sel.any():
            prob = torch.where(sel, call_probability(env, k, total), prob)
    can_call = legal[:, CALL]
    call = can_call & ((prob >= 1.0) | ((prob > 0.0) & (u.double() < prob)))
    disc = live & (t.phase == 0)
    melds = legal[:, MELD_BASE:] & disc.unsqueeze(1)
    # Not calling on a low hand: the single worth most that keeps (rest + 5) <= 10.
    singles = melds[:, :52] & ((total.unsqueeze(1) - values + 5) <= 10)
    low_pick = torch.where(singles, values, torch.full_like(values, -1)).argmax(1)
    use_low = can_call & singles.any(1)
    b, m = melds.nonzero(as_tuple=True)
    vs = env.meld_value[m]
    n = env.meld_size[m]
    tot = total[b]
    score = vs.double() * prefs[kinds[b]]
    score = score + torch.where(n > 1, 2.0 * n, 0.0)
    score = score + torch.where(env.meld_run[m], 3.0, 0.0)
    score = score + torch.where((tot - vs) <= 10, 50.0, 0.0)
    score = score + 10 * vs.double() / tot.double()
    top = torch.full((env.B,), float("-inf"), dtype=torch.float64, device=dev)
    top = top.scatter_reduce(0, b, score, "amax")
    first = torch.full((env.B,), env.M, dtype=torch.long, device=dev)
    first = first.scatter_reduce(0, b, torch.where(score == top[b], m, env.M), "amin")
    best = first.clamp(max=env.M - 1)
    discard = torch.where(call, torch.full_like(best, CALL),
                          MELD_BASE + torch.where(use_low, low_pick, best))
    # -- draw phase -------------------------------------------------------------------------
    offer = legal[:, TAKE_BASE:MELD_BASE]
    cheapest = torch.where(offer, values * 64 + card_ids,
                           torch.full_like(values, 1 << 30)).argmin(1)
    threshold = pick_thr[kinds]
    threshold = torch.where(total > 15, threshold + 2,
                            torch.where(total <= 12, threshold - 1, threshold))
    take = offer.any(1) & ((values[cheapest] <= threshold) | ~legal[:, DRAW])
    pickup = torch.where(take, TAKE_BASE + cheapest, torch.full_like(cheapest, DRAW))
    return torch.where(t.phase == 0, discard, pickup)
