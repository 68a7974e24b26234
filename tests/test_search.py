"""mcts and ismcts: known positions, chance, multi-player returns, hidden information,
determinism, budgets, tree reuse, the OpenSpiel engine and errors."""

from __future__ import annotations

import random
import time

import numpy as np
import pytest

from arena import ArenaError, make_agent, make_game
from arena.core.agent import SeatView
from arena.core.game import CHANCE, TERMINAL, Game, GameInfo, State


# -- toy games with known values ----------------------------------------------------------
class _ToyState(State):
    def __init__(self, game, node="root"):
        self.game = game
        self.node = node
        self.current_player = game.tree[node][0]

    def legal_actions(self):
        kind, moves = self.game.tree[self.node]
        return tuple(sorted(moves)) if kind >= 0 else ()

    def chance_outcomes(self):
        return [(a, p) for a, (p, _) in sorted(self.game.tree[self.node][1].items())]

    def _apply(self, action):
        kind, moves = self.game.tree[self.node]
        self.node = moves[action][1] if kind == CHANCE else moves[action]
        self.current_player = self.game.tree[self.node][0]

    def returns(self):
        return self.game.payoffs[self.node]

    def observation(self, seat):
        return self.node

    def text(self, seat):
        return self.node

    def encode(self, seat):
        return np.zeros(1, dtype=np.float32)

    def determinize(self, seat, rng):
        return self.clone()

    def clone(self):
        return _ToyState(self.game, self.node)


class _ToyGame(Game):
    """A game tree given as data: node -> (player or CHANCE or TERMINAL, moves)."""

    name = "toy"
    info = GameInfo("toy", "a test tree", 1, 3, True, True)

    def __init__(self, players, tree, payoffs):
        super().__init__()
        self.players, self.tree, self.payoffs = players, tree, payoffs

    num_players = property(lambda self: self.players)
    num_actions = property(lambda self: 2)
    encoding_shape = property(lambda self: (1,))

    def new_state(self, seed):
        return _ToyState(self)

    def action_name(self, action):
        return "LR"[action]

    def return_bounds(self):
        return (0.0, 1.0)


def _gamble(p_win: float) -> _ToyGame:
    """One player: a sure 0.4 (action 0) or a gamble paying 1 with probability p (action 1)."""
    tree = {"root": (0, {0: "safe", 1: "coin"}),
            "coin": (CHANCE, {0: (p_win, "won"), 1: (1 - p_win, "lost")}),
            "safe": (TERMINAL, {}), "won": (TERMINAL, {}), "lost": (TERMINAL, {})}
    return _ToyGame(1, tree, {"safe": (0.4,), "won": (1.0,), "lost": (0.0,)})


def _decide(agent, state, seed=0):
    agent.start(state.current_player, random.Random(seed))
    return agent.act(SeatView(state, state.current_player), state.legal_actions())


@pytest.mark.parametrize("p_win, best", [(0.3, 0), (0.6, 1)])
def test_chance_node_is_averaged_by_its_probabilities(p_win, best):
    game = _gamble(p_win)
    # A wide exploration, so that the worse move is still tried often enough to check its
    # average (plain UCT exploits hard once the sure 0.4 looks better).
    agent = make_agent("mcts(iterations=3000,c=4)", game)
    assert _decide(agent, game.new_state(0)) == best
    root = agent.last_search.root
    coin = root.children[1]
    assert coin.total / coin.visits == pytest.approx(p_win, abs=0.06)
    won = coin.children[0].visits / coin.visits
    assert won == pytest.approx(p_win, abs=0.06)


def test_each_seat_maximises_its_own_return():
    # Seat 0 picks L or R; seat 1 then picks what is best for seat 1. After L seat 1 takes
    # (0, .5, 0) over (1, 0, 0); after R it takes (.6, .2, 0) over (0, .1, 0). So R is right
    # for seat 0, though L holds its best payoff; a search maximising seat 0 everywhere
    # would pick L.
    tree = {"root": (0, {0: "L", 1: "R"}),
            "L": (1, {0: "L0", 1: "L1"}), "R": (1, {0: "R0", 1: "R1"}),
            **{k: (TERMINAL, {}) for k in ("L0", "L1", "R0", "R1")}}
    payoffs = {"L0": (1.0, 0.0, 0.0), "L1": (0.0, 0.5, 0.0),
               "R0": (0.6, 0.2, 0.0), "R1": (0.0, 0.1, 0.0)}
    game = _ToyGame(3, tree, payoffs)
    agent = make_agent("mcts(iterations=500)", game)
    assert all(_decide(agent, game.new_state(0), seed) == 1 for seed in range(5))


# -- known positions ----------------------------------------------------------------------
def _connect_four(moves):
    game = make_game("connect_four")
    state = game.new_state(0)
    for m in moves:
        state.apply(m)
    return game, state


