"""Bring your own agent: ``path/to/file.py:Class`` and ``module:Class`` specs, in matches,
tournaments (processes, spawned workers, Ray) and the public API they are written against."""

from __future__ import annotations

import json
import multiprocessing
import shutil
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

import arena
from arena.core.errors import ArenaError, ParamError, SpecError
from arena.core.registry import agent_class, make_agent, make_game
from arena.core.spec import Spec, absolute, parse_spec, parse_spec_list
from arena.play.match import match_jobs
from arena.stats.summary import deterministic_part
from tournaments.runners import _play_batch
from tournaments.spec import load_tournament

ROOT = Path(__file__).resolve().parents[1]
MY_BOT = ROOT / "examples" / "agents" / "my_bot.py"
CRASHER = ROOT / "examples" / "agents" / "jack_crasher.py"


def run_arena(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "arena.cli", *args], capture_output=True,
                          text=True, timeout=300, cwd=cwd)


# -- the public API ---------------------------------------------------------------------------

def test_public_api_is_importable_from_arena():
    from arena import (Agent, Game, SeatView, State, make_agent, make_game, play,  # noqa: F401
                       register_agent, register_game, run_match)

    from arena.core import agent, game, registry
    from arena.play import match

    assert (Agent, SeatView) == (agent.Agent, agent.SeatView)
    assert (Game, State) == (game.Game, game.State)
    assert (make_game, make_agent) == (registry.make_game, registry.make_agent)
    assert (register_agent, register_game) == (registry.register_agent, registry.register_game)
    assert (play, run_match) == (match.play, match.run_match)
    documented = {"Agent", "SeatView", "Game", "State", "make_game", "make_agent",
                  "register_agent", "register_game", "play", "run_match", "param",
                  "ArenaError"}
    assert documented <= set(arena.__all__)
    assert all(hasattr(arena, name) for name in arena.__all__)


def test_the_example_agent_uses_only_the_public_api():
    imports = [line for line in MY_BOT.read_text().splitlines()
               if line.startswith(("import ", "from "))]
    assert imports == ["from dataclasses import dataclass", "from arena import Agent, param"]


# -- specs ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text,name,params", [
    ("./my_bot.py:MyBot(depth=2)", "./my_bot.py:MyBot", {"depth": "2"}),
    ("/abs/bots/b.py:Bot", "/abs/bots/b.py:Bot", {}),
    ("pkg.mod:Outer.Inner(a=1,b='x,y')", "pkg.mod:Outer.Inner", {"a": "1", "b": "x,y"}),
    ('"my bots/(v2).py:Bot"(k=1)', "my bots/(v2).py:Bot", {"k": "1"}),
])
def test_reference_specs_parse_and_round_trip(text, name, params):
    spec = parse_spec(text)
    assert (spec.name, spec.kwargs) == (name, params)
    assert parse_spec(str(spec)) == spec
    assert spec.reference is not None and str(spec.reference) == name


def test_reference_specs_in_a_list():
    specs = parse_spec_list("./my_bot.py:MyBot(depth=2),cfr,pkg.m:C")
    assert [s.name for s in specs] == ["./my_bot.py:MyBot", "cfr", "pkg.m:C"]
    assert [s.reference.is_file if s.reference else None for s in specs] == [True, None, False]


@pytest.mark.parametrize("text", ["x.py:", ":Bot", "x.py:1Bot", "x.py:Bot)b", "x.py:Bot(",
                                  "'x.py:Bot", "'bad name'"])
def test_bad_reference_specs_are_refused(text):
    with pytest.raises(SpecError):
        parse_spec_list(text)


def test_absolute_resolves_files_from_a_base_and_leaves_the_rest(tmp_path):
    assert absolute("bots/b.py:Bot(k=1)", tmp_path) == Spec(f"{tmp_path}/bots/b.py:Bot",
                                                             (("k", "1"),))
    assert absolute("/x/b.py:Bot", tmp_path).name == "/x/b.py:Bot"
    assert absolute("pkg.mod:Bot", tmp_path) == parse_spec("pkg.mod:Bot")
    assert absolute("cfr(iterations=3)", tmp_path) == parse_spec("cfr(iterations=3)")


# -- loading --------------------------------------------------------------------------------

