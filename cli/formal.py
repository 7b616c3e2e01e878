"""Commands that tie conjectures to Lean: formalize and check."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from cli.common import JsonOpt, NoCommitOpt, WorkspaceOpt, open_workspace
from cli.output import console, emit_json, report_change

LeanOpt = Annotated[Optional[str], typer.Option("--lean", help="Path to the `lean` binary (else $WORKBENCH_LEAN, workbench.toml, Lake, PATH).")]
TimeoutOpt = Annotated[Optional[float], typer.Option("--timeout", help="Seconds before Lean is stopped (default: workbench.toml, else 300).")]
MemoryOpt = Annotated[Optional[int], typer.Option("--memory-mb", help="Memory cap for Lean in MB (default: workbench.toml, else 8192).")]
SandboxOpt = Annotated[str, typer.Option("--sandbox", help="auto (bubblewrap when installed), on (required) or off.")]


def formalize(
    ctx: typer.Context,
    conj_id: Annotated[str, typer.Argument(metavar="ID")],
    lean_file: Annotated[Optional[Path], typer.Option("--lean", help="Lean file holding the statement (copied into lean/Conjectures/ unless already in the Lake project).")] = None,
    decl: Annotated[Optional[str], typer.Option("--decl", help="Name of the theorem in that file, e.g. Conjectures.zermelo.")] = None,
    draft: Annotated[bool, typer.Option("--draft", help="Print a Lean 4 / Mathlib statement drafted from the node's [check] claim, to edit and attach with --lean; nothing is attached.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Also for a proved or disproved node: its settlement is withdrawn (the proof leaves the Lean project).")] = False,
    workspace: WorkspaceOpt = None,
    no_commit: NoCommitOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Attach a formal (Lean) statement to a conjecture and import its module from the Lean project's root
    module; `wb check ID` then checks that it elaborates. With --draft, print a statement drafted from the
    node's claim instead (never attached)."""
    from workbench.errors import UsageError
    from workbench.settle import formalize as do_formalize

    ws = open_workspace(ctx, workspace)
    if draft:
        if lean_file is not None or decl is not None:
            raise UsageError("--draft prints a statement and attaches nothing: drop --lean and --decl")
        from workbench.checks.check import lean_draft

        text = lean_draft(ws, conj_id)
        if as_json:
            emit_json({"id": conj_id, "draft": text})
        else:
            import sys

            sys.stdout.write(text)
        return
    if lean_file is None or decl is None:
        raise UsageError("missing " + " and ".join(o for o, v in (("--lean FILE", lean_file), ("--decl NAME", decl)) if v is None),
                         hint=f"or print a draft from the node's claim with `wb formalize {conj_id} --draft`")
    change = do_formalize(ws, conj_id, lean_file, decl, commit=not no_commit, force=force)
    conj = ws.get(conj_id)
    report_change(ws, change, as_json, f"{conj_id}: formal statement {conj.formal.module} {conj.formal.decl} ({conj.formal.file})")
    if not as_json:
        console().print(f"next: `wb check {conj_id}` to check that it elaborates")


def check(
    ctx: typer.Context,
    conj_id: Annotated[str, typer.Argument(metavar="ID")],
    proof: Annotated[Optional[Path], typer.Option("--proof", help="A Lean file proving the statement; settles the node as proved when Lean accepts it.")] = None,
    disproof: Annotated[Optional[Path], typer.Option("--disproof", help="A Lean file proving the statement's negation (¬ T); settles it as disproved.")] = None,
    lean: LeanOpt = None,
    timeout: TimeoutOpt = None,
    memory_mb: MemoryOpt = None,
    sandbox: SandboxOpt = "auto",
    allow_axiom: Annotated[Optional[list[str]], typer.Option("--allow-axiom", help="Also allow this axiom (repeatable).")] = None,
    workspace: WorkspaceOpt = None,
    no_commit: NoCommitOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Check a conjecture's formal statement with Lean, or verify a proof (--proof) or disproof (--disproof).

    Exit 0 when Lean accepts, 1 when it rejects, 2 for a usage or toolchain problem."""
    from workbench.errors import UsageError
    from workbench.settle import LeanOptions, check as do_check, check_proof

    if proof and disproof:
        raise UsageError("give --proof or --disproof, not both")
    ws = open_workspace(ctx, workspace)
    opts = LeanOptions(lean=lean, timeout=timeout, memory_mb=memory_mb, sandbox=sandbox, allow_axioms=allow_axiom or [])
    import warnings

    from cli.lean_cmd import render_verdict, show_warnings
    from workbench.settle import statement_file

    candidate_file = proof or disproof
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if candidate_file is None:
            result = do_check(ws, conj_id, opts, commit=not no_commit)
        else:
            if not candidate_file.is_file():
                raise UsageError(f"{candidate_file}: no such file")
            raw = candidate_file.read_bytes()
            try:
                text: str | bytes = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw
            result = check_proof(ws, conj_id, text, opts, negate=disproof is not None, label=str(candidate_file), source=str(candidate_file), commit=not no_commit)
    show_warnings(caught)
    if as_json:
        emit_json(result.model_dump(mode="json"))
    else:
        from cli.output import console
        from workbench.settle import short_version

        conj = ws.get(conj_id)
        stmt = Path(ws.rel(statement_file(ws, conj)))
        verdict = result.verdict
        if result.action == "check" and verdict.accepted:
            console().print(f"[green]ok[/]: {conj.formal.decl} elaborates in {stmt} ({short_version(verdict.lean_version)}, {verdict.elapsed_s:.2f} s)")
        elif result.action == "check":
            from rich.markup import escape

            console().print(f"[red]not formalized[/]: {escape(conj.formal.decl)} does not elaborate in {stmt}")
            errors = [m for m in verdict.messages if m.severity == "error"]
            for m in errors:
                console().print(f"  {stmt}:{m.line or '?'}: [red]error[/]: {escape(m.text.strip())}")
            if not errors:
                for r in verdict.reasons:
                    console().print(f"  [bold]{r.code.value}[/]: {escape(r.message)}")
        else:
            label = ("¬ " if disproof else "") + conj.formal.decl
            render_verdict(verdict, stmt, candidate_file, label)
        if result.change is not None:
            report_change(ws, result.change, False, f"{conj_id} is now {result.status}")
            for dep in result.added_uses:
                console().print(f"added `{conj_id} uses {dep}`: the Lean proof uses it")
            for dep in result.cycle_uses:
                console().print(f"[yellow]not added[/] `{conj_id} uses {dep}`: the Lean proof uses it, but the edge would close a cycle")
    raise typer.Exit(0 if result.verdict.accepted else 1)


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`."""
    app.command()(formalize)
    app.command()(check)
