"""The MCP server's resources (a conjecture as Markdown, the graph as JSON) and its `prove` prompt."""

import json
from pathlib import Path
from typing import Annotated

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError
from pydantic import Field

from workbench.errors import NotFoundError, WorkbenchError
from workbench.workspace import Workspace


def register(server: MCPServer, root: Path) -> None:
    """Add the resources `wb://conjecture/{id}` and `wb://graph` and the prompt `prove` to `server`."""

    @server.resource("wb://conjecture/{id}", name="conjecture", mime_type="text/markdown",
                     description="One conjecture as Markdown: status, statement, Lean statement, evidence, notes (with trust levels), edges.")
    def conjecture_resource(id: str) -> str:
        try:
            return conjecture_markdown(Workspace.open(root), id)
        except NotFoundError as exc:
            raise ResourceNotFoundError(str(exc)) from None
        except WorkbenchError as exc:
            raise ResourceError(str(exc)) from None

    @server.resource("wb://graph", name="graph", mime_type="application/json",
                     description="The whole graph as JSON (as `wb graph --format json`): nodes with derived status and rank, typed edges.")
    def graph_resource() -> str:
        try:
            return json.dumps(Workspace.open(root).graph_data(), ensure_ascii=False, indent=1)
        except WorkbenchError as exc:
            raise ResourceError(str(exc)) from None

    @server.prompt(name="prove", title="Prove this conjecture",
                   description="Everything needed to prove one conjecture: its Lean statement, its dependencies and earlier failed attempts, with how to check and submit a proof.")
    def prove(id: Annotated[str, Field(description="the conjecture id")]) -> str:
        from mcp.shared.exceptions import MCPError
        from mcp.types import INVALID_PARAMS

        try:
            return prove_prompt(Workspace.open(root), id)
        except WorkbenchError as exc:
            raise MCPError(code=INVALID_PARAMS, message=str(exc)) from None


def conjecture_markdown(ws: Workspace, conj_id: str) -> str:
    """One conjecture as Markdown: status, statement, formal statement, evidence, notes, edges."""
    from workbench.settle import statement_file

    data = ws.show(conj_id)
    conj = ws.get(conj_id)
    out = [f"# {data['title']} (`{conj_id}`)", ""]
    status = data["status"] + (f" (recorded: {data['recorded_status']})" if data["status"] != data["recorded_status"] else "")
    out.append(f"- kind: {data['kind']}\n- status: {status}\n- area: {data.get('area') or '-'}\n- priority: {data['priority']}")
    if data.get("tags"):
        out.append("- tags: " + ", ".join(data["tags"]))
    out += ["", "## Statement", "", data["informal"].strip(), ""]
    if data.get("sources"):
        out.append("## Sources\n")
        out += [f"- {s['citation']}" + (f" (arXiv:{s['arxiv']})" if s.get("arxiv") else "") + (f" <{s['url']}>" if s.get("url") else "") for s in data["sources"]]
        out.append("")
    if conj.formal is not None:
        out += ["## Formal statement", "", f"Declaration `{conj.formal.decl}` in module `{conj.formal.module}` ({conj.formal.file or '-'})", ""]
        try:
            out += ["```lean", statement_file(ws, conj).read_text(encoding="utf-8").rstrip(), "```", ""]
        except WorkbenchError as exc:
            out += [f"(statement file unavailable: {exc})", ""]
    if data.get("evidence"):
        ev = {k: v for k, v in data["evidence"].items() if v not in (None, [], "")}
        out += ["## Evidence (Lean)", ""] + [f"- {k}: {v}" for k, v in ev.items()] + [""]
    if data.get("notes"):
        out += ["## Notes (not settled: lower-trust evidence)", ""]
        for n in data["notes"]:
            head = f"[{n['trust']}]" + (f" [{n['verdict']}]" if n.get("verdict") else "") + (f" by {n['author']}" if n.get("author") else "") + (f" ({n['family']})" if n.get("family") else "")
            out += [f"### {head} — {n['date'][:10]}", "", n["text"].strip(), ""]
    out.append("## Edges")
    out.append("")
    for e in data["edges_out"]:
        out.append(f"- `{conj_id}` {e['kind']} `{e['target']}` ({e.get('status') or '?'}): {e.get('title') or ''}")
    for e in data["edges_in"]:
        out.append(f"- `{e['source']}` {e['kind']} `{conj_id}` ({e.get('status') or '?'}): {e.get('title') or ''}")
    if not data["edges_out"] and not data["edges_in"]:
        out.append("(none)")
    return "\n".join(out) + "\n"


