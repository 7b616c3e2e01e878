"""Commands for coding agents: the MCP server, cross-family review, and the agent guide."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from cli.common import JsonOpt, NoCommitOpt, WorkspaceOpt, open_workspace
from cli.output import console, emit_json, report_change


def mcp(
    ctx: typer.Context,
    read_only: Annotated[bool, typer.Option("--read-only", help="Expose only the reading tools (list, show, next, graph, verify); nothing can change.")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Run the Model Context Protocol server over stdio for coding agents (Claude Code, Codex, ...).

    Register it with `claude mcp add wb -- wb mcp --workspace DIR`; see "Agents in the loop" in the README.
    Nothing but the protocol is written to stdout."""
    ws = open_workspace(ctx, workspace)  # a wrong workspace fails here, before the protocol starts
    from workbench.agents.server import build_server

    build_server(ws.root, read_only=read_only).run("stdio")


def review(
    ctx: typer.Context,
    conj_id: Annotated[str, typer.Argument(metavar="ID")],
    argument: Annotated[Path, typer.Option("--argument", help="File holding the informal argument to review ('-' reads stdin).")],
    reviewer: Annotated[Optional[str], typer.Option("--reviewer", help="Provider to review with: a [providers.NAME] entry, openai or anthropic (default: [review] reviewer, else one of another family).")] = None,
    author_family: Annotated[Optional[str], typer.Option("--author-family", help="Model family that wrote the argument (openai, anthropic, google, ...), or the provider that produced it.")] = None,
    allow_same_family: Annotated[bool, typer.Option("--allow-same-family", help="Allow a reviewer of the author's family (or of an unknown family).")] = False,
    workspace: WorkspaceOpt = None,
    no_commit: NoCommitOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Have an informal argument reviewed by a model of another family; the verdict (sound, gap, wrong
    or unparseable) is recorded as a `reviewed` note — never as a settlement."""
    from workbench.errors import UsageError
    from workbench.agents.review import review as do_review

    if str(argument) == "-":
        text = sys.stdin.read()
    else:
        if not argument.is_file():
            raise UsageError(f"{argument}: no such file")
        try:
            text = argument.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise UsageError(f"{argument}: not valid UTF-8") from None
    ws = open_workspace(ctx, workspace)
    result = do_review(
        ws, conj_id, text, reviewer=reviewer, author_family=author_family, allow_same_family=allow_same_family,
        actor="wb review", commit=not no_commit,
    )
    if as_json:
        emit_json(result.model_dump(mode="json", exclude={"note"}))
        return
    from rich.markup import escape

    colour = {"sound": "green", "gap": "yellow", "wrong": "red"}.get(result.verdict.value, "magenta")
    out = console()
    out.print(f"{escape(conj_id)}: [{colour}]{result.verdict.value}[/] — reviewed by {escape(result.reviewer)}/{escape(result.model)} "
              f"({escape(result.family or 'unknown family')}); argument by {escape(result.author_family or 'unknown family')}", soft_wrap=True)
    for label, value in (("where", result.where), ("why", result.why), ("summary", result.summary), ("problem", result.problem)):
        if value:
            out.print(f"  {label}: {escape(value)}", soft_wrap=True)
    if result.change is not None:
        report_change(ws, result.change, False, f"recorded as a 'reviewed' note on {conj_id} (not a settlement)")


def agent_setup(
    ctx: typer.Context,
    claude: Annotated[bool, typer.Option("--claude", help="Install the Claude Code skill (.claude/skills/conjecture-workbench/SKILL.md).")] = False,
    codex: Annotated[bool, typer.Option("--codex", help="Install the guide as a section of AGENTS.md (read by Codex).")] = False,
    workspace: WorkspaceOpt = None,
    no_commit: NoCommitOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Install a short guide for coding agents into the workspace (both kinds unless one is chosen)."""
    from workbench.agents.agent_guide import AGENTS_MD, CLAUDE_SKILL_PATH, install

    ws = open_workspace(ctx, workspace)
    if not claude and not codex:
        claude = codex = True
    change = install(ws, claude=claude, codex=codex, commit=not no_commit)
    if as_json:
        emit_json(change.model_dump(mode="json"))
        return
    where = ", ".join(p for p, on in ((CLAUDE_SKILL_PATH.as_posix(), claude), (AGENTS_MD.as_posix(), codex)) if on)
    if change.files:
        report_change(ws, change, False, f"installed the agent guide: {where}")
    else:
        console().print(f"the agent guide is already up to date: {where}")
    from rich.markup import escape

    from workbench.agents.agent_guide import registration_commands

    rows = registration_commands(ws, wb_executable(), claude=claude, codex=codex)
    width = max(len(who) for who, _ in rows)
    console().print("register the MCP server:")
    for who, command in rows:
        console().print(f"  {who + ':':<{width + 1}}  {escape(command)}", soft_wrap=True)


def wb_executable() -> str:
    """The absolute path of the `wb` being run (so a `.venv` install works without being on PATH)."""
    import shutil
    import sys
    from pathlib import Path

    argv0 = Path(sys.argv[0])
    if argv0.name == "wb":
        found = argv0 if argv0.parent != Path("") else Path(shutil.which("wb") or argv0)
        return str(found.resolve())
    beside = Path(sys.executable).with_name("wb")
    return str(beside) if beside.exists() else (shutil.which("wb") or "wb")


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`."""
    app.command()(mcp)
    app.command()(review)
    app.command("agent-setup")(agent_setup)
