"""A learning environment on the batched Dhumbal: one learner seat per table, the other seats
played by batched heuristics (or frozen copies of a policy), every table stepped at once.

``step(actions)`` applies the learner's action at every table, then plays the other seats
until the learner is to move again (or its game is over), and resets finished tables in
place (auto-reset), so a rollout is a plain loop over tensors. Rewards are the reference
engine's returns at the end of the learner's game, scaled into [-1, 1] as ``ArenaGymEnv``
scales them (``reward="return"``), or its win share (``reward="win"``); under points scoring
a learner that goes out ends its episode there with its settled return. The learner's seat
and each other seat's opponent are drawn per game.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

from agents.heuristics.dhumbal_batched import (KINDS, discard_actions, heuristic_tables,
                                              pickup_actions)
from agents.heuristics.dhumbal_batched_expert import expert_actions
from games.dhumbal.batched import BatchedDhumbal
from games.dhumbal.game import DhumbalGame

OPPONENTS = KINDS + ("expert",)
"""The batched heuristics an opponent seat can be: the study's four and ``expert``."""

PolicyFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
"""(observations [k, D], legal masks [k, A]) -> actions [k]."""


@dataclass(frozen=True)
class LearnerReward:
    """What the learner is paid: at the end of its game, its return scaled into [-1, 1]
    (``"return"``) or its win share (``"win"``); with ``shaping`` (a discount), potential-
    based shaping with the game's estimate of the result as well (as ArenaGymEnv's
    ``shaping=gamma``)."""

    kind: str = "return"
    shaping: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("return", "win"):
            raise ValueError("reward: return or win")


