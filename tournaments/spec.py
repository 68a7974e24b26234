"""Tournament spec files (TOML): read, validate every field before anything runs.

```toml
name = "quick"                 # also the default output folder: out/<name>
game = "dhumbal"               # a game spec, e.g. "dhumbal(players=3)"
rules = "standard"             # the game's rules preset
seed = 1
deals = 20                     # deals per table (each replayed in every seat rotation)
seats = "rotate"               # or "fixed": the given order, a new deal per game (the study)
format = "round_robin"         # a registered format (tournaments.formats): round_robin,
                               # gauntlet, championship, sprt; one with settings reads them
                               # from its own table, e.g. [gauntlet] (see its module)

[[agents]]
spec = "expert"                # an agent spec, or a class: "my_bots.py:MyBot(depth=2)" (a
                               # path relative to this file's folder) or "package.module:Class"
name = "expert"                # display name (default: the spec)
family = "heuristic"           # baseline | heuristic | search | learning | llm

[budgets]
time_per_move = 5.0            # seconds per decision; over it an agent forfeits the game
tokens = 200000                # LLM tokens (in + out) the stored games may use, then stop
cost = 5.0                     # US dollars of LLM use (by the price table), then stop;
                               # neither changes what is played: resume with a larger one

[stats]
adjust = "holm"                # or "bonferroni" (as the study)
bootstrap = 1000               # bootstrap resamples of card deals (Elo and rank intervals)
```
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from arena.core.errors import ArenaError
from arena.stats.ratings import DEFAULT_BOOTSTRAP

from .formats import (
    DEFAULT_FORMAT,
    NoSettings,
    SpecContext,
    format_names,
    get_format,
    stored_settings,
)
from .reader import TableReader, TournamentSpecError, spec_error

if TYPE_CHECKING:  # pragma: no cover
    from arena.core.game import Game

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["Entrant", "FAMILIES", "Tournament", "TournamentSpecError", "load_tournament",
           "parse_tournament"]

FAMILIES = ("baseline", "heuristic", "search", "learning", "llm")


@dataclass(frozen=True)
class Entrant:
    name: str
    spec: str
    family: str = "heuristic"


@dataclass(frozen=True)
class Tournament:
    """A validated tournament: what to play, how to schedule it, how to score it."""

    name: str
    game: str
    rules: str | None
    seed: int
    deals: int
    seats: Literal["rotate", "fixed"]
    format: str
    """The name of its format (``tournaments.formats``)."""
    agents: tuple[Entrant, ...]
    time_per_move: float | None = None
    settings: Any = field(default_factory=NoSettings)
    """The format's settings (its ``Settings``, a frozen dataclass)."""
    adjust: str = "holm"
    bootstrap: int = DEFAULT_BOOTSTRAP
    max_tokens: int | None = None
    """Stop cleanly once the stored games used this many LLM tokens (in + out)."""
    max_cost: float | None = None
    """Stop cleanly once the stored games cost this many US dollars of LLM use."""
    source: str = field(default="", compare=False)

    BUDGET_FIELDS = ("max_tokens", "max_cost")
    """Limits on spending, not on what is played: not part of ``digest``, so a run can be
    resumed with a larger budget."""
    _HEAD = ("name", "game", "rules", "seed", "deals", "seats", "format", "agents",
             "time_per_move")
    _TAIL = ("adjust", "bootstrap", "max_tokens", "max_cost")
    """The stored fields before and after the format's (in the order stores hold them)."""

    def names(self) -> list[str]:
        return [a.name for a in self.agents]

    def entrant(self, name: str) -> Entrant:
        return next(a for a in self.agents if a.name == name)

    def to_dict(self) -> dict[str, Any]:
        """What a store records (JSON): the format's settings as its format stores them."""
        data: dict[str, Any] = {k: getattr(self, k) for k in self._HEAD}
        data["agents"] = tuple(asdict(a) for a in self.agents)
        data.update(stored_settings(self.format, self.settings, self.deals))
        data.update((k, getattr(self, k)) for k in self._TAIL)
        return data

    def digest(self) -> str:
        """A hash of what the tournament plays (not of the file's formatting)."""
        data = {k: v for k, v in self.to_dict().items() if k not in self.BUDGET_FIELDS}
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Tournament":
        known = set(cls._HEAD + cls._TAIL)
        kwargs = {k: v for k, v in data.items() if k in known}
        kwargs["agents"] = tuple(Entrant(**a) for a in data["agents"])
        return cls(**kwargs, settings=get_format(data["format"]).from_stored(data))


def load_tournament(path: str | Path) -> Tournament:
    """Read and validate a spec file (games and agents are built once to check them)."""
    path = Path(path)
    where = str(path)
    if not path.is_file():
        raise TournamentSpecError(f"{where}: no such file")
    try:
        text = path.read_text()
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TournamentSpecError(f"{where}: not valid TOML ({exc})") from None
    t = parse_tournament(data, where, default_name=path.stem, base=path.resolve().parent)
    return dataclasses.replace(t, source=text)


def _resolve_agent(spec: str, base: Path | None) -> str:
    """``spec`` with a relative ``file.py:Class`` path made absolute from ``base`` (the spec
    file's folder), so that every worker, local or on a cluster, loads the same file."""
    from arena.core.spec import absolute, parse_spec

    written, resolved = parse_spec(spec).reference, absolute(spec, base)
    ref = resolved.reference
    if written is not None and ref is not None and ref.is_file and not Path(ref.target).exists():
        hint = ("" if Path(written.target).expanduser().is_absolute() else
                "; relative paths in a tournament spec are read from the spec file's folder")
        raise ArenaError(f"agent file {written.target} not found (looked for {ref.target}"
                         f"{hint})")
    return str(resolved)


