"""A Gymnasium single-agent environment for any arena game: the learner holds one seat, arena
agents play the others."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from arena.core.agent import Agent, SeatView
from arena.core.errors import ArenaError, IllegalActionError
from arena.core.game import CHANCE, TERMINAL, Game, State, draw_chance
from arena.core.registry import make_agent, make_game
from arena.core.seeding import derive_rng, derive_seed
from arena.core.spec import parse_spec

Reward = Literal["return", "win"]
REWARDS: tuple[str, ...] = ("return", "win")
ILLEGAL: tuple[str, ...] = ("forfeit", "raise")


def scaled_return(game: Game) -> float:
    """The factor that brings the game's returns into [-1, 1]: 1 / the largest absolute
    return bound (Dhumbal's coin returns span hundreds; its point returns and poker's chips
    less)."""
    lo, hi = game.return_bounds()
    return 1.0 / max(abs(lo), abs(hi), 1e-12)


class OpponentPool:
    """The agents the other seats are drawn from: each seat independently per episode, with
    probability proportional to its weight. One spec makes a fixed opponent; several, a pool;
    ``add`` puts in snapshots of the learner (self-play), keeping the ``max_snapshots``
    newest. Specs are checked when the pool is made (unknown names fail at once)."""

    def __init__(self, specs: Sequence[str], weights: Sequence[float] | None = None,
                 max_snapshots: int = 10):
        if not specs:
            raise ArenaError("the opponent pool is empty: give at least one agent spec")
        self.specs = [str(parse_spec(s)) for s in specs]
        self.weights = [1.0] * len(self.specs) if weights is None else [float(w) for w in weights]
        if len(self.weights) != len(self.specs) or min(self.weights) <= 0:
            raise ArenaError("opponent weights: one positive weight per spec")
        self.fixed = len(self.specs)
        self.max_snapshots = max_snapshots

    def add(self, spec: str, weight: float = 1.0) -> None:
        """Add a snapshot (e.g. ``ppo(path=...)``); the oldest snapshot leaves when more than
        ``max_snapshots`` are held. The fixed specs always stay."""
        self.specs.append(str(parse_spec(spec)))
        self.weights.append(float(weight))
        if len(self.specs) - self.fixed > self.max_snapshots:
            del self.specs[self.fixed], self.weights[self.fixed]

    def draw(self, rng: np.random.Generator, k: int) -> list[str]:
        p = np.asarray(self.weights) / sum(self.weights)
        return [self.specs[i] for i in rng.choice(len(self.specs), size=k, p=p)]


class ArenaGymEnv(gym.Env):
    """An arena game for one learner; the other seats are arena agents.

    - Observation: the learner's ``encode`` (float32); action: the game's fixed action
      space. ``action_masks()`` (sb3-contrib's MaskablePPO reads it) and
      ``info["action_mask"]`` give the legal moves.
    - Episodes: ``reset(seed=s)`` starts a stream of episodes; each draws its own seed from
      it (the game is dealt, chance drawn and opponents seeded from that seed as in a
      match), its opponents from ``opponents`` and, with ``seat="rotate"``, the learner's
      seat in turn 0, 1, ..., n-1, 0, ... (an int fixes it).
    - Reward, paid at the end: ``"return"`` the learner's return scaled into [-1, 1]
      (``scaled_return``), ``"win"`` its win share. An illegal action forfeits the game
      (``illegal="forfeit"``: the lowest return, no win, ``info["illegal"]``), as a match
      scores it, or raises (``"raise"``).
    - ``shaping=gamma`` (0 < gamma <= 1; None: off) adds potential-based shaping (Ng, Harada
      and Russell, 1999) with the game's own ``estimated_returns`` as the potential: each
      step also pays ``gamma * phi(next) - phi(now)`` (scaled as the return), where phi is
      0 at the end. It leaves the best policies unchanged (with PPO/DQN's discount equal to
      ``gamma``) and in games played in rounds pays as each round ends, not only at the
      end of the game. ``info["game_return"]`` and ``info["win_share"]`` at the end are the
      unshaped result.
    """

    metadata = {"render_modes": ["ansi"]}

    def __init__(self, game: "Game | str", opponents: "OpponentPool | Sequence[str]" = ("random",),
                 *, rules: str | None = None, seat: "int | str" = "rotate",
                 reward: Reward = "return", illegal: str = "forfeit",
                 shaping: float | None = None, render_mode: str | None = None):
        super().__init__()
        self.game = game if isinstance(game, Game) else make_game(game, rules)
        n = self.game.num_players
        if seat != "rotate" and not (isinstance(seat, int) and 0 <= seat < n):
            raise ArenaError(f"seat {seat!r}: use 'rotate' or a seat from 0 to {n - 1}")
        if reward not in REWARDS:
            raise ArenaError(f"reward {reward!r}: use one of {', '.join(REWARDS)}")
        if illegal not in ILLEGAL:
            raise ArenaError(f"illegal {illegal!r}: use one of {', '.join(ILLEGAL)}")
        if shaping is not None and not 0.0 < shaping <= 1.0:
            raise ArenaError(f"shaping {shaping!r}: a discount in (0, 1], or None for none")
        if int(np.prod(self.game.encoding_shape)) == 0:
            raise ArenaError(f"{self.game.name} has no observation encoding "
                             "(encoding_shape is empty): it cannot be a learning environment")
        if render_mode not in (None, "ansi"):
            raise ArenaError(f"render_mode {render_mode!r}: use 'ansi' or None")
        self.pool = opponents if isinstance(opponents, OpponentPool) else OpponentPool(opponents)
        self.seat_mode, self.reward_mode, self.illegal = seat, reward, illegal
        self.shaping = shaping
        self._phi = 0.0
        self.render_mode = render_mode
        self.observation_space = spaces.Box(-np.inf, np.inf, shape=self.game.encoding_shape,
                                            dtype=np.float32)
        self.action_space = spaces.Discrete(self.game.num_actions)
        self._scale = scaled_return(self.game)
        self._low = self.game.return_bounds()[0]
        self._agents: dict[tuple[str, int], Agent] = {}
        self._episode = 0
        self.state: State | None = None
        self._mask: np.ndarray | None = None
        self.seat = 0
        self.opponents: list[str] = []

    # -- opponents ------------------------------------------------------------------------
    def add_opponent(self, spec: str, weight: float = 1.0) -> None:
        """Add a snapshot to the pool (``VecEnv.env_method("add_opponent", spec)``)."""
        self.pool.add(spec, weight)

    def _agent(self, spec: str, slot: int) -> Agent:
        key = (spec, slot)
        agent = self._agents.get(key)
        if agent is None:
            agent = self._agents[key] = make_agent(spec, self.game)
        return agent

    # -- the Gymnasium API ----------------------------------------------------------------
    def reset(self, *, seed: int | None = None,
              options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        if seed is not None:
            self._episode = 0
        n = self.game.num_players
        self.seat = self._episode % n if self.seat_mode == "rotate" else int(self.seat_mode)
        self._episode += 1
        # A deal that ends before the learner has a move (in poker the others may fold
        # first) gives it nothing to learn: the next deal of the stream is played instead.
        while True:
            self._deal(int(self.np_random.integers(2 ** 63 - 1)))
            if self.state is not None and self.state.current_player != TERMINAL:
                self._phi = self._potential()
                return self._obs(), self._info()

    def _deal(self, episode: int) -> None:
        n = self.game.num_players
        self._mask = None
        self.episode_seed = episode
        others = [s for s in range(n) if s != self.seat]
        drawn = self.pool.draw(self.np_random, len(others))
        self.opponents = drawn
        self.state = state = self.game.new_state(derive_seed(episode, "deal"))
        self._chance = derive_rng(episode, "chance")
        self._settled: tuple[float, float] | None = None
        self._views = [SeatView(state, s) for s in range(n)]
        self._seated: list[Agent | None] = [None] * n
        self._spec_of = dict(zip(others, drawn))
        for slot, (s, spec) in enumerate(zip(others, drawn)):
            agent = self._seated[s] = self._agent(spec, slot)
            agent.start(s, derive_rng(episode, "agent", s))
        self._advance()

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        state = self.state
        if state is None or state.current_player == TERMINAL:
            raise ArenaError("step() after the end of an episode: call reset()")
        legal = state.legal_actions()
        action = int(action)
        if action not in legal:
            if self.illegal == "raise":
                raise IllegalActionError(
                    f"{self.game.name}: action {action} is not legal for the learner; legal: "
                    f"{list(legal)} (see action_masks())")
            info = self._info()
            info["illegal"] = True
            self.state, self._mask = None, None
            reward = self._low * self._scale if self.reward_mode == "return" else 0.0
            return (np.asarray(state.encode(self.seat), dtype=np.float32), float(reward), True,
                    False, info)
        state._apply(action)
        self._mask = None
        self._advance()
        if self._settled is not None:
            game_return, win_share = self._settled
            return self._end(state, game_return, win_share)
        if state.current_player != TERMINAL:
            shaped = 0.0
            if self.shaping is not None:
                phi = self._potential()
                shaped, self._phi = self.shaping * phi - self._phi, phi
            return self._obs(), shaped, False, False, self._info()
        outcome = state.outcome()
        for s, agent in enumerate(self._seated):
            if agent is not None:
                agent.finish(self._views[s], outcome)
        return self._end(state, float(outcome.returns[self.seat]),
                         float(outcome.win_shares[self.seat]))

    def _end(self, state: State, game_return: float,
             win_share: float) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """The last step of an episode: the game ended, or the learner's result is settled
        (``State.settled_result``: out of a game the others play on)."""
        reward = game_return * self._scale if self.reward_mode == "return" else win_share
        if self.shaping is not None:
            reward -= self._phi  # the potential of the end is 0
        obs = self._obs()
        info = self._info()
        info.update(win_share=win_share, game_return=game_return)
        self.state, self._mask = None, None
        return obs, float(reward), True, False, info

    def action_masks(self) -> np.ndarray:
        """Legal moves of the learner as a read-only bool mask (all False once the game is
        over); computed once per step."""
        if self._mask is None:
            mask = np.zeros(self.game.num_actions, dtype=bool)
            state = self.state
            if state is not None and state.current_player == self.seat:
                mask[list(state.legal_actions())] = True
            mask.flags.writeable = False
            self._mask = mask
        return self._mask

    def render(self) -> str | None:
        if self.render_mode != "ansi" or self.state is None:
            return None
        return self.state.text(self.seat)

    # -- internals ------------------------------------------------------------------------
    def _advance(self) -> None:
        """Play chance and the other seats until the learner is to move or the game ends."""
        state, me, seated, views = self.state, self.seat, self._seated, self._views
        assert state is not None
        while True:
            p = state.current_player
            if p == me or p == TERMINAL:
                return
            settled = state.settled_result(me)
            if settled is not None:
                self._settled = settled
                return
            if p == CHANCE:
                state._apply(draw_chance(state, self._chance))
                continue
            legal = state.legal_actions()
            a = seated[p].act(views[p], legal)  # type: ignore[union-attr]
            if a not in legal:
                raise IllegalActionError(
                    f"opponent {self._spec_of[p]} in seat {p} chose the illegal action {a}")
            state._apply(a)

    def _potential(self) -> float:
        """The learner's ``estimated_returns`` on the reward's scale (win: into [0, 1])."""
        assert self.state is not None
        est = float(self.state.estimated_returns()[self.seat]) * self._scale
        return est if self.reward_mode == "return" else (est + 1.0) / 2.0

    def _obs(self) -> np.ndarray:
        assert self.state is not None
        return np.asarray(self.state.encode(self.seat), dtype=np.float32)

    def _info(self) -> dict[str, Any]:
        return {"action_mask": self.action_masks().copy(), "seat": self.seat}
