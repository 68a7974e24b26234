"""The typed summary: what build_summary reads from its caller, one JSON document out, and
the store's API that the HTML report reads games through."""

from __future__ import annotations

import json

from arena.core.registry import make_game
from arena.play.match import GameRecord
from arena.stats.summary import SummaryContext, build_summary, deterministic_part
from arena.store.sqlite import Store


def _game(labels: list[str], winner: int, job_id: str, seed: int) -> GameRecord:
    n = len(labels)
    return GameRecord(job_id=job_id, game="kuhn_poker", rules=None, settings={}, seed=seed,
                      agents=[f"spec-of-{x}" for x in labels], labels=list(labels),
                      actions=[0, 1, 1], returns=[1.0 if s == winner else -1.0
                                                  for s in range(n)],
                      ranks=[0 if s == winner else 1 for s in range(n)], winners=[winner],
                      win_shares=[1.0 if s == winner else 0.0 for s in range(n)],
                      decisions=[1] * n, think_ns=[0] * n, max_think_ns=[0] * n,
                      illegal=[0] * n)


def _records() -> list[GameRecord]:
    return [_game(["a", "b"] if d % 2 else ["b", "a"], d % 3 == 0, f"rr/t0/d{d}/r0", d)
            for d in range(12)]


def _plain(value: object) -> bool:
    """Only what JSON holds: dicts with text keys, lists, text, numbers, booleans, None."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))


def test_the_summary_loads_no_agent_code(monkeypatch):
    """Settings come from the caller, by the spec the records name; specs that no agent
    registers are no obstacle, and an entrant that never played has none."""
    import arena.core.registry as registry

    def refuse(*args, **kwargs):
        raise AssertionError("the summary loaded an agent class")

    monkeypatch.setattr(registry, "agent_class", refuse)
    monkeypatch.setattr(registry, "agent_settings", refuse)
    context = SummaryContext(families={"a": "search"},
                             settings={"spec-of-a": {"depth": 3}, "spec-of-b": None})
    summary = build_summary(_records(), ["a", "b", "idle"], make_game("kuhn_poker"), context,
                            bootstrap=10)
    rows = {row.name: row for row in summary.agents}
    assert rows["a"].settings == {"depth": 3} and rows["a"].family == "search"
    assert rows["b"].settings is None and rows["b"].family is None
    doc = {row["name"]: row for row in summary.to_json()["agents"]}
    assert doc["a"]["settings"] == {"depth": 3} and doc["b"]["settings"] is None
    assert "settings" not in doc["idle"], "an entrant that never played has no settings"
    assert list(doc["a"]).index("settings") == list(doc["a"]).index("family") + 1


def test_to_json_is_plain_data_that_shares_nothing_with_the_summary():
    summary = build_summary(_records(), ["a", "b"], make_game("kuhn_poker"),
                            SummaryContext(notes={"name": "n", "advanced": {"g": ["a"]}}),
                            bootstrap=10)
    doc = summary.to_json()
    assert _plain(doc)
    doc["notes"]["advanced"]["g"].append("b")
    doc["agents"][0]["metrics"]["x"] = 1
    assert summary.to_json() != doc and summary.notes["advanced"] == {"g": ["a"]}
    assert deterministic_part(summary) == deterministic_part(summary.to_json())
    assert "timing" in summary.to_json() and "timing" not in deterministic_part(summary)
    # Parts a plain match has not: no roles, stages, LLM spend or versions keys.
    assert not {"roles", "stages", "llm", "versions"} & set(doc)


def test_the_store_lists_games_and_reads_them_by_job_id(tmp_path):
    records = _records()
    with Store(tmp_path / "results.sqlite") as store:
        for seq, rec in enumerate(records):
            store.add(rec, seq, "rr" if seq < 6 else "final")
        listed = list(store.listed_games())
        assert [g.job_id for g in listed] == [r.job_id for r in records]
        assert [g.stage for g in listed] == ["rr"] * 6 + ["final"] * 6
        for g, rec in zip(listed, records):
            assert (g.labels, g.ranks, g.returns, g.illegal, g.seed) == (
                rec.labels, rec.ranks, rec.returns, rec.illegal, rec.seed)
            assert g.forfeit is None and g.error_seat is None
            stored = json.loads(g.record_json)
            assert stored["job_id"] == rec.job_id and "think_hist" not in stored
        wanted = [records[3].job_id, records[10].job_id]
        got = {rec.job_id: rec for rec in store.records_by_id(wanted)}
        assert set(got) == set(wanted)
        assert got[records[3].job_id].actions == [0, 1, 1]
