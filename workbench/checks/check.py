"""Numeric checks of a node's claim: store the claim, check it in the child process, keep the result as a note.

    from workbench.checks.check import check_claim, numeric_check
    run = numeric_check(ws, "poly-bound", claim="n**2 <= 2**n", vars={"n": "integer, n >= 1"})
    run.result.result, run.result.witness          # 'refuted', {'n': '3'}
    check_claim("log(n)**2 = o(n)").result         # ad hoc, nothing recorded: 'supported'

The result is evidence at trust `numeric-check`, never a settlement: a refuted node is shown refuted
and skipped by `wb next` and batch runs, but only a Lean-checked disproof makes it `disproved`.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from workbench.checks.claims import parse_claim
from workbench.checks.numeric import DEFAULT_SAMPLES
from workbench.checks.runner import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_S, run_child
from workbench.errors import ClaimError, UsageError, WorkbenchError
from workbench.model import Check, NumericRecord, NumericResult, Trust
from workbench.workspace import Change, Workspace

MAX_SAMPLES = 100_000
MAX_TIMEOUT_S = 3600.0
_STOPPED = {"timeout": "timeout", "memory": "memory", "crash": "error"}


class NumericCheck(BaseModel):
    """What `numeric_check` did: the result (as `--json` prints it), the record kept on the note, the commits."""

    result: NumericResult
    record: NumericRecord
    claim_change: Change | None = None
    note_change: Change | None = None
    elapsed_s: float = 0.0


def make_check(claim: str, vars: dict[str, str] | None = None, limit: str | None = None) -> Check:
    """A validated `Check`; a claim or condition that cannot be read is a ClaimError naming the part."""
    parse_claim(claim, vars or {}, limit)
    return Check(claim=claim.strip(), vars=dict(vars or {}), limit=limit)


def _limits(samples: int, seed: int, timeout: float) -> None:
    if not 1 <= samples <= MAX_SAMPLES:
        raise UsageError(f"--samples must be between 1 and {MAX_SAMPLES}, not {samples}")
    if seed < 0:
        raise UsageError(f"--seed must be 0 or more, not {seed}")
    if not 0 < timeout <= MAX_TIMEOUT_S:
        raise UsageError(f"--timeout must be more than 0 and at most {MAX_TIMEOUT_S:g} seconds, not {timeout:g}")


def check_claim(
    claim: str | Check,
    vars: dict[str, str] | None = None,
    *,
    limit: str | None = None,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    timeout: float = DEFAULT_TIMEOUT_S,
    memory_mb: int = DEFAULT_MEMORY_MB,
    conj_id: str | None = None,
) -> NumericCheck:
    """Check a claim in a child process (killed at `timeout` seconds, capped at `memory_mb`); records nothing."""
    check = claim if isinstance(claim, Check) else make_check(claim, vars, limit)
    _limits(samples, seed, timeout)
    answer = run_child(
        {"op": "check", "claim": check.claim, "vars": check.vars, "limit": check.limit, "samples": samples, "seed": seed},
        timeout=timeout, memory_mb=memory_mb,
    )
    stopped = answer.get("stopped")
    if stopped == "claim":
        raise ClaimError(str(answer.get("detail")))
    if stopped:
        result, method, witness = "inconclusive", _STOPPED.get(stopped, "error"), None
        detail = str(answer.get("detail") or stopped)
        if stopped == "memory":
            detail = f"stopped: the check needed more than {memory_mb} MB"
    else:
        result, method, witness, detail = answer["result"], answer["method"], answer.get("witness"), answer["detail"]
    record = NumericRecord(
        claim=check.claim, vars=check.vars, limit=check.limit, result=result, method=method, witness=witness,
        detail=detail, seed=seed, samples=int(answer.get("samples") or 0), sympy_version=answer.get("sympy_version"),
    )
    version = answer.get("sympy_version") or _sympy_version()
    record.sympy_version = version
    shown = NumericResult(id=conj_id, result=result, method=method, witness=witness, detail=detail, sympy_version=version)
    return NumericCheck(result=shown, record=record, elapsed_s=float(answer.get("elapsed_s") or 0.0))


def _sympy_version() -> str | None:
    """sympy's version from its metadata (without importing it)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sympy")
    except PackageNotFoundError:
        return None


def witness_text(witness: dict[str, str] | None) -> str:
    """`n = 3, x = 1/2` for a witness (empty for none)."""
    return ", ".join(f"{k} = {v}" for k, v in (witness or {}).items())


