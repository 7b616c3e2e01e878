"""Formal statements and settlement: attach a Lean statement, check it, and record Lean-accepted proofs."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from pydantic import BaseModel

from workbench.errors import ConflictError, NotFoundError, UsageError
from workbench.model import Conjecture, Evidence, FormalStatement, Status, Verdict
from workbench.workspace import Change, Workspace



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
    added_uses: list[str] = []  # `uses` edges the settlement added because the Lean proof needs them
    cycle_uses: list[str] = []  # ones it needs but could not add (they would close a cycle)


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


def library(ws: Workspace, opts: LeanOptions | None = None, toolchain=None):
    """The workspace's Lean project as a `Library` over every node with a formal statement."""
    from workbench.lean import sandbox as sb
    from workbench.lean.library import Library, NodeRef

    from workbench.storage import unwritable_reason

    opts = opts or LeanOptions()
    limits = opts.resolved(ws)
    nodes = [NodeRef(conj_id, module, decl) for conj_id, (module, decl) in ws.index.formal_refs().items()]
    cache = ws.state_dir / "build"
    if unwritable_reason(cache):
        import hashlib
        import tempfile

        cache = Path(tempfile.gettempdir()) / f"wb-build-{hashlib.sha256(str(ws.root).encode()).hexdigest()[:12]}"
    return Library(
        ws.lean_dir, cache, nodes, toolchain=toolchain, timeout=limits["timeout"],
        memory_mb=limits["memory_mb"], sandbox=sb.use_sandbox(limits["sandbox"]) if toolchain is not None else False,
    )


def _statement_modules_change(ws: Workspace, lib) -> list[tuple[Path, str | None]]:
    from workbench.lean.library import ROOT_MODULE
    from workbench.lean.project import module_file

    path = module_file(ws.lean_dir, ROOT_MODULE)
    text = lib.root_text()
    current = path.read_text(encoding="utf-8") if path.is_file() else None
    return [] if current == text else [(path, text)]


def formalize(ws: Workspace, conj_id: str, lean_file: Path, decl: str, *, commit: bool = True, force: bool = False) -> Change:
    """Attach `decl` in `lean_file` as the formal statement of `conj_id`, copying the file into the
    workspace's Lake project (under Conjectures/) unless it is already there, and import its module from
    the project's root module. A settled node is refused unless `force`, which withdraws its settlement."""
    from workbench.lean.verify import target_declaration

    conj = ws.get(conj_id)
    settled = conj.status in (Status.proved, Status.disproved)
    if settled and not force:
        raise ConflictError(
            f"'{conj_id}' is {conj.status.value}; a new statement would withdraw that settlement",
            hint=f"pass --force to withdraw it (the proof leaves the Lean project), see `wb show {conj_id}`",
        )
    lean_file = Path(lean_file)
    if not lean_file.is_file():
        raise NotFoundError(f"{lean_file}: no such file")
    try:
        text = lean_file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{lean_file}: not valid UTF-8") from None
    extra: list[tuple[Path, str | None]] = []
    withdrawn = ""
    if settled and conj.formal is not None:
        from workbench.lean.project import withdraw

        old = statement_file(ws, conj)
        old_text = old.read_text(encoding="utf-8")
        restored = withdraw(old_text, conj_id)
        if restored != old_text:
            extra.append((old, restored))
            if old.resolve() == lean_file.resolve():
                text = restored
        withdrawn = f"; the {conj.status.value[:-1]} settlement is withdrawn (its proof left {ws.rel(old)})"
    try:
        target_declaration(lean_file, text, decl)
    except UsageError as exc:
        raise UsageError(f"--decl {decl}: {exc.message}", hint="--decl takes the declaration's name, fully qualified or as written") from None
    inside = lean_file.resolve().is_relative_to(ws.lean_dir.resolve())
    if inside:
        dest = lean_file.resolve()
        if not any(p.resolve() == dest for p, _ in extra):
            extra.append((dest, text))
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
    from workbench.lean.library import NodeRef

    lib = library(ws)
    lib.nodes[conj_id] = NodeRef(conj_id, conj.formal.module, decl)
    extra += _statement_modules_change(ws, lib)
    return ws.save(conj, f"wb formalize {conj_id}: {conj.formal.module} {decl}{withdrawn}", action="formalize", commit=commit, extra=extra)


def workspace_lean_path(ws: Workspace, statement_text: str, toolchain) -> list[Path]:
    """LEAN_PATH roots for the workspace modules `statement_text` imports, built as they are (proofs included)."""
    return library(ws, LeanOptions(), toolchain).library_roots(statement_text)


