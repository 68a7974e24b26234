"""LLM agents against a local OpenAI-compatible fake server (no network): the answer
parser, every scripted failure mode through the real client, the decision log, the reply
cache, the API key kept out of everything, results with the LLM figures."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("openai")

from agents.llm.fake_server import FakeLLMServer  # noqa: E402
from agents.llm.parse import parse_reply  # noqa: E402
from arena.core.agent import SeatView  # noqa: E402
from arena.core.errors import ArenaError  # noqa: E402
from arena.core.registry import make_agent, make_game  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MOVES = ["call", "discard K♠", "discard 2♥"]


@pytest.mark.parametrize("reply,index,how", [
    ('{"reasoning": "low", "move": 2}', 1, "json"),
    ('{"move": "3"}', 2, "json"),
    ('Thinking...\n```json\n{"move": 1}\n```', 0, "json"),
    ("The king is heavy.\nMOVE: 2", 1, "move_line"),
    ("blah\n**Move:** 3", 2, "move_line"),
    ("3", 2, "number"),
    ("  discard k♠ ", 1, "name"),
])
def test_parser_reads_the_contract_and_its_narrow_fallbacks(reply, index, how):
    parsed = parse_reply(reply, MOVES)
    assert (parsed.index, parsed.how, parsed.error) == (index, how, None)


@pytest.mark.parametrize("reply,error", [
    ("", "empty"),
    (None, "empty"),
    ('{"move": 7}', "not in the list"),
    ("MOVE: 0", "not in the list"),
    ('{"reasoning": "x", "move": 1', "no move found"),  # broken JSON is not an object
    ('{"reasoning": "x"}', 'no "move"'),
    ('{"move": true}', "must be a number"),
    ('{"move": "two"}', "must be a number"),
    ("I would discard the K♠ as move 2, or call", "no move found"),  # prose is not scanned
    ("__import__('os').system('x')", "no move found"),
])
def test_parser_refuses_everything_else_with_a_reason(reply, error):
    parsed = parse_reply(reply, MOVES)
    assert parsed.index is None and error in parsed.error


def _decide(server, script_params="", game_name="kuhn_poker", seed=0, **kw):
    game = make_game(game_name)
    spec = f"llm(base_url={server.base_url},model=fake,backoff=0.01{script_params})"
    agent = make_agent(spec, game)
    state = game.new_state(seed)
    while state.current_player < 0:
        state.apply(state.chance_outcomes()[0][0])
    agent.start(state.current_player, random.Random(5))
    legal = list(state.legal_actions())
    move = agent.act(SeatView(state, state.current_player), legal)
    assert move in legal
    return agent, move, legal


@pytest.mark.parametrize("script,stats", [
    (["legal"], dict(invalid=0, retries=0, fallbacks=0)),
    (["move_line"], dict(invalid=0, fallbacks=0)),
    (["illegal", "legal"], dict(invalid=1, retries=1, fallbacks=0)),
    (["prose", "legal"], dict(invalid=1, retries=1, fallbacks=0)),
    (["broken_json", "legal"], dict(invalid=1, retries=1, fallbacks=0)),
    (["empty", "legal"], dict(invalid=1, retries=1, fallbacks=0)),
    (["echo", "legal"], dict(invalid=1, retries=1, fallbacks=0)),
    (["prose", "prose", "prose"], dict(invalid=3, retries=2, fallbacks=1)),
    (["429", "legal"], dict(transport_retries=1, transport_errors=0, fallbacks=0)),
    (["500", "500", "legal"], dict(transport_retries=2, transport_errors=0, fallbacks=0)),
    (["500", "500", "500", "500"], dict(transport_retries=3, transport_errors=1, fallbacks=1)),
    (["400", "legal"], dict(transport_retries=0, transport_errors=1, fallbacks=1)),
])
def test_each_failure_mode_ends_in_a_legal_move_and_is_counted(script, stats):
    with FakeLLMServer(script=script) as server:
        agent, _, _ = _decide(server)
        got = agent.game_stats()
        assert got["decisions"] == 1
        for key, value in stats.items():
            assert got[key] == value, (key, got)
        # A 4xx other than 408/409/429 is not retried: one request, then the fallback.
        assert server.requests == (1 if script[0] == "400" else len(script))


def test_a_reply_slower_than_the_timeout_is_retried():
    with FakeLLMServer(script=["slow"], slow_seconds=1.5) as server:
        agent, _, _ = _decide(server, ",timeout=0.3")
        got = agent.game_stats()
        assert got["transport_retries"] == 1 and got["fallbacks"] == 0
        assert server.requests == 2


def test_the_fallback_is_the_agents_seeded_choice():
    with FakeLLMServer(script=["prose"] * 6) as server:
        _, first, legal = _decide(server, ",max_retries=2")
        _, second, _ = _decide(server, ",max_retries=2")
    assert first == second == random.Random(5).choice(legal)


def test_re_prompt_quotes_the_error_and_the_legal_moves():
    with FakeLLMServer(script=["illegal", "legal"]) as server:
        _decide(server)
        retry = server.bodies[1]["messages"]
    assert [m["role"] for m in retry] == ["system", "user", "assistant", "user"]
    assert "not in the list" in retry[-1]["content"] and "1. " in retry[-1]["content"]


def run_arena(*args, env=None):
    return subprocess.run([sys.executable, "-m", "arena.cli", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=300, env=env)


def test_a_match_logs_caches_and_never_writes_the_key(tmp_path, monkeypatch):
    import os

    secret = "sk-test-DO-NOT-LEAK-1234567890"
    env = {**os.environ, "ARENA_TEST_KEY": secret}
    log, cache = tmp_path / "decisions.jsonl", tmp_path / "cache.sqlite"
    with FakeLLMServer(script=["prose", "500"], seed=3) as server:
        spec = (f"llm(base_url={server.base_url},model=fake,api_key_env=ARENA_TEST_KEY,"
                f"backoff=0.01,log={log},cache={cache})")
        args = ["match", "kuhn_poker", "--agents", f"{spec},random", "--games", "12",
                "--no-progress"]
        first = run_arena(*args, "--json", str(tmp_path / "a.json"), env=env)
        assert first.returncode == 0, first.stderr
        asked = server.requests
        assert server.auth_seen == asked  # the key was sent, as a header
        second = run_arena(*args, "--json", str(tmp_path / "b.json"), env=env)
        assert second.returncode == 0, second.stderr
        assert server.requests == asked, "a rerun must come from the cache"
    a = json.loads((tmp_path / "a.json").read_text())
    b = json.loads((tmp_path / "b.json").read_text())
    llm_a, llm_b = a["agents"][0], b["agents"][0]
    assert llm_a["wins"] == llm_b["wins"] and llm_a["payoff"] == llm_b["payoff"]
    figures = llm_a["agent_stats"]
    assert figures["decisions"] > 0 and figures["invalid"] >= 1
    assert figures["transport_retries"] >= 1 and figures["tokens_in"] > 0
    assert 0 <= figures["invalid_rate"] <= 1 and figures["latency_ms_p95"] >= 0
    assert llm_b["agent_stats"]["cached"] == llm_b["agent_stats"]["decisions"] + \
        llm_b["agent_stats"]["retries"]
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(lines) == figures["decisions"] + llm_b["agent_stats"]["decisions"]
    assert {"game", "seat", "messages", "attempts", "move", "fallback", "prompt_sha256"} \
        <= set(lines[0])
    for text in (log.read_text(), first.stdout, first.stderr, second.stdout,
                 (tmp_path / "a.json").read_text(), cache.read_bytes().decode("latin-1")):
        assert secret not in text


@pytest.mark.parametrize("spec,message", [
    ("llm", "needs a model"),
    ("llm(model=m,base_url=ftp://x)", "http(s) URL"),
    ("llm(model=m,timeout=0)", "timeout must be positive"),
])
def test_bad_llm_settings_exit_2_in_one_line(spec, message):
    res = run_arena("match", "kuhn_poker", "--agents", f"{spec},random", "--games", "2")
    assert res.returncode == 2 and message in res.stderr and "Traceback" not in res.stderr


def test_llm_plays_a_whole_dhumbal_game_through_a_policy_server(tmp_path):
    with FakeLLMServer(seed=1) as server:
        spec = f"llm(base_url={server.base_url},model=fake)"
        res = run_arena("match", "dhumbal", "--rules", "paper", "--agents",
                        f"{spec},aggressive,aggressive,aggressive", "--games", "4",
                        "--no-progress", "--json", str(tmp_path / "d.json"))
    assert res.returncode == 0, res.stderr
    row = json.loads((tmp_path / "d.json").read_text())["agents"][0]
    assert row["games"] == 4 and row["illegal"] == 0
    assert row["agent_stats"]["fallbacks"] == 0 and row["agent_stats"]["decisions"] > 0


def test_concurrent_games_give_the_records_of_serial_play():
    from arena.play.match import run_match

    game = make_game("dhumbal", "paper")
    specs = ["aggressive", "balanced", "random", "opportunistic"]
    _, serial = run_match(game, specs, 24, seed=3)
    _, threaded = run_match(game, specs, 24, seed=3, concurrency=6)
    assert [r.deterministic() for r in threaded] == [r.deterministic() for r in serial]
    with FakeLLMServer(seed=4) as server:
        llm = f"llm(base_url={server.base_url},model=fake)"
        _, stream = run_match(game, [llm, *specs[:3]], 8, seed=3, concurrency=4)
        records = list(stream)
    assert [r.job_id for r in records] == [f"match/d{i // 4}/r{i % 4}" for i in range(8)]
    assert all(r.errors == [] and sum(r.illegal) == 0 for r in records)


def test_an_answer_after_the_deadline_counts_as_a_timeout(tmp_path):
    with FakeLLMServer(delay=0.6) as server:
        spec = f"llm(base_url={server.base_url},model=fake,transport_retries=0)"
        res = run_arena("match", "kuhn_poker", "--agents", f"{spec},random", "--games", "2",
                        "--time-per-move", "0.3", "--concurrency", "2", "--no-progress",
                        "--json", str(tmp_path / "t.json"))
    assert res.returncode == 0, res.stderr
    row = json.loads((tmp_path / "t.json").read_text())["agents"][0]
    # The agent gave up at its deadline and fell back in time: no forfeits.
    assert row["forfeits"] == 0 and row["agent_stats"]["fallbacks"] >= 1


@pytest.mark.parametrize("script,rc,says", [
    ([], 0, "OK in"),
    (["500"], 1, "HTTP 500"),
    (["429"], 1, "rate limited"),
    (["empty"], 0, "reply was empty"),
])
def test_llm_check_says_what_the_server_answered(script, rc, says):
    import os

    env = {**os.environ, "ARENA_TEST_KEY": "sk-test-NEVER-SHOWN-42"}
    with FakeLLMServer(script=script) as server:
        res = run_arena("llm-check", "--base-url", server.base_url, "--model", "m",
                        "--api-key-env", "ARENA_TEST_KEY", env=env)
        assert server.auth_seen == 1
    assert res.returncode == rc and says in res.stdout, res.stdout + res.stderr
    assert "API key: set" in res.stdout and "NEVER-SHOWN" not in res.stdout + res.stderr


def test_llm_check_explains_a_missing_server_and_a_bad_url():
    res = run_arena("llm-check", "--base-url", "http://127.0.0.1:9/v1", "--model", "m",
                    "--timeout", "3")
    assert res.returncode == 1 and "could not connect" in res.stdout
    res = run_arena("llm-check", "--base-url", "localhost:9", "--model", "m")
    assert res.returncode == 2 and "http(s) URL" in res.stderr and "Traceback" not in res.stderr


def test_the_match_table_shows_the_llm_figures():
    with FakeLLMServer(script=["prose"]) as server:
        res = run_arena("match", "kuhn_poker", "--agents",
                        f"llm(base_url={server.base_url},model=m),random", "--games", "4",
                        "--no-progress")
    assert res.returncode == 0, res.stderr
    assert "LLM agents" in res.stdout and "fallback" in res.stdout
    res = run_arena("match", "kuhn_poker", "--agents", "random,random", "--games", "2",
                    "--no-progress")
    assert "LLM agents" not in res.stdout


# -- tournaments, budgets, prices, talk, the local model -----------------------------------

MIXED = ["500", "prose", "legal", "broken_json", "move_line", "429", "illegal", "empty",
         "echo", "legal"] * 6


def _spec_file(tmp_path: Path, base_url: str, extra: str = "", deals: int = 2,
               model: str = "fake") -> Path:
    llm = f"llm(base_url={base_url},model={model},backoff=0.01)"
    spec = tmp_path / "llm.toml"
    spec.write_text(f'''name = "llm-dhumbal"
game = "dhumbal"
rules = "paper"
seed = 5
deals = {deals}
{extra}
[[agents]]
spec = "{llm}"
name = "llm-a"
family = "llm"

[[agents]]
spec = "{llm}"
name = "llm-b"
family = "llm"

[[agents]]
spec = "aggressive"

[[agents]]
spec = "balanced"
''')
    return spec


def test_an_llm_dhumbal_tournament_against_a_failing_server_finishes_every_game(tmp_path):
    with FakeLLMServer(script=MIXED, seed=2) as server:
        res = run_arena("tournament", str(_spec_file(tmp_path, server.base_url)), "--out",
                        str(tmp_path / "out"), "--backend", "serial", "--concurrency", "4",
                        "--no-progress")
    assert res.returncode == 0, res.stderr
    assert "LLM agents" in res.stdout and "Total:" in res.stdout
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["games"] == 8  # 2 deals x 4 seatings, every one finished
    rows = {a["name"]: a for a in summary["agents"]}
    both = [rows["llm-a"]["agent_stats"], rows["llm-b"]["agent_stats"]]
    assert sum(s["invalid"] for s in both) >= 5  # prose, broken JSON, illegal, empty, echo
    assert sum(s["transport_retries"] for s in both) >= 2  # the 500 and the 429
    for s in both:
        assert s["decisions"] > 0 and s["tokens_in"] > 0 and s["tokens_out"] > 0
        assert 0 <= s["invalid_rate"] <= 1 and 0 <= s["fallback_rate"] <= 1
        assert s["latency_ms_p95"] >= s["latency_ms_mean"] * 0.5 > 0
    assert rows["aggressive"]["agent_stats"] == {}
    assert summary["llm"]["tokens"] == sum(s["tokens_in"] + s["tokens_out"] for s in both)
    assert summary["llm"]["cost_usd"] is None  # "fake" has no price
    header = (tmp_path / "out" / "summary.csv").read_text().splitlines()[0]
    assert "llm_invalid_rate" in header and "llm_latency_ms_p95" in header


def test_an_llm_kuhn_match_against_a_failing_server_reports_the_figures(tmp_path):
    with FakeLLMServer(script=MIXED, seed=6) as server:
        spec = f"llm(base_url={server.base_url},model=fake,backoff=0.01)"
        res = run_arena("match", "kuhn_poker", "--agents", f"{spec},random", "--games", "30",
                        "--concurrency", "3", "--no-progress", "--json", str(tmp_path / "k.json"))
    assert res.returncode == 0, res.stderr
    data = json.loads((tmp_path / "k.json").read_text())
    row = data["agents"][0]
    assert row["games"] == 30 and row["forfeits"] == 0 and row["illegal"] == 0
    s = row["agent_stats"]
    assert s["invalid"] >= 5 and s["transport_retries"] >= 2 and s["tokens_out"] > 0
    assert {"invalid_rate", "fallback_rate", "tokens_per_decision", "latency_ms_mean",
            "latency_ms_p95"} <= set(s)


def test_tournament_concurrency_gives_the_records_of_serial_play(tmp_path):
    from tournaments.run import TournamentRunner
    from tournaments.runners import ProcessRunner, SerialRunner
    from tournaments.spec import parse_tournament

    from arena.store.sqlite import Store

    t = parse_tournament({"game": "dhumbal", "rules": "paper", "deals": 6, "seed": 2,
                          "agents": [{"spec": s} for s in
                                     ("aggressive", "balanced", "random", "opportunistic")]})
    got = {}
    for name, runner in (("serial", SerialRunner()), ("threads", SerialRunner(concurrency=5)),
                         ("processes", ProcessRunner(2, concurrency=3))):
        store = Store(tmp_path / f"{name}.sqlite")
        with runner:
            TournamentRunner(t, store, runner).run()
        got[name] = sorted((r.job_id, json.dumps(r.deterministic(), sort_keys=True))
                           for r in store.records())
        store.close()
    assert len(got["serial"]) == 24
    assert got["threads"] == got["serial"] and got["processes"] == got["serial"]


def test_a_token_budget_stops_cleanly_and_a_larger_one_resumes(tmp_path):
    out = tmp_path / "out"
    with FakeLLMServer(seed=3) as server:
        spec = _spec_file(tmp_path, server.base_url, "[budgets]\ntokens = 3000\n", deals=4)
        res = run_arena("tournament", str(spec), "--out", str(out), "--backend", "serial",
                        "--no-progress")
        assert res.returncode == 3, res.stderr
        assert "token budget (3,000) is spent" in res.stderr and "--resume" in res.stderr
        summary = json.loads((out / "summary.json").read_text())
        assert 0 < summary["games"] < 16
        assert summary["llm"]["tokens"] >= 3000 and summary["llm"]["stopped"]
        # Serial, one game at a time: it stopped right after the game that spent the budget.
        per_game = summary["llm"]["tokens"] / summary["games"]
        assert summary["llm"]["tokens"] - per_game * 3 < 3000
        again = run_arena("tournament", str(spec), "--out", str(out), "--backend", "serial",
                          "--no-progress", "--resume")
        assert again.returncode == 3 and "spent" in again.stderr  # nothing more to spend
        done = run_arena("tournament", str(spec), "--out", str(out), "--backend", "serial",
                         "--no-progress", "--resume", "--max-tokens", "10000000")
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["games"] == 16 and summary["llm"]["stopped"] is None
    assert summary["llm"]["max_tokens"] == 10000000


def test_prices_come_from_the_table_a_user_file_or_the_agent(tmp_path, monkeypatch):
    from agents.llm.prices import ENV, price_of

    assert price_of("gpt-4o-mini") == (0.15, 0.60)
    assert price_of("gpt-4o-mini-2024-07-18") == (0.15, 0.60)  # longest prefix, not gpt-4o
    assert price_of("gpt-4o-2024-08-06") == (2.50, 10.00)
    assert price_of("gpt-5-mini-2025-08-07") == (0.25, 2.00)  # not gpt-5's
    assert price_of("my-local-model") is None
    mine = tmp_path / "prices.toml"
    mine.write_text('[models."my-local-model"]\ninput = 1.0\noutput = 3.0\n'
                    '[models."gpt-4o-mini"]\ninput = 9.0\noutput = 9.0\n')
    monkeypatch.setenv(ENV, str(mine))
    assert price_of("my-local-model") == (1.0, 3.0) and price_of("gpt-4o-mini") == (9.0, 9.0)
    mine.write_text('[models."x"]\ninput = -1\noutput = 2\n')
    with pytest.raises(ArenaError, match='models."x" needs input'):
        price_of("x")
    monkeypatch.delenv(ENV)
    with FakeLLMServer(script=["legal"] * 4) as server:
        agent, _, _ = _decide(server, ",price_in=2,price_out=10")
    stats = agent.game_stats()
    assert stats["cost_usd"] == pytest.approx(
        (stats["tokens_in"] * 2 + stats["tokens_out"] * 10) / 1e6)
    with pytest.raises(ArenaError, match="give both"):
        make_agent("llm(model=m,price_in=1)", make_game("kuhn_poker"))


def test_a_cost_budget_needs_every_models_price_before_anything_runs(tmp_path):
    with FakeLLMServer() as server:
        spec = _spec_file(tmp_path, server.base_url, "[budgets]\ncost = 0.5\n")
        res = run_arena("tournament", str(spec), "--out", str(tmp_path / "out"),
                        "--backend", "serial", "--no-progress")
        assert server.requests == 0
    assert res.returncode == 2 and "has no price" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "out").exists()
    with FakeLLMServer(seed=1) as server:
        spec = _spec_file(tmp_path, server.base_url, model="gpt-4.1-nano")
        res = run_arena("tournament", str(spec), "--out", str(tmp_path / "priced"),
                        "--backend", "serial", "--no-progress", "--max-cost", "0.0001")
    assert res.returncode == 3 and "cost budget ($0.0001) is spent" in res.stderr
    spend = json.loads((tmp_path / "priced" / "summary.json").read_text())["llm"]
    assert spend["cost_usd"] == pytest.approx(
        (spend["tokens_in"] * 0.10 + spend["tokens_out"] * 0.40) / 1e6)
    assert spend["cost_usd"] >= 0.0001


def test_llm_agents_talk_in_werewolf_and_read_each_other(tmp_path):
    with FakeLLMServer(seed=7) as server:
        spec = f"llm(base_url={server.base_url},model=fake)"
        res = run_arena("match", "werewolf", "--rules", "small", "--agents",
                        ",".join([spec] * 3 + ["werewolf_bot"] * 3), "--games", "2",
                        "--no-progress")
        prompts = [str(b["messages"][-1]["content"]) for b in server.bodies]
    assert res.returncode == 0, res.stderr
    assert all("SAY:" in p for p in prompts)  # the contract offers talk
    heard = [p for p in prompts if "I am honest (reply" in p]
    assert heard, "a later prompt shows the words another seat attached to its statement"


def test_llm_serve_explains_what_is_missing():
    res = run_arena("llm-serve", "--model-path", "/nonexistent/model.gguf")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert ("no such file" in res.stderr) or ("scripts/setup llm" in res.stderr)


def test_the_local_model_plays_kuhn_poker_end_to_end(tmp_path):
    from agents.llm.serve import LocalModelServer, available

    if not available():
        pytest.skip("no local model: run scripts/setup llm")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with LocalModelServer(port) as server:
        spec = (f"llm(base_url={server.base_url},model={server.model},max_tokens=32,"
                "max_retries=0)")
        res = run_arena("match", "kuhn_poker", "--agents", f"{spec},random", "--games", "2",
                        "--no-progress", "--json", str(tmp_path / "local.json"))
    assert res.returncode == 0, res.stderr
    row = json.loads((tmp_path / "local.json").read_text())["agents"][0]
    assert row["games"] == 2 and row["agent_stats"]["decisions"] >= 2
    assert row["agent_stats"]["tokens_out"] > 0 and row["agent_stats"]["cost_usd"] == 0


def test_names_and_text_are_shown_as_written_not_as_markup(tmp_path):
    spec = tmp_path / "names.toml"
    spec.write_text('game = "kuhn_poker"\ndeals = 2\n[[agents]]\nspec = "random"\n'
                    'name = "[/oops] [red]<script>x</script>"\n[[agents]]\nspec = "random"\n'
                    'name = "plain"\n')
    res = run_arena("tournament", str(spec), "--out", str(tmp_path / "o"), "--backend",
                    "serial", "--no-progress")
    assert res.returncode == 0, res.stderr
    assert "[/oops] [red]<script>x</script>" in res.stdout.replace("\n", "")


def test_the_record_keeps_each_reply_beside_its_move():
    from arena.play.match import run_match

    game = make_game("kuhn_poker")
    with FakeLLMServer(script=["prose"] * 3 + ["legal"] * 4) as server:
        spec = f"llm(base_url={server.base_url},model=fake,backoff=0.01)"
        _, stream = run_match(game, [spec, "random"], 1, seed=2, seats="fixed")
        (record,) = list(stream)
    assert record.notes and all(seat == 0 for _, seat, _ in record.notes)
    first = record.notes[0][2]
    assert first.startswith("no usable answer after 3 request(s)") and "maybe move 1" in first
    assert all('"move"' in text for _, _, text in record.notes[1:])
    assert [m for m, _, _ in record.notes] == sorted(m for m, _, _ in record.notes)


@pytest.mark.parametrize("backend", ["processes", "serial"])
def test_a_budget_with_concurrency_stops_with_little_in_flight(tmp_path, backend):
    import math

    workers, concurrency = (2 if backend == "processes" else 1), 3
    with FakeLLMServer(seed=1) as server:
        llm = f"llm(base_url={server.base_url},model=gpt-4o-mini,backoff=0.01)"
        spec = tmp_path / "k.toml"
        spec.write_text(f'game = "kuhn_poker"\ndeals = 200\n[budgets]\ncost = 0.0005\n'
                        f'[[agents]]\nspec = "{llm}"\nname = "llm"\n'
                        '[[agents]]\nspec = "random"\n')
        res = run_arena("tournament", str(spec), "--out", str(tmp_path / "o"), "--workers",
                        str(workers), "--concurrency", str(concurrency), "--no-progress",
                        "--no-html", "--backend", backend)
    assert res.returncode == 3, res.stderr
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    per_game = summary["llm"]["cost_usd"] / summary["games"]
    needed = math.ceil(0.0005 / per_game)
    # Past the game that spent the budget: at most the games already handed to workers.
    assert summary["games"] - needed <= 2 * workers * concurrency
    assert summary["games"] < 400
