"""A tournament report for the browser: ``DIR/report/index.html`` and its replay viewer.

The folder is self-contained and opens from disk (``file://``), with no server and no
network: the styles, the scripts and the charting library (plotly.js, from the ``plotly``
package) are files in it. Pages:

- ``index.html``: the leaderboard (sortable), charts (Elo with intervals, head to head, win
  rate by seat, by role and team), the pairwise verdicts, LLM figures, the spec, versions,
  seeds and the command that reproduces the run;
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
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arena.core.seeding import derive_seed

if TYPE_CHECKING:  # pragma: no cover
    from arena.core.game import Game
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


def write_html_report(out: str | os.PathLike, summary: dict[str, Any], store: "Store",
                      game: "Game | None" = None, replays: int | str | None = None,
                      command: str | None = None) -> Path:
    """Write ``out/report/`` from ``summary`` and the games in ``store``; return the path of
    its ``index.html``. ``game``: the configured game, for step views (None: no views).
    ``replays``: how many games get step views (an int, or ``"all"``)."""
    out = Path(out)
    root = out / REPORT_DIR
    for sub in ("assets", "data", "games"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    # Old game files would not match a new store: start the games folder afresh.
    shutil.rmtree(root / "games")
    (root / "games").mkdir()
    _copy_assets(root / "assets")

    # The fields the list needs are read by SQLite's JSON functions (C, a fraction of the
    # cost of parsing every record in Python); a game's details are its stored record
    # itself, written out unparsed (JSON is JavaScript; "<" escaped).
    rows = store.conn.execute(
        "SELECT stage, json_extract(record, '$.job_id', '$.labels', '$.ranks', '$.returns', "
        "'$.forfeit', '$.illegal', '$.errors[0].seat'), json_extract(record, '$.seed'), "
        # The decision-time histograms are for percentiles over many games: not shown.
        "json_remove(record, '$.think_hist') FROM games ORDER BY seq, job_id")
    total = store.count()
    names = [a["name"] for a in summary.get("agents", [])]
    agent_index = {n: i for i, n in enumerate(names)}
    stages: list[str] = []
    stage_index: dict[str, int] = {}
    picked = pick_replays(total, replays) if game is not None else []
    with_views = set(picked)
    job_ids: dict[str, int] = {}

    lists: list[list[Any]] = []
    detail: list[str] = []
    i = -1
    for i, (stage, fields, seed, record) in enumerate(rows):
        job_id, labels, ranks, returns, forfeit, illegal, error = json.loads(fields)
        si = stage_index.get(stage)
        if si is None:
            si = stage_index[stage] = len(stages)
            stages.append(stage)
        seats = []
        for label in labels:
            k = agent_index.get(label)
            if k is None:
                k = agent_index[label] = len(names)
                names.append(label)
            seats.append(k)
        views = i in with_views
        if views:
            job_ids[job_id] = i
        flags = (1 if error is not None else 0) | (2 if forfeit is not None else 0) | \
            (4 if views else 0) | (8 if any(illegal) else 0)
        lists.append([job_id, si, seats, ranks, [round(x, 4) for x in returns], flags])
        # Seeds as text: they are 64-bit, beyond JavaScript's exact integers.
        detail.append(f'[{_js_json(stage)},"{seed}","{derive_seed(seed, "deal")}",'
                      f'{1 if views else 0},{record.replace("<", chr(92) + "u003c")}]')
        if len(lists) == LIST_CHUNK:
            _write(root / "games" / f"l-{i // LIST_CHUNK}.js",
                   f"arenaList({i // LIST_CHUNK},{_js_json(lists)});\n")
            lists = []
        if len(detail) == DETAIL_CHUNK:
            _write(root / "games" / f"d-{i // DETAIL_CHUNK}.js",
                   f"arenaDetail({i // DETAIL_CHUNK},[{','.join(detail)}]);\n")
            detail = []
    total = i + 1
    if lists:
        _write(root / "games" / f"l-{(total - 1) // LIST_CHUNK}.js",
               f"arenaList({(total - 1) // LIST_CHUNK},{_js_json(lists)});\n")
    if detail:
        _write(root / "games" / f"d-{(total - 1) // DETAIL_CHUNK}.js",
               f"arenaDetail({(total - 1) // DETAIL_CHUNK},[{','.join(detail)}]);\n")

    view_errors: dict[str, str] = {}
    if game is not None and job_ids:
        for job_id, rec in _records_with_actions(store, list(job_ids)):
            i = job_ids[job_id]
            try:
                data = game_views(game, rec)
            except Exception as exc:  # noqa: BLE001 - one game that no longer replays
                view_errors[job_id] = f"{type(exc).__name__}: {exc}"
                data = {"error": f"could not replay: {type(exc).__name__}: {exc}"}
            blob = base64.b64encode(zlib.compress(
                json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode(), 6,
                wbits=31)).decode("ascii")
            _write(root / "games" / f"v-{i}.js", f'arenaViews({i},"{blob}");\n')

    source = store.get_meta("source")
    if source:
        _write(root / "spec.toml", source)
    meta = {
        "games": total, "names": names, "stages": stages, "list_chunk": LIST_CHUNK,
        "detail_chunk": DETAIL_CHUNK, "views": len(with_views), "replays_all":
            len(with_views) == total, "view_errors": view_errors,
        "tournament": _json_or_none(store.get_meta("tournament")),
        "created": store.get_meta("created"), "stopped": store.get_meta("stopped") or None,
        "command": command or store.get_meta("command"),
        "again": f"arena tournament {out / REPORT_DIR / 'spec.toml'} --out "
                 f"{out.name}-again" if source else None,
        "report_command": f"arena report {out} --html --replays all",
        "spec_source": source, "seat_names": _seat_names(game),
    }
    _write(root / "data" / "summary.js",
           f"window.ARENA={_js_json({'summary': summary, 'meta': meta})};\n")
    notes = summary.get("notes", {})
    title = (f"{notes.get('name') or 'tournament'}: {summary.get('game', '')}"
             + (f" ({summary['rules']})" if summary.get("rules") else ""))
    _write(root / "index.html", _page(title, "index", ["assets/plotly.min.js"]))
    _write(root / "games.html", _page(title + " - games", "games", []))
    _write(root / "replay.html", _page(title + " - replay", "replay", []))
    return root / "index.html"


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


def _records_with_actions(store: "Store", job_ids: list[str]):
    """``(job_id, record)`` with moves for the given job ids, in batches."""
    from arena.play.match import GameRecord
    from arena.store.sqlite import unpack_actions

    for k in range(0, len(job_ids), 500):
        batch = job_ids[k:k + 500]
        marks = ",".join("?" * len(batch))
        for record, moves in store.conn.execute(
                f"SELECT record, actions FROM games WHERE job_id IN ({marks})", batch):
            data = json.loads(record)
            data["actions"] = unpack_actions(moves)
            yield data["job_id"], GameRecord.from_dict(data)


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
