"""The prover protocol: a `Task` goes in, `Candidate`s come out, Lean's `Verdict` on each goes back.

A prover is a generator of candidates that receives feedback through `send`:

    gen = prover.candidates(task)
    candidate = next(gen)
    while True:
        feedback = check(candidate)           # the workbench verifies; a prover only proposes
        if feedback.verdict.accepted:
            gen.close(); break
        try:
            candidate = gen.send(feedback)    # the prover may repair from Lean's messages
        except StopIteration:
            break

One generator is one *attempt* (a fresh conversation for a model); its candidates are rounds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Generator
from pathlib import Path
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, Field

from workbench.model import LeanMessage, Reason, Status, Verdict


class Dependency(BaseModel):
    """A node the target `uses`: its formal statement and exact Lean name; proved, or an assumption a proof may
    use (the proof is then conditional on it)."""

    id: str
    decl: str
    module: str
    statement: str  # the declaration's text up to (not including) its proof
    proved: bool
    status: str = ""  # the node's shown status
    imported: bool = True  # the target's statement module imports the dependency's module


class PastFailure(BaseModel):
    """An earlier rejected attempt on the same conjecture, with what Lean said."""

    no: int | None = None
    prover: str
    model: str | None = None
    candidate: str
    reasons: list[Reason] = Field(default_factory=list)
    messages: list[LeanMessage] = Field(default_factory=list)


class Task(BaseModel):
    """Everything a prover is told about one conjecture."""

    conjecture: str
    title: str = ""
    statement_file: Path
    statement_text: str
    decl: str
    informal: str = ""
    dependencies: list[Dependency] = Field(default_factory=list)
    failures: list[PastFailure] = Field(default_factory=list)
    negate: bool = False
    counterexample: str = ""  # for a disproof: what a numeric check found against the node's claim
    check_file: Path | None = None  # the checking view Lean checks candidates against (see settle.check_env)
    lean_path: list[Path] = Field(default_factory=list)
    assumptions: dict[str, str] = Field(default_factory=dict)
    digest: str | None = None

    def verify_args(self) -> dict:
        """Where and with what `verify` checks this task's candidates (the checking view, its modules, assumptions)."""
        return {"lean_path": self.lean_path, "assumptions": self.assumptions}

    @property
    def target(self) -> str:
        """The target declaration's text up to its proof (`theorem foo … :`)."""
        return declaration_header(self.statement_text, self.decl) or self.decl


class Candidate(BaseModel):
    """One proposed proof. `text` is None when the prover could not produce code; `problem` says why."""

    text: str | None
    round: int = 1
    label: str | None = None  # e.g. the tactic tried
    prompt_hash: str | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    duration_s: float = 0.0  # time the prover spent producing it (model call), not Lean's
    provider: str | None = None
    model: str | None = None
    reply: str | None = None  # the raw model reply, kept for review
    problem: str | None = None  # no code, truncated reply, garbage, provider timeout …
    problem_code: str = "bad-input"  # the reason code recorded for `problem`
    search: str | None = None  # the stepwise search that produced it (see provers.stepwise.record)
    search_step: int | None = None  # the step of that search it stands for (the solved one, or the closest)


class Feedback(BaseModel):
    """What a prover hears about its last candidate: Lean's verdict and the exact text Lean checked
    (the candidate after normalization; the positions in the verdict's messages count its lines)."""

    verdict: Verdict
    checked: str | None = None
    problem: str | None = None


CandidateStream = Generator[Candidate, Feedback, None]


@runtime_checkable
class Prover(Protocol):
    """What `prove` and batch runs drive: a name, the model it uses (if any) and a candidate generator."""

    name: str  # "portfolio", or a provider name for a model ("openai", "deepseek", …)
    kind: str  # "portfolio" or "llm"
    model: str | None

    def candidates(self, task: Task) -> CandidateStream:
        """Yield candidates for `task`; each `send` delivers the `Feedback` on the last one."""
        ...


