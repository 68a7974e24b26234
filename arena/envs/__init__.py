"""Every arena game as a reinforcement-learning environment.

- ``ArenaAECEnv``: a PettingZoo AEC environment (all seats learn or are played from outside);
  each observation is ``{"observation": encode(seat), "action_mask": int8 mask}`` as in
  PettingZoo's classic games.
- ``ArenaGymEnv``: a Gymnasium single-agent environment: the learner holds one seat (rotating
  from episode to episode), the other seats are played by arena agents drawn per episode
  from an ``OpponentPool`` (fixed specs, a pool, snapshots of the learner for self-play).

Both step the game through its own ``State``; the observation is the game's ``encode`` (the
very encoder an arena agent built on a checkpoint plays with), the action space the game's
fixed action space, seeds flow from ``reset(seed=...)`` through ``derive_seed`` exactly as a
match derives them from its job seed.
"""

from arena.envs.gym_env import ArenaGymEnv, OpponentPool, scaled_return
from arena.envs.pettingzoo_env import ArenaAECEnv, seat_name

__all__ = ["ArenaAECEnv", "ArenaGymEnv", "OpponentPool", "scaled_return", "seat_name"]
