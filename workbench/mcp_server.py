"""The MCP server behind `wb mcp`: the workbench's library calls as typed tools, resources and a prompt.

Built on the official `mcp` SDK (`MCPServer`), rooted at one workspace. Safety rules:

- Nothing reaches `proved` or `disproved` except through Lean: `submit_proof` settles only when the
  verifier accepts (exactly as `wb check --proof`); notes never change a status, and `add_note`
  cannot claim `lean-checked` (nor `reviewed`: that level comes from `request_review`).
- Every mutation is one git commit whose message names the tool and the MCP client, e.g.
  `wb mcp link a uses b (client: claude-code)`.
- Bad input (unknown id, invalid Lean, a cycle, oversized text) is a tool error with a clear
  message; the server keeps serving.
- `read_only=True` registers only the reading tools: list_conjectures, show_conjecture,
  next_targets, graph_neighbourhood, verify_candidate (it runs Lean but changes nothing and
  settles nothing) and numeric_check (which then records nothing). Resources and the `prove`
  prompt are available in both modes.
- Claims given to numeric_check are untrusted text: they are read with a whitelist, never
  evaluated, and sympy runs in a child process with a timeout and a memory cap.

This module imports the SDK at import time; the CLI imports it only inside `wb mcp`.
"""

import json
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Iterator, Literal, Optional

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError, ToolError
from mcp.types import ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workbench.checks.claims import MAX_CLAIM_CHARS
from workbench.errors import NotFoundError, WorkbenchError
from workbench.model import Evidence, FormalStatement, LeanMessage, Note, Reason, Source
from workbench.workspace import Workspace

MAX_LEAN_CHARS = 1_000_000
"""Longest Lean text accepted by formalize / verify_candidate / submit_proof (the verifier's own cap is 1 MiB)."""
MAX_TEXT_CHARS = 100_000
"""Longest informal statement or note text."""
MAX_ARGUMENT_CHARS = 60_000
"""Longest informal argument sent for review."""
MAX_TITLE_CHARS = 300
MAX_LIST_ITEMS = 100
"""Most tags, sources or `uses` ids in one add_conjecture call."""

READING_TOOLS = ("list_conjectures", "show_conjecture", "next_targets", "graph_neighbourhood", "verify_candidate", "numeric_check")
WRITING_TOOLS = ("add_conjecture", "link", "formalize", "submit_proof", "add_note", "request_review")

INSTRUCTIONS = """\
Conjecture Workbench: a git-backed graph of conjectures where nothing counts as proved until Lean \
accepts a proof. Work like this: call next_targets to find what to work on; show_conjecture to read \
a node; formalize it (a Lean statement, checked to elaborate) before proving; verify_candidate a \
proof until Lean accepts it, then submit_proof to settle it. Write informal arguments as add_note \
and have them checked with request_review by a model of another family. Check a formula with \
numeric_check before building on it (a counterexample there saves a night of proof attempts). Never \
claim a result Lean has not accepted."""


# -- typed outputs --------------------------------------------------------------------------------


class _Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


class LastReview(_Out):
    verdict: Optional[str] = None
    author: Optional[str] = None
    family: Optional[str] = None
    date: Optional[str] = None


class ConjectureRow(_Out):
    """One conjecture as `wb list --json` prints it."""

    id: str
    title: str
    kind: str
    area: str
    tags: list[str]
    status: str = Field(description="derived status: informal, formalized, proved, disproved, conditional or broken")
    recorded_status: str
    priority: int
    formal: bool = Field(description="true when a Lean statement is attached")
    notes: int = 0
    last_review: Optional[LastReview] = None
    numeric_check: Optional[dict] = Field(None, description="the newest numeric check of the node's claim: {result, method, witness, date}; 'refuted' is a marker, never a disproof")


class ConjectureList(_Out):
    count: int
    conjectures: list[ConjectureRow]


