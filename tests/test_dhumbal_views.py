"""Dhumbal's encoding places what is known of each opponent by its seat relative to the
viewer, and each preset matches the preset table of docs/rules/dhumbal.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from arena.core.registry import make_game
from games.dhumbal.cards import parse_cards
from games.dhumbal.game import PRESETS

RULES = Path(__file__).resolve().parents[1] / "docs" / "rules" / "dhumbal.md"


@pytest.mark.parametrize("viewer", [1, 2, 3])
def test_encode_places_known_cards_by_relative_seat(viewer):
    game = make_game("dhumbal", "standard")
    known = ["2s", "3h", "4d", "5c"]
    hands = ["2s 9s Ks", "3h 9h Kh", "4d 9d Kd", "5c 9c Kc"]
    state = game.position(hands, pile=["Qs"], current=viewer, known=known)
    vec = state.encode(viewer)
    for k in range(1, 4):
        seat = (viewer + k) % 4
        block = vec[156 + 52 * (k - 1): 156 + 52 * k]
        (card,) = parse_cards(known[seat])
        assert block[card] == 1.0 and block.sum() == 1.0, \
            f"seat {seat} (viewer + {k}) should fill block {k - 1}"
    # The hand-size block also starts at the viewer.
    base = 156 + 52 * 3
    assert vec[base] == 3 / game.rules.hand_size


def _table() -> dict[str, dict[str, str]]:
    text = RULES.read_text(encoding="utf-8")
    section = text.split("## Presets", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    header = [c.strip(" `") for c in rows[0].strip("|").split("|")]
    table: dict[str, dict[str, str]] = {}
    for row in rows[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        for preset, cell in zip(header[1:], cells[1:]):
            table.setdefault(preset, {})[cells[0]] = cell
    return table


def _expected(cells: dict[str, str]) -> dict[str, object]:
    """The settings a column of the table fixes, as the rules' parameter values."""
    out: dict[str, object] = {
        "players": int(cells["players"]),
        "face_values": cells["face_values"].split()[0],
        "call_threshold": int(cells["call_threshold"]),
        "pickup": cells["pickup"],
        "max_turns": int(cells["max_turns"]),
        "starter": "seat0" if "seat 0" in cells["who starts"] else "winner",
    }
    scoring = cells["scoring"]
    if scoring.startswith("coins"):
        out.update(scoring="coins", payment_cap=int(re.search(r"cap (\d+)", scoring)[1]),
                   session_rounds=1 if cells["unit of a game"] == "one round" else None)
    else:
        out.update(scoring="points",
                   fail_penalty=int(re.search(r"penalty (\d+)", scoring)[1]),
                   elimination=int(re.search(r"out above (\d+)", scoring)[1]))
    return out


def test_preset_table_is_read():
    assert set(_table()) == {"paper", "standard", "yaniv"} == set(PRESETS)


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_preset_matches_the_rules_table(preset):
    rules = make_game("dhumbal", preset).rules
    for key, value in _expected(_table()[preset]).items():
        assert getattr(rules, key) == value, f"{preset}: {key} is {getattr(rules, key)!r}, " \
                                             f"the rules' table says {value!r}"
    # Stated in the rules' text: the paper preset counts the lowest hand at the turn cap
    # as a successful caller; the others let it win the round.
    expected_cap = "lowest_calls" if preset == "paper" else "lowest_wins"
    assert rules.cap_showdown == expected_cap
