"""The batched Dhumbal (torch) against the reference engine, move by move.

Thousands of reference games (heuristics and a random player that rarely calls, so rounds
run long enough to reshuffle the deck and to reach the turn cap) are replayed on the batched
game, one table per game: same deal, same moves. At every step: the same seat to move, the
same legal moves, the same observation for every seat, the same estimate of the result
(the shaping potential), and each batched heuristic chooses what its reference
implementation chooses; at the end, the same returns. Chance is the one
thing not shared: where the reference deals a new round or reshuffles, the batched game's
own deal or reshuffle is checked to be of the same cards and then replaced by the
reference's (``BatchedDhumbal.load``) after the rest of the state was compared.
"""

from __future__ import annotations

import random
import shutil

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from agents.heuristics.dhumbal_batched import KINDS, heuristic_actions  # noqa: E402
from agents.heuristics.dhumbal_batched_expert import call_success, plan  # noqa: E402
from arena.core.agent import SeatView  # noqa: E402
from arena.core.registry import make_agent  # noqa: E402
from games.dhumbal.batched import BatchedDhumbal  # noqa: E402
from games.dhumbal.cards import CALL, DRAW  # noqa: E402
from games.dhumbal.game import PRESETS, DhumbalGame, DhumbalRules  # noqa: E402

VARIANTS = {
    "paper": PRESETS["paper"],
    "standard": PRESETS["standard"],
    # The cap reached often, under both showdown rules, and the other pickup rule.
    "paper-capped": dict(PRESETS["paper"], max_turns=14),
    "standard-own-capped": dict(PRESETS["standard"], pickup="own", max_turns=30),
    # Other player counts and the third preset.
    "paper-2p": dict(PRESETS["paper"], players=2),
    "paper-3p": dict(PRESETS["paper"], players=3),
    "yaniv-5p": dict(PRESETS["yaniv"], players=5),
}


def _public(env: BatchedDhumbal, b: int) -> tuple:
    t = env.t
    return (int(t.current[b]), int(t.phase[b]), int(t.turn[b]), int(t.round[b]),
            t.active[b].tolist(), t.scores[b].tolist(), t.coins[b].tolist(),
            t.out_round[b].tolist())


def _ref_public(s) -> tuple:
    return (s.current_player, s.phase,
            s.turn, s.round, list(s.active), list(s.scores), list(s.coins),
            [-1 if x is None else x for x in s.out_round])


def _cards(env: BatchedDhumbal, b: int) -> set[int]:
    """Cards in the deck and in every hand at table b."""
    t = env.t
    deck = set(t.deck[b, :int(t.deck_len[b])].tolist())
    return deck | set(env.plane(t.hands[b]).any(0).nonzero().squeeze(1).tolist())


def replay(variant: str, games: int, seed: int, check_every_seat: bool = True) -> dict:
    return _Replay(variant, games, seed, check_every_seat).run()