class EdgeOut(_Out):
    kind: str
    target: str
    title: Optional[str] = None
    status: Optional[str] = None


class EdgeIn(_Out):
    kind: str
    source: str
    title: Optional[str] = None
    status: Optional[str] = None


class ConjectureDetail(_Out):
    """Everything about one conjecture (as `wb show --json`), plus its Lean statement text."""

    id: str
    title: str
    kind: str
    area: str
    tags: list[str]
    priority: int
    status: str
    recorded_status: str
    informal: str
    sources: list[Source] = []
    formal: Optional[FormalStatement] = None
    lean_statement: Optional[str] = Field(None, description="the statement file's text, when formalized")
    evidence: Optional[Evidence] = None
    notes: list[Note] = []
    edges_out: list[EdgeOut] = []
    edges_in: list[EdgeIn] = []
    file: str


class Target(_Out):
    rank: int
    id: str
    title: str
    unblocks: int = Field(description="how many unsettled results a proof of this one would unblock")
    priority: int
    status: str
    area: str


class TargetList(_Out):
    targets: list[Target]


class GraphNode(ConjectureRow):
    rank: Optional[int] = None


class GraphEdge(_Out):
    source: str
    target: str
    kind: str


class Neighbourhood(_Out):
    root: Optional[str]
    depth: Optional[int]
    nodes: list[GraphNode]
    edges: list[GraphEdge]


class Mutation(_Out):
    """What a mutating tool did: the ids touched, the files written and the git commit made."""

    action: str
    ids: list[str]
    files: list[str]
    message: str
    commit: Optional[str] = None


class FormalizeResult(_Out):
    id: str
    status: str
    module: str
    decl: str
    file: str
    lean_version: Optional[str] = None
    messages: list[LeanMessage] = Field(default_factory=list, description="Lean's warnings and information on the statement")
    commit: Optional[str] = None
    message: str = ""


class VerifyResult(_Out):
    """Lean's verdict on a candidate. `messages[].line` counts lines of the `lean` text you sent
    when `in_candidate` is true."""

    id: str
    verdict: Literal["accepted", "rejected"]
    reasons: list[Reason] = Field(default_factory=list, description="why it was rejected: code (lean-error, sorry, axiom, statement-mismatch, forbidden, timeout, ...), message, line")
    messages: list[LeanMessage] = Field(default_factory=list)
    axioms: list[str] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list, description="ids of other conjectures whose statements the proof uses (Lean's axiom audit); a proof resting on one not yet proved is conditional")
    lean_version: Optional[str] = None
    elapsed_s: float = 0.0
    negate: bool = False


class SubmitResult(VerifyResult):
    """The verdict, and when accepted the settlement: the node's new status and the commit."""

    settled: bool = False
    status: str
    commit: Optional[str] = None
    message: Optional[str] = None
    proof_file: Optional[str] = None


class NumericCheckOut(_Out):
    """A numeric check: `supported` (symbolically, or samples without a counterexample), `refuted` (with a
    witness re-checked exactly, or the limit that refutes) or `inconclusive`; never a proof or disproof."""

    id: Optional[str] = None
    claim: str
    vars: dict[str, str] = Field(default_factory=dict)
    result: Literal["supported", "refuted", "inconclusive"]
    method: str = Field(description="symbolic, limit, order, sampling, exhaustive, timeout, memory or error")
    witness: Optional[dict[str, str]] = Field(None, description="variable -> exact value where the claim fails")
    detail: str
    sympy_version: Optional[str] = None
    recorded: bool = Field(False, description="true when the result was kept as a numeric-check note on the node")
    commit: Optional[str] = None


class NoteResult(_Out):
    id: str
    trust: str
    commit: Optional[str] = None
    message: str


class ReviewOut(_Out):
    id: str
    verdict: Literal["sound", "gap", "wrong", "unparseable"]
    where: str = ""
    why: str = ""
    summary: str = ""
    problem: Optional[str] = Field(None, description="why the reply was unparseable")
    reviewer: str
    model: str
    family: Optional[str]
    author_family: Optional[str]
    commit: Optional[str] = None
    message: Optional[str] = None


