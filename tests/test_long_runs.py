"""Long runs that stay honest: versions on resume, stage names, the SPRT's reads, time
budgets for start/finish and on every runner, Ctrl-C, and workers started by ``spawn``."""

from __future__ import annotations

import json
import os
import shlex
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the fault agents are imported as tests.fault_agents
    sys.path.insert(0, str(ROOT))

from arena.play.match import GameJob, run_jobs  # noqa: E402
from arena.core.registry import make_agent, make_game  # noqa: E402
from arena.stats.summary import deterministic_part  # noqa: E402
from arena.store.sqlite import Store  # noqa: E402
from tests import fault_agents  # noqa: E402
from tournaments.run import TournamentRunner, open_store, tournament_summary  # noqa: E402
from tournaments.runners import ProcessRunner, SerialRunner  # noqa: E402
from tournaments.spec import load_tournament  # noqa: E402
from test_tournaments import run_in_process  # noqa: E402  (pytest puts tests/ on the path)

fault_agents.register()

STUDY5 = "".join(f'[[agents]]\nspec = "{s}"\n' for s in
                 ("aggressive", "conservative", "balanced", "opportunistic")) + \
    '[[agents]]\nspec = "study_random"\nfamily = "baseline"\n'


def spec_text(deals: int = 3, agents: str = STUDY5, fmt: str = "round_robin",
              extra: str = "", rules: str = "paper") -> str:
    return (f'name = "long"\ngame = "dhumbal"\nrules = "{rules}"\nseed = 5\ndeals = {deals}\n'
            f'format = "{fmt}"\n[stats]\nbootstrap = 20\n{extra}\n{agents}')


def write(tmp_path: Path, body: str, name: str = "t") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(body)
    return path


def arena(*args, **kw):
    return subprocess.run([sys.executable, "-m", "arena.cli", *args], capture_output=True,
                          text=True, timeout=600, cwd=ROOT, **kw)


# -- versions --------------------------------------------------------------------------

def _set_meta(db: Path, **values: str | None) -> None:
    with sqlite3.connect(db) as conn:
        for key, value in values.items():
            if value is None:
                conn.execute("DELETE FROM meta WHERE key = ?", (key,))
            else:
                conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))


def test_resume_refuses_a_store_of_another_version_unless_forced(tmp_path):
    path = write(tmp_path, spec_text(deals=2))
    out = tmp_path / "out"
    db = out / "results.sqlite"
    res = arena("tournament", str(path), "--out", str(out), "--backend", "serial",
                "--no-progress")
    assert res.returncode == 0, res.stderr
    versions = json.loads((out / "summary.json").read_text())["versions"]
    assert versions["arena"] and len(versions["code"]) == 12
    with Store(db) as store:
        games = store.count()
        store.conn.execute("DELETE FROM games WHERE seq >= 10")
    # Another arena version (a store from before versions were kept: arena's only).
    _set_meta(db, versions=None, arena_version="0.0.1")
    res = arena("tournament", str(path), "--out", str(out), "--resume", "--backend", "serial")
    assert res.returncode == 2
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert "arena 0.0.1" in res.stderr and f"arena {versions['arena']}" in res.stderr
    assert "--force-resume" in res.stderr
    # Other game/agent code, same arena.
    _set_meta(db, versions=json.dumps({**versions, "code": "0123456789ab"}),
              arena_version=versions["arena"])
    res = arena("tournament", str(path), "--out", str(out), "--resume", "--backend", "serial")
    assert res.returncode == 2 and "code 0123456789ab" in res.stderr, res.stderr
    with Store(db) as store:
        assert store.count() == 10, "a refused resume wrote games"
    res = arena("tournament", str(path), "--out", str(out), "--force-resume", "--backend",
                "serial", "--no-progress")
    assert res.returncode == 0, res.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["games"] == games
    assert summary["versions"]["code"] == "0123456789ab"
    mixed = summary["versions"]["mixed_in"]
    assert len(mixed) == 1 and mixed[0]["arena"] == versions["arena"], mixed


# -- stage names ---------------------------------------------------------------------------