def note_text(record: NumericRecord, conj_id: str) -> str:
    """The note kept for a numeric check: the claim, the result and how it was reached, and the witness."""
    conditions = "; ".join(f"{k}: {v}" for k, v in record.vars.items())
    how = record.method
    if record.method in ("sampling", "exhaustive"):
        how += f", seed {record.seed}, {record.samples} sample{'s' if record.samples != 1 else ''}"
    detail = record.detail[:1].upper() + record.detail[1:]
    text = f"{record.result}: `{record.claim}`" + (f" ({conditions})" if conditions else "") + f". {detail}."
    text += f" Method: {how}" + (f"; sympy {record.sympy_version}" if record.sympy_version else "") + "."
    if record.result == "refuted":
        text += f" Not a disproof: only Lean disproves (`wb prove {conj_id} --disproof`)."
    return text


def _commit_summary(record: NumericRecord) -> str:
    extra = f", witness {witness_text(record.witness)}" if record.witness else ""
    return f"{record.result} ({record.method}{extra})"


def numeric_check(
    ws: Workspace,
    conj_id: str,
    *,
    claim: str | None = None,
    vars: dict[str, str] | None = None,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    timeout: float = DEFAULT_TIMEOUT_S,
    memory_mb: int = DEFAULT_MEMORY_MB,
    record: bool = True,
    actor: str = "wb numeric-check",
    author: str | None = None,
    family: str | None = None,
    client: str | None = None,
    commit: bool = True,
) -> NumericCheck:
    """Check `conj_id`'s claim and keep the result as a `numeric-check` note (one commit). With `claim`, the claim
    and `vars` are stored on the node first (one commit); `vars` alone adds to or replaces the stored conditions.
    With `record=False` nothing is written. Never changes the node's status."""
    conj = ws.get(conj_id)
    _limits(samples, seed, timeout)
    if claim is not None:
        wanted = make_check(claim, vars)
    elif conj.check is None:
        raise UsageError(f"'{conj_id}' has no claim to check",
                         hint=f"pass --claim EXPR (and --var \"NAME: CONDITION\"), or add a [check] table to {ws.rel(ws.path_for(conj_id))}")
    elif vars:
        wanted = make_check(conj.check.claim, {**conj.check.vars, **vars}, conj.check.limit)
    else:
        wanted = conj.check
    via = f" (client: {client})" if client else ""
    claim_change = None
    if record:
        ws.require_writable()
        if wanted != conj.check:
            def store(c) -> tuple[str, list]:
                c.check = wanted
                return f"{actor} {conj_id}: claim `{_one_line(wanted.claim)}`{via}", []

            claim_change = ws.update(conj_id, store, action="claim", commit=commit)
    run = check_claim(wanted, samples=samples, seed=seed, timeout=timeout, memory_mb=memory_mb, conj_id=conj_id)
    run.claim_change = claim_change
    if record:
        from workbench.notes import add_note

        run.note_change = add_note(
            ws, conj_id, text=note_text(run.record, conj_id), trust=Trust.numeric_check, author=author, family=family,
            verdict=run.record.result, numeric=run.record, commit=commit,
            message=f"{actor} {conj_id}: {_commit_summary(run.record)}{via}",
        )
    return run


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def lean_draft(ws: Workspace, conj_id: str, *, timeout: float = 30.0, memory_mb: int = DEFAULT_MEMORY_MB) -> str:
    """A Lean 4 / Mathlib statement drafted from `conj_id`'s claim (printed for a person to edit; never attached)."""
    conj = ws.get(conj_id)
    if conj.check is None:
        raise UsageError(f"'{conj_id}' has no claim to draft a statement from",
                         hint=f"add one with `wb numeric-check {conj_id} --claim EXPR`")
    name = conj.formal.decl.rsplit(".", 1)[-1] if conj.formal else conj_id.replace("-", "_")
    doc = (f"{conj.title}. Drafted by `wb formalize {conj_id} --draft` from the claim `{conj.check.claim}`: "
           "check that it says what the informal statement means before attaching it.")
    answer = run_child({"op": "draft", "claim": conj.check.claim, "vars": conj.check.vars, "limit": conj.check.limit,
                        "name": name, "doc": doc}, timeout=timeout, memory_mb=memory_mb)
    if answer.get("stopped") == "claim":
        raise ClaimError(str(answer.get("detail")))
    if "lean" not in answer:
        raise WorkbenchError(f"could not draft a Lean statement for '{conj_id}': {answer.get('detail') or answer.get('stopped')}")
    return str(answer["lean"])


__all__ = ["NumericCheck", "check_claim", "lean_draft", "make_check", "note_text", "numeric_check", "witness_text"]
