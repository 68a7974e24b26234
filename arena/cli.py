"""The ``arena`` command: list games and agents, play matches, play against agents yourself.

Bad input (unknown names, bad values, the wrong number of agents) ends with one line on
stderr naming the problem and the valid choices, exit code 2, and nothing written.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from rich.console import Console

from arena import __version__
from arena.core.errors import ArenaError
from arena.core.params import describe_params

if TYPE_CHECKING:  # pragma: no cover
    from arena.stats.summary import Summary


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


_Subcommands = argparse._SubParsersAction  # what add_subparsers returns


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="arena", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"arena {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for add in (_add_games, _add_agents, _add_match, _add_tournament, _add_train,
                _add_llm_serve, _add_llm_check, _add_exploitability, _add_report, _add_play):
        add(sub)
    return parser


def _add_games(sub: _Subcommands) -> None:
    p = sub.add_parser("games", help="list the games, their rule settings and presets")
    p.add_argument("--all", action="store_true",
                   help="also list every game of the providers (e.g. all OpenSpiel games)")


def _add_agents(sub: _Subcommands) -> None:
    p = sub.add_parser("agents", help="list the agents (those that play GAME, if given)")
    p.add_argument("game", nargs="?", help="a game name, e.g. dhumbal")


def _add_match(sub: _Subcommands) -> None:
    from games.dhumbal.game import PRESETS as DHUMBAL_PRESETS

    p = sub.add_parser("match", help="play N games between agents, seats rotated, and score them")
    p.add_argument("game", help="game spec, e.g. dhumbal or 'dhumbal(players=3)'")
    p.add_argument("--agents", required=True,
                   help="agent specs, one per seat, comma-separated: 'expert,random,...'")
    p.add_argument("--rules", help=f"rules preset (dhumbal: {', '.join(DHUMBAL_PRESETS)})")
    p.add_argument("--games", type=_positive, default=100, help="games to play (default 100)")
    p.add_argument("--seed", type=_integer, default=0, help="root seed (default 0)")
    p.add_argument("--seats", choices=("rotate", "fixed"), default="rotate",
                   help="rotate seats over duplicate deals (default), or keep the given order")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument("--concurrency", type=_positive, default=1,
                   help="games played at once on threads (for agents that wait on a "
                        "network, e.g. llm; default 1)")
    p.add_argument("--time-per-move", type=float, default=None,
                   help="seconds per decision; over it, the agent forfeits the game")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def _add_tournament(sub: _Subcommands) -> None:
    p = sub.add_parser("tournament", help="run a tournament from a spec file (TOML)")
    p.add_argument("spec", help="tournament spec, e.g. tournaments/examples/quick.toml")
    p.add_argument("--out", help="output folder (default: out/<spec name>)")
    p.add_argument("--workers", type=_positive, help="worker processes (default: one per core)")
    p.add_argument("--backend", choices=("serial", "processes", "ray"), default="processes",
                   help="where games run (default: processes)")
    p.add_argument("--address", help="Ray cluster address (default: start a local cluster)")
    p.add_argument("--resume", action="store_true",
                   help="finish an interrupted run in --out (skips the games it stored)")
    p.add_argument("--force-resume", action="store_true",
                   help="resume even a store written by another arena version or other "
                        "game/agent code (the versions mixed are recorded in the summary)")
    p.add_argument("--start-method", choices=("fork", "spawn", "forkserver"),
                   help="how worker processes start (default: the platform's)")
    p.add_argument("--concurrency", type=_positive, default=1,
                   help="games each worker plays at once on threads (for agents that wait "
                        "on a network, e.g. llm; default 1)")
    p.add_argument("--max-tokens", type=_positive,
                   help="stop cleanly once the games stored used this many LLM tokens (in + "
                        "out; overrides the spec's [budget] tokens)")
    p.add_argument("--max-cost", type=float,
                   help="stop cleanly once the games stored cost this many US dollars of "
                        "LLM use, by the price table (overrides the spec's [budget] cost)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--no-html", action="store_true",
                   help="do not write the browser report (OUT/report/index.html)")
    p.add_argument("--replays", type=_replays, default=None,
                   help="games whose step-by-step views the browser report holds: a number "
                        "(spread over the schedule) or 'all' (default: all up to 200 games, "
                        "else 40)")


def _add_train(sub: _Subcommands) -> None:
    from agents.rl.config import TrainConfig

    p = sub.add_parser("train", help="train a PPO or DQN agent on a game (needs the rl extra)")
    _add_config_options(p, TrainConfig)


_READERS: dict[str, Callable[[str], Any]] = {"text": str, "integer": _integer,
                                             "positive": _positive, "number": float}


def _add_config_options(p: argparse.ArgumentParser, config: type) -> None:
    """The options the dataclass ``config`` declares (see ``agents.rl.config.option``), each
    stored under its field's name: None where an option with a value is not given."""
    from agents.rl.config import options

    for name, opt in options(config):
        flag = opt.name(name)
        if opt.positional:
            p.add_argument(name, help=opt.help)
        elif opt.kind == "switch":  # sets the opposite of the field's default
            p.add_argument(flag, dest=name, help=opt.help,
                           action="store_false" if opt.default else "store_true")
        else:
            p.add_argument(flag, dest=name, type=_READERS[opt.kind], choices=opt.choices,
                           required=opt.required, help=opt.help,
                           metavar=None if opt.choices else flag.lstrip("-").replace("-", "_")
                           .upper())


