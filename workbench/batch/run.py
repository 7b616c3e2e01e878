"""One batch run: `BatchRun.start` plans and records it, `resume` reopens it, `run` executes it (see
`workbench.batch` for the whole picture)."""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from workbench.attempts import Attempt, AttemptStore, db_path, transaction
from workbench.batch.options import BatchOptions, parse_deadline, utcnow
from workbench.batch.plan import Selection, default_provers, order_provers, plan_units, select
from workbench.batch.runs import HEARTBEAT_S, RunRecord, continue_hint, iso, limit_reached, new_run_id, open_db, run_status
from workbench.errors import ProviderError, ToolchainError, UsageError, WorkbenchError
from workbench.model import Status
from workbench.workspace import Workspace

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
    discarded: bool = False  # the run recorded nothing before a set-up error, so it was removed
    continue_hint: str | None = None  # how to continue a run that did not finish (see `runs.continue_hint`)


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
        self.record = RunRecord(ws, run_id)
        self.discarded = False  # a set-up failure removed the run (it had recorded nothing)

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
        con = open_db(ws)
        try:
            with transaction(con, "create the batch run", db_path(ws)):
                con.execute(
                    "INSERT INTO batch_runs (id, created, status, options, plan, pid, host, heartbeat) VALUES (?,?,?,?,?,?,?,?)",
                    (run_id, iso(utcnow()), "running", options.model_dump_json(), json.dumps(plan), os.getpid(),
                     socket.gethostname(), iso(utcnow())),
                )
                for key, conj, prover, k in plan_units(plan, options):
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
        con = open_db(ws)
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
        if info.status == "finished":
            raise UsageError(f"run {run_id} has finished: nothing is left to do", hint=f"see `wb batch report {run_id}`")
        if limit_reached(info.stop_reason, options, spent=info.cost_usd, attempts=info.attempts):
            hint = continue_hint(run_id, info.stop_reason, options, spent=info.cost_usd, attempts=info.attempts)
            raise UsageError(f"run {run_id} stopped at a limit that still holds: {hint}")
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
        from workbench.prove import close_prover
        from workbench.settle import LeanOptions, allowed_axioms

        opts = self.options
        emit = on_event or (lambda e: None)
        lean_opts = LeanOptions(lean=opts.lean, timeout=opts.timeout, memory_mb=opts.memory_mb, sandbox=opts.sandbox)
        resolved = lean_opts.resolved(self.ws)
        lean_jobs = opts.lean_jobs or _default_jobs(resolved["memory_mb"])
        toolchain, provers = self._set_up(lean_opts, given=dict(provers or {}), executor=executor, lean_jobs=lean_jobs)
        self._lean_opts = lean_opts
        self._verify_kwargs = {"toolchain": toolchain, "allow_axioms": allowed_axioms(self.ws, lean_opts), "strict": True,
                               **resolved}
        store = AttemptStore(self.ws)
        open_db(self.ws).close()  # the batch tables exist (a database from before batch runs gains them)
        self.record.store = store
        st = _State()
        t0 = time.monotonic()
        totals = store.totals(run_id=self.id)
        st.attempts = st.issued = totals["attempts"]
        st.spent, st.tokens_in, st.tokens_out = totals["cost_usd"], totals["tokens_in"], totals["tokens_out"]
        st.settled = set(self._settled_by_run(store))
        self.record.mark_running(self.options)
        units = self._pending_units()
        prog = lambda: Progress(  # noqa: E731
            units=len(units), units_done=st.units_done, in_flight=st.in_flight, attempts=st.attempts,
            settled=len(st.settled), failed=st.failed, spent_usd=round(st.spent, 6), elapsed_s=round(time.monotonic() - t0, 3))

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
                emit(BatchEvent("stopping", self.id, prog(), message="in-flight attempts finish (Ctrl-C again to abort)"))
            else:
                st.aborted = True
                raise KeyboardInterrupt

        if handle_signals and threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                old_handlers[sig] = signal.signal(sig, on_signal)

        threads: list[threading.Thread] = []
        workers = threading.BoundedSemaphore(opts.workers)
        try:
            emit(BatchEvent("start", self.id, prog(), message=f"{len(units)} units to run"))

            def stop_now() -> str | None:
                if st.stop_reason:
                    return st.stop_reason
                if opts.deadline_at is not None and utcnow() >= opts.deadline_at:
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
                    self.record.finish_unit(unit.key, "skipped: already settled")
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
            self.record.close("interrupted", st.stop_reason or "aborted")
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
            self.record.store = None
            store.close()

        if st.fatal is not None and st.stop_reason is None:
            st.stop_reason = "error"
        remaining = self.record.count_pending()
        if st.stop_reason is None and remaining and st.disabled:
            st.stop_reason = "provider-error"
        status = "finished" if st.stop_reason is None else "stopped"
        self.record.close(status, st.stop_reason)
        exit_code = 0
        if st.stop_reason in ("interrupted", "terminated"):
            exit_code = 130
        elif st.stop_reason in ("error", "provider-error"):
            exit_code = 2 if st.fatal is None or isinstance(st.fatal, ProviderError) else st.fatal.exit_code
        if exit_code == 2:  # a set-up problem found by the first attempts (a refused key): keep no empty run
            self.discarded = self.record.discard_if_unused()
        info = run_status(self.ws, self.id)
        summary = RunSummary(
            id=self.id, status=status, stop_reason=st.stop_reason, exit_code=exit_code, attempts=info.attempts,
            attempts_this_session=st.session_attempts, settled=info.settled,
            open=[c for c in info.conjectures if c not in info.settled and not self._is_settled(c)],
            units=info.units, units_done=info.units_done, tokens_in=info.tokens_in, tokens_out=info.tokens_out,
            cost_usd=round(info.cost_usd, 6), elapsed_s=round(time.monotonic() - t0, 3), executor=opts.executor,
            lean_jobs=lean_jobs, error=str(st.fatal) if st.fatal is not None else None, discarded=self.discarded,
            continue_hint=None if status == "finished" else continue_hint(
                self.id, st.stop_reason, opts, spent=info.cost_usd, attempts=info.attempts),
        )
        emit(BatchEvent("done", self.id, prog(), message=status + (f" ({st.stop_reason})" if st.stop_reason else "")))
        return summary

    def _set_up(self, lean_opts, *, given: dict, executor: Any, lean_jobs: int) -> tuple[Any, dict]:
        """Everything a session needs before it attempts anything: Lean, every planned prover (its key, and a
        model server that can be reached) and the executor. A failure here is a set-up error (exit 2): nothing
        was attempted, and a run that never recorded anything is removed (`discarded`)."""
        from workbench.batch.executors import make_executor
        from workbench.prove import close_prover, resolve_prover
        from workbench.settle import toolchain_for

        opts = self.options
        provers: dict[str, Any] = {}
        try:
            try:
                toolchain = toolchain_for(self.ws, lean_opts)  # no Lean: ToolchainError before anything runs
            except ToolchainError:
                if executor is None:
                    raise
                toolchain = None  # a substitute executor does not need Lean
            self.executor = executor or make_executor(opts.executor, lean_jobs=lean_jobs,
                                                      memory_mb=lean_opts.resolved(self.ws)["memory_mb"])
            for name in self.plan["provers"]:
                if name in given:
                    provers[name] = given[name]
                    continue
                provers[name] = resolve_prover(self.ws, name, model=opts.model if name != "portfolio" else None,
                                               rounds=opts.rounds, toolchain=toolchain)
                client = getattr(provers[name], "client", None)
                if client is not None and hasattr(client, "check_reachable"):
                    client.check_reachable()
        except WorkbenchError:
            for name, p in provers.items():
                if name not in given:
                    close_prover(p)
            if self.executor is not None and executor is None:
                self.executor.close()
            self.discarded = self.record.discard_if_unused()
            raise
        return toolchain, provers

    # -- one unit --------------------------------------------------------------------------------

    def _run_unit(self, unit: _Unit, prover, store: AttemptStore, st: _State, stop_now, emit, prog, workers) -> None:
        from workbench.provers.base import build_task
        from workbench.prove import run_attempt

        outcome = None
        try:
            starts = self.record.begin_unit(unit.key)
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
            from workbench.provers.stepwise.protocol import BackendUnavailable

            if isinstance(exc, (NoTacticsError, BackendUnavailable)):  # this prover cannot work on this node here
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
                self.record.finish_unit(unit.key, outcome)
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
            model = c.model
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

    def _pending_units(self) -> list[_Unit]:
        order = {key: i for i, (key, *_rest) in enumerate(plan_units(self.plan, self.options))}
        units = [_Unit(r["unit"], r["conjecture"], r["prover"], r["k"], r["starts"]) for r in self.record.pending_units()]
        units.sort(key=lambda u: order.get(u.key, len(order)))
        return units

    def _settled_by_run(self, store: AttemptStore) -> list[str]:
        return [a.conjecture for a in store.for_run(self.id) if a.settled]

    def _is_settled(self, conj_id: str) -> bool:
        try:
            return self.ws.get(conj_id).status in (Status.proved, Status.disproved)
        except WorkbenchError:
            return True  # removed or unreadable: nothing to prove

    def _heartbeat(self, stop: threading.Event) -> None:
        while not stop.wait(HEARTBEAT_S):
            try:
                self.record.beat()
            except Exception:  # noqa: BLE001 - a busy database must not kill the heartbeat
                pass


def _default_jobs(memory_mb: int) -> int:
    from workbench.batch.executors import default_lean_jobs

    return default_lean_jobs(min(memory_mb, 4096))
