"""Formal statements and settlement: attach a Lean statement, check it, and record Lean-accepted proofs."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from pydantic import BaseModel

from workbench.errors import ConflictError, NotFoundError, UsageError
from workbench.model import Conjecture, Evidence, FormalStatement, Status, Verdict
from workbench.workspace import Change, Workspace

PROOFS_PACKAGE = "Proofs"


class LeanOptions(BaseModel):
    """How to run Lean: command-line values override workbench.toml's [lean] table."""

    lean: str | None = None
    timeout: float | None = None
    memory_mb: int | None = None
    sandbox: str = "auto"
    allow_axioms: list[str] = []

    def resolved(self, ws: Workspace) -> dict:
        """Keyword arguments for the verifier, with the workspace's defaults filled in."""
        cfg = ws.config.get("lean", {})
        return {
            "timeout": float(self.timeout or cfg.get("timeout_s", 300)),
            "memory_mb": int(self.memory_mb or cfg.get("memory_mb", 8192)),
            "sandbox": self.sandbox,
        }


class CheckResult(BaseModel):
    """What `wb check` did: the verdict and, when something was recorded, the change."""

    id: str
    action: str
    verdict: Verdict
    status: str
    change: Change | None = None


def short_version(version: str | None) -> str:
    """'Lean 4.35.0' from Lean's long version string."""
    m = re.search(r"version (\d[^,\s)]*)", version or "")
    return f"Lean {m.group(1)}" if m else (version or "Lean ?")


def configured_lean(ws: Workspace) -> str | None:
    """`lean = "…"` from workbench.toml's [lean] table, a relative path taken from the workspace root."""
    lean_cfg = ws.config.get("lean", {})
    value = lean_cfg.get("lean") if isinstance(lean_cfg, dict) else None
    if not isinstance(value, str) or not value:
        return None
    return value if Path(value).is_absolute() else str((ws.root / value).resolve())


def toolchain_for(ws: Workspace, opts: LeanOptions):
    """Resolve the Lean toolchain for this workspace (flag, env, workbench.toml, Lake, PATH)."""
    from workbench.lean.toolchain import resolve_toolchain

    return resolve_toolchain(opts.lean, workspace_root=ws.root, config_lean=configured_lean(ws))


def allowed_axioms(ws: Workspace, opts: LeanOptions) -> list[str]:
    """Extra axioms allowed on top of the default three (workbench.toml plus --allow-axiom)."""
    cfg = ws.config.get("lean", {}).get("allow_axioms", [])
    return sorted(set(cfg) | set(opts.allow_axioms))


def _module_name(stem: str) -> str:
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", stem) if p]
    name = "".join(p[:1].upper() + p[1:] for p in parts) or "Statement"
    return name if name[0].isalpha() else "S" + name


def module_of(ws: Workspace, path: Path) -> str:
    """The Lean module name of a file inside the workspace's Lake project."""
    rel = path.resolve().relative_to(ws.lean_dir.resolve())
    return ".".join(rel.with_suffix("").parts)


def statement_file(ws: Workspace, conj: Conjecture) -> Path:
    """The Lean file holding a conjecture's formal statement."""
    if conj.formal is None:
        raise UsageError(f"'{conj.id}' has no formal statement", hint=f"attach one with `wb formalize {conj.id} --lean FILE --decl NAME`")
    path = ws.root / conj.formal.file if conj.formal.file else ws.lean_dir / (conj.formal.module.replace(".", "/") + ".lean")
    if not path.is_file():
        raise NotFoundError(f"{ws.rel(path) if path.is_relative_to(ws.root) else path}: the formal statement file of '{conj.id}' is missing")
    return path


