"""The writing tools of the MCP server: add, link, formalize, submit a proof, add a note and request a review."""

from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Iterator, Literal, Optional

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from workbench.agents.common import WRITING, ToolGroup, check_length, client_family, client_name, tool_errors
from workbench.agents.descriptions import DESCRIPTIONS
from workbench.agents.models import (
    MAX_ARGUMENT_CHARS,
    MAX_LEAN_CHARS,
    MAX_LIST_ITEMS,
    MAX_TEXT_CHARS,
    MAX_TITLE_CHARS,
    FormalizeResult,
    Id,
    Lean,
    Mutation,
    NoteResult,
    ReviewOut,
    SubmitResult,
)
from workbench.model import LeanMessage, Reason, Source
from workbench.workspace import Workspace

OPEN_WORLD = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True)
"""request_review reaches a model provider outside the workspace."""


class WritingTools(ToolGroup):
    """The tools that change the workspace, each in one git commit naming the tool and the client."""

    def add_conjecture(
        self,
        id: Id,
        title: Annotated[str, Field(description=f"a one-line title (at most {MAX_TITLE_CHARS} characters)")],
        informal: Annotated[str, Field(description="the statement in words (Markdown, LaTeX allowed)")],
        ctx: Context,
        kind: Annotated[Literal["conjecture", "theorem", "lemma", "definition", "assumption"], Field(description="what sort of node")] = "conjecture",
        area: Annotated[str, Field(description="research area, e.g. 'learning-theory'")] = "",
        tags: Annotated[list[str], Field(description="free-form tags")] = [],  # noqa: B006 - pydantic copies defaults
        sources: Annotated[list[str], Field(description="citations: 'Author 2020 | arXiv:2001.00001', a URL, or text")] = [],  # noqa: B006
        uses: Annotated[list[str], Field(description="ids of existing conjectures this one rests on (`uses` edges; must stay acyclic)")] = [],  # noqa: B006
        priority: Annotated[int, Field(description="higher is more urgent")] = 0,
    ) -> Mutation:
        from workbench.model import Conjecture

        check_length(title, "title", MAX_TITLE_CHARS)
        check_length(informal, "informal", MAX_TEXT_CHARS)
        for name, items in (("tags", tags), ("sources", sources), ("uses", uses)):
            if len(items) > MAX_LIST_ITEMS:
                raise ToolError(f"'{name}' has {len(items)} items; the limit is {MAX_LIST_ITEMS}")
        with tool_errors():
            conj = Conjecture(
                id=id, title=title, informal=informal, kind=kind, area=area, tags=tags, priority=priority,
                sources=[Source.parse(s) for s in sources], edges=[{"kind": "uses", "target": t} for t in uses],
            )
            message = f"wb mcp add_conjecture {id}: {title} (client: {client_name(ctx)})"
            change = self.ws().add(conj, message=message)
            return Mutation.model_validate(change.model_dump())

    def link(
        self,
        src: Annotated[str, Field(description="the id the edge starts from")],
        kind: Annotated[Literal["uses", "implies", "generalizes", "special-case-of", "equivalent", "refutes"], Field(description="edge kind; `src uses dst` means src rests on dst (uses edges must stay acyclic)")],
        dst: Annotated[str, Field(description="the id the edge points at")],
        ctx: Context,
    ) -> Mutation:
        with tool_errors():
            message = f"wb mcp link {src} {kind} {dst} (client: {client_name(ctx)})"
            change = self.ws().link(src, kind, dst, message=message)
            return Mutation.model_validate(change.model_dump())

    def formalize(
        self,
        id: Id,
        lean: Annotated[str, Field(description=f"a whole Lean 4 statement file declaring the theorem, proof `sorry` (at most {MAX_LEAN_CHARS} characters)")],
        decl: Annotated[str, Field(description="the theorem's name in that file, e.g. 'Conjectures.add_zero'")],
        ctx: Context,
    ) -> FormalizeResult:
        check_length(lean, "lean", MAX_LEAN_CHARS)
        with tool_errors():
            return _formalize(self.ws(), id, lean, decl, client_name(ctx))

    def submit_proof(
        self,
        id: Id,
        lean: Lean,
        ctx: Context,
        negate: Annotated[bool, Field(description="true to submit a DISproof (a proof of ¬ statement); settles as disproved")] = False,
    ) -> SubmitResult:
        check_length(lean, "lean", MAX_LEAN_CHARS)
        with tool_errors():
            return _submit(self.ws(), id, lean, negate, client_name(ctx))

    def add_note(
        self,
        id: Id,
        text: Annotated[str, Field(description=f"the note: an informal argument, a numeric check, a reference (at most {MAX_TEXT_CHARS} characters)")],
        ctx: Context,
        trust: Annotated[str, Field(description="'claimed' (an argument or reference) or 'numeric-check' (evidence from computation)")] = "claimed",
        author: Annotated[Optional[str], Field(description="who wrote it (default: the MCP client's name)")] = None,
        family: Annotated[Optional[str], Field(description="model family that wrote it, e.g. anthropic, openai (default: implied by the client name)")] = None,
    ) -> NoteResult:
        from workbench.notes import add_note as do_add_note

        check_length(text, "text", MAX_TEXT_CHARS)
        if trust in ("reviewed", "lean-checked"):
            raise ToolError(f"trust '{trust}' cannot be set by hand: 'reviewed' comes from request_review and 'lean-checked' only from Lean (submit_proof)")
        if trust not in ("claimed", "numeric-check"):
            raise ToolError(f"unknown trust level '{trust}': use 'claimed' or 'numeric-check'")
        with tool_errors():
            client = client_name(ctx)
            change = do_add_note(
                self.ws(), id, text=text, trust=trust, author=author or client, family=family or client_family(client),
                actor="wb mcp add_note", client=client,
            )
            return NoteResult(id=id, trust=trust, commit=change.commit, message=change.message)

    def request_review(
        self,
        id: Id,
        argument: Annotated[str, Field(description=f"the informal argument (proof sketch) to review (at most {MAX_ARGUMENT_CHARS} characters)")],
        ctx: Context,
        reviewer: Annotated[Optional[str], Field(description="a provider name from workbench.toml [providers.NAME], or openai / anthropic (default: one of another family)")] = None,
        author_family: Annotated[Optional[str], Field(description="model family that wrote the argument (default: implied by the client name, e.g. claude-code → anthropic)")] = None,
        allow_same_family: Annotated[bool, Field(description="allow a reviewer of the author's own (or an unknown) family")] = False,
    ) -> ReviewOut:
        from workbench.agents.review import review

        check_length(argument, "argument", MAX_ARGUMENT_CHARS)
        with tool_errors():
            client = client_name(ctx)
            result = review(
                self.ws(), id, argument, reviewer=reviewer, author_family=author_family or client_family(client),
                allow_same_family=allow_same_family, actor="wb mcp request_review", client=client,
            )
            return ReviewOut(
                **result.model_dump(include={"id", "verdict", "where", "why", "summary", "problem", "reviewer", "model", "family", "author_family"}),
                commit=result.change.commit if result.change else None,
                message=result.change.message if result.change else None,
            )


