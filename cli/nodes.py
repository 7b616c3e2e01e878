"""Commands that create or change nodes: init, add, edit, rm, link, unlink, import."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from cli.common import JsonOpt, NoCommitOpt, WorkspaceOpt, open_workspace
from cli.output import console, report_change

EDGE_HELP = "One of: uses, implies, generalizes, special-case-of, equivalent, refutes."


def init(
    directory: Annotated[Path, typer.Argument(help="Directory to create the workspace in (created if missing).")] = Path("."),
    name: Annotated[Optional[str], typer.Option(help="Workspace name (default: the directory name).")] = None,
    mathlib: Annotated[bool, typer.Option("--mathlib/--no-mathlib", help="Make the Lake project require Mathlib.")] = True,
    in_repo: Annotated[bool, typer.Option("--in-repo", help="Inside another git repository: use it (commit there) instead of creating a nested one.")] = False,
    no_commit: NoCommitOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Create a workspace: a git repository with workbench.toml, conjectures/ and a Lake project in lean/."""
    from workbench.workspace import Workspace

    ws, change = Workspace.init(directory, name=name, mathlib=mathlib, commit=not no_commit, in_repo=in_repo)
    report_change(ws, change, as_json, f"created workspace '{ws.name}' in {ws.root}")
    if change.nested_in:
        from cli.output import notice

        notice(f"{ws.root} is inside the git repository {change.nested_in}: the workspace is a nested repository of its "
               "own (its history is not the enclosing one's); `wb init --in-repo` uses the enclosing repository instead")
    if not as_json:
        console().print("next: `wb add ID --title ... --informal ...`, then `wb list`")


