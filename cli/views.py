"""Commands that read: list, show, graph, next, log."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from cli.common import JsonOpt, WorkspaceOpt, open_workspace
from cli.output import STATUS_STYLE, console, emit_json, notice, plain_table, print_table, styled_status, warn_problems


def list_(
    ctx: typer.Context,
    status: Annotated[Optional[str], typer.Option("--status", help="informal, formalized, proved, disproved, conditional or broken.")] = None,
    area: Annotated[Optional[str], typer.Option("--area", help="Only this area.")] = None,
    tag: Annotated[Optional[str], typer.Option("--tag", help="Only nodes with this tag.")] = None,
    kind: Annotated[Optional[str], typer.Option("--kind", help="conjecture, theorem, lemma, definition or assumption.")] = None,
    query: Annotated[Optional[str], typer.Option("-q", "--query", help="Text to find in id, title, tags, area or statement.")] = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List conjectures with their derived status."""
    ws = open_workspace(ctx, workspace)
    rows = ws.list(status=status, area=area, tag=tag, kind=kind, query=query)
    if as_json:
        emit_json(rows)
        raise typer.Exit(warn_problems(ws))
    text = plain_table(
        ["id", "status", "kind", "area", "title"],
        [[r["id"], r["status"] + (" refuted" if _refuted_mark(r) else ""), r["kind"], r["area"], r["title"]] for r in rows],
        max_widths={0: 36, 3: 20}, colour={1: lambda status: STATUS_STYLE.get(status.split()[0], "white")},
    )
    sys.stdout.write(text + f"{len(rows)} conjecture{'s' if len(rows) != 1 else ''}\n")
    sys.stdout.flush()
    raise typer.Exit(warn_problems(ws))


def _refuted_mark(row: dict) -> str:
    """` refuted` (in red) after the status of a node a numeric check refuted."""
    check = row.get("numeric_check") or {}
    return " [red]refuted[/]" if check.get("result") == "refuted" else ""


