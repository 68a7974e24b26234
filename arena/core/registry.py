"""Games and agents by name.

Entries come from the ``arena.games`` and ``arena.agents`` entry-point groups (this project
registers its own there in pyproject.toml, and any installed package can add more) and from
``register_game`` / ``register_agent`` at run time. A target is ``"module:Class"`` and is
imported only when used, so listing names stays cheap.

An agent or game spec may also name its class directly, without registering it:
``path/to/file.py:Class`` (a file, loaded once per process under a module name derived from
its absolute path) or ``package.module:Class`` (an importable module). What goes wrong there
(no such file or module, no such class, not an Agent or Game, the file raised on import) is
an ``ArenaError`` of one line. A game's name is its ``GameInfo.name``; an entry point's name
must be the same (the tests check ours).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib
import importlib.util
import os
import re
import sys
from collections.abc import Mapping
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Protocol

from arena.core.errors import ArenaError, UnknownNameError
from arena.core.params import build_params
from arena.core.spec import Reference, Spec, parse_spec, split_reference

if TYPE_CHECKING:  # pragma: no cover
    from arena.core.agent import Agent
    from arena.core.game import Game

GAME_GROUP = "arena.games"
AGENT_GROUP = "arena.agents"
PROVIDER_GROUP = "arena.game_providers"
"""Entry points to objects with ``names()`` and ``game_class(name)``: whole families of games
(e.g. every OpenSpiel game) that are too many, or too dynamic, to list one by one."""

_added: dict[str, dict[str, object]] = {GAME_GROUP: {}, AGENT_GROUP: {}}


class GameProvider(Protocol):
    """What a ``PROVIDER_GROUP`` entry point names (e.g. ``games.openspiel.adapter.provider``)."""

    def names(self) -> list[str]: ...

    def game_class(self, name: str) -> "type[Game]": ...


@functools.lru_cache(maxsize=None)
def _entry_points(group: str) -> Mapping[str, str]:
    return {ep.name: ep.value for ep in entry_points(group=group)}


def _targets(group: str) -> dict[str, object]:
    return {**_entry_points(group), **_added[group]}


def _load(target: object) -> Any:
    if not isinstance(target, str):
        return target  # a class registered directly
    module, _, attr = target.partition(":")
    obj: Any = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def register_game(name: str, target: object) -> None:
    """Add a game class (or ``"module:Class"``) under ``name``."""
    _added[GAME_GROUP][name] = target
    _make_game.cache_clear()


def register_agent(name: str, target: object) -> None:
    """Add an agent class (or ``"module:Class"``) under ``name``."""
    _added[AGENT_GROUP][name] = target


def registered_at_run_time() -> dict[str, dict[str, object]]:
    """What ``register_game`` / ``register_agent`` added in this process, by entry-point
    group (a copy): runners hand it to workers that did not fork from this process."""
    return {group: dict(added) for group, added in _added.items()}


def game_names() -> list[str]:
    return sorted(_targets(GAME_GROUP))


def agent_names() -> list[str]:
    return sorted(_targets(AGENT_GROUP))


@functools.lru_cache(maxsize=None)
def providers() -> dict[str, GameProvider]:
    """Game providers by entry-point name; one that fails to load is left out."""
    out: dict[str, GameProvider] = {}
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
    """The class of a registered game name, a provider's game, or a ``file.py:Class`` /
    ``module:Class`` reference."""
    ref = split_reference(name)
    if ref is not None:
        return referenced_game_class(ref)
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


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


_file_modules: dict[str, object] = {}


def _file_module_name(path: str) -> str:
    stem = re.sub(r"\W", "_", os.path.splitext(os.path.basename(path))[0])
    return f"arena_agent_file_{hashlib.sha1(path.encode()).hexdigest()[:12]}_{stem}"


def _load_file(target: str, shown: str, role: str = "agent") -> object:
    """The module of the Python file ``target`` (relative to the current folder), once;
    ``role`` (agent, game) names it in errors."""
    path = os.path.abspath(os.path.expanduser(target))
    module = _file_modules.get(path)
    if module is not None:
        return module
    if not os.path.isfile(path):
        where = "" if path == target else f" (looked for {path})"
        what = "is a folder, not a Python file" if os.path.isdir(path) else "not found"
        raise ArenaError(f"{role} file {shown} {what}{where}")
    name = _file_module_name(path)
    loader_spec = importlib.util.spec_from_file_location(name, path)
    if loader_spec is None or loader_spec.loader is None:
        raise ArenaError(f"{role} file {shown} cannot be imported as Python (expected a .py "
                         "file)")
    module = importlib.util.module_from_spec(loader_spec)
    sys.modules[name] = module  # dataclasses and pickle look classes up by module name
    try:
        loader_spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - any failure of the user's file
        sys.modules.pop(name, None)
        raise ArenaError(f"{role} file {shown} raised on import: {_one_line(exc)}") from None
    _file_modules[path] = module
    return module


def _load_module(target: str, role: str = "agent") -> object:
    try:
        return importlib.import_module(target)
    except ModuleNotFoundError as exc:
        if exc.name and (target == exc.name or target.startswith(exc.name + ".")):
            raise ArenaError(f"{role} module {target} not found (install it or put its folder "
                             "on PYTHONPATH; for a file write path/to/file.py:Class)") from None
        raise ArenaError(f"{role} module {target} raised on import: {_one_line(exc)}") \
            from None
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - any failure of the user's module
        raise ArenaError(f"{role} module {target} raised on import: {_one_line(exc)}") \
            from None


def _subclasses(module: object, base: type) -> list[str]:
    return sorted(n for n, v in vars(module).items()
                  if isinstance(v, type) and issubclass(v, base) and v is not base
                  and v.__module__ == getattr(module, "__name__", None))


def _referenced(ref: Reference, base: type, role: str) -> type:
    """The subclass of ``base`` (Agent, Game) that ``ref`` names; ``role`` names it in
    errors, the base class's name the classes listed."""
    kind = "file" if ref.is_file else "module"
    module = (_load_file(ref.target, ref.target, role) if ref.is_file
              else _load_module(ref.target, role))
    what_base = base.__name__
    obj = module
    for part in ref.attr.split("."):
        if not hasattr(obj, part):
            found = _subclasses(module, base)
            raise ArenaError(f"{role} {kind} {ref.target} has no class {ref.attr!r}; "
                             f"{what_base} subclasses there: {', '.join(found) or '(none)'}")
        obj = getattr(obj, part)
    if not (isinstance(obj, type) and issubclass(obj, base)):
        what = (f"a class not derived from arena.{what_base}" if isinstance(obj, type)
                else f"a {type(obj).__name__}, not a class")
        found = _subclasses(module, base)
        raise ArenaError(f"{ref} is not {'an' if what_base[0] in 'AEIOU' else 'a'} "
                         f"{what_base} subclass ({what})"
                         + (f"; {what_base} subclasses there: {', '.join(found)}"
                            if found else ""))
    return obj