# -- helpers ---------------------------------------------------------------------------------------


def client_name(ctx: Optional[Context]) -> str:
    """The MCP client's name from its initialize request (`clientInfo.name`), cleaned for a commit message."""
    name = None
    try:
        params = ctx.session.client_params if ctx is not None else None
        name = params.client_info.name if params is not None and params.client_info is not None else None
    except Exception:  # noqa: BLE001 - no request context (a direct call): an unknown client
        name = None
    name = re.sub(r"[^\w.@/+ -]", "", str(name or "")).strip()[:60]
    return name or "unknown-client"


_CLIENT_FAMILIES = (
    ("claude", "anthropic"),
    ("codex", "openai"),
    ("openai", "openai"),
    ("chatgpt", "openai"),
    ("gemini", "google"),
)


def client_family(name: str) -> Optional[str]:
    """The model family an MCP client's name plainly implies (claude-code → anthropic, codex → openai,
    gemini-cli → google), or None."""
    low = name.lower()
    for needle, family in _CLIENT_FAMILIES:
        if needle in low:
            return family
    return None


@contextmanager
def _tool_errors() -> Iterator[None]:
    """Turn the workbench's own errors (and pydantic's) into MCP tool errors with a clear message."""
    try:
        yield
    except ToolError:
        raise
    except WorkbenchError as exc:
        raise ToolError(str(exc)) from None
    except ValidationError as exc:
        from workbench.errors import validation_problem

        loc, msg = validation_problem(exc)
        raise ToolError((f"field '{loc}': " if loc else "") + msg) from None


def _limit(value: Optional[str], name: str, limit: int) -> None:
    if value is not None and len(value) > limit:
        raise ToolError(f"'{name}' is {len(value)} characters; the limit is {limit}")


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


# -- the server ----------------------------------------------------------------------------------


