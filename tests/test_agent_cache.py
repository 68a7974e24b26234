"""The agent cache: agents kept across games of one configuration, a seat's own object in
each game, rebuilt after a timeout, the same everywhere games are played (``run_jobs``,
threaded matches, the runners' ``play_cached``); and the decision-time bins."""

from __future__ import annotations

import threading
import time

import pytest

from arena.core.agent import Agent
from arena.core.registry import make_agent, make_game, register_agent
from arena.play.match import (AgentCache, AgentKey, GameJob, match_jobs, play, run_jobs,
                              run_match, time_bin, time_bin_upper_ns, with_time_per_move)
from tournaments.runners import play_many

BUILT: list["Counted"] = []
"""Every ``Counted`` agent built, in order."""
PLAYED: list[tuple[int, int, int]] = []
"""(id of the game's first agent's job, seat, id of the agent object) per ``start``."""
LOCK = threading.Lock()


class Counted(Agent):
    """Plays the first legal move; counts its builds and its games."""

    name = "counted"
    slow_first = False
    """Set by a test: the first agent to move sleeps 0.6 s on every move (over a budget)."""
    slow_one: "Counted | None" = None

    def __init__(self, params, game):
        super().__init__(params, game)
        with LOCK:
            BUILT.append(self)

    def start(self, seat, rng):
        super().start(seat, rng)
        with LOCK:
            PLAYED.append((threading.get_ident(), seat, id(self)))

    def act(self, view, legal):
        with LOCK:
            if Counted.slow_first and Counted.slow_one is None:
                Counted.slow_one = self
        if Counted.slow_one is self:
            time.sleep(0.6)
        return legal[0]


register_agent("counted", Counted)


@pytest.fixture(autouse=True)
def fresh():
    BUILT.clear()
    PLAYED.clear()
    Counted.slow_first, Counted.slow_one = False, None
    yield
    Counted.slow_first, Counted.slow_one = False, None


def _jobs(specs, games, game="kuhn_poker", rules=None, prefix="c"):
    return match_jobs(game, rules, specs, games, seed=3, prefix=prefix)


def test_one_agent_per_spec_copy_is_built_and_kept_across_games():
    cache = AgentCache()
    for job in _jobs(["counted", "random"], 6):
        cache.play(job)
    assert len(BUILT) == 1 and len(PLAYED) == 6
    assert {obj for _, _, obj in PLAYED} == {id(BUILT[0])}
    assert set(cache.agents) == {AgentKey("kuhn_poker", None, "counted", 0),
                                 AgentKey("kuhn_poker", None, "random", 0)}


def test_a_spec_in_two_seats_gets_two_agents_never_one_object_twice():
    cache = AgentCache()
    for job in _jobs(["counted", "counted"], 4):
        cache.play(job)
    assert len(BUILT) == 2
    for game in range(4):
        seat0, seat1 = PLAYED[2 * game], PLAYED[2 * game + 1]
        assert seat0[2] != seat1[2]


def test_other_games_or_rules_get_their_own_agents():
    cache = AgentCache()
    cache.play(_jobs(["counted", "random"], 1)[0])
    cache.play(_jobs(["counted", "random"], 1, game="leduc_poker")[0])
    cache.play(_jobs(["counted", "random"], 1)[0])
    assert len(BUILT) == 2
    assert [b.game.name for b in BUILT] == ["kuhn_poker", "leduc_poker"]
    cache.play(_jobs(["counted"] + ["random"] * 3, 1, game="dhumbal", rules="paper")[0])
    cache.play(_jobs(["counted"] + ["random"] * 3, 1, game="dhumbal", rules="standard")[0])
    assert len(BUILT) == 4


