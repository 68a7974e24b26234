"""Every registered OpenSpiel game, played to the end by random arena agents.

The full sweep is marked ``slow``; a fast subset (small games of every kind: chance,
imperfect information, simultaneous moves, many players) runs by default. Games that cannot
be played are listed with the reason in ``KNOWN``; a game failing for any other reason, or
a listed game that starts to work, fails the sweep so the list stays true.
"""

from __future__ import annotations

import signal

import pytest

pyspiel = pytest.importorskip("pyspiel")

from arena.play.match import GameJob, play  # noqa: E402
from arena.core.registry import make_game, provided_game_names  # noqa: E402

MOVE_CAP = 20_000
SECONDS = 20

KNOWN: dict[str, str] = {}

FAST = ["tic_tac_toe", "kuhn_poker", "leduc_poker", "liars_dice", "goofspiel", "matrix_rps",
        "blotto", "oshi_zumo", "pig", "phantom_ttt", "dark_hex", "hearts", "tiny_bridge_2p",
        "first_sealed_auction", "nim", "catch", "crazy_eights", "mancala"]


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def play_random(name: str, seed: int = 1) -> tuple[str, str]:
    """('ok' | 'capped' | 'error', detail) for one random game of ``name``."""
    game = make_game(name)
    n = game.num_players
    job = GameJob(f"all/{name}", name, None, tuple(["random"] * n),
                  tuple(f"random{i}" for i in range(n)), seed)
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(SECONDS)
    try:
        rec = play(job, game)
    except _Timeout:
        return "capped", f"not finished in {SECONDS} s"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    if rec.errors:
        return "error", rec.errors[0]["message"]
    if len(rec.returns) != n:
        return "error", "wrong number of returns"
    return "ok", f"{len(rec.actions)} moves"


def all_names() -> list[str]:
    return sorted(provided_game_names().get("openspiel", []))


def test_the_provider_offers_the_registered_games():
    names = set(all_names())
    assert {"tic_tac_toe", "chess", "go", "backgammon", "hanabi"} <= names
    assert not {n for n in names if n.startswith("mfg_")}, "mean-field games are not playable"


@pytest.mark.parametrize("name", FAST)
def test_fast_subset_plays_to_the_end(name):
    status, detail = play_random(name)
    assert status == "ok", f"{name}: {detail}"


@pytest.mark.slow
def test_every_openspiel_game_plays_to_the_end():
    failures, unexpected_ok = {}, []
    for name in all_names():
        try:
            status, detail = play_random(name)
        except Exception as exc:  # noqa: BLE001 - collected and reported below
            status, detail = "error", f"{type(exc).__name__}: {exc}"
        if status == "error" and name not in KNOWN:
            failures[name] = detail
        if status == "ok" and name in KNOWN:
            unexpected_ok.append(name)
    assert not failures, "games that failed:\n" + "\n".join(
        f"  {n}: {d}" for n, d in sorted(failures.items()))
    assert not unexpected_ok, f"listed as failing but now play: {unexpected_ok}"


@pytest.mark.parametrize("name", ["negotiation", "tarok", "bridge_uncontested_bidding"])
def test_games_with_their_own_generator_repeat_from_the_job_seed(name):
    """Sampled-stochastic games draw chance inside the game object: seeded per job."""
    game = make_game(name)
    n = game.num_players
    job = GameJob(f"det/{name}", name, None, tuple(["random"] * n),
                  tuple(f"r{i}" for i in range(n)), 7)
    first, second = play(job, game), play(job, game)
    assert first.deterministic() == second.deterministic()
