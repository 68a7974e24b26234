"""The browser report (arena/report/html.py): files, escaping, size, and, in headless
Chromium, the leaderboard, sorting, the replay viewer and that agent text runs nothing.

The browser tests need Debian's chromium (/usr/bin/chromium) and Playwright
(`scripts/setup browser` installs both); without them they are skipped, saying so.
Screenshots of every page are written to the test's folder, or to $ARENA_SCREENSHOTS.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from arena.core.registry import make_game
from arena.core.seeding import derive_seed
from arena.play.match import replay
from arena.report.html import _js_json, _page, pick_replays
from arena.store.sqlite import Store

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
EVIL = "<script>window.pwned=1</script>"
EVIL_ERROR = '<img src=x onerror="window.pwned=2">'
EVIL_NOTE = "<script>window.pwned=3</script>"

CRASHER = f'''
from arena import Agent


class Crasher(Agent):
    """Plays its first legal move; in seat 1 it raises at its third decision."""

    name = "crasher"

    def start(self, seat, rng):
        super().start(seat, rng)
        self.moves = 0

    def act(self, view, legal):
        self.moves += 1
        if self.seat == 1 and self.moves == 3:
            raise RuntimeError({EVIL_ERROR!r})
        return legal[0]

    def decision_note(self):  # as an LLM's reply is kept
        return {EVIL_NOTE!r} + f" (decision {{self.moves}})"
'''


def arena(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "arena.cli", *args], capture_output=True,
                          text=True, timeout=600, cwd=cwd)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """A small Dhumbal tournament through the CLI (with an agent named like a script tag
    and one whose error message is HTML), its report written by `arena tournament`."""
    tmp = tmp_path_factory.mktemp("html")
    (tmp / "crash.py").write_text(CRASHER)
    spec = tmp / "t.toml"
    spec.write_text(f'''name = "html"
game = "dhumbal"
rules = "standard"
seed = 5
deals = 2
format = "round_robin"
[stats]
bootstrap = 20
[[agents]]
spec = "aggressive"
name = {json.dumps(EVIL)}
[[agents]]
spec = "balanced"
[[agents]]
spec = "opportunistic"
[[agents]]
spec = "{tmp / 'crash.py'}:Crasher"
name = "crasher"
''')
    out = tmp / "out"
    res = arena("tournament", str(spec), "--out", str(out), "--backend", "serial",
                "--no-progress", "--replays", "all", cwd=ROOT)
    assert res.returncode == 0, res.stderr
    return out


def test_json_for_scripts_has_no_tags():
    text = _js_json({"name": "</script><script>alert(1)</script>", "x": float("nan"),
                     "s": "\u2028"})
    assert "<" not in text and "\u2028" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script>"
    assert json.loads(text)["x"] is None


def test_page_escapes_its_title():
    page = _page(EVIL, "index", [])
    assert EVIL not in page and "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page


def test_replays_are_spread_over_the_schedule():
    picked = pick_replays(100_000, 60)
    assert len(picked) == 60 and picked[0] == 0 and picked == sorted(set(picked))
    assert picked[-1] > 98_000
    assert pick_replays(10, 60) == list(range(10)) == pick_replays(10, "all")
    assert pick_replays(10, 0) == []


def test_files_are_written_self_contained_and_escaped(report):
    root = report / "report"
    for name in ("index.html", "games.html", "replay.html", "spec.toml", "assets/report.js",
                 "assets/report.css", "assets/plotly.min.js", "data/summary.js",
                 "games/l-0.js", "games/d-0.js"):
        assert (root / name).is_file(), name
    for page in root.glob("*.html"):
        text = page.read_text()
        # Nothing from the network: every script and style is a file of the folder.
        assert not re.search(r'(src|href)="(https?:)?//', text), page
        assert EVIL not in text
    for data in [root / "data/summary.js", *(root / "games").glob("*.js")]:
        assert "<" not in data.read_text(), data  # no tag can close the script
    meta = json.loads(
        (root / "data/summary.js").read_text().split("=", 1)[1].rstrip().rstrip(";"))
    assert EVIL in meta["meta"]["names"]
    with Store(report / "results.sqlite") as store:
        n = store.count()
    assert meta["meta"]["games"] == n == 8 and meta["meta"]["views"] == n
    assert len(list((root / "games").glob("v-*.js"))) == n


def test_step_views_are_the_games_own_text(report):
    with Store(report / "results.sqlite") as store:
        records = store.records()
    game = make_game(records[0].game, records[0].rules)
    for i in (0, len(records) - 1):
        rec = records[i]
        blob = (report / "report/games" / f"v-{i}.js").read_text().split('"')[1]
        data = json.loads(zlib.decompress(base64.b64decode(blob), wbits=31))
        assert len(data["steps"]) == len(rec.actions) + 1 == len(data["moves"]) + 1
        end = replay(game, rec)
        lines = data["lines"]
        last = data["steps"][-1]
        for seat in range(game.num_players):
            assert "\n".join(lines[k] for k in last[seat]) == end.text(seat)
        assert "\n".join(lines[k] for k in last[-1]) == end.reveal()
        first = game.new_state(derive_seed(rec.seed, "deal"))
        assert "\n".join(lines[k] for k in data["steps"][0][0]) == first.text(0)
        # The agents' notes on their decisions (an LLM's reply) ride with their moves.
        crasher = [s for s, label in enumerate(rec.labels) if label == "crasher"]
        noted = [mv for mv in data["moves"] if len(mv) > 4]
        assert noted and all(mv[0] in crasher and EVIL_NOTE in mv[4] for mv in noted)
        assert len(noted) == len(rec.notes) == sum(rec.decisions[s] for s in crasher)


def test_sizes_stay_small(report):
    games = report / "report/games"
    per_game_list = (games / "l-0.js").stat().st_size / 8
    assert per_game_list < 200
    assert max(f.stat().st_size for f in games.glob("v-*.js")) < 400_000
    # The index page loads the summary, not the games.
    assert (report / "report/data/summary.js").stat().st_size < 100_000


def test_report_cli_writes_html_only_when_asked(report, tmp_path):
    res = arena("report", str(report), "--html", "--replays", "3", cwd=ROOT)
    assert res.returncode == 0, res.stderr
    assert "report/index.html" in res.stdout
    assert len(list((report / "report/games").glob("v-*.js"))) == 3
    res = arena("report", str(report), "--html", "--replays", "many", cwd=ROOT)
    assert res.returncode == 2 and "'many'" in res.stderr
    # Back to every game for the browser tests below.
    assert arena("report", str(report), "--html", "--replays", "all", cwd=ROOT).returncode == 0


# -- in a real browser ---------------------------------------------------------------------

def _browser():
    if not CHROMIUM.exists():
        pytest.skip("no browser: /usr/bin/chromium is not installed "
                    "(scripts/setup browser, or apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed (scripts/setup browser, or "
                    "pip install playwright)")
    return sync_playwright


@pytest.fixture(scope="module")
def page(report):
    sync_playwright = _browser()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        pg = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.errors = errors
        yield pg
        browser.close()


def _open(page, report, url):
    path, _, frag = url.partition("#")
    page.goto((report / "report" / path).as_uri() + ("#" + frag if frag else ""))
    page.wait_for_selector("body[data-ready='1']", timeout=60_000)


def _shot(page, report, name):
    folder = Path(os.environ.get("ARENA_SCREENSHOTS") or report / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True)


def test_leaderboard_shows_every_agent_and_sorts(page, report):
    _open(page, report, "index.html")
    summary = json.loads((report / "summary.json").read_text())
    names = [a["name"] for a in summary["agents"]]
    cells = page.locator("#leaderboard tbody tr td:nth-child(2)")
    assert cells.all_text_contents() == names
    assert EVIL in names and page.evaluate("window.pwned") is None
    for chart in ("chart-elo", "chart-h2h", "chart-seats"):
        assert page.locator(f"#{chart} .main-svg").count() > 0, chart
    # Every agent with an Elo is a point of the Elo chart (placed or separated).
    assert page.locator("#chart-elo .scatterlayer .point").count() == \
        sum(a["elo"] is not None for a in summary["agents"])
    header = page.locator("#leaderboard th").nth(1)
    header.click()
    assert cells.all_text_contents() == sorted(names, key=str.lower) or \
        cells.all_text_contents() == sorted(names)
    header.click()
    assert cells.all_text_contents()[0] == max(names, key=str.lower)
    page.locator("#leaderboard th", has_text="win rate (95% CI)").click()
    rates = [a["win_rate"] for a in summary["agents"]]
    shown = [float(t.split()[0]) for t in
             page.locator("#leaderboard tbody tr td:nth-child(5)").all_text_contents()]
    assert shown == sorted(round(r, 3) for r in rates)
    assert page.errors == []
    _shot(page, report, "index.png")


def test_games_page_filters_by_agent_and_outcome(page, report):
    _open(page, report, "games.html#agent=crasher&outcome=error")
    rows = page.locator("#games tbody tr")
    # The crasher raises in seat 1 only: one rotation of each of the 2 deals.
    assert rows.count() == 2
    assert page.evaluate("window.pwned") is None
    page.select_option("#f-outcome", "")
    assert rows.count() == 8
    assert page.errors == []
    _shot(page, report, "games.png")


def test_replay_steps_forward_and_back_and_shows_the_cards(page, report):
    with Store(report / "results.sqlite") as store:
        rec = store.records()[0]
    game = make_game(rec.game, rec.rules)
    state = game.new_state(derive_seed(rec.seed, "deal"))
    states = [state.clone()]
    for a in rec.actions[:3]:
        state._apply(a)
        states.append(state.clone())

    def hand(s, seat):
        line = next(x for x in s.text(seat).split("\n") if x.startswith("Your hand:"))
        return line.split(":", 1)[1].split("(")[0].split()

    _open(page, report, "replay.html#0")
    info = page.locator("#stepinfo")
    assert info.text_content() == f"step 0 of {len(rec.actions)}"
    page.select_option("#view-select", "0")

    def hand_cards():
        return page.evaluate("""() => {
          const v = document.getElementById('view');
          const text = v.innerText.split('\\n').find(l => l.startsWith('Your hand:'));
          return text.split(':')[1].split('(')[0].trim().split(/\\s+/);
        }""")

    assert hand_cards() == hand(states[0], 0)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert info.text_content() == f"step 2 of {len(rec.actions)}"
    assert hand_cards() == hand(states[2], 0)
    page.click("#back")
    assert info.text_content() == f"step 1 of {len(rec.actions)}"
    assert hand_cards() == hand(states[1], 0)
    # Cards are drawn as cards: each card of the hand is its own element.
    cards = page.locator("#view .card").all_text_contents()
    assert all(c in cards for c in hand(states[1], 0))
    assert page.locator("#moves li.current").text_content().startswith("1. seat")
    page.keyboard.press("End")
    assert info.text_content() == f"step {len(rec.actions)} of {len(rec.actions)}"
    assert page.errors == []
    _shot(page, report, "replay.png")


def test_agent_text_runs_nothing(page, report):
    """An agent named <script>...</script> and an error message that is an <img onerror>:
    shown as text on every page, and nothing runs."""
    page.goto("about:blank")
    _open(page, report, "games.html#outcome=error")
    first = page.locator("#games tbody tr a").first
    first.click()
    page.wait_for_selector("body[data-ready='1']")
    assert EVIL_ERROR in page.locator(".err").first.text_content()
    assert page.locator("img").count() == 0
    assert page.evaluate("window.pwned") is None
    for _ in range(40):  # step to a move of the agent that keeps notes
        if page.locator("#note").count():
            break
        page.locator("#forward").click()
    assert EVIL_NOTE in page.locator("#note").text_content()
    assert page.evaluate("window.pwned") is None
    _open(page, report, "games.html#agent=" + EVIL.replace("<", "%3C").replace(">", "%3E"))
    assert EVIL in page.locator("#games").text_content()
    assert page.evaluate("window.pwned") is None
    assert page.errors == []
    _shot(page, report, "replay-error.png")


@pytest.mark.slow
def test_quick_example_leaves_a_report_that_works_in_a_browser(page, tmp_path):
    """The issue's acceptance check: `arena tournament tournaments/examples/quick.toml`
    leaves report/index.html, whose leaderboard and a replay work in Chromium."""
    out = tmp_path / "quick"
    res = arena("tournament", "tournaments/examples/quick.toml", "--out", str(out),
                "--no-progress", cwd=ROOT)
    assert res.returncode == 0, res.stderr
    summary = json.loads((out / "summary.json").read_text())
    _open(page, out, "index.html")
    assert page.locator("#leaderboard tbody tr td:nth-child(2)").all_text_contents() == \
        [a["name"] for a in summary["agents"]]
    _shot(page, out, "quick-index.png")
    _open(page, out, "replay.html#0")
    page.keyboard.press("ArrowRight")
    assert page.locator("#stepinfo").text_content().startswith("step 1 of ")
    assert page.locator("#view .card").count() > 0
    _shot(page, out, "quick-replay.png")
    assert page.errors == []



@pytest.mark.parametrize("game, check", [
    ("connect_four", "board"), ("holdem", "cards"), ("go9", "board")])
def test_boards_and_cards_look_like_boards_and_cards(page, tmp_path, game, check):
    """Connect Four and Go boards are drawn as grids of discs and stones, poker cards as
    cards, from the games' own text."""
    spec = tmp_path / "t.toml"
    spec.write_text(f'name = "g"\ngame = "{game}"\nseed = 2\ndeals = 1\n'
                    'format = "round_robin"\n[stats]\nbootstrap = 10\n'
                    '[[agents]]\nspec = "random"\n[[agents]]\nspec = "random"\n'
                    'name = "random2"\n')
    out = tmp_path / "out"
    res = arena("tournament", str(spec), "--out", str(out), "--backend", "serial",
                "--no-progress", cwd=ROOT)
    assert res.returncode == 0, res.stderr
    with Store(out / "results.sqlite") as store:
        rec = store.records()[0]
    g = make_game(rec.game, rec.rules)
    end = replay(g, rec)
    _open(page, out, f"replay.html#0/{len(rec.actions)}")
    page.select_option("#view-select", "0")
    if check == "board":
        cells = page.locator("#view .board .cell")
        assert cells.count() == (42 if game == "connect_four" else 81)
        pieces = page.locator("#view .board .cell.x, #view .board .cell.o, "
                              "#view .board .cell.X, #view .board .cell.O").count()
        board = [line for line in end.text(0).split("\n")
                 if line.startswith("|") or line[:3].strip().isdigit()]
        assert pieces == sum(line.count("x") + line.count("o") + line.count("X")
                             + line.count("O") for line in board) > 0
    else:
        line = next(x for x in end.text(0).split("\n") if x.startswith("Your cards:"))
        want = [c.replace("T", "10") for c in line.split(":", 1)[1].split()]
        suits = {"s": "\u2660", "h": "\u2665", "d": "\u2666", "c": "\u2663"}
        shown = page.locator("#view .card").all_text_contents()
        assert [w[:-1] + suits[w[-1]] for w in want] == shown[:2]
        assert page.locator("#view .chip").count() > 0
    assert page.errors == []
    _shot(page, out, f"{game}.png")


