"""The result store: one SQLite file per tournament, a row per finished game.

Rows are written as games finish, one transaction each (WAL journal), keyed by the job id,
so a run killed at any moment (even ``kill -9``) keeps every game it reported and a resumed
run never counts a game twice (``INSERT OR IGNORE``). The store is the single source of truth:
every statistic and report is recomputed from it.
"""

from __future__ import annotations

import json
import sqlite3
import time
from array import array
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from arena.core.errors import ArenaError
from arena.play.match import GameRecord

FILENAME = "results.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS games (
    job_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    stage TEXT NOT NULL,
    finished REAL NOT NULL,
    record TEXT NOT NULL,
    actions BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS games_stage ON games (stage, seq);
"""


def pack_actions(actions: list[int]) -> bytes:
    """Moves as a typecode byte and machine integers: a fraction of JSON's size and cost."""
    code = "H" if not actions or max(actions) < 65536 else "q"
    return code.encode() + array(code, actions).tobytes()


def unpack_actions(blob: bytes) -> list[int]:
    moves = array(blob[:1].decode())
    moves.frombytes(blob[1:])
    return moves.tolist()


@dataclass(frozen=True)
class ListedGame:
    """One stored game as a list of games shows it, read without parsing its record."""

    stage: str
    job_id: str
    labels: list[str]
    ranks: list[int]
    returns: list[float]
    forfeit: int | None
    illegal: list[int]
    error_seat: int | None
    """The seat of the game's first error (None: no error)."""
    seed: int
    record_json: str
    """The stored record as JSON text (moves and decision-time histograms left out)."""


class StoreError(ArenaError):
    """The store cannot be used as asked (a different tournament, a damaged file)."""


class Store:
    """Append-only game records in ``folder/results.sqlite``."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        """Game rows parsed so far (what a look at the store costs)."""
        try:
            self.conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL: a commit survives the process dying (kill -9), not a power cut; it
            # avoids an fsync per game.
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a usable result store ({exc})") from None
        types = {row[1]: row[2] for row in self.conn.execute("PRAGMA table_info(games)")}
        if types.get("actions") != "BLOB":
            self.conn.close()
            raise StoreError(f"{self.path}: written by an older arena (another moves format); "
                             "run the tournament into a new --out folder")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything written to the store inside the ``with`` block is one transaction:
        committed at its end, rolled back if it raises (so other readers, and a run killed
        meanwhile, see all of it or none). Not nested: a store outside any other
        transaction only."""
        with self.conn:  # commits on leaving, rolls back on an exception
            self.conn.execute("BEGIN")
            yield

    # -- metadata --------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- games ------------------------------------------------------------------------------
    def add(self, record: GameRecord, seq: int, stage: str) -> bool:
        """Store one finished game; False if its job id was already stored."""
        data = record.to_dict()
        actions = data.pop("actions")
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO games (job_id, seq, stage, finished, record, actions) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (record.job_id, seq, stage, time.time(), json.dumps(data, separators=(",", ":")),
             pack_actions(actions)),
        )
        return cur.rowcount == 1

    def finished_ids(self) -> set[str]:
        return {row[0] for row in self.conn.execute("SELECT job_id FROM games")}

    def count(self, stage: str | None = None) -> int:
        if stage is None:
            return self.conn.execute("SELECT COUNT(*) FROM games").fetchone()[0]
        return self.conn.execute("SELECT COUNT(*) FROM games WHERE stage = ?",
                                 (stage,)).fetchone()[0]

    def records(self, stage: str | None = None, actions: bool = True,
                seq_from: int | None = None, seq_to: int | None = None) -> list[GameRecord]:
        """Stored games in schedule order (``seq``), optionally of one stage and of the
        schedule positions ``seq_from <= seq < seq_to`` (so a caller that looks again and
        again reads only what is new).

        ``actions=False`` leaves each record's move list empty: the statistics never read
        it, and it is most of what there is to parse.
        """
        return [rec for _, rec in self.staged_records(stage, actions, seq_from, seq_to)]

    def staged_records(self, stage: str | None = None, actions: bool = True,
                       seq_from: int | None = None,
                       seq_to: int | None = None) -> list[tuple[str, GameRecord]]:
        """``records``, each with the stage it was stored under."""
        cols = "stage, record, actions" if actions else "stage, record, NULL"
        where: list[str] = []
        args: list[str | int] = []
        if stage is not None:
            where.append("stage = ?")
            args.append(stage)
        if seq_from is not None:
            where.append("seq >= ?")
            args.append(seq_from)
        if seq_to is not None:
            where.append("seq < ?")
            args.append(seq_to)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        rows = self.conn.execute(f"SELECT {cols} FROM games{clause} ORDER BY seq, job_id",
                                 args)
        out = []
        for stage_name, record, moves in rows:
            data = json.loads(record)
            data["actions"] = unpack_actions(moves) if moves is not None else []
            out.append((stage_name, GameRecord.from_dict(data)))
        return out

    def listed_games(self) -> Iterator[ListedGame]:
        """Every stored game in schedule order, as a game list shows it (``ListedGame``)."""
        # The listed fields are read by SQLite's JSON functions (C, a fraction of the cost
        # of parsing every record in Python); the record itself is passed on unparsed.
        rows = self.conn.execute(
            "SELECT stage, json_extract(record, '$.job_id', '$.labels', '$.ranks', "
            "'$.returns', '$.forfeit', '$.illegal', '$.errors[0].seat'), "
            "json_extract(record, '$.seed'), "
            # The decision-time histograms are for percentiles over many games: left out.
            "json_remove(record, '$.think_hist') FROM games ORDER BY seq, job_id")
        for stage, fields, seed, record in rows:
            job_id, labels, ranks, returns, forfeit, illegal, error_seat = json.loads(fields)
            yield ListedGame(stage=stage, job_id=job_id, labels=labels, ranks=ranks,
                             returns=returns, forfeit=forfeit, illegal=illegal,
                             error_seat=error_seat, seed=seed, record_json=record)

    def records_by_id(self, job_ids: Sequence[str]) -> Iterator[GameRecord]:
        """The stored games (moves included) of ``job_ids``, in no particular order."""
        for k in range(0, len(job_ids), 500):
            batch = list(job_ids[k:k + 500])
            marks = ",".join("?" * len(batch))
            for record, moves in self.conn.execute(
                    f"SELECT record, actions FROM games WHERE job_id IN ({marks})", batch):
                data = json.loads(record)
                data["actions"] = unpack_actions(moves)
                yield GameRecord.from_dict(data)

    def stages(self) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT stage FROM games GROUP BY stage ORDER BY MIN(seq)")]

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