def tools(root: Path) -> dict:
    """The writing tools over the workspace at `root`: name -> (function, description, annotations)."""
    group = WritingTools(root)
    table = {
        name: (getattr(group, name), DESCRIPTIONS[name], WRITING)
        for name in ("add_conjecture", "link", "formalize", "submit_proof", "add_note", "request_review")
    }
    table["request_review"] = (group.request_review, DESCRIPTIONS["request_review"], OPEN_WORLD)
    return table


@contextmanager
def _restoring(paths: list[Path]) -> Iterator[None]:
    """Put `paths` back exactly as they were (or remove them) if the block fails."""
    from workbench.storage import atomic_write

    saved = [(p, p.read_bytes() if p.exists() else None) for p in paths]
    try:
        yield
    except BaseException:
        for p, data in reversed(saved):
            if data is None:
                p.unlink(missing_ok=True)
            else:
                atomic_write(p, data)
        raise


def _commit(ws: Workspace, paths: list[Path], message: str) -> Optional[str]:
    from workbench.gitrepo import GitRepo

    result = GitRepo(ws.root).commit(paths, message)
    return result[0] if result else None


def _lean_errors(messages: list[LeanMessage], reasons: list[Reason]) -> str:
    lines = []
    for m in messages:
        if m.severity == "error":
            where = f"line {m.line}" + (f":{m.column + 1}" if m.column is not None else "") if m.line else "?"
            lines.append(f"{where}: {m.text.strip()}")
    if not lines:
        lines = [r.message for r in reasons]
    return "\n".join(lines[:20])