def referenced_class(ref: Reference) -> "type[Agent]":
    """The Agent subclass a ``file.py:Class`` / ``module:Class`` reference names."""
    from arena.core.agent import Agent

    obj: type[Agent] = _referenced(ref, Agent, "agent")
    if not dataclasses.is_dataclass(obj.Params):
        raise ArenaError(f"{ref}: Params must be a dataclass (or leave it out)")
    return obj


def referenced_game_class(ref: Reference) -> "type[Game]":
    """The Game subclass a ``file.py:Class`` / ``module:Class`` reference names, checked
    for what the arena needs before it plays (its name, typed rules, return bounds)."""
    from arena.core.game import Game, GameInfo

    obj: type[Game] = _referenced(ref, Game, "game")
    if not isinstance(getattr(obj, "info", None), GameInfo):
        raise ArenaError(f"{ref}: info must be a GameInfo (the game's name, seats and kind)")
    if not dataclasses.is_dataclass(obj.Rules):
        raise ArenaError(f"{ref}: Rules must be a dataclass (or leave it out)")
    if obj.return_bounds is Game.return_bounds:
        raise ArenaError(f"{ref}: define return_bounds() (the lowest and highest return of "
                         "a seat: a forfeit is scored with them)")
    return obj


def agent_class(name: str) -> "type[Agent]":
    """The class of a registered agent name or of a ``file.py:Class`` / ``module:Class``."""
    ref = split_reference(name)
    if ref is not None:
        return referenced_class(ref)
    targets = _targets(AGENT_GROUP)
    if name not in targets:
        raise UnknownNameError("agent", name, targets)
    return _load(targets[name])


@functools.lru_cache(maxsize=64)
def _make_game(spec: Spec, preset: str | None) -> "Game":
    cls = game_class(spec.name)
    if spec.reference is None:
        return cls.from_params(spec.kwargs, preset)
    try:
        return cls.from_params(spec.kwargs, preset)
    except ArenaError:
        raise
    except Exception as exc:  # noqa: BLE001 - a user's class failing to start: one line
        raise ArenaError(f"game {spec} failed to start: {_one_line(exc)}") from None


def make_game(spec: "str | Spec", preset: str | None = None) -> "Game":
    """The game named by ``spec`` (``dhumbal``, ``dhumbal(players=3)``,
    ``path/to/file.py:Class(k=v)``) under ``preset``.

    Games are immutable once made, so equal requests share one instance.
    """
    return _make_game(parse_spec(spec), preset)


make_game.cache_clear = _make_game.cache_clear  # type: ignore[attr-defined]


def make_agent(spec: "str | Spec", game: "Game") -> "Agent":
    """A new agent from ``spec`` (``random``, ``expert(samples=64)``) for ``game``."""
    spec = parse_spec(spec)
    cls = agent_class(spec.name)
    params = build_params(cls.Params, spec.kwargs, f"agent {spec.name}")
    if spec.reference is None:
        return cls(params, game)
    try:
        return cls(params, game)
    except ArenaError:
        raise
    except Exception as exc:  # noqa: BLE001 - a user's class failing to start: one line
        raise ArenaError(f"agent {spec} failed to start: {_one_line(exc)}") from None


def agent_settings(spec: "str | Spec") -> dict:
    """Every setting of the agent ``spec`` names, defaults included (its budget among
    them), as plain data: what a record's short spec such as ``ismcts`` stood for."""
    from arena.core.params import params_dict

    spec = parse_spec(spec)
    cls = agent_class(spec.name)
    return params_dict(build_params(cls.Params, spec.kwargs, f"agent {spec.name}"))


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