def build_server(root: Path | str, *, read_only: bool = False) -> MCPServer:
    """The MCP server for the workspace at `root` (tools, resources `wb://conjecture/{id}` and
    `wb://graph`, prompt `prove`); with `read_only`, only the reading tools."""
    root = Workspace.open(root).root  # fail early when it is not a workspace

    def ws() -> Workspace:
        return Workspace.open(root)

    server = MCPServer(
        "conjecture-workbench",
        title="Conjecture Workbench",
        instructions=INSTRUCTIONS + (" This server is read-only: it can read and verify, not change the workspace." if read_only else ""),
        version=_version(),
        log_level="WARNING",
    )
    reading = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
    writing = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False)

    Id = Annotated[str, Field(description="a conjecture id (kebab-case, e.g. 'add-zero')")]
    Lean = Annotated[str, Field(description=f"Lean 4 source text (at most {MAX_LEAN_CHARS} characters)")]

    # ----- reading tools ---------------------------------------------------------------------

    def list_conjectures(
        status: Annotated[Optional[str], Field(description="derived status: informal, formalized, proved, disproved, conditional, broken, stale, unverified")] = None,
        area: Annotated[Optional[str], Field(description="exact area, e.g. 'oversight'")] = None,
        tag: Annotated[Optional[str], Field(description="one tag the conjecture must carry")] = None,
        kind: Annotated[Optional[str], Field(description="conjecture, theorem, lemma, definition or assumption")] = None,
        query: Annotated[Optional[str], Field(description="case-insensitive text searched in id, title, area, tags and statement")] = None,
    ) -> ConjectureList:
        with _tool_errors():
            rows = ws().list(status=status, area=area, tag=tag, kind=kind, query=query)
            return ConjectureList(count=len(rows), conjectures=[ConjectureRow.model_validate(r) for r in rows])

    def show_conjecture(id: Id) -> ConjectureDetail:
        from workbench.settle import statement_file

        with _tool_errors():
            w = ws()
            data = w.show(id)
            conj = w.get(id)
            if conj.formal is not None:
                try:
                    data["lean_statement"] = statement_file(w, conj).read_text(encoding="utf-8")
                except WorkbenchError:
                    data["lean_statement"] = None
            return ConjectureDetail.model_validate(data)

    def next_targets(
        limit: Annotated[int, Field(ge=1, le=1000, description="how many targets (1-1000)")] = 10,
    ) -> TargetList:
        with _tool_errors():
            return TargetList(targets=[Target.model_validate(t) for t in ws().next(limit)])

    def graph_neighbourhood(
        id: Id,
        direction: Annotated[Literal["both", "down", "up"], Field(description="down: what it rests on (its dependencies); up: what builds on it; both")] = "both",
        depth: Annotated[Optional[int], Field(ge=0, le=50, description="edges to follow (0-50); null for no limit")] = 1,
    ) -> Neighbourhood:
        with _tool_errors():
            data = ws().graph_data(id, depth, direction)
            return Neighbourhood.model_validate(data)

    def verify_candidate(
        id: Id,
        lean: Lean,
        ctx: Context,
        negate: Annotated[bool, Field(description="true to check a DISproof: a proof of the negation ¬ statement")] = False,
    ) -> VerifyResult:
        _limit(lean, "lean", MAX_LEAN_CHARS)
        with _tool_errors():
            verdict = _verify(ws(), id, lean, negate, client_name(ctx))
            return VerifyResult(id=id, negate=negate, **verdict.model_dump(exclude={"checker_version", "verdict"}), verdict=verdict.verdict)

    # ----- writing tools ---------------------------------------------------------------------

    def add_conjecture(
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

        _limit(title, "title", MAX_TITLE_CHARS)
        _limit(informal, "informal", MAX_TEXT_CHARS)
        for name, items in (("tags", tags), ("sources", sources), ("uses", uses)):
            if len(items) > MAX_LIST_ITEMS:
                raise ToolError(f"'{name}' has {len(items)} items; the limit is {MAX_LIST_ITEMS}")
        with _tool_errors():
            conj = Conjecture(
                id=id, title=title, informal=informal, kind=kind, area=area, tags=tags, priority=priority,
                sources=[Source.parse(s) for s in sources], edges=[{"kind": "uses", "target": t} for t in uses],
            )
            message = f"wb mcp add_conjecture {id}: {title} (client: {client_name(ctx)})"
            change = ws().add(conj, message=message)
            return Mutation.model_validate(change.model_dump())

    def link(
        src: Annotated[str, Field(description="the id the edge starts from")],
        kind: Annotated[Literal["uses", "implies", "generalizes", "special-case-of", "equivalent", "refutes"], Field(description="edge kind; `src uses dst` means src rests on dst (uses edges must stay acyclic)")],
        dst: Annotated[str, Field(description="the id the edge points at")],
        ctx: Context,
    ) -> Mutation:
        with _tool_errors():
            message = f"wb mcp link {src} {kind} {dst} (client: {client_name(ctx)})"
            change = ws().link(src, kind, dst, message=message)
            return Mutation.model_validate(change.model_dump())

    def formalize(
        id: Id,
        lean: Annotated[str, Field(description=f"a whole Lean 4 statement file declaring the theorem, proof `sorry` (at most {MAX_LEAN_CHARS} characters)")],
        decl: Annotated[str, Field(description="the theorem's name in that file, e.g. 'Conjectures.add_zero'")],
        ctx: Context,
    ) -> FormalizeResult:
        _limit(lean, "lean", MAX_LEAN_CHARS)
        with _tool_errors():
            return _formalize(ws(), id, lean, decl, client_name(ctx))

    def submit_proof(
        id: Id,
        lean: Lean,
        ctx: Context,
        negate: Annotated[bool, Field(description="true to submit a DISproof (a proof of ¬ statement); settles as disproved")] = False,
    ) -> SubmitResult:
        _limit(lean, "lean", MAX_LEAN_CHARS)
        with _tool_errors():
            return _submit(ws(), id, lean, negate, client_name(ctx))

    def add_note(
        id: Id,
        text: Annotated[str, Field(description=f"the note: an informal argument, a numeric check, a reference (at most {MAX_TEXT_CHARS} characters)")],
        ctx: Context,
        trust: Annotated[str, Field(description="'claimed' (an argument or reference) or 'numeric-check' (evidence from computation)")] = "claimed",
        author: Annotated[Optional[str], Field(description="who wrote it (default: the MCP client's name)")] = None,
        family: Annotated[Optional[str], Field(description="model family that wrote it, e.g. anthropic, openai (default: implied by the client name)")] = None,
    ) -> NoteResult:
        from workbench.notes import add_note as do_add_note

        _limit(text, "text", MAX_TEXT_CHARS)
        if trust in ("reviewed", "lean-checked"):
            raise ToolError(f"trust '{trust}' cannot be set by hand: 'reviewed' comes from request_review and 'lean-checked' only from Lean (submit_proof)")
        if trust not in ("claimed", "numeric-check"):
            raise ToolError(f"unknown trust level '{trust}': use 'claimed' or 'numeric-check'")
        with _tool_errors():
            client = client_name(ctx)
            change = do_add_note(
                ws(), id, text=text, trust=trust, author=author or client, family=family or client_family(client),
                actor="wb mcp add_note", client=client,
            )
            return NoteResult(id=id, trust=trust, commit=change.commit, message=change.message)

    def request_review(
        id: Id,
        argument: Annotated[str, Field(description=f"the informal argument (proof sketch) to review (at most {MAX_ARGUMENT_CHARS} characters)")],
        ctx: Context,
        reviewer: Annotated[Optional[str], Field(description="a provider name from workbench.toml [providers.NAME], or openai / anthropic (default: one of another family)")] = None,
        author_family: Annotated[Optional[str], Field(description="model family that wrote the argument (default: implied by the client name, e.g. claude-code → anthropic)")] = None,
        allow_same_family: Annotated[bool, Field(description="allow a reviewer of the author's own (or an unknown) family")] = False,
    ) -> ReviewOut:
        from workbench.review import review

        _limit(argument, "argument", MAX_ARGUMENT_CHARS)
        with _tool_errors():
            client = client_name(ctx)
            result = review(
                ws(), id, argument, reviewer=reviewer, author_family=author_family or client_family(client),
                allow_same_family=allow_same_family, actor="wb mcp request_review", client=client,
            )
            return ReviewOut(
                **result.model_dump(include={"id", "verdict", "where", "why", "summary", "problem", "reviewer", "model", "family", "author_family"}),
                commit=result.change.commit if result.change else None,
                message=result.change.message if result.change else None,
            )

    def numeric_check(
        ctx: Context,
        id: Annotated[Optional[str], Field(description="a conjecture id: check its [check] claim and keep the result as a note")] = None,
        claim: Annotated[Optional[str], Field(description=f"a claim in sympy syntax (at most {MAX_CLAIM_CHARS} characters), e.g. 'n**2 <= 2**n', 'log(n)**2 = o(n)', 'harmonic(n) ~ log(n)'")] = None,
        vars: Annotated[dict[str, str], Field(description="a condition per variable, e.g. {\"n\": \"integer, n >= 1\", \"eps\": \"0 < eps < 1\"}")] = {},  # noqa: B006
        samples: Annotated[int, Field(ge=1, le=20_000, description="points the counterexample search evaluates")] = 1000,
        seed: Annotated[int, Field(ge=0, description="seed of the search")] = 0,
        timeout_s: Annotated[float, Field(gt=0, le=120, description="seconds before sympy is stopped")] = 30.0,
    ) -> NumericCheckOut:
        from workbench.checks.check import check_claim, numeric_check as run_check

        if id is None and claim is None:
            raise ToolError("give an id (to check its claim) or a claim (to check it without recording anything)")
        with _tool_errors():
            if id is not None and not read_only:
                client = client_name(ctx)
                run = run_check(ws(), id, claim=claim, vars=vars or None, samples=samples, seed=seed, timeout=timeout_s,
                                actor="wb mcp numeric_check", author=client, family=client_family(client), client=client)
            elif id is not None and claim is None:
                stored = ws().get(id).check
                if stored is None:
                    raise ToolError(f"'{id}' has no claim to check")
                run = check_claim(stored, samples=samples, seed=seed, timeout=timeout_s, conj_id=id)
            else:
                run = check_claim(claim or "", vars, samples=samples, seed=seed, timeout=timeout_s, conj_id=id)
            note = run.note_change
            return NumericCheckOut(**run.result.model_dump(), claim=run.record.claim, vars=run.record.vars,
                                   recorded=note is not None, commit=note.commit if note else None)

    tools = {
        "list_conjectures": (list_conjectures, DESCRIPTIONS["list_conjectures"], reading),
        "show_conjecture": (show_conjecture, DESCRIPTIONS["show_conjecture"], reading),
        "next_targets": (next_targets, DESCRIPTIONS["next_targets"], reading),
        "graph_neighbourhood": (graph_neighbourhood, DESCRIPTIONS["graph_neighbourhood"], reading),
        "verify_candidate": (verify_candidate, DESCRIPTIONS["verify_candidate"], reading),
        "add_conjecture": (add_conjecture, DESCRIPTIONS["add_conjecture"], writing),
        "link": (link, DESCRIPTIONS["link"], writing),
        "formalize": (formalize, DESCRIPTIONS["formalize"], writing),
        "submit_proof": (submit_proof, DESCRIPTIONS["submit_proof"], writing),
        "add_note": (add_note, DESCRIPTIONS["add_note"], writing),
        "request_review": (request_review, DESCRIPTIONS["request_review"], ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True)),
        "numeric_check": (numeric_check, DESCRIPTIONS["numeric_check"], reading if read_only else writing),
    }
    for name, (fn, description, annotations) in tools.items():
        if read_only and name not in READING_TOOLS:
            continue
        server.add_tool(fn, name=name, description=description, annotations=annotations, structured_output=True)

    # ----- resources and prompt ----------------------------------------------------------------

    @server.resource("wb://conjecture/{id}", name="conjecture", mime_type="text/markdown",
                     description="One conjecture as Markdown: status, statement, Lean statement, evidence, notes (with trust levels), edges.")
    def conjecture_resource(id: str) -> str:
        try:
            return conjecture_markdown(ws(), id)
        except NotFoundError as exc:
            raise ResourceNotFoundError(str(exc)) from None
        except WorkbenchError as exc:
            raise ResourceError(str(exc)) from None

    @server.resource("wb://graph", name="graph", mime_type="application/json",
                     description="The whole graph as JSON (as `wb graph --format json`): nodes with derived status and rank, typed edges.")
    def graph_resource() -> str:
        try:
            return json.dumps(ws().graph_data(), ensure_ascii=False, indent=1)
        except WorkbenchError as exc:
            raise ResourceError(str(exc)) from None

    @server.prompt(name="prove", title="Prove this conjecture",
                   description="Everything needed to prove one conjecture: its Lean statement, its dependencies and earlier failed attempts, with how to check and submit a proof.")
    def prove(id: Annotated[str, Field(description="the conjecture id")]) -> str:
        from mcp.shared.exceptions import MCPError
        from mcp.types import INVALID_PARAMS

        try:
            return prove_prompt(ws(), id)
        except WorkbenchError as exc:
            raise MCPError(code=INVALID_PARAMS, message=str(exc)) from None

    return server


