"""Text rendering of a Dhumbal observation, for a person at the terminal and for LLMs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .cards import CALL, DRAW, MELD_BASE, TAKE_BASE, card_name

if TYPE_CHECKING:  # pragma: no cover
    from .game import DhumbalGame, DhumbalObservation, RoundResult


def cards_text(cards) -> str:
    return " ".join(card_name(c) for c in cards) or "(none)"


def _move_text(game: "DhumbalGame", seat: int, action: int, me: int) -> str:
    who = "you" if seat == me else f"seat {seat}"
    if action == CALL:
        return f"{who} called"
    if action == DRAW:
        return f"{who} drew from the deck"
    if action < MELD_BASE:
        return f"{who} took {card_name(action - TAKE_BASE)} from the offer"
    return f"{who} discarded {cards_text(game.meld_cards[action - MELD_BASE])}"


def result_text(res: "RoundResult", scoring: str, me: int | None = None) -> str:
    def who(s: int) -> str:
        return "you" if s == me else f"seat {s}"

    if res.capped and (res.caller is None or res.success and res.caller == res.winner):
        head = f"round {res.round + 1} hit the turn cap; lowest hand: {who(res.winner)}"
    elif res.success:
        head = f"round {res.round + 1}: {who(res.caller)} called and won"
    else:
        head = (f"round {res.round + 1}: {who(res.caller)} called and failed; "
                f"{who(res.winner)} won")
    unit = "coins" if scoring == "coins" else "points"
    lines = [head]
    for s, (hand, total) in enumerate(zip(res.hands, res.totals)):
        if total is None:
            continue
        delta = res.deltas[s]
        sign = "+" if delta > 0 else ""
        lines.append(f"  {who(s)}: {cards_text(hand)} = {total}  ({sign}{delta} {unit})")
    if res.eliminated:
        lines.append("  out: " + ", ".join(who(s) for s in res.eliminated))
    return "\n".join(lines)


def render(game: "DhumbalGame", obs: "DhumbalObservation") -> str:
    r = game.rules
    me = obs.seat
    preset = f" ({game.preset} rules)" if game.preset else ""
    lines = [f"Dhumbal{preset}. You are seat {me}. Round {obs.round + 1}, turn {obs.turn + 1}"
             f" of at most {r.max_turns}."]
    lines.append(
        f"Goal: the lowest hand total. Ace=1, 2-10 face value, J/Q/K="
        f"{'11/12/13' if r.face_values == 'rank' else '10'}. You may call at the start of your"
        f" turn with a total <= {r.call_threshold}; a call wins only if strictly lowest."
    )
    table = []
    for s in range(len(obs.active)):
        name = "you" if s == me else f"seat {s}"
        if not obs.active[s]:
            state = "out"
        else:
            state = f"{obs.hand_sizes[s]} cards"
        money = f"{obs.coins[s]} coins" if r.scoring == "coins" else f"{obs.scores[s]} points"
        known = f", known to hold {cards_text(obs.known[s])}" if obs.known[s] and s != me else ""
        table.append(f"  {name}: {state}, {money}{known}")
    lines.append("Players:")
    lines.extend(table)
    pile_cards = sum(len(m) for m in obs.pile)
    top = next((m for m in reversed(obs.pile) if m), ())
    lines.append(f"Deck: {obs.deck_size} cards. Discard pile: {pile_cards} cards, top: "
                 f"{cards_text(top)}.")
    recent = []
    for seat, action in reversed(obs.history):
        recent.append(_move_text(game, seat, action, me))
        if seat == me and len(recent) > 1:
            break
        if len(recent) >= 2 * len(obs.active):
            break
    if recent:
        lines.append("Recent moves: " + "; ".join(reversed(recent)) + ".")
    elif obs.last_result is not None:
        lines.append("Last " + result_text(obs.last_result, r.scoring, me))
    lines.append(f"Your hand: {cards_text(obs.hand)}  (total {obs.hand_total})")
    if obs.to_move < 0:
        lines.append("The game is over.")
        if obs.last_result is not None and recent:
            lines.append("Last " + result_text(obs.last_result, r.scoring, me))
    elif obs.to_move != me:
        lines.append(f"Waiting for seat {obs.to_move} to {obs.phase}.")
    elif obs.phase == "discard":
        offer = (f" After it you may take {cards_text(obs.offer)} from the offer or draw."
                 if obs.offer else " After it you draw.")
        call = " or call" if obs.can_call else ""
        lines.append(f"Your move: discard a single card, a set or a run{call}.{offer}")
    else:
        lines.append(f"Your move: draw from the deck or take from the offer "
                     f"({cards_text(obs.offer)}).")
    return "\n".join(lines)