def _add_llm_serve(sub: _Subcommands) -> None:
    p = sub.add_parser("llm-serve", help="serve a small language model on this machine "
                                         "(offline, OpenAI-compatible; needs scripts/setup llm)")
    p.add_argument("--port", type=_positive, default=8080, help="port on 127.0.0.1 (default 8080)")
    p.add_argument("--model-path", help="a GGUF model file (default: the packaged Gemma 3 270M)")
    p.add_argument("--model-name", default="gemma-3-270m",
                   help="the name clients use: llm(model=NAME) (default gemma-3-270m)")
    p.add_argument("--ctx", type=_positive, default=4096, help="context tokens (default 4096)")
    p.add_argument("--threads", type=_positive, help="CPU threads (default: llama.cpp's)")
    p.add_argument("--chat-format", default="gemma",
                   help="llama-cpp-python chat format (default gemma, for Gemma models)")


def _add_llm_check(sub: _Subcommands) -> None:
    p = sub.add_parser("llm-check", help="send one tiny request to an LLM server and say "
                                         "what it answered or why it failed")
    p.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:8000/v1")
    p.add_argument("--model", required=True, help="the model name the server knows")
    p.add_argument("--api-key-env", default="OPENAI_API_KEY",
                   help="variable holding the API key (default OPENAI_API_KEY)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds (default 30)")


def _add_exploitability(sub: _Subcommands) -> None:
    p = sub.add_parser("exploitability",
                       help="exploitability (NashConv / 2) of an agent's policy on a small game")
    p.add_argument("game", help="an OpenSpiel game, e.g. kuhn_poker or leduc_poker")
    p.add_argument("agent", help="an agent spec whose policy can be tabulated, e.g. "
                                 "cfr(iterations=5000)")


def _add_report(sub: _Subcommands) -> None:
    p = sub.add_parser("report", help="recompute a tournament's summary, tables and plots")
    p.add_argument("out", help="a tournament's output folder")
    p.add_argument("--html", action="store_true",
                   help="also write the browser report, OUT/report/index.html, with a replay "
                        "of every game")
    p.add_argument("--replays", type=_replays, default=None,
                   help="with --html: games whose step-by-step views the report holds: a "
                        "number (spread over the schedule) or 'all' (default: all up to 200 "
                        "games, else 40)")


