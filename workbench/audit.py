"""`wb audit`: replay every settlement with today's toolchain, so a workspace's CI can trust its statuses.

    from workbench.audit import audit
    report = audit(ws, record=False)
    report.ok, [(n.id, n.result) for n in report.nodes]
"""

from __future__ import annotations

import subprocess
import time
from datetime import datetime, timezone
from typing import Callable, Literal

from pydantic import BaseModel, Field

from workbench.errors import UsageError
from workbench.model import Conjecture, Status
from workbench.settle import LeanOptions, library, toolchain_for, verify_kwargs
from workbench.workspace import Change, Workspace

Result = Literal["ok", "failed", "stale", "unverified"]


class AuditNode(BaseModel):
    """One settled node's audit: `ok`, `failed` (with Lean's reasons), `stale` or `unverified`."""

    id: str
    result: Result
    reasons: list[str] = Field(default_factory=list)
    elapsed_s: float = 0.0


class AuditReport(BaseModel):
    """What `wb audit` found; `ok` only when every audited node is `ok`."""

    ok: bool
    nodes: list[AuditNode] = Field(default_factory=list)
    lean_version: str | None = None
    modules_built: int = 0
    lake: str | None = None  # "ok", or why `lake build` failed; None when there is no Lake
    elapsed_s: float = 0.0
    change: Change | None = None


def _unverified_reason(lib, conj: Conjecture) -> str:
    from workbench.lean.library import EvidenceFacts, evidence_problem

    facts = EvidenceFacts.of(conj)
    return (evidence_problem(lib.texts, facts)[1] if facts else "") or "no proof in the Lean project matches the evidence"


def audit(
    ws: Workspace,
    ids: list[str] | None = None,
    opts: LeanOptions | None = None,
    *,
    record: bool = False,
    commit: bool = True,
    replay: bool = False,
    on_node: Callable[[AuditNode], None] | None = None,
) -> AuditReport:
    """Re-verify the settled nodes (all, or `ids`): each stored proof through the same pipeline against the
    current statement, the digests and the list of nodes it rests on, then build the modules that hold them
    (and `lake build` where Lake is installed). With `record`, `ok` nodes get the new check time, toolchain and
    (for a re-checked changed statement) digest in their evidence, in one commit. With `replay`, each compiled
    proof is also replayed through an independent checker (lean4checker), as `wb lean verify --replay` does."""
    from workbench.lean.verify import CHECKER_VERSION, verify

    started = time.monotonic()
    opts = opts or LeanOptions()
    conjs = ws.all()
    if ids:
        for conj_id in ids:
            ws.get(conj_id)
        missing = [i for i in ids if conjs[i].status not in (Status.proved, Status.disproved)]
        if missing:
            raise UsageError(f"not settled, nothing to audit: {', '.join(missing)}", hint="`wb audit` replays proved and disproved nodes")
    chosen = [conjs[i] for i in (ids or sorted(conjs)) if conjs[i].status in (Status.proved, Status.disproved)]
    toolchain = toolchain_for(ws, opts)
    if replay:
        from workbench.lean.verify import REPLAY_HINT, replay_checker

        if replay_checker() is None:
            raise UsageError("--replay needs an independent checker: lean4checker is not on PATH", hint=REPLAY_HINT)
    lib = library(ws, opts, toolchain)
    records = ws.records()
    report = AuditReport(ok=True, lean_version=toolchain.version)
    passed: dict[str, tuple[Conjecture, str, list[str]]] = {}
    results: dict[str, AuditNode] = {}
    for conj in chosen:
        t0 = time.monotonic()
        state = records[conj.id].evidence
        node = AuditNode(id=conj.id, result="ok")
        if state == "unverified":
            node.result, node.reasons = "unverified", [_unverified_reason(lib, conj)]
        else:
            candidate = lib.stored_candidate(conj.id) or ""
            try:
                env = lib.check_env(conj.id)
                verdict = verify(
                    env.statement_path, candidate, conj.formal.decl, toolchain=toolchain,  # type: ignore[union-attr]
                    negate=conj.status == Status.disproved, strict=True, replay=replay, **verify_kwargs(ws, opts, env),
                )
            except UsageError as exc:
                node.result, node.reasons = "failed", [exc.message]
            else:
                rests_on = sorted(set(verdict.assumptions) - {conj.id})
                recorded = sorted(conj.evidence.rests_on) if conj.evidence else []
                if not verdict.accepted:
                    node.result = "failed"
                    node.reasons = [f"{r.code.value}: {r.message}" for r in verdict.reasons]
                elif rests_on != recorded:
                    node.result = "failed"
                    node.reasons = [f"the proof now rests on {', '.join(rests_on) or 'no other node'}; the evidence says {', '.join(recorded) or 'none'}"]
                elif state == "stale":
                    node.result = "stale"
                    node.reasons = [f"the statement changed since the proof was recorded; the proof still checks against the new one (pin it with `wb audit {conj.id} --record`)"]
                if node.result in ("ok", "stale") or (record and node.result == "failed" and verdict.accepted):
                    passed[conj.id] = (conj, env.digest, rests_on)
        node.elapsed_s = round(time.monotonic() - t0, 3)
        results[conj.id] = node
    _build_check(lib, chosen, results, report)
    if toolchain.lake and toolchain.cwd and chosen:
        report.lake = _lake_build(toolchain.lake, toolchain.cwd)
        if report.lake != "ok":
            for node in results.values():
                if node.result == "ok":
                    node.result, node.reasons = "failed", [f"lake build failed: {report.lake}"]
    if record and passed:
        report.change = _record(ws, results, passed, toolchain.version, CHECKER_VERSION, commit=commit)
    for conj in chosen:
        if on_node is not None:
            on_node(results[conj.id])
    report.nodes = [results[c.id] for c in chosen]
    report.ok = all(n.result == "ok" for n in report.nodes)
    report.elapsed_s = round(time.monotonic() - started, 3)
    return report


