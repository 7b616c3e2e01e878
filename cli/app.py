"""The Typer application: global options, error translation, and command registration.

Commands are registered lazily: `COMMANDS` names each command, the module that defines it and its summary, so
`wb --help` imports no command module and `wb list` imports and builds only `list` (Typer builds every
parameter of every command it is given, which cost each start about a fifth of a second).
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Annotated, NamedTuple, Optional

import typer

from cli.common import HelpGroup
from workbench.errors import WorkbenchError


class Entry(NamedTuple):
    module: str
    summary: str  # the first paragraph of the command's help (a test keeps them equal)


COMMANDS: dict[str, Entry] = {
    "init": Entry("cli.nodes", "Create a workspace: a git repository with workbench.toml, conjectures/ and a Lake project in lean/."),
    "add": Entry("cli.nodes", "Add a conjecture (or theorem, lemma, definition, assumption) as conjectures/ID.toml."),
    "edit": Entry("cli.nodes", "Edit a conjecture file in $EDITOR; an edit that does not validate is refused, the old file kept, and the next `wb edit` reopens your text."),
    "rm": Entry("cli.nodes", "Remove a conjecture; refused while other nodes point at it, unless --force."),
    "link": Entry("cli.nodes", "Add the edge SRC KIND DST (as in `wb link debate-pspace uses zermelo`); a `uses` cycle is refused."),
    "unlink": Entry("cli.nodes", "Remove the edge SRC KIND DST."),
    "import": Entry("cli.nodes", "Add many conjectures from a JSONL file: all or nothing, one commit."),
    "note": Entry("cli.nodes", "Keep lower-trust evidence on a node: an informal argument, a numeric check, a reference."),
    "list": Entry("cli.views", "List conjectures with their derived status."),
    "show": Entry("cli.views", "Show everything about one node: fields, status with evidence, notes, and edges both ways."),
    "graph": Entry("cli.views", "Draw the dependency graph, or the neighbourhood of ID."),
    "next": Entry("cli.views", "Open conjectures ranked by how many conditional proofs a proof would complete, then by how many others it would unblock (through `uses`), then priority. Nodes a numeric check refuted are skipped unless --include-refuted."),
    "log": Entry("cli.views", "The git history of the workspace, or of one node."),
    "formalize": Entry("cli.formal", "Attach a formal (Lean) statement to a conjecture and import its module from the Lean project's root module; `wb check ID` then checks that it elaborates. With --draft, print a statement drafted from the node's claim instead (never attached)."),
    "check": Entry("cli.formal", "Check a conjecture's formal statement with Lean, or verify a proof (--proof) or disproof (--disproof)."),
    "numeric-check": Entry("cli.checks_cmd", "Check a node's claim: symbolically first (asymptotic claims only by limits), then a seeded search for counterexamples, each re-checked exactly; the result is kept as a numeric-check note (one commit)."),
    "audit": Entry("cli.audit_cmd", "Re-verify every settlement against the current statements with today's Lean: stored proofs, statement digests, the nodes each proof rests on, and the modules holding them (plus `lake build` with Lake)."),
    "doctor": Entry("cli.lean_cmd", "Show the Lean toolchain, Lake and bubblewrap found here, and how to install what is missing."),
    "prove": Entry("cli.prove_cmd", "Try to prove a formalized conjecture with a prover; Lean checks every candidate."),
    "attempts": Entry("cli.prove_cmd", "List the proof attempts on a conjecture: when, prover, model, round, tokens, cost, duration, verdict, reasons."),
    "mcp": Entry("cli.agents_cmd", "Run the Model Context Protocol server over stdio for coding agents (Claude Code, Codex, ...)."),
    "review": Entry("cli.agents_cmd", "Have an informal argument reviewed by a model of another family; the verdict (sound, gap, wrong or unparseable) is recorded as a `reviewed` note — never as a settlement."),
    "agent-setup": Entry("cli.agents_cmd", "Install a short guide for coding agents into the workspace (both kinds unless one is chosen)."),
    "lean": Entry("cli.lean_cmd", "Lean 4 verification: nothing is settled until Lean has checked it."),
    "batch": Entry("cli.batch_cmd", "Overnight batch runs: many proof attempts, limits, resumable after any kill, a morning report."),
}


class _LazyCommands(MutableMapping):
    """The root group's commands: every name is known at once, a command is imported and built when looked up."""

    def __init__(self, group: "_Group") -> None:
        self.group = group
        self.built: dict = {}

    def __getitem__(self, name: str):
        if name not in COMMANDS:
            raise KeyError(name)
        if name not in self.built:
            self.built[name] = build_command(name, self.group)
        return self.built[name]

    def __setitem__(self, name: str, command) -> None:
        self.built[name] = command

    def __delitem__(self, name: str) -> None:
        self.built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS)


def build_command(name: str, group=None):
    """The click command `name` of `COMMANDS`, built from its module alone (with readable metavariables)."""
    import importlib

    from typer.main import get_command_from_info, get_command_name, get_group_from_info

    from cli.common import tidy_params

    module = importlib.import_module(COMMANDS[name].module)
    holder = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False)
    module.register(holder)
    for info in holder.registered_commands:
        if (info.name or get_command_name(info.callback.__name__)) == name:
            return tidy_params(get_command_from_info(info, pretty_exceptions_short=True, rich_markup_mode=None))
    for info in holder.registered_groups:
        if info.name == name:
            return tidy_params(get_group_from_info(info, pretty_exceptions_short=True, rich_markup_mode=None, suggest_commands=True))
    raise KeyError(f"{COMMANDS[name].module} does not register '{name}'")


class _Group(HelpGroup):
    """The root group: lazy commands, and every WorkbenchError raised below it as one line on stderr and an exit status."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _LazyCommands(self)

    def list_commands(self, ctx) -> list[str]:  # type: ignore[override]
        return list(COMMANDS)

    def summary(self, name: str, command=None) -> str:
        return COMMANDS[name].summary

    def format_commands(self, ctx, formatter) -> None:  # type: ignore[override]
        self.write_commands(formatter, [(name, COMMANDS[name].summary) for name in COMMANDS])

    def invoke(self, ctx):  # type: ignore[override]
        from typer._click.exceptions import BadParameter

        try:
            return super().invoke(ctx)
        except BadParameter as exc:  # Typer checks values with pydantic: say what was wrong in our words
            from pydantic import ValidationError

            from workbench.errors import validation_problem

            if isinstance(exc.__cause__, ValidationError):
                exc.message = validation_problem(exc.__cause__)[1]
            raise
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
        typer.Option("--workspace", "-W", envvar="WORKBENCH_DIR", metavar="DIR", help="Workspace directory (default: found by walking up from the current directory)."),
    ] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    ctx.obj = {"workspace": workspace}


def _terminate(signum: int, frame) -> None:  # noqa: ARG001
    raise SystemExit(128 + signum)


def main() -> None:
    """Console-script entry point: SIGTERM and SIGHUP unwind like an interrupt, so Lean children are killed and
    scratch folders removed (batch runs install their own, gentler handlers while they run)."""
    import signal

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _terminate)
    app(prog_name="wb")


if __name__ == "__main__":
    main()