class BatchedDhumbalEnv:
    def __init__(self, rules: str = DhumbalGame.default_preset, envs: int = 4096,
                 opponents: Sequence[str] = KINDS, device: str = "cpu", seed: int = 0,
                 reward: LearnerReward = LearnerReward(), compile: bool = False,
                 compact: float | None = None):
        for o in opponents:
            if o not in OPPONENTS:
                raise ValueError(f"batched opponent '{o}': one of {', '.join(OPPONENTS)}")
        self.game = DhumbalGame(preset=rules)
        self.env = BatchedDhumbal(rules, batch=envs, device=device, seed=seed, compile=compile)
        heuristic_tables(self.env)  # made before any compiled code reads them
        compiled = functools.partial(torch.compile, dynamic=False) if compile else (
            lambda f: f)
        self._discard, self._pickup = compiled(discard_actions), compiled(pickup_actions)
        self.B, self.n, self.device = envs, self.env.n, self.env.device
        self.gen = torch.Generator(device=self.device)
        self.gen.manual_seed(seed + 1)
        lo, hi = self.game.return_bounds()
        self.scale = 1.0 / max(abs(lo), abs(hi))
        self.reward_kind, self.shaping = reward.kind, reward.shaping
        self.compact = compact if compact is not None else (
            0.25 if self.device.type == "cpu" else 0.0)
        """Opponents' passes that move at most this share of the tables step only those
        (0: always every table). Default: a quarter on a CPU, where work grows with the
        tables a pass touches; none on a GPU, where a pass over every table costs little
        more than the launches a small pass needs as well."""
        self.opponents: list[str] = list(opponents)
        # Each opponent's study heuristic (its index in KINDS), -1 for the expert.
        self._kind_index = torch.tensor([KINDS.index(o) if o in KINDS else -1
                                         for o in opponents], device=self.device)
        self.policies: list[PolicyFn] = []
        """Frozen policies that can take an opponent seat (self-play snapshots)."""
        self.seat = torch.zeros(envs, dtype=torch.long, device=self.device)
        self.who = torch.zeros(envs, self.n, dtype=torch.long, device=self.device)
        self.episodes = 0
        self._opponent_moves = 0
        self._learner_moves = torch.zeros((), dtype=torch.long, device=self.device)
        # The learner's observations and legal moves: written in place at every step.
        self._obs = torch.empty(envs, self.env.encoding_size, device=self.device)
        self._legal = torch.empty(envs, self.env.num_actions, dtype=torch.bool,
                                  device=self.device)
        self._new_games(torch.ones(envs, dtype=torch.bool, device=self.device), reset=False)
        self._advance()
        self.phi = self._potential()

    @property
    def num_actions(self) -> int:
        return self.env.num_actions

    @property
    def obs_size(self) -> int:
        return self.env.encoding_size

    @property
    def moves(self) -> int:
        """Moves made so far at all tables together, every seat's (the learner's and its
        opponents'): the game's own steps, as batched game environments count them."""
        return self._opponent_moves + int(self._learner_moves)

    def add_policy(self, fn: PolicyFn) -> None:
        """A frozen policy joins the opponents (drawn like any other)."""
        self.policies.append(fn)

    def _new_games(self, mask: torch.Tensor, reset: bool = True) -> None:
        if reset:
            self.env.reset(mask)
        k = int(mask.sum())
        if not k:
            return
        self.seat[mask] = torch.randint(self.n, (k,), generator=self.gen, device=self.device)
        choices = len(self.opponents) + len(self.policies)
        self.who[mask] = torch.randint(choices, (k, self.n), generator=self.gen,
                                       device=self.device)

    def _play_opponents(self, moving: torch.Tensor, count: int) -> None:
        """One move at every table in ``moving`` (``count`` of them), by the opponent to
        move there. When few tables move (at most ``compact`` of the batch), only those
        are stepped, as a batch of their own: the last passes of a step (a round that ended
        and a new one whose first players are opponents) then cost what they move, not a
        pass over every table. Compiled, that batch is padded to one of a few sizes (64
        tables times a power of 4; the padding does not move), each with its graphs. Either
        way the same moves and the same random numbers."""
        u = torch.rand(self.B, generator=self.gen, device=self.device, dtype=torch.float64)
        if count <= self.compact * self.B:
            idx = moving.nonzero().squeeze(1)
            rows, where = self.env.pad(idx)
            env, who, u = self.env.subset(rows), self.who[rows], u[rows]
        else:
            idx, env, who, where = None, self.env, self.who, moving
        t = env.t
        cur = t.current.clamp(min=0)
        kind = who.gather(1, cur.unsqueeze(1)).squeeze(1)
        live = t.current >= 0 if where is None else where
        heuristic = live & (kind < len(self.opponents))
        kinds = self._kind_index[kind.clamp(max=len(self.opponents) - 1)]
        expert = heuristic & (kinds < 0)
        study, kinds = heuristic & (kinds >= 0), kinds.clamp(min=0)
        # Each phase's heuristics only where a table is in that phase (the tables of a pass
        # are mostly in one phase).
        discard = study & (t.phase == 0)
        actions = self._discard(env, kinds, u, discard) if discard.any() else \
            torch.zeros_like(kinds)
        pickup = study & (t.phase == 1)
        if pickup.any():
            actions = torch.where(pickup, self._pickup(env, kinds, pickup), actions)
        if expert.any():
            rows = expert.nonzero().squeeze(1)
            actions[rows] = expert_actions(env, rows, self.gen)
        seen = None  # the movers' observations and legal moves, made once if a policy plays
        for j, fn in enumerate(self.policies):
            sel = live & (kind == len(self.opponents) + j)
            if sel.any():
                if seen is None:
                    seen = env.encode(cur), env.legal_mask()
                rows = sel.nonzero().squeeze(1)
                actions[rows] = fn(seen[0][rows], seen[1][rows])
        env.step(actions, where)
        if idx is not None:
            self.env.merge(idx, env)

    def _advance(self, done: torch.Tensor | None = None,
                 value: torch.Tensor | None = None) -> None:
        """Play the other seats until the learner is to move or its game is over. With
        ``done`` and ``value`` ([B] bool and float64, filled in): a learner's game that is
        over (or that the learner is out of) is marked done, its reward value kept, and a
        new game started at once, whose opponents move in the same passes, so one loop
        serves every table however its game went (a second game that ends before the
        learner's first move waits, over, for the next step)."""
        t = self.env.t
        for _ in range(64 * self.n + 1):
            learner_in = self._learner_in()
            if done is not None and value is not None:
                ended = ~done & ((t.current < 0) | ~learner_in)
                if ended.any():
                    rows = ended.nonzero().squeeze(1)
                    value.index_copy_(0, rows, self._final_value(rows))
                    done |= ended
                    self.episodes += rows.numel()
                    self._new_games(ended)
                    learner_in = self._learner_in()
            moving = (t.current >= 0) & (t.current != self.seat) & learner_in
            count = int(moving.sum())
            if not count:
                return
            self._play_opponents(moving, count)
            self._opponent_moves += count
        raise RuntimeError("opponents did not hand the move back")  # pragma: no cover

    def _final_value(self, rows: torch.Tensor) -> torch.Tensor:
        """The learner's reward for its game at tables ``rows`` [k], were it over now."""
        if self.reward_kind == "return":
            seat = self.seat.index_select(0, rows).unsqueeze(1)
            return self.env.returns(rows).gather(1, seat).squeeze(1) * self.scale
        return self.win_share(rows)

    def _learner_in(self) -> torch.Tensor:
        return self.env.t.active.gather(1, self.seat.unsqueeze(1)).squeeze(1)

    def observe(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(observations [B, D] of the learner's seat, legal masks [B, A]). They are the
        environment's own buffers, written again by the next ``step``: copy what you keep
        (a rollout buffer does)."""
        return self.env.encode(self.seat, out=self._obs), self.env.legal_mask(out=self._legal)

    def step(self, actions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor,
                                                  torch.Tensor]:
        """(observations, legal masks, rewards [B], dones [B]) after the learner's
        ``actions`` [B] (finished tables start new games)."""
        t = self.env.t
        playing = t.current >= 0
        self._learner_moves += playing.sum()
        self.env.step(actions, playing)
        done = torch.zeros(self.B, dtype=torch.bool, device=self.device)
        value = torch.zeros(self.B, dtype=torch.float64, device=self.device)
        self._advance(done, value)
        reward = torch.where(done, value, 0.0)
        if self.shaping is not None:
            # Potential-based: the end of a game pays back the potential it was paid; a new
            # game's potential starts its own account.
            phi = self._potential()
            reward = reward + torch.where(done, -self.phi, self.shaping * phi - self.phi)
            self.phi = phi
        obs, legal = self.observe()
        return obs, legal, reward.float(), done

    def _potential(self) -> torch.Tensor:
        if self.shaping is None:
            return torch.zeros(self.B, dtype=torch.float64, device=self.device)
        est = self.env.estimated_returns().gather(1, self.seat.unsqueeze(1)).squeeze(1)
        est = est * self.scale
        return est if self.reward_kind == "return" else (est + 1.0) / 2.0

    def win_share(self, rows: torch.Tensor | None = None) -> torch.Tensor:
        """The learner's win share [B] where its game is over (1 / number of winners), 0
        elsewhere; with ``rows`` (long [k]), only at those tables: [k]."""
        rows = self.env.ar if rows is None else rows
        ret = self.env.returns(rows)
        best = ret.max(1, keepdim=True).values
        top = ret == best
        mine = top.gather(1, self.seat.index_select(0, rows).unsqueeze(1)).squeeze(1)
        share = mine.double() / top.sum(1).double()
        over = self.env.t.current.index_select(0, rows) < 0
        return torch.where(over, share, torch.zeros_like(share))
