"""The worked example game (examples/games/nim.py) against known truth, and the protocol
seams it shows: a game named by a file spec, named once, ``return_bounds`` required,
``determinize`` required only where there is hidden information."""

from __future__ import annotations

import functools
import json
import operator
import random
import subprocess
import sys
from pathlib import Path

import pytest

from arena import Agent, Game, GameInfo, IllegalActionError, State, TERMINAL
from arena.core import registry
from arena.core.registry import game_class, make_game, register_game
from arena.play.match import run_match
from arena.testing import check_game
from tournaments.spec import load_tournament

ROOT = Path(__file__).resolve().parents[1]
NIM_FILE = ROOT / "examples" / "games" / "nim.py"
NIM = "examples/games/nim.py:Nim"


def nim(heaps: str = "3,4,5", misere: bool = False) -> Game:
    return make_game(f"{NIM_FILE}:Nim(heaps='{heaps}',misere={str(misere).lower()})")


def name(game: Game, action_name: str) -> int:
    return game.action_from_name(action_name)


def play_names(game: Game, *moves: str) -> State:
    state = game.new_state(0)
    for move in moves:
        state.apply(name(game, move))
    return state


def run_arena(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "arena.cli", *args], capture_output=True,
                          text=True, timeout=300, cwd=cwd)


# -- the example as written -------------------------------------------------------------------

def test_the_example_is_short_and_uses_only_the_public_api():
    lines = NIM_FILE.read_text().splitlines()
    assert len(lines) < 150
    arena_imports = [x for x in lines if x.startswith(("import arena", "from arena"))]
    assert arena_imports and all(x.startswith("from arena import ") for x in arena_imports)


@pytest.mark.parametrize("spec,preset", [(NIM, None), (NIM, "marienbad"),
                                         (f"{NIM}(heaps='1,2',misere=true)", None)])
def test_the_example_passes_check_game(spec, preset):
    check_game(spec, preset=preset, seeds=12)


def test_a_file_game_loads_once_and_is_named_by_its_info(monkeypatch):
    monkeypatch.chdir(ROOT)
    cls = game_class(NIM)
    assert game_class(f"{NIM_FILE}:Nim") is cls and issubclass(cls, Game)
    assert cls.name == cls.info.name == "nim"
    game = make_game(NIM)
    assert (game.preset, game.settings()) == ("classic", {"heaps": "3,4,5", "misere": False})
    assert make_game(NIM, "marienbad").settings() == {"heaps": "1,3,5,7", "misere": True}


# -- the rules against known truth ------------------------------------------------------------

def test_hand_built_positions():
    game = nim("3,4,5")
    assert game.num_actions == 15 and game.action_name(6) == "take 2 from heap 2"
    state = play_names(game, "take 3 from heap 1", "take 4 from heap 2")
    assert state.current_player == 0 and state.legal_actions() == [10, 11, 12, 13, 14]
    with pytest.raises(IllegalActionError):
        state.apply(name(game, "take 1 from heap 1"))  # heap 1 is empty
    assert "heap 1: - (0)" in state.text(1) and "Waiting for player 0." in state.text(1)
    obs = state.observation(0)
    assert (obs.heaps, obs.to_move, obs.legal) == ((0, 0, 5), 0, (10, 11, 12, 13, 14))
    assert state.observation(1).legal == ()
    assert state.encode(0).tolist() == [0.0] * 10 + [1.0] * 5 + [1.0]
    assert state.encode(1)[-1] == 0.0
    state.apply(name(game, "take 5 from heap 3"))  # player 0 takes the last counter
    assert state.current_player == TERMINAL and state.returns() == (1.0, -1.0)
    assert state.outcome().winners == (0,) and "player 0 won" in state.text(1)
    misere = play_names(nim("3,4,5", misere=True), "take 3 from heap 1", "take 4 from heap 2",
                        "take 5 from heap 3")
    assert misere.returns() == (-1.0, 1.0)  # misère: taking the last counter loses


def test_metrics_count_won_positions_kept():
    game = nim("1,2")  # xor 3: player 0 is to move in a won position
    state = play_names(game, "take 2 from heap 2")  # a blunder: 1,0 (player 1 wins)
    state.apply(name(game, "take 1 from heap 1"))
    assert state.metrics() == {"kept": [0, 1], "won": [1, 1]}
    state = play_names(game, "take 1 from heap 2", "take 1 from heap 1", "take 1 from heap 2")
    assert state.metrics() == {"kept": [2, 0], "won": [2, 0]}