# -- a format's notes, as sections the format wrote ----------------------------------------

NOTED = {
    "championship": '''name = "champ"
game = "dhumbal"
seed = 3
deals = 1
format = "championship"
[stats]
bootstrap = 10
[championship]
groups = {a = ["random", "aggressive", "conservative", "balanced"], b = ["expert", "opportunistic"]}
advance = 2
final_deals = 1
''' + "".join(f'[[agents]]\nspec = "{s}"\n' for s in (
        "random", "aggressive", "conservative", "balanced", "expert", "opportunistic")),
    "sprt": '''name = "duel"
game = "dhumbal(players=2)"
seed = 3
deals = 1
format = "sprt"
[stats]
bootstrap = 10
[sprt]
batch = 1
max_deals = 3
[[agents]]
spec = "random"
[[agents]]
spec = "expert"
''',
}

# What report.js rendered before formats described their notes (it read the notes itself):
# the page must look the same.
OLD_EXTRAS = """(n) => {
  const num = (x, d = 3) => (typeof x === "number" && isFinite(x) ? x.toFixed(d) : "-");
  const out = [];
  if (n.advanced) out.push(["Championship: advanced to the final",
    Object.entries(n.advanced).map(([g, list]) => [g + ": ", g + ": " + list.join(", ")])]);
  if (n.sprt) { const x = n.sprt; out.push(["SPRT", [[null,
    `${x.a} vs ${x.b} (elo0 ${x.elo0}, elo1 ${x.elo1}): ${x.decision || "undecided"} ` +
    `after ${x.deals} deals (${x.games} games), LLR ${num(x.llr, 2)}`]]]); }
  return out;
}"""