def check(ws: Workspace, conj_id: str, opts: LeanOptions, *, commit: bool = True) -> CheckResult:
    """Check that the formal statement elaborates; on success an `informal` node becomes `formalized`."""
    from workbench.lean.verify import CHECKER_VERSION, check_statement

    conj = ws.get(conj_id)
    path = statement_file(ws, conj)
    toolchain = toolchain_for(ws, opts)
    lib = library(ws, opts, toolchain)
    roots = lib.library_roots(path.read_text(encoding="utf-8"))
    verdict = check_statement(path, conj.formal.decl, toolchain=toolchain, lean_path=roots, **opts.resolved(ws))  # type: ignore[union-attr]
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


def check_env(ws: Workspace, conj_id: str, opts: LeanOptions, toolchain=None):
    """What a candidate for `conj_id` is checked against (`Library.check_env`): the statement with every other
    node's declaration an assumption, the built modules it imports, and the statement's digest."""
    conj = ws.get(conj_id)
    statement_file(ws, conj)
    toolchain = toolchain or toolchain_for(ws, opts)
    return library(ws, opts, toolchain).check_env(conj_id)


def verify_kwargs(ws: Workspace, opts: LeanOptions, env) -> dict:
    """Keyword arguments for `verify` against a `check_env` (limits, allowed axioms, modules, assumptions)."""
    return {
        "allow_axioms": allowed_axioms(ws, opts), "lean_path": env.roots, "assumptions": env.assumptions,
        **opts.resolved(ws),
    }


def record_settlement(
    ws: Workspace,
    conj_id: str,
    candidate: str,
    verdict: Verdict,
    *,
    statement_digest: str,
    negate: bool = False,
    prover: str | None = None,
    model: str | None = None,
    source: str | None = None,
    commit: bool = True,
    command: str | None = None,
    note: str = "",
    opts: LeanOptions | None = None,
    toolchain=None,
) -> CheckResult:
    """Record a candidate Lean accepted against the statement whose digest is `statement_digest`: the proof
    block in the statement module (which must still compile with every module that imports it), evidence
    (with the nodes Lean says the proof rests on), `uses` edges the proof needs, status and one commit
    (its message starts with `command`, default `wb check ID --proof`, and ends with `note`).

    Done under the workspace lock after re-reading the node: if it was settled meanwhile, or its statement
    changed since it was checked, nothing is written and ConflictError is raised. When the proof does not fit
    into the project (a helper's name clashes with a later declaration), the verdict becomes a rejection."""
    from workbench.graph import cycle_if_linked
    from workbench.lean.project import text_digest
    from workbench.lean.verify import CHECKER_VERSION
    from workbench.model import Edge, EdgeKind, Reason, ReasonCode

    action = "disproof" if negate else "proof"
    if not verdict.accepted:
        raise UsageError(f"cannot record a rejected {action} of '{conj_id}'")
    from workbench.errors import ToolchainError

    opts = opts or LeanOptions()
    if toolchain is None:
        try:
            toolchain = toolchain_for(ws, opts)
        except ToolchainError:
            toolchain = None  # only a substitute verifier (tests, benchmarks) gets here: no fit check without Lean
    misfit: list[str] = []
    edges_added: list[str] = []
    edges_refused: list[str] = []

    def edit(conj: Conjecture) -> tuple[str, list[tuple[Path, str | None]]]:
        if conj.status in (Status.proved, Status.disproved):
            raise ConflictError(f"'{conj_id}' is already {conj.status.value}", hint=f"see `wb show {conj_id}`")
        path = statement_file(ws, conj)
        lib = library(ws, opts, toolchain)
        if lib.digest(conj_id) != statement_digest:
            raise ConflictError(f"the statement of '{conj_id}' changed while its proof was being checked; nothing recorded")
        version = short_version(verdict.lean_version)
        header = f"{'disproof' if negate else 'proof'} accepted by {CHECKER_VERSION} with {version}; `wb formalize {conj_id} --force` withdraws it"
        body = candidate if candidate.endswith("\n") else candidate + "\n"
        new_text = lib.settled_text(conj_id, body, negate=negate, header=header)
        module = conj.formal.module  # type: ignore[union-attr]
        failures = lib.fits(module, new_text) if toolchain is not None else []
        if failures:
            misfit.extend(f.message() for f in failures)
            raise _Misfit()
        derived = {r["id"]: r["status"] for r in ws.index.rows()}
        rests_on = sorted(set(verdict.assumptions) - {conj_id})
        assumes = [d for d in rests_on if derived.get(d) != "proved"]
        conj.status = Status.disproved if negate else Status.proved
        conj.evidence = Evidence(
            lean_version=verdict.lean_version, axioms=verdict.axioms, checker_version=CHECKER_VERSION,
            checked_at=datetime.now(timezone.utc).replace(microsecond=0), elapsed_s=round(verdict.elapsed_s, 3),
            proof_file=ws.rel(path), prover=prover, model=model, source=source,
            statement_digest=statement_digest, proof_digest=text_digest(body), assumes=assumes, rests_on=rests_on,
        )
        added, refused = edges_added, edges_refused
        records = ws.records()
        for dep in rests_on:
            if dep in conj.targets(EdgeKind.uses):
                continue
            if cycle_if_linked(records, conj_id, dep):
                refused.append(dep)
            else:
                conj.edges.append(Edge(kind=EdgeKind.uses, target=dep))
                added.append(dep)
        who = f" by {prover}" + (f"/{model}" if model else "") if prover else ""
        axioms = ", ".join(verdict.axioms) or "none"
        cond = f", conditional on {', '.join(assumes)}" if assumes else ""
        extra_note = ""
        if added:
            extra_note += f"; added `uses` edge{'s' if len(added) > 1 else ''} to {', '.join(added)} (the Lean proof uses {'them' if len(added) > 1 else 'it'})"
        if refused:
            extra_note += f"; not added, as it would close a cycle: `uses` {', '.join(refused)}"
        message = f"{command or f'wb check {conj_id} --{action}'}: {conj.status.value}{who}{cond} ({version}, axioms: {axioms}){extra_note}{note}"
        return message, [(path, new_text)]

    try:
        change = ws.update(conj_id, edit, action=action, commit=commit)
    except _Misfit:
        rejected = verdict.model_copy(update={
            "verdict": "rejected",
            "reasons": [Reason(code=ReasonCode.lean_error, message=f"the proof does not fit into the Lean project: {m}") for m in misfit],
        })
        return CheckResult(id=conj_id, action=action, verdict=rejected, status=ws.get(conj_id).status.value)
    return CheckResult(
        id=conj_id, action=action, verdict=verdict, status=(Status.disproved if negate else Status.proved).value, change=change,
        added_uses=edges_added, cycle_uses=edges_refused,
    )