@pytest.mark.parametrize("engine", ["arena", "openspiel"])
def test_mcts_finds_a_win_in_one(engine):
    # x has three in column 0, o three in column 1; x to move wins only in column 0.
    game, state = _connect_four([0, 1, 0, 1, 0, 1])
    agent = make_agent(f"mcts(iterations=100,engine={engine})", game)
    assert [_decide(agent, state, seed) for seed in range(5)] == [0] * 5


def test_mcts_blocks_a_win_in_one():
    # o threatens column 1 after x wasted moves; x must block there.
    game, state = _connect_four([0, 1, 6, 1, 5, 1])
    agent = make_agent("mcts(iterations=400)", game)
    assert [_decide(agent, state, seed) for seed in range(3)] == [1] * 3


def test_mcts_refuses_hidden_information_and_bad_settings():
    with pytest.raises(ArenaError, match="perfect-information.*ismcts"):
        make_agent("mcts", make_game("dhumbal"))
    with pytest.raises(ArenaError, match="budget"):
        make_agent("mcts(iterations=0)", make_game("connect_four"))
    with pytest.raises(ArenaError, match="OpenSpiel game"):
        make_agent("ismcts(engine=openspiel)", make_game("dhumbal"))
    with pytest.raises(ArenaError, match="rollout=no_such_agent.*unknown agent"):
        make_agent("ismcts(rollout=no_such_agent)", make_game("dhumbal"))


# -- determinism and budgets -------------------------------------------------------------
def _dhumbal_midgame(preset="standard", seed=3, moves=12):
    game = make_game("dhumbal", preset)
    state = game.new_state(seed)
    rng = random.Random(seed)
    for _ in range(moves):
        state.apply(rng.choice(state.legal_actions()))
    if len(state.legal_actions()) == 1:
        state.apply(state.legal_actions()[0])
    return game, state


def _root_visits(agent):
    return {a: c.visits for a, c in agent.last_search.root.children.items()}


@pytest.mark.parametrize("spec", ["ismcts(iterations=150)", "ismcts(iterations=150,worlds=5)",
                                  "ismcts(iterations=60,rollout=balanced,opponents=rollout)"])
def test_ismcts_never_reads_hidden_cards(spec):
    game, state = _dhumbal_midgame()
    seat = state.current_player
    other = state.determinize(seat, random.Random(99))  # the same view, other hidden cards
    assert other.hands != state.hands
    assert other.information_state_key(seat) == state.information_state_key(seat)
    agent = make_agent(spec, game)
    a = _decide(agent, state, seed=5)
    first = _root_visits(agent)
    b = _decide(agent, other, seed=5)
    assert a == b and _root_visits(agent) == first


def test_ismcts_never_reads_hidden_cards_in_poker():
    game = make_game("leduc_poker")
    state = game.new_state(0)
    state.apply(0)  # seat 0 holds card 0; seat 1 card 3
    state.apply(3)
    other = next(s for s in (state.determinize(0, random.Random(k)) for k in range(50))
                 if s.s.history()[1] != 3)  # the opponent holds another card
    agent = make_agent("ismcts(iterations=300)", game)
    a = _decide(agent, state, seed=2)
    first = _root_visits(agent)
    assert _decide(agent, other, seed=2) == a and _root_visits(agent) == first


def test_same_seed_same_search_other_seed_other_search():
    game, state = _dhumbal_midgame()
    agent = make_agent("ismcts(iterations=200)", game)
    _decide(agent, state, seed=1)
    one = _root_visits(agent)
    _decide(agent, state, seed=1)
    assert _root_visits(agent) == one
    _decide(agent, state, seed=2)
    assert _root_visits(agent) != one


@pytest.mark.parametrize("spec, game_name", [("mcts(iterations=37)", "connect_four"),
                                             ("ismcts(iterations=37)", "dhumbal")])
def test_iteration_budget_is_exact(spec, game_name):
    game = make_game(game_name)
    state = game.new_state(0)
    agent = make_agent(spec, game)
    _decide(agent, state)
    search = agent.last_search
    assert search.iterations == 37
    assert sum(c.visits for c in search.root.children.values()) == 37
    assert agent.budget.simulations == 37


def test_time_budget_stops_the_search():
    game = make_game("connect_four")
    agent = make_agent("mcts(iterations=0,time=0.05,reuse=false)", game)
    state = game.new_state(0)
    t0 = time.perf_counter()
    _decide(agent, state)
    elapsed = time.perf_counter() - t0
    assert agent.last_search.iterations > 10
    assert elapsed < 0.05 + 0.1  # one iteration past the deadline, with room for a slow CI
    assert agent.budget.time_per_move == 0.05


def test_tree_is_reused_below_the_moves_played():
    game, state = _connect_four([])
    agent = make_agent("mcts(iterations=300)", game)
    agent.start(0, random.Random(0))
    a = agent.act(SeatView(state, 0), state.legal_actions())
    state.apply(a)
    state.apply(3)  # the opponent's reply
    kept_visits = agent.last_search.root.children[a].children[3].visits
    assert kept_visits > 0
    agent.act(SeatView(state, 0), state.legal_actions())
    assert agent.last_search.root.visits == kept_visits + 300
    fresh = make_agent("mcts(iterations=300,reuse=false)", game)
    fresh.start(0, random.Random(0))
    fresh.act(SeatView(state, 0), state.legal_actions())
    assert fresh.last_search.root.visits == 300


