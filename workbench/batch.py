"""Batch runs: many proof attempts over the open part of the graph, with limits, resumable after any kill.

    from workbench.batch import BatchOptions, BatchRun, Selection, list_runs, report, run_status
    run = BatchRun.start(ws, Selection(query="status=formalized area=oversight"),
                         BatchOptions(provers=["portfolio", "deepseek"], workers=8, budget_usd=20, deadline="07:00"))
    summary = run.run(on_event=print)          # blocks; returns a RunSummary
    BatchRun.resume(ws, run.id).run()          # after a kill: continues, repeating nothing
    report(ws, run.id).markdown()

A run is a plan of *units*: one unit is one attempt (`run_attempt`: one candidate stream, up to
`rounds` candidates) of one prover on one conjecture.  Units run cheapest prover first across the
whole selection (the portfolio on every conjecture, then each model), conjectures by value (how
many open nodes a proof unblocks, then priority).  Every candidate is a row of the attempts store
written the moment it is judged (slot "RUN/CONJ/PROVER/K/ROUND"), and a unit is marked done in
`batch_units` when its stream ends, so a resumed run skips finished units and re-runs an
interrupted one under a fresh slot prefix ("…/K~2/…"): no row is repeated and none is lost.

Limits stop *scheduling*: `max_attempts` (recorded rows, i.e. candidates), `budget_usd` (money
from token prices, summed over recorded rows), `deadline`; in-flight units finish the candidate
they are on and are recorded.  Settlements go through `settle.record_settlement`, which re-reads
the node under the workspace lock, so two runs on one workspace never settle a conjecture twice.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from pydantic import BaseModel, Field

from workbench.attempts import Attempt, AttemptStore, connect, db_path, transaction
from workbench.errors import NotFoundError, ProviderError, ToolchainError, UsageError, WorkbenchError
from workbench.model import Status
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


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat(timespec="seconds") if dt else None


# -- options and selection ----------------------------------------------------------------------


SELECT_KEYS = ("status", "area", "tag", "kind", "id", "q")


class Selection(BaseModel):
    """Which conjectures a run works on: explicit `ids`, or a `query` (see `parse_query`), or every
    formalized, unsettled conjecture.  Only formalized, unsettled nodes are ever selected.  A node a
    numeric check refuted is selected only when named in `ids`, with `include_refuted` (to prove it), or
    with `disproofs`: then the run attempts its disproof instead."""

    ids: list[str] = Field(default_factory=list)
    query: str | None = None
    include_refuted: bool = False
    disproofs: bool = False


def parse_query(query: str) -> dict[str, Any]:
    """Parse `--select`: space-separated `key=value` terms, all of which must hold:
    `status=formalized area=oversight tag=debate kind=lemma id=a,b q=text`; a bare word is `q=word`
    (a case-insensitive substring of id, title, informal text and tags, as `wb list QUERY`)."""
    out: dict[str, Any] = {}
    for term in query.split():
        key, sep, value = term.partition("=")
        if not sep:
            key, value = "q", term
        key = key.strip().lower()
        if key not in SELECT_KEYS or not value:
            raise UsageError(f"--select: cannot read '{term}'",
                             hint="use space-separated key=value terms with keys " + ", ".join(SELECT_KEYS))
        if key == "id":
            out.setdefault("ids", []).extend(v for v in value.split(",") if v)
        elif key == "q":
            out["query"] = (out.get("query", "") + " " + value).strip()
        else:
            out[key] = value
    return out


class BatchOptions(BaseModel):
    """Everything a run needs to start and to resume (stored as JSON in the runs table)."""

    provers: list[str] = Field(default_factory=list)  # empty: [batch] provers of workbench.toml, else portfolio + llm
    model: str | None = None
    workers: int = Field(4, ge=1)
    lean_jobs: int | None = Field(None, ge=1)  # None: from cores and memory
    attempts_per_conjecture: int = Field(1, ge=1)
    rounds: int = Field(3, ge=1)
    max_attempts: int | None = Field(None, ge=1)
    budget_usd: float | None = Field(None, ge=0)
    deadline: str | None = None  # as given ("8h", "07:00", an ISO time)
    deadline_at: datetime | None = None  # resolved when the run starts
    attempt_timeout_s: float | None = Field(None, gt=0)  # no new candidate in a unit after this long
    executor: Literal["local", "ray"] = "local"
    lean: str | None = None
    timeout: float | None = None  # one Lean check
    memory_mb: int | None = None
    sandbox: str = "auto"
    commit: bool = True


_DURATION_RE = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)\s*h)?\s*(?:(\d+(?:\.\d+)?)\s*m)?\s*(?:(\d+(?:\.\d+)?)\s*s)?\s*$")


def parse_deadline(text: str, now: datetime | None = None) -> datetime:
    """A deadline as an absolute UTC time: a duration (`8h`, `90m`, `1h30m`, `30s`, `45` seconds), a
    local clock time (`07:00`, `7:30:15`: the next one), or an ISO time (`2026-11-24T07:00`)."""
    now = now or _now()
    t = text.strip()
    if re.fullmatch(r"\d+(\.\d+)?", t):
        return now + timedelta(seconds=float(t))
    m = _DURATION_RE.match(t)
    if m and any(m.groups()):
        h, mi, s = (float(g) if g else 0.0 for g in m.groups())
        return now + timedelta(hours=h, minutes=mi, seconds=s)
    m = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", t)
    if m:
        hh, mm, ss = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        if hh > 23 or mm > 59 or ss > 59:
            raise UsageError(f"--deadline: '{text}' is not a clock time")
        local_now = now.astimezone()
        when = local_now.replace(hour=hh, minute=mm, second=ss, microsecond=0)
        if when <= local_now:
            when += timedelta(days=1)
        return when.astimezone(timezone.utc)
    try:
        when = datetime.fromisoformat(t)
    except ValueError:
        raise UsageError(f"--deadline: cannot read '{text}'",
                         hint="use a duration (8h, 90m, 30s), a clock time (07:00) or an ISO time") from None
    if when.tzinfo is None:
        when = when.astimezone()
    return when.astimezone(timezone.utc)


# -- the runs table -----------------------------------------------------------------------------


def _connect(ws: Workspace) -> sqlite3.Connection:
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


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _run_info(con: sqlite3.Connection, row: sqlite3.Row) -> RunInfo:
    plan = json.loads(row["plan"])
    alive = False
    status = row["status"]
    if status == "running":
        hb = _dt(row["heartbeat"])
        fresh = hb is not None and (_now() - hb).total_seconds() < DEAD_AFTER_S
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
        tokens_in=tin, tokens_out=tout, cost_usd=cost,
    )


def list_runs(ws: Workspace) -> list[RunInfo]:
    """Every batch run of the workspace, oldest first."""
    con = _connect(ws)
    try:
        rows = con.execute("SELECT * FROM batch_runs ORDER BY created, id").fetchall()
        return [_run_info(con, r) for r in rows]
    finally:
        con.close()


def run_status(ws: Workspace, run_id: str | None = None) -> RunInfo:
    """One run (default: the newest), with counts from the recorded attempts and units."""
    con = _connect(ws)
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
    now = (now or _now()).astimezone()
    return f"r-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


# -- events and the summary ---------------------------------------------------------------------


class Progress(BaseModel):
    """Counts at one moment of a run (what the progress bar shows)."""

    units: int = 0  # planned units (attempts of a prover on a conjecture) in this session
    units_done: int = 0
    in_flight: int = 0
    attempts: int = 0  # recorded rows of this run (all sessions)
    settled: int = 0  # conjectures this run settled
    failed: int = 0  # units that ended without settling
    spent_usd: float = 0.0
    elapsed_s: float = 0.0


@dataclass
class BatchEvent:
    """What `run(on_event=...)` hears: kind is start, attempt, settled, unit, skipped, error, stopping, done."""

    kind: str
    run_id: str
    progress: Progress
    attempt: Attempt | None = None
    conjecture: str | None = None
    message: str | None = None


class RunSummary(BaseModel):
    """What a session of `run()` ended with (the `--json` output of `wb batch run/resume`)."""

    id: str
    status: str
    stop_reason: str | None = None
    exit_code: int = 0
    attempts: int = 0  # recorded rows of the run (all sessions)
    attempts_this_session: int = 0
    settled: list[str] = Field(default_factory=list)
    open: list[str] = Field(default_factory=list)
    units: int = 0
    units_done: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    elapsed_s: float = 0.0
    executor: str = "local"
    lean_jobs: int = 1
    error: str | None = None  # what stopped the run when it was an error (no Lean, a refused key)


# -- one run ------------------------------------------------------------------------------------


@dataclass
class _Unit:
    key: str  # CONJ/PROVER/K
    conjecture: str
    prover: str
    k: int
    starts: int = 0
    reserved: int = 0
    started: float = 0.0
    cut: str | None = None  # why should_stop ended the stream early


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: int = 0
    issued: int = 0  # recorded rows + candidates in flight (for max_attempts)
    attempts: int = 0
    session_attempts: int = 0
    spent: float = 0.0
    tokens_in: int = 0
    tokens_out: int = 0
    settled: set = field(default_factory=set)
    failed: int = 0
    units_done: int = 0
    stop_reason: str | None = None
    aborted: bool = False
    fatal: WorkbenchError | None = None
    disabled: dict = field(default_factory=dict)  # prover -> reason


class BatchRun:
    """A batch run: `start` plans and records it, `resume` reopens it, `run` executes it."""

    def __init__(self, ws: Workspace, run_id: str, options: BatchOptions, plan: dict) -> None:
        self.ws = ws
        self.id = run_id
        self.options = options
        self.plan = plan
        self.executor = None

    # -- creating and reopening ------------------------------------------------------------------

    @classmethod
    def start(cls, ws: Workspace, selection: Selection | None = None, options: BatchOptions | None = None) -> "BatchRun":
        """Select and order the conjectures, fix the prover order, and record a new run (status running)."""
        ws.require_writable()
        selection = selection or Selection()
        options = (options or BatchOptions()).model_copy()
        if options.deadline and options.deadline_at is None:
            options.deadline_at = parse_deadline(options.deadline)
        provers = order_provers(ws, options.provers or default_provers(ws))
        if options.model and provers == ["portfolio"]:
            raise UsageError("--model needs a model prover")
        conjectures = select(ws, selection)
        refuted = {i for i, r in ws.records().items() if r.refuted and r.status == Status.formalized}
        if not conjectures:
            skipped = "; nodes a numeric check refuted are skipped (--disproofs or --include-refuted)" if refuted else ""
            raise UsageError("nothing to do: no formalized, unsettled conjecture matches the selection",
                             hint="see `wb list --status formalized`" + skipped)
        run_id = new_run_id()
        disproofs = [c for c in conjectures if c in refuted] if selection.disproofs else []
        plan = {"conjectures": conjectures, "provers": provers, "selection": selection.model_dump(), "disproofs": disproofs}
        con = _connect(ws)
        try:
            with transaction(con, "create the batch run", db_path(ws)):
                con.execute(
                    "INSERT INTO batch_runs (id, created, status, options, plan, pid, host, heartbeat) VALUES (?,?,?,?,?,?,?,?)",
                    (run_id, _iso(_now()), "running", options.model_dump_json(), json.dumps(plan), os.getpid(),
                     socket.gethostname(), _iso(_now())),
                )
                for key, conj, prover, k in _plan_units(plan, options):
                    con.execute("INSERT INTO batch_units (run_id, unit, conjecture, prover, k) VALUES (?,?,?,?,?)",
                                (run_id, key, conj, prover, k))
        finally:
            con.close()
        return cls(ws, run_id, options, plan)

    @classmethod
    def resume(cls, ws: Workspace, run_id: str, **overrides: Any) -> "BatchRun":
        """Reopen run `run_id` to continue it; `overrides` replace stored options (e.g. budget_usd=10,
        deadline="2h"). Refused while the run is alive in another process."""
        ws.require_writable()
        info = run_status(ws, run_id)
        if info.alive:
            raise UsageError(f"run {run_id} is still running (pid {info.pid} on {info.host})",
                             hint="stop it with Ctrl-C or wait for it to finish")
        con = _connect(ws)
        try:
            row = con.execute("SELECT options, plan FROM batch_runs WHERE id=?", (run_id,)).fetchone()
        finally:
            con.close()
        from workbench.settle import commit_interrupted_settlements

        commit_interrupted_settlements(ws, f" [batch {run_id}, resumed]")
        options = BatchOptions.model_validate_json(row["options"])
        updates = {k: v for k, v in overrides.items() if v is not None}
        if "deadline" in updates:
            updates["deadline_at"] = parse_deadline(updates["deadline"])
        options = options.model_copy(update=updates)
        return cls(ws, run_id, options, json.loads(row["plan"]))

    # -- running ---------------------------------------------------------------------------------

    def run(self, on_event: Callable[[BatchEvent], None] | None = None, *, handle_signals: bool = True,
            provers: dict[str, Any] | None = None, executor: Any = None) -> RunSummary:
        """Execute the run's remaining units until done or a limit; returns the session's summary.

        With `handle_signals` (and on the main thread), the first SIGINT stops scheduling and lets
        in-flight attempts finish; the second aborts (status interrupted) and raises KeyboardInterrupt.
        SIGTERM acts like the first SIGINT.  Seams for tests and benchmarks: `provers` maps a planned
        prover name to a ready `Prover`; `executor` replaces the Lean executor (anything with
        `verify(statement, body, decl, **kwargs) -> Verdict` and `close()`).
        """
        from workbench.prove import close_prover, resolve_prover
        from workbench.settle import LeanOptions, allowed_axioms, toolchain_for

        opts = self.options
        emit = on_event or (lambda e: None)
        lean_opts = LeanOptions(lean=opts.lean, timeout=opts.timeout, memory_mb=opts.memory_mb, sandbox=opts.sandbox)
        try:
            toolchain = toolchain_for(self.ws, lean_opts)  # no Lean: ToolchainError before anything runs
        except ToolchainError:
            if executor is None:
                raise
            toolchain = None  # a substitute executor does not need Lean
        resolved = lean_opts.resolved(self.ws)
        self._lean_opts = lean_opts
        self._verify_kwargs = {"toolchain": toolchain, "allow_axioms": allowed_axioms(self.ws, lean_opts), "strict": True,
                               **resolved}
        lean_jobs = opts.lean_jobs or _default_jobs(resolved["memory_mb"])
        store = AttemptStore(self.ws)
        _connect(self.ws).close()  # the batch tables exist (a database from before batch runs gains them)
        self._store = store
        st = _State()
        t0 = time.monotonic()
        session_start = _now()
        totals = store.totals(run_id=self.id)
        st.attempts = st.issued = totals["attempts"]
        st.spent, st.tokens_in, st.tokens_out = totals["cost_usd"], totals["tokens_in"], totals["tokens_out"]
        st.settled = set(self._settled_by_run(store))
        self._mark_running()
        units = self._pending_units()
        prog = lambda: Progress(  # noqa: E731
            units=len(units), units_done=st.units_done, in_flight=st.in_flight, attempts=st.attempts,
            settled=len(st.settled), failed=st.failed, spent_usd=round(st.spent, 6), elapsed_s=round(time.monotonic() - t0, 3))

        from workbench.executors import make_executor

        given = dict(provers or {})
        provers = {}
        stop_heartbeat = threading.Event()
        heart = threading.Thread(target=self._heartbeat, args=(stop_heartbeat,), daemon=True)
        heart.start()
        old_handlers: dict = {}
        interrupts = [0]

        def on_signal(signum, frame):  # noqa: ARG001
            interrupts[0] += 1
            if interrupts[0] == 1 or signum == signal.SIGTERM:
                with st.lock:
                    st.stop_reason = st.stop_reason or ("interrupted" if signum == signal.SIGINT else "terminated")
                emit(BatchEvent("stopping", self.id, prog(), message="stopping: in-flight attempts finish (Ctrl-C again to abort)"))
            else:
                st.aborted = True
                raise KeyboardInterrupt

        if handle_signals and threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                old_handlers[sig] = signal.signal(sig, on_signal)

        threads: list[threading.Thread] = []
        workers = threading.BoundedSemaphore(opts.workers)
        try:
            self.executor = executor or make_executor(opts.executor, lean_jobs=lean_jobs, memory_mb=resolved["memory_mb"])
            for name in self.plan["provers"]:
                if name in given:
                    provers[name] = given[name]
                    continue
                try:
                    provers[name] = resolve_prover(self.ws, name, model=opts.model if name != "portfolio" else None,
                                                   rounds=opts.rounds, toolchain=toolchain)
                except ProviderError as exc:
                    st.disabled[name] = str(exc)
                    emit(BatchEvent("error", self.id, prog(), message=f"{name}: {exc}"))
            if not provers:
                raise ProviderError(f"no usable prover: {'; '.join(st.disabled.values())}")
            emit(BatchEvent("start", self.id, prog(), message=f"{len(units)} units to run"))

            def stop_now() -> str | None:
                if st.stop_reason:
                    return st.stop_reason
                if opts.deadline_at is not None and _now() >= opts.deadline_at:
                    st.stop_reason = "deadline"
                elif opts.budget_usd is not None and st.spent >= opts.budget_usd:
                    st.stop_reason = "budget"
                elif opts.max_attempts is not None and st.issued >= opts.max_attempts:
                    st.stop_reason = "max-attempts"
                return st.stop_reason

            for unit in units:
                # wait for a free worker, staying responsive to signals and limits
                while not workers.acquire(timeout=0.1):
                    pass
                with st.lock:
                    reason = stop_now()
                if reason or st.fatal is not None:
                    workers.release()
                    break
                if unit.conjecture in st.settled or self._is_settled(unit.conjecture):
                    workers.release()
                    self._finish_unit(unit, "skipped: already settled")
                    with st.lock:
                        st.units_done += 1
                    emit(BatchEvent("skipped", self.id, prog(), conjecture=unit.conjecture, message="already settled"))
                    continue
                if unit.prover in st.disabled or unit.prover not in provers:
                    workers.release()
                    continue
                with st.lock:
                    st.in_flight += 1
                th = threading.Thread(target=self._run_unit, daemon=True, name=f"unit {unit.key}",
                                      args=(unit, provers[unit.prover], store, st, stop_now, emit, prog, workers))
                threads.append(th)
                th.start()
            for th in threads:
                while th.is_alive():
                    th.join(timeout=0.1)
        except KeyboardInterrupt:
            st.aborted = True
            self._close_run("interrupted", st.stop_reason or "aborted")
            raise
        finally:
            stop_heartbeat.set()
            for sig, handler in old_handlers.items():
                signal.signal(sig, handler)
            if not st.aborted:
                for p in provers.values():
                    close_prover(p)
                if self.executor is not None:
                    self.executor.close()
            self._store = None
            store.close()
            self._add_session(session_start)

        if st.fatal is not None and st.stop_reason is None:
            st.stop_reason = "error"
        remaining = self._count_pending()
        if st.stop_reason is None and remaining and st.disabled:
            st.stop_reason = "provider-error"
        status = "finished" if st.stop_reason is None else "stopped"
        self._close_run(status, st.stop_reason)
        exit_code = 0
        if st.stop_reason in ("interrupted", "terminated"):
            exit_code = 130
        elif st.stop_reason in ("error", "provider-error"):
            exit_code = st.fatal.exit_code if st.fatal is not None else 2
        info = run_status(self.ws, self.id)
        summary = RunSummary(
            id=self.id, status=status, stop_reason=st.stop_reason, exit_code=exit_code, attempts=info.attempts,
            attempts_this_session=st.session_attempts, settled=info.settled,
            open=[c for c in info.conjectures if c not in info.settled and not self._is_settled(c)],
            units=info.units, units_done=info.units_done, tokens_in=info.tokens_in, tokens_out=info.tokens_out,
            cost_usd=round(info.cost_usd, 6), elapsed_s=round(time.monotonic() - t0, 3), executor=opts.executor,
            lean_jobs=lean_jobs, error=str(st.fatal) if st.fatal is not None else None,
        )
        emit(BatchEvent("done", self.id, prog(), message=status + (f" ({st.stop_reason})" if st.stop_reason else "")))
        return summary

    # -- one unit --------------------------------------------------------------------------------

    def _run_unit(self, unit: _Unit, prover, store: AttemptStore, st: _State, stop_now, emit, prog, workers) -> None:
        from workbench.provers.base import build_task
        from workbench.prove import run_attempt

        outcome = None
        try:
            starts = self._begin_unit(unit)
            prefix = f"{self.id}/{unit.key}" + (f"~{starts}" if starts > 1 else "")
            unit.started = time.monotonic()
            timeout = self.options.attempt_timeout_s

            def should_stop() -> bool:
                with st.lock:
                    if unit.conjecture in st.settled:
                        unit.cut = "settled"
                        return True
                    if st.aborted or stop_now():
                        unit.cut = "limit"
                        return True
                    if timeout is not None and time.monotonic() - unit.started > timeout:
                        unit.cut = "timeout"
                        return True
                    st.issued += 1
                    unit.reserved += 1
                    return False

            def on_attempt(a: Attempt) -> None:
                with st.lock:
                    unit.reserved -= 1
                    st.attempts += 1
                    st.session_attempts += 1
                    st.spent += a.cost_usd
                    st.tokens_in += a.tokens_in
                    st.tokens_out += a.tokens_out
                    if a.settled:
                        st.settled.add(a.conjecture)
                emit(BatchEvent("attempt", self.id, prog(), attempt=a, conjecture=a.conjecture))
                if a.settled:
                    emit(BatchEvent("settled", self.id, prog(), attempt=a, conjecture=a.conjecture))

            negate = unit.conjecture in self.plan.get("disproofs", ())
            task = build_task(self.ws, unit.conjecture, store=store, env=self._check_env(unit.conjecture), negate=negate)  # re-read: settled dependencies are lemmas now
            if hasattr(prover, "preflight"):
                prover.preflight(task)
            result = run_attempt(
                self.ws, task, prover, lean_opts=None, store=store, attempt_index=unit.k, run_id=self.id,  # type: ignore[arg-type]
                slot_prefix=prefix, on_attempt=on_attempt, check=self._checker(prover, unit, task),
                should_stop=should_stop,
            )
            if result.settled:
                outcome = "settled"
            elif st.aborted:
                outcome = None
            elif unit.cut == "settled" or unit.conjecture in st.settled:
                outcome = "stopped: settled by another attempt"
            elif unit.cut == "limit":
                outcome = None  # cut short by a limit or Ctrl-C: a resume runs it again (fresh slots)
            elif unit.cut == "timeout":
                outcome = "timeout"
                with st.lock:
                    st.failed += 1
            else:
                outcome = "open"
        except ToolchainError as exc:
            from workbench.provers.portfolio import NoTacticsError

            if isinstance(exc, NoTacticsError):
                outcome = f"skipped: {exc.message}"
                emit(BatchEvent("skipped", self.id, prog(), conjecture=unit.conjecture, message=f"{unit.prover}: {exc.message}"))
            else:
                with st.lock:
                    st.fatal = exc
                    st.stop_reason = st.stop_reason or "error"
                emit(BatchEvent("error", self.id, prog(), conjecture=unit.conjecture, message=str(exc)))
        except ProviderError as exc:  # a refused key, an unknown model: no retry can fix it
            with st.lock:
                st.disabled[unit.prover] = str(exc)
                if all(p in st.disabled for p in self.plan["provers"]):
                    st.fatal = exc
                    st.stop_reason = st.stop_reason or "provider-error"
            emit(BatchEvent("error", self.id, prog(), conjecture=unit.conjecture, message=str(exc)))
        except WorkbenchError as exc:
            outcome = f"error: {exc}"
            emit(BatchEvent("error", self.id, prog(), conjecture=unit.conjecture, message=str(exc)))
        except BaseException as exc:  # noqa: BLE001 - a bug in one unit must not kill the run silently
            emit(BatchEvent("error", self.id, prog(), conjecture=unit.conjecture, message=f"{type(exc).__name__}: {exc}"))
        finally:
            with st.lock:
                st.issued -= unit.reserved
                unit.reserved = 0
                st.in_flight -= 1
                if outcome is not None:
                    st.units_done += 1
                    if outcome == "open":
                        st.failed += 1
            if outcome is not None and not st.aborted:
                self._finish_unit(unit, outcome)
            workers.release()
            if outcome is not None:
                emit(BatchEvent("unit", self.id, prog(), conjecture=unit.conjecture, message=outcome))

    def _checker(self, prover, unit: _Unit, task):
        """check(task, candidate) for run_attempt: normalize, verify on the executor, settle under the lock."""
        from workbench.prove import candidate_text
        from workbench.provers.base import Feedback

        def check(t, c):
            body, refusal = candidate_text(t, c)
            if body is None:
                return refusal, None
            verdict = self.executor.verify(t.check_file or t.statement_file, body, t.decl, negate=t.negate, **self._verify_kwargs, **t.verify_args())
            if not verdict.accepted:
                return Feedback(verdict=verdict, checked=body), None
            model = c.model if prover.kind == "llm" else None
            source = f"wb batch {self.id} ({unit.prover}, attempt {unit.k}, round {c.round}" + (f", {c.label}" if c.label else "") + ")"
            result = self._settle(t, body, verdict, prover=prover.name, model=model, source=source)
            if result is None:
                return Feedback(verdict=verdict, checked=body, problem="accepted, but the conjecture was already settled"), None
            return Feedback(verdict=verdict, checked=body), result

        return check

    def _check_env(self, conj_id: str):
        """The checking environment of `conj_id` (None with a substitute executor and no Lean)."""
        from workbench.settle import check_env

        toolchain = self._verify_kwargs.get("toolchain")
        return None if toolchain is None else check_env(self.ws, conj_id, self._lean_opts, toolchain)

    def _settle(self, task, body: str, verdict, *, prover: str, model: str | None, source: str):
        """Record an accepted proof unless the node was settled (or its statement changed) meanwhile;
        returns settle's CheckResult, or None when someone else got there first."""
        from workbench.errors import ConflictError
        from workbench.settle import library, record_settlement

        try:
            digest = task.digest or library(self.ws).digest(task.conjecture)
            return record_settlement(
                self.ws, task.conjecture, body, verdict, statement_digest=digest, negate=task.negate,
                prover=prover, model=model, source=source, commit=self.options.commit, note=f" [batch {self.id}]",
                opts=self._lean_opts, toolchain=self._verify_kwargs.get("toolchain"),
            )
        except ConflictError:
            return None

    # -- bookkeeping -----------------------------------------------------------------------------

    def _db(self, sql: str, params: tuple = ()) -> list:
        """One statement in its own transaction.  While running, on the attempts store's connection under
        its lock: one connection per process means threads queue on a mutex instead of SQLite's busy
        back-off sleeps (which cost tens of ms per attempt with many workers)."""
        store = getattr(self, "_store", None)
        if store is not None:
            with store._lock, transaction(store.con, "update the batch tables", store.path) as con:  # noqa: SLF001
                return con.execute(sql, params).fetchall()
        con = _connect(self.ws)
        try:
            with transaction(con, "update the batch tables", db_path(self.ws)):
                return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def _pending_units(self) -> list[_Unit]:
        rows = self._db("SELECT unit, conjecture, prover, k, starts FROM batch_units WHERE run_id=? AND state != 'done'",
                        (self.id,))
        order = {key: i for i, (key, *_rest) in enumerate(_plan_units(self.plan, self.options))}
        units = [_Unit(r["unit"], r["conjecture"], r["prover"], r["k"], r["starts"]) for r in rows]
        units.sort(key=lambda u: order.get(u.key, len(order)))
        return units

    def _count_pending(self) -> int:
        return self._db("SELECT COUNT(*) FROM batch_units WHERE run_id=? AND state != 'done'", (self.id,))[0][0]

    def _begin_unit(self, unit: _Unit) -> int:
        return self._db("UPDATE batch_units SET starts = starts + 1, state='running', started_at=? WHERE run_id=? AND unit=?"
                        " RETURNING starts", (_iso(_now()), self.id, unit.key))[0][0]

    def _finish_unit(self, unit: _Unit, outcome: str) -> None:
        self._db("UPDATE batch_units SET state='done', outcome=?, finished_at=? WHERE run_id=? AND unit=?",
                 (outcome, _iso(_now()), self.id, unit.key))

    def _settled_by_run(self, store: AttemptStore) -> list[str]:
        return [a.conjecture for a in store.for_run(self.id) if a.settled]

    def _is_settled(self, conj_id: str) -> bool:
        try:
            return self.ws.get(conj_id).status in (Status.proved, Status.disproved)
        except WorkbenchError:
            return True  # removed or unreadable: nothing to prove

    def _mark_running(self) -> None:
        self._db("UPDATE batch_runs SET status='running', stop_reason=NULL, finished=NULL, pid=?, host=?, heartbeat=?,"
                 " options=? WHERE id=?",
                 (os.getpid(), socket.gethostname(), _iso(_now()), self.options.model_dump_json(), self.id))

    def _heartbeat(self, stop: threading.Event) -> None:
        while not stop.wait(HEARTBEAT_S):
            try:
                self._db("UPDATE batch_runs SET heartbeat=? WHERE id=? AND status='running'", (_iso(_now()), self.id))
            except Exception:  # noqa: BLE001 - a busy database must not kill the heartbeat
                pass

    def _close_run(self, status: str, reason: str | None) -> None:
        self._db("UPDATE batch_runs SET status=?, stop_reason=?, finished=?, heartbeat=? WHERE id=?",
                 (status, reason, _iso(_now()), _iso(_now()), self.id))

    def _add_session(self, started: datetime) -> None:
        con = _connect(self.ws)
        try:
            with transaction(con, "record the session", db_path(self.ws)):
                row = con.execute("SELECT sessions FROM batch_runs WHERE id=?", (self.id,)).fetchone()
                sessions = json.loads(row[0] or "[]")
                sessions.append({"started": _iso(started), "ended": _iso(_now()), "pid": os.getpid()})
                con.execute("UPDATE batch_runs SET sessions=? WHERE id=?", (json.dumps(sessions), self.id))
        finally:
            con.close()