def serve(root: Path | str, *, read_only: bool = False) -> None:
    """Run the server over stdio until the client disconnects (`wb mcp`)."""
    build_server(root, read_only=read_only).run("stdio")


def _version() -> str:
    try:
        from workbench import __version__

        return str(__version__)
    except Exception:  # noqa: BLE001
        return ""


# -- the Lean-facing operations ------------------------------------------------------------------


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


# -- tool descriptions ---------------------------------------------------------------------------

DESCRIPTIONS: dict[str, str] = {
    "list_conjectures": (
        "List conjectures, filtered like `wb list`. Inputs (all optional): status, area, tag, kind, query. "
        "Output: {count, conjectures: [{id, title, kind, area, tags, status (derived: informal|formalized|proved|"
        "disproved|conditional|broken|stale|unverified; only proved and disproved are settled), recorded_status, priority, formal (bool), notes (count), last_review "
        "({verdict, author, family, date} or null), numeric_check ({result, method, witness, date} of the newest "
        "numeric check of the node's claim, or null)}]}."
    ),
    "show_conjecture": (
        "Everything about one conjecture. Input: id. Output: {id, title, kind, area, tags, priority, status, "
        "recorded_status, informal, sources, formal ({module, decl, file} or null), lean_statement (the Lean "
        "statement file's text or null), evidence (the Lean verdict that settled it, or null), notes ([{trust, "
        "text, author, family, verdict, date}]: lower-trust evidence, never a settlement), edges_out [{kind, "
        "target, title, status}], edges_in [{kind, source, title, status}], file}. Unknown id → tool error."
    ),
    "next_targets": (
        "What to work on next: open conjectures ranked by how many unsettled results a proof would unblock, "
        "then priority. Input: limit (default 10). Output: {targets: [{rank, id, title, unblocks, priority, "
        "status, area}]}."
    ),
    "graph_neighbourhood": (
        "The part of the graph around one conjecture. Inputs: id; direction: 'down' (what it rests on), 'up' "
        "(what builds on it) or 'both' (default); depth: edges to follow (default 1, null = unlimited). Output: "
        "{root, depth, nodes: [list rows plus rank], edges: [{source, target, kind}]}; `A uses B` means A rests on B."
    ),
    "verify_candidate": (
        "Check a candidate proof with Lean WITHOUT recording anything (settles nothing; allowed in read-only mode). "
        "Inputs: id (a formalized conjecture), lean (the theorem with its exact statement and its proof, plus any "
        "helper lemmas; a whole file repeating the statement file is fine), negate (default false; true checks a "
        "proof of ¬ statement). Output: {id, verdict: 'accepted'|'rejected', reasons: [{code, message, line}] "
        "(codes: lean-error, sorry, axiom, statement-mismatch, missing-declaration, forbidden, timeout, memory, "
        "bad-input, toolchain), messages: [{severity, text, line, column, in_candidate}] (line counts lines of "
        "YOUR lean text when in_candidate; column is Lean's, from 0), axioms, lean_version, elapsed_s}. `sorry`, new axioms, `#exit` and "
        "a changed statement are rejected. Not formalized / unknown id → tool error."
    ),
    "add_conjecture": (
        "Add a new conjecture (the fields of a `wb import` line), in one git commit. Inputs: id (kebab-case, "
        f"new), title (≤ {MAX_TITLE_CHARS} chars), informal (≤ {MAX_TEXT_CHARS} chars), optional kind "
        "(conjecture|theorem|lemma|definition|assumption), area, tags [str], sources [str], uses [ids it rests "
        "on; must exist; no cycles], priority (int). Its status starts `informal`. Output: {action, ids, files, "
        "message, commit}. Duplicate id, unknown `uses` target, a cycle or oversized text → tool error."
    ),
    "link": (
        "Add a typed edge `src kind dst`, in one git commit. Inputs: src, kind (uses|implies|generalizes|"
        "special-case-of|equivalent|refutes), dst. `src uses dst` means src's proof rests on dst; a `uses` edge "
        "that would close a cycle is refused (tool error naming the cycle). Output: {action, ids, files, message, commit}."
    ),
    "formalize": (
        "Attach a Lean 4 statement to a conjecture: the text is written as its statement file in the workspace's "
        "Lake project, `decl` is recorded as its declaration, and Lean checks that it elaborates (a `sorry` proof "
        "is expected). On success the conjecture becomes `formalized`, in one git commit. Inputs: id, lean (the "
        f"whole statement file, ≤ {MAX_LEAN_CHARS} chars), decl (the theorem's name, e.g. 'Conjectures.foo'). "
        "Output: {id, status, module, decl, file, lean_version, messages, commit, message}. If it does not "
        "elaborate, nothing changes and the tool error carries Lean's errors with line numbers of your text. "
        "Refused for a conjecture already proved or disproved."
    ),
    "submit_proof": (
        "Verify a proof with Lean and, ONLY when Lean accepts it, settle the conjecture as proved (disproved with "
        "negate=true) exactly as `wb check --proof` does: the proof file is stored, the verdict recorded with this "
        "MCP client as provenance, one git commit. Inputs: id, lean (as for verify_candidate), negate (default "
        "false). Output: {id, verdict, reasons, messages, axioms, lean_version, elapsed_s, settled (bool), status, "
        "commit, message, proof_file}. A rejected proof changes nothing (it is kept in the attempts log). Verify "
        "with verify_candidate first. Already settled / not formalized → tool error."
    ),
    "add_note": (
        "Record lower-trust evidence on a conjecture: an informal argument, a numeric check or a reference. It "
        "never changes the status. Inputs: id, text (≤ " + str(MAX_TEXT_CHARS) + " chars), trust ('claimed' default, or 'numeric-check'; "
        "'reviewed' comes only from request_review and 'lean-checked' only from Lean), author (default: this "
        "client's name), family (default: implied by the client). Output: {id, trust, commit, message}."
    ),
    "numeric_check": (
        "Check a formula with sympy before building on it: symbolically first, asymptotic relations only by limits "
        "(never by sampling), then a seeded search for counterexamples with each witness re-checked exactly. "
        "Inputs: id (check the node's stored claim and keep the result as a numeric-check note, one commit; with "
        "claim too, the claim and vars are stored on the node first), or claim with vars alone (an ad-hoc check: "
        "nothing is recorded); samples, seed, timeout_s. Claims use + - * / ** and log, exp, sqrt, sin, cos, "
        "harmonic, factorial, binomial, Abs, Min, Max, floor, ceiling; relations =, <, <=, >, >=, != and f = O(g), "
        "o(g), Theta(g), Omega(g), f ~ g; anything else (attributes, strings, other calls) is refused. Output: {id, "
        "claim, vars, result: supported|refuted|inconclusive, method, witness, detail, sympy_version, recorded, "
        "commit}. A refuted node is skipped by next_targets; it is NOT disproved: only Lean disproves "
        "(submit_proof with negate=true). In read-only mode nothing is recorded."
    ),
    "request_review": (
        "Have an informal argument reviewed by a model of ANOTHER family. The conjecture, its `uses` dependencies "
        "and the argument go to the reviewer, which must answer sound, gap (with where) or wrong (with why); the "
        "result is recorded as a note at trust level `reviewed` (never a settlement), in one git commit; a reply "
        "without a valid verdict is recorded as 'unparseable'. Inputs: id, argument (≤ " + str(MAX_ARGUMENT_CHARS) + " chars), reviewer "
        "(optional provider name), author_family (who wrote the argument; default implied by the client name, "
        "e.g. claude-code → anthropic), allow_same_family (default false: a same-family or undecidable pairing "
        "is refused). Output: {id, verdict, where, why, summary, problem, reviewer, model, family, "
        "author_family, commit, message}."
    ),
}