def _build_check(lib, chosen: list[Conjecture], results: dict[str, AuditNode], report: AuditReport) -> None:
    """Compile the modules holding the audited settlements and everything importing them, as they are."""
    modules = sorted({c.formal.module for c in chosen if c.formal is not None and c.formal.module in lib.texts.files})
    if not modules:
        return
    users = {u for m in modules for u in lib.texts.importers(m)}
    built = lib.build_library(lib.texts.closure(sorted(set(modules) | users)), keep_going=True)
    report.modules_built = built.compiled + built.reused
    broken = {f.module: f for f in built.failures}
    for conj in chosen:
        module = conj.formal.module  # type: ignore[union-attr]
        failure = broken.get(module)
        if failure is not None and results[conj.id].result == "ok":
            results[conj.id].result, results[conj.id].reasons = "failed", [failure.message()]


def _lake_build(lake: str, project) -> str:
    try:
        done = subprocess.run([lake, "build"], cwd=project, capture_output=True, text=True, timeout=6 * 3600, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"could not run lake build: {exc}"
    if done.returncode == 0:
        return "ok"
    return ((done.stdout + done.stderr).strip()[-600:] or f"exit status {done.returncode}")


def _record(ws: Workspace, results: dict[str, AuditNode], passed: dict, lean_version: str | None, checker: str, *, commit: bool) -> Change | None:
    """Write the new check time, toolchain and digests into the evidence of every node that passed, in one commit."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    updated: list[Conjecture] = []
    for conj_id, (conj, digest, rests_on) in passed.items():
        node = results[conj_id]
        if node.result == "failed" and not node.reasons[0].startswith("the proof now rests on"):
            continue
        derived = {r["id"]: r["status"] for r in ws.list()}
        ev = conj.evidence.model_copy(update={  # type: ignore[union-attr]
            "checked_at": now, "lean_version": lean_version, "checker_version": checker, "statement_digest": digest,
            "rests_on": rests_on, "assumes": [d for d in rests_on if derived.get(d) != "proved"],
        })
        conj.evidence = ev
        updated.append(conj)
        node.result, node.reasons = "ok", [r for r in node.reasons if not r.startswith("the statement changed")]
    if not updated:
        return None
    from workbench.settle import short_version

    ids = [c.id for c in updated]
    message = f"wb audit --record: {len(ids)} settlement{'s' if len(ids) > 1 else ''} re-checked with {short_version(lean_version)} ({', '.join(ids[:8])}{', …' if len(ids) > 8 else ''})"
    return ws.save_many(updated, message, action="audit", commit=commit)


__all__ = ["AuditNode", "AuditReport", "audit"]
