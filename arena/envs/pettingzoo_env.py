"""A PettingZoo AEC environment for any arena game."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
from gymnasium import spaces
from pettingzoo import AECEnv

from arena.core.errors import ArenaError, IllegalActionError
from arena.core.game import CHANCE, TERMINAL, Game, State, draw_chance
from arena.core.registry import make_game
from arena.core.seeding import derive_rng, derive_seed


def seat_name(seat: int) -> str:
    """The PettingZoo agent name of a seat: ``player_0``, ``player_1``, ..."""
    return f"player_{seat}"


def observation_space(game: Game) -> spaces.Dict:
    """``{"observation": Box(encoding_shape, float32), "action_mask": Box(0, 1, int8)}``."""
    return spaces.Dict({
        "observation": spaces.Box(-np.inf, np.inf, shape=game.encoding_shape, dtype=np.float32),
        "action_mask": spaces.Box(0, 1, shape=(game.num_actions,), dtype=np.int8),
    })


def legal_mask(state: State, num_actions: int) -> np.ndarray:
    """The int8 mask of the legal actions of the player to move."""
    mask = np.zeros(num_actions, dtype=np.int8)
    mask[list(state.legal_actions())] = 1
    return mask


def resolve_chance(state: State, rng: random.Random) -> None:
    """Draw chance outcomes (as a match does) until a player is to move or the game ends."""
    while state.current_player == CHANCE:
        state._apply(draw_chance(state, rng))


class ArenaAECEnv(AECEnv):
    """An arena game as a PettingZoo AEC environment.

    Agents are ``player_0`` .. ``player_{n-1}`` (seat order). Rewards are paid at the end:
    each seat's return in the game's units (``scale=True``: divided by the largest absolute
    return bound, so they lie in [-1, 1]). An illegal action raises ``IllegalActionError``
    (use the action mask). ``reset(seed=s)`` deals as a match with job seed ``s`` does.
    """

    metadata: dict[str, Any] = {"render_modes": ["ansi", "human"], "is_parallelizable": False}

    def __init__(self, game: "Game | str", rules: str | None = None, *, scale: bool = False,
                 render_mode: str | None = None):
        super().__init__()
        self.game = game if isinstance(game, Game) else make_game(game, rules)
        if int(np.prod(self.game.encoding_shape)) == 0:
            raise ArenaError(f"{self.game.name} has no observation encoding "
                             "(encoding_shape is empty): it cannot be a learning environment")
        if render_mode not in (None, *self.metadata["render_modes"]):
            raise ValueError(f"render_mode {render_mode!r}: use one of "
                             f"{self.metadata['render_modes']}")
        self.render_mode = render_mode
        self.metadata = {**self.metadata, "name": f"arena_{self.game.name}_v0"}
        n = self.game.num_players
        self.possible_agents = [seat_name(s) for s in range(n)]
        self._seat = {name: s for s, name in enumerate(self.possible_agents)}
        space = observation_space(self.game)
        self.observation_spaces = {a: space for a in self.possible_agents}
        self.action_spaces = {a: spaces.Discrete(self.game.num_actions)
                              for a in self.possible_agents}
        self._scale = 1.0
        if scale:
            lo, hi = self.game.return_bounds()
            self._scale = 1.0 / max(abs(lo), abs(hi), 1e-12)
        self._seeds = random.Random()
        self.state: State | None = None

    def observation_space(self, agent: str) -> spaces.Space:
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> spaces.Space:
        return self.action_spaces[agent]

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        if seed is not None:
            self._seeds.seed(seed)
            episode = int(seed)
        else:
            episode = self._seeds.getrandbits(63)
        self.episode_seed = episode
        self.state = self.game.new_state(derive_seed(episode, "deal"))
        self._chance = derive_rng(episode, "chance")
        resolve_chance(self.state, self._chance)
        self.agents = list(self.possible_agents)
        self.rewards = {a: 0.0 for a in self.agents}
        self._cumulative_rewards = {a: 0.0 for a in self.agents}
        self.terminations = {a: False for a in self.agents}
        self.truncations = {a: False for a in self.agents}
        self.infos: dict[str, dict[str, Any]] = {a: {} for a in self.agents}
        self._select()

    def _select(self) -> None:
        assert self.state is not None
        p = self.state.current_player
        if p == TERMINAL:
            # The game is over: the dead steps go round every seat still listed.
            self.agent_selection = self.agents[0]
        else:
            self.agent_selection = seat_name(p)

    def observe(self, agent: str) -> dict[str, np.ndarray]:
        assert self.state is not None, "reset() first"
        seat = self._seat[agent]
        obs = np.asarray(self.state.encode(seat), dtype=np.float32)
        if self.state.current_player == seat:
            mask = legal_mask(self.state, self.game.num_actions)
        else:
            mask = np.zeros(self.game.num_actions, dtype=np.int8)
        return {"observation": obs, "action_mask": mask}

    def step(self, action: int | None) -> None:
        agent = self.agent_selection
        if self.terminations[agent] or self.truncations[agent]:
            self._was_dead_step(action)
            if self.agents:
                self.agent_selection = self.agents[0]
            return
        state = self.state
        assert state is not None
        if action is None:
            raise IllegalActionError(f"{agent} is to move: step(None) is only for a seat "
                                     "whose game is over")
        self._cumulative_rewards[agent] = 0.0
        state.apply(int(action))  # IllegalActionError names the legal moves
        resolve_chance(state, self._chance)
        self._clear_rewards()
        if state.current_player == TERMINAL:
            returns = state.returns()
            for a in self.agents:
                self.rewards[a] = float(returns[self._seat[a]]) * self._scale
                self.terminations[a] = True
        self._accumulate_rewards()
        self._select()
        if self.render_mode == "human":
            print(self.render())

    def render(self) -> str | None:
        if self.render_mode is None or self.state is None:
            return None
        p = self.state.current_player
        return self.state.text(p if p >= 0 else 0)

    def close(self) -> None:
        pass
