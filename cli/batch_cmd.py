"""`wb batch`: overnight runs over many conjectures (run, resume, list, status, report).

Exit codes of `run` and `resume`: 0 when the run finished or stopped at a limit it was given
(--max-attempts, --budget-usd, --deadline), even if nothing was settled; 130 after Ctrl-C (the
first stops scheduling and lets in-flight attempts finish, the second aborts them); 2 for a usage,
toolchain or provider set-up problem (no Lean, a refused key); 1 for other errors.
"""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from cli.common import HelpGroup, JsonOpt, WorkspaceOpt, open_workspace
from cli.output import console, emit_json

batch_app = typer.Typer(cls=HelpGroup,
    name="batch", help="Overnight batch runs: many proof attempts, limits, resumable after any kill, a morning report.",
    no_args_is_help=True, rich_markup_mode=None,
)


def _attempt_line(e) -> str:
    from cli.prove_cmd import _who, _why

    a = e.attempt
    cost = f"{a.duration_s:.1f}s"
    if a.cost_usd:
        cost += f" ${a.cost_usd:.4f}"
    why = "settled" if a.settled else _why(a, 60)
    p = e.progress
    return (f"#{a.no} {a.conjecture} {a.attempt}.{a.round} {_who(a)} {a.verdict} ({cost})" + (f" {why}" if why else "")
            + f"  [{p.settled} settled, {p.attempts} attempts, ${p.spent_usd:.4f}]")