def add(
    ctx: typer.Context,
    conj_id: Annotated[str, typer.Argument(metavar="ID", help="Kebab-case id, e.g. debate-pspace.")],
    title: Annotated[Optional[str], typer.Option("--title", "-t", help="One-line title (prompted for on a terminal).")] = None,
    informal: Annotated[Optional[str], typer.Option("--informal", "-i", help="Informal statement; Markdown, LaTeX allowed (prompted for on a terminal).")] = None,
    kind: Annotated[str, typer.Option("--kind", "-k", help="conjecture, theorem, lemma, definition or assumption.")] = "conjecture",
    area: Annotated[str, typer.Option("--area", "-a", help="Research area, e.g. oversight.")] = "",
    tag: Annotated[Optional[list[str]], typer.Option("--tag", help="A tag (repeatable).")] = None,
    source: Annotated[Optional[list[str]], typer.Option("--source", "-s", help="A source (repeatable): 'arXiv:ID', a URL, or 'citation | arXiv:ID'.")] = None,
    uses: Annotated[Optional[list[str]], typer.Option("--uses", help="Id of a node a proof would use (repeatable).")] = None,
    priority: Annotated[int, typer.Option("--priority", "-p", help="Higher is more important (used by `wb next`).")] = 0,
    workspace: WorkspaceOpt = None,
    no_commit: NoCommitOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Add a conjecture (or theorem, lemma, definition, assumption) as conjectures/ID.toml."""
    from pydantic import ValidationError

    from workbench.errors import UsageError, validation_problem
    from workbench.model import Conjecture, Source

    ws = open_workspace(ctx, workspace)
    interactive = sys.stdin.isatty()
    if title is None:
        if not interactive:
            raise UsageError("missing --title", hint="pass --title TEXT")
        title = typer.prompt("Title")
    if informal is None:
        if not interactive:
            raise UsageError("missing --informal", hint="pass --informal TEXT")
        informal = typer.prompt("Informal statement")
    try:
        conj = Conjecture(
            id=conj_id,
            title=title,
            informal=informal,
            kind=kind,
            area=area,
            tags=tag or [],
            sources=[Source.parse(s) for s in source or []],
            edges=[{"kind": "uses", "target": t} for t in uses or []],
            priority=priority,
        )
    except ValidationError as exc:
        field, problem = validation_problem(exc)
        option = {"id": "ID", "title": "--title", "informal": "--informal", "kind": "--kind", "area": "--area",
                  "tags": "--tag", "sources": "--source", "edges": "--uses", "priority": "--priority"}
        raise UsageError(f"{option.get((field or '').split('.')[0], field or 'input')}: {problem}") from None
    change = ws.add(conj, commit=not no_commit)
    report_change(ws, change, as_json, f"added {conj.id}: {conj.title}")


def edit(
    ctx: typer.Context,
    conj_id: Annotated[str, typer.Argument(metavar="ID")],
    workspace: WorkspaceOpt = None,
    no_commit: NoCommitOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Edit a conjecture file in $EDITOR; an edit that does not validate is refused, the old file kept, and the
    next `wb edit` reopens your text."""
    ws = open_workspace(ctx, workspace)
    draft = ws.edit_draft(conj_id)
    if draft is not None:
        from cli.output import notice

        notice(f"opening the edit you made last time, kept in {ws.rel(draft)} (delete it to start again from {ws.rel(ws.path_for(conj_id))})")
    change = ws.edit(conj_id, commit=not no_commit)
    if change is None:
        console().print(f"{conj_id}: no changes")
        return
    report_change(ws, change, as_json, f"edited {conj_id}")


def rm(
    ctx: typer.Context,
    conj_id: Annotated[str, typer.Argument(metavar="ID")],
    force: Annotated[bool, typer.Option("--force", "-f", help="Also drop the edges other nodes have to ID.")] = False,
    workspace: WorkspaceOpt = None,
    no_commit: NoCommitOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Remove a conjecture; refused while other nodes point at it, unless --force."""
    ws = open_workspace(ctx, workspace)
    change = ws.remove(conj_id, force=force, commit=not no_commit)
    report_change(ws, change, as_json, f"removed {conj_id}")


def link(
    ctx: typer.Context,
    src: Annotated[str, typer.Argument(metavar="SRC")],
    kind: Annotated[str, typer.Argument(metavar="KIND", help=EDGE_HELP)],
    dst: Annotated[str, typer.Argument(metavar="DST")],
    workspace: WorkspaceOpt = None,
    no_commit: NoCommitOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Add the edge SRC KIND DST (as in `wb link debate-pspace uses zermelo`); a `uses` cycle is refused."""
    ws = open_workspace(ctx, workspace)
    change = ws.link(src, kind, dst, commit=not no_commit)
    report_change(ws, change, as_json, f"linked {src} {kind} {dst}")


def unlink(
    ctx: typer.Context,
    src: Annotated[str, typer.Argument(metavar="SRC")],
    kind: Annotated[str, typer.Argument(metavar="KIND", help=EDGE_HELP)],
    dst: Annotated[str, typer.Argument(metavar="DST")],
    workspace: WorkspaceOpt = None,
    no_commit: NoCommitOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Remove the edge SRC KIND DST."""
    ws = open_workspace(ctx, workspace)
    change = ws.unlink(src, kind, dst, commit=not no_commit)
    report_change(ws, change, as_json, f"unlinked {src} {kind} {dst}")


def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE.jsonl", help="One JSON object per line: id, title, informal; optional kind, area, tags, sources, uses, priority.")],
    workspace: WorkspaceOpt = None,
    no_commit: NoCommitOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Add many conjectures from a JSONL file: all or nothing, one commit."""
    ws = open_workspace(ctx, workspace)
    change = ws.import_jsonl(file, commit=not no_commit)
    report_change(ws, change, as_json, f"imported {len(change.ids)} conjecture{'s' if len(change.ids) != 1 else ''} from {file.name}")


def note(
    ctx: typer.Context,
    conj_id: Annotated[str, typer.Argument(metavar="ID")],
    text: Annotated[Optional[str], typer.Argument(metavar="[TEXT]", help="The note (or use --file).")] = None,
    file: Annotated[Optional[Path], typer.Option("--file", "-f", help="Read the note from this file ('-' for stdin).")] = None,
    trust: Annotated[str, typer.Option("--trust", help="claimed (an argument, a reference) or numeric-check (evidence from computation).")] = "claimed",
    author: Annotated[Optional[str], typer.Option("--author", help="Who it is from (default: your git name).")] = None,
    workspace: WorkspaceOpt = None,
    no_commit: NoCommitOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Keep lower-trust evidence on a node: an informal argument, a numeric check, a reference.

    A note never settles anything; `reviewed` notes come from `wb review`, and only Lean settles."""
    from workbench.errors import UsageError
    from workbench.notes import add_note

    if (text is None) == (file is None):
        raise UsageError("give the note as TEXT or with --file, not both and not neither")
    if file is not None:
        try:
            text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"{file}: cannot read it ({getattr(exc, 'strerror', None) or exc})") from None
    if trust not in ("claimed", "numeric-check"):
        raise UsageError(f"--trust must be claimed or numeric-check, not '{trust}' (reviews come from `wb review`; only Lean settles)")
    ws = open_workspace(ctx, workspace)
    if author is None:
        from workbench.gitrepo import GitRepo

        name, _, fallback = GitRepo(ws.root).identity()
        author = None if fallback else name
    change = add_note(ws, conj_id, text=text or "", trust=trust, author=author, commit=not no_commit)
    report_change(ws, change, as_json, f"{conj_id}: note added ({trust})")


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`."""
    app.command()(init)
    app.command()(add)
    app.command()(edit)
    app.command()(rm)
    app.command()(link)
    app.command()(unlink)
    app.command("import")(import_)
    app.command()(note)
