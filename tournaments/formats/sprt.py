"""``format = "sprt"``: two agents head to head ("sprt" stage) until a sequential probability
ratio test decides, or the deal cap is reached.

```toml
[sprt]                         # every field has the default of SprtSettings
elo0 = 0
elo1 = 50
alpha = 0.05
beta = 0.05
batch = 10                     # deals between looks at the test (it scores whole deals)
max_deals = 500                # the cap: a test still undecided there ends undecided
```
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from arena.report.notes import NoteSection
from tournaments.reader import TableReader
from tournaments.schedule import games_per_deal, head_to_head_table

from .base import Format, SpecContext, Stages

if TYPE_CHECKING:  # pragma: no cover
    from arena.play.match import GameJob, GameRecord
    from arena.stats.sprt import Sprt
    from arena.store.sqlite import Store
    from tournaments.spec import Tournament

STAGE = "sprt"


@dataclass(frozen=True)
class SprtSettings:
    """A tournament's ``[sprt]`` table; these defaults are the spec's."""

    elo0: float = 0.0
    elo1: float = 50.0
    alpha: float = 0.05
    beta: float = 0.05
    batch: int = 10
    max_deals: int = 500


def sprt_test(s: SprtSettings) -> "Sprt":
    """A fresh SPRT with a tournament's ``[sprt]`` settings (and the tournaments' two
    pseudo-deals of regularisation: see ``arena.stats.sprt``)."""
    from arena.stats.sprt import Sprt

    return Sprt(s.elo0, s.elo1, s.alpha, s.beta)


def pair_score(rec: "GameRecord", a: str, b: str) -> float | None:
    """A's score against B in one game: the mean over every (A seat, B seat) comparison."""
    from arena.stats.ratings import pairwise_results

    scores = [s if x == a else 1.0 - s for x, y, s in pairwise_results([rec])
              if {x, y} == {a, b}]
    return sum(scores) / len(scores) if scores else None


def sprt_blocks(t: "Tournament", records: "list[GameRecord]", seats: int) -> list[float]:
    """The first agent's deal blocks in head-to-head games: per deal that has all its
    rotations among ``records``, the mean of its per-game scores, in schedule order."""
    from arena.stats.sprt import deal_blocks

    a, b = t.names()
    return deal_blocks(((rec.card_deal, x) for rec in records
                        if (x := pair_score(rec, a, b)) is not None), games_per_deal(t, seats))


def sprt_state(t: "Tournament", records: "list[GameRecord]", seats: int) -> dict[str, object]:
    """The SPRT over the stored head-to-head games, looked at as the driver does: at the end
    of each batch of deals, stopping at the first decision."""
    from arena.stats.sprt import in_batches, run_looks

    s = SprtFormat().settings(t)
    test = run_looks(sprt_test(s), in_batches(sprt_blocks(t, records, seats), s.batch))
    return sprt_state_of(t, test, games_per_deal(t, seats))


def sprt_state_of(t: "Tournament", test: "Sprt", per_deal: int) -> dict[str, object]:
    """The summary's note on an SPRT: its settings, the deals and games it has read, the
    LLR, its bounds and the decision (None: undecided, also at the deal cap)."""
    from arena.stats.sprt import MODEL

    s = SprtFormat().settings(t)
    a, b = t.names()
    lower, upper = test.bounds
    return {
        "a": a, "b": b, "elo0": s.elo0, "elo1": s.elo1, "alpha": s.alpha, "beta": s.beta,
        "model": MODEL, "bounds": [lower, upper],
        "deals": test.deals, "games": test.deals * per_deal, "llr": test.llr,
        "decision": test.decision,
        "score": test.stats.mean if test.deals else None,
    }


def _batches(t: "Tournament", stages: Stages, jobs: "list[GameJob]", per_batch: int,
             first_seq: int) -> Iterator[list[float]]:
    """Plays ``jobs`` (from schedule position ``first_seq`` on) a batch at a time, yielding
    each batch's deal blocks."""
    # Whole deals per batch, in schedule order: the stop is the same on any runner.
    for start in range(0, len(jobs), per_batch):
        batch = jobs[start:start + per_batch]
        stages.play(batch)
        # Only this batch's games are read (by schedule position): earlier ones are in the
        # test already, and later ones a resumed run may have stored must not count yet.
        yield sprt_blocks(t, stages.store.records(
            STAGE, actions=False, seq_from=first_seq + start,
            seq_to=first_seq + start + len(batch)), stages.n)


class SprtFormat(Format[SprtSettings]):
    name = "sprt"
    Settings = SprtSettings
    section = "sprt"

    def parse(self, table: TableReader, spec: SpecContext) -> SprtSettings:
        d = SprtSettings()
        number = (int, float)
        s = SprtSettings(
            elo0=float(table.get("elo0", number, d.elo0)),
            elo1=float(table.get("elo1", number, d.elo1)),
            alpha=float(table.get("alpha", number, d.alpha)),
            beta=float(table.get("beta", number, d.beta)),
            batch=table.positive("batch", d.batch),
            max_deals=table.positive("max_deals", d.max_deals),
        )
        table.finish()
        if len(spec.agents) != 2:
            raise spec.fail("agents", f"an SPRT compares exactly 2 agents, got "
                            f"{len(spec.agents)}")
        if s.elo1 <= s.elo0:
            raise table.fail("elo1", f"must be greater than elo0 ({s.elo0})")
        for key in ("alpha", "beta"):
            if not 0 < getattr(s, key) < 0.5:
                raise table.fail(key, "must be between 0 and 0.5")
        return s

    def absent_fields(self, deals: int) -> dict[str, Any]:
        return {self.name: None}

    def run(self, t: "Tournament", stages: Stages) -> None:
        from arena.stats.sprt import run_looks

        s = self.settings(t)
        a, b = t.names()
        jobs = stages.jobs([head_to_head_table(STAGE, a, b, stages.n)], s.max_deals)
        stages.expect(len(jobs))
        batches = _batches(t, stages, jobs, s.batch * games_per_deal(t, stages.n),
                           stages.next_seq)
        # Looks only at batch ends; the next batch is played only if the test is undecided.
        run_looks(sprt_test(s), batches)
        stages.end_plan()

    def notes(self, t: "Tournament", store: "Store", seats: int) -> dict[str, object]:
        return {"sprt": sprt_state(t, store.records(STAGE, actions=False), seats)}

    def note_sections(self, notes: Mapping[str, Any]) -> list[NoteSection]:
        if "sprt" not in notes:
            return []
        s = notes["sprt"]
        line = (f"{s['a']} vs {s['b']} (elo0 {s['elo0']:g}, elo1 {s['elo1']:g}): "
                f"{s['decision'] or 'undecided'} after {s['deals']} deals ({s['games']} "
                f"games), LLR {s['llr']:.2f}")
        # The terminal says more on its one line: the bounds and the score.
        return [NoteSection("SPRT", (line,), terminal=(
            f"SPRT {line} (bounds {s['bounds'][0]:.2f}, {s['bounds'][1]:.2f}), score "
            f"{s['score'] if s['score'] is None else round(s['score'], 3)}"))]
