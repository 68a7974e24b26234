"""Trained policies as arena agents: ``ppo(path=...)``, ``dqn(path=...)`` and the shipped
``ppo-dhumbal``.

An agent plays from the seat's ``encode()``, the very encoder the environment trained it on
(``arena.envs``), and chooses among the legal moves only: illegal moves are masked out of the
policy's distribution (PPO) or of the Q-values (DQN). The checkpoint's metadata is checked
against the game when the agent is made (``agents.rl.checkpoint``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from arena.core.agent import Agent, SeatView
from arena.core.errors import ArenaError
from arena.core.params import param

from agents.rl.checkpoint import CheckpointError, check_meta, load_policy

SHIPPED = Path(__file__).parent / "checkpoints"
"""Checkpoints that come with the arena (``ppo-dhumbal``)."""

_cache: dict[tuple[str, str, float, int], tuple[dict[str, Any], Any]] = {}


def _load(path: str, game: Any, algorithm: str, check_version: bool) -> tuple[dict, Any]:
    """The checkpoint at ``path``, loaded once per process (and again if the file changes)."""
    try:
        stat = os.stat(path)
    except OSError:
        raise CheckpointError(f"checkpoint {path!r} not found") from None
    key = (os.path.abspath(path), algorithm, stat.st_mtime, stat.st_size)
    hit = _cache.get(key)
    if hit is None:
        meta, policy = load_policy(path, game, algorithm, check_version)
        hit = _cache[key] = (meta, policy)
    else:
        check_meta(hit[0], game, algorithm, path, check_version)
    return hit


@dataclass(frozen=True)
class PolicyParams:
    path: str = param("", "checkpoint file written by 'arena train' (DIR/final.ckpt)")
    greedy: bool = param(True, "play the policy's most likely legal move (false: sample "
                               "from it with the agent's seeded generator)")
    check_version: bool = param(True, "refuse a checkpoint written by another arena version")


class _PolicyAgent(Agent):
    algorithm: ClassVar[str] = ""
    default_path: ClassVar[str] = ""
    Params = PolicyParams

    def __init__(self, params: PolicyParams, game: Any):
        super().__init__(params, game)
        path = params.path or self.default_path
        if not path:
            raise ArenaError(f"agent '{self.name}' needs a checkpoint: "
                             f"{self.name}(path=DIR/final.ckpt)")
        try:
            import sb3_contrib  # noqa: F401 - the network classes come from it
            import torch
        except ImportError as exc:
            raise ArenaError(f"agent '{self.name}' needs the rl extra ({exc.name} is "
                             "missing): pip install -e '.[rl]' (scripts/setup rl)") from None
        self._torch = torch
        self.meta, self.policy = _load(path, game, self.algorithm, params.check_version)
        self.num_actions = game.num_actions

    def _scores(self, view: SeatView) -> np.ndarray:
        """The network's per-action scores (logits or Q-values) for this seat's view."""
        raise NotImplementedError

    def _masked(self, view: SeatView, legal: Sequence[int]) -> np.ndarray:
        scores = self._scores(view)
        out = np.full(self.num_actions, -np.inf)
        idx = np.fromiter(legal, dtype=np.int64)
        out[idx] = scores[idx]
        return out

    def act(self, view: SeatView, legal: Sequence[int]) -> int:
        if len(legal) == 1:
            return legal[0]
        scores = self._masked(view, legal)
        if self.params.greedy or self.algorithm == "dqn":
            return int(np.argmax(scores))
        probs = _softmax(scores)
        u = self.rng.random()
        return int(min(np.searchsorted(np.cumsum(probs), u, side="right"), self.num_actions - 1))

    def action_probabilities(self, view: SeatView, legal: Sequence[int]) -> dict[int, float]:
        scores = self._masked(view, legal)
        if self.params.greedy or self.algorithm == "dqn":
            best = int(np.argmax(scores))
            return {a: float(a == best) for a in legal}
        probs = _softmax(scores)
        return {a: float(probs[a]) for a in legal}


def _softmax(scores: np.ndarray) -> np.ndarray:
    e = np.exp(scores - scores.max())
    return e / e.sum()


class PpoAgent(_PolicyAgent):
    """A policy trained with masked PPO by 'arena train ppo' (path=its checkpoint)."""

    name = "ppo"
    algorithm = "ppo"

    def _scores(self, view: SeatView) -> np.ndarray:
        torch, policy = self._torch, self.policy
        with torch.inference_mode():
            obs = torch.as_tensor(np.asarray(view.encode(), dtype=np.float32)).unsqueeze(0)
            features = policy.extract_features(obs, policy.pi_features_extractor)
            logits = policy.action_net(policy.mlp_extractor.forward_actor(features))
        return logits[0].numpy().astype(np.float64)


class DqnAgent(_PolicyAgent):
    """A Q-network trained by 'arena train dqn': the legal move of highest Q."""

    name = "dqn"
    algorithm = "dqn"

    def _scores(self, view: SeatView) -> np.ndarray:
        torch = self._torch
        with torch.inference_mode():
            obs = torch.as_tensor(np.asarray(view.encode(), dtype=np.float32)).unsqueeze(0)
            q = self.policy.q_net(obs)
        return q[0].numpy().astype(np.float64)


class PpoDhumbal(PpoAgent):
    """The shipped PPO policy for Dhumbal, standard rules, 4 players.

    Made by scripts/train-ppo-dhumbal; ``path`` may name another checkpoint."""

    name = "ppo-dhumbal"
    games = ("dhumbal",)
    default_path = str(SHIPPED / "ppo-dhumbal-standard.ckpt")
