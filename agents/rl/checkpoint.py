"""Checkpoints of trained policies: one file holding the network's weights and what it was
trained on, loaded without running code from the file.

A checkpoint is ``torch.save({"meta": {...}, "state_dict": {...}})`` with plain values and
tensors only, read back with ``torch.load(weights_only=True)``: PyTorch's restricted
unpickler, which builds tensors and plain containers and refuses anything else (no classes,
no functions). The network is rebuilt from the installed stable-baselines3 / sb3-contrib
classes and the architecture named in the metadata, then the weights are loaded into it.
(stable-baselines3's own ``.zip`` files, by contrast, unpickle Python objects with
cloudpickle: loading one runs code from it.)
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arena import __version__
from arena.core.errors import ArenaError

if TYPE_CHECKING:  # pragma: no cover
    import torch

    from arena.core.game import Game

FORMAT = "arena-checkpoint"
FORMAT_VERSION = 1
ALGORITHMS = ("ppo", "dqn")
ACTIVATIONS = ("tanh", "relu")


class CheckpointError(ArenaError):
    """A checkpoint that cannot be read, or was trained for something else."""


def game_meta(game: "Game") -> dict[str, Any]:
    """What a checkpoint must match to play ``game``: name, rules, encoding, action count."""
    return {"game": game.name, "rules": game.preset, "settings": _plain(game.settings()),
            "encoding_shape": list(game.encoding_shape), "num_actions": game.num_actions}


def _plain(value: Any) -> Any:
    """JSON-like plain data (what the weights-only loader accepts)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def save_checkpoint(path: "str | os.PathLike[str]", policy: "torch.nn.Module", game: "Game",
                    algorithm: str, net_arch: list[int], activation: str,
                    extra: dict[str, Any] | None = None) -> Path:
    """Write ``policy``'s weights and metadata to ``path`` (atomically: a temporary file
    renamed into place, so a crash never leaves half a checkpoint)."""
    import torch

    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm {algorithm!r}: one of {ALGORITHMS}")
    meta = {"format": FORMAT, "format_version": FORMAT_VERSION, "algorithm": algorithm,
            "arena_version": __version__, **game_meta(game), "net_arch": list(net_arch),
            "activation": activation,
            "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            **_plain(extra or {})}
    state = {k: v.detach().cpu().clone() for k, v in policy.state_dict().items()}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save({"meta": meta, "state_dict": state}, tmp)
    os.replace(tmp, path)
    return path


def read_checkpoint(path: "str | os.PathLike[str]") -> tuple[dict[str, Any], dict[str, Any]]:
    """(meta, state_dict) of a checkpoint, read weights-only; CheckpointError if it is not
    one."""
    import pickle

    import torch

    p = Path(path)
    if not p.is_file():
        raise CheckpointError(f"checkpoint {str(path)!r} not found")
    try:
        data = torch.load(p, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CheckpointError(f"{p}: not an arena checkpoint ({first[:160]})") from None
    if not isinstance(data, dict) or not isinstance(data.get("meta"), dict) \
            or data["meta"].get("format") != FORMAT or "state_dict" not in data:
        raise CheckpointError(f"{p}: not an arena checkpoint (no {FORMAT} metadata)")
    meta = data["meta"]
    if meta.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(f"{p}: checkpoint format {meta.get('format_version')}, this "
                              f"arena reads format {FORMAT_VERSION}")
    return meta, data["state_dict"]


def check_meta(meta: dict[str, Any], game: "Game", algorithm: str, path: str,
               check_version: bool = True) -> None:
    """A one-line CheckpointError where the checkpoint was trained for something else."""
    if meta.get("algorithm") != algorithm:
        raise CheckpointError(f"{path}: a {meta.get('algorithm')} checkpoint, not {algorithm}")
    want = game_meta(game)
    for key, what in (("game", "game"), ("rules", "rules preset"), ("settings", "rules"),
                      ("encoding_shape", "observation encoding"),
                      ("num_actions", "action count")):
        if meta.get(key) != want[key]:
            raise CheckpointError(
                f"{path}: trained for {what} {meta.get(key)!r}, this game has {want[key]!r}")
    if check_version and meta.get("arena_version") != __version__:
        raise CheckpointError(
            f"{path}: trained with arena {meta.get('arena_version')}, this is {__version__} "
            "(its encoding may differ; pass check_version=false to load it anyway)")


def build_policy(meta: dict[str, Any], game: "Game") -> "torch.nn.Module":
    """The network named by ``meta`` (untrained), from the installed libraries' classes."""
    import torch
    from gymnasium import spaces

    import numpy as np

    activation = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}.get(meta.get("activation"))
    if activation is None:
        raise CheckpointError(f"unknown activation {meta.get('activation')!r}: one of "
                              f"{ACTIVATIONS}")
    obs = spaces.Box(-np.inf, np.inf, shape=tuple(meta["encoding_shape"]), dtype=np.float32)
    act = spaces.Discrete(int(meta["num_actions"]))
    arch = [int(x) for x in meta["net_arch"]]
    if meta["algorithm"] == "ppo":
        from sb3_contrib.common.maskable.policies import MaskableActorCriticPolicy

        return MaskableActorCriticPolicy(obs, act, lambda _: 0.0,
                                         net_arch=dict(pi=arch, vf=arch), activation_fn=activation)
    from stable_baselines3.dqn.policies import DQNPolicy

    return DQNPolicy(obs, act, lambda _: 0.0, net_arch=arch, activation_fn=activation)


def load_policy(path: str, game: "Game", algorithm: str,
                check_version: bool = True) -> tuple[dict[str, Any], "torch.nn.Module"]:
    """(meta, policy in eval mode on the CPU) of a checkpoint checked against ``game``."""
    meta, state = read_checkpoint(path)
    check_meta(meta, game, algorithm, path, check_version)
    policy = build_policy(meta, game)
    try:
        policy.load_state_dict(state)
    except RuntimeError as exc:
        raise CheckpointError(f"{path}: weights do not fit the network "
                              f"({str(exc).splitlines()[0][:160]})") from None
    policy.set_training_mode(False)
    return meta, policy
