"""Tournament spec files (TOML): read, validate every field before anything runs.

```toml
name = "quick"                 # also the default output folder: out/<name>
game = "dhumbal"               # a game spec, e.g. "dhumbal(players=3)"
rules = "standard"             # the game's rules preset
seed = 1
deals = 20                     # deals per table (each replayed in every seat rotation)
seats = "rotate"               # or "fixed": the given order, a new deal per game (the study)
format = "round_robin"         # round_robin | gauntlet | championship | sprt

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

[gauntlet]                     # format = "gauntlet": candidates against the rest (the pool)
candidates = ["expert"]

[championship]                 # format = "championship": groups, then a final
groups = "family"              # one group per family, or a table name -> [agent names]
advance = 1                    # the best `advance` of each group meet in the final
final_deals = 40               # deals per table in the final (default: deals)

[sprt]                         # format = "sprt": two agents, stop when the test decides
elo0 = 0
elo1 = 50
alpha = 0.05
beta = 0.05
batch = 10                     # deals between looks at the test (it scores whole deals)
max_deals = 500                # the cap: a test still undecided there ends undecided

[stats]
adjust = "holm"                # or "bonferroni" (as the study)
bootstrap = 1000               # bootstrap resamples of card deals (Elo and rank intervals)
```
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from arena.core.errors import ArenaError
from arena.stats.ratings import DEFAULT_BOOTSTRAP

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FORMATS = ("round_robin", "gauntlet", "championship", "sprt")
FAMILIES = ("baseline", "heuristic", "search", "learning", "llm")


class TournamentSpecError(ArenaError):
    """A tournament spec that cannot be run; the message names the file and the field."""


@dataclass(frozen=True)
class Entrant:
    name: str
    spec: str
    family: str = "heuristic"


@dataclass(frozen=True)
class SprtSettings:
    elo0: float = 0.0
    elo1: float = 50.0
    alpha: float = 0.05
    beta: float = 0.05
    batch: int = 10
    max_deals: int = 500


@dataclass(frozen=True)
class Tournament:
    """A validated tournament: what to play, how to schedule it, how to score it."""

    name: str
    game: str
    rules: str | None
    seed: int
    deals: int
    seats: str
    format: str
    agents: tuple[Entrant, ...]
    time_per_move: float | None = None
    candidates: tuple[str, ...] = ()
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()
    advance: int = 1
    final_deals: int = 0
    sprt: SprtSettings | None = None
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

    def names(self) -> list[str]:
        return [a.name for a in self.agents]

    def entrant(self, name: str) -> Entrant:
        return next(a for a in self.agents if a.name == name)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("source")
        return data

    def digest(self) -> str:
        """A hash of what the tournament plays (not of the file's formatting)."""
        data = {k: v for k, v in self.to_dict().items() if k not in self.BUDGET_FIELDS}
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Tournament":
        data = dict(data)
        data["agents"] = tuple(Entrant(**a) for a in data["agents"])
        data["candidates"] = tuple(data.get("candidates", ()))
        data["groups"] = tuple((g, tuple(m)) for g, m in data.get("groups", ()))
        if data.get("sprt") is not None:
            data["sprt"] = SprtSettings(**data["sprt"])
        return cls(**data)


def _fail(where: str, field_name: str, message: str) -> TournamentSpecError:
    return TournamentSpecError(f"{where}: {field_name}: {message}")


class _Reader:
    """Typed access to one TOML table, collecting the field path for errors."""

    def __init__(self, where: str, table: dict[str, Any], path: str = ""):
        self.where, self.table, self.path = where, table, path
        self.used: set[str] = set()

    def _name(self, key: str) -> str:
        return f"{self.path}{key}"

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ...,
            choices: tuple[Any, ...] | None = None) -> Any:
        self.used.add(key)
        if key not in self.table:
            if default is ...:
                raise _fail(self.where, self._name(key), "missing (required)")
            return default
        value = self.table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:
            ok = False
        else:
            ok = isinstance(value, kinds)
        if not ok:
            expected = " or ".join(k.__name__ for k in kinds)
            raise _fail(self.where, self._name(key),
                        f"expected {expected}, got {type(value).__name__} {value!r}")
        if choices is not None and value not in choices:
            raise _fail(self.where, self._name(key),
                        f"{value!r} is not one of: {', '.join(map(str, choices))}")
        return value

    def positive(self, key: str, default: Any = ...) -> int:
        value = self.get(key, int, default)
        if value is not None and value < 1:
            raise _fail(self.where, self._name(key), f"must be at least 1, got {value}")
        return value

    def finish(self) -> None:
        unknown = sorted(set(self.table) - self.used)
        if unknown:
            raise _fail(self.where, self._name(unknown[0]),
                        f"unknown field; valid here: {', '.join(sorted(self.used))}")


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
    return Tournament(**{**{f: getattr(t, f) for f in t.__dataclass_fields__}, "source": text})


