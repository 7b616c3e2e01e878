"""Pydantic models: the single description of conjectures, edges, evidence and verdicts."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
ID_RE = re.compile(ID_PATTERN)
MAX_ID_LENGTH = 80


def is_valid_id(value: str) -> bool:
    """True when `value` is a kebab-case id: lowercase letters and digits joined by single hyphens."""
    return bool(ID_RE.match(value)) and len(value) <= MAX_ID_LENGTH


class Kind(StrEnum):
    """What sort of node a conjecture file describes."""

    conjecture = "conjecture"
    theorem = "theorem"
    lemma = "lemma"
    definition = "definition"
    assumption = "assumption"


class EdgeKind(StrEnum):
    """The typed relations between nodes; only `uses` must stay acyclic."""

    uses = "uses"
    implies = "implies"
    generalizes = "generalizes"
    special_case_of = "special-case-of"
    equivalent = "equivalent"
    refutes = "refutes"


class Status(StrEnum):
    """Recorded status: changes only with evidence (a Lean run for the last three)."""

    informal = "informal"
    formalized = "formalized"
    proved = "proved"
    disproved = "disproved"


class DerivedStatus(StrEnum):
    """Status as shown: the recorded one, or computed from evidence and the graph (`conditional`, `broken`,
    `stale`: the statement changed since Lean checked the proof, `unverified`: no matching proof in the project)."""

    informal = "informal"
    formalized = "formalized"
    proved = "proved"
    disproved = "disproved"
    conditional = "conditional"
    broken = "broken"
    stale = "stale"
    unverified = "unverified"


SETTLED = {Status.proved, Status.disproved}


class Trust(StrEnum):
    """Trust levels of evidence, lowest first."""

    claimed = "claimed"
    numeric_check = "numeric-check"
    reviewed = "reviewed"
    lean_checked = "lean-checked"


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False)


class Source(_Strict):
    """A citation, with an arXiv id and/or URL where there is one."""

    citation: str = Field(min_length=1)
    arxiv: str | None = None
    url: str | None = None

    @classmethod
    def parse(cls, text: str) -> "Source":
        """Read a command-line source: `arXiv:ID`, a URL, or free text (optionally `TEXT | arXiv:ID`)."""
        parts = [p.strip() for p in text.split("|")]
        citation_parts, arxiv, url = [], None, None
        for part in parts:
            low = part.lower()
            if low.startswith("arxiv:"):
                arxiv = part.split(":", 1)[1].strip()
            elif low.startswith(("http://", "https://")):
                url = part
            elif part:
                citation_parts.append(part)
        citation = " | ".join(citation_parts) or (f"arXiv:{arxiv}" if arxiv else url or text)
        return cls(citation=citation, arxiv=arxiv, url=url)


class Edge(_Strict):
    """A typed edge stored on its source node: `<this> <kind> <target>`."""

    kind: EdgeKind
    target: str

    @field_validator("target")
    @classmethod
    def _kebab(cls, v: str) -> str:
        if not is_valid_id(v):
            raise ValueError(f"'{v}' is not a kebab-case id")
        return v


class FormalStatement(_Strict):
    """Where the Lean statement lives: a module of the workspace's Lake project and a declaration."""

    module: str = Field(min_length=1)
    decl: str = Field(min_length=1)
    file: str | None = None  # path relative to the workspace root


class Evidence(_Strict):
    """Why the recorded status is what it is (for `proved`/`disproved`, a Lean verdict)."""

    lean_version: str | None = None
    axioms: list[str] = Field(default_factory=list)
    checker_version: str | None = None
    checked_at: datetime | None = None
    elapsed_s: float | None = None
    proof_file: str | None = None
    prover: str | None = None
    model: str | None = None
    source: str | None = None
    statement_digest: str | None = None  # what was proved: see workbench/lean/project.py statement_digest
    proof_digest: str | None = None  # the accepted candidate stored in the proof block
    assumes: list[str] = Field(default_factory=list)  # nodes the proof rests on that were not proved when it was checked
    rests_on: list[str] = Field(default_factory=list)  # every node whose statement Lean says the proof uses


class Review(_Strict):
    """A review mark: someone checked that the formal statement says what the informal one means."""

    by: str = Field(min_length=1)
    date: datetime = Field(default_factory=_now)
    comment: str | None = None


class Check(_Strict):
    """The `[check]` table: a claim for `wb numeric-check` (an equation, inequality or asymptotic relation in
    sympy's syntax), a condition per variable, and for asymptotic claims the variable that goes to infinity."""

    claim: str = Field(min_length=1)
    vars: dict[str, str] = Field(default_factory=dict)
    limit: str | None = None

    @model_validator(mode="after")
    def _readable(self) -> "Check":
        from workbench.checks.claims import parse_claim  # a leaf module: `ast` and a whitelist, no sympy
        from workbench.errors import ClaimError

        try:
            parse_claim(self.claim, self.vars, self.limit)
        except ClaimError as exc:
            raise ValueError(str(exc)) from None
        return self


CheckResultName = Literal["supported", "refuted", "inconclusive"]


class NumericRecord(_Strict):
    """A numeric check kept on a note: the claim as checked, the result, how it was reached, and the witness."""

    claim: str
    vars: dict[str, str] = Field(default_factory=dict)
    limit: str | None = None
    result: CheckResultName
    method: str
    witness: dict[str, str] | None = None
    detail: str = ""
    seed: int = 0
    samples: int = 0
    sympy_version: str | None = None

    def matches(self, check: "Check | None") -> bool:
        """True when this record is about `check` as it stands (same claim, conditions and limit variable)."""
        return check is not None and (self.claim, self.vars, self.limit) == (check.claim, check.vars, check.limit)


