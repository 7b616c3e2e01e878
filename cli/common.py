"""Options and helpers shared by the command modules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

WorkspaceOpt = Annotated[
    Optional[Path],
    typer.Option("--workspace", "-W", envvar="WORKBENCH_DIR", help="Workspace directory (default: found by walking up from the current directory)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")]
NoCommitOpt = Annotated[bool, typer.Option("--no-commit", help="Change the files but make no git commit.")]


def open_workspace(ctx: typer.Context, workspace: Optional[Path]):
    """The workspace named by the command's --workspace, the global one, $WORKBENCH_DIR, or the current directory."""
    from workbench.workspace import Workspace

    root_opt = (ctx.find_root().obj or {}).get("workspace")
    ws = Workspace.locate(workspace or root_opt)
    if ws.recoveries:
        from cli.output import notice

        for recovery in ws.recoveries:
            notice(recovery.line())
    return ws