def test_a_group_name_with_a_slash_files_its_games_under_its_own_stage(tmp_path):
    agents = STUDY5 + '[[agents]]\nspec = "random"\nfamily = "baseline"\n'
    extra = ('[championship]\nadvance = 2\nfinal_deals = 2\n[championship.groups]\n'
             '"top/tier" = ["aggressive", "conservative", "balanced", "opportunistic"]\n'
             '"t0" = ["study_random", "random"]\n')
    path = write(tmp_path, spec_text(deals=6, agents=agents, fmt="championship", extra=extra))
    summary = run_in_process(path, tmp_path / "out", SerialRunner())
    assert set(summary.stages) == {"group-top/tier", "final"}
    members = ["aggressive", "conservative", "balanced", "opportunistic"]
    with Store(tmp_path / "out" / "results.sqlite") as store:
        assert store.count("group-top/tier") == 6 * 4
        assert set(store.stages()) == {"group-top/tier", "final"}
        records = store.records("group-top/tier")
    # The group's own games decide who advances (by the leaderboard key: Elo, then win rate).
    from arena.stats.summary import standings

    advanced = summary.notes["advanced"]["top/tier"]
    assert advanced == standings(records, members, "win_rate")[:2]
    res = arena("report", str(tmp_path / "out"))
    assert res.returncode == 0, res.stderr
    stages = {line.split(",")[1] for line in
              (tmp_path / "out" / "games.csv").read_text().splitlines()[1:]}
    assert stages == {"group-top/tier", "final"}


# -- SPRT --------------------------------------------------------------------------------

def test_the_sprt_reads_each_stored_game_once_not_the_whole_store_at_each_look(
        tmp_path, monkeypatch):
    # Two equal agents: the test goes on to max_deals, looking after every deal.
    agents = ('[[agents]]\nspec = "study_random"\nname = "a"\n'
              '[[agents]]\nspec = "study_random"\nname = "b"\n')
    body = spec_text(fmt="sprt", agents=agents, rules="standard",
                     extra="[sprt]\nelo0 = 0\nelo1 = 5\nbatch = 1\nmax_deals = 40")
    t = load_tournament(write(tmp_path, body))
    read = [0]
    original = Store.records

    def counting(self, *args, **kw):
        out = original(self, *args, **kw)
        read[0] += len(out)
        return out

    monkeypatch.setattr(Store, "records", counting)
    store = open_store(t, tmp_path / "out", resume=False)
    TournamentRunner(t, store, SerialRunner()).run()
    played = store.count()
    assert played > 20 * 4, "the test should not have stopped this early"
    assert read[0] <= played, f"{read[0]} records read for {played} games"
    decision = tournament_summary(t, store).notes["sprt"]
    store.close()
    # A resumed run (every game stored) reads each game once too, and stops the same way.
    read[0] = 0
    store = open_store(t, tmp_path / "out", resume=True)
    TournamentRunner(t, store, SerialRunner()).run()
    assert read[0] <= played and store.count() == played
    assert tournament_summary(t, store).notes["sprt"] == decision
    store.close()


# -- time budgets and faults on every runner ---------------------------------------------

FAULTY = ('[[agents]]\nspec = "fragile"\n[[agents]]\nspec = "raiser"\n'
          '[[agents]]\nspec = "hang_finish"\n[[agents]]\nspec = "balanced"\n')


def check_faults(out: Path, deals: int) -> None:
    with Store(out / "results.sqlite") as store:
        records = store.records()
    assert len(records) == deals * 4
    errors: dict[str, list[dict]] = {}
    for rec in records:
        for e in rec.errors:
            errors.setdefault(e["agent"], []).append(e)
    fragile = errors["fragile"]
    # Interrupted mid-move, it is built anew: every game it moved in, it timed out again
    # (a reused object raises "reused after an interrupted move").
    assert fragile and {e["type"] for e in fragile} == {"AgentTimeout"}, fragile
    assert {e["type"] for e in errors["raiser"]} == {"ValueError"}
    finish = errors["hang_finish"]
    assert len(finish) == len(records) and {e["type"] for e in finish} == {"AgentTimeout"}
    assert "balanced" not in errors
    for rec in records:
        seat = rec.labels.index("hang_finish")
        assert rec.forfeit != seat, "a slow finish does not forfeit the game"