class _Renderer:
    """Progress for people: a live bar on a terminal, one line per finished attempt otherwise."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.tty = sys.stdout.isatty() and not as_json
        self.bar = None
        self.task = None
        self.said: set = set()

    def __enter__(self):
        if self.tty:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.fields[info]}"),
                                TimeElapsedColumn(), console=console(), transient=False)
            self.bar.__enter__()
            self.task = self.bar.add_task("batch", total=None, info="starting")
        return self

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def __call__(self, e) -> None:
        from rich.markup import escape

        if self.as_json:
            return
        p = e.progress
        if self.bar is not None:
            eta = ""
            if p.units_done and p.units > p.units_done:
                left = p.elapsed_s / p.units_done * (p.units - p.units_done)
                eta = f" ETA {int(left // 60)}m{int(left % 60):02d}s"
            info = (f"{p.settled} settled, {p.failed} failed, {p.in_flight} in flight, {p.attempts} attempts, "
                    f"${p.spent_usd:.4f} spent{eta}")
            self.bar.update(self.task, total=p.units or None, completed=p.units_done, info=info)
            if e.kind in ("settled", "error", "stopping"):
                self.bar.console.print(escape(self._line(e)), soft_wrap=True)
            return
        line = self._line(e)
        if e.kind == "skipped" and line:  # a prover that cannot work here says so once, not per node
            if e.message in self.said:
                return
            self.said.add(e.message)
        if line:
            console().print(escape(line), soft_wrap=True)

    @staticmethod
    def _line(e) -> str:
        if e.kind == "attempt":
            return _attempt_line(e)
        if e.kind == "settled":
            a = e.attempt
            return f"settled {a.conjecture} (attempt #{a.no})"
        if e.kind in ("error", "stopping"):
            return f"{e.kind}: {e.message}"
        if e.kind == "skipped" and e.message and e.message != "already settled":
            return f"skipped: {e.message}"
        return ""


def _finish(summary, as_json: bool) -> None:
    from rich.markup import escape

    from cli.output import error

    if as_json:
        emit_json(summary.model_dump(mode="json"))
    else:
        c = console()
        why = f" ({summary.stop_reason})" if summary.stop_reason else ""
        c.print(escape(f"run {summary.id} {summary.status}{why}: {summary.attempts} attempts, "
                       f"{len(summary.settled)} settled, {len(summary.open)} open, ${summary.cost_usd:.4f} spent"), soft_wrap=True)
        if summary.settled:
            c.print(escape("settled: " + ", ".join(summary.settled)), soft_wrap=True)
        if summary.discarded:
            pass
        elif summary.continue_hint:
            c.print(escape(f"{summary.continue_hint}; read `wb batch report {summary.id}`"), soft_wrap=True)
        else:
            c.print(escape(f"report: `wb batch report {summary.id}`"), soft_wrap=True)
    if summary.error:
        error(summary.error + (f"; run {summary.id} is not kept: it attempted nothing" if summary.discarded else ""))
    raise typer.Exit(summary.exit_code)


def _execute(batch_run, as_json: bool):
    from cli.output import error

    if not as_json:
        console().print(f"run {batch_run.id}", soft_wrap=True)
        sys.stdout.flush()
    from workbench.errors import ProviderError, WorkbenchError

    try:
        with _Renderer(as_json) as render:
            summary = batch_run.run(on_event=render)
    except WorkbenchError as exc:
        if not (batch_run.discarded or isinstance(exc, ProviderError)):
            raise
        error(str(exc) + (f"; run {batch_run.id} is not kept: it attempted nothing" if batch_run.discarded else ""))
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        error(f"aborted; in-flight attempts were dropped. Continue with `wb batch resume {batch_run.id}`")
        sys.stdout.flush()
        sys.stderr.flush()
        import os

        os._exit(130)  # worker threads may be blocked in a model call or Lean: do not wait for them
    _finish(summary, as_json)


@batch_app.command("run")
def run(
    ctx: typer.Context,
    ids: Annotated[Optional[list[str]], typer.Argument(metavar="[ID]...", help="Conjectures to work on (default: every formalized, unsettled one).")] = None,
    select: Annotated[Optional[str], typer.Option("--select", metavar="QUERY", help="Filter: space-separated status=… area=… tag=… kind=… id=a,b q=text (all must hold).")] = None,
    prover: Annotated[Optional[list[str]], typer.Option("--prover", "-p", help="A prover to use (repeatable): portfolio, llm, openai, anthropic or a [providers.NAME] entry; run cheapest first.")] = None,
    model: Annotated[Optional[str], typer.Option("--model", "-m", help="Model for the model provers (default: each provider's).")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Attempts in flight at once (model calls run concurrently, paced per provider).")] = 4,
    lean_jobs: Annotated[Optional[int], typer.Option("--lean-jobs", min=1, help="Lean checks at once (default: from cores and memory).")] = None,
    attempts_per_conjecture: Annotated[int, typer.Option("--attempts-per-conjecture", min=1, help="Independent attempts per conjecture and model prover.")] = 1,
    rounds: Annotated[int, typer.Option("--rounds", min=1, help="Candidates per attempt: the first answer plus repairs.")] = 3,
    max_attempts: Annotated[Optional[int], typer.Option("--max-attempts", min=1, help="Stop scheduling after this many recorded attempts (candidates).")] = None,
    budget_usd: Annotated[Optional[float], typer.Option("--budget-usd", min=0, help="Stop scheduling once this much money (from token prices) is spent.")] = None,
    deadline: Annotated[Optional[str], typer.Option("--deadline", metavar="DURATION|TIME", help="Stop scheduling at 8h / 90m / 30s from now, a clock time (07:00) or an ISO time.")] = None,
    attempt_timeout: Annotated[Optional[float], typer.Option("--attempt-timeout", metavar="SECONDS", help="No new candidate in an attempt after this long.")] = None,
    executor: Annotated[str, typer.Option("--executor", help="local (threads + a bounded Lean pool) or ray (Lean checks as Ray tasks).")] = "local",
    lean: Annotated[Optional[str], typer.Option("--lean", help="Path to the `lean` binary.")] = None,
    timeout: Annotated[Optional[float], typer.Option("--timeout", help="Seconds before one Lean check is stopped.")] = None,
    memory_mb: Annotated[Optional[int], typer.Option("--memory-mb", help="Memory per Lean check in MB (also Ray's memory resource per check).")] = None,
    sandbox: Annotated[str, typer.Option("--sandbox", help="auto, on or off.")] = "auto",
    disproofs: Annotated[bool, typer.Option("--disproofs", help="Attempt disproofs (proofs of the negation) of the selected nodes a numeric check refuted, instead of skipping them.")] = False,
    include_refuted: Annotated[bool, typer.Option("--include-refuted", help="Attempt proofs of nodes a numeric check refuted too (skipped by default).")] = False,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Start a batch run: prove many formalized conjectures, most valuable first, cheapest prover first.

    Prints the run id first. Every attempt is recorded as it finishes and every settlement is
    committed as it happens, so `wb batch resume RUN` continues after any kill. Nodes a numeric check
    refuted are skipped unless named, --include-refuted, or --disproofs (which attempts their disproof).
    Exit 0 when the run finished or stopped at a limit, 130 after Ctrl-C, 2 for a set-up problem."""
    from workbench.batch import BatchOptions, BatchRun, Selection
    from workbench.errors import UsageError

    if executor not in ("local", "ray"):
        raise UsageError(f"--executor must be local or ray, not '{executor}'")
    ws = open_workspace(ctx, workspace)
    options = BatchOptions(
        provers=prover or [], model=model, workers=workers, lean_jobs=lean_jobs,
        attempts_per_conjecture=attempts_per_conjecture, rounds=rounds, max_attempts=max_attempts,
        budget_usd=budget_usd, deadline=deadline, attempt_timeout_s=attempt_timeout, executor=executor,  # type: ignore[arg-type]
        lean=lean, timeout=timeout, memory_mb=memory_mb, sandbox=sandbox,
    )
    if executor == "ray":
        import importlib.util

        if importlib.util.find_spec("ray") is None:
            from workbench.batch.executors import RAY_MISSING

            raise UsageError(RAY_MISSING)
    selection = Selection(ids=ids or [], query=select, include_refuted=include_refuted, disproofs=disproofs)
    batch_run = BatchRun.start(ws, selection, options)
    _execute(batch_run, as_json)


