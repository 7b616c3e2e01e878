"""The graph checked by Lean: checking environments for candidates, settlement texts, and evidence states.

Works on plain data (the project folder, the nodes' modules and declarations) so the workspace layer can
call it without this module knowing about conjecture files.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from workbench.errors import UsageError
from workbench.lean.build import BuildResult, ModuleFailure, build_modules
from workbench.lean.project import (
    ModuleTexts,
    assumption_name,
    block_of,
    checking_view,
    module_file,
    root_module_text,
    splice,
    statement_digest,
    text_digest,
    withdraw,
)
from workbench.lean.toolchain import Toolchain

ROOT_MODULE = "Conjectures"


@dataclass(frozen=True)
class NodeRef:
    """What the library needs of a node with a formal statement."""

    id: str
    module: str
    decl: str


@dataclass
class CheckEnv:
    """What a candidate for one node is checked against: the statement text, LEAN_PATH roots and assumptions."""

    node: NodeRef
    statement_text: str
    statement_path: Path
    view_text: str  # the statement module as formalized (settlement blocks undone): what provers are shown
    roots: list[Path]
    assumptions: dict[str, str]
    digest: str


@dataclass
class EvidenceFacts:
    """What a settled node's evidence claims, as the index stores it."""

    id: str
    kind: str  # proof or disproof
    module: str
    decl: str
    proof_digest: str | None = None
    statement_digest: str | None = None
    rests_on: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, conj) -> "EvidenceFacts | None":
        """What a settled conjecture's evidence claims, or None when it is not settled (or has no formal statement)."""
        from workbench.model import Status

        if conj.status not in (Status.proved, Status.disproved) or conj.formal is None:
            return None
        ev = conj.evidence
        return cls(
            id=conj.id, kind="proof" if conj.status == Status.proved else "disproof", module=conj.formal.module,
            decl=conj.formal.decl, proof_digest=ev.proof_digest if ev else None,
            statement_digest=ev.statement_digest if ev else None, rests_on=list(ev.rests_on) if ev else [],
        )


