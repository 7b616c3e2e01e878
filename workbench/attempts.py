"""The attempts store: every proof attempt, one row each, in `.workbench/workbench.db` (SQLite, WAL).

Attempts are run history, not derived data: the database is never rebuilt from the files, and a
row is written in one transaction the moment its attempt finishes, so a kill loses at most the
attempt in flight.  Several processes may write at once (WAL, a busy timeout, short transactions).

    store = AttemptStore(ws)
    no = store.record(Attempt(conjecture="foo", prover="portfolio", verdict="rejected", ...))
    store.for_conjecture("foo")      # oldest first
    store.get(no)

Batch runs share the file: `connect(ws)` gives a configured connection, `run_id` tags a row, and
`slot` is an optional caller-chosen unique key (e.g. "RUN/ID/prover/attempt/round"): recording a
slot twice keeps the first row, so a resumed run never duplicates a finished attempt.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Literal

from pydantic import BaseModel, Field

from workbench.errors import NotFoundError, WorkbenchError
from workbench.model import LeanMessage, Reason

DB_NAME = "workbench.db"
BUSY_TIMEOUT_MS = 60_000

_COLUMNS: dict[str, str] = {
    # name: SQL type (id is the primary key, added separately)
    "run_id": "TEXT",
    "slot": "TEXT",
    "conjecture": "TEXT NOT NULL",
    "started_at": "TEXT NOT NULL",
    "finished_at": "TEXT NOT NULL",
    "prover": "TEXT NOT NULL",
    "provider": "TEXT",
    "model": "TEXT",
    "attempt": "INTEGER NOT NULL DEFAULT 1",
    "round": "INTEGER NOT NULL DEFAULT 1",
    "label": "TEXT",
    "tokens_in": "INTEGER NOT NULL DEFAULT 0",
    "tokens_out": "INTEGER NOT NULL DEFAULT 0",
    "cost_usd": "REAL NOT NULL DEFAULT 0",
    "duration_s": "REAL NOT NULL DEFAULT 0",
    "lean_s": "REAL NOT NULL DEFAULT 0",
    "verdict": "TEXT NOT NULL",
    "reasons": "TEXT NOT NULL DEFAULT '[]'",
    "messages": "TEXT NOT NULL DEFAULT '[]'",
    "candidate": "TEXT",
    "reply": "TEXT",
    "prompt_hash": "TEXT",
    "problem": "TEXT",
    "lean_version": "TEXT",
    "settled": "INTEGER NOT NULL DEFAULT 0",
    "search": "TEXT",
    "search_step": "INTEGER",
}
_JSON_COLUMNS = ("reasons", "messages")

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS attempts (id INTEGER PRIMARY KEY AUTOINCREMENT, "
    + ", ".join(f"{name} {kind}" for name, kind in _COLUMNS.items())
    + ");\n"
    "CREATE INDEX IF NOT EXISTS attempts_conjecture ON attempts (conjecture, id);\n"
    "CREATE INDEX IF NOT EXISTS attempts_run ON attempts (run_id, id);\n"
    "CREATE UNIQUE INDEX IF NOT EXISTS attempts_slot ON attempts (slot) WHERE slot IS NOT NULL;\n"
)


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Attempt(BaseModel):
    """One proof attempt: a candidate (or a failure to produce one) and what Lean made of it.

    `attempt` numbers the independent tries within one `prove` call (a fresh conversation each);
    `round` is the candidate's place within that try (the repair round for a model, the tactic's
    place in the portfolio).  `verdict` is "accepted" or "rejected"; a reply without usable code, a
    provider timeout and the like are rejected attempts whose `problem` says why.
    """

    no: int | None = None  # the attempt number (database id), set once recorded
    run_id: str | None = None
    slot: str | None = None
    conjecture: str
    started_at: datetime = Field(default_factory=_now)
    finished_at: datetime = Field(default_factory=_now)
    prover: str
    provider: str | None = None
    model: str | None = None
    attempt: int = 1
    round: int = 1
    label: str | None = None  # e.g. the tactic tried
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    duration_s: float = 0.0
    lean_s: float = 0.0
    verdict: Literal["accepted", "rejected"]
    reasons: list[Reason] = Field(default_factory=list)
    messages: list[LeanMessage] = Field(default_factory=list)
    candidate: str | None = None  # the Lean text that was checked
    reply: str | None = None  # the model's raw reply, kept for review
    prompt_hash: str | None = None
    problem: str | None = None
    lean_version: str | None = None
    settled: bool = False  # this attempt's proof settled the conjecture
    search: str | None = None  # the stepwise search it came from (its steps: provers.stepwise.record)
    search_step: int | None = None  # the step of that search whose path it is

    @property
    def reason_codes(self) -> list[str]:
        return [r.code.value for r in self.reasons]

    def summary(self) -> dict[str, Any]:
        """The row of `wb attempts` (no candidate, reply or messages)."""
        data = self.model_dump(mode="json", exclude={"candidate", "reply", "messages"})
        data["reasons"] = self.reason_codes
        return data


def db_path(ws) -> Path:
    """Where the attempts database of workspace `ws` lives."""
    return Path(ws.state_dir) / DB_NAME


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the workbench database at `path`, in WAL mode with a busy timeout, schema ensured.

    Autocommit mode (isolation_level=None): callers open their own `BEGIN IMMEDIATE` transactions.
    In a read-only workspace the database is opened read-only (an empty one in memory when there is none).
    """
    from workbench.storage import unwritable_reason

    if unwritable_reason(path.parent):
        if not path.exists():
            con = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            con.executescript(_SCHEMA)
            return con
        return sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True, isolation_level=None, check_same_thread=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
        con.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        con.executescript(_SCHEMA)
        have = {row[1] for row in con.execute("PRAGMA table_info(attempts)")}
        for name, kind in _COLUMNS.items():  # a database from an older version gains new columns
            if name not in have:
                con.execute(f"ALTER TABLE attempts ADD COLUMN {name} {kind.replace('NOT NULL ', '')}")
    except sqlite3.DatabaseError as exc:
        raise WorkbenchError(f"{path}: cannot open the attempts database: {exc}") from None
    return con