@batch_app.command("resume")
def resume(
    ctx: typer.Context,
    run_id: Annotated[str, typer.Argument(metavar="RUN")],
    max_attempts: Annotated[Optional[int], typer.Option("--max-attempts", min=1, help="Replace the run's attempt limit.")] = None,
    budget_usd: Annotated[Optional[float], typer.Option("--budget-usd", min=0, help="Replace the run's budget.")] = None,
    deadline: Annotated[Optional[str], typer.Option("--deadline", metavar="DURATION|TIME", help="Replace the run's deadline.")] = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Continue a stopped, interrupted or killed run: finished attempts are not repeated, none is lost."""
    from workbench.batch import BatchRun

    ws = open_workspace(ctx, workspace)
    batch_run = BatchRun.resume(ws, run_id, max_attempts=max_attempts, budget_usd=budget_usd, deadline=deadline)
    _execute(batch_run, as_json)


def _info_json(info) -> dict:
    return info.model_dump(mode="json")


@batch_app.command("list")
def list_(ctx: typer.Context, workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """List the batch runs of this workspace, oldest first."""
    from rich.markup import escape
    from rich.table import Table

    from workbench.batch import list_runs

    ws = open_workspace(ctx, workspace)
    runs = list_runs(ws)
    if as_json:
        emit_json([_info_json(r) for r in runs])
        return
    if not runs:
        console().print("no batch runs yet; start one with `wb batch run`")
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    for col in ("run", "started", "status", "units", "attempts", "settled", "spent"):
        table.add_column(col, no_wrap=True)
    for r in runs:
        status = r.status + (f" ({r.stop_reason})" if r.stop_reason else "")
        table.add_row(r.id, r.created.astimezone().strftime("%Y-%m-%d %H:%M"), escape(status), f"{r.units_done}/{r.units}",
                      str(r.attempts), str(len(r.settled)), f"${r.cost_usd:.4f}")
    from cli.output import print_table

    print_table(table)


@batch_app.command("status")
def status(
    ctx: typer.Context,
    run_id: Annotated[Optional[str], typer.Argument(metavar="[RUN]", help="Default: the newest run.")] = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one run: status (a dead process shows as interrupted), units, attempts, settled, spend."""
    from rich.markup import escape

    from workbench.batch import run_status

    ws = open_workspace(ctx, workspace)
    info = run_status(ws, run_id)
    if as_json:
        emit_json(_info_json(info))
        return
    c = console()
    state = info.status + (f" ({info.stop_reason})" if info.stop_reason else "")
    if info.status == "running":
        state += f", pid {info.pid} on {info.host}"
    c.print(escape(f"run {info.id}: {state}"), soft_wrap=True)
    c.print(escape(f"started {info.created.astimezone():%Y-%m-%d %H:%M:%S}"
                   + (f", finished {info.finished.astimezone():%Y-%m-%d %H:%M:%S}" if info.finished else "")))
    c.print(escape(f"provers: {', '.join(info.provers)}; {len(info.conjectures)} conjectures; "
                   f"units {info.units_done}/{info.units} done"), soft_wrap=True)
    c.print(escape(f"attempts: {info.attempts} ({info.accepted} accepted); settled: {len(info.settled)}"
                   + (f" ({', '.join(info.settled)})" if info.settled else "")), soft_wrap=True)
    c.print(escape(f"tokens: {info.tokens_in:,} in, {info.tokens_out:,} out; spent ${info.cost_usd:.4f}"))
    hint = info.continue_hint()
    if hint:
        c.print(escape(hint), soft_wrap=True)


@batch_app.command("report")
def report(
    ctx: typer.Context,
    run_id: Annotated[Optional[str], typer.Argument(metavar="[RUN]", help="Default: the newest run.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="md (Markdown; drawn as such on a terminal) or json.")] = "md",
    workspace: WorkspaceOpt = None,
) -> None:
    """The morning report: what was settled and by whom, what is still open and why (the last Lean error), what
    was never attempted, interruptions, and spend per provider."""
    from workbench.batch import report as build
    from workbench.errors import UsageError

    if fmt not in ("md", "json"):
        raise UsageError(f"--format must be md or json, not '{fmt}'")
    ws = open_workspace(ctx, workspace)
    rep = build(ws, run_id)
    if fmt == "json":
        emit_json(rep.model_dump(mode="json"))
    elif sys.stdout.isatty():
        from rich.markdown import Markdown

        console().print(Markdown(rep.markdown()))
    else:
        sys.stdout.write(rep.markdown())
        sys.stdout.flush()


def register(app: typer.Typer) -> None:
    """Add the `batch` sub-app to `app`."""
    app.add_typer(batch_app, name="batch")