def test_start_and_finish_are_under_the_time_budget(tmp_path):
    agents = ('[[agents]]\nspec = "hang_start"\n[[agents]]\nspec = "hang_finish"\n'
              '[[agents]]\nspec = "balanced"\n[[agents]]\nspec = "aggressive"\n')
    path = write(tmp_path, spec_text(deals=1, agents=agents,
                                     extra="[budgets]\ntime_per_move = 0.2"))
    begin = time.time()
    run_in_process(path, tmp_path / "out", SerialRunner())
    assert time.time() - begin < 6, "start or finish ran past the budget"
    with Store(tmp_path / "out" / "results.sqlite") as store:
        records = store.records()
    for rec in records:
        by_agent = {e["agent"]: e for e in rec.errors}
        assert by_agent["hang_start"]["type"] == "AgentTimeout"
        assert by_agent["hang_start"]["move"] == 0
        assert rec.forfeit == rec.labels.index("hang_start")
        assert by_agent["hang_finish"]["type"] == "AgentTimeout"


@pytest.mark.parametrize("runner", ["serial", "fork", "spawn"])
def test_hanging_and_raising_agents_on_each_runner(tmp_path, runner):
    deals = 2
    path = write(tmp_path, spec_text(deals=deals, agents=FAULTY,
                                     extra="[budgets]\ntime_per_move = 0.25"))
    begin = time.time()
    run_in_process(path, tmp_path / "out",
                   SerialRunner() if runner == "serial" else ProcessRunner(2, runner))
    assert time.time() - begin < 30
    check_faults(tmp_path / "out", deals)


def test_hanging_and_raising_agents_on_ray(tmp_path, monkeypatch):
    pytest.importorskip("ray")
    from tournaments.runners import RayRunner

    monkeypatch.chdir(ROOT)  # local Ray workers import from the driver's folder
    deals = 2
    path = write(tmp_path, spec_text(deals=deals, agents=FAULTY,
                                     extra="[budgets]\ntime_per_move = 0.25"))
    run_in_process(path, tmp_path / "out", RayRunner(2))
    check_faults(tmp_path / "out", deals)


def test_run_jobs_builds_an_interrupted_agent_anew():
    game = make_game("dhumbal", "paper")
    specs = ("fragile", "balanced", "aggressive", "conservative")
    agents = {s: make_agent(s, game) for s in specs}
    jobs = [GameJob(job_id=f"m/d{i}/r0", game="dhumbal", rules="paper", agents=specs,
                    labels=specs, seed=i, time_per_move=0.2) for i in range(3)]
    records = list(run_jobs(jobs, game, agents))
    types = [e["type"] for rec in records for e in rec.errors]
    assert types == ["AgentTimeout"] * 3, types


# -- spawn -------------------------------------------------------------------------------

def test_processes_under_spawn_give_the_serial_result(tmp_path):
    path = write(tmp_path, spec_text(deals=3))
    a = run_in_process(path, tmp_path / "serial", SerialRunner())
    runner = ProcessRunner(2, "spawn")
    assert runner.start_method == "spawn"
    b = run_in_process(path, tmp_path / "spawn", runner)
    assert deterministic_part(a) == deterministic_part(b) and a.games == 5 * 3 * 4


# -- Ctrl-C ------------------------------------------------------------------------------

def _default_sigint() -> None:
    # A shell ignores SIGINT in background jobs and children inherit that: undo it, as a
    # terminal's foreground job would have it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("backend", ["processes", "serial"])
def test_ctrl_c_says_how_many_games_are_stored_and_how_to_resume(tmp_path, backend):
    path = write(tmp_path, spec_text(deals=100))
    total = 5 * 100 * 4
    out = tmp_path / "out"
    args = ["tournament", str(path), "--out", str(out), "--no-progress"]
    if backend == "processes":
        args += ["--workers", "2", "--start-method", "spawn"]
    else:
        args += ["--backend", "serial"]
    proc = subprocess.Popen([sys.executable, "-m", "arena.cli", *args], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=_default_sigint)
    db = out / "results.sqlite"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with sqlite3.connect(db, timeout=5) as conn:
                if conn.execute("SELECT COUNT(*) FROM games").fetchone()[0] >= 100:
                    break
        except sqlite3.OperationalError:
            pass
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    last = stderr.strip().splitlines()[-1]
    with Store(db) as store:
        stored = store.count()
    assert 100 <= stored < total
    assert last.startswith(f"interrupted: {stored:,} of {total:,} games stored in {out}; "
                           "resume with: arena tournament "), last
    command = shlex.split(last.split("resume with: ", 1)[1])
    assert command[:2] == ["arena", "tournament"] and "--resume" in command
    res = arena(*command[1:])
    assert res.returncode == 0, res.stderr
    with Store(db) as store:
        assert store.count() == total