class _Replay:
    """Reference games replayed on one batched game, one table each, checked at every step
    (see the module's docstring); ``run`` returns what the replays covered."""

    def __init__(self, variant: str, games: int, seed: int, check_every_seat: bool):
        self.variant, self.games, self.check_every_seat = variant, games, check_every_seat
        self.rules = rules = DhumbalRules(**VARIANTS[variant])
        game = DhumbalGame(rules)
        self.env = BatchedDhumbal(rules, batch=games, seed=seed)
        self.rng = rng = random.Random(seed)
        self.states = [game.new_state(rng.getrandbits(32)) for _ in range(games)]
        for b, s in enumerate(self.states):
            self.env.load(b, s)
        # Who plays each seat of each table: a heuristic (the expert too: the positions it
        # reaches, with many cards known), or "random" (rarely calls).
        self.policy = [[rng.choice(KINDS + ("expert", "random", "random"))
                        for _ in range(rules.players)] for _ in range(games)]
        self.refs = {k: make_agent(k, game) for k in KINDS}
        self.expert = make_agent("expert", game)
        self.counts = {"steps": 0, "decisions_checked": 0, "reshuffles": 0, "deals": 0,
                       "caps": 0, "calls": 0, "ended": 0}

    def run(self) -> dict:
        live = list(range(self.games))
        while live:
            live = self.step(live)
        assert self.counts["ended"] == self.games
        return self.counts

    def step(self, live: list[int]) -> list[int]:
        """One move at every live table, checked before and after; returns the tables
        still playing."""
        env, rng, games = self.env, self.rng, self.games
        legal = env.legal_mask()
        keys = {b: rng.getrandbits(32) for b in live}
        u = torch.zeros(games, dtype=torch.float64)
        for b in live:
            u[b] = random.Random(keys[b]).random()
        batched = {k: heuristic_actions(env, k, u) for k in KINDS}
        rows = torch.tensor(live, dtype=torch.long)
        planned = dict(zip(live, plan(env, rows).tolist()))
        seen = [env.encode(seat).numpy() for seat in range(self.rules.players)]
        actions = torch.zeros(games, dtype=torch.long)
        where = torch.zeros(games, dtype=torch.bool)
        before = {}
        for b in live:
            s = self.states[b]
            choice = self.check_decision(b, legal, seen, batched, planned, keys[b])
            a = self.choose(b, choice, keys[b])
            before[b] = (s.round, s.phase == 1 and a == DRAW and not s.deck, s.turn)
            self.counts["calls"] += a == CALL
            s.apply(a)
            actions[b] = a
            where[b] = True
        env.step(actions, where)
        self.counts["steps"] += 1
        estimates = env.estimated_returns().numpy()
        return [b for b in live if self.check_after(b, before[b], estimates)]

    def check_decision(self, b: int, legal, seen, batched, planned, key: int) -> dict:
        """The same seat to move, legal moves and observations at table ``b``, each batched
        heuristic's choice and the batched expert's plan the reference's; returns each
        study heuristic's choice."""
        variant, s, steps = self.variant, self.states[b], self.counts["steps"]
        p = s.current_player
        assert int(self.env.t.current[b]) == p, (variant, b, steps)
        ref_legal = s.legal_actions()
        got = legal[b].nonzero().squeeze(1).tolist()
        assert got == list(ref_legal), (variant, b, s.phase, got, ref_legal)
        seats = range(self.rules.players) if self.check_every_seat else (p,)
        for seat in seats:
            want = s.encode(seat)
            have = seen[seat][b]
            assert np.array_equal(want, have), (variant, b, seat, np.nonzero(want != have))
        view = SeatView(s, p)
        choice = {}
        for k in KINDS:
            self.refs[k].start(p, random.Random(key))
            choice[k] = self.refs[k].act(view, ref_legal)
            assert int(batched[k][b]) == choice[k], (variant, k, b, s.phase,
                                                      choice[k], int(batched[k][b]))
        # The expert's discard or draw (all of its move but a call).
        expert, obs, hand = self.expert, view.observation(), s.hands[p]
        unseen = expert._unseen(obs, hand)
        if s.phase == 0:
            want = expert._best_discard(hand, [a for a in ref_legal if a != CALL],
                                        obs.offer, unseen)
        else:
            want = expert._best_draw(hand, ref_legal, unseen)
        assert planned[b] == want, (variant, "expert", b, s.phase, want, planned[b])
        self.counts["decisions_checked"] += 1
        return choice

    def choose(self, b: int, choice: dict, key: int) -> int:
        """The move of table ``b``'s player to move (its seat's policy)."""
        s, rng = self.states[b], self.rng
        p, ref_legal = s.current_player, s.legal_actions()
        who = self.policy[b][p]
        if who == "random":
            options = [a for a in ref_legal if a != CALL] or list(ref_legal)
            return CALL if CALL in ref_legal and rng.random() < 0.05 else rng.choice(options)
        if who == "expert":
            self.expert.start(p, random.Random(key))
            return self.expert.act(SeatView(s, p), ref_legal)
        return choice[who]

    def check_after(self, b: int, before: tuple, estimates) -> bool:
        """The same public state, estimate and (at the end) returns at table ``b`` after its
        move; a new deal or a reshuffle of the same cards, replaced by the reference's.
        Returns whether the table still plays."""
        env, variant, s, counts = self.env, self.variant, self.states[b], self.counts
        rnd, reshuffled, turn = before
        assert _public(env, b) == _ref_public(s), (variant, b, _public(env, b),
                                                   _ref_public(s))
        assert np.allclose(estimates[b], s.estimated_returns(), rtol=0, atol=1e-12)
        counts["caps"] += bool(s.results) and s.results[-1].capped and \
            (s.round != rnd or s.current_player < 0)
        if s.current_player < 0:
            counts["ended"] += 1
            assert env.returns()[b].tolist() == list(s.returns()), (variant, b)
            return False
        if s.round != rnd:  # a new deal: the same cards, in the reference's order
            counts["deals"] += 1
            assert _cards(env, b) == {c for c in range(52)} - {
                int(c) for c in env.plane(env.t.pile[b]).nonzero().squeeze(1)}
            env.load(b, s)
        elif reshuffled:  # the same cards reshuffled (one of them drawn already)
            counts["reshuffles"] += 1
            ref_cards = set(s.deck)
            for h in s.hands:
                ref_cards |= {c for c in range(52) if h >> c & 1}
            assert _cards(env, b) == ref_cards
            assert env.plane(env.t.pile[b]).nonzero().squeeze(1).tolist() == sorted(
                c for meld in s.pile for c in meld)
            env.load(b, s)
        return True