def _formalize(ws: Workspace, conj_id: str, lean: str, decl: str, client: str) -> FormalizeResult:
    """Write `lean` as `conj_id`'s statement file in the Lake project, attach `decl`, check that it
    elaborates and commit both files in one commit; when it does not elaborate, put everything back
    and raise a ToolError carrying Lean's errors."""
    from workbench.lean.source import LexError, find_declaration
    from workbench.model import SETTLED
    from workbench.settle import LeanOptions, _module_name, check, formalize
    from workbench.storage import atomic_write

    conj = ws.get(conj_id)
    if conj.status in SETTLED:
        raise ToolError(f"'{conj_id}' is already {conj.status.value}; its statement is not replaced through MCP (a researcher can use `wb formalize`)")
    if not lean.strip():
        raise ToolError("'lean' is empty")
    try:
        found = find_declaration(lean, decl)
    except LexError as exc:
        raise ToolError(f"the Lean text cannot be read: {exc}") from None
    if found is None:
        raise ToolError(f"the Lean text declares no theorem or lemma named '{decl}'")
    lean_dir = ws.lean_dir.resolve()
    dest = None
    if conj.formal is not None and conj.formal.file:
        current = (ws.root / conj.formal.file).resolve()
        if current.is_relative_to(lean_dir):
            dest = current
    if dest is None:
        dest = lean_dir / "Conjectures" / f"{_module_name(conj_id)}.lean"
        if dest.exists() and dest.read_text(encoding="utf-8", errors="replace") != lean:
            users = [c.id for c in ws.all().values() if c.formal and c.formal.file and (ws.root / c.formal.file).resolve() == dest and c.id != conj_id]
            if users:
                raise ToolError(f"{ws.rel(dest)} already holds the statement of {', '.join(users)}")
    from workbench.lean.library import ROOT_MODULE
    from workbench.lean.project import module_file

    conj_path = ws.path_for(conj_id)
    root_module = module_file(ws.lean_dir, ROOT_MODULE)
    with _restoring([dest, conj_path, root_module]):
        atomic_write(dest, lean if lean.endswith("\n") else lean + "\n")
        formalize(ws, conj_id, dest, decl, commit=False)
        result = check(ws, conj_id, LeanOptions(), commit=False)
        if not result.verdict.accepted:
            raise ToolError(
                f"the statement does not elaborate, so nothing was changed. Lean said:\n"
                + _lean_errors(result.verdict.messages, result.verdict.reasons)
            )
        formal = ws.get(conj_id).formal
        message = f"wb mcp formalize {conj_id}: {formal.module} {decl}, statement elaborates (client: {client})"  # type: ignore[union-attr]
        sha = _commit(ws, [dest, conj_path, root_module], message)
    return FormalizeResult(
        id=conj_id, status=result.status, module=formal.module, decl=formal.decl, file=formal.file or ws.rel(dest),  # type: ignore[union-attr]
        lean_version=result.verdict.lean_version, messages=result.verdict.messages, commit=sha, message=message,
    )


def _submit(ws: Workspace, conj_id: str, lean: str, negate: bool, client: str) -> SubmitResult:
    """Verify and, when Lean accepts, settle exactly as `wb check --proof` does, in one commit naming
    the tool and client; every submission is kept in the attempts store."""
    from workbench.settle import LeanOptions, settle

    result = settle(ws, conj_id, lean, LeanOptions(), negate=negate, prover=client, source="wb mcp submit_proof",
                    command=f"wb mcp submit_proof {conj_id}", note=f" (client: {client})")
    change = result.change
    proof_file = next((f for f in change.files if not f.startswith("conjectures/")), None) if change else None
    sha, message = (change.commit, change.message) if change else (None, None)
    _record_attempt(ws, conj_id, lean, result.verdict, client, settled=result.change is not None)
    v = result.verdict
    return SubmitResult(
        id=conj_id, verdict=v.verdict, reasons=v.reasons, messages=v.messages, axioms=v.axioms, lean_version=v.lean_version,
        elapsed_s=v.elapsed_s, negate=negate, settled=result.change is not None, status=result.status, assumptions=v.assumptions,
        commit=sha, message=message, proof_file=proof_file,
    )


def _record_attempt(ws: Workspace, conj_id: str, lean: str, verdict, client: str, *, settled: bool) -> None:
    """Keep the submission in the attempts store (for `wb attempts` and the `prove` prompt); best effort."""
    try:
        from workbench.attempts import record_check

        record_check(ws, conj_id, lean, verdict, prover="mcp", provider=client, label="submit_proof", settled=settled)
    except Exception as exc:  # noqa: BLE001 - the attempts log is a convenience; the verdict stands without it
        import logging

        logging.getLogger(__name__).warning("could not record the attempt: %s", exc)