def test_a_file_loads_once_under_a_name_from_its_absolute_path(monkeypatch):
    monkeypatch.chdir(ROOT)
    relative = agent_class("examples/agents/my_bot.py:MyBot")
    assert agent_class(f"{MY_BOT}:MyBot") is relative
    assert agent_class("./examples/agents/../agents/my_bot.py:MyBot") is relative
    assert relative.__module__.startswith("arena_agent_file_")
    assert sys.modules[relative.__module__].__file__ == str(MY_BOT)
    game = make_game("kuhn_poker")
    bot = make_agent("examples/agents/my_bot.py:MyBot(explore=0.5)", game)
    assert isinstance(bot, arena.Agent) and bot.params.explore == 0.5
    with pytest.raises(ParamError, match="explore='lots' is not a number"):
        make_agent("examples/agents/my_bot.py:MyBot(explore=lots)", game)
    with pytest.raises(ParamError, match="depth"):
        make_agent("examples/agents/my_bot.py:MyBot(depth=2)", game)


def test_a_module_reference_loads_an_importable_class():
    cls = agent_class("agents.random:RandomAgent")
    from agents.random import RandomAgent

    assert cls is RandomAgent


def test_the_jack_crasher_forfeits_exactly_when_it_holds_the_jack():
    jobs = match_jobs("kuhn_poker", None, [f"{CRASHER}:JackCrasher", "random"], 60, 7)
    records = _play_batch(jobs)
    forfeits = [r for r in records if r.forfeit is not None]
    assert 5 < len(forfeits) < 40
    for rec in forfeits:
        assert rec.agents[rec.forfeit].endswith("jack_crasher.py:JackCrasher")
        assert [e["type"] for e in rec.errors] == ["RuntimeError"]
    with pytest.raises(ArenaError, match="plays only kuhn_poker"):
        make_agent(f"{CRASHER}:JackCrasher", make_game("leduc_poker"))


def test_spawned_workers_load_the_file_from_its_absolute_path(tmp_path):
    """A worker started fresh (spawn: no memory of the parent's imports) loads the file."""
    bots = tmp_path / "bots"
    bots.mkdir()
    shutil.copy(MY_BOT, bots / "my_bot.py")
    spec = str(absolute("bots/my_bot.py:MyBot(explore=0.3)", tmp_path))
    jobs = match_jobs("kuhn_poker", None, [spec, "random"], 8, 1,
                      labels=["bots/my_bot.py:MyBot(explore=0.3)", "random"])
    here = _play_batch(jobs)
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=ctx) as pool:
        there = pool.submit(_play_batch, jobs).result(timeout=120)
    assert [r.deterministic() for r in there] == [r.deterministic() for r in here]
    assert there[0].labels[0] == "bots/my_bot.py:MyBot(explore=0.3)"


# -- the command ----------------------------------------------------------------------------

def test_cli_match_with_a_file_agent(tmp_path):
    out = tmp_path / "m.json"
    res = run_arena("match", "kuhn_poker", "--agents", "examples/agents/my_bot.py:MyBot,random",
                    "--games", "20", "--no-progress", "--json", str(out))
    assert res.returncode == 0, res.stderr
    data = json.loads(out.read_text())
    assert [a["name"] for a in data["agents"]] == ["examples/agents/my_bot.py:MyBot", "random"]
    assert all(a["games"] == 20 for a in data["agents"])
    assert "examples/agents/my_bot.py:MyBot" in res.stdout
    # Parameters typed through the class's Params, from another folder by absolute path.
    res = run_arena("match", "kuhn_poker", "--agents", f"{MY_BOT}:MyBot(explore=0.5),cfr",
                    "--games", "4", "--no-progress", cwd=tmp_path)
    assert res.returncode == 0, res.stderr


BROKEN = {
    "raises.py": "import math\nraise ValueError('no config\\nhere')\n",
    "syntax.py": "def broken(:\n    pass\n",
    "exits.py": "import sys\nsys.exit(3)\n",
    "plain.py": ("from arena import Agent\n\nclass Good(Agent):\n    pass\n\n"
                 "class NotAgent:\n    pass\n\ndef helper():\n    pass\n"),
    "badparams.py": "from arena import Agent\n\nclass Bot(Agent):\n    class Params:\n        x = 1\n",
    "boom.py": ("from arena import Agent\n\nclass Boom(Agent):\n"
                "    def __init__(self, params, game):\n        raise KeyError('model.bin')\n"),
}