@pytest.mark.parametrize("variant,games", [("paper", 1000), ("standard", 150),
                                           ("paper-capped", 300),
                                           ("standard-own-capped", 100),
                                           ("paper-2p", 40), ("paper-3p", 40),
                                           ("yaniv-5p", 15)])
def test_the_batched_game_replays_reference_games_exactly(variant, games):
    counts = replay(variant, games, seed=sum(map(ord, variant)))
    # The replays covered what they are meant to: calls, new deals, reshuffles, the cap.
    assert counts["calls"] > (games / 2 if "capped" not in variant else 10)
    if variant.startswith(("standard", "yaniv")):
        assert counts["deals"] > games
    if variant in ("standard", "paper"):
        assert counts["reshuffles"] > 0
    if variant.endswith("capped"):
        assert counts["caps"] > 0


@pytest.mark.parametrize("variant", ["paper", "paper-3p", "yaniv-5p"])
def test_the_batched_experts_call_judges_the_risk_as_the_reference_does(variant):
    """The expert calls when its sampled deals of the unseen cards leave it strictly lowest
    often enough. On positions where a call is allowed (from games of a heuristic), the
    batched estimate of that share and the reference's, each from 4,000 deals, agree
    within sampling error, over positions from hopeless to safe (``paper`` rules: calls up
    to 10 points, often risky; five players with seats knocked out under ``yaniv``)."""
    rules = DhumbalRules(**VARIANTS[variant])
    game = DhumbalGame(rules)
    rng = random.Random(11)
    players = [make_agent("conservative", game) for _ in range(rules.players)]
    positions = []
    while len(positions) < 48:
        s = game.new_state(rng.getrandbits(32))
        for seat, agent in enumerate(players):
            agent.start(seat, random.Random(rng.getrandbits(32)))
        while s.current_player >= 0 and len(positions) < 48:
            legal = s.legal_actions()
            if legal[0] == CALL and rng.random() < 0.5:
                positions.append(s.clone())
            p = s.current_player
            s.apply(players[p].act(SeatView(s, p), legal))
    env = BatchedDhumbal(rules, batch=len(positions), seed=0)
    ref = make_agent("expert(samples=4000)", game)
    want = []
    for b, s in enumerate(positions):
        env.load(b, s)
        ref.start(s.current_player, random.Random(b))
        obs = SeatView(s, s.current_player).observation()
        want.append(ref.call_success(obs, ref._unseen(obs, s.hands[s.current_player])))
    got = call_success(env, torch.arange(len(positions)), 4000,
                       torch.Generator().manual_seed(3)).tolist()
    assert max(abs(x - y) for x, y in zip(want, got)) < 0.05, list(zip(want, got))
    assert min(want) < (0.3 if variant == "paper" else 0.6) and max(want) > 0.8
    if variant == "paper":
        assert sum(0.3 < x < 0.7 for x in want) >= 5
    if variant.startswith("yaniv"):   # some positions with a seat out of the game
        assert any(not all(s.active) for s in positions)