class NumericResult(BaseModel):
    """What `wb numeric-check --json` prints: the result, how it was reached, the witness and sympy's version."""

    id: str | None = None
    result: CheckResultName
    method: str
    witness: dict[str, str] | None = None
    detail: str
    sympy_version: str | None = None


class Note(_Strict):
    """Lower-trust evidence kept on a node (an informal argument, a numeric check, a review)."""

    trust: Trust = Trust.claimed
    text: str = Field(min_length=1)
    author: str | None = None
    family: str | None = None
    verdict: str | None = None
    date: datetime = Field(default_factory=_now)
    numeric: NumericRecord | None = None


class Conjecture(_Strict):
    """One node of the graph, stored as `conjectures/<id>.toml` (the id is the file name)."""

    id: Annotated[str, Field(exclude=False)]
    title: str = Field(min_length=1)
    kind: Kind = Kind.conjecture
    area: str = ""
    tags: list[str] = Field(default_factory=list)
    priority: int = 0
    status: Status = Status.informal
    informal: str = Field(min_length=1)
    sources: list[Source] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)
    formal: FormalStatement | None = None
    check: Check | None = None
    evidence: Evidence | None = None
    reviews: list[Review] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not is_valid_id(v):
            raise ValueError(f"'{v}' is not a kebab-case id (lowercase letters, digits, single hyphens)")
        return v

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        out: list[str] = []
        for t in v:
            t = t.strip()
            if not t:
                raise ValueError("tags must be non-empty strings")
            if t not in out:
                out.append(t)
        return out

    @field_validator("title", "informal")
    @classmethod
    def _nonblank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be blank")
        return v.replace("\r\n", "\n").replace("\r", "\n")

    @model_validator(mode="after")
    def _edges_ok(self) -> "Conjecture":
        seen = set()
        for e in self.edges:
            if e.target == self.id:
                raise ValueError(f"edge '{e.kind.value} {e.target}' is a self-loop")
            key = (e.kind, e.target)
            if key in seen:
                raise ValueError(f"edge '{e.kind.value} {e.target}' appears twice")
            seen.add(key)
        if self.status in (Status.formalized, Status.proved, Status.disproved) and self.formal is None:
            raise ValueError(f"status '{self.status.value}' needs a [formal] statement")
        return self

    def targets(self, kind: EdgeKind) -> list[str]:
        """Ids this node points at with edges of `kind`."""
        return [e.target for e in self.edges if e.kind == kind]

    def numeric_check(self) -> Note | None:
        """The newest numeric-check note about the node's claim as it stands (None when there is none)."""
        for note in reversed(self.notes):
            if note.trust == Trust.numeric_check and note.numeric is not None and note.numeric.matches(self.check):
                return note
        return None

    @property
    def refuted(self) -> bool:
        """True when the newest numeric check of the current claim found a counterexample (never a disproof)."""
        note = self.numeric_check()
        return note is not None and note.numeric.result == "refuted"  # type: ignore[union-attr]

    def file_data(self) -> dict:
        """The dict written to the TOML file: the id is the file name, empty optionals are left out."""
        data = self.model_dump(mode="json", exclude={"id"}, exclude_none=True)
        for key in ("tags", "sources", "edges", "reviews", "notes"):
            if not data.get(key):
                data.pop(key, None)
        if data.get("area") == "":
            data.pop("area")
        if "check" in data and not data["check"].get("vars"):
            data["check"].pop("vars", None)
        return data


class Summary(BaseModel):
    """One row of `wb list`: what scripts read from `wb list --json`."""

    id: str
    title: str
    kind: Kind
    area: str
    tags: list[str]
    status: DerivedStatus
    recorded_status: Status
    priority: int
    formal: bool
    notes: int = 0
    last_review: dict | None = None  # newest `reviewed` note: verdict, author, family, date
    numeric_check: dict | None = None  # newest numeric check of the current claim: result, method, witness, date


class ReasonCode(StrEnum):
    """Why a candidate proof was rejected."""

    lean_error = "lean-error"
    sorry = "sorry"
    axiom = "axiom"
    statement_mismatch = "statement-mismatch"
    missing_declaration = "missing-declaration"
    forbidden = "forbidden"
    timeout = "timeout"
    memory = "memory"
    bad_input = "bad-input"
    toolchain = "toolchain"
    provider = "provider"  # an attempt's model call failed after its retries (timeout, 429, 5xx); never from Lean
    no_proof = "no-proof"  # a search ended (budget, no state left) without a proof to check; never from Lean


class Reason(BaseModel):
    """One reason for a rejection; `line` is a line of the candidate when known."""

    code: ReasonCode
    message: str
    line: int | None = None


class LeanMessage(BaseModel):
    """A message Lean printed, with its position mapped back to the candidate where possible."""

    severity: Literal["information", "warning", "error"]
    text: str
    line: int | None = None
    column: int | None = None  # Lean's own, from 0 (JSON); what people read shows line:column from 1
    in_candidate: bool = False


class Verdict(BaseModel):
    """The result of `verify`: accepted only when Lean and every audit agree."""

    verdict: Literal["accepted", "rejected"]
    reasons: list[Reason] = Field(default_factory=list)
    axioms: list[str] = Field(default_factory=list)
    lean_version: str | None = None
    elapsed_s: float = 0.0
    messages: list[LeanMessage] = Field(default_factory=list)
    checker_version: str | None = None
    assumptions: list[str] = Field(default_factory=list)  # other nodes' statements the proof rests on (labels)
    replayed_by: str | None = None  # the independent checker that replayed the compiled proof (`--replay`)

    @property
    def accepted(self) -> bool:
        return self.verdict == "accepted"
