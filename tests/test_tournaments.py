"""Tournaments end to end: specs, schedules, runners, the store, resume after kill -9."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from arena.core.agent import Agent
from arena.core.registry import register_agent
from arena.store.sqlite import Store
from arena.stats.summary import Summary, deterministic_part
from tournaments.run import TournamentRunner, open_store, tournament_summary
from tournaments.runners import ProcessRunner, SerialRunner
from tournaments.spec import TournamentSpecError, load_tournament, parse_tournament

ROOT = Path(__file__).resolve().parents[1]

STUDY5 = """
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
"""


def write_spec(tmp_path: Path, body: str, name: str = "t") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(body)
    return path


def small(deals: int = 5, extra: str = "", agents: str = STUDY5, fmt: str = "round_robin",
          rules: str = "paper") -> str:
    return (f'name = "small"\ngame = "dhumbal"\nrules = "{rules}"\nseed = 3\ndeals = {deals}\n'
            f'format = "{fmt}"\n[stats]\nbootstrap = 40\n{extra}\n{agents}')


def arena(*args, cwd=None, **kw):
    return subprocess.run([sys.executable, "-m", "arena.cli", *args], capture_output=True,
                          text=True, timeout=600, cwd=cwd, **kw)


def summary_of(out: Path) -> dict:
    return deterministic_part(json.loads((out / "summary.json").read_text()))


def run_in_process(spec_path: Path, out: Path, runner) -> Summary:
    t = load_tournament(spec_path)
    store = open_store(t, out, resume=False)
    with runner:
        TournamentRunner(t, store, runner).run()
    summary = tournament_summary(t, store)
    store.close()
    return summary


# -- specs --------------------------------------------------------------------------------

@pytest.mark.parametrize("body,needle", [
    ('game = "dhumbal"\n', "agents: missing (required)"),
    (small().replace('rules = "paper"', 'rules = "papr"'), "game/rules: unknown rules preset"),
    (small().replace("deals = 5", "deals = 0"), "deals: must be at least 1"),
    (small().replace("deals = 5", 'deals = "five"'), "deals: expected int, got str"),
    (small().replace('format = "round_robin"', 'format = "swiss"'),
     "format: 'swiss' is not one of: round_robin, gauntlet, championship, sprt"),
    (small() + '\n[[agents]]\nspec = "nobody"\n', "agents[5].spec: unknown agent 'nobody'"),
    (small() + '\n[[agents]]\nspec = "aggressive"\n', "agents[5].name: 'aggressive' is used"),
    (small() + '\n[[agents]]\nspec = "expert(samples=x)"\n',
     "agents[5].spec: agent expert: samples='x' is not an integer"),
    (small().replace('family = "baseline"', 'family = "basline"'),
     "agents[4].family: 'basline' is not one of"),
    (small() + "\ncolour = 3\n", "colour: unknown field"),
    (small(agents='[[agents]]\nspec = "aggressive"\n[[agents]]\nspec = "balanced"\n'),
     "agents: a round robin of dhumbal, rules paper, 4 players needs at least 4 agents"),
    (small(fmt="gauntlet", extra='[gauntlet]\ncandidates = ["expert"]'),
     "gauntlet.candidates: 'expert' is not an agent name"),
    (small(fmt="sprt"), "agents: an SPRT compares exactly 2 agents, got 5"),
    (small(extra="[sprt]\nelo1 = 10"), "sprt: a [sprt] table needs format = \"sprt\""),
    (small(fmt="championship", extra="[championship]\nadvance = 1"),
     "championship.advance: 2 group(s) advancing 1 each give 2 finalists"),
    (small(extra="[budgets]\ntime_per_move = -1"), "budgets.time_per_move: must be > 0"),
    ("game = [", "not valid TOML"),
    (small() + '\n[[agents]]\nspec = "human"\n', "agents[5].spec: 'human' waits for a person"),
])
def test_bad_specs_name_the_field(tmp_path, body, needle):
    path = write_spec(tmp_path, body)
    with pytest.raises(TournamentSpecError) as err:
        load_tournament(path)
    assert needle in str(err.value), str(err.value)
    assert str(path) in str(err.value)


def test_cli_refuses_a_bad_spec_with_one_line_and_writes_nothing(tmp_path):
    path = write_spec(tmp_path, small().replace("deals = 5", "deals = -2"))
    res = arena("tournament", str(path), "--out", str(tmp_path / "out"))
    assert res.returncode == 2 and "deals: must be at least 1" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr
    assert not (tmp_path / "out").exists()
    res = arena("report", str(tmp_path / "nowhere"))
    assert res.returncode == 2 and "no results.sqlite" in res.stderr


def test_round_robin_schedule_covers_every_table_seat_and_deal():
    t = parse_tournament(json_free(small(deals=3)))
    from tournaments.schedule import round_robin_tables, table_jobs

    tables = round_robin_tables("rr", t.names(), 4)
    assert len(tables) == 5  # C(5, 4)
    jobs = [j for tb in tables for j in table_jobs(t, tb, 3)]
    assert len(jobs) == 5 * 3 * 4 and len({j.job_id for j in jobs}) == len(jobs)
    # The same deals at every table: deal d has one seed in the stage.
    seeds = {(j.job_id.split("/")[2]): j.seed for j in jobs}
    assert len(set(seeds.values())) == 3
    for name in t.names():
        seats = [j.labels.index(name) for j in jobs if name in j.labels]
        assert sorted(set(seats)) == [0, 1, 2, 3]
        assert all(seats.count(s) == len(seats) // 4 for s in range(4))


def json_free(body: str) -> dict:
    import tomllib

    return tomllib.loads(body)


# -- running --------------------------------------------------------------------------------

def test_serial_and_processes_give_the_same_summary(tmp_path):
    path = write_spec(tmp_path, small(deals=6))
    a = run_in_process(path, tmp_path / "serial", SerialRunner())
    b = run_in_process(path, tmp_path / "procs", ProcessRunner(2))
    assert deterministic_part(a) == deterministic_part(b)
    doc = a.to_json()
    assert doc["games"] == 5 * 6 * 4
    names = {r["name"] for r in doc["agents"]}
    assert names == {"aggressive", "conservative", "balanced", "opportunistic", "study_random"}
    for agent in doc["agents"]:
        assert {"games", "wins", "win_rate", "win_ci", "payoff", "elo", "elo_ci", "openskill",
                "metrics"} <= set(agent)
    assert {"p", "p_adjusted", "cohens_d"} <= set(doc["pairs"][0])
    assert len(doc["seats"]["seats"]) == 4


def test_cli_tournament_writes_files_and_report_recomputes_them(tmp_path):
    path = write_spec(tmp_path, small(deals=4))
    out = tmp_path / "out"
    res = arena("tournament", str(path), "--out", str(out), "--workers", "2")
    assert res.returncode == 0, res.stderr
    for name in ("summary.json", "summary.csv", "pairs.csv", "games.csv", "elo.png",
                 "head_to_head.png", "seats.png", "results.sqlite"):
        assert (out / name).is_file(), name
    first = summary_of(out)
    lines = (out / "games.csv").read_text().strip().splitlines()
    assert len(lines) == 1 + first["games"] * 4
    assert "Head to head" in res.stdout and "Pairwise" in res.stdout
    (out / "summary.json").unlink()
    res = arena("report", str(out))
    assert res.returncode == 0, res.stderr
    assert summary_of(out) == first
    # The same folder again: refused without --resume; a different spec: refused.
    res = arena("tournament", str(path), "--out", str(out))
    assert res.returncode == 2 and "pass --resume" in res.stderr
    other = write_spec(tmp_path, small(deals=5), name="other")
    res = arena("tournament", str(other), "--out", str(out), "--resume")
    assert res.returncode == 2 and "holds a different tournament" in res.stderr


def test_kill_9_then_resume_gives_the_uninterrupted_summary(tmp_path):
    path = write_spec(tmp_path, small(deals=300))
    expected_games = 5 * 300 * 4
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "arena.cli", "tournament", str(path),
                             "--out", str(out), "--workers", "2", "--no-progress"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    db = out / "results.sqlite"
    deadline = time.time() + 120
    stored = 0
    while time.time() < deadline:
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=5) as conn:
                    stored = conn.execute("SELECT COUNT(*) FROM games").fetchone()[0]
            except sqlite3.OperationalError:
                stored = 0
            if stored >= 1500:
                break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 1500 <= stored < expected_games, f"kill came at {stored} games"
    with Store(db) as store:
        kept = store.count()
    assert kept < expected_games
    res = arena("tournament", str(path), "--out", str(out), "--resume", "--workers", "2")
    assert res.returncode == 0, res.stderr
    with Store(db) as store:
        assert store.count() == expected_games, "a game is missing or counted twice"
        assert len(store.finished_ids()) == expected_games
    clean = tmp_path / "clean"
    res = arena("tournament", str(path), "--out", str(clean), "--backend", "serial")
    assert res.returncode == 0, res.stderr
    assert summary_of(out) == summary_of(clean)


# -- formats -------------------------------------------------------------------------------

def test_championship_groups_then_final(tmp_path):
    agents = STUDY5 + '[[agents]]\nspec = "random"\nfamily = "baseline"\n'
    body = small(deals=8, fmt="championship", agents=agents,
                 extra="[championship]\nadvance = 2\nfinal_deals = 10")
    summary = run_in_process(write_spec(tmp_path, body), tmp_path / "out", SerialRunner())
    advanced = summary.notes["advanced"]
    assert set(advanced) == {"heuristic", "baseline"}
    assert len(advanced["heuristic"]) == 2 and advanced["baseline"] == ["study_random", "random"]
    assert set(summary.stages) == {"group-heuristic", "final"}
    finalists = {r.name for r in summary.stages["final"]}
    assert finalists == set(advanced["heuristic"]) | set(advanced["baseline"])
    # The group advances by the game's leaderboard key (Dhumbal: Elo from ranks).
    from arena.stats.ratings import bradley_terry, pairwise_results

    with Store(tmp_path / "out" / "results.sqlite") as store:
        group_records = [r for r in store.records(actions=False) if "group-heuristic" in r.job_id]
    members = [r.name for r in summary.stages["group-heuristic"]]
    elo = bradley_terry(pairwise_results(group_records), members)
    best_two = sorted(members, key=lambda n: -elo[n])[:2]
    assert best_two == advanced["heuristic"]
    assert summary.games == 8 * 4 + 10 * 4


def test_gauntlet_plays_each_candidate_against_the_pool(tmp_path):
    body = small(deals=3, fmt="gauntlet", extra='[gauntlet]\ncandidates = ["aggressive"]')
    t = load_tournament(write_spec(tmp_path, body))
    from tournaments.schedule import gauntlet_tables

    tables = gauntlet_tables("g", t.settings.candidates, [n for n in t.names() if n != "aggressive"], 4)
    assert len(tables) == 4 and all(tb.names[0] == "aggressive" for tb in tables)
    summary = run_in_process(write_spec(tmp_path, body), tmp_path / "out", SerialRunner())
    games = {r.name: r.games for r in summary.agents}
    assert games["aggressive"] == 4 * 3 * 4 and games["conservative"] == 3 * 3 * 4


def test_sprt_stops_early_and_the_same_way_on_any_runner(tmp_path):
    agents = '[[agents]]\nspec = "aggressive"\n[[agents]]\nspec = "study_random"\n'
    body = small(fmt="sprt", agents=agents, rules="standard",
                 extra="[sprt]\nelo0 = 0\nelo1 = 100\nbatch = 2\nmax_deals = 200")
    path = write_spec(tmp_path, body)
    a = run_in_process(path, tmp_path / "a", SerialRunner())
    b = run_in_process(path, tmp_path / "b", ProcessRunner(2))
    s = a.notes["sprt"]
    assert s["decision"] == "H1", s
    assert s["games"] < 200 * 4, "a clear result should stop the test early"
    assert deterministic_part(a) == deterministic_part(b)


# -- faults ------------------------------------------------------------------------------

class Sleeper(Agent):
    """Sleeps past any budget on its second decision."""

    name = "sleeper"

    def act(self, view, legal):
        if view.observation().turn >= 1:
            time.sleep(0.3)
        return legal[0]


class Spinner(Agent):
    """Never answers (a busy loop): only the interval timer stops it."""

    name = "spinner"

    def act(self, view, legal):
        while True:
            pass


class Crasher(Agent):
    name = "crasher2"

    def act(self, view, legal):
        raise ValueError("broken agent")


register_agent("sleeper", Sleeper)
register_agent("spinner", Spinner)
register_agent("crasher2", Crasher)


def test_slow_hanging_and_broken_agents_lose_their_games_and_the_run_goes_on(tmp_path):
    agents = ('[[agents]]\nspec = "sleeper"\n[[agents]]\nspec = "spinner"\n'
              '[[agents]]\nspec = "crasher2"\n[[agents]]\nspec = "balanced"\n')
    body = small(deals=2, agents=agents, extra="[budgets]\ntime_per_move = 0.1")
    start = time.time()
    summary = run_in_process(write_spec(tmp_path, body), tmp_path / "out", SerialRunner())
    assert time.time() - start < 30, "a hanging agent held up the run"
    rows = {r.name: r for r in summary.agents}
    assert summary.games == 8
    for name in ("sleeper", "spinner", "crasher2"):
        assert rows[name].errors > 0, name
        assert rows[name].forfeits == rows[name].errors
    assert rows["balanced"].errors == 0 and rows["balanced"].wins > 0
    with Store(tmp_path / "out" / "results.sqlite") as store:
        kinds = {e["type"] for rec in store.records() for e in rec.errors}
    assert {"AgentTimeout", "ValueError"} <= kinds


def test_quick_example_spec_is_valid():
    t = load_tournament(ROOT / "tournaments" / "examples" / "quick.toml")
    assert t.format == "round_robin" and len(t.agents) >= 4


@pytest.mark.parametrize("spec", sorted((ROOT / "tournaments").glob("**/*.toml")),
                         ids=lambda p: p.relative_to(ROOT / "tournaments").as_posix())
def test_shipped_specs_are_valid(spec):
    assert load_tournament(spec).agents


def test_ray_backend_on_a_local_cluster_gives_the_processes_summary(tmp_path):
    pytest.importorskip("ray")
    path = write_spec(tmp_path, small(deals=5))
    res = arena("tournament", str(path), "--out", str(tmp_path / "ray"), "--backend", "ray",
                "--workers", "2", "--no-progress")
    assert res.returncode == 0, res.stderr
    res = arena("tournament", str(path), "--out", str(tmp_path / "procs"), "--no-progress")
    assert res.returncode == 0, res.stderr
    assert summary_of(tmp_path / "ray") == summary_of(tmp_path / "procs")


class Dier(Agent):
    """Kills its own worker process outright (as the OOM killer would)."""

    name = "dier"

    def act(self, view, legal):
        os._exit(1)


register_agent("dier", Dier)


def test_a_dead_worker_stops_the_run_with_an_error_not_a_hang(tmp_path):
    from arena.core.errors import ArenaError

    agents = ('[[agents]]\nspec = "dier"\n[[agents]]\nspec = "aggressive"\n'
              '[[agents]]\nspec = "balanced"\n[[agents]]\nspec = "conservative"\n')
    path = write_spec(tmp_path, small(deals=2, agents=agents))
    start = time.time()
    with pytest.raises(ArenaError, match="worker process died"):
        run_in_process(path, tmp_path / "out", ProcessRunner(2))
    assert time.time() - start < 60