def test_a_batch_plays_to_the_end_on_its_own_chance():
    env = BatchedDhumbal("standard", batch=64, seed=3)
    u_gen = torch.Generator().manual_seed(1)
    for _ in range(20000):
        if (env.t.current < 0).all():
            break
        legal = env.legal_mask()
        u = torch.rand(64, generator=u_gen, dtype=torch.float64)
        a = heuristic_actions(env, "balanced", u)
        assert legal[torch.arange(64), a][env.t.current >= 0].all()
        env.step(a)
        # Every card is in exactly one place at every table.
        t = env.t
        count = env.count(t.hands).sum(1) + t.deck_len + env.count(t.pile)
        union = t.pile.clone()
        for seat in range(t.hands.shape[1]):
            union |= t.hands[:, seat]
        assert (env.count(union) + t.deck_len == 52).all()  # no card in two places
        assert (count == 52).all()
    assert (env.t.current < 0).all()
    ret = env.returns()
    # One seat left in wins (return 1); the others by when they went out.
    assert ((ret == 1.0).sum(1) == 1).all() and (env.t.active.sum(1) == 1).all()
    assert (ret[env.t.active] == 1.0).all() and (ret >= -1.0).all()
    same = BatchedDhumbal("standard", batch=64, seed=3)
    assert torch.equal(same.t.hands, BatchedDhumbal("standard", batch=64, seed=3).t.hands)


def test_shuffled_decks_are_uniform_permutations_from_the_seed():
    """The decks the batched game deals from: each a permutation of the 52 cards, every card
    equally likely at every position (chi-square over 24,000 decks, fixed seed), handed out
    in order across refills, and the same from the same seed."""
    from scipy.stats import chisquare

    from games.dhumbal.batched import ShuffledDecks

    def decks(seed, takes=(700, 1, 1499, 800) * 8):
        pool = ShuffledDecks(torch.Generator().manual_seed(seed), torch.device("cpu"), 1500)
        return torch.cat([pool.take(k) for k in takes]).long()

    d = decks(7)
    # Handed out in order: the decks left when a refill comes first, however they are taken.
    assert torch.equal(d, decks(7, takes=(100,) * 240))
    assert d.shape == (24000, 52)
    assert torch.equal(d.sort(1).values, torch.arange(52).expand(24000, 52))
    counts = torch.zeros(52, 52)
    counts.index_put_((torch.arange(52).expand(24000, 52).reshape(-1), d.reshape(-1)),
                      torch.ones(24000 * 52), accumulate=True)   # [position, card]
    assert chisquare(counts.reshape(-1).numpy()).pvalue > 1e-3
    # A deck's first two cards are independent (no card follows another more often).
    pairs = torch.bincount(d[:, 0] * 52 + d[:, 1], minlength=52 * 52).reshape(52, 52)
    off = pairs[~torch.eye(52, dtype=torch.bool)].double()
    assert chisquare(off.numpy()).pvalue > 1e-3
    assert torch.equal(d, decks(7)) and not torch.equal(d, decks(8))


def test_the_learning_environment_pays_each_game_once_and_shaping_adds_up():
    """Two batched environments on the same seed, one with potential-based shaping (gamma
    1): they play the same games, the plain one pays only at the end of a learner's game
    (its scaled return, in [-1, 1]), and the shaped rewards of each game add up to the
    same payment (the potential starts at 0: no points yet), however the game ended (a
    call, elimination of the learner, the reset of its table in the middle of a step)."""
    from agents.rl.batched_env import BatchedDhumbalEnv, LearnerReward

    plain = BatchedDhumbalEnv("standard", envs=96, seed=5)
    shaped = BatchedDhumbalEnv("standard", envs=96, seed=5, reward=LearnerReward(shaping=1.0))
    gen = torch.Generator().manual_seed(2)
    obs, legal = plain.observe()
    sums = torch.zeros(96, dtype=torch.float64)
    games, paid = 0, []
    for _ in range(600):
        a = (torch.rand(legal.shape, generator=gen) * legal).argmax(1)
        obs, legal, reward, done = plain.step(a)
        obs_s, legal_s, reward_s, done_s = shaped.step(a)
        assert torch.equal(legal, legal_s) and torch.equal(obs, obs_s)
        assert torch.equal(done, done_s)
        assert (reward[~done] == 0).all() and (reward.abs() <= 1).all()
        sums += reward_s.double()
        assert torch.allclose(sums[done], reward[done].double(), atol=1e-5)
        sums[done] = 0.0
        games += int(done.sum())
        paid += reward[done].tolist()
    assert games == plain.episodes > 100
    # The learner's place when its game ended: 1, 1/3, -1/3 or -1 (out first); a random
    # player against the heuristics is mostly out first.
    places = torch.tensor(paid, dtype=torch.float64)
    assert torch.isclose(places.unsqueeze(1), torch.tensor([1, 1 / 3, -1 / 3, -1],
                         dtype=torch.float64)).any(1).all()
    assert (places == -1).float().mean() > 0.5 and places.mean() < -0.3