def _wins(state: State, memo: dict) -> bool:
    """Whether the seat to move wins with perfect play, by exhaustive search over the game's
    own moves and returns (no theory)."""
    key = tuple(state.observation(0).heaps)
    if key not in memo:
        mover, memo[key] = state.current_player, False
        for a in state.legal_actions():
            child = state.clone()
            child.apply(a)
            if child.returns()[mover] > 0 if child.is_terminal else not _wins(child, memo):
                memo[key] = True
                break
    return memo[key]


def _xor(heaps) -> int:
    return functools.reduce(operator.xor, heaps, 0)


@pytest.mark.parametrize("misere", [False, True])
def test_bouton_theorem_by_exhaustive_search(misere):
    """The seat to move wins iff the xor is non-zero (misère: the same unless every heap
    holds at most one counter, then iff their number is even), for every position of up
    to three heaps of up to four counters."""
    for heaps in {tuple(sorted((a, b, c))) for a in range(1, 5) for b in range(1, 5)
                  for c in range(1, 5)}:
        game = nim(",".join(map(str, heaps)), misere)
        theory = (sum(heaps) % 2 == 0) if misere and max(heaps) <= 1 else _xor(heaps) != 0
        assert _wins(game.new_state(0), {}) == theory, heaps


class Perfect(Agent):
    """Plays by Bouton's theorem (normal play): leaves a xor of zero where it can."""

    def act(self, view, legal):
        heaps, w = view.observation().heaps, self.game.width
        for a in legal:
            if _xor([n - (a % w + 1) * (h == a // w) for h, n in enumerate(heaps)]) == 0:
                return a
        return self.rng.choice(legal)


@pytest.mark.parametrize("heaps,winner", [("3,4,5", 0), ("1,2,3", 1), ("2,5,6", 0),
                                          ("4,4", 1)])
def test_a_perfect_player_never_loses_from_a_won_seat(monkeypatch, heaps, winner):
    """The first player wins iff the xor is non-zero: a perfect player in the winning seat
    beats random play, and beats itself, every time."""
    assert (_xor(map(int, heaps.split(","))) != 0) == (winner == 0)
    monkeypatch.setitem(registry._added[registry.AGENT_GROUP], "nim_perfect", Perfect)
    game = nim(heaps)
    specs = ["random", "random"]
    specs[winner] = "nim_perfect"
    for table in (specs, ["nim_perfect", "nim_perfect"]):
        _, stream = run_match(game, table, 30, 1, "fixed", f"{NIM}(heaps='{heaps}')")
        records = list(stream)
        assert all(r.returns[winner] == 1.0 for r in records), table


def test_mcts_plays_it_and_wins_small_won_positions():
    """``mcts`` needs nothing but the protocol (determinize is the base class's copy). With
    random playouts Nim is hard for it from 3,4,5; from small won positions it wins."""
    for heaps in ("1,2", "1,2,4", "2,3"):
        game = nim(heaps)
        _, stream = run_match(game, ["mcts(iterations=1000)", "random"], 6, 3, "fixed",
                              f"{NIM}(heaps='{heaps}')")
        assert all(r.returns == [1.0, -1.0] for r in stream), heaps


# -- the command and tournaments --------------------------------------------------------------

def test_cli_match_with_a_file_game(tmp_path):
    out = tmp_path / "m.json"
    res = run_arena("match", NIM, "--agents", "random,mcts(iterations=200)", "--games", "4",
                    "--no-progress", "--json", str(out))
    assert res.returncode == 0, res.stderr
    data = json.loads(out.read_text())
    assert data["game"] == NIM and data["rules"] == "classic"
    assert sum(a["games"] for a in data["agents"]) == 8
    assert "kept wins" in res.stdout


GAMES_BROKEN = {
    "plain.py": "from arena import Game\n\nclass NotGame:\n    pass\n",
    "raises.py": "raise ValueError('no rules here')\n",
    "nobounds.py": (NIM_FILE.read_text().replace("    def return_bounds(", "    def _unused(")),
}


@pytest.mark.parametrize("spec,needle", [
    ("nope.py:Nim", "game file nope.py not found (looked for {tmp}/nope.py)"),
    ("plain.py:NotGame", "plain.py:NotGame is not a Game subclass (a class not derived from "
                         "arena.Game)"),
    ("plain.py:Missing", "game file plain.py has no class 'Missing'; Game subclasses there: "
                         "(none)"),
    ("raises.py:G", "game file raises.py raised on import: ValueError: no rules here"),
    ("nobounds.py:Nim", "nobounds.py:Nim: define return_bounds()"),
    ("{nim}(heaps=0)", "heaps='0': expected 1-8 sizes of 1-15"),
    ("{nim}(size=3)", "unknown parameter 'size'; valid: heaps, misere"),
])
def test_cli_game_file_errors_are_one_line_exit_2(tmp_path, spec, needle):
    for file, text in GAMES_BROKEN.items():
        (tmp_path / file).write_text(text)
    spec = spec.replace("{nim}", str(NIM_FILE) + ":Nim")
    res = run_arena("match", spec, "--agents", "random,random", "--games", "2",
                    "--no-progress", cwd=tmp_path)
    assert res.returncode == 2, res.stdout + res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    assert needle.replace("{tmp}", str(tmp_path)) in lines[0], lines[0]


def test_tournament_game_file_is_relative_to_the_spec_file(tmp_path, monkeypatch):
    spec_dir = tmp_path / "specs"
    (spec_dir / "games").mkdir(parents=True)
    (spec_dir / "games" / "nim.py").write_text(NIM_FILE.read_text())
    (spec_dir / "t.toml").write_text(
        'game = "games/nim.py:Nim(heaps=\'1,2,3\')"\ndeals = 3\n[stats]\nbootstrap = 0\n'
        '[[agents]]\nspec = "random"\n[[agents]]\nspec = "mcts(iterations=50)"\n')
    monkeypatch.chdir(ROOT)
    t = load_tournament(spec_dir / "t.toml")
    assert t.game == f"{spec_dir.resolve()}/games/nim.py:Nim(heaps=\"1,2,3\")"
    out = tmp_path / "out"
    res = run_arena("tournament", str(spec_dir / "t.toml"), "--out", str(out), "--workers", "2",
                    "--no-progress", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert json.loads((out / "summary.json").read_text())["games"] == 6


# -- the protocol seams -----------------------------------------------------------------------

def _tiny_game(perfect: bool, bounds: bool = True) -> Game:
    """A one-move game: seat 0 picks 0 or 1 and wins with 1."""

    class TinyState(State):
        def __init__(self, game):
            self.game, self.current_player, self.pick = game, 0, -1

        def legal_actions(self):
            return [0, 1] if self.current_player == 0 else []

        def _apply(self, action):
            self.pick, self.current_player = action, TERMINAL

        def observation(self, seat):
            return self.pick

        def text(self, seat):
            return f"pick {self.pick}"

        def encode(self, seat):
            import numpy as np

            return np.zeros(1, dtype=np.float32)

        def clone(self):
            other = TinyState(self.game)
            other.pick, other.current_player = self.pick, self.current_player
            return other

        def returns(self):
            return (1.0, -1.0) if self.pick == 1 else (-1.0, 1.0)


    class Tiny(Game):
        info = GameInfo("tiny_pick", "a test", 2, 2, perfect, False)
        num_players, num_actions, encoding_shape = 2, 2, (1,)

        def new_state(self, seed):
            return TinyState(self)

        def action_name(self, action):
            if action not in (0, 1):
                raise ValueError(action)
            return f"pick {action}"

        if bounds:
            def return_bounds(self):
                return (-1.0, 1.0)

    return Tiny()


def test_a_game_is_named_once_in_its_info():
    game = _tiny_game(True)
    assert type(game).name == game.name == "tiny_pick"
    with pytest.raises(TypeError, match="name 'other' differs from info.name 'x'"):
        type("Renamed", (Game,), {"name": "other", "info": GameInfo("x", "", 2, 2, True,
                                                                    False)})
    for entry in registry._entry_points(registry.GAME_GROUP):
        assert game_class(entry).name == entry, "an entry point's name is its game's name"


def test_perfect_information_games_need_no_determinize():
    game = _tiny_game(True)
    state = game.new_state(0)
    copy = state.determinize(0, random.Random(1))
    assert copy is not state and copy.text(0) == state.text(0)
    copy.apply(1)
    assert not state.is_terminal  # a copy: playing on it leaves the real state alone
    check_game(game, envs=False)


def test_hidden_information_games_must_determinize():
    game = _tiny_game(False)
    with pytest.raises(NotImplementedError, match="does not implement determinize"):
        game.new_state(0).determinize(0, random.Random(1))
    with pytest.raises(AssertionError, match="does not implement determinize"):
        check_game(game, envs=False)
    check_game(game, envs=False, determinize=False)


def test_return_bounds_are_required():
    game = _tiny_game(True, bounds=False)
    with pytest.raises(AssertionError, match="return_bounds\\(\\) is not implemented"):
        check_game(game, envs=False)
    register_game("tiny_no_bounds", type(game))
    try:
        with pytest.raises(NotImplementedError, match="a forfeit cannot be scored"):
            make_game("tiny_no_bounds").return_bounds()
    finally:
        registry._added[registry.GAME_GROUP].pop("tiny_no_bounds")
        make_game.cache_clear()
