"""One-game play, match schedules, and the per-agent statistics of a match."""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest
from scipy import stats as sps

from arena.core.agent import Agent
from arena.core.game import Outcome
from arena.play.match import GameJob, entrant_labels, match_jobs, play, run_match
from arena.core.registry import make_agent, make_game, register_agent
from arena.stats.basic import mean_interval, summarize, wilson_interval


class Crasher(Agent):
    """Raises on its third decision."""

    name = "crasher"

    def start(self, seat, rng):
        super().start(seat, rng)
        self.calls = 0

    def act(self, view, legal):
        self.calls += 1
        if self.calls == 3:
            raise RuntimeError("boom")
        return legal[0]


class Cheater(Agent):
    """Always answers an action that is never legal."""

    name = "cheater"

    def act(self, view, legal):
        return 10**6


register_agent("crasher", Crasher)
register_agent("cheater", Cheater)


def test_rotation_gives_every_entrant_every_seat_of_every_deal():
    specs = ["aggressive", "conservative", "balanced", "opportunistic"]
    jobs = match_jobs("dhumbal", "paper", specs, 12, seed=4)
    assert len({j.job_id for j in jobs}) == 12
    for d in range(3):
        block = jobs[4 * d: 4 * d + 4]
        assert len({j.seed for j in block}) == 1, "a deal must be replayed in each rotation"
        for seat in range(4):
            assert sorted(j.agents[seat] for j in block) == sorted(specs)
    assert len({j.seed for j in jobs}) == 3
    seat_counts = Counter((j.labels[s], s) for j in jobs for s in range(4))
    assert set(seat_counts.values()) == {3}


def test_fixed_seats_keep_the_given_order_with_new_deals():
    jobs = match_jobs("dhumbal", "paper", ["a", "b", "c", "d"], 5, seed=1, seats="fixed")
    assert all(j.agents == ("a", "b", "c", "d") for j in jobs)
    assert len({j.seed for j in jobs}) == 5


def test_duplicate_specs_get_distinct_labels():
    assert entrant_labels(["random", "expert", "random", "random"]) == [
        "random", "expert", "random#2", "random#3"]


def test_rotated_deal_hands_each_entrant_the_same_cards():
    """Duplicate deals: in rotation r, the agent in seat s holds the same cards as in r=0."""
    game = make_game("dhumbal", "standard")
    jobs = match_jobs("dhumbal", "standard", ["random"] * 4, 4, seed=9)
    from arena.core.seeding import derive_seed

    hands = [game.new_state(derive_seed(j.seed, "deal")).hands for j in jobs]
    assert all(h == hands[0] for h in hands)


def test_an_agent_that_raises_forfeits_and_the_error_is_recorded():
    job = GameJob("x/d0/r0", "dhumbal", "standard", ("random", "crasher", "random", "random"),
                  ("r1", "crasher", "r2", "r3"), seed=3)
    rec = play(job)
    assert rec.forfeit == 1
    assert rec.errors and rec.errors[0]["type"] == "RuntimeError" and rec.errors[0]["seat"] == 1
    assert "boom" in rec.errors[0]["message"]
    assert rec.winners == [0, 2, 3] and rec.returns[1] == -1.0
    assert math.isclose(sum(rec.win_shares), 1.0)


def test_illegal_answers_are_replaced_by_a_legal_move_and_counted():
    job = GameJob("x/d0/r0", "dhumbal", "paper", ("cheater", "random", "random", "random"),
                  ("cheater", "r1", "r2", "r3"), seed=3)
    rec = play(job)
    assert rec.illegal[0] == rec.decisions[0] > 0
    assert rec.illegal[1:] == [0, 0, 0]
    assert rec.forfeit is None
    assert rec.deterministic() == play(job).deterministic(), "fallback moves must be seeded"


def test_agents_have_their_own_generators():
    game = make_game("dhumbal", "standard")
    job = GameJob("x/d0/r0", "dhumbal", "standard", ("random",) * 4, ("a", "b", "c", "d"), 1)
    agents = [make_agent("random", game) for _ in range(4)]
    play(job, game, agents)
    assert len({id(a.rng) for a in agents}) == 4
    firsts = {a.rng.random() for a in agents}
    assert len(firsts) == 4, "two agents drew the same stream"


def test_summary_counts_wins_ties_and_payoffs():
    game = make_game("dhumbal", "paper")
    specs = ["aggressive", "conservative", "balanced", "opportunistic"]
    labels, stream = run_match(game, specs, 40, 2)
    records = list(stream)
    # One tied game between two seats, to check fractional wins.
    tied = records[0]
    tied.winners, tied.win_shares = [0, 1], [0.5, 0.5, 0.0, 0.0]
    summaries, timings = summarize(records, game.metric_specs, order=labels)
    assert [s.name for s in summaries] == labels
    assert sum(s.games for s in summaries) == 160
    assert math.isclose(sum(s.wins for s in summaries), 40.0)
    for s in summaries:
        mine = [r.returns[r.labels.index(s.name)] for r in records]
        assert math.isclose(s.payoff, sum(mine) / len(mine))
        # The interval clusters by card deal (the 4 rotations of a deal share its cards).
        import numpy as np
        import statsmodels.api as sm

        fit = sm.OLS(np.array(mine), np.ones(len(mine))).fit(
            cov_type="cluster", cov_kwds={"groups": np.array([r.seed for r in records])},
            use_t=True)
        lo, hi = fit.conf_int()[0]
        assert math.isclose(s.payoff_ci[0], lo, rel_tol=1e-9)
        assert math.isclose(s.payoff_ci[1], hi, rel_tol=1e-9)
        assert s.win_ci[0] <= s.win_rate <= s.win_ci[1]
        # coins_per_round is a ratio of sums: per-round coin change, here one round a game.
        assert math.isclose(s.metrics["coins_per_round"], s.payoff)
    assert all(t.decisions > 0 and t.ms_per_decision > 0 for t in timings)


