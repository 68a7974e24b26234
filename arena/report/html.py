"""A tournament report for the browser: ``DIR/report/index.html`` and its replay viewer.

The folder is self-contained and opens from disk (``file://``), with no server and no
network: the styles, the scripts and the charting library (plotly.js, from the ``plotly``
package) are files in it. Pages:

- ``index.html``: the leaderboard (sortable), charts (Elo with intervals, head to head, win
  rate by seat, by role and team), the pairwise verdicts, the format's notes (sections of
  text the format wrote: ``arena.report.notes``), LLM figures, the spec, versions, seeds and
  the command that reproduces the run;
- ``games.html``: every stored game, filtered by agent, seat, outcome and stage;
- ``replay.html#N``: game ``N`` (its position in the store), step by step.

Data travel as JavaScript files that call a registration function (``arenaList``,
``arenaDetail``, ``arenaViews``): a page opened from ``file://`` cannot ``fetch()`` JSON in
Chromium, but it can add a ``<script src>``. So a page loads only what it shows: the index
none of the games, the games page the compact list (in chunks of ``LIST_CHUNK``), a replay
its own chunk of details and its own step views.

**Step views.** What each seat saw at each step, and the full state, come from the game's
own text rendering (``State.text(seat)``, ``State.reveal()``), replayed from the stored moves
(``arena.play.match.replay``'s loop). That costs a replay and ``seats + 1`` renderings per
move: about 85 ms for a Dhumbal game of ~660 moves, 2.4 MB of text before compression.
Replaying 100,000 games would take hours, so views are written for ``replays`` games spread
evenly over the schedule (every game with ``replays="all"``); every other game still has
its page, with its result, errors, free text and decision figures, and the page names the
command that adds its views (``arena report DIR --html --replays all``). Each game's views
are stored as interned lines (a step is a list of line numbers per view), gzipped and
base64-encoded in their own file; the browser inflates them with ``DecompressionStream``.

Everything that came from an agent or a model (names, specs, free text, errors) is data:
it is written into JSON inside ``.js`` files (``<`` escaped as ``\\u003c``), and the pages
put it into the DOM with ``textContent`` only; chart labels are entity-escaped for plotly.
The few strings in the HTML itself go through ``html.escape``.
"""

from __future__ import annotations

import base64
import html
import json
import math
import os
import shutil
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arena.core.seeding import derive_seed

if TYPE_CHECKING:  # pragma: no cover
    from arena.core.game import Game
    from arena.report.notes import NoteSection
    from arena.stats.summary import Summary
    from arena.store.sqlite import Store

REPORT_DIR = "report"
LIST_CHUNK = 10_000
"""Games per file of the games list (what the games page loads, file by file)."""
DETAIL_CHUNK = 250
"""Games per file of details (what a replay page loads besides its own views)."""
DEFAULT_REPLAYS = 40
"""Games with step views by default in a tournament of more than ``ALL_UP_TO`` games."""
ALL_UP_TO = 200
"""By default, a tournament of at most this many games has step views of every game."""
"""Games whose step-by-step views are written by default (spread over the schedule)."""
STATIC = ("report.css", "report.js")


def _js_json(value: Any) -> str:
    """JSON that is safe inside a script: no NaN, and no ``<`` (so no ``</script>``)."""
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except ValueError:  # a NaN or infinity somewhere: null
        text = json.dumps(_clean(value), separators=(",", ":"), ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace("\u2028", "\\u2028")
            .replace("\u2029", "\\u2029"))


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _page(title: str, page: str, scripts: Sequence[str], body: str = "") -> str:
    """An HTML page of the report: fixed markup, the (escaped) title, local scripts."""
    tags = "\n".join(f'<script src="{html.escape(s)}"></script>' for s in scripts)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="stylesheet" href="assets/report.css">