def prove_prompt(ws: Workspace, conj_id: str) -> str:
    """The "prove this conjecture" prompt: the statement, its dependencies and earlier failed attempts."""
    from workbench.model import EdgeKind

    conj = ws.get(conj_id)
    if conj.formal is None:
        parts = [
            f"Conjecture `{conj_id}` ({conj.title}) has no formal statement yet, so it cannot be proved in Lean.",
            "Informal statement:\n\n" + conj.informal.strip(),
        ]
        deps = conj.targets(EdgeKind.uses)
        if deps:
            lines = []
            for d in deps:
                try:
                    dep = ws.get(d)
                    lines.append(f"- `{d}` ({dep.status.value}): {dep.title}")
                except WorkbenchError:
                    continue
            parts.append("It relies on:\n" + "\n".join(lines))
        parts.append(
            "First write a Lean 4 statement file declaring a theorem that says exactly this (proof `sorry`), "
            "and attach it with the `formalize` tool (arguments: id, lean, decl). Then prove it: "
            "`verify_candidate` until Lean accepts, then `submit_proof`."
        )
        return "\n\n".join(parts)
    from workbench.provers.base import build_task
    from workbench.provers.prompts import feedback_lines

    from workbench.attempts import AttemptStore

    with AttemptStore(ws) as store:
        task = build_task(ws, conj_id, store=store, failures=3, failure_prover=None)  # every kind: llm, portfolio, mcp
    parts = [
        f"Prove conjecture `{conj_id}`: {conj.title}.",
        "Informal statement:\n\n" + conj.informal.strip(),
        f"Its Lean statement is the declaration `{task.decl}` in `{ws.rel(task.statement_file)}`:",
        f"```lean\n{task.statement_text.rstrip()}\n```",
        f"The target (write its proof after `:=`):\n\n```lean\n{task.target} :=\n```",
    ]
    usable = [d for d in task.dependencies if d.imported]
    if usable:
        lines = [
            f"- `{d.decl}` (node `{d.id}`, module {d.module}): "
            + ("proved: use it as a lemma" if d.proved else f"not yet proved ({d.status}): you may assume it; the proof is then conditional on it")
            for d in usable
        ]
        parts.append("Dependencies you may use, by their exact Lean names:\n" + "\n".join(lines))
        parts.append("```lean\n" + "\n\n".join(d.statement for d in usable) + "\n```")
    context = [d for d in task.dependencies if not d.imported]
    if context:
        parts.append("Dependencies whose modules the statement does not import (context only, cannot be cited):\n" + "\n".join(f"- `{d.decl}` (node `{d.id}`)" for d in context))
    if task.failures:
        parts.append(f"Earlier failed attempts ({len(task.failures)}):")
        for f in task.failures:
            who = f.prover + (f"/{f.model}" if f.model else "")
            cand = f.candidate if len(f.candidate) < 6000 else f.candidate[:6000] + "\n-- … (truncated)"
            parts.append(f"Attempt #{f.no} by {who}:\n```lean\n{cand.rstrip()}\n```\n{feedback_lines(f.reasons, f.messages)}")
    else:
        parts.append("No earlier failed attempts are recorded.")
    parts.append(
        "Send the theorem with its exact statement (and any helper lemmas) to `verify_candidate` (id, lean) "
        "and repair it from Lean's messages until the verdict is `accepted`; then call `submit_proof` with the "
        "same text to settle it. No `sorry`, `admit`, new axioms or changes to the statement. Do not claim the "
        "result is proved unless submit_proof says so."
    )
    return "\n\n".join(parts)