def _entrant(where: str, i: int, raw: object, game: "Game", base: Path | None) -> Entrant:
    """The ``i``-th ``[[agents]]`` entry, its agent built once to check it."""
    from arena.core.registry import make_agent
    from arena.core.spec import parse_spec

    if not isinstance(raw, dict):
        raise spec_error(where, f"agents[{i}]", "expected a table with spec, name, family")
    r = TableReader(where, raw, f"agents[{i}].")
    spec = r.get("spec", str)
    try:
        written = str(parse_spec(spec))
        spec = _resolve_agent(written, base)
        agent = make_agent(spec, game)
    except ArenaError as exc:
        raise r.fail("spec", str(exc)) from None
    if agent.interactive:
        raise r.fail("spec", f"'{written}' waits for a person; tournaments run unattended (use "
                     "arena play)")
    agent_name = r.get("name", str, written)
    family = r.get("family", str, "heuristic", choices=FAMILIES)
    r.finish()
    return Entrant(agent_name, spec, family)


def _agents(top: TableReader, game: "Game", base: Path | None) -> tuple[Entrant, ...]:
    raw_agents = top.get("agents", list)
    if not raw_agents:
        raise top.fail("agents", "at least one [[agents]] entry is needed")
    agents: list[Entrant] = []
    for i, raw in enumerate(raw_agents):
        entrant = _entrant(top.where, i, raw, game, base)
        if any(a.name == entrant.name for a in agents):
            raise top.fail(f"agents[{i}].name", f"'{entrant.name}' is used twice; names must "
                           "be unique (set name = ... to tell copies apart)")
        agents.append(entrant)
    return tuple(agents)


@dataclass(frozen=True)
class _Budgets:
    time_per_move: float | None
    max_tokens: int | None
    max_cost: float | None


def _budgets(top: TableReader) -> _Budgets:
    budgets = TableReader(top.where, top.get("budgets", dict, {}), "budgets.")
    time_per_move = budgets.get("time_per_move", (int, float), None)
    if time_per_move is not None and time_per_move <= 0:
        raise budgets.fail("time_per_move", f"must be > 0 seconds, got {time_per_move}")
    max_tokens = budgets.positive("tokens", None)
    max_cost = budgets.get("cost", (int, float), None)
    if max_cost is not None and max_cost <= 0:
        raise budgets.fail("cost", f"must be > 0 US dollars, got {max_cost}")
    budgets.finish()
    return _Budgets(time_per_move, max_tokens, None if max_cost is None else float(max_cost))


def _stats(top: TableReader) -> tuple[str, int]:
    """The ``[stats]`` table: the p-value adjustment and the bootstrap resamples."""
    stats = TableReader(top.where, top.get("stats", dict, {}), "stats.")
    adjust = stats.get("adjust", str, "holm", choices=("holm", "bonferroni"))
    bootstrap = stats.get("bootstrap", int, DEFAULT_BOOTSTRAP)
    if bootstrap < 0:
        raise stats.fail("bootstrap", f"must be >= 0, got {bootstrap}")
    stats.finish()
    return adjust, bootstrap


def _format_settings(top: TableReader, fmt: str, spec: SpecContext) -> Any:
    """The settings of format ``fmt``, read by the format from its own table; every
    format's table is read here, to refuse one that is not the spec's format's."""
    tables: dict[str, dict[str, Any] | None] = {}
    for name in format_names():
        section = get_format(name).section
        if section is not None:
            tables[name] = top.get(section, dict, None)
    for name, value in tables.items():
        section = get_format(name).section
        if value is not None and name != fmt:
            raise top.fail(f"{section}", f"a [{section}] table needs format = \"{name}\" "
                           f"(format is \"{fmt}\")")
    chosen = get_format(fmt)
    prefix = f"{chosen.section}." if chosen.section else ""
    return chosen.parse(TableReader(top.where, tables.get(fmt) or {}, prefix), spec)


def parse_tournament(data: dict[str, Any], where: str = "spec",
                     default_name: str = "tournament", base: Path | None = None) -> Tournament:
    """Validate ``data``; relative agent file paths are read from ``base`` (default: the
    current folder), and agent names default to the spec as written."""
    from arena.core.registry import make_game
    from arena.core.spec import absolute, parse_spec

    top = TableReader(where, data)
    name = top.get("name", str, default_name)
    game_spec = top.get("game", str)
    rules = top.get("rules", str, None)
    try:
        game_spec = str(absolute(game_spec, base))  # a game file: from the spec's folder
        game = make_game(game_spec, rules)
    except ArenaError as exc:
        raise top.fail("game/rules", str(exc)) from None
    seed = top.get("seed", int, 0)
    deals = top.positive("deals", 10)
    seats = top.get("seats", str, "rotate", choices=("rotate", "fixed"))
    fmt = top.get("format", str, DEFAULT_FORMAT, choices=tuple(format_names()))
    agents = _agents(top, game, base)
    budgets = _budgets(top)
    adjust, bootstrap = _stats(top)
    settings = _format_settings(top, fmt, SpecContext(where, game, agents, deals))
    top.finish()
    return Tournament(
        name=name, game=str(parse_spec(game_spec)), rules=game.preset, seed=seed, deals=deals,
        seats=seats, format=fmt, agents=agents, time_per_move=budgets.time_per_move,
        settings=settings, adjust=adjust, bootstrap=bootstrap,
        max_tokens=budgets.max_tokens, max_cost=budgets.max_cost,
    )