def formalize(ws: Workspace, conj_id: str, lean_file: Path, decl: str, *, commit: bool = True) -> Change:
    """Attach `decl` in `lean_file` as the formal statement of `conj_id`, copying the file into the
    workspace's Lake project (under Conjectures/) unless it is already there."""
    from workbench.lean.verify import target_declaration

    conj = ws.get(conj_id)
    lean_file = Path(lean_file)
    if not lean_file.is_file():
        raise NotFoundError(f"{lean_file}: no such file")
    try:
        text = lean_file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{lean_file}: not valid UTF-8") from None
    target_declaration(lean_file, text, decl)
    extra: list[tuple[Path, str | None]] = []
    inside = lean_file.resolve().is_relative_to(ws.lean_dir.resolve())
    if inside:
        dest = lean_file.resolve()
    else:
        dest = ws.lean_dir / "Conjectures" / f"{_module_name(lean_file.stem)}.lean"
        if dest.exists() and dest.read_text(encoding="utf-8") != text:
            dest = ws.lean_dir / "Conjectures" / f"{_module_name(conj_id)}.lean"
            if dest.exists() and dest.read_text(encoding="utf-8") != text:
                raise UsageError(f"{ws.rel(dest)} already exists with other content", hint="move your file into lean/ and pass that path")
        extra.append((dest, text))
    conj.formal = FormalStatement(module=module_of(ws, dest), decl=decl, file=ws.rel(dest))
    if conj.status in (Status.formalized, Status.proved, Status.disproved):
        conj.status = Status.informal
        conj.evidence = None
    return ws.save(conj, f"wb formalize {conj_id}: {conj.formal.module} {decl}", action="formalize", commit=commit, extra=extra)


def check(ws: Workspace, conj_id: str, opts: LeanOptions, *, commit: bool = True) -> CheckResult:
    """Check that the formal statement elaborates; on success an `informal` node becomes `formalized`."""
    from workbench.lean.verify import CHECKER_VERSION, check_statement

    conj = ws.get(conj_id)
    path = statement_file(ws, conj)
    toolchain = toolchain_for(ws, opts)
    verdict = check_statement(path, conj.formal.decl, toolchain=toolchain, **opts.resolved(ws))  # type: ignore[union-attr]
    if not verdict.accepted:
        return CheckResult(id=conj_id, action="check", verdict=verdict, status=conj.status.value)
    change = None
    if conj.status == Status.informal:
        conj.status = Status.formalized
        conj.evidence = Evidence(
            lean_version=verdict.lean_version, checker_version=CHECKER_VERSION,
            checked_at=datetime.now(timezone.utc).replace(microsecond=0), elapsed_s=round(verdict.elapsed_s, 3),
        )
        change = ws.save(conj, f"wb check {conj_id}: statement elaborates, now formalized", action="check", commit=commit)
    return CheckResult(id=conj_id, action="check", verdict=verdict, status=conj.status.value, change=change)


def proof_path(ws: Workspace, conj: Conjecture, negate: bool) -> Path:
    """Where the accepted proof (or disproof) of `conj` is stored in the Lake project."""
    stem = _module_name(conj.id) + ("Disproof" if negate else "")
    return ws.lean_dir / "Conjectures" / PROOFS_PACKAGE / f"{stem}.lean"


def proof_file_text(statement_path: Path, statement: str, candidate: str, decl: str, *, header: str) -> str:
    """A Lean file that compiles on its own: the statement's text up to the target declaration, then the
    accepted candidate in its place (what was checked, minus the checker's reference and audit)."""
    from workbench.lean.verify import target_declaration

    start = target_declaration(statement_path, statement, decl).command.start
    return f"-- {header}\n" + statement[:start].rstrip() + "\n\n" + candidate.strip() + "\n"


