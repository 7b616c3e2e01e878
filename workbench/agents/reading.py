"""The reading tools of the MCP server: list, show, next targets, graph neighbourhood and verify a candidate."""

from pathlib import Path
from typing import Annotated, Literal, Optional

from mcp.server.mcpserver import Context
from pydantic import Field

from workbench.agents.common import READING, ToolGroup, check_length, client_name, tool_errors
from workbench.agents.descriptions import DESCRIPTIONS
from workbench.agents.models import (
    MAX_LEAN_CHARS,
    ConjectureDetail,
    ConjectureList,
    ConjectureRow,
    Id,
    Lean,
    Neighbourhood,
    Target,
    TargetList,
    VerifyResult,
)
from workbench.errors import WorkbenchError
from workbench.workspace import Workspace


class ReadingTools(ToolGroup):
    """The tools that read the workspace (verify_candidate runs Lean but changes nothing)."""

    def list_conjectures(
        self,
        status: Annotated[Optional[str], Field(description="derived status: informal, formalized, proved, disproved, conditional, broken, stale, unverified")] = None,
        area: Annotated[Optional[str], Field(description="exact area, e.g. 'oversight'")] = None,
        tag: Annotated[Optional[str], Field(description="one tag the conjecture must carry")] = None,
        kind: Annotated[Optional[str], Field(description="conjecture, theorem, lemma, definition or assumption")] = None,
        query: Annotated[Optional[str], Field(description="case-insensitive text searched in id, title, area, tags and statement")] = None,
    ) -> ConjectureList:
        with tool_errors():
            rows = self.ws().list(status=status, area=area, tag=tag, kind=kind, query=query)
            return ConjectureList(count=len(rows), conjectures=[ConjectureRow.model_validate(r) for r in rows])

    def show_conjecture(self, id: Id) -> ConjectureDetail:
        from workbench.settle import statement_file

        with tool_errors():
            w = self.ws()
            data = w.show(id)
            conj = w.get(id)
            if conj.formal is not None:
                try:
                    data["lean_statement"] = statement_file(w, conj).read_text(encoding="utf-8")
                except WorkbenchError:
                    data["lean_statement"] = None
            return ConjectureDetail.model_validate(data)

    def next_targets(
        self,
        limit: Annotated[int, Field(ge=1, le=1000, description="how many targets (1-1000)")] = 10,
    ) -> TargetList:
        with tool_errors():
            return TargetList(targets=[Target.model_validate(t) for t in self.ws().next(limit)])

    def graph_neighbourhood(
        self,
        id: Id,
        direction: Annotated[Literal["both", "down", "up"], Field(description="down: what it rests on (its dependencies); up: what builds on it; both")] = "both",
        depth: Annotated[Optional[int], Field(ge=0, le=50, description="edges to follow (0-50); null for no limit")] = 1,
    ) -> Neighbourhood:
        with tool_errors():
            data = self.ws().graph_data(id, depth, direction)
            return Neighbourhood.model_validate(data)

    def verify_candidate(
        self,
        id: Id,
        lean: Lean,
        ctx: Context,
        negate: Annotated[bool, Field(description="true to check a DISproof: a proof of the negation ¬ statement")] = False,
    ) -> VerifyResult:
        check_length(lean, "lean", MAX_LEAN_CHARS)
        with tool_errors():
            verdict = _verify(self.ws(), id, lean, negate, client_name(ctx))
            return VerifyResult(id=id, negate=negate, **verdict.model_dump(exclude={"checker_version", "verdict"}), verdict=verdict.verdict)


def tools(root: Path) -> dict:
    """The reading tools over the workspace at `root`: name -> (function, description, annotations)."""
    group = ReadingTools(root)
    return {
        name: (getattr(group, name), DESCRIPTIONS[name], READING)
        for name in ("list_conjectures", "show_conjecture", "next_targets", "graph_neighbourhood", "verify_candidate")
    }


def _verify(ws: Workspace, conj_id: str, lean: str, negate: bool, client: str = "mcp"):
    """Lean's verdict on `lean` as a proof of `conj_id`'s statement (its negation with `negate`); changes no
    workspace file, and keeps the check in the attempts store."""
    from workbench.attempts import record_check
    from workbench.lean.normalize import normalize_candidate
    from workbench.lean.verify import verify
    from workbench.settle import LeanOptions, check_env, statement_file, toolchain_for, verify_kwargs

    conj = ws.get(conj_id)
    statement_file(ws, conj)
    decl = conj.formal.decl  # type: ignore[union-attr]
    opts = LeanOptions()
    toolchain = toolchain_for(ws, opts)
    env = check_env(ws, conj_id, opts, toolchain)
    body = normalize_candidate(env.view_text, lean, decl)
    verdict = verify(env.statement_path, body, decl, toolchain=toolchain, negate=negate, strict=True, **verify_kwargs(ws, opts, env))
    try:
        record_check(ws, conj_id, body, verdict, prover="mcp", provider=client, label="verify_candidate")
    except Exception as exc:  # noqa: BLE001 - the attempts log is a convenience; the verdict stands without it
        import logging

        logging.getLogger(__name__).warning("could not record the attempt: %s", exc)
    return verdict