@pytest.mark.parametrize("rules", ["paper", "standard", "yaniv"])
def test_the_learning_environment_scales_returns_as_the_gym_environment(rules):
    """Rewards in [-1, 1] by the preset's own return bounds (paper pays coins, up to 256)."""
    from agents.rl.batched_env import BatchedDhumbalEnv
    from arena.core.registry import make_game
    from arena.envs.gym_env import scaled_return

    env = BatchedDhumbalEnv(rules, envs=2)
    assert env.scale == scaled_return(make_game("dhumbal", rules))
    assert env.game.rules == make_game("dhumbal", rules).rules


@pytest.mark.parametrize("rules", ["paper", "standard"])
def test_stepping_only_the_tables_that_move_changes_nothing(rules):
    """Opponents' passes over only the tables that move (``compact``: a copy of those
    tables stepped on their own, then merged back) give exactly the games of passes over
    every table: the same observations, legal moves, rewards and ends."""
    from agents.rl.batched_env import BatchedDhumbalEnv, LearnerReward

    envs = [BatchedDhumbalEnv(rules, envs=64, seed=9, reward=LearnerReward(shaping=0.99),
                              compact=c)
            for c in (0.0, 0.25, 1.0)]
    gen = torch.Generator().manual_seed(4)
    legal = envs[0].observe()[1]
    for _ in range(300):
        a = (torch.rand(legal.shape, generator=gen) * legal).argmax(1)
        outs = [e.step(a) for e in envs]
        for other in outs[1:]:
            assert all(torch.equal(x, y) for x, y in zip(outs[0], other))
        legal = outs[0][1]
    assert envs[0].episodes == envs[2].episodes > 10


def test_the_batched_expert_takes_opponent_seats(monkeypatch):
    """``expert`` among the learning environment's opponents: every move it makes is legal,
    passes over only the moving tables play the same games as passes over all (its call
    judgement draws the same random numbers either way), and it plays as strongly as the
    reference expert does: a ``balanced`` learner wins far less often against three of
    them than its fair quarter."""
    from agents.rl.batched_env import BatchedDhumbalEnv, LearnerReward
    from games.dhumbal.batched import BatchedDhumbal

    step = BatchedDhumbal.step

    def checked(self, actions, where=None):
        go = self.t.current >= 0 if where is None else where & (self.t.current >= 0)
        legal = self.legal_mask().gather(1, actions.clamp(min=0).unsqueeze(1)).squeeze(1)
        assert bool((legal | ~go).all()), "an illegal move"
        return step(self, actions, where)

    monkeypatch.setattr(BatchedDhumbal, "step", checked)
    envs = [BatchedDhumbalEnv("standard", envs=64, opponents=["expert"], seed=4,
                              reward=LearnerReward("win"), compact=c) for c in (0.0, 0.25)]
    gen = torch.Generator().manual_seed(2)
    wins = []
    for _ in range(400):
        u = torch.rand(64, generator=gen, dtype=torch.float64)
        a = heuristic_actions(envs[0].env, "balanced", u)
        outs = [e.step(a) for e in envs]
        assert all(torch.equal(x, y) for x, y in zip(*outs))
        wins += outs[0][2][outs[0][3]].tolist()
    assert len(wins) > 100 and sum(wins) / len(wins) < 0.12


@pytest.mark.parametrize("compact", [0.0, 0.25])
def test_the_environment_counts_every_seats_moves(monkeypatch, compact):
    """``moves`` (what the benchmark's game-moves rate counts) is the number of moves the
    game applied, at every table and by every seat, learner and opponents, on both the
    full and the compacted passes."""
    from agents.rl.batched_env import BatchedDhumbalEnv
    from games.dhumbal.batched import BatchedDhumbal

    applied = []
    step = BatchedDhumbal.step

    def counted(self, actions, where=None):
        go = self.t.current >= 0 if where is None else where & (self.t.current >= 0)
        applied.append(int(go.sum()))
        return step(self, actions, where)

    env = BatchedDhumbalEnv("standard", envs=40, seed=2, compact=compact)
    monkeypatch.setattr(BatchedDhumbal, "step", counted)
    start = env.moves
    gen = torch.Generator().manual_seed(1)
    legal = env.observe()[1]
    for _ in range(120):
        a = (torch.rand(legal.shape, generator=gen) * legal).argmax(1)
        legal = env.step(a)[1]
    assert env.moves - start == sum(applied)
    # Every learner step moves each table once for the learner; opponents' moves come on top.
    assert sum(applied) > 2 * 40 * 120 and env.episodes > 0