@contextmanager
def transaction(con: sqlite3.Connection, what: str, path: Path) -> Iterator[sqlite3.Connection]:
    """One write transaction (`BEGIN IMMEDIATE` … `COMMIT`, rolled back on any error); an SQLite error
    becomes a WorkbenchError saying what could not be done to which database."""
    try:
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    except sqlite3.Error as exc:
        raise WorkbenchError(f"{path}: cannot {what}: {exc}") from None


def _row_to_attempt(row: sqlite3.Row) -> Attempt:
    data = dict(row)
    data["no"] = data.pop("id")
    for name in _JSON_COLUMNS:
        data[name] = json.loads(data[name] or "[]")
    data["settled"] = bool(data["settled"])
    return Attempt.model_validate(data)


class AttemptStore:
    """Reads and writes the attempts of one workspace; safe to share between threads and processes."""

    def __init__(self, ws=None, *, path: Path | None = None) -> None:
        if path is None and ws is None:
            raise ValueError("AttemptStore needs a workspace or a path")
        self.path = Path(path) if path is not None else db_path(ws)
        self._con: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    @property
    def con(self) -> sqlite3.Connection:
        if self._con is None:
            self._con = connect(self.path)
            self._con.row_factory = sqlite3.Row
        return self._con

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> "AttemptStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------------

    def record(self, attempt: Attempt) -> int:
        """Write one finished attempt in its own transaction; returns its number (and sets `attempt.no`).

        When `attempt.slot` is already recorded, nothing is written and the existing number is returned.
        """
        data = attempt.model_dump(mode="json", exclude={"no"})
        for name in _JSON_COLUMNS:
            data[name] = json.dumps(data[name], ensure_ascii=False)
        data["settled"] = int(bool(data["settled"]))
        names = list(_COLUMNS)
        sql = f"INSERT INTO attempts ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
        with self._lock, transaction(self.con, "record the attempt", self.path) as con:
            if attempt.slot is not None:
                row = con.execute("SELECT id FROM attempts WHERE slot = ?", (attempt.slot,)).fetchone()
                if row is not None:
                    attempt.no = int(row[0])
                    return attempt.no
            cur = con.execute(sql, [data[n] for n in names])
        attempt.no = int(cur.lastrowid)
        return attempt.no

    # -- reading ---------------------------------------------------------------------------------

    def _select(self, where: str = "", params: tuple = (), *, order: str = "id", limit: int | None = None) -> list[Attempt]:
        sql = "SELECT * FROM attempts" + (f" WHERE {where}" if where else "") + f" ORDER BY {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._lock:
            try:
                rows = self.con.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise WorkbenchError(f"{self.path}: cannot read attempts: {exc}") from None
        return [_row_to_attempt(r) for r in rows]

    def get(self, no: int) -> Attempt:
        """Attempt number `no`."""
        found = self._select("id = ?", (int(no),))
        if not found:
            raise NotFoundError(f"no attempt #{no}", hint="see `wb attempts ID`")
        return found[0]

    def for_conjecture(self, conj_id: str) -> list[Attempt]:
        """Every attempt on `conj_id`, oldest first."""
        return self._select("conjecture = ?", (conj_id,))

    def for_run(self, run_id: str) -> list[Attempt]:
        """Every attempt of batch run `run_id`, oldest first."""
        return self._select("run_id = ?", (run_id,))

    def failures(self, conj_id: str, limit: int = 3, *, prover: str | None = None) -> list[Attempt]:
        """The latest `limit` rejected attempts on `conj_id` that produced a candidate (by `prover`
        when given: "llm" or "portfolio"), oldest first."""
        where = "conjecture = ? AND verdict = 'rejected' AND candidate IS NOT NULL AND candidate != ''"
        params: tuple = (conj_id,)
        if prover is not None:
            where += " AND prover = ?"
            params += (prover,)
        rows = self._select(where, params, order="id DESC", limit=limit)
        return rows[::-1]

    def slots(self, run_id: str) -> set[str]:
        """The slots already recorded for `run_id` (what a resumed batch must not repeat)."""
        with self._lock:
            rows = self.con.execute("SELECT slot FROM attempts WHERE run_id = ? AND slot IS NOT NULL", (run_id,)).fetchall()
        return {r[0] for r in rows}

    def by_conjecture(self) -> dict[str, dict[str, Any]]:
        """For each attempted conjecture: how many attempts, and the reason codes of the latest one."""
        with self._lock:
            counts = dict(self.con.execute("SELECT conjecture, COUNT(*) FROM attempts GROUP BY conjecture").fetchall())
            last = self.con.execute(
                "SELECT conjecture, reasons FROM attempts WHERE id IN (SELECT MAX(id) FROM attempts GROUP BY conjecture)"
            ).fetchall()
        return {
            conj: {"count": counts[conj], "last_reasons": [r["code"] for r in json.loads(reasons or "[]")]}
            for conj, reasons in last
        }

    def totals(self, *, run_id: str | None = None, conj_id: str | None = None) -> dict[str, Any]:
        """Count, tokens, cost and time of the attempts matching the filters."""
        where, params = [], []
        if run_id is not None:
            where.append("run_id = ?")
            params.append(run_id)
        if conj_id is not None:
            where.append("conjecture = ?")
            params.append(conj_id)
        sql = (
            "SELECT COUNT(*), COALESCE(SUM(tokens_in),0), COALESCE(SUM(tokens_out),0), COALESCE(SUM(cost_usd),0), "
            "COALESCE(SUM(duration_s),0), COALESCE(SUM(verdict='accepted'),0) FROM attempts"
            + (" WHERE " + " AND ".join(where) if where else "")
        )
        with self._lock:
            n, tin, tout, cost, dur, acc = self.con.execute(sql, params).fetchone()
        return {"attempts": n, "tokens_in": tin, "tokens_out": tout, "cost_usd": cost, "duration_s": dur, "accepted": acc}


def record_check(ws, conj_id: str, candidate: str | bytes, verdict, *, prover: str, provider: str | None = None,
                 label: str | None = None, settled: bool = False) -> int:
    """Keep a candidate checked outside `prove` (`wb check --proof`, MCP) in the attempts store; returns its number."""
    text = candidate if isinstance(candidate, str) else candidate.decode("utf-8", "replace")
    with AttemptStore(ws) as store:
        return store.record(Attempt(
            conjecture=conj_id, prover=prover, provider=provider, label=label, verdict=verdict.verdict,
            reasons=verdict.reasons, messages=verdict.messages, candidate=text, lean_s=verdict.elapsed_s,
            lean_version=verdict.lean_version, settled=settled,
        ))