def record_settlement(
    ws: Workspace,
    conj_id: str,
    candidate: str,
    verdict: Verdict,
    *,
    statement: str,
    negate: bool = False,
    prover: str | None = None,
    model: str | None = None,
    source: str | None = None,
    commit: bool = True,
    command: str | None = None,
    note: str = "",
) -> CheckResult:
    """Record a candidate Lean accepted against `statement`: proof file, evidence, status and one commit
    (its message starts with `command`, default `wb check ID --proof`, and ends with `note`).

    Done under the workspace lock after re-reading the node: if it was settled meanwhile, or its
    statement changed since it was checked, nothing is written and ConflictError is raised."""
    from workbench.lean.verify import CHECKER_VERSION

    action = "disproof" if negate else "proof"
    if not verdict.accepted:
        raise UsageError(f"cannot record a rejected {action} of '{conj_id}'")

    def edit(conj: Conjecture) -> tuple[str, list[tuple[Path, str | None]]]:
        if conj.status in (Status.proved, Status.disproved):
            raise ConflictError(f"'{conj_id}' is already {conj.status.value}", hint=f"see `wb show {conj_id}`")
        path = statement_file(ws, conj)
        if path.read_text(encoding="utf-8") != statement:
            raise ConflictError(f"the statement of '{conj_id}' changed while its proof was being checked; nothing recorded")
        dest = proof_path(ws, conj, negate)
        version = short_version(verdict.lean_version)
        conj.status = Status.disproved if negate else Status.proved
        conj.evidence = Evidence(
            lean_version=verdict.lean_version, axioms=verdict.axioms, checker_version=CHECKER_VERSION,
            checked_at=datetime.now(timezone.utc).replace(microsecond=0), elapsed_s=round(verdict.elapsed_s, 3),
            proof_file=ws.rel(dest), prover=prover, model=model, source=source,
        )
        who = f" by {prover}" + (f"/{model}" if model else "") if prover else ""
        axioms = ", ".join(verdict.axioms) or "none"
        message = f"{command or f'wb check {conj_id} --{action}'}: {conj.status.value}{who} ({version}, axioms: {axioms}){note}"
        header = f"{'Disproof' if negate else 'Proof'} of `{conj_id}`, accepted by {CHECKER_VERSION} with {version}."
        return message, [(dest, proof_file_text(path, statement, candidate, conj.formal.decl, header=header))]  # type: ignore[union-attr]

    change = ws.update(conj_id, edit, action=action, commit=commit)
    return CheckResult(id=conj_id, action=action, verdict=verdict, status=(Status.disproved if negate else Status.proved).value, change=change)


def settle(
    ws: Workspace,
    conj_id: str,
    candidate: str | bytes,
    opts: LeanOptions,
    *,
    negate: bool = False,
    prover: str | None = None,
    model: str | None = None,
    source: str | None = None,
    commit: bool = True,
    command: str | None = None,
    note: str = "",
) -> CheckResult:
    """Verify `candidate` (a whole file or just the declarations) against the node's statement; when
    Lean accepts it, record the settlement (`record_settlement`, which `command` and `note` are
    passed to). A rejection changes nothing."""
    from workbench.lean.normalize import normalize_candidate
    from workbench.lean.verify import verify

    conj = ws.get(conj_id)
    if conj.status in (Status.proved, Status.disproved):
        raise ConflictError(f"'{conj_id}' is already {conj.status.value}", hint=f"see `wb show {conj_id}`")
    path = statement_file(ws, conj)
    statement = path.read_text(encoding="utf-8")
    decl = conj.formal.decl  # type: ignore[union-attr]
    body = normalize_candidate(statement, candidate, decl) if isinstance(candidate, str) else candidate
    verdict = verify(
        path, body, decl, toolchain=toolchain_for(ws, opts), allow_axioms=allowed_axioms(ws, opts),
        negate=negate, strict=True, **opts.resolved(ws),
    )
    if not verdict.accepted:
        return CheckResult(id=conj_id, action="disproof" if negate else "proof", verdict=verdict, status=conj.status.value)
    return record_settlement(
        ws, conj_id, body, verdict, statement=statement, negate=negate, prover=prover, model=model, source=source,
        commit=commit, command=command, note=note,
    )


def commit_interrupted_settlements(ws: Workspace, note: str) -> list[str]:
    """Commit settlements whose files were written but whose commit never happened (the process was
    killed in between): a node file that records proved/disproved with evidence, unlike HEAD's."""
    import tomllib

    from workbench.gitrepo import GitRepo

    repo = GitRepo(ws.root)
    done = []
    with ws.lock():
        for rel in repo.uncommitted("conjectures"):
            if not rel.endswith(".toml") or not (ws.root / rel).is_file():
                continue
            conj = ws.get(Path(rel).stem)
            before = repo.at_head(rel)
            was = tomllib.loads(before).get("status") if before else None
            if conj.status not in (Status.proved, Status.disproved) or was == conj.status.value or conj.evidence is None:
                continue
            paths = [ws.root / rel]
            if conj.evidence.proof_file and (ws.root / conj.evidence.proof_file).is_file():
                paths.append(ws.root / conj.evidence.proof_file)
            repo.commit(paths, f"wb check {conj.id}: {conj.status.value} (commit of a settlement interrupted by a kill){note}")
            done.append(conj.id)
    return done
