"""The runs table: every batch run of a workspace with its units, status and heartbeat (`wb batch list/status`)."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from workbench.attempts import connect, db_path, transaction
from workbench.batch.options import BatchOptions, utcnow
from workbench.errors import NotFoundError
from workbench.workspace import Workspace

HEARTBEAT_S = 2.0
DEAD_AFTER_S = 30.0  # a "running" run whose heartbeat is older than this is dead

_SCHEMA = """
CREATE TABLE IF NOT EXISTS batch_runs (
    id TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL,
    stop_reason TEXT,
    options TEXT NOT NULL,
    plan TEXT NOT NULL,
    pid INTEGER,
    host TEXT,
    heartbeat TEXT,
    sessions TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS batch_units (
    run_id TEXT NOT NULL,
    unit TEXT NOT NULL,
    conjecture TEXT NOT NULL,
    prover TEXT NOT NULL,
    k INTEGER NOT NULL,
    starts INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'pending',
    outcome TEXT,
    started_at TEXT,
    finished_at TEXT,
    PRIMARY KEY (run_id, unit)
);
"""

RunState = Literal["running", "stopped", "finished", "interrupted"]


def iso(dt: datetime | None) -> str | None:
    return dt.isoformat(timespec="seconds") if dt else None




def open_db(ws: Workspace) -> sqlite3.Connection:
    con = connect(db_path(ws))
    con.executescript(_SCHEMA)
    con.row_factory = sqlite3.Row
    return con


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (killed, not yet reaped) is not alive
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


class RunInfo(BaseModel):
    """One row of the runs table, as `wb batch list/status` show it."""

    id: str
    created: datetime
    finished: datetime | None = None
    status: str  # running / stopped / finished / interrupted (a dead "running" run reads interrupted)
    stop_reason: str | None = None
    alive: bool = False
    pid: int | None = None
    host: str | None = None
    heartbeat: datetime | None = None
    options: BatchOptions
    conjectures: list[str] = Field(default_factory=list)
    provers: list[str] = Field(default_factory=list)
    units: int = 0
    units_done: int = 0
    attempts: int = 0
    accepted: int = 0
    settled: list[str] = Field(default_factory=list)
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    sessions: list[dict] = Field(default_factory=list)  # {started, ended, end: why it ended ("killed", a stop reason), pid}

    def continue_hint(self) -> str | None:
        """How to continue this run (None when it finished or is running)."""
        if self.status in ("finished", "running"):
            return None
        return continue_hint(self.id, self.stop_reason, self.options, spent=self.cost_usd, attempts=self.attempts)


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _run_info(con: sqlite3.Connection, row: sqlite3.Row) -> RunInfo:
    plan = json.loads(row["plan"])
    alive = False
    status = row["status"]
    if status == "running":
        hb = _dt(row["heartbeat"])
        fresh = hb is not None and (utcnow() - hb).total_seconds() < DEAD_AFTER_S
        same_host = row["host"] == socket.gethostname()
        alive = fresh and (_pid_alive(row["pid"]) if same_host else True)
        if not alive:
            status = "interrupted"
    units, done = con.execute(
        "SELECT COUNT(*), COALESCE(SUM(state='done'),0) FROM batch_units WHERE run_id=?", (row["id"],)).fetchone()
    n, acc, tin, tout, cost = con.execute(
        "SELECT COUNT(*), COALESCE(SUM(verdict='accepted'),0), COALESCE(SUM(tokens_in),0), COALESCE(SUM(tokens_out),0),"
        " COALESCE(SUM(cost_usd),0) FROM attempts WHERE run_id=?", (row["id"],)).fetchone()
    settled = [r[0] for r in con.execute(
        "SELECT DISTINCT conjecture FROM attempts WHERE run_id=? AND settled=1 ORDER BY conjecture", (row["id"],))]
    return RunInfo(
        id=row["id"], created=_dt(row["created"]), finished=_dt(row["finished"]), status=status,
        stop_reason=row["stop_reason"] if status == row["status"] else (row["stop_reason"] or "process died"),
        alive=alive, pid=row["pid"], host=row["host"], heartbeat=_dt(row["heartbeat"]),
        options=BatchOptions.model_validate_json(row["options"]), conjectures=plan.get("conjectures", []),
        provers=plan.get("provers", []), units=units, units_done=done, attempts=n, accepted=acc, settled=settled,
        tokens_in=tin, tokens_out=tout, cost_usd=cost, sessions=json.loads(row["sessions"] or "[]"),
    )


def list_runs(ws: Workspace) -> list[RunInfo]:
    """Every batch run of the workspace, oldest first."""
    con = open_db(ws)
    try:
        rows = con.execute("SELECT * FROM batch_runs ORDER BY created, id").fetchall()
        return [_run_info(con, r) for r in rows]
    finally:
        con.close()


def run_status(ws: Workspace, run_id: str | None = None) -> RunInfo:
    """One run (default: the newest), with counts from the recorded attempts and units."""
    con = open_db(ws)
    try:
        if run_id is None:
            row = con.execute("SELECT * FROM batch_runs ORDER BY created DESC, id DESC LIMIT 1").fetchone()
            if row is None:
                raise NotFoundError("no batch runs in this workspace yet", hint="start one with `wb batch run`")
        else:
            row = con.execute("SELECT * FROM batch_runs WHERE id=?", (run_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no batch run '{run_id}'", hint="see `wb batch list`")
        return _run_info(con, row)
    finally:
        con.close()


def new_run_id(now: datetime | None = None) -> str:
    """A sortable, printable run id: r-YYYYMMDD-HHMMSS-xxxx (local time, 4 random hex digits)."""
    now = (now or utcnow()).astimezone()
    return f"r-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


class RunRecord:
    """One run's rows in the batch tables: its units, its status and heartbeat, and its sessions (each start
    or resume; one that never ended was killed, and the next session says when)."""

    def __init__(self, ws: Workspace, run_id: str) -> None:
        self.ws = ws
        self.id = run_id
        self.store = None  # the attempts store while the run executes: its connection serves these updates too

    def execute(self, sql: str, params: tuple = ()) -> list:
        """One statement in its own transaction.  While running, on the attempts store's connection under
        its lock: one connection per process means threads queue on a mutex instead of SQLite's busy
        back-off sleeps (which cost tens of ms per attempt with many workers)."""
        store = self.store
        if store is not None:
            with store._lock, transaction(store.con, "update the batch tables", store.path) as con:  # noqa: SLF001
                return con.execute(sql, params).fetchall()
        con = open_db(self.ws)
        try:
            with transaction(con, "update the batch tables", db_path(self.ws)):
                return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def pending_units(self) -> list:
        return self.execute("SELECT unit, conjecture, prover, k, starts FROM batch_units WHERE run_id=? AND state != 'done'",
                            (self.id,))

    def units(self) -> list:
        """Every unit of the run with its state and outcome."""
        return self.execute("SELECT unit, conjecture, prover, k, starts, state, outcome FROM batch_units WHERE run_id=?", (self.id,))

    def count_pending(self) -> int:
        return self.execute("SELECT COUNT(*) FROM batch_units WHERE run_id=? AND state != 'done'", (self.id,))[0][0]

    def begin_unit(self, key: str) -> int:
        return self.execute("UPDATE batch_units SET starts = starts + 1, state='running', started_at=? WHERE run_id=? AND unit=?"
                            " RETURNING starts", (iso(utcnow()), self.id, key))[0][0]

    def finish_unit(self, key: str, outcome: str) -> None:
        self.execute("UPDATE batch_units SET state='done', outcome=?, finished_at=? WHERE run_id=? AND unit=?",
                     (outcome, iso(utcnow()), self.id, key))

    def mark_running(self, options: BatchOptions) -> None:
        """This process runs it now: status running, a fresh heartbeat, the options of this session, and a new
        session; an earlier session that never ended was killed, at its last heartbeat."""
        with self._sessions("start a session of the batch run") as (con, sessions, heartbeat):
            if sessions and not sessions[-1].get("ended"):
                sessions[-1].update(ended=heartbeat, end="killed")
            sessions.append({"started": iso(utcnow()), "pid": os.getpid()})
            con.execute("UPDATE batch_runs SET status='running', stop_reason=NULL, finished=NULL, pid=?, host=?,"
                        " heartbeat=?, options=?, sessions=? WHERE id=?",
                        (os.getpid(), socket.gethostname(), iso(utcnow()), options.model_dump_json(),
                         json.dumps(sessions), self.id))

    def beat(self) -> None:
        self.execute("UPDATE batch_runs SET heartbeat=? WHERE id=? AND status='running'", (iso(utcnow()), self.id))

    def close(self, status: str, reason: str | None) -> None:
        """This session ends: the run's status and why, and the session's end."""
        with self._sessions("end a session of the batch run") as (con, sessions, _heartbeat):
            if sessions and not sessions[-1].get("ended"):
                sessions[-1].update(ended=iso(utcnow()), end=reason or status)
            con.execute("UPDATE batch_runs SET status=?, stop_reason=?, finished=?, heartbeat=?, sessions=? WHERE id=?",
                        (status, reason, iso(utcnow()), iso(utcnow()), json.dumps(sessions), self.id))

    @contextlib.contextmanager
    def _sessions(self, what: str) -> Iterator[tuple[sqlite3.Connection, list[dict], str | None]]:
        """In one transaction: the connection, the run's sessions (to change in place) and its last heartbeat."""
        con = open_db(self.ws)
        try:
            with transaction(con, what, db_path(self.ws)):
                row = con.execute("SELECT sessions, heartbeat FROM batch_runs WHERE id=?", (self.id,)).fetchone()
                yield con, json.loads(row["sessions"] or "[]"), row["heartbeat"]
        finally:
            con.close()

    def discard_if_unused(self) -> bool:
        """Remove the run when nothing of it was recorded: no attempt, no finished unit (a set-up failure: a missing
        key, an unreachable provider, no Lean). A run that never attempted anything is not kept. True when removed."""
        con = open_db(self.ws)
        try:
            with transaction(con, "discard the batch run", db_path(self.ws)):
                used = con.execute("SELECT COUNT(*) FROM attempts WHERE run_id=?", (self.id,)).fetchone()[0]
                used += con.execute("SELECT COUNT(*) FROM batch_units WHERE run_id=? AND state='done'", (self.id,)).fetchone()[0]
                if used:
                    return False
                con.execute("DELETE FROM batch_units WHERE run_id=?", (self.id,))
                con.execute("DELETE FROM batch_runs WHERE id=?", (self.id,))
                return True
        finally:
            con.close()