def test_wilson_interval_matches_the_formula():
    for wins, n in [(0, 10), (3, 10), (50, 100), (99, 100), (7.5, 20)]:
        z = sps.norm.ppf(0.975)
        p = wins / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        lo, hi = wilson_interval(wins, n)
        assert math.isclose(lo, centre - half, abs_tol=1e-12)
        assert math.isclose(hi, centre + half, abs_tol=1e-12)


def test_mean_interval_matches_scipy():
    rng = random.Random(3)
    xs = [rng.gauss(1, 2) for _ in range(30)]
    mean, lo, hi = mean_interval(xs)
    elo, ehi = sps.t.interval(0.95, len(xs) - 1, loc=sum(xs) / len(xs), scale=sps.sem(xs))
    assert math.isclose(lo, elo, rel_tol=1e-9) and math.isclose(hi, ehi, rel_tol=1e-9)
    assert mean_interval([2.0]) == (2.0, 2.0, 2.0)


def test_outcome_helpers():
    out = Outcome.from_scores([3.0, 5.0, 5.0, 1.0])
    assert out.ranks == (2, 0, 0, 3) and out.winners == (1, 2)
    assert out.win_shares == (0.0, 0.5, 0.5, 0.0)
    f = Outcome.forfeited(3, 2, (-6.0, 6.0))
    assert f.winners == (0, 1) and f.forfeit == 2 and f.ranks[2] == 1
    assert f.returns == (3.0, 3.0, -6.0)


@pytest.mark.parametrize("preset", ["paper", "standard", "yaniv"])
def test_every_dhumbal_agent_plays_every_preset(preset):
    game = make_game("dhumbal", preset)
    specs = ["study_random", "aggressive", "conservative", "balanced", "opportunistic",
             "expert(samples=20)", "random"]
    for i in range(0, len(specs), 2):
        lineup = [specs[i], specs[(i + 1) % len(specs)], "random", "balanced"]
        job = GameJob(f"t/{i}", "dhumbal", preset, tuple(lineup), tuple(
            entrant_labels(lineup)), seed=i)
        rec = play(job, game)
        assert rec.errors == [] and sum(rec.illegal) == 0, (lineup, rec.errors)


class BadStart(Agent):
    name = "bad_start"

    def start(self, seat, rng):
        raise RuntimeError("cannot load model")

    def act(self, view, legal):  # pragma: no cover - never reached
        return legal[0]


class Swallower(Agent):
    """Catches every Exception and keeps thinking: only a BaseException timeout stops it."""

    name = "swallower"

    def act(self, view, legal):
        while True:
            try:
                sum(range(10_000))
            except Exception:  # noqa: BLE001 - the point of this agent
                continue


class FloatAnswer(Agent):
    name = "floaty"

    def act(self, view, legal):
        return float(legal[0]) + 0.7


register_agent("bad_start", BadStart)
register_agent("swallower", Swallower)
register_agent("floaty", FloatAnswer)


def test_an_agent_failing_to_start_forfeits_instead_of_crashing_the_run():
    job = GameJob("x/d0/r0", "dhumbal", "standard", ("random", "bad_start", "random", "random"),
                  ("a", "bad", "c", "d"), seed=2)
    rec = play(job)
    assert rec.forfeit == 1 and rec.errors[0]["message"] == "cannot load model"


def test_a_budget_cannot_be_swallowed_by_the_agent():
    import time
    from dataclasses import replace

    job = GameJob("x/d0/r0", "dhumbal", "standard", ("swallower", "random", "random", "random"),
                  ("s", "b", "c", "d"), seed=2)
    t0 = time.perf_counter()
    rec = play(replace(job, time_per_move=0.1))
    assert time.perf_counter() - t0 < 5
    assert rec.forfeit == 0 and rec.errors[0]["type"] == "AgentTimeout"


def test_non_integer_answers_are_illegal():
    job = GameJob("x/d0/r0", "dhumbal", "paper", ("floaty", "random", "random", "random"),
                  ("f", "b", "c", "d"), seed=2)
    rec = play(job)
    assert rec.illegal[0] == rec.decisions[0] > 0


def test_forfeited_games_score_the_worst_payoff():
    from arena.play.match import GameRecord

    game = make_game("dhumbal", "paper")
    _, stream = run_match(game, ["aggressive", "crasher", "balanced", "random"], 8, 1)
    records: list[GameRecord] = list(stream)
    summaries, _ = summarize(records, game.metric_specs)
    crasher = next(s for s in summaries if s.name == "crasher")
    assert crasher.forfeits == crasher.games == 8
    assert crasher.payoff == game.return_bounds()[0] == -256.0