def test_action_probabilities_are_the_root_visit_distribution():
    game, state = _dhumbal_midgame()
    agent = make_agent("ismcts(iterations=120)", game)
    agent.start(state.current_player, random.Random(4))
    view = SeatView(state, state.current_player)
    probs = agent.action_probabilities(view, state.legal_actions())
    visits = _root_visits(agent)
    total = sum(visits.values())
    assert set(probs) == set(state.legal_actions())
    assert sum(probs.values()) == pytest.approx(1.0)
    for a, p in probs.items():
        assert p == pytest.approx(visits.get(a, 0) / total)


def test_exploitability_of_ismcts_on_kuhn_is_a_number_between_zero_and_the_maximum():
    from games.openspiel.exploit import exploitability

    game = make_game("kuhn_poker")
    value = exploitability(game, make_agent("ismcts(iterations=400)", game))
    uniform = exploitability(game, make_agent("random", game))
    assert 0.0 <= value < uniform  # searching beats playing uniformly at random


@pytest.mark.parametrize("preset", ["paper", "standard", "yaniv"])
def test_ismcts_plays_dhumbal_to_the_end_under_every_preset(preset):
    from arena.play.match import GameJob, play

    job = GameJob("t", "dhumbal", preset, ("ismcts(iterations=20)", "random", "random",
                                           "random"), ("s", "r1", "r2", "r3"), seed=1)
    record = play(job)
    assert record.forfeit is None and not record.errors


@pytest.mark.parametrize("game_name", ["kuhn_poker", "leduc_poker", "holdem"])
def test_ismcts_plays_poker(game_name):
    from arena.play.match import GameJob, play

    for engine in ("arena", "openspiel") if game_name != "holdem" else ("arena",):
        job = GameJob("t", game_name, None, (f"ismcts(iterations=30,engine={engine})",
                                             "random"), ("s", "r"), seed=2)
        record = play(job)
        assert record.forfeit is None


@pytest.mark.parametrize("preset", ["paper", "standard", "yaniv"])
def test_dhumbal_playout_sheds_the_meld_worth_most(preset):
    from games.dhumbal.cards import MELD_BASE

    game = make_game("dhumbal", preset)
    rng = random.Random(0)
    for _ in range(3000):
        hand = 0
        for c in rng.sample(range(52), rng.randint(1, 5)):
            hand |= 1 << c
        acts, total = game.discard_options(hand)
        melds = [a for a in acts if a >= MELD_BASE]
        worth = {a: (sum(game.values[c] for c in game.meld_cards[a - MELD_BASE]),
                     len(game.meld_cards[a - MELD_BASE]), -a) for a in melds}
        assert game.shed_action(hand) == (max(melds, key=worth.get), total)


def test_action_probabilities_keep_the_tree_for_the_next_move():
    game, state = _connect_four([])
    agent = make_agent("mcts(iterations=200)", game)
    agent.start(0, random.Random(0))
    view = SeatView(state, 0)
    a = agent.act(view, state.legal_actions())
    kept = agent._kept
    agent.action_probabilities(view, state.legal_actions())
    assert agent._kept is kept and kept.action == a


@pytest.mark.parametrize("preset", ["paper", "standard"])
def test_dhumbal_prior_leaves_calls_to_the_search(preset):
    from games.dhumbal.cards import CALL

    game = make_game("dhumbal", preset)
    rng = random.Random(3)
    seen = {"call": 0, "other": 0}
    for seed in range(300):
        state = game.new_state(seed)
        while not state.is_terminal and sum(seen.values()) < 4000:
            legal = state.legal_actions()
            prior = state.prior_action(random.Random(seed))
            if legal[0] == CALL:  # a call is allowed: no lean either way
                assert prior is None
                seen["call"] += 1
            else:
                assert prior == state.playout_action(random.Random(seed))
                seen["other"] += 1
            state.apply(rng.choice(legal[1:]) if legal[0] == CALL else rng.choice(legal))
    assert seen["call"] > 20 and seen["other"] > 1000


def test_value_scale_ignores_the_units_of_the_returns():
    # The same game paid in units and in hundreds: the same search, visit for visit.
    trees = {}
    for unit in (1.0, 100.0):
        tree = {"root": (0, {0: "safe", 1: "coin"}),
                "coin": (CHANCE, {0: (0.55, "won"), 1: (0.45, "lost")}),
                "safe": (TERMINAL, {}), "won": (TERMINAL, {}), "lost": (TERMINAL, {})}
        game = _ToyGame(1, tree, {"safe": (0.5 * unit,), "won": (1.0 * unit,),
                                  "lost": (0.0,)})
        agent = make_agent("mcts(iterations=400)", game)
        _decide(agent, game.new_state(0))
        trees[unit] = {a: c.visits for a, c in agent.last_search.root.children.items()}
    assert trees[1.0] == trees[100.0]
