"""`wb lean verify` and `wb doctor`: parse options, call workbench.lean, print a summary or JSON."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

SANDBOX_HELP = "auto: bubblewrap when installed (warning otherwise); on: require it; off: never."


def _workspace_context(ctx: typer.Context) -> tuple[Path | None, str | None]:
    """(workspace root, `[lean] lean` from workbench.toml) when run inside a workspace, else (None, None);
    a broken workbench.toml is reported, not ignored."""
    from workbench.errors import NotAWorkspaceError

    from cli.common import open_workspace
    from workbench.settle import configured_lean

    try:
        ws = open_workspace(ctx, None)
    except NotAWorkspaceError:
        return None, None
    return ws.root, configured_lean(ws)


def _workspace_modules(ctx: typer.Context, statement: Path, toolchain) -> list[Path]:
    """LEAN_PATH roots for the workspace modules STATEMENT imports, when run inside a workspace."""
    from workbench.errors import WorkbenchError

    from cli.common import open_workspace
    from workbench.settle import workspace_lean_path

    try:
        ws = open_workspace(ctx, None)
    except (WorkbenchError, OSError):
        return []
    try:
        text = statement.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return workspace_lean_path(ws, text, toolchain)


def _read_candidate(path: Path) -> bytes:
    from workbench.errors import UsageError

    if str(path) == "-":
        return sys.stdin.buffer.read()
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise UsageError(f"candidate file {path} does not exist") from exc
    except OSError as exc:
        raise UsageError(f"cannot read candidate file {path}: {exc.strerror}") from exc


def verify_command(
    ctx: typer.Context,
    statement: Annotated[Path, typer.Argument(help="Lean file whose declaration NAME is the target (its proof is discarded).")],
    candidate: Annotated[Path, typer.Argument(help="Lean text declaring NAME (and helpers); '-' reads standard input.")],
    name: Annotated[str, typer.Option("--name", help="The target declaration, fully qualified or as written in STATEMENT.")],
    lean: Annotated[Optional[str], typer.Option("--lean", help="Path to `lean` (else $WORKBENCH_LEAN, workbench.toml, Lake, PATH).")] = None,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1, help="Wall-clock limit in seconds for all Lean runs.")] = 300,
    memory_mb: Annotated[int, typer.Option("--memory-mb", min=16, help="Memory cap (resident MB of the Lean process tree).")] = 8192,
    sandbox: Annotated[str, typer.Option("--sandbox", help=SANDBOX_HELP)] = "auto",
    allow_axiom: Annotated[Optional[list[str]], typer.Option("--allow-axiom", help="Also allow this axiom (repeatable); default propext, Classical.choice, Quot.sound.")] = None,
    replay: Annotated[bool, typer.Option("--replay", help="Also replay the compiled candidate through an independent checker (lean4checker on PATH).")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the verdict as one JSON object.")] = False,
) -> None:
    """Check that CANDIDATE proves NAME of STATEMENT. Exit 0 accepted, 1 rejected, 2 usage or toolchain problem.

    Inside a workspace, the workspace's own modules that STATEMENT imports are built first (no Lake needed)."""
    import warnings

    from workbench.errors import ToolchainError
    from workbench.lean.toolchain import resolve_toolchain
    from workbench.lean.verify import verify

    data = _read_candidate(candidate)
    root, configured = _workspace_context(ctx) if not lean else (None, None)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            toolchain = resolve_toolchain(lean, workspace_root=root, config_lean=configured)
            verdict = verify(
                statement, data, name, toolchain=toolchain, timeout=timeout, memory_mb=memory_mb,
                sandbox=sandbox, allow_axioms=allow_axiom or (), replay=replay,
                lean_path=_workspace_modules(ctx, statement, toolchain),
            )
    except ToolchainError as exc:
        if json_out:
            _emit_toolchain_failure(exc)
        raise
    show_warnings(caught)
    if json_out:
        from cli.output import emit_json

        emit_json(verdict.model_dump(mode="json"))
    else:
        render_verdict(verdict, statement, candidate, name)
    raise typer.Exit(0 if verdict.accepted else 1)


def _emit_toolchain_failure(exc) -> None:
    from cli.output import emit_json
    from workbench.lean.verify import CHECKER_VERSION
    from workbench.model import Reason, ReasonCode, Verdict

    verdict = Verdict(verdict="rejected", reasons=[Reason(code=ReasonCode.toolchain, message=str(exc))], checker_version=CHECKER_VERSION)
    emit_json(verdict.model_dump(mode="json"))


def show_warnings(caught) -> None:
    """Print warnings the library raised (e.g. running Lean without a sandbox) on stderr."""
    from cli.output import err_console
    from rich.markup import escape

    for w in caught:
        err_console().print(f"[yellow]warning:[/] {escape(str(w.message))}")


