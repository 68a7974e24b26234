"""Tournament formats as plug-ins: stored specs unchanged, and a format added from outside.

The digests and stored JSON below were computed before formats became classes: a store
written by an older run holds them, and must still open (``open_store`` compares digests).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tournaments.spec import Tournament, load_tournament, parse_tournament

ROOT = Path(__file__).resolve().parents[1]

# (spec file, Tournament.digest(), sha256 of the stored JSON, first 16 hex digits)
EXAMPLE_DIGESTS = [
    ("tournaments/examples/avalon.toml", "b28305b114c86bdc", "5e2c14441f85f563"),
    ("tournaments/examples/kuhn.toml", "93b68e960414cb10", "528596521f63987f"),
    ("tournaments/examples/quick.toml", "f2b5e3914f7bb946", "ad7051cd2896920e"),
    ("tournaments/examples/search_ladder.toml", "6653a5e52747beba", "ee76560065a56e60"),
    ("tournaments/examples/werewolf.toml", "c78319cbf394a01e", "5c5a7a3d87a1736e"),
    ("tournaments/paper.toml", "e2cafe344c76983f", "9ee020f3d2ac839a"),
    ("tournaments/paper_fixed_seats.toml", "be6e799b9c169476", "4ca15fd4a5a921b7"),
    ("tournaments/standard.toml", "1e88f3341f50e03c", "a79ffeadff6b2545"),
]

BASE = {"game": "dhumbal", "seed": 3, "deals": 4}
FIVE = ("random", "aggressive", "conservative", "balanced", "expert")
SIX = (("random", "baseline"), ("study_random", "baseline"), ("aggressive", "heuristic"),
       ("conservative", "heuristic"), ("balanced", "heuristic"), ("expert", "heuristic"))
INLINE = {
    "gauntlet": {**BASE, "format": "gauntlet", "agents": [{"spec": s} for s in FIVE],
                 "gauntlet": {"candidates": ["expert", "random"]}},
    "sprt": {**BASE, "game": "dhumbal(players=2)", "format": "sprt",
             "agents": [{"spec": "random"}, {"spec": "expert"}],
             "sprt": {"elo1": 30, "batch": 3}},
    "championship": {**BASE, "format": "championship",
                     "agents": [{"spec": s, "family": f} for s, f in SIX],
                     "championship": {"groups": {"a": ["random", "aggressive", "conservative",
                                                       "balanced"],
                                                 "b": ["study_random", "expert"]},
                                      "advance": 2, "final_deals": 6}},
    "round_robin": {**BASE, "agents": [{"spec": s} for s in FIVE[:4]],
                    "budgets": {"tokens": 5, "time_per_move": 2.5},
                    "stats": {"adjust": "bonferroni", "bootstrap": 7}},
}


def _agents(specs, families=None):
    families = families or ["heuristic"] * len(specs)
    return ", ".join(f'{{"name": "{s}", "spec": "{s}", "family": "{f}"}}'
                     for s, f in zip(specs, families))


def _stored(game, fmt, agents, middle, tail='"adjust": "holm", "bootstrap": 1000, '
            '"max_tokens": null, "max_cost": null', time_per_move="null"):
    return (f'{{"name": "tournament", "game": "{game}", "rules": "standard", "seed": 3, '
            f'"deals": 4, "seats": "rotate", "format": "{fmt}", "agents": [{agents}], '
            f'"time_per_move": {time_per_move}, {middle}, {tail}}}')


# (format, digest, the stored JSON exactly as written by the code before formats were classes)
INLINE_STORED = [
    ("gauntlet", "19994b7b5efbab09", _stored(
        "dhumbal", "gauntlet", _agents(FIVE),
        '"candidates": ["expert", "random"], "groups": [], "advance": 1, "final_deals": 4, '
        '"sprt": null')),
    ("sprt", "42b061c5ebfd1586", _stored(
        "dhumbal(players=2)", "sprt", _agents(("random", "expert")),
        '"candidates": [], "groups": [], "advance": 1, "final_deals": 4, "sprt": {"elo0": 0.0, '
        '"elo1": 30.0, "alpha": 0.05, "beta": 0.05, "batch": 3, "max_deals": 500}')),
    ("championship", "9f5f87b35210ec81", _stored(
        "dhumbal", "championship", _agents([s for s, _ in SIX], [f for _, f in SIX]),
        '"candidates": [], "groups": [["a", ["random", "aggressive", "conservative", '
        '"balanced"]], ["b", ["study_random", "expert"]]], "advance": 2, "final_deals": 6, '
        '"sprt": null')),
    ("round_robin", "2c6ab690cec28a72", _stored(
        "dhumbal", "round_robin", _agents(FIVE[:4]),
        '"candidates": [], "groups": [], "advance": 1, "final_deals": 4, "sprt": null',
        tail='"adjust": "bonferroni", "bootstrap": 7, "max_tokens": 5, "max_cost": null',
        time_per_move="2.5")),
]


# -- stored specs: unchanged ----------------------------------------------------------------

@pytest.mark.parametrize("path,digest,stored", EXAMPLE_DIGESTS)
def test_example_specs_keep_their_digest_and_stored_json(path, digest, stored):
    t = load_tournament(ROOT / path)
    text = json.dumps(t.to_dict())
    assert t.digest() == digest
    assert hashlib.sha256(text.encode()).hexdigest()[:16] == stored
    again = Tournament.from_dict(json.loads(text))
    assert again == t and again.digest() == digest


@pytest.mark.parametrize("fmt,digest,stored", INLINE_STORED)
def test_each_format_stores_the_same_json_as_before(fmt, digest, stored):
    t = parse_tournament(INLINE[fmt], "x")
    assert json.dumps(t.to_dict()) == stored
    assert t.digest() == digest
    # A store written by an older run reads back as the same tournament.
    old = Tournament.from_dict(json.loads(stored))
    assert old == t and old.digest() == digest and json.dumps(old.to_dict()) == stored
