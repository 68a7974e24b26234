"""Cards, melds and the fixed action space of Dhumbal.

A card is an int ``suit * 13 + rank`` (rank 0 = Ace ... 12 = King), so a run is a stretch of
consecutive ints inside one suit's block of 13. A hand is a 52-bit mask.

Actions (fixed for a given hand size, so RL masks and search share them):
``0`` call, ``1`` draw from the deck, ``2 + card`` take that card from the offer,
``MELD_BASE + m`` discard meld ``m`` of ``melds(hand_size)`` (singles, then sets, then runs).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from itertools import combinations

RANKS = ("A", "2", "3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K")
SUITS = ("♣", "♦", "♥", "♠")
SUIT_LETTERS = ("c", "d", "h", "s")

CALL = 0
DRAW = 1
TAKE_BASE = 2
MELD_BASE = TAKE_BASE + 52


def card(rank: str, suit: str) -> int:
    """The card id from a rank name ('A', '10', 'K') and a suit symbol or letter."""
    s = SUITS.index(suit) if suit in SUITS else SUIT_LETTERS.index(suit.lower())
    return s * 13 + RANKS.index(rank.upper())


def parse_cards(text: str) -> list[int]:
    """Card ids from text like ``'A♠ 10h Kc'`` (used by tests and the human player)."""
    out = []
    for token in text.replace(",", " ").split():
        out.append(card(token[:-1], token[-1]))
    return out


def card_name(c: int) -> str:
    return RANKS[c % 13] + SUITS[c // 13]


def rank_of(c: int) -> int:
    return c % 13


def suit_of(c: int) -> int:
    return c // 13


def card_value(c: int, face_values: str) -> int:
    """Ace 1, 2-10 face value, J/Q/K 11/12/13 (``rank``) or 10 (``ten``)."""
    v = c % 13 + 1
    return min(v, 10) if face_values == "ten" else v


def mask_of(cards) -> int:
    m = 0
    for c in cards:
        m |= 1 << c
    return m


def cards_of(mask: int) -> list[int]:
    """The cards of a hand mask, ascending."""
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


@dataclass(frozen=True)
class Meld:
    cards: tuple[int, ...]
    kind: str  # "single", "set" or "run"
    mask: int
    offer: tuple[int, ...]
    """Cards the next player may take from it: any card of a set, only the ends of a run."""


@functools.lru_cache(maxsize=None)
def melds(hand_size: int) -> tuple[Meld, ...]:
    """Every meld a hand of at most ``hand_size`` cards can hold, in action order."""
    out: list[Meld] = []
    for c in range(52):
        out.append(Meld((c,), "single", 1 << c, (c,)))
    for rank in range(13):
        same = [s * 13 + rank for s in range(4)]
        for size in range(2, min(4, hand_size) + 1):
            for combo in combinations(same, size):
                out.append(Meld(combo, "set", mask_of(combo), combo))
    for suit in range(4):
        for length in range(3, min(13, hand_size) + 1):
            for start in range(0, 13 - length + 1):
                run = tuple(suit * 13 + start + i for i in range(length))
                out.append(Meld(run, "run", mask_of(run), (run[0], run[-1])))
    return tuple(out)
