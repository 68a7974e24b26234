"""Tournament formats as plug-ins: stored specs unchanged, and a format added from outside.

The digests and stored JSON below were computed before formats became classes: a store
written by an older run holds them, and must still open (``open_store`` compares digests).
"""

from __future__ import annotations

import ast
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from arena.core.agent import Agent
from arena.core.errors import ArenaError
from arena.core.registry import make_game, register_agent
from tournaments.formats import (
    Format,
    NoteSection,
    SpecContext,
    Stages,
    format_names,
    get_format,
    note_lines,
    note_sections,
    register_format,
    unregister_format,
)
from tournaments.reader import TableReader
from tournaments.run import TournamentRunner, check_prices, open_store, tournament_summary
from tournaments.runners import SerialRunner
from tournaments.schedule import head_to_head_table
from tournaments.spec import Tournament, TournamentSpecError, load_tournament, parse_tournament

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


# -- a format added from outside: the seam ---------------------------------------------------

@dataclass(frozen=True)
class HubSettings:
    rounds: int = 1
    """Deals each rival plays against the hub."""


class Hub(Format[HubSettings]):
    """Every agent plays only against the first (the hub), one stage per rival."""

    name = "hub"
    Settings = HubSettings
    section = "hub"

    def parse(self, table: TableReader, spec: SpecContext) -> HubSettings:
        rounds = table.positive("rounds", 1)
        table.finish()
        if len(spec.agents) < 2:
            raise spec.fail("agents", "a hub needs rivals")
        return HubSettings(rounds)

    def run(self, t: Tournament, stages: Stages) -> None:
        hub, *rivals = t.names()
        tables = [head_to_head_table(f"hub-{r}", hub, r, stages.n) for r in rivals]
        jobs = stages.jobs(tables, self.settings(t).rounds)
        stages.expect(len(jobs))
        stages.play(jobs)

    def notes(self, t: Tournament, store, seats: int) -> dict[str, object]:
        hub, *rivals = t.names()
        return {"hub": {"hub": hub, "rivals": {r: len(store.records(f"hub-{r}", actions=False))
                                               for r in rivals}}}

    def note_sections(self, notes: Mapping[str, Any]) -> list[NoteSection]:
        h = notes["hub"]
        return [NoteSection(f"Hub: {h['hub']}",
                            tuple(f"{r}: {n} games" for r, n in h["rivals"].items()),
                            labels=tuple(h["rivals"]),
                            terminal=f"{h['hub']} met " + ", ".join(
                                f"{r} ({n} games)" for r, n in h["rivals"].items()))]


@pytest.fixture
def hub_format():
    register_format("hub", Hub)
    yield
    unregister_format("hub")


HUB_SPEC = """name = "hubbed"
game = "dhumbal(players=2)"
seed = 5
deals = 3
format = "hub"
[hub]
rounds = 2
[[agents]]
spec = "expert"
[[agents]]
spec = "random"
[[agents]]
spec = "aggressive"
"""


def test_a_format_from_outside_runs_end_to_end(tmp_path, hub_format):
    path = tmp_path / "hub.toml"
    path.write_text(HUB_SPEC)
    t = load_tournament(path)
    assert t.format == "hub" and t.settings == HubSettings(rounds=2)
    stored = json.loads(json.dumps(t.to_dict()))
    assert stored["hub"] == {"rounds": 2}
    assert Tournament.from_dict(stored) == t and Tournament.from_dict(stored).digest() == t.digest()

    store = open_store(t, tmp_path / "out", resume=False)
    seen = []
    driver = TournamentRunner(t, store, SerialRunner(), progress=lambda d, n: seen.append((d, n)))
    with driver.runner:
        driver.run()
    stages = [stage for stage, _ in store.staged_records(actions=False)]
    assert sorted(set(stages)) == ["hub-aggressive", "hub-random"]
    assert len(stages) == 2 * 2 * 2 == driver.planned  # rivals x rounds x rotations
    assert seen[-1] == (8, 8)
    for _, rec in store.staged_records(actions=False):
        assert "expert" in rec.agents

    summary = tournament_summary(t, store)
    notes = summary.notes
    assert notes["format"] == "hub"
    assert notes["hub"] == {"hub": "expert", "rivals": {"random": 4, "aggressive": 4}}
    assert note_lines(notes) == ["expert met random (4 games), aggressive (4 games)"]
    assert note_sections(notes) == [NoteSection(
        "Hub: expert", ("random: 4 games", "aggressive: 4 games"), ("random", "aggressive"),
        "expert met random (4 games), aggressive (4 games)")]
    store.close()

    # Resumed, the same plan finds every game stored and plays none.
    store = open_store(t, tmp_path / "out", resume=True)
    again = TournamentRunner(t, store, SerialRunner())
    again.run()
    assert store.count() == 8 and again.finished == 8
    store.close()


