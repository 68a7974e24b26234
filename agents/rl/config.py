"""The settings of a training run: ``TrainConfig``, the one place that declares them.

Each field that ``arena train`` sets carries its command-line option in its metadata
(``option``: flag, help, choices), so the CLI builds the command's options from the fields
and turns what was given back into a config (``TrainConfig.from_options``): a setting, its
default and its help are written once, here. Torch-free, and light to import: the CLI
builds its parser from this module at start-up.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from arena.core.errors import ArenaError
from games.dhumbal.game import PRESETS as DHUMBAL_PRESETS

Kind = Literal["text", "integer", "positive", "number", "switch"]
"""How an option's text is read: as it is, an integer, a whole number >= 1, a float, or a
switch (no value: sets the field to the opposite of its default)."""

BATCHED_N_STEPS = 32
"""--batched: steps per table between updates (a rollout is envs x n_steps samples)."""


@dataclass(frozen=True)
class Option:
    """How a ``TrainConfig`` field is given on the command line."""

    help: str
    kind: Kind
    flag: str | None = None
    """The option's name (default ``--`` and the field's name with dashes); None with
    ``positional``."""
    positional: bool = False
    choices: tuple[str, ...] | None = None
    required: bool = False
    parse: Callable[[str], Any] | None = None
    """Turns the option's text into the field's value (default: the text, or the number)."""
    default: Any = None
    """The field's default (a switch sets the opposite)."""

    def name(self, field_name: str) -> str:
        if self.positional:
            return field_name
        return self.flag or "--" + field_name.replace("_", "-")


def shown(value: Any) -> str:
    """A default as a help text shows it: ``256,256``, ``3e-4``, ``0.99``."""
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value))
    if isinstance(value, float):
        if value and abs(value) < 1e-3:
            return re.sub(r"e([-+])0*(\d)", r"e\1\2", f"{value:.0e}")
        return f"{value:g}"
    return str(value)


def option(default: Any = dataclasses.MISSING, help: str = "", *,
           factory: Callable[[], Any] | None = None, kind: Kind | None = None,
           **settings: Any) -> Any:
    """A field with its command-line option: ``help`` may name the default as
    ``{default}``; ``kind`` defaults by the default's type (a bool is a switch, an int a
    whole number >= 1, a float a number, anything else text)."""
    value = factory() if factory is not None else default
    if kind is None:
        kind = ("switch" if isinstance(value, bool) else "positive" if isinstance(value, int)
                else "number" if isinstance(value, float) else "text")
    meta = {"option": Option(help.format(default=shown(value)), kind, default=value,
                             **settings)}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


def _spec_list(text: str) -> list[str]:
    from arena.core.spec import parse_spec_list

    return [str(s) for s in parse_spec_list(text)]


def _layer_sizes(text: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",")]
    except ValueError:
        raise ArenaError(f"--net {text!r}: layer sizes as whole numbers, e.g. 256,256") \
            from None


