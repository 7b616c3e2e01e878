"""The Typer application: global options, error translation, and command registration."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from workbench.errors import WorkbenchError


class _Group(TyperGroup):
    """Turns every WorkbenchError raised below it into one line on stderr and an exit status."""

    def invoke(self, ctx):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except WorkbenchError as exc:
            from cli.output import error

            error(str(exc))
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            from cli.output import error

            error("interrupted")
            ctx.exit(130)


app = typer.Typer(
    cls=_Group,
    name="wb",
    help="Conjecture Workbench: a git-backed graph of conjectures; nothing is settled until Lean has checked it.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from workbench import __version__

        typer.echo(f"wb {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    workspace: Annotated[
        Optional[Path],
        typer.Option("--workspace", "-W", envvar="WORKBENCH_DIR", help="Workspace directory (default: found by walking up from the current directory)."),
    ] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    ctx.obj = {"workspace": workspace}


from cli import agents_cmd, audit_cmd, batch_cmd, checks_cmd, formal, lean_cmd, nodes, prove_cmd, views  # noqa: E402  (needs `app`)

for _module in (nodes, views, formal, checks_cmd, audit_cmd, lean_cmd, prove_cmd, batch_cmd, agents_cmd):
    _module.register(app)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="wb")


if __name__ == "__main__":
    main()