def test_an_agent_that_timed_out_is_built_anew_and_then_kept():
    Counted.slow_first = True
    cache = AgentCache()
    jobs = with_time_per_move(_jobs(["counted", "random"], 4), 0.2)
    first = cache.play(jobs[0])
    assert [e["type"] for e in first.errors] == ["AgentTimeout"]
    assert len(BUILT) == 1 and AgentKey("kuhn_poker", None, "counted", 0) not in cache.agents
    rest = [cache.play(job) for job in jobs[1:]]
    assert all(not r.errors for r in rest)
    assert len(BUILT) == 2 and {obj for _, _, obj in PLAYED[1:]} == {id(BUILT[1])}


def test_run_jobs_plays_the_given_agents_and_rebuilds_after_a_timeout():
    Counted.slow_first = True
    game = make_game("kuhn_poker")
    given = {"a": make_agent("counted", game), "b": make_agent("random", game)}
    jobs = with_time_per_move(match_jobs("kuhn_poker", None, ["counted", "random"], 4, 3,
                                         labels=["a", "b"]), 0.2)
    records = list(run_jobs(jobs, game, given))
    assert [len(r.errors) for r in records] == [1, 0, 0, 0]
    assert len(BUILT) == 2 and BUILT[0] is given["a"]
    assert [obj for _, _, obj in PLAYED] == [id(BUILT[0])] + [id(BUILT[1])] * 3


def test_threads_keep_their_own_agents_and_rebuild_after_a_timeout():
    Counted.slow_first = True
    game = make_game("kuhn_poker")
    _, stream = run_match(game, ["counted", "random"], 12, seed=3, concurrency=3,
                          time_per_move=0.2)
    records = list(stream)
    assert sum(len(r.errors) for r in records) == 1
    # run_match builds one agent to check the names first (it plays no threaded game);
    # then each thread builds its own, and one more replaces the agent that timed out.
    assert 3 <= len(BUILT) <= 1 + 3 + 1
    assert BUILT[0] not in (Counted.slow_one, BUILT[-1])
    played = [obj for _, _, obj in PLAYED]
    assert played.count(id(Counted.slow_one)) == 1 and len(played) == 12
    by_thread: dict[int, set[int]] = {}
    for thread, _, obj in PLAYED:
        by_thread.setdefault(thread, set()).add(obj)
    objects = [obj for objs in by_thread.values() for obj in objs]
    assert len(objects) == len(set(objects))  # no agent moves from thread to thread


def test_the_runners_worker_function_keeps_and_rebuilds_the_same_way():
    Counted.slow_first = True
    jobs = with_time_per_move(_jobs(["counted", "random"], 6, prefix="w"), 0.2)
    records = list(play_many(jobs))
    assert [len(r.errors) for r in records] == [1, 0, 0, 0, 0, 0]
    assert len(BUILT) == 2
    records = list(play_many(jobs))  # the same thread's cache: nothing new is built
    assert len(BUILT) == 2 and not any(r.errors for r in records)


def test_a_kept_agent_plays_the_record_of_a_fresh_one():
    jobs = match_jobs("dhumbal", "paper", ["counted", "random", "random", "random"], 8, seed=5)
    cache = AgentCache()
    kept = [cache.play(job).deterministic() for job in jobs]
    fresh = [play(job).deterministic() for job in jobs]
    assert kept == fresh


def test_time_per_move_is_set_on_every_job_and_nothing_else_changes():
    jobs = _jobs(["random", "random"], 4)
    timed = with_time_per_move(jobs, 0.5)
    assert [j.time_per_move for j in jobs] == [None] * 4
    assert [j.time_per_move for j in timed] == [0.5] * 4
    assert [GameJob(**{**j.__dict__, "time_per_move": None}) for j in timed] == jobs


def test_decision_time_bins_are_at_most_a_quarter_wide_and_ordered():
    times = sorted({int(1.07 ** k) for k in range(600)} | set(range(64)))
    keys = [time_bin(t) for t in times]
    assert keys == sorted(keys)
    for t, key in zip(times, keys):
        upper = time_bin_upper_ns(key)
        assert t < upper
        if t >= 8:
            assert upper <= 1.25 * t
