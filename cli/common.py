"""Options and helpers shared by the command modules: the workspace option, help that reads well, opening a workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

WorkspaceOpt = Annotated[
    Optional[Path],
    typer.Option("--workspace", "-W", envvar="WORKBENCH_DIR", metavar="DIR", help="Workspace directory (default: found by walking up from the current directory)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")]
NoCommitOpt = Annotated[bool, typer.Option("--no-commit", help="Change the files but make no git commit.")]


def first_paragraph(text: str | None) -> str:
    """The first paragraph of a help text, on one line: what a command list shows, never cut."""
    return " ".join((text or "").strip().split("\n\n")[0].split())


class HelpGroup(TyperGroup):
    """A command group whose list of commands shows each command's whole summary (wrapped, not cut at ~45
    characters with '...')."""

    def summary(self, name: str, command) -> str:
        return command.short_help or first_paragraph(command.help)

    def format_commands(self, ctx, formatter) -> None:  # type: ignore[override]
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, self.summary(name, command)))
        self.write_commands(formatter, rows)

    @staticmethod
    def write_commands(formatter, rows: list[tuple[str, str]]) -> None:
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


#: Metavariables people read, by option name (else by type: N for numbers, the option's last word for text).
METAVARS = {
    "workspace": "DIR", "tag": "TAG", "uses": "ID", "source": "SOURCE", "title": "TITLE", "informal": "TEXT",
    "query": "TEXT", "text": "TEXT", "output": "FILE", "lean": "PATH", "decl": "NAME", "name": "NAME",
    "model": "MODEL", "prover": "PROVER", "reviewer": "PROVIDER", "author-family": "FAMILY", "argument": "FILE",
    "file": "FILE", "proof": "FILE", "disproof": "FILE", "timeout": "SECONDS", "memory-mb": "MB",
    "budget-usd": "USD", "allow-axiom": "AXIOM", "select": "QUERY", "trust": "TRUST", "author": "NAME",
    "executor": "local|ray", "sandbox": "auto|on|off",
}


def tidy_params(command):
    """Give every parameter of `command` (and of its subcommands) a metavariable people read — ID, TAG, N, FILE,
    a choice list — instead of Typer's `<str>`, `<list[str]>` or `<int range>`; required arguments read `ID` and
    optional ones `[ID]` in the usage line."""
    import types

    for sub in getattr(command, "commands", {}).values():
        tidy_params(sub)
    for param in command.params:
        if param.param_type_name == "argument":
            name = (param.metavar or param.name or "ARG").rstrip(".").strip("[]").upper()
            param.metavar = name
            suffix = "..." if param.nargs != 1 else ""
            usage = (name if param.required else f"[{name}]") + suffix
            param._usage_display_name = types.MethodType(lambda self, usage=usage: usage, param)
            param.display_type_rich = types.MethodType(lambda self, ctx: None, param)
            param._rich_display_name = types.MethodType(lambda self, shown=name + suffix: shown, param)
        elif param.param_type_name == "option" and not getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = _metavar(param)
    return command


def _metavar(param) -> str:
    long = max((o for o in param.opts if o.startswith("--")), key=len, default=param.opts[0]).lstrip("-")
    if long in METAVARS:
        return METAVARS[long]
    desc = getattr(param, "type_descriptor", None)
    choices = getattr(desc, "choices", None) if desc is not None and getattr(desc, "is_choice", False) else None
    if choices:
        return "|".join(str(getattr(c, "value", c)) for c in choices)
    annotation = getattr(desc, "annotation", None)
    if annotation in (int, float):
        return "N"
    if annotation is Path:
        return "PATH"
    return long.rsplit("-", 1)[-1].upper()


def open_workspace(ctx: typer.Context, workspace: Optional[Path]):
    """The workspace named by the command's --workspace, the global one, $WORKBENCH_DIR, or the current directory;
    a change a killed command left half-done is put right first, and said in one line."""
    from workbench.workspace import Workspace

    root_opt = (ctx.find_root().obj or {}).get("workspace")
    ws = Workspace.locate(workspace or root_opt)
    if ws.recoveries:
        from cli.output import notice

        for recovery in ws.recoveries:
            notice(recovery.line())
    return ws
