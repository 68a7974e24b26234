"""What the summary and the reports say about ratings: payoff games ranked by payoff (the
rank column agrees with the order, the Elo says what it measures), agents the Elo cannot
place flagged rather than given a precise-looking number, zero-width payoff intervals
shown as all equal."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.console import Console

from arena.core.registry import make_game
from arena.play.match import GameRecord
from arena.report.output import (
    WIDTH,
    _pm,
    leaderboard,
    plot_summary,
    tournament_leaderboard,
    write_json,
)
from arena.stats.basic import mean_interval, summarize
from arena.stats.summary import build_summary

ROOT = Path(__file__).resolve().parents[1]


def _render(renderable) -> str:
    out = io.StringIO()
    Console(file=out, width=WIDTH, color_system=None).print(renderable)
    return out.getvalue()


def _game(labels, winner_seat, returns, job_id, seed) -> GameRecord:
    n = len(labels)
    ranks = [0 if s == winner_seat else 1 for s in range(n)]
    shares = [1.0 if s == winner_seat else 0.0 for s in range(n)]
    return GameRecord(job_id=job_id, game="g", rules=None, settings={}, seed=seed,
                      agents=list(labels), labels=list(labels), actions=[],
                      returns=list(returns), ranks=ranks, winners=[winner_seat],
                      win_shares=shares, decisions=[1] * n, think_ns=[0] * n,
                      max_think_ns=[0] * n, illegal=[0] * n)


def _line(text: str, name: str) -> str:
    return next(line for line in text.splitlines() if f" {name} " in f" {line} ")


# -- payoff games -------------------------------------------------------------------------

def _tight_and_busy(deals: int = 100) -> list[GameRecord]:
    """Heads-up: 'tight' wins a third of the hands, 5 chips each; 'busy' wins the rest,
    1 chip each. Each deal is played from both seats."""
    out = []
    for d in range(deals):
        for r, seats in enumerate((("tight", "busy"), ("busy", "tight"))):
            win = "tight" if (2 * d + r) % 3 == 0 else "busy"
            gain = 5.0 if win == "tight" else 1.0
            out.append(_game(seats, seats.index(win),
                             [gain if s == win else -gain for s in seats],
                             f"round_robin/t0/d{d}/r{r}", seed=d))
    return out


def test_payoff_game_ranks_by_payoff_and_labels_its_elo():
    game = make_game("kuhn_poker")
    assert game.ranked_by == "payoff"
    summary = build_summary(_tight_and_busy(), ["busy", "tight"], game, bootstrap=300)
    rows = {a.name: a for a in summary.agents}
    assert [a.name for a in summary.agents] == ["tight", "busy"]
    # The rank column is the payoff's: tight first, surely.
    assert rows["tight"].rank_ci == (1, 1) and rows["busy"].rank_ci == (2, 2)
    assert rows["tight"].payoff_rank_ci == (1, 1)
    # The Elo (who won more hands) orders them the other way, and says so.
    assert rows["tight"].elo < rows["busy"].elo
    assert rows["tight"].elo_rank_ci == (2, 2)
    assert "not payoff" in summary.elo_measures
    assert summary.rank_ci_from.startswith("mean payoff")
    text = _render(tournament_leaderboard(summary, "kuhn"))
    assert "Elo by wins" in text and "rank by mean payoff" in text
    assert _line(text, "tight").split()[-2] == "1"  # rank column, before errors


def test_kuhn_example_rank_column_follows_the_payoff_order(tmp_path):
    from tournaments.run import TournamentRunner, open_store, tournament_summary
    from tournaments.runners import SerialRunner
    from tournaments.spec import load_tournament

    t = load_tournament(ROOT / "tournaments" / "examples" / "kuhn.toml")
    store = open_store(t, tmp_path, resume=False)
    TournamentRunner(t, store, SerialRunner()).run()
    summary = tournament_summary(t, store)
    store.close()
    rows = summary.agents
    assert rows[0].name == "tight" and rows[0].rank_ci[0] == 1
    for place, row in enumerate(rows, 1):
        lo, hi = row.rank_ci
        assert lo <= place <= hi, (row.name, place, row.rank_ci)
    # tight has the best payoff but wins the fewest hands (its rank by Elo is 4).
    assert rows[0].elo_rank_ci[0] >= 3


# -- separated agents and zero-width payoffs ----------------------------------------------

def _one_never_wins(deals: int = 12) -> list[GameRecord]:
    """Four-seat tables of five agents (every four of them, every deal from every seat);
    'hopeless' never wins and always pays 1, the others share the wins."""
    from itertools import combinations

    names = ["w", "x", "y", "z", "hopeless"]
    out = []
    for t, table in enumerate(combinations(names, 4)):
        for d in range(deals):
            for r in range(4):
                seats = [table[(s + r) % 4] for s in range(4)]
                able = [s for s in range(4) if seats[s] != "hopeless"]
                win = able[(d + t + r) % len(able)]
                returns = [3.0 if s == win else (-1.0 if seats[s] == "hopeless" else
                                                 (0.0 if "hopeless" in seats else -1.0))
                           for s in range(4)]
                ranks = [0 if s == win else (3 if seats[s] == "hopeless" else 1)
                         for s in range(4)]
                g = _game(seats, win, returns, f"round_robin/t{t}/d{d}/r{r}", seed=d)
                g.ranks[:] = ranks
                out.append(g)
    return out


def test_agent_that_never_won_is_flagged_in_json_terminal_and_plot(tmp_path, monkeypatch):
    game = make_game("dhumbal")
    names = ["w", "x", "y", "z", "hopeless"]
    summary = build_summary(_one_never_wins(), names, game, bootstrap=100)
    rows = {a.name: a for a in summary.agents}
    hope = rows["hopeless"]
    assert hope.elo_separated is True
    lo, hi = hope.elo_bound
    assert lo is None and hope.elo < hi < min(rows[n].elo for n in "wxyz")
    assert not any(rows[n].elo_separated for n in "wxyz")
    assert all(rows[n].elo_bound is None for n in "wxyz")

    write_json(tmp_path / "summary.json", summary.to_json())
    data = {a["name"]: a for a in json.loads((tmp_path / "summary.json").read_text())["agents"]}
    assert data["hopeless"]["elo_separated"] is True
    assert data["hopeless"]["elo_bound"] == [None, hi]

    text = _render(tournament_leaderboard(summary, "title"))
    line = _line(text, "hopeless")
    assert f"< {hi:.0f} separated" in line
    assert f"{hope.elo:.0f} (" not in line  # not the prior's precise-looking number
    assert "set by the prior" in text
    assert max(len(x) for x in text.splitlines()) <= WIDTH

    # The plot marks it too (the label is drawn next to its marker).
    import matplotlib.figure

    drawn: list[str] = []
    save = matplotlib.figure.Figure.savefig

    def spy(fig, path, *args, **kwargs):
        if Path(path).name == "elo.png":
            drawn.extend(t.get_text() for ax in fig.axes for t in ax.texts)
        return save(fig, path, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", spy)
    plot_summary(tmp_path, summary)
    assert any("separated" in t and f"< {hi:.0f}" in t for t in drawn), drawn


def test_zero_width_payoff_interval_reads_all_equal():
    game = make_game("dhumbal")
    names = ["w", "x", "y", "z", "hopeless"]
    records = _one_never_wins()
    summary = build_summary(records, names, game, bootstrap=20)
    rows = {a.name: a for a in summary.agents}
    assert rows["hopeless"].payoff_ci == (-1.0, -1.0)
    for text in (_render(tournament_leaderboard(summary, "t")),
                 _render(leaderboard(summarize(records, order=names)[0], []))):
        line = _line(text, "hopeless")
        assert "-1.00 all equal" in line and "±0.00" not in line
    assert rows["hopeless"].payoff_all_equal is True
    assert not any(rows[n].payoff_all_equal for n in "wxyz")
    assert _pm(2.0, [2.0, 2.0], games=1) == "+2.00 one game"
    assert _pm(1.5, [1.0, 2.0], games=9) == "+1.50 ±0.50"
    # Equal values give an exactly zero-width interval (no rounding leftovers).
    assert mean_interval([0.1] * 7) == (0.1, 0.1, 0.1)