</head>
<body data-page="{page}">
<header><nav><a href="index.html">Leaderboard</a><a href="games.html">Games</a></nav>
<h1 id="title">{html.escape(title)}</h1></header>
<main id="main">{body}<noscript>This report needs JavaScript.</noscript></main>
<script src="data/summary.js"></script>
{tags}
<script src="assets/report.js"></script>
</body>
</html>
"""


def pick_replays(total: int, replays: int | str | None) -> list[int]:
    """Indices of the games whose step views are written: all, or ``replays`` spread evenly
    over the schedule (so every table and stage is represented), in order. ``None``: the
    default, every game up to ``ALL_UP_TO`` games, else ``DEFAULT_REPLAYS``."""
    if replays is None:
        replays = "all" if total <= ALL_UP_TO else DEFAULT_REPLAYS
    if replays == "all":
        return list(range(total))
    n = max(0, int(replays))
    if n >= total:
        return list(range(total))
    return sorted({(i * total) // n for i in range(n)})


def write_html_report(out: str | os.PathLike, summary: "Summary", store: "Store",
                      game: "Game | None" = None, replays: int | str | None = None,
                      command: str | None = None,
                      sections: "Sequence[NoteSection]" = ()) -> Path:
    """Write ``out/report/`` from ``summary`` and the games in ``store``; return the path of
    its ``index.html``. ``game``: the configured game, for step views (None: no views).
    ``replays``: how many games get step views (an int, or ``"all"``). ``sections``: the
    tournament format's notes as the index shows them (``NoteSection``), after the pairs."""
    out = Path(out)
    root = out / REPORT_DIR
    for sub in ("assets", "data", "games"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    # Old game files would not match a new store: start the games folder afresh.
    shutil.rmtree(root / "games")
    (root / "games").mkdir()
    _copy_assets(root / "assets")
    picked = pick_replays(store.count(), replays) if game is not None else []
    games = _write_game_lists(root / "games", store, [a.name for a in summary.agents],
                              set(picked))
    view_errors = (_write_views(root / "games", store, game, games.with_views)
                   if game is not None and games.with_views else {})
    source = store.get_meta("source")
    if source:
        _write(root / "spec.toml", source)
    meta = {
        "games": games.total, "names": games.names, "stages": games.stages,
        "list_chunk": LIST_CHUNK, "detail_chunk": DETAIL_CHUNK, "views": len(picked),
        "replays_all": len(picked) == games.total, "view_errors": view_errors,
        "tournament": _json_or_none(store.get_meta("tournament")),
        "created": store.get_meta("created"), "stopped": store.get_meta("stopped") or None,
        "command": command or store.get_meta("command"),
        "again": f"arena tournament {out / REPORT_DIR / 'spec.toml'} --out "
                 f"{out.name}-again" if source else None,
        "report_command": f"arena report {out} --html --replays all",
        "spec_source": source, "seat_names": _seat_names(game),
    }
    # The sections travel beside the summary, not in it: summary.json stays the summary.
    data = {"summary": summary.to_json(), "meta": meta,
            "sections": [s.to_json() for s in sections]}
    _write(root / "data" / "summary.js", f"window.ARENA={_js_json(data)};\n")
    notes = summary.notes or {}
    title = (f"{notes.get('name') or 'tournament'}: {summary.game}"
             + (f" ({summary.rules})" if summary.rules else ""))
    _write(root / "index.html", _page(title, "index", ["assets/plotly.min.js"]))
    _write(root / "games.html", _page(title + " - games", "games", []))
    _write(root / "replay.html", _page(title + " - replay", "replay", []))
    return root / "index.html"


@dataclass
class _GameLists:
    """What writing the games list found: the games, the agents (the summary's, then any
    other label) and stages in order of first appearance, and the games with step views
    (job id -> position)."""

    total: int = 0
    names: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    with_views: dict[str, int] = field(default_factory=dict)


def _write_game_lists(folder: Path, store: "Store", names: list[str],
                      with_views: set[int]) -> _GameLists:
    """The games list (``l-*.js``) and details (``d-*.js``) files, in chunks. A game's
    details are its stored record itself, written out unparsed (JSON is JavaScript; "<"
    escaped)."""
    found = _GameLists(names=names)
    agent_index = {n: i for i, n in enumerate(names)}
    stage_index: dict[str, int] = {}
    lists: list[list[Any]] = []
    detail: list[str] = []
    i = -1
    for i, g in enumerate(store.listed_games()):
        si = stage_index.setdefault(g.stage, len(found.stages))
        if si == len(found.stages):
            found.stages.append(g.stage)
        seats = []
        for label in g.labels:
            k = agent_index.setdefault(label, len(names))
            if k == len(names):
                names.append(label)
            seats.append(k)
        views = i in with_views
        if views:
            found.with_views[g.job_id] = i
        flags = (1 if g.error_seat is not None else 0) | (2 if g.forfeit is not None else 0) \
            | (4 if views else 0) | (8 if any(g.illegal) else 0)
        lists.append([g.job_id, si, seats, g.ranks, [round(x, 4) for x in g.returns], flags])
        # Seeds as text: they are 64-bit, beyond JavaScript's exact integers.
        detail.append(f'[{_js_json(g.stage)},"{g.seed}","{derive_seed(g.seed, "deal")}",'
                      f'{1 if views else 0},{g.record_json.replace("<", chr(92) + "u003c")}]')
        if len(lists) == LIST_CHUNK:
            _write_list(folder, i // LIST_CHUNK, lists)
            lists = []
        if len(detail) == DETAIL_CHUNK:
            _write_details(folder, i // DETAIL_CHUNK, detail)
            detail = []
    found.total = i + 1
    if lists:
        _write_list(folder, (found.total - 1) // LIST_CHUNK, lists)
    if detail:
        _write_details(folder, (found.total - 1) // DETAIL_CHUNK, detail)
    return found


def _write_list(folder: Path, chunk: int, lists: list[list[Any]]) -> None:
    _write(folder / f"l-{chunk}.js", f"arenaList({chunk},{_js_json(lists)});\n")


def _write_details(folder: Path, chunk: int, detail: list[str]) -> None:
    _write(folder / f"d-{chunk}.js", f"arenaDetail({chunk},[{','.join(detail)}]);\n")


def _write_views(folder: Path, store: "Store", game: "Game",
                 job_ids: dict[str, int]) -> dict[str, str]:
    """Each game's step views (``v-<position>.js``); returns why a game could not be
    replayed, by job id."""
    view_errors: dict[str, str] = {}
    for rec in store.records_by_id(list(job_ids)):
        i = job_ids[rec.job_id]
        try:
            data = game_views(game, rec)
        except Exception as exc:  # noqa: BLE001 - one game that no longer replays
            view_errors[rec.job_id] = f"{type(exc).__name__}: {exc}"
            data = {"error": f"could not replay: {type(exc).__name__}: {exc}"}
        blob = base64.b64encode(zlib.compress(
            json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode(), 6,
            wbits=31)).decode("ascii")
        _write(folder / f"v-{i}.js", f'arenaViews({i},"{blob}");\n')
    return view_errors


def _json_or_none(raw: str | None) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _seat_names(game: "Game | None") -> list[str] | None:
    return None if game is None else [f"seat {s}" for s in range(game.num_players)]


def _copy_assets(dest: Path) -> None:
    pkg = resources.files("arena.report") / "static"
    for name in STATIC:
        _write(dest / name, (pkg / name).read_text(encoding="utf-8"))
    plotly = dest / "plotly.min.js"
    from plotly.offline import get_plotlyjs
    from plotly import __version__ as plotly_version

    stamp = dest / "plotly.version"
    # 4.6 MB: written again only when the plotly package changed.
    if not plotly.exists() or not stamp.exists() or stamp.read_text() != plotly_version:
        _write(plotly, get_plotlyjs())
        _write(stamp, plotly_version)


def game_views(game: "Game", record: Any) -> dict[str, Any]:
    """A game's steps for the replay viewer: each seat's view and the full state before the
    first move and after every move, the moves' names and seats, the free text, and the
    agents' notes on their decisions (an LLM's reply).

    Views are lists of numbers into ``lines`` (each distinct line of text once)."""
    lines: list[str] = []
    seen: dict[str, int] = {}

    def ids(text: str) -> list[int]:
        out = []
        for line in text.split("\n"):
            k = seen.get(line)
            if k is None:
                k = seen[line] = len(lines)
                lines.append(line)
            out.append(k)
        return out

    n = game.num_players
    state = game.new_state(derive_seed(record.seed, "deal"))
    talk: dict[int, list[tuple[int, str]]] = {}
    for move, seat, text in record.texts:
        talk.setdefault(move, []).append((seat, text))
    notes = {move: text for move, _seat, text in getattr(record, "notes", None) or ()}

    def snapshot() -> list[list[int]]:
        return [ids(state.text(s)) for s in range(n)] + [ids(state.reveal())]

    steps = [snapshot()]
    moves: list[list[Any]] = []
    for i, a in enumerate(record.actions):
        seat = state.current_player
        try:
            name = state.action_name(a)
        except Exception:  # noqa: BLE001 - a name is a nicety
            name = str(a)
        state._apply(a)
        said = talk.get(i, [])
        for s, text in said:
            state.add_text(s, text)
        entry = [seat, name, a, said[0][1] if said else None]
        if i in notes:  # the agent's note on this decision (an LLM's reply)
            entry.append(notes[i])
        moves.append(entry)
        steps.append(snapshot())
    return {"lines": lines, "moves": moves, "steps": steps,
            "views": [f"seat {s}" for s in range(n)] + ["full state"]}
