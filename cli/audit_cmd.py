"""`wb audit`: replay the settled nodes' proofs with today's toolchain and print one line a node."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from cli.common import JsonOpt, NoCommitOpt, WorkspaceOpt, open_workspace
from cli.formal import LeanOpt, MemoryOpt, SandboxOpt, TimeoutOpt
from cli.output import console, emit_json, report_change

_STYLE = {"ok": "green", "failed": "red", "stale": "magenta", "unverified": "red"}


def audit(
    ctx: typer.Context,
    ids: Annotated[Optional[list[str]], typer.Argument(metavar="[ID]...", help="Audit only these settled nodes (default: every proved or disproved node).")] = None,
    record: Annotated[bool, typer.Option("--record", help="Write the new check time, toolchain and statement digest into the evidence of the nodes that pass (one commit).")] = False,
    replay: Annotated[bool, typer.Option("--replay", help="Also replay each compiled proof through an independent checker (lean4checker on PATH).")] = False,
    lean: LeanOpt = None,
    timeout: TimeoutOpt = None,
    memory_mb: MemoryOpt = None,
    sandbox: SandboxOpt = "auto",
    workspace: WorkspaceOpt = None,
    no_commit: NoCommitOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Re-verify every settlement against the current statements with today's Lean: stored proofs, statement
    digests, the nodes each proof rests on, and the modules holding them (plus `lake build` with Lake).

    Prints one line a node (ok, failed with the reason, stale, unverified). Exit 0 only when all are ok,
    1 otherwise, 2 for a usage or toolchain problem. Run it in a workspace's CI and after a Lean or Mathlib upgrade."""
    import warnings

    from cli.lean_cmd import show_warnings
    from workbench.audit import audit as do_audit
    from workbench.settle import LeanOptions

    ws = open_workspace(ctx, workspace)
    opts = LeanOptions(lean=lean, timeout=timeout, memory_mb=memory_mb, sandbox=sandbox)
    out = console()

    def line(node) -> None:
        if as_json:
            return
        why = f": {node.reasons[0]}" if node.reasons else ""
        out.print(f"[{_STYLE[node.result]}]{node.result:<10}[/] {node.id}{why}", soft_wrap=True, markup=True, highlight=False)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = do_audit(ws, ids or None, opts, record=record, commit=not no_commit, replay=replay, on_node=line)
    if as_json:
        emit_json({"ok": report.ok, "nodes": [{"id": n.id, "result": n.result, "reasons": n.reasons} for n in report.nodes]})
    else:
        show_warnings(caught)
        counts: dict[str, int] = {}
        for n in report.nodes:
            counts[n.result] = counts.get(n.result, 0) + 1
        summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) or "no settled nodes"
        lake = f"; lake build {report.lake}" if report.lake else ""
        verdict = "[green]audit ok[/]" if report.ok else "[red]audit failed[/]"
        out.print(f"{verdict}: {summary} "
                  f"({report.modules_built} module{'s' if report.modules_built != 1 else ''} built{lake}, {report.elapsed_s:.1f} s)")
        if report.change is not None:
            report_change(ws, report.change, False, "recorded the re-check in the evidence")
    raise typer.Exit(0 if report.ok else 1)


def register(app: typer.Typer) -> None:
    """Add this module's command to `app`."""
    app.command()(audit)