LIMITS = {"budget": "budget_usd", "max-attempts": "max_attempts", "deadline": "deadline"}


def continue_hint(run_id: str, stop_reason: str | None, options: BatchOptions, *, spent: float = 0.0, attempts: int = 0) -> str | None:
    """How to continue a run that did not finish: resuming, and for a run stopped by one of its limits, with that
    limit raised (resuming alone would stop again at once). None for a finished run."""
    if stop_reason == "budget":
        more = max((options.budget_usd or 0.0) * 2, spent * 2, 1.0)
        return (f"its budget is spent (${spent:.4f} of ${options.budget_usd or 0:g}); raise it to continue: "
                f"`wb batch resume {run_id} --budget-usd {more:g}`")
    if stop_reason == "max-attempts":
        more = max((options.max_attempts or 0) * 2, attempts + 1)
        return (f"it made its {options.max_attempts} attempts; raise the limit to continue: "
                f"`wb batch resume {run_id} --max-attempts {more}`")
    if stop_reason == "deadline":
        return f"its deadline ({options.deadline}) has passed; give a new one to continue: `wb batch resume {run_id} --deadline 8h`"
    return f"continue with `wb batch resume {run_id}`"


def limit_reached(stop_reason: str | None, options: BatchOptions, *, spent: float, attempts: int) -> bool:
    """True when the limit that stopped a run still holds with `options` (so resuming would stop at once)."""
    if stop_reason == "budget":
        return options.budget_usd is not None and spent >= options.budget_usd
    if stop_reason == "max-attempts":
        return options.max_attempts is not None and attempts >= options.max_attempts
    if stop_reason == "deadline":
        return options.deadline_at is not None and utcnow() >= options.deadline_at
    return False