@pytest.mark.skipif(not (shutil.which("g++") or shutil.which("c++")),
                    reason="torch.compile on a CPU needs a C++ compiler")
def test_the_compiled_steps_play_the_same_games():
    """``compile=True`` (the moves and the heuristics through torch.compile) plays exactly
    the games of the plain tensor code."""
    from torch._dynamo.utils import counters

    from agents.rl.batched_env import BatchedDhumbalEnv

    graphs = counters["stats"]["unique_graphs"]
    envs = [BatchedDhumbalEnv("standard", envs=48, seed=3, compile=c) for c in (False, True)]
    gen = torch.Generator().manual_seed(6)
    legal = envs[0].observe()[1]
    for _ in range(150):
        a = (torch.rand(legal.shape, generator=gen) * legal).argmax(1)
        plain, compiled = (e.step(a) for e in envs)
        assert all(torch.equal(x, y) for x, y in zip(plain, compiled))
        legal = plain[1]
    assert envs[0].episodes == envs[1].episodes
    # The heuristics and the moves did run as compiled graphs (not a silent fallback),
    # and passes over the few tables still moving ran on padded compiled sub-batches.
    assert counters["stats"]["unique_graphs"] - graphs >= 4
    assert list(envs[1].env._subs) == [64] and not envs[0].env._subs


def test_batched_training_leaves_an_ordinary_ppo_agent(tmp_path):
    pytest.importorskip("sb3_contrib")
    import json
    import subprocess
    import sys
    from pathlib import Path

    from arena.play.match import run_match
    from games.dhumbal.game import DhumbalGame

    out = tmp_path / "run"
    root = Path(__file__).resolve().parents[1]
    res = subprocess.run(
        [sys.executable, "-m", "arena.cli", "train", "ppo", "dhumbal", "--batched", "--rules",
         "standard", "--envs", "64", "--n-steps", "16", "--timesteps", "2048", "--shaping",
         "--eval-games", "8", "--eval-opponents", "aggressive", "--self-play",
         "--snapshot-every", "1024", "--out", str(out), "--no-progress"],
        capture_output=True, text=True, cwd=root, timeout=600)
    assert res.returncode == 0, res.stderr
    info = json.loads((out / "train.json").read_text())
    assert info["timesteps"] == 2048 and info["config"]["batched"]
    assert (out / "eval.csv").read_text().count("aggressive") >= 1
    assert list((out / "snapshots").glob("*.ckpt"))
    game = DhumbalGame(preset="standard")
    labels, stream = run_match(game, [f"ppo(path={out / 'final.ckpt'})", "aggressive",
                                      "balanced", "conservative"], 4, seed=1)
    records = list(stream)
    assert len(records) == 4 and all(sum(r.illegal) == 0 and not r.errors for r in records)


@pytest.mark.parametrize("args,message", [
    (["kuhn_poker", "--batched"], "plays dhumbal"),
    (["dhumbal", "--batched", "--opponents", "random"], "batched heuristics"),
    (["dhumbal", "--batched", "--device", "cuda"], "CUDA"),
    (["dhumbal", "--compile"], "goes with --batched"),
])
def test_bad_batched_training_input_exits_2(tmp_path, args, message):
    import subprocess
    import sys
    from pathlib import Path

    if "cuda" in args and torch.cuda.is_available():
        pytest.skip("a GPU is here")
    res = subprocess.run([sys.executable, "-m", "arena.cli", "train", "ppo", *args,
                          "--timesteps", "100", "--out", str(tmp_path / "o")],
                         capture_output=True, text=True, timeout=300,
                         cwd=Path(__file__).resolve().parents[1])
    assert res.returncode == 2 and message in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "o").exists()