@pytest.mark.parametrize("agent,needle", [
    ("nope.py:Bot", "agent file nope.py not found (looked for {tmp}/nope.py)"),
    ("nope/:Bot", "agent file nope/ not found"),
    ("{tmp}:Bot", "is a folder, not a Python file"),
    ("no_such_pkg.mod:Bot", "agent module no_such_pkg.mod not found (install it or put its "
                            "folder on PYTHONPATH"),
    ("plain.py:Missing", "agent file plain.py has no class 'Missing'; Agent subclasses "
                         "there: Good"),
    ("plain.py:NotAgent", "plain.py:NotAgent is not an Agent subclass (a class not derived "
                          "from arena.Agent); Agent subclasses there: Good"),
    ("plain.py:helper", "plain.py:helper is not an Agent subclass (a function, not a class)"),
    ("json:JSONDecoder", "json:JSONDecoder is not an Agent subclass"),
    ("raises.py:Bot", "agent file raises.py raised on import: ValueError: no config here"),
    ("syntax.py:Bot", "agent file syntax.py raised on import: SyntaxError: "),
    ("exits.py:Bot", "agent file exits.py raised on import: SystemExit: 3"),
    ("badparams.py:Bot", "badparams.py:Bot: Params must be a dataclass"),
    ("boom.py:Boom", "agent boom.py:Boom failed to start: KeyError: 'model.bin'"),
    ("plain.py:Good(depth=2)", "agent plain.py:Good: unknown parameter"),
])
def test_cli_errors_are_one_line_exit_2_and_write_nothing(tmp_path, agent, needle):
    (tmp_path / "bots").mkdir()
    for name, text in BROKEN.items():
        (tmp_path / name).write_text(text)
    out = tmp_path / "out.json"
    agent = agent.replace("{tmp}", str(tmp_path))
    res = run_arena("match", "kuhn_poker", "--agents", f"{agent},random", "--games", "2",
                    "--no-progress", "--json", str(out), cwd=tmp_path)
    assert res.returncode == 2, res.stdout + res.stderr
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    assert lines[0].startswith("arena match: error: ")
    assert needle.replace("{tmp}", str(tmp_path)) in lines[0]
    assert not out.exists()


# -- tournaments ----------------------------------------------------------------------------

def kuhn_spec(agent: str, name: str = "byo") -> str:
    return (f'name = "{name}"\ngame = "kuhn_poker"\nseed = 2\ndeals = 12\n[stats]\n'
            f'bootstrap = 20\n[[agents]]\nspec = "{agent}"\n[[agents]]\nspec = "random"\n'
            '[[agents]]\nspec = "cfr(iterations=50)"\n')


def tournament_folder(tmp_path: Path) -> Path:
    spec_dir = tmp_path / "specs"
    (spec_dir / "bots").mkdir(parents=True)
    shutil.copy(MY_BOT, spec_dir / "bots" / "my_bot.py")
    (spec_dir / "t.toml").write_text(kuhn_spec("bots/my_bot.py:MyBot(explore=0.3)"))
    return spec_dir / "t.toml"


def test_tournament_paths_are_relative_to_the_spec_file_and_names_stay_as_written(
        tmp_path, monkeypatch):
    path = tournament_folder(tmp_path)
    monkeypatch.chdir(ROOT)  # not the spec's folder
    t = load_tournament(path)
    entrant = t.agents[0]
    assert entrant.name == "bots/my_bot.py:MyBot(explore=0.3)"
    assert entrant.spec == f"{path.parent}/bots/my_bot.py:MyBot(explore=0.3)"


def test_tournament_missing_file_names_the_spec_folder(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text(kuhn_spec("bots/gone.py:Bot"))
    out = tmp_path / "out"
    res = run_arena("tournament", str(path), "--out", str(out), "--no-progress")
    assert res.returncode == 2
    line = res.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert (f"agents[0].spec: agent file bots/gone.py not found (looked for "
            f"{tmp_path}/bots/gone.py; relative paths in a tournament spec are read from the "
            "spec file's folder)") in line
    assert not out.exists()


def test_tournament_with_a_file_agent_on_processes_and_ray(tmp_path):
    path = tournament_folder(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    res = run_arena("tournament", str(path), "--out", str(tmp_path / "procs"), "--workers",
                    "2", "--no-progress", cwd=elsewhere)
    assert res.returncode == 0, res.stderr
    procs = deterministic_part(json.loads((tmp_path / "procs" / "summary.json").read_text()))
    names = {a["name"] for a in procs["agents"]}
    assert names == {"bots/my_bot.py:MyBot(explore=0.3)", "random", "cfr(iterations=50)"}
    assert procs["games"] == 3 * 12 * 2
    pytest.importorskip("ray")
    res = run_arena("tournament", str(path), "--out", str(tmp_path / "ray"), "--backend", "ray",
                    "--workers", "2", "--no-progress", cwd=elsewhere)
    assert res.returncode == 0, res.stderr
    ray = deterministic_part(json.loads((tmp_path / "ray" / "summary.json").read_text()))
    assert ray == procs
