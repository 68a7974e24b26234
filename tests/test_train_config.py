"""``arena train``'s options come from ``TrainConfig``'s fields: their flags, help texts and
defaults are declared once (``agents/rl/config.py``), and what the command is given turns
back into a config. None of this needs torch or the rl extra."""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from agents.rl.config import BATCHED_N_STEPS, TrainConfig, option, options, shown
from arena.cli import _add_config_options, build_parser
from arena.core.errors import ArenaError

ROOT = Path(__file__).resolve().parents[1]


def config(*args: str) -> TrainConfig:
    ns = build_parser().parse_args(["train", *args])
    return TrainConfig.from_options(vars(ns))


def test_options_not_given_take_the_configs_defaults():
    cfg = config("ppo", "kuhn_poker", "--timesteps", "10", "--out", "o")
    assert cfg == TrainConfig(algorithm="ppo", game="kuhn_poker", timesteps=10, out="o")


def test_every_option_sets_its_field():
    cfg = config("dqn", "leduc_poker", "--rules", "x", "--opponents", "random,balanced(p_mid=1)",
                 "--self-play", "--timesteps", "7", "--envs", "3", "--device", "auto", "--seed",
                 "-5", "--out", "o", "--eval-every", "11", "--eval-games", "12",
                 "--eval-opponents", "random", "--checkpoint-every", "13",
                 "--snapshot-every", "14", "--net", "64,32", "--lr", "1e-3", "--gamma", "0.9",
                 "--n-steps", "15", "--batch-size", "16", "--n-epochs", "17",
                 "--ent-coef", "0.5", "--reward", "win", "--shaping", "--no-progress")
    assert cfg == TrainConfig(
        algorithm="dqn", game="leduc_poker", rules="x",
        opponents=["random", "balanced(p_mid=1)"], self_play=True, timesteps=7, envs=3,
        device="auto", seed=-5, out="o", eval_every=11, eval_games=12,
        eval_opponents=["random"], checkpoint_every=13, snapshot_every=14, net_arch=[64, 32],
        learning_rate=1e-3, gamma=0.9, n_steps=15, batch_size=16, n_epochs=17, ent_coef=0.5,
        reward="win", shaping=True, progress=False)
    # Every option was given above: each field that declares one differs from its default.
    defaults = TrainConfig(algorithm="ppo", game="g", out="x")
    changed = {f.name for f in dataclasses.fields(TrainConfig)
               if getattr(cfg, f.name) != getattr(defaults, f.name)}
    assert changed | {"batched", "compile"} == {name for name, _ in options(TrainConfig)}


def test_help_shows_each_fields_own_default(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for name, opt in options(TrainConfig):
        assert opt.name(name) in text
    for flag, value in (("--envs", "4"), ("--seed", "0"), ("--lr", "3e-4"), ("--gamma", "0.99"),
                        ("--net", "256,256"), ("--eval-games", "100"), ("--n-epochs", "10"),
                        ("--n-steps", f"1024; --batched {BATCHED_N_STEPS}")):
        assert f"(default {value}" in text, flag
    assert (shown(3e-4), shown(1e-5), shown(0.01), shown(0.99), shown([8, 4])) == \
        ("3e-4", "1e-5", "0.01", "0.99", "8,4")


def test_a_field_declared_with_an_option_becomes_one():
    """The seam: a dataclass field with ``option`` metadata is an option of the command,
    with its flag, help, default, type checks and choices."""

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Settings:
        name: str = option(help="what to call it", positional=True)
        rounds: int = option(3, "rounds to play (default {default})")
        offset: int = option(0, "any integer", kind="integer")
        rate: float = option(0.5, "a rate")
        style: str = option("calm", "the style", choices=("calm", "wild"))
        verbose: bool = option(False, "say more")
        quiet_bar: bool = option(True, "no bar", flag="--no-bar")
        hidden: int = 9

    parser = argparse.ArgumentParser(prog="t")
    _add_config_options(parser, Settings)
    assert "rounds to play (default 3)" in parser.format_help()
    assert "--hidden" not in parser.format_help()
    ns = vars(parser.parse_args(["n", "--rounds", "5", "--offset", "-2", "--rate", "2",
                                 "--style", "wild", "--verbose", "--no-bar"]))
    assert ns == {"name": "n", "rounds": 5, "offset": -2, "rate": 2.0, "style": "wild",
                  "verbose": True, "quiet_bar": False}
    assert vars(parser.parse_args(["n"])) == {"name": "n", "rounds": None, "offset": None,
                                              "rate": None, "style": None, "verbose": False,
                                              "quiet_bar": True}
    for bad in (["n", "--rounds", "0"], ["n", "--offset", "x"], ["n", "--style", "loud"]):
        with pytest.raises(SystemExit):
            parser.parse_args(bad)


def test_bad_values_are_the_commands_errors():
    with pytest.raises(ArenaError, match=r"--net 'a,b': layer sizes as whole numbers"):
        config("ppo", "g", "--timesteps", "1", "--out", "o", "--net", "a,b")
    with pytest.raises(ArenaError, match="--compile goes with --batched"):
        config("ppo", "g", "--timesteps", "1", "--out", "o", "--compile")


def test_batched_training_has_its_own_defaults_for_what_is_not_given():
    pytest.importorskip("torch")
    from agents.heuristics.dhumbal_batched import KINDS

    cfg = config("ppo", "dhumbal", "--batched", "--envs", "64", "--timesteps", "1",
                 "--out", "o")
    assert (cfg.n_steps, cfg.batch_size, cfg.opponents) == (
        BATCHED_N_STEPS, max(256, 64 * BATCHED_N_STEPS // 4), list(KINDS))
    assert cfg.opponents == ["aggressive", "conservative", "balanced", "opportunistic"]
    big = config("ppo", "dhumbal", "--batched", "--envs", "4096", "--timesteps", "1",
                 "--out", "o", "--n-steps", "8")
    assert (big.n_steps, big.batch_size) == (8, 4096 * 8 // 4)
    given = config("ppo", "dhumbal", "--batched", "--timesteps", "1", "--out", "o",
                   "--batch-size", "100", "--opponents", "expert")
    assert (given.batch_size, given.opponents) == (100, ["expert"])
    assert "batched" not in given.record() and given.record()["n_steps"] == BATCHED_N_STEPS


def test_the_parser_imports_no_torch():
    code = ("import sys, arena.cli; arena.cli.build_parser(); "
            "print(sorted(m for m in ('torch', 'stable_baselines3') if m in sys.modules))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert res.returncode == 0 and res.stdout.strip() == "[]", res.stderr
