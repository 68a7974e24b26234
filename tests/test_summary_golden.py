"""summary.json, summary.csv, pairs.csv and the terminal tables stay the same documents.

Small deterministic tournaments (a payoff-ranked game, a team game with roles, a
championship with stages and an SPRT) are played afresh and their reports compared with
the ones stored in tests/data/summary_golden.json: same keys in the same order, same
values, same text. Wall-clock parts (``timing``, the decision-time table) and the code
fingerprint (``versions.code``, which changes with any edit of a game or agent) are left
out. Regenerate after a deliberate change of the document with
``python tests/test_summary_golden.py --write``.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "data" / "summary_golden.json"

SPECS = {
    "kuhn": """
name = "golden-kuhn"
game = "kuhn_poker"
seed = 7
deals = 6
format = "round_robin"
[budgets]
tokens = 1000000
[stats]
bootstrap = 30
[[agents]]
spec = "poker_rules(style=tight)"
name = "tight"
family = "heuristic"
[[agents]]
spec = "poker_rules(style=loose)"
name = "loose"
family = "heuristic"
[[agents]]
spec = "random"
family = "baseline"
""",
    "avalon": """
name = "golden-avalon"
game = "avalon"
seed = 1
deals = 2
seats = "rotate"
format = "round_robin"
[stats]
bootstrap = 30
adjust = "bonferroni"
[[agents]]
spec = "avalon_bot"
family = "heuristic"
[[agents]]
spec = "avalon_bot(assassin=random)"
name = "avalon_bot-random-assassin"
family = "heuristic"
[[agents]]
spec = "avalon_bot(fail_belief=0.5)"
name = "avalon_bot-trusting"
family = "heuristic"
[[agents]]
spec = "random"
family = "baseline"
[[agents]]
spec = "random"
name = "random-2"
family = "baseline"
""",
    "championship": """
name = "golden-championship"
game = "dhumbal"
rules = "paper"
seed = 3
deals = 2
format = "championship"
[stats]
bootstrap = 30
[championship]
advance = 2
final_deals = 2
[[agents]]
spec = "aggressive"
[[agents]]
spec = "conservative"
[[agents]]
spec = "balanced"
[[agents]]
spec = "opportunistic"
[[agents]]
spec = "study_random"
family = "baseline"
[[agents]]
spec = "random"
family = "baseline"
""",
    "sprt": """
name = "golden-sprt"
game = "dhumbal"
rules = "standard"
seed = 3
format = "sprt"
[stats]
bootstrap = 30
[sprt]
elo0 = 0
elo1 = 100
batch = 2
max_deals = 6
[[agents]]
spec = "aggressive"
[[agents]]
spec = "study_random"
""",
}


def _normal(document: dict) -> dict:
    """The document less its wall clock and code fingerprint (keys kept, in order). The
    OpenSpiel version is recorded only where an earlier game in the process loaded it."""
    out = {k: v for k, v in document.items() if k != "timing"}
    if "versions" in out:
        out["versions"] = {k: ("*" if k == "code" else v) for k, v in out["versions"].items()
                           if k != "open_spiel"}
    return out


def _tables(summary, out: Path) -> str:
    """The terminal report less its wall-clock tables (decision times, LLM latency)."""
    from rich.console import Console

    from arena.report import output

    console = Console(file=io.StringIO(), width=output.WIDTH, markup=False)
    console.print(output.tournament_leaderboard(summary, "title"))
    console.print(output.pairs_table(summary.pairs, summary.adjust))
    console.print(output.h2h_table(summary))
    if summary.roles is not None:
        console.print(output.roles_table(summary.roles))
    console.print(output.seats_line(summary.seats))
    return console.file.getvalue()


def report(name: str, tmp: Path) -> dict[str, object]:
    """Play ``SPECS[name]`` into ``tmp`` and read back what the reports hold."""
    from arena.report.output import write_tournament_files
    from tournaments.run import TournamentRunner, open_store, stage_of, tournament_summary
    from tournaments.runners import SerialRunner
    from tournaments.spec import load_tournament

    spec = tmp / f"{name}.toml"
    spec.write_text(SPECS[name])
    t = load_tournament(spec)
    out = tmp / name
    store = open_store(t, out, resume=False)
    TournamentRunner(t, store, SerialRunner()).run()
    summary = tournament_summary(t, store)
    write_tournament_files(out, summary, store.records(actions=False), stage_of)
    store.close()
    return {
        "summary.json": _normal(json.loads((out / "summary.json").read_text())),
        "summary.csv": (out / "summary.csv").read_text(),
        "pairs.csv": (out / "pairs.csv").read_text(),
        "tables": _tables(summary, out),
    }


MATCH = ["match", "avalon", "--agents",
         "avalon_bot,avalon_bot(assassin=random),random,random,avalon_bot(fail_belief=0.5)",
         "--games", "5", "--seed", "4", "--no-progress"]


def match_report(tmp: Path) -> dict[str, object]:
    """``arena match ... --json``: the JSON less its timings, and the terminal output up
    to the decision-time table (wall clock)."""
    import contextlib

    from arena.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([*MATCH, "--json", str(tmp / "match.json")]) == 0
    document = json.loads((tmp / "match.json").read_text())
    document.pop("timing")
    return {"match.json": document,
            "tables": out.getvalue().split("Decision time")[0]}


def _text(value: object) -> str:
    # Text compares key order too (dict equality would not).
    return json.dumps(value, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("name", list(SPECS))
def test_reports_are_the_stored_documents(name, tmp_path):
    expected = json.loads(GOLDEN.read_text())[name]
    got = json.loads(_text(report(name, tmp_path)))  # as stored: through JSON
    for part in expected:
        assert _text(got[part]) == _text(expected[part]), f"{name}: {part} changed"
    assert list(got) == list(expected)


def test_the_match_json_and_tables_are_the_stored_ones(tmp_path):
    expected = json.loads(GOLDEN.read_text())["match"]
    got = json.loads(_text(match_report(tmp_path)))
    for part in expected:
        assert _text(got[part]) == _text(expected[part]), f"match: {part} changed"


def test_the_golden_documents_cover_what_they_should():
    """The stored documents hold the parts the comparison is meant to guard."""
    golden = json.loads(GOLDEN.read_text())
    match = golden.pop("match")
    assert {"roles", "agent_teams"} <= set(match["match.json"])
    assert "timing" not in match["match.json"]
    assert "Results by team and role" in match["tables"]
    kuhn = golden["kuhn"]["summary.json"]
    assert kuhn["ranked_by"] == "mean payoff" and kuhn["llm"]["max_tokens"] == 1000000
    assert "payoff_rank_ci" in kuhn["agents"][0] and kuhn["pairs"]
    avalon = golden["avalon"]["summary.json"]
    assert {"roles", "teams", "agent_roles", "agent_teams"} <= set(avalon)
    champ = golden["championship"]["summary.json"]
    assert "advanced" in champ["notes"] and set(champ["stages"]) == {
        "group-heuristic", "final"}
    assert "sprt" in golden["sprt"]["summary.json"]["notes"]
    assert all("timing" not in g["summary.json"] for g in golden.values())


if __name__ == "__main__":  # pragma: no cover - regenerates the stored documents
    import tempfile

    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/test_summary_golden.py --write")
    with tempfile.TemporaryDirectory() as tmp:
        docs = {name: report(name, Path(tmp)) for name in SPECS}
        docs["match"] = match_report(Path(tmp))
    GOLDEN.write_text(_text(docs) + "\n")
    print(f"wrote {GOLDEN}")