def render_verdict(verdict, statement: Path, candidate: Path | str, name: str) -> None:
    """Print a verdict: accepted or the reasons, then Lean's messages with candidate positions."""
    from cli.output import console
    from rich.markup import escape

    out = console()
    axioms = ", ".join(verdict.axioms) or "none"
    version = (verdict.lean_version or "unknown Lean").split(",")[0].replace("Lean (version", "Lean").strip()
    if verdict.accepted:
        rests = f", rests on {escape(', '.join(verdict.assumptions))}" if verdict.assumptions else ""
        out.print(f"[green]accepted[/]: {escape(name)} is proved ({escape(version)}, {verdict.elapsed_s:.2f} s, axioms: {escape(axioms)}{rests})")
    else:
        out.print(f"[red]rejected[/]: {escape(name)} ({verdict.elapsed_s:.2f} s)")
        for reason in verdict.reasons:
            where = f"{candidate}:{reason.line}: " if reason.line else ""
            first = reason.message.strip().splitlines()[0] if reason.message.strip() else ""
            out.print(f"  [bold]{reason.code.value}[/]: {escape(where + first)}")
    shown = [m for m in verdict.messages if m.in_candidate or m.severity == "error"]
    if shown:
        out.print("Lean's messages:")
    for m in shown:
        if m.in_candidate:
            where = f"{candidate}:{m.line}:{(m.column or 0) + 1}"
        elif m.line is not None:
            where = f"{statement}:{m.line}"
        else:
            where = "(checker)"
        colour = {"error": "red", "warning": "yellow"}.get(m.severity, "cyan")
        body = m.text.rstrip().replace("\n", "\n    ")
        out.print(f"  {escape(where)}: [{colour}]{m.severity}[/]: {escape(body)}")


def doctor_command(
    ctx: typer.Context,
    lean: Annotated[Optional[str], typer.Option("--lean", help="Check this `lean` instead of resolving one.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Show the Lean toolchain, Lake and bubblewrap found here, and how to install what is missing."""
    from workbench.errors import InvalidFileError
    from workbench.lean.toolchain import Problem, doctor

    try:
        root, configured = _workspace_context(ctx)
        config_problem = None
    except InvalidFileError as exc:
        root, configured = Path(exc.path).parent, None
        config_problem = Problem(what=exc.message, fix=exc.hint or "correct that line: every wb command in this workspace stops here until then")
    from workbench.provers.stepwise.backends import backend_statuses

    report = doctor(root, lean, configured)
    if config_problem:
        report.problems.insert(0, config_problem)
    ok = report.ok and config_problem is None
    backends = backend_statuses(root, report.lake_project, report.lake)
    if json_out:
        from cli.output import emit_json

        data = report.model_dump(mode="json")
        data["ok"] = ok
        data["stepwise_backends"] = [b.model_dump() for b in backends]
        emit_json(data)
    else:
        _render_doctor(report, backends)
    raise typer.Exit(0 if ok else 1)


def _render_doctor(report, backends=()) -> None:
    from cli.output import console
    from rich.markup import escape

    out = console()
    ok, missing = "[green]found[/]", "[red]missing[/]"
    if report.lean:
        out.print(f"lean        {ok}: {escape(report.lean.describe())}")
        if report.lean.lean_path:
            out.print(f"            LEAN_PATH: {escape(', '.join(str(p) for p in report.lean.lean_path))}")
    else:
        out.print(f"lean        {missing}: {escape('; '.join(report.lean_tried))}")
    out.print(f"elan        {ok + ': ' + escape(report.elan) if report.elan else '[yellow]not found[/]'}")
    out.print(f"replay      {ok + ': ' + escape(report.replay) if report.replay else '[yellow]not found[/] (optional: lean4checker on PATH enables --replay)'}")
    lake = f"{ok}: {escape(report.lake)}" + (f" ({escape(report.lake_version)})" if report.lake_version else "") if report.lake else "[yellow]not found[/]"
    out.print(f"lake        {lake}")
    if report.lake_project:
        out.print(f"project     {escape(str(report.lake_project))} (Mathlib: {report.mathlib})")
    if report.bwrap:
        state = "works" if report.sandbox_works else f"cannot sandbox here: {escape(report.sandbox_note or '')}"
        out.print(f"bubblewrap  {ok}: {escape(report.bwrap)} ({state})")
    else:
        out.print("bubblewrap  [yellow]not found[/]: candidates run without isolation")
    for i, b in enumerate(backends):
        label = "stepwise    " if i == 0 else "            "
        if b.usable:
            out.print(f"{label}{b.name}: {ok} ({escape(b.package)} {escape(b.version or '')})")
            continue
        out.print(f"{label}{b.name}: [yellow]not usable[/]" + (f" ({escape(b.package)} {escape(b.version)})" if b.version else ""))
        for need in b.needs:
            out.print(f"              needs {escape(need.what)}\n                {escape(need.fix)}", soft_wrap=True)
    if report.conjecture_files or report.file_problems:
        bad = len(report.file_problems)
        state = f"[red]{bad} with problems[/] (left out of list, next and graph)" if bad else "[green]all valid[/]"
        out.print(f"conjectures {report.conjecture_files} file{'s' if report.conjecture_files != 1 else ''}, {state}")
    if report.problems or report.file_problems:
        out.print("\nTo fix:")
        for p in report.file_problems + report.problems:
            out.print(f"  - {escape(p.what)}\n      {escape(p.fix)}")
    else:
        out.print("\nEverything needed for checking proofs is in place.")


def register(app: typer.Typer) -> None:
    """Add the `lean` command group (verify) and the top-level `doctor` command to `app`."""
    from cli.common import HelpGroup

    lean_app = typer.Typer(cls=HelpGroup, help="Lean 4 verification: nothing is settled until Lean has checked it.", no_args_is_help=True)
    lean_app.command("verify")(verify_command)
    app.add_typer(lean_app, name="lean")
    app.command("doctor")(doctor_command)