def _add_play(sub: _Subcommands) -> None:
    p = sub.add_parser("play", help="play a game yourself in the terminal against agents")
    p.add_argument("game", help="game spec, e.g. dhumbal")
    p.add_argument("--vs", required=True, help="the other seats' agents: 'expert,expert,expert'")
    p.add_argument("--rules", help="rules preset")
    p.add_argument("--seat", type=int, default=0, help="your seat (default 0: you move first)")
    p.add_argument("--seed", type=_integer, default=None, help="deal seed (default: random)")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return {"games": cmd_games, "agents": cmd_agents, "match": cmd_match,
                "tournament": cmd_tournament, "report": cmd_report,
                "exploitability": cmd_exploitability, "train": cmd_train,
                "llm-check": cmd_llm_check, "llm-serve": cmd_llm_serve,
                "play": cmd_play}[args.command](args)
    except ArenaError as exc:
        print(f"arena {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. head, which closed early
        sys.stderr.close()
        return 0


def cmd_games(args: argparse.Namespace) -> int:
    from rich.table import Table

    from arena.core.registry import game_class, game_names

    console = Console()
    for name in game_names():
        cls = game_class(name)
        info = cls.info
        players = (f"{info.min_players}" if info.min_players == info.max_players
                   else f"{info.min_players}-{info.max_players}")
        console.print(f"[bold]{name}[/bold]: {info.description} ({players} players)")
        if cls.presets:
            table = Table("setting", *[f"{p}{' (default)' if p == cls.default_preset else ''}"
                                       for p in cls.presets], "help", title_justify="left")
            presets = {p: cls.from_params({}, p).rules for p in cls.presets}
            for field, _, help_text in describe_params(cls.Rules):
                table.add_row(field, *[str(getattr(r, field)) for r in presets.values()],
                              help_text)
            console.print(table)
        else:
            for field, default, help_text in describe_params(cls.Rules):
                console.print(f"  {field} = {default}  {help_text}")
        console.print(f"  set any setting in the game spec, e.g. {name}(setting=value)\n")
    from arena.core.registry import provided_game_names

    for label, names in provided_game_names().items():
        if args.all:
            console.print(f"[bold]{label}[/bold] ({len(names)} games, any parameters as "
                          f"name(key=value)): " + ", ".join(names))
        else:
            console.print(f"and {len(names)} more games from {label}: arena games --all")
    return 0


def cmd_agents(args: argparse.Namespace) -> int:
    from arena.core.registry import agent_class, agent_names, agents_for, make_game

    console = Console()
    names = agent_names()
    if args.game:
        names = agents_for(make_game(args.game))
    for name in names:
        cls = agent_class(name)
        games = ", ".join(cls.games) if cls.games else "any game"
        doc = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        console.print(f"[bold]{name}[/bold] ({games}): {doc}")
        for field, default, help_text in describe_params(cls.Params):
            console.print(f"    {field} = {default}  {help_text}")
    return 0


def _check_output(path: str | None) -> None:
    if path is None:
        return
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        raise ArenaError(f"--json {path}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise ArenaError(f"--json {path}: folder {parent} is not writable")
    if Path(path).is_dir():
        raise ArenaError(f"--json {path}: is a folder, expected a file path")


def cmd_match(args: argparse.Namespace) -> int:
    from arena.play.match import run_match
    from arena.core.registry import agent_settings, make_game
    from arena.report.output import console as report_console
    from arena.report.output import (leaderboard, llm_table, roles_table, timing_table,
                                     write_json)
    from arena.core.spec import parse_spec, parse_spec_list
    from arena.stats.basic import summarize
    from arena.stats.roles import role_tables

    game = make_game(args.game, args.rules)
    specs = [str(s) for s in parse_spec_list(args.agents)]
    _check_output(args.json)
    game_spec = str(parse_spec(args.game))
    if args.time_per_move is not None and not args.time_per_move > 0:
        raise ArenaError(f"--time-per-move must be positive, got {args.time_per_move}")
    labels, stream = run_match(game, specs, args.games, args.seed, args.seats, game_spec,
                               concurrency=args.concurrency,
                               time_per_move=args.time_per_move)
    console = report_console()
    err = report_console(stderr=True)
    if args.seats == "rotate" and args.games % game.num_players:
        err.print(f"note: {args.games} games is not a multiple of {game.num_players} seats; "
                  "the last deal is not played in every rotation")
    records = []
    progress = None
    if not args.no_progress and err.is_terminal:
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)

        progress = Progress(TextColumn("games"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                            TextColumn("eta"), TimeRemainingColumn(), console=err,
                            transient=True)
    if progress is not None:
        with progress:
            task = progress.add_task("games", total=args.games, rate="")
            for rec in stream:
                records.append(rec)
                speed = progress.tasks[0].speed
                progress.update(task, advance=1,
                                rate=f"{speed:.0f} games/s" if speed else "")
    else:
        records = list(stream)
    summaries, timings = summarize(records, game.metric_specs, order=labels)
    spec_of = dict(zip(labels, specs))
    title = (f"{game.describe()} - {len(records)} games, seats {args.seats}, seed {args.seed}"
             + ("; ranked by mean payoff" if game.ranked_by == "payoff" else ""))
    console.print(leaderboard(summaries, game.metric_specs, title=title,
                              by_payoff=game.ranked_by == "payoff"))
    roles = role_tables(records, labels)
    if roles is not None:
        console.print(roles_table(roles))
    console.print(timing_table(timings))
    llm = llm_table([(s.name, s.agent_stats) for s in summaries])
    if llm is not None:
        console.print(llm)
    if args.json:
        write_json(args.json, {
            "game": game_spec, "rules": game.preset, "settings": game.settings(),
            "games": len(records), "seed": args.seed, "seats": args.seats,
            "agents": [{**s.to_dict(), "spec": spec_of[s.name],
                        "settings": agent_settings(spec_of[s.name])} for s in summaries],
            **(roles.to_json() if roles is not None else {}),
            "timing": [t.to_dict() for t in timings],
        })
        console.print(f"results written to {args.json}")
    return 0


def _progress_bar(err: Console):
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)

    return Progress(TextColumn("games"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("eta"),
                    TimeRemainingColumn(), console=err, transient=True)


def _print_tournament(summary: "Summary", out: Path, files: list[Path]) -> None:
    from arena.report.output import console as report_console
    from arena.report.output import (h2h_table, llm_table, pairs_table, roles_table,
                                     seats_line, timing_table, tournament_leaderboard)

    console = report_console()
    notes = summary.notes or {}
    rules = f" ({summary.rules})" if summary.rules else ""
    title = (f"{notes.get('name', '')}: {summary.game}{rules}, {summary.games} games, "
             f"{notes.get('format', '')}, seats {notes.get('seats', '')}; ranked by "
             f"{summary.ranked_by}")
    console.print(tournament_leaderboard(summary, title))
    from tournaments.formats import note_lines

    for line in note_lines(notes):  # the format's own notes (e.g. who advanced)
        console.print(line)
    if summary.pairs:
        console.print(pairs_table(summary.pairs, summary.adjust))
    console.print(h2h_table(summary))
    if summary.roles is not None and (summary.roles.roles or summary.roles.teams):
        console.print(roles_table(summary.roles))
    console.print(seats_line(summary.seats))
    console.print(timing_table(summary.timing))
    llm = llm_table([(a.name, a.agent_stats) for a in summary.agents], summary.llm)
    if llm is not None:
        console.print(llm)
    console.print(f"written to {out}/: " + ", ".join(
        str(p.relative_to(out)) if p.is_relative_to(out) else p.name for p in files))


def _resume_command(args: argparse.Namespace, out: Path) -> str:
    import shlex

    words = ["arena", "tournament", args.spec, "--out", str(out), "--resume"]
    if args.force_resume:
        words.append("--force-resume")
    if args.backend != "processes":
        words += ["--backend", args.backend]
    for flag, value in (("--workers", args.workers), ("--address", args.address),
                        ("--start-method", args.start_method),
                        ("--concurrency", args.concurrency if args.concurrency > 1 else None),
                        ("--max-tokens", args.max_tokens), ("--max-cost", args.max_cost)):
        if value is not None:
            words += [flag, str(value)]
    if args.no_progress:
        words.append("--no-progress")
    if args.no_html:
        words.append("--no-html")
    if args.replays is not None:
        words += ["--replays", str(args.replays)]
    return " ".join(shlex.quote(w) for w in words)


def cmd_tournament(args: argparse.Namespace) -> int:
    from tournaments.run import BudgetReached, TournamentRunner, check_prices, open_store

    from arena.core.registry import make_game
    from tournaments.runners import make_runner
    from tournaments.spec import load_tournament

    from arena.report.output import console as report_console

    t = load_tournament(args.spec)
    if args.max_cost is not None and args.max_cost <= 0:
        raise ArenaError(f"--max-cost {args.max_cost:g}: a positive number of US dollars")
    t = dataclasses.replace(
        t, max_tokens=args.max_tokens if args.max_tokens is not None else t.max_tokens,
        max_cost=args.max_cost if args.max_cost is not None else t.max_cost)
    out = Path(args.out or Path("out") / t.name)
    if args.address and args.backend != "ray":
        raise ArenaError("--address needs --backend ray")
    resume = args.resume or args.force_resume
    # Refuse before starting workers.
    open_store(t, out, resume, create=False, force=args.force_resume).close()
    check_prices(t, make_game(t.game, t.rules))
    runner = store = driver = None
    stopped = None
    try:
        runner = make_runner(args.backend, args.workers, args.address, args.start_method,
                             args.concurrency)
        store = open_store(t, out, resume, force=args.force_resume)
        store.set_meta("tournament", json.dumps(t.to_dict()))  # this run's budgets
        err = report_console(stderr=True)
        err.print(f"{t.name}: {t.format} of {len(t.agents)} agents, backend {runner.name} "
                  f"({runner.workers} worker{'s' if runner.workers > 1 else ''}), store "
                  f"{store.path}" + (f", resuming with {store.count()} games" if resume
                                     and store.count() else ""))
        if not args.no_progress and err.is_terminal:
            bar = _progress_bar(err)
            with bar:
                task = bar.add_task("games", total=None, rate="")

                def progress(done: int, total: int) -> None:
                    speed = bar.tasks[0].speed
                    bar.update(task, completed=done, total=total,
                               rate=f"{speed:.0f} games/s" if speed else "")

                driver = TournamentRunner(t, store, runner, progress)
                driver.run()
        else:
            driver = TournamentRunner(t, store, runner)
            driver.run()
    except BudgetReached as exc:
        stopped = str(exc)
    except KeyboardInterrupt:
        if runner is not None:
            runner.close()
        if store is None:
            print("\ninterrupted before any game was played", file=sys.stderr)
            return 130
        stored = store.count()
        store.close()
        planned = f" of {driver.planned:,}" if driver is not None and driver.planned else ""
        print(f"\ninterrupted: {stored:,}{planned} games stored in {out}; resume with: "
              f"{_resume_command(args, out)}", file=sys.stderr)
        return 130
    finally:
        if runner is not None:
            runner.close()
    assert store is not None  # opened, or the run ended above
    store.set_meta("stopped", stopped or "")
    summary, files = _write_reports(out, t, store, not args.no_html, args.replays,
                                    _run_command(args, out))
    store.close()
    _print_tournament(summary, out, files)
    if stopped:
        print(f"stopped: {stopped}, after {summary.games:,} games; raise the budget "
              f"(--max-tokens/--max-cost or [budgets]) and resume with: "
              f"{_resume_command(args, out)}", file=sys.stderr)
        return 3
    return 0


def _replays(text: str) -> int | str:
    if text == "all":
        return "all"
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: a number of games (0 or more) or 'all'")
    return n


def _run_command(args: argparse.Namespace, out: Path) -> str:
    """The command that plays this tournament again into a new folder."""
    import shlex

    return " ".join(shlex.quote(w) for w in ["arena", "tournament", args.spec, "--out",
                                              str(out)])


def _write_reports(out: Path, t: Any, store: Any, html: bool, replays: Any,
                   command: str | None) -> tuple["Summary", list[Path]]:
    """The tournament's summary, and its files written to ``out`` (the HTML report too
    with ``html``)."""
    from tournaments.run import stage_of, tournament_summary

    from arena.report.output import write_tournament_files

    summary = tournament_summary(t, store)
    files = write_tournament_files(out, summary, store.records(actions=False), stage_of)
    if html:
        files.append(_write_html(out, summary, store, t, replays, command))
    return summary, files


def _write_html(out: Path, summary: "Summary", store: Any, t: Any, replays: Any,
                command: str | None) -> Path:
    from tournaments.formats import note_sections

    from arena.core.registry import make_game
    from arena.report.html import write_html_report

    if command:
        store.set_meta("command", command)
    return write_html_report(out, summary, store, make_game(t.game, t.rules), replays, command,
                             sections=note_sections(summary.notes or {}))


def cmd_report(args: argparse.Namespace) -> int:
    from tournaments.run import load_stored_tournament

    from arena.store.sqlite import FILENAME, Store

    out = Path(args.out)
    if not (out / FILENAME).is_file():
        raise ArenaError(f"{out}: no {FILENAME} here; give a tournament's output folder")
    store = Store(out / FILENAME)
    try:
        t = load_stored_tournament(store)
        summary, files = _write_reports(out, t, store, args.html, args.replays, None)
    finally:
        store.close()
    _print_tournament(summary, out, files)
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    try:
        from agents.rl.train import train
    except ImportError as exc:
        raise ArenaError(f"training needs the rl extra ({exc.name} is missing): "
                         "pip install -e '.[rl]' (scripts/setup rl)") from None
    from agents.rl.config import TrainConfig

    cfg = TrainConfig.from_options(vars(args))
    cfg = dataclasses.replace(cfg, progress=cfg.progress and sys.stderr.isatty())
    if cfg.batched:
        from agents.rl.batched_train import train_batched

        result = train_batched(cfg)
    else:
        result = train(cfg)
    _print_training(result, cfg.out)
    return 0


def _print_training(result: dict[str, Any], out: str) -> None:
    console = Console()
    console.print(f"trained {result['timesteps']:,} steps in {result['wall_s']:.0f} s "
                  f"({result['train_steps_per_s']:,.0f} training steps/s)")
    for row in result["last_eval"]:
        lo, hi = row["win_ci"]
        plo, phi = row["payoff_ci"]
        console.print(f"  vs {row['opponent']}: win rate {row['win_rate']:.3f} "
                      f"({lo:.3f}-{hi:.3f}), payoff {row['payoff']:+.3f} "
                      f"({plo:+.3f} to {phi:+.3f}) over {row['games']} games")
    console.print(f"agent: {result['agent']}  (results in {out})")


def cmd_llm_check(args: argparse.Namespace) -> int:
    from agents.llm.check import check_server

    if not args.timeout > 0:
        raise ArenaError(f"--timeout must be positive, got {args.timeout}")
    ok, lines = check_server(args.base_url, args.model, args.api_key_env, args.timeout)
    for line in lines:
        print(line)
    return 0 if ok else 1


def cmd_llm_serve(args: argparse.Namespace) -> int:
    import subprocess

    from agents.llm.serve import server_command

    cmd = server_command(args.port, path=args.model_path, alias=args.model_name,
                         n_ctx=args.ctx, threads=args.threads, chat_format=args.chat_format)
    url = f"http://127.0.0.1:{args.port}/v1"
    print(f"serving {cmd[cmd.index('--model') + 1]} as '{args.model_name}' at {url} "
          f"(Ctrl-C stops it)\nplay with: llm(base_url={url},model={args.model_name})",
          file=sys.stderr)
    try:
        return subprocess.run(cmd).returncode
    except KeyboardInterrupt:
        return 130


def cmd_exploitability(args: argparse.Namespace) -> int:
    import time

    from games.openspiel.exploit import exploitability
    from arena.core.registry import make_agent, make_game

    game = make_game(args.game)
    agent = make_agent(args.agent, game)
    t0 = time.perf_counter()
    value = exploitability(game, agent)
    print(f"{game.describe()}; agent {args.agent}; tabulated and evaluated in "
          f"{time.perf_counter() - t0:.2f} s")
    print(f"exploitability (NashConv / {game.num_players}): {value:.6f}")
    return 0


def cmd_play(args: argparse.Namespace) -> int:
    import random

    from arena.play.match import GameJob, play
    from arena.core.registry import check_agent_count, make_agent, make_game
    from arena.core.spec import parse_spec, parse_spec_list

    game = make_game(args.game, args.rules)
    others = [str(s) for s in parse_spec_list(args.vs)]
    check_agent_count(game, len(others) + 1)
    if not 0 <= args.seat < game.num_players:
        raise ArenaError(f"--seat {args.seat}: choose a seat from 0 to {game.num_players - 1}")
    specs = list(others)
    specs.insert(args.seat, "human")
    agents = [make_agent(spec, game) for spec in specs]
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)
    labels = [f"{spec} (seat {s})" if spec != "human" else "you" for s, spec in enumerate(specs)]
    job = GameJob(job_id=f"play/{seed}", game=str(parse_spec(args.game)), rules=game.preset,
                  agents=tuple(specs), labels=tuple(labels), seed=seed)
    print(f"{game.describe()}; you are seat {args.seat}; seed {seed} "
          f"(replay this deal with --seed {seed})")
    record = play(job, game, agents)
    if record.errors:
        print(f"an agent failed: {record.errors[0]['message']}", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