def _default_jobs(memory_mb: int) -> int:
    from workbench.executors import default_lean_jobs

    return default_lean_jobs(min(memory_mb, 4096))


# -- planning -----------------------------------------------------------------------------------


def default_provers(ws: Workspace) -> list[str]:
    """`[batch] provers` of workbench.toml, else the portfolio then `llm` when a provider is configured."""
    batch = ws.config.get("batch", {})
    if isinstance(batch, dict) and isinstance(batch.get("provers"), list) and batch["provers"]:
        return [str(p) for p in batch["provers"]]
    return ["portfolio", "llm"] if ws.config.get("providers") else ["portfolio"]


def order_provers(ws: Workspace, names: list[str]) -> list[str]:
    """Cheapest first: the portfolio (no model), then model provers by configured price per token
    (input plus output price per million tokens), keeping the given order among equals."""
    from workbench.prove import provider_config

    seen: list[str] = []
    for n in names:
        if n not in seen:
            seen.append(n)

    def cost(name: str) -> float:
        if name == "portfolio":
            return -1.0
        try:
            cfg = provider_config(ws, name)
        except UsageError:
            raise
        except WorkbenchError:
            return float("inf")
        return cfg.price_in_per_mtok + cfg.price_out_per_mtok

    costs = {n: cost(n) for n in seen}
    return sorted(seen, key=lambda n: costs[n])