def _resolve_agent(spec: str, base: Path | None) -> str:
    """``spec`` with a relative ``file.py:Class`` path made absolute from ``base`` (the spec
    file's folder), so that every worker, local or on a cluster, loads the same file."""
    from arena.core.spec import absolute, parse_spec

    written, resolved = parse_spec(spec).reference, absolute(spec, base)
    ref = resolved.reference
    if ref is not None and ref.is_file and not Path(ref.target).exists():
        hint = ("" if Path(written.target).expanduser().is_absolute() else
                "; relative paths in a tournament spec are read from the spec file's folder")
        raise ArenaError(f"agent file {written.target} not found (looked for {ref.target}"
                         f"{hint})")
    return str(resolved)


def parse_tournament(data: dict[str, Any], where: str = "spec",
                     default_name: str = "tournament", base: Path | None = None) -> Tournament:
    """Validate ``data``; relative agent file paths are read from ``base`` (default: the
    current folder), and agent names default to the spec as written."""
    from arena.core.registry import make_agent, make_game
    from arena.core.spec import absolute, parse_spec

    top = _Reader(where, data)
    name = top.get("name", str, default_name)
    game_spec = top.get("game", str)
    rules = top.get("rules", str, None)
    try:
        game_spec = str(absolute(game_spec, base))  # a game file: from the spec's folder
        game = make_game(game_spec, rules)
    except ArenaError as exc:
        raise _fail(where, "game/rules", str(exc)) from None
    seed = top.get("seed", int, 0)
    deals = top.positive("deals", 10)
    seats = top.get("seats", str, "rotate", choices=("rotate", "fixed"))
    fmt = top.get("format", str, "round_robin", choices=FORMATS)

    raw_agents = top.get("agents", list)
    if not raw_agents:
        raise _fail(where, "agents", "at least one [[agents]] entry is needed")
    agents: list[Entrant] = []
    for i, raw in enumerate(raw_agents):
        if not isinstance(raw, dict):
            raise _fail(where, f"agents[{i}]", "expected a table with spec, name, family")
        r = _Reader(where, raw, f"agents[{i}].")
        spec = r.get("spec", str)
        try:
            written = str(parse_spec(spec))
            spec = _resolve_agent(written, base)
            agent = make_agent(spec, game)
        except ArenaError as exc:
            raise _fail(where, f"agents[{i}].spec", str(exc)) from None
        if agent.interactive:
            raise _fail(where, f"agents[{i}].spec", f"'{written}' waits for a person; "
                        "tournaments run unattended (use arena play)")
        agent_name = r.get("name", str, written)
        family = r.get("family", str, "heuristic", choices=FAMILIES)
        r.finish()
        if any(a.name == agent_name for a in agents):
            raise _fail(where, f"agents[{i}].name", f"'{agent_name}' is used twice; names "
                        "must be unique (set name = ... to tell copies apart)")
        agents.append(Entrant(agent_name, spec, family))
    names = [a.name for a in agents]
    n = game.num_players

    budgets = _Reader(where, top.get("budgets", dict, {}), "budgets.")
    time_per_move = budgets.get("time_per_move", (int, float), None)
    if time_per_move is not None and time_per_move <= 0:
        raise _fail(where, "budgets.time_per_move", f"must be > 0 seconds, got {time_per_move}")
    max_tokens = budgets.positive("tokens", None)
    max_cost = budgets.get("cost", (int, float), None)
    if max_cost is not None and max_cost <= 0:
        raise _fail(where, "budgets.cost", f"must be > 0 US dollars, got {max_cost}")
    budgets.finish()

    stats = _Reader(where, top.get("stats", dict, {}), "stats.")
    adjust = stats.get("adjust", str, "holm", choices=("holm", "bonferroni"))
    bootstrap = stats.get("bootstrap", int, DEFAULT_BOOTSTRAP)
    if bootstrap < 0:
        raise _fail(where, "stats.bootstrap", f"must be >= 0, got {bootstrap}")
    stats.finish()

    candidates: tuple[str, ...] = ()
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()
    advance, final_deals, sprt = 1, deals, None
    sections = {"gauntlet": top.get("gauntlet", dict, None),
                "championship": top.get("championship", dict, None),
                "sprt": top.get("sprt", dict, None)}
    for section, value in sections.items():
        if value is not None and section != fmt:
            raise _fail(where, section, f"a [{section}] table needs format = \"{section}\" "
                        f"(format is \"{fmt}\")")

    if fmt == "round_robin":
        if len(agents) < n:
            raise _fail(where, "agents", f"a round robin of {game.describe()} needs at least "
                        f"{n} agents, got {len(agents)}")
    elif fmt == "gauntlet":
        g = _Reader(where, sections["gauntlet"] or {}, "gauntlet.")
        candidates = tuple(g.get("candidates", list))
        g.finish()
        for c in candidates:
            if c not in names:
                raise _fail(where, "gauntlet.candidates",
                            f"'{c}' is not an agent name; names: {', '.join(names)}")
        pool = [a for a in names if a not in candidates]
        if not candidates or len(pool) < n - 1:
            raise _fail(where, "gauntlet.candidates", f"need at least one candidate and "
                        f"{n - 1} other agents in the pool, got {len(candidates)} and "
                        f"{len(pool)}")
    elif fmt == "championship":
        c = _Reader(where, sections["championship"] or {}, "championship.")
        raw_groups = c.get("groups", (str, dict), "family")
        advance = c.positive("advance", 1)
        final_deals = c.positive("final_deals", deals)
        c.finish()
        if raw_groups == "family":
            order: dict[str, list[str]] = {}
            for a in agents:
                order.setdefault(a.family, []).append(a.name)
            groups = tuple((fam, tuple(m)) for fam, m in order.items())
        elif isinstance(raw_groups, str):
            raise _fail(where, "championship.groups",
                        f"expected \"family\" or a table of groups, got {raw_groups!r}")
        else:
            seen: set[str] = set()
            built = []
            for gname, members in raw_groups.items():
                if not isinstance(members, list) or not members:
                    raise _fail(where, f"championship.groups.{gname}",
                                "expected a non-empty list of agent names")
                for m in members:
                    if m not in names:
                        raise _fail(where, f"championship.groups.{gname}",
                                    f"'{m}' is not an agent name; names: {', '.join(names)}")
                    if m in seen:
                        raise _fail(where, f"championship.groups.{gname}",
                                    f"'{m}' is in two groups")
                    seen.add(m)
                built.append((gname, tuple(members)))
            groups = tuple(built)
        for gname, members in groups:
            if advance < len(members) < n:
                raise _fail(where, f"championship.groups.{gname}",
                            f"{len(members)} agents cannot fill a {n}-seat table to pick the "
                            f"best {advance}; add agents to the group or raise advance")
        finalists = sum(min(advance, len(m)) for _, m in groups)
        if finalists < n:
            raise _fail(where, "championship.advance",
                        f"{len(groups)} group(s) advancing {advance} each give {finalists} "
                        f"finalists, fewer than the {n} seats of {game.describe()}; raise "
                        "advance or add agents")
    elif fmt == "sprt":
        s = _Reader(where, sections["sprt"] or {}, "sprt.")
        sprt = SprtSettings(
            elo0=float(s.get("elo0", (int, float), 0.0)),
            elo1=float(s.get("elo1", (int, float), 50.0)),
            alpha=float(s.get("alpha", (int, float), 0.05)),
            beta=float(s.get("beta", (int, float), 0.05)),
            batch=s.positive("batch", 10),
            max_deals=s.positive("max_deals", 500),
        )
        s.finish()
        if len(agents) != 2:
            raise _fail(where, "agents", f"an SPRT compares exactly 2 agents, got {len(agents)}")
        if sprt.elo1 <= sprt.elo0:
            raise _fail(where, "sprt.elo1", f"must be greater than elo0 ({sprt.elo0})")
        for key in ("alpha", "beta"):
            if not 0 < getattr(sprt, key) < 0.5:
                raise _fail(where, f"sprt.{key}", "must be between 0 and 0.5")
    top.finish()
    return Tournament(
        name=name, game=str(parse_spec(game_spec)), rules=game.preset, seed=seed, deals=deals,
        seats=seats, format=fmt, agents=tuple(agents), time_per_move=time_per_move,
        candidates=candidates, groups=groups, advance=advance, final_deals=final_deals,
        sprt=sprt, adjust=adjust, bootstrap=bootstrap, max_tokens=max_tokens,
        max_cost=None if max_cost is None else float(max_cost),
    )