class _Misfit(Exception):
    """The accepted proof does not compile inside the project (raised inside the locked edit to abort it)."""


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
    """Verify `candidate` (a whole file or just the declarations) against the node's statement, with every
    other node's statement an assumption Lean reports; when Lean accepts it, record the settlement
    (`record_settlement`, which `command` and `note` are passed to). A rejection changes nothing."""
    from workbench.lean.normalize import normalize_candidate
    from workbench.lean.verify import verify

    conj = ws.get(conj_id)
    if conj.status in (Status.proved, Status.disproved):
        raise ConflictError(f"'{conj_id}' is already {conj.status.value}", hint=f"see `wb show {conj_id}`")
    statement_file(ws, conj)
    import time

    toolchain = toolchain_for(ws, opts)
    env = check_env(ws, conj_id, opts, toolchain)
    decl = conj.formal.decl  # type: ignore[union-attr]
    started = time.monotonic()
    body = normalize_candidate(env.view_text, candidate, decl) if isinstance(candidate, str) else candidate
    kwargs = verify_kwargs(ws, opts, env)
    kwargs["timeout"] = max(kwargs["timeout"] - (time.monotonic() - started), 0.001)  # normalizing counts too
    verdict = verify(env.statement_path, body, decl, toolchain=toolchain, negate=negate, strict=True, **kwargs)
    if not verdict.accepted:
        return CheckResult(id=conj_id, action="disproof" if negate else "proof", verdict=verdict, status=conj.status.value)
    return record_settlement(
        ws, conj_id, body, verdict, statement_digest=env.digest, negate=negate, prover=prover, model=model, source=source,
        commit=commit, command=command, note=note, opts=opts, toolchain=toolchain,
    )


def check_proof(
    ws: Workspace,
    conj_id: str,
    candidate: str | bytes,
    opts: LeanOptions,
    *,
    negate: bool = False,
    prover: str = "manual",
    provider: str | None = None,
    label: str | None = None,
    **settle_args,
) -> CheckResult:
    """`settle`, then keep the candidate and Lean's verdict in the attempts store (so `wb attempts ID` lists it)."""
    from workbench.attempts import record_check

    result = settle(ws, conj_id, candidate, opts, negate=negate, prover=prover if provider is None else provider, **settle_args)
    record_check(ws, conj_id, candidate, result.verdict, prover=prover, provider=provider, label=label, settled=result.change is not None)
    return result


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