@pytest.mark.parametrize("body,needle", [
    (HUB_SPEC.replace("rounds = 2", "rounds = 0"), "hub.rounds: must be at least 1, got 0"),
    (HUB_SPEC.replace("rounds = 2", "round = 2"), "hub.round: unknown field; valid here: rounds"),
    (HUB_SPEC.replace('format = "hub"', 'format = "round_robin"'),
     'hub: a [hub] table needs format = "hub" (format is "round_robin")'),
    (HUB_SPEC.replace('format = "hub"', 'format = "hubb"'),
     "format: 'hubb' is not one of: round_robin, gauntlet, championship, sprt, hub"),
])
def test_a_format_from_outside_checks_its_own_table(tmp_path, hub_format, body, needle):
    path = tmp_path / "hub.toml"
    path.write_text(body)
    with pytest.raises(TournamentSpecError) as info:
        load_tournament(path)
    assert needle in str(info.value)


def test_unknown_formats_list_the_valid_ones(tmp_path):
    assert "hub" not in format_names()
    with pytest.raises(ArenaError, match="unknown format 'sprtt'; valid: championship, "
                                         "gauntlet, round_robin, sprt. Did you mean 'sprt'"):
        get_format("sprtt")
    path = tmp_path / "hub.toml"
    path.write_text(HUB_SPEC)
    with pytest.raises(TournamentSpecError, match="format: 'hub' is not one of: round_robin, "
                                                  "gauntlet, championship, sprt$"):
        load_tournament(path)


def test_built_in_formats_render_their_notes_as_the_terminal_did():
    sprt = {"a": "x", "b": "y", "elo0": 0.0, "elo1": 50.0, "decision": None, "deals": 12,
            "games": 48, "llr": -0.123, "bounds": [-2.944, 2.944], "score": 0.51234}
    assert note_lines({"format": "sprt", "sprt": sprt}) == [
        "SPRT x vs y (elo0 0, elo1 50): undecided after 12 deals (48 games), LLR -0.12 "
        "(bounds -2.94, 2.94), score 0.512"]
    assert note_lines({"format": "championship", "advanced": {"a": ["p", "q"], "b": ["r"]}}) \
        == ["Advanced to the final: a: p, q; b: r"]
    assert note_lines({"format": "round_robin"}) == note_lines({}) == []


def test_built_in_formats_describe_their_notes_as_the_html_page_showed_them():
    sprt = {"a": "x", "b": "y", "elo0": 0.0, "elo1": 12.5, "decision": "H1", "deals": 12,
            "games": 48, "llr": 3.0051, "bounds": [-2.944, 2.944], "score": 0.6}
    assert note_sections({"format": "sprt", "sprt": sprt}) == [NoteSection(
        "SPRT", ("x vs y (elo0 0, elo1 12.5): H1 after 12 deals (48 games), LLR 3.01",),
        terminal="SPRT x vs y (elo0 0, elo1 12.5): H1 after 12 deals (48 games), LLR 3.01 "
                 "(bounds -2.94, 2.94), score 0.6")]
    [champ] = note_sections({"format": "championship",
                             "advanced": {"a": ["p", "q"], "b: c": ["r"]}})
    assert champ.title == "Championship: advanced to the final"
    assert champ.lines == ("a: p, q", "b: c: r") and champ.labels == ("a", "b: c")
    assert note_sections({"format": "gauntlet"}) == note_sections({}) == []
    assert [s.to_json() for s in note_sections({"format": "championship",
                                                 "advanced": {"a": ["p"]}})] == [
        {"title": "Championship: advanced to the final", "lines": ["a: p"], "labels": ["a"]}]


def test_a_note_section_without_a_terminal_line_prints_its_title_and_lines():
    assert NoteSection("Seeds", ("a: 1", "b: 2")).terminal_line() == "Seeds: a: 1; b: 2"

    class Quiet(Hub):
        def note_sections(self, notes):
            return [NoteSection("Page only", ("x",), terminal=""), NoteSection("Both", ("y",))]

    assert Quiet().lines({}) == ["Both: y"]
    with pytest.raises(ValueError, match="each label must start its line"):
        NoteSection("Seeds", ("a: 1", "b: 2"), labels=("a",))
    with pytest.raises(ValueError, match="each label must start its line"):
        NoteSection("Seeds", ("a 1",), labels=("a",))


@pytest.mark.parametrize("path", ["tournaments/spec.py", "tournaments/run.py", "arena/cli.py"])
def test_the_spec_the_driver_and_the_cli_name_no_format(path):
    names = {"round_robin", "gauntlet", "championship", "sprt"}
    tree = ast.parse((ROOT / path).read_text())
    found = [(node.lineno, node.value) for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str)
             and node.value in names]
    assert found == []


class Spender(Agent):
    """Spends money nobody priced."""

    name = "spender"

    def act(self, view, legal):
        return legal[0]

    def unpriced(self):
        return "its tariff is secret"


register_agent("spender", Spender)


def test_a_cost_budget_asks_every_agent_for_its_price():
    data = {**BASE, "game": "dhumbal(players=2)", "agents": [{"spec": "random"},
                                                            {"spec": "spender"}]}
    t = parse_tournament(data, "x")
    check_prices(t, make_game(t.game, t.rules))  # no cost budget: nothing asked
    t = parse_tournament({**data, "budgets": {"cost": 1.0}}, "x")
    with pytest.raises(ArenaError, match="agent 'spender': its tariff is secret"):
        check_prices(t, make_game(t.game, t.rules))
    assert Agent(None, make_game("dhumbal")).unpriced() is None