SHOWN_SECTIONS = """(titles) => [...document.querySelectorAll('#main section')]
  .filter((s) => titles.includes(s.querySelector('h2').textContent))
  .map((s) => [s.querySelector('h2').textContent, [...s.querySelectorAll('p')]
    .map((p) => [p.querySelector('b') ? p.querySelector('b').textContent : null,
                 p.textContent])])"""


def _sections_shown(page, titles):
    """Each section titled in ``titles``, as [title, [[bold part or None, text], ...]]; and
    the order of every section's title on the page."""
    return (page.evaluate(SHOWN_SECTIONS, titles),
            page.locator("#main section h2").all_text_contents())


@pytest.mark.parametrize("fmt", sorted(NOTED))
def test_a_formats_notes_show_on_the_index_as_they_did(page, tmp_path, fmt):
    spec = tmp_path / f"{fmt}.toml"
    spec.write_text(NOTED[fmt])
    out = tmp_path / "out"
    res = arena("tournament", str(spec), "--out", str(out), "--backend", "serial",
                "--no-progress", "--replays", "0", cwd=ROOT)
    assert res.returncode == 0, res.stderr
    notes = json.loads((out / "summary.json").read_text())["notes"]
    assert "sections" not in json.loads((out / "summary.json").read_text())
    assert ("advanced" in notes) == (fmt == "championship") and ("sprt" in notes) == \
        (fmt == "sprt")
    _open(page, out, "index.html")
    want = page.evaluate(OLD_EXTRAS, notes)
    assert len(want) == 1 and want[0][1]
    shown, order = _sections_shown(page, [want[0][0]])
    assert shown == want
    # Where the page put them before: after the pairs, before the reproduce section.
    assert order.index(want[0][0]) < order.index("Reproduce")
    # The terminal still prints its own line.
    first = "Advanced to the final: " if fmt == "championship" else "SPRT random vs expert"
    assert first in res.stdout
    assert page.errors == []
    _shot(page, out, f"{fmt}-notes.png")