class Library:
    """The workspace's Lean project seen as the graph's library of statements and proofs."""

    def __init__(
        self, lean_dir: Path, cache_dir: Path, nodes: Iterable[NodeRef], *, toolchain: Toolchain | None = None,
        timeout: float = 300, memory_mb: int = 8192, sandbox: bool = False,
    ) -> None:
        self.lean_dir = Path(lean_dir)
        self.cache_dir = Path(cache_dir)
        self.nodes = {n.id: n for n in nodes}
        self.texts = ModuleTexts(self.lean_dir)
        self.toolchain = toolchain
        self.timeout, self.memory_mb, self.sandbox = timeout, memory_mb, sandbox
        self._salt: str | None = None

    @property
    def salt(self) -> str:
        """A per-workspace random string that makes assumption names unguessable (kept in the cache folder)."""
        if self._salt is None:
            path = self.cache_dir / "salt"
            try:
                self._salt = path.read_text().strip()
            except OSError:
                self._salt = ""
            if not self._salt:
                self._salt = secrets.token_hex(8)
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(self._salt + "\n")
                except OSError:
                    pass
        return self._salt

    def in_module(self, module: str) -> list[NodeRef]:
        """The nodes whose statements live in `module`."""
        return [n for n in self.nodes.values() if n.module == module]

    def checking_text(self, module: str, *, skip: str | None = None) -> str:
        """The checking view of `module`: its statement view with every node's declaration (but `skip`'s) an assumption."""
        decls = {n.decl: assumption_name(n.id, self.salt) for n in self.in_module(module) if n.id != skip}
        where = str(self.texts.files.get(module, module))
        return checking_view(self.texts.view(module), decls, where=where) if decls else self.texts.view(module)

    def _require_toolchain(self) -> Toolchain:
        if self.toolchain is None:
            raise UsageError("no Lean toolchain was given to the library")
        return self.toolchain

    def build_checking(self, modules: list[str]) -> BuildResult:
        """Build the checking view of `modules` (dependencies first)."""
        return build_modules(
            self.texts, modules, self.checking_text, cache=self.cache_dir / "check", toolchain=self._require_toolchain(),
            timeout=self.timeout, memory_mb=self.memory_mb, sandbox=self.sandbox,
        )

    def build_library(self, modules: list[str] | None = None, *, overrides: dict[str, str] | None = None, keep_going: bool = False) -> BuildResult:
        """Build the project's modules as they are (`overrides` replaces some texts), dependencies first."""
        overrides = overrides or {}
        if modules is None:
            modules = self.texts.closure(sorted(self.texts.files))

        def view(module: str) -> str:
            return overrides[module] if module in overrides else self.texts.text(module)

        return build_modules(
            self.texts, modules, view, cache=self.cache_dir / "lib", toolchain=self._require_toolchain(),
            timeout=self.timeout, memory_mb=self.memory_mb, sandbox=self.sandbox, stop_on_failure=not keep_going,
        )

    def library_roots(self, statement_text: str) -> list[Path]:
        """LEAN_PATH roots for a file that imports project modules, using the modules as they are."""
        closure = self.texts.closure([], of_text=statement_text)
        if not closure:
            return []
        built = self.build_library(closure)
        _raise_failures(built.failures)
        return built.lean_path(closure)

    def check_env(self, node_id: str) -> CheckEnv:
        """Build what a candidate for `node_id` is checked against; a project module that does not compile is a UsageError."""
        node = self.nodes[node_id]
        if node.module not in self.texts.files:
            raise UsageError(f"the statement module {node.module} of '{node_id}' is missing ({module_file(self.lean_dir, node.module)})")
        statement = self.checking_text(node.module, skip=node_id)
        closure = self.texts.imported_by(node.module)
        built = self.build_checking(closure)
        _raise_failures(built.failures)
        path = self.cache_dir / "statements" / (node.module.replace(".", "/") + ".lean")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(statement, encoding="utf-8")
        names = self._visible_assumptions(node, set(closure))
        return CheckEnv(node, statement, path, self.texts.view(node.module), built.lean_path(closure), names, statement_digest(self.texts, node.module, node.decl))

    def _visible_assumptions(self, node: NodeRef, closure: set[str]) -> dict[str, str]:
        """Assumption axioms declared before the target in its checking environment (imported modules, and earlier
        in its own module): a candidate cannot redeclare those names, so each one in an audit is the node's own."""
        target = self.texts.declaration(node.module, node.decl)
        out: dict[str, str] = {}
        for other in self.nodes.values():
            if other.id == node.id:
                continue
            if other.module in closure:
                out[assumption_name(other.id, self.salt)] = other.id
            elif other.module == node.module and target is not None:
                found = self.texts.declaration(other.module, other.decl)
                if found is not None and found.command.start < target.command.start:
                    out[assumption_name(other.id, self.salt)] = other.id
        return out

    def settled_text(self, node_id: str, candidate: str, *, negate: bool, header: str) -> str:
        """The statement module's new text with `candidate` stored as the node's proof (or disproof); a block of the
        node left behind by a settlement that was killed before its node file was written is replaced."""
        node = self.nodes[node_id]
        where = str(self.texts.files.get(node.module, node.module))
        text = withdraw(self.texts.text(node.module), node_id)
        return splice(text, node_id, node.decl, candidate, negate=negate, header=header, where=where)

    def fits(self, module: str, new_text: str) -> list[ModuleFailure]:
        """Whether `module` still compiles, with everything after the proof, when its text is `new_text` (its
        imports as they are). Modules importing it are rebuilt by `wb audit` and `lake build`."""
        built = self.build_library(self.texts.closure([module]), overrides={module: new_text})
        return built.failures

    def digest(self, node_id: str) -> str:
        """The statement digest of `node_id` as the project stands."""
        node = self.nodes[node_id]
        return statement_digest(self.texts, node.module, node.decl)

    def stored_candidate(self, node_id: str) -> str | None:
        """The accepted candidate stored in the node's block, if any."""
        node = self.nodes.get(node_id)
        if node is None or node.module not in self.texts.files:
            return None
        block = block_of(self.texts.text(node.module), node_id)
        return block.candidate if block else None

    def root_text(self) -> str:
        """The root module's text importing every statement module (those of nodes, and those already imported)."""
        path = module_file(self.lean_dir, ROOT_MODULE)
        existing = path.read_text(encoding="utf-8") if path.is_file() else ""
        return root_module_text(existing, {n.module for n in self.nodes.values() if n.module != ROOT_MODULE})


def _raise_failures(failures: list[ModuleFailure]) -> None:
    if failures:
        raise UsageError(failures[0].message(), hint="fix the module (the checker compiles the project's modules a statement imports)")


def evidence_problem(texts: ModuleTexts, facts: EvidenceFacts) -> tuple[str, str]:
    """('', '') when a settlement's block is in the project with the recorded candidate and its statement is
    unchanged; else (`unverified` or `stale`, why)."""
    module_file_name = texts.files[facts.module].name if facts.module in texts.files else facts.module
    if not facts.proof_digest or not facts.statement_digest:
        return "unverified", "the evidence has no digests of the proof and statement (written by hand or by an older wb)"
    if facts.module not in texts.files:
        return "unverified", f"the statement module {facts.module} is missing"
    try:
        block = block_of(texts.text(facts.module), facts.id)
    except UsageError as exc:
        return "unverified", exc.message
    if block is None:
        return "unverified", f"{module_file_name} holds no proof block for '{facts.id}'"
    if block.kind != facts.kind:
        return "unverified", f"the block in {module_file_name} is a {block.kind}, the node says {facts.kind}"
    if text_digest(block.candidate) != facts.proof_digest:
        return "unverified", "the proof in the Lean project differs from the one Lean accepted (edited by hand?)"
    try:
        current = statement_digest(texts, facts.module, facts.decl)
    except UsageError as exc:
        return "stale", exc.message
    if current != facts.statement_digest:
        return "stale", "the statement changed since Lean checked the proof"
    return "", ""


def evidence_state(texts: ModuleTexts, facts: EvidenceFacts) -> str:
    """'' when a settlement's evidence holds in the project, else `unverified` or `stale` (see `evidence_problem`)."""
    return evidence_problem(texts, facts)[0]