def prompt_hash(*parts: object) -> str:
    """A short stable hash of what was sent to a model (system prompt and messages)."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def declaration_header(source: str, name: str) -> str | None:
    """The text of declaration `name` in `source` from its start up to its `:=`, or None if not found."""
    from workbench.lean.source import LexError, find_declaration

    try:
        decl = find_declaration(source, name)
    except LexError:
        return None
    if decl is None or decl.proof_sep is None:
        return None
    return source[decl.command.start : decl.proof_sep.start].rstrip()


def negated_header(header: str) -> str | None:
    """`theorem NAME : (∀ BINDERS, TYPE) → False` for a header `theorem NAME BINDERS : TYPE` (its negation, as the
    checker of a disproof expects NAME's type), or None when the header cannot be split."""
    import re

    m = re.search(r"\b(?:theorem|lemma)\s+(\S+)", header)
    if m is None:
        return None
    rest, depth, colon = header[m.end():], 0, None
    for i, ch in enumerate(rest):
        if ch in "([{⦃":
            depth += 1
        elif ch in ")]}⦄":
            depth -= 1
        elif ch == ":" and depth == 0 and rest[i + 1:i + 2] != "=":
            colon = i
            break
    if colon is None:
        return None
    binders, body = rest[:colon].strip(), " ".join(rest[colon + 1:].split())
    statement = f"∀ {' '.join(binders.split())}, {body}" if binders else body
    return f"theorem {m.group(1)} : ({statement}) → False"


def counterexample_text(conj) -> str:
    """What the newest numeric check found against `conj`'s claim (empty when it did not refute it)."""
    note = conj.numeric_check()
    if note is None or note.numeric.result != "refuted":
        return ""
    rec = note.numeric
    conditions = "; ".join(f"{k}: {v}" for k, v in rec.vars.items())
    claim = f"`{rec.claim}`" + (f" (where {conditions})" if conditions else "")
    witness = ", ".join(f"{k} = {v}" for k, v in (rec.witness or {}).items())
    return f"the claim {claim} fails" + (f" at {witness}" if witness else "") + f": {rec.detail}"


def build_task(ws, conj_id: str, *, store=None, failures: int = 3, failure_prover: str | None = "llm",
               negate: bool = False, env=None) -> Task:
    """The task for `conj_id`: its statement (as formalized, settlement blocks undone), target, informal text,
    `uses` dependencies with formal statements and exact Lean names, and the latest `failures` rejected attempts
    from the attempts store (of `failure_prover` only, by default model attempts: a list of failed tactics teaches
    a model little). With `env` (from `settle.check_env`), candidates are checked against that environment.
    With `negate` (a disproof), earlier attempts are left out (they were proofs) and a numeric check's
    counterexample to the node's claim, when there is one, is put in the task."""
    from workbench.lean.project import ModuleTexts
    from workbench.model import EdgeKind
    from workbench.settle import statement_file

    conj = ws.get(conj_id)
    path = statement_file(ws, conj)
    texts = ModuleTexts(ws.lean_dir)
    module = conj.formal.module  # type: ignore[union-attr]
    text = texts.view(module) if module in texts.files else path.read_text(encoding="utf-8")
    imported = set(texts.closure([], of_text=text))
    shown = {r["id"]: r["status"] for r in ws.list()}
    deps: list[Dependency] = []
    for dep_id in conj.targets(EdgeKind.uses):
        try:
            dep = ws.get(dep_id)
            if dep.formal is None:
                continue
            dep_text = texts.view(dep.formal.module) if dep.formal.module in texts.files else statement_file(ws, dep).read_text(encoding="utf-8")
        except Exception:  # noqa: BLE001 - a broken dependency is context we cannot give, not a failure
            continue
        header = declaration_header(dep_text, dep.formal.decl)
        if header is None:
            continue
        deps.append(Dependency(
            id=dep_id, decl=dep.formal.decl, module=dep.formal.module, statement=header,
            proved=shown.get(dep_id) == Status.proved.value, status=shown.get(dep_id, dep.status.value),
            imported=dep.formal.module in imported or dep.formal.module == module,
        ))
    past: list[PastFailure] = []
    if store is not None and failures > 0 and not negate:
        for a in store.failures(conj_id, limit=failures, prover=failure_prover):
            past.append(PastFailure(no=a.no, prover=a.prover, model=a.model, candidate=a.candidate or "",
                                    reasons=a.reasons, messages=a.messages))
    task = Task(
        conjecture=conj_id, title=conj.title, statement_file=path, statement_text=text,
        decl=conj.formal.decl, informal=conj.informal, dependencies=deps, failures=past, negate=negate,
        counterexample=counterexample_text(conj) if negate else "",
    )
    if env is not None:
        task.check_file, task.lean_path, task.assumptions, task.digest = env.statement_path, env.roots, env.assumptions, env.digest
    return task