def test_a_format_from_outside_shows_its_notes_on_the_index(page, tmp_path, capsys):
    """The toy format of test_formats (registered in this process, run through the CLI's
    own entry point): its sections reach the page, as text."""
    from test_formats import HUB_SPEC, Hub

    from arena.cli import main
    from tournaments.formats import register_format, unregister_format

    spec = tmp_path / "hub.toml"
    spec.write_text(HUB_SPEC.replace('spec = "expert"\n',
                                     f'spec = "expert"\nname = {json.dumps(EVIL)}\n'))
    out = tmp_path / "out"
    register_format("hub", Hub)
    try:
        code = main(["tournament", str(spec), "--out", str(out), "--backend", "serial",
                     "--no-progress"])
    finally:
        unregister_format("hub")
    assert code == 0, capsys.readouterr().err
    assert f"{EVIL} met random (4 games), aggressive (4 games)" in capsys.readouterr().out
    assert "sections" not in json.loads((out / "summary.json").read_text())
    _open(page, out, "index.html")
    shown, _ = _sections_shown(page, [f"Hub: {EVIL}"])
    assert shown == [[f"Hub: {EVIL}", [["random: ", "random: 4 games"],
                                       ["aggressive: ", "aggressive: 4 games"]]]]
    assert page.evaluate("window.pwned") is None
    assert page.errors == []
    _shot(page, out, "hub-notes.png")
