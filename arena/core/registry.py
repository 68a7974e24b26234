"""Games and agents by name.

Entries come from the ``arena.games`` and ``arena.agents`` entry-point groups (this project
registers its own there in pyproject.toml, and any installed package can add more) and from
``register_game`` / ``register_agent`` at run time. A target is ``"module:Class"`` and is
imported only when used, so listing names stays cheap.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Mapping
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from arena.core.errors import ArenaError, UnknownNameError
from arena.core.params import build_params
from arena.core.spec import Spec, parse_spec

if TYPE_CHECKING:  # pragma: no cover
    from arena.core.agent import Agent
    from arena.core.game import Game

GAME_GROUP = "arena.games"
AGENT_GROUP = "arena.agents"
PROVIDER_GROUP = "arena.game_providers"
"""Entry points to objects with ``names()`` and ``game_class(name)``: whole families of games
(e.g. every OpenSpiel game) that are too many, or too dynamic, to list one by one."""

_added: dict[str, dict[str, object]] = {GAME_GROUP: {}, AGENT_GROUP: {}}


@functools.lru_cache(maxsize=None)
def _entry_points(group: str) -> Mapping[str, str]:
    return {ep.name: ep.value for ep in entry_points(group=group)}


def _targets(group: str) -> dict[str, object]:
    return {**_entry_points(group), **_added[group]}


def _load(target: object) -> type:
    if not isinstance(target, str):
        return target  # a class registered directly
    module, _, attr = target.partition(":")
    obj = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def register_game(name: str, target: object) -> None:
    """Add a game class (or ``"module:Class"``) under ``name``."""
    _added[GAME_GROUP][name] = target
    make_game.cache_clear()


def register_agent(name: str, target: object) -> None:
    """Add an agent class (or ``"module:Class"``) under ``name``."""
    _added[AGENT_GROUP][name] = target


def game_names() -> list[str]:
    return sorted(_targets(GAME_GROUP))


def agent_names() -> list[str]:
    return sorted(_targets(AGENT_GROUP))


@functools.lru_cache(maxsize=None)
def providers() -> dict[str, object]:
    """Game providers by entry-point name; one that fails to load is left out."""
    out = {}
    for ep in entry_points(group=PROVIDER_GROUP):
        try:
            out[ep.name] = _load(ep.value)
        except ImportError:
            continue
    return out


def provided_game_names() -> dict[str, list[str]]:
    """Names each provider offers (first-class games of the same name take precedence)."""
    first = set(_targets(GAME_GROUP))
    return {label: [n for n in p.names() if n not in first] for label, p in providers().items()}


def game_class(name: str) -> "type[Game]":
    targets = _targets(GAME_GROUP)
    if name in targets:
        return _load(targets[name])
    for provider in providers().values():
        if name in provider.names():
            return provider.game_class(name)
    extra = {n for names in provided_game_names().values() for n in names}
    err = UnknownNameError("game", name, set(targets) | extra)
    if extra:
        close = err.args[0].split(".", 1)[1] if "Did you mean" in err.args[0] else ""
        err.args = (f"unknown game '{name}'; valid: {', '.join(sorted(targets))}, or any of "
                    f"{len(extra)} OpenSpiel games (arena games --all).{close}",)
    raise err


def agent_class(name: str) -> "type[Agent]":
    targets = _targets(AGENT_GROUP)
    if name not in targets:
        raise UnknownNameError("agent", name, targets)
    return _load(targets[name])


@functools.lru_cache(maxsize=64)
def _make_game(spec: Spec, preset: str | None) -> "Game":
    return game_class(spec.name).from_params(spec.kwargs, preset)


def make_game(spec: "str | Spec", preset: str | None = None) -> "Game":
    """The game named by ``spec`` (``dhumbal``, ``dhumbal(players=3)``) under ``preset``.

    Games are immutable once made, so equal requests share one instance.
    """
    return _make_game(parse_spec(spec), preset)


make_game.cache_clear = _make_game.cache_clear  # type: ignore[attr-defined]


def make_agent(spec: "str | Spec", game: "Game") -> "Agent":
    """A new agent from ``spec`` (``random``, ``expert(samples=64)``) for ``game``."""
    spec = parse_spec(spec)
    cls = agent_class(spec.name)
    params = build_params(cls.Params, spec.kwargs, f"agent {spec.name}")
    return cls(params, game)


def agents_for(game: "Game") -> list[str]:
    """Names of the registered agents that can play ``game``."""
    names = []
    for name in agent_names():
        try:
            cls = agent_class(name)
        except Exception:  # noqa: BLE001 - a broken plugin must not hide the others
            continue
        if cls.games is None or game.name in cls.games:
            names.append(name)
    return names


def check_agent_count(game: "Game", count: int) -> None:
    """Refuse a table with the wrong number of agents, saying how to fix it."""
    if count != game.num_players:
        info = game.info
        raise ArenaError(
            f"{game.describe()} seats {game.num_players} agents, but {count} were given; "
            f"give {game.num_players}"
            + (
                f", or set the player count ({info.min_players}-{info.max_players}), "
                f"e.g. {game.name}(players={count})"
                if info.min_players != info.max_players
                and info.min_players <= count <= info.max_players
                else ""
            )
        )