def select(ws: Workspace, selection: Selection) -> list[str]:
    """The formalized, unsettled conjectures of `selection`, most valuable first (how many open nodes a
    proof would unblock, then priority, then id)."""
    from workbench.graph import next_targets

    filters: dict[str, Any] = parse_query(selection.query) if selection.query else {}
    ids = list(dict.fromkeys([*selection.ids, *filters.pop("ids", [])]))
    for conj_id in selection.ids:
        conj = ws.get(conj_id)  # NotFoundError for a typo
        if conj.status != Status.formalized:
            raise UsageError(f"'{conj_id}' is {conj.status.value}, not formalized: a batch proves formalized, unsettled conjectures")
    rows = ws.index.rows(status=filters.get("status"), area=filters.get("area"), tag=filters.get("tag"),
                         kind=filters.get("kind"), query=filters.get("query"), ids=ids or None)
    wanted = {r["id"] for r in rows if r["recorded_status"] == Status.formalized.value}
    records = ws.records()
    if not (selection.include_refuted or selection.disproofs):
        wanted -= {i for i in wanted if records[i].refuted and i not in selection.ids}
    ranked = [t.id for t in next_targets(records, include_refuted=True) if t.id in wanted]
    rest = sorted(wanted - set(ranked))
    return ranked + rest


def _plan_units(plan: dict, options: BatchOptions) -> list[tuple[str, str, str, int]]:
    """(key, conjecture, prover, k) in execution order: prover by prover (cheapest first), attempt by
    attempt, conjecture by value; the portfolio is deterministic, so it gets one attempt."""
    out = []
    for prover in plan["provers"]:
        tries = 1 if prover == "portfolio" else options.attempts_per_conjecture
        for k in range(1, tries + 1):
            for conj in plan["conjectures"]:
                out.append((f"{conj}/{prover}/{k}", conj, prover, k))
    return out


def report(ws: Workspace, run_id: str):
    """The morning report of run `run_id` (see `workbench.batch_report.Report`)."""
    from workbench.batch_report import build_report

    return build_report(ws, run_id)


__all__ = [
    "BatchEvent", "BatchOptions", "BatchRun", "Progress", "RunInfo", "RunSummary", "Selection", "default_provers",
    "list_runs", "new_run_id", "order_provers", "parse_deadline", "parse_query", "report", "run_status", "select",
]