def show(
    ctx: typer.Context,
    conj_id: Annotated[str, typer.Argument(metavar="ID")],
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show everything about one node: fields, status with evidence, notes, and edges both ways."""
    data = open_workspace(ctx, workspace).show(conj_id)
    if as_json:
        emit_json(data)
        return
    from rich.markup import escape
    from rich.padding import Padding

    out = console()
    out.print(f"[bold]{escape(data['title'])}[/]  [dim]({data['id']})[/]")
    status = styled_status(data["status"])
    if data["status"] != data["recorded_status"]:
        status += f" [dim](recorded: {data['recorded_status']})[/]"
    if (data.get("numeric_check") or {}).get("result") == "refuted":
        status += " · [red]refuted[/] by a numeric check (not disproved)"
    out.print(f"{data['kind']} · {escape(data.get('area') or '-')} · status {status} · priority {data['priority']}")
    if data.get("tags"):
        out.print("tags: " + ", ".join(escape(t) for t in data["tags"]))
    out.print(f"[dim]file: {data['file']}[/]")
    out.print()
    out.print(Padding(escape(data["informal"].strip()), (0, 2)), soft_wrap=False)
    if data.get("sources"):
        out.print("\n[bold]sources[/]")
        for s in data["sources"]:
            extra = " ".join(x for x in [f"arXiv:{s['arxiv']}" if s.get("arxiv") else "", s.get("url") or ""] if x)
            out.print(f"  - {escape(s['citation'])}" + (f"  [dim]{escape(extra)}[/]" if extra and extra != s["citation"] else ""))
    if data.get("check"):
        _print_check(data)
    if data.get("formal"):
        f = data["formal"]
        out.print(f"\n[bold]formal[/] {escape(f['module'])} · {escape(f['decl'])}" + (f"  [dim]{escape(f['file'])}[/]" if f.get("file") else ""))
    if data.get("evidence"):
        from workbench.settle import short_version

        ev = data["evidence"]
        parts = []
        if ev.get("lean_version"):
            axioms = ", ".join(ev.get("axioms") or []) or "none"
            parts.append(f"checked by {short_version(ev['lean_version'])} ({ev.get('checker_version') or '?'}), axioms: {axioms}")
        if ev.get("checked_at"):
            parts.append(f"on {ev['checked_at'][:16].replace('T', ' ')}" + (f" in {ev['elapsed_s']:.2f} s" if ev.get("elapsed_s") is not None else ""))
        if ev.get("prover"):
            parts.append("found by " + ev["prover"] + (f"/{ev['model']}" if ev.get("model") else ""))
        out.print("\n[bold]evidence[/] " + escape("; ".join(parts)))
        if ev.get("proof_file"):
            out.print(f"  proof: {escape(ev['proof_file'])}" + (f"  [dim](from {escape(ev['source'])})[/]" if ev.get("source") else ""))
        if ev.get("rests_on"):
            out.print("  rests on (by Lean's axiom audit): " + ", ".join(escape(d) for d in ev["rests_on"]))
        if data.get("waiting_for"):
            out.print("  [yellow]conditional on[/] (not yet proved): " + ", ".join(escape(d) for d in data["waiting_for"]))
        if data.get("unneeded_uses"):
            out.print("  [dim]declared `uses` the Lean proof did not need: " + ", ".join(escape(d) for d in data["unneeded_uses"]) + "[/]")
        hints = {
            "unverified": "no proof in the Lean project matches this evidence; `wb audit` says more",
            "stale": "the statement changed since Lean checked the proof; run `wb audit ID` to re-check it",
        }
        if data["status"] in hints:
            out.print(f"  [red]{data['status']}[/]: " + hints[data["status"]].replace("ID", data["id"]))
    if data.get("notes"):
        out.print("\n[bold]notes[/] [dim](not settled: lower-trust evidence)[/]")
        for n in data["notes"]:
            who = f" by {n['author']}" if n.get("author") else ""
            verdict = f" [{n['verdict']}]" if n.get("verdict") else ""
            out.print(f"  - {escape('[' + n['trust'] + ']' + verdict + who)}: {escape(n['text'][:500])}")
    if data.get("reviews"):
        out.print("\n[bold]review marks[/]")
        for r in data["reviews"]:
            out.print(f"  - {escape(r['by'])} ({r['date'][:10]})" + (f": {escape(r['comment'])}" if r.get("comment") else ""))
    out.print("\n[bold]edges out[/]" + ("" if data["edges_out"] else " [dim](none)[/]"))
    for e in data["edges_out"]:
        out.print(f"  {data['id']} [bold]{e['kind']}[/] {e['target']} {styled_status(e['status'] or '?')}  [dim]{escape(e['title'] or '')}[/]")
    out.print("[bold]edges in[/]" + ("" if data["edges_in"] else " [dim](none)[/]"))
    for e in data["edges_in"]:
        out.print(f"  {e['source']} [bold]{e['kind']}[/] {data['id']} {styled_status(e['status'] or '?')}  [dim]{escape(e['title'] or '')}[/]")


def _print_check(data: dict) -> None:
    from rich.markup import escape

    from workbench.checks.check import witness_text

    out, check, latest = console(), data["check"], data.get("numeric_check")
    conditions = "; ".join(f"{k}: {v}" for k, v in (check.get("vars") or {}).items())
    limit = f"; as {check['limit']} -> oo" if check.get("limit") else ""
    out.print(f"\n[bold]claim[/] {escape(check['claim'])}" + (f"  [dim]({escape(conditions + limit)})[/]" if conditions or limit else ""), soft_wrap=True)
    if latest is None:
        out.print(f"  [dim]not checked yet: `wb numeric-check {data['id']}`[/]", soft_wrap=True)
        return
    colour = {"supported": "green", "refuted": "red"}.get(latest["result"], "yellow")
    witness = f": {witness_text(latest['witness'])}" if latest.get("witness") else ""
    out.print(f"  numeric check [{colour}]{latest['result']}[/]{escape(witness)} [dim]({escape(latest['method'])}, "
              f"{latest['date'][:16].replace('T', ' ')})[/] {escape(latest['detail'])}", soft_wrap=True)


class GraphFormat(str, Enum):
    tree = "tree"
    dot = "dot"
    mermaid = "mermaid"
    json = "json"
    html = "html"


class Direction(str, Enum):
    both = "both"
    down = "down"
    up = "up"


def graph(
    ctx: typer.Context,
    conj_id: Annotated[Optional[str], typer.Argument(metavar="[ID]", help="Show only this node's neighbourhood.")] = None,
    depth: Annotated[Optional[int], typer.Option("--depth", "-d", help="How many edges away from ID to go (default: no limit).")] = None,
    fmt: Annotated[GraphFormat, typer.Option("--format", "-f", help="tree (terminal), dot, mermaid, json or html.")] = GraphFormat.tree,
    direction: Annotated[Direction, typer.Option("--direction", help="With ID: down (what it rests on), up (what builds on it) or both.")] = Direction.both,
    output: Annotated[Optional[str], typer.Option("--output", "-o", help="Write to this file ('-' for stdout); html defaults to graph.html.")] = None,
    open_page: Annotated[bool, typer.Option("--open", help="Open the html page in your browser.")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Draw the dependency graph, or the neighbourhood of ID."""
    from workbench.errors import UsageError

    if depth is not None and depth < 0:
        raise UsageError(f"--depth must be 0 or more, not {depth}")
    ws = open_workspace(ctx, workspace)
    dir_value = direction.value
    if fmt == GraphFormat.tree and conj_id is not None and direction == Direction.both:
        dir_value = "down"
    data = ws.graph_data(conj_id, depth, dir_value, details=fmt == GraphFormat.html)
    if fmt == GraphFormat.json:
        text = _json_text(data)
    elif fmt == GraphFormat.dot:
        from workbench.graph import to_dot

        text = to_dot(data["nodes"], data["edges"])
    elif fmt == GraphFormat.mermaid:
        from workbench.graph import to_mermaid

        text = to_mermaid(data["nodes"], data["edges"])
    elif fmt == GraphFormat.html:
        from workbench.page import render_page

        text = render_page(data, title=f"{ws.name}: conjecture graph")
        output = output or "graph.html"
    else:
        if output not in (None, "-"):
            raise UsageError("--format tree prints to the terminal; use --format dot, mermaid, json or html with -o")
        _print_tree(data, conj_id)
        raise typer.Exit(warn_problems(ws))
    _write_output(text, output)
    if output not in (None, "-"):
        target = Path(output).resolve()
        console().print(f"wrote {target}" + (f" ({len(data['nodes'])} nodes, {len(data['edges'])} edges)"))
        if open_page:
            import webbrowser

            if not webbrowser.open(target.as_uri()):
                notice(f"no browser could be opened here: open {target.as_uri()} yourself")
    raise typer.Exit(warn_problems(ws))


def _json_text(data: dict) -> str:
    import json

    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _write_output(text: str, output: str | None) -> None:
    from workbench.storage import write_output

    if output in (None, "-"):
        sys.stdout.write(text)
    else:
        write_output(Path(output), text)


def _print_tree(data: dict, root: str | None) -> None:
    from rich.markup import escape
    from rich.tree import Tree

    nodes = {n["id"]: n for n in data["nodes"]}
    uses: dict[str, list[str]] = {i: [] for i in nodes}
    others: dict[str, list[tuple[str, str]]] = {i: [] for i in nodes}
    used = set()
    for e in data["edges"]:
        if e["kind"] == "uses":
            uses[e["source"]].append(e["target"])
            used.add(e["target"])
        else:
            others[e["source"]].append((e["kind"], e["target"]))
    roots = [root] if root else [i for i in nodes if i not in used]

    def label(i: str) -> str:
        n = nodes[i]
        colour = STATUS_STYLE.get(n["status"], "white")
        mark = " [bold yellow]★[/]" if n.get("rank") and n["rank"] <= 3 else ""
        return f"[{colour}]●[/] [bold]{escape(i)}[/] [dim]{escape(n['title'])}[/] ({styled_status(n['status'])}){mark}"

    shown: set[str] = set()

    def grow(branch: Tree, i: str, path: frozenset) -> None:
        for kind, t in sorted(others[i]):
            branch.add(f"[dim]⇢ {kind} {escape(t)}[/]")
        for child in sorted(uses[i]):
            if child in path:
                continue
            if child in shown:
                branch.add(label(child) + " [dim](above)[/]")
                continue
            shown.add(child)
            grow(branch.add(label(child)), child, path | {child})

    out = console()
    title = f"[bold]{escape(data['workspace'])}[/]" + (f": what {root} rests on" if root else "") + " [dim](A → B: a proof of A uses B)[/]"
    tree = Tree(title)
    for r in sorted(roots):
        shown.add(r)
        grow(tree.add(label(r)), r, frozenset({r}))
    out.print(tree)
    legend = " ".join(f"[{c}]●[/] {s}" for s, c in STATUS_STYLE.items() if s not in ("accepted", "rejected"))
    out.print(f"{legend}  [bold yellow]★[/] top-3 target")


def next_(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many targets to show.")] = 10,
    include_refuted: Annotated[bool, typer.Option("--include-refuted", help="Also list nodes a numeric check refuted (skipped by default).")] = False,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Open conjectures ranked by how many conditional proofs a proof would complete, then by how many others
    it would unblock (through `uses`), then priority. Nodes a numeric check refuted are skipped unless
    --include-refuted."""
    ws = open_workspace(ctx, workspace)
    rows = ws.next(limit, include_refuted=include_refuted)
    if as_json:
        emit_json(rows)
        raise typer.Exit(warn_problems(ws))
    from rich.markup import escape
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    for col in ("rank", "id", "completes", "unblocks", "priority", "status", "title"):
        table.add_column(col, justify="right" if col in ("rank", "completes", "unblocks", "priority") else "left", no_wrap=col != "title", min_width=24 if col == "title" else None)
    for r in rows:
        table.add_row(str(r["rank"]), escape(r["id"]), str(r["completes"]), str(r["unblocks"]), str(r["priority"]), styled_status(r["status"]), escape(r["title"]))
    skipped = [] if include_refuted else [r["id"] for r in ws.list() if _refuted_mark(r) and r["status"] in ("informal", "formalized")]
    if rows:
        print_table(table)
    else:
        console().print("[dim]nothing open to prove[/]" if skipped else "[dim]nothing open: every provable node is settled[/]")
    if skipped:
        console().print(f"[dim]skipped (refuted by a numeric check): {escape(', '.join(skipped))}; "
                        "`--include-refuted` lists them[/]", soft_wrap=True)
    raise typer.Exit(warn_problems(ws))


def log(
    ctx: typer.Context,
    conj_id: Annotated[Optional[str], typer.Argument(metavar="[ID]")] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", "-n", help="At most this many commits.")] = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The git history of the workspace, or of one node."""
    rows = open_workspace(ctx, workspace).log(conj_id, limit)
    if as_json:
        emit_json(rows)
        return
    from rich.markup import escape

    for c in rows:
        line = f"[yellow]{c['sha'][:8]}[/] [dim]{c['date'][:16].replace('T', ' ')}[/] {escape(c['message'].splitlines()[0])} [dim]({escape(c['author'])})[/]"
        console().print(line, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`."""
    app.command("list")(list_)
    app.command()(show)
    app.command()(graph)
    app.command("next")(next_)
    app.command()(log)