@dataclass(frozen=True, kw_only=True)
class TrainConfig:
    """Everything a training run depends on (written to ``train.json``), in the order of
    ``arena train``'s options."""

    algorithm: str = option(help="ppo (masked PPO, sb3-contrib) or dqn (stable-baselines3, "
                                 "masked at action selection)", positional=True)
    game: str = option(help="game spec, e.g. dhumbal or leduc_poker", positional=True)
    rules: str | None = option(
        None, f"rules preset (dhumbal: {', '.join(DHUMBAL_PRESETS)})")
    opponents: list[str] = option(
        factory=lambda: ["random"], parse=_spec_list,
        help="the other seats, drawn per episode from these specs: 'aggressive,balanced' "
             "(default {default}; with --batched: the batched heuristics aggressive, "
             "conservative, balanced, opportunistic, expert; default the first four)")
    batched: bool = option(False, "dhumbal: train on the batched game (torch, every table at "
                                  "once, on --device), against batched heuristics; a lean PPO")
    compile: bool = option(False, "with --batched: run the game's steps and the heuristics "
                                  "through torch.compile (faster after a few seconds of "
                                  "compiling; needs a C++ compiler on a CPU, Triton on a GPU)")
    self_play: bool = option(False, "add snapshots of the learner to the opponent pool as it "
                                    "trains")
    timesteps: int = option(100_000, "environment steps (the learner's decisions) to train "
                                     "for", required=True)
    envs: int = option(4, "environments stepped together (default {default})")
    device: str = option("cpu", "where the network trains (default {default})",
                         choices=("cpu", "cuda", "auto"))
    seed: int = option(0, "root seed (default {default})", kind="integer")
    out: str = option(help="output folder (checkpoints, logs, evaluations)", required=True)
    eval_every: int = option(0, "timesteps between evaluations (default: a tenth of the run)")
    """0: a tenth of the run."""
    eval_games: int = option(100, "games per evaluation opponent (default {default})")
    eval_opponents: list[str] | None = option(
        None, "fixed evaluation pool (default: --opponents)", parse=_spec_list)
    checkpoint_every: int = option(
        0, "timesteps between checkpoints (default: at each evaluation)")
    """0: at each evaluation."""
    snapshot_every: int = option(
        0, "self-play: timesteps between snapshots (default: a tenth of the run)")
    """Self-play: timesteps between snapshots added to the opponent pool (0: a tenth)."""
    max_snapshots: int = 10
    net_arch: list[int] = option(factory=lambda: [256, 256], flag="--net", parse=_layer_sizes,
                                 help="hidden layer sizes (default {default})")
    learning_rate: float = option(3e-4, "learning rate (default {default})", flag="--lr")
    gamma: float = option(0.99, "discount (default {default})")
    n_steps: int = option(1024, "PPO: steps per environment between updates (default "
                                f"{{default}}; --batched {BATCHED_N_STEPS})")
    batch_size: int = option(256, "minibatch (default {default}; --batched a quarter of a "
                                  "rollout)")
    n_epochs: int = option(10, "PPO: passes over each rollout (default {default})")
    ent_coef: float = option(0.01, "PPO entropy bonus (default {default})")
    reward: str = option("return", "return: the game's return scaled into [-1, 1] (default); "
                                   "win: win share", choices=("return", "win"))
    shaping: bool = option(False, "potential-based reward shaping with the game's own estimate "
                                  "of the result (pays as each round ends; leaves the best "
                                  "policies unchanged)")
    """Potential-based shaping with the game's ``estimated_returns`` (see ArenaGymEnv)."""
    progress: bool = option(True, "no progress bar", flag="--no-progress")

    @classmethod
    def from_options(cls, values: Mapping[str, Any]) -> TrainConfig:
        """The config ``arena train`` was given: ``values`` by field name (None: not
        given), each parsed; the rest default, with ``batched`` to the batched game's
        defaults (``batched_defaults``)."""
        given: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            opt, value = f.metadata.get("option"), values.get(f.name)
            if opt is not None and value is not None:
                given[f.name] = opt.parse(value) if opt.parse is not None else value
        cfg = cls(**given)
        if cfg.compile and not cfg.batched:
            raise ArenaError("--compile goes with --batched (the batched game's steps)")
        return cfg.batched_defaults(given.keys()) if cfg.batched else cfg

    def batched_defaults(self, given: Container[str]) -> TrainConfig:
        """This config with the batched game's defaults for the settings not ``given``:
        the batched study heuristics as opponents, ``BATCHED_N_STEPS`` per table between
        updates, and a minibatch of a quarter of a rollout (at least 256)."""
        from agents.heuristics.dhumbal_batched import KINDS

        cfg = self
        if "opponents" not in given:
            cfg = dataclasses.replace(cfg, opponents=list(KINDS))
        if "n_steps" not in given:
            cfg = dataclasses.replace(cfg, n_steps=BATCHED_N_STEPS)
        if "batch_size" not in given:
            cfg = dataclasses.replace(cfg, batch_size=max(256, cfg.envs * cfg.n_steps // 4))
        return cfg

    def record(self) -> dict[str, Any]:
        """The settings as ``train.json`` holds them (``batched`` is the batched trainer's
        to write)."""
        out = dataclasses.asdict(self)
        del out["batched"]
        return out


def options(config: type) -> list[tuple[str, Option]]:
    """The command-line options the dataclass ``config`` declares: (field name, option),
    in field order."""
    return [(f.name, f.metadata["option"]) for f in dataclasses.fields(config)
            if "option" in f.metadata]
