"""The typed inputs and outputs of the MCP tools, and the limits on their text."""

from typing import Annotated, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from workbench.model import Evidence, FormalStatement, LeanMessage, Note, Reason, Source

MAX_LEAN_CHARS = 1_000_000
"""Longest Lean text accepted by formalize / verify_candidate / submit_proof (the verifier's own cap is 1 MiB)."""
MAX_TEXT_CHARS = 100_000
"""Longest informal statement or note text."""
MAX_ARGUMENT_CHARS = 60_000
"""Longest informal argument sent for review."""
MAX_TITLE_CHARS = 300
MAX_LIST_ITEMS = 100
"""Most tags, sources or `uses` ids in one add_conjecture call."""

Id = Annotated[str, Field(description="a conjecture id (kebab-case, e.g. 'add-zero')")]
Lean = Annotated[str, Field(description=f"Lean 4 source text (at most {MAX_LEAN_CHARS} characters)")]

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
