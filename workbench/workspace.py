"""A workspace: find or create one, read and change its conjecture files, commit each change."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from pydantic import BaseModel

from workbench.errors import (
    DuplicateError,
    EdgeError,
    EditorError,
    InUseError,
    InvalidFileError,
    InvalidIdError,
    NotAWorkspaceError,
    NotFoundError,
    ReadOnlyWorkspaceError,
    UnwritablePathError,
    UsageError,
    ValidationFailed,
    CycleError,
    WorkbenchError,
    WorkspaceLockedError,
    validation_problem,
)
from workbench.config import load_config
from workbench.graph import NodeRecord, cycle_if_linked, find_uses_cycle
from workbench.index import Index
from workbench.journal import Journal, Recovery
from workbench.model import Conjecture, Edge, EdgeKind, is_valid_id
from workbench.storage import atomic_write, dump_conjecture, file_lock, parse_conjecture, unwritable_reason

CONFIG_FILE = "workbench.toml"
STATE_DIR = ".workbench"
CONJECTURES_DIR = "conjectures"
LEAN_DIR = "lean"
LEAN_TOOLCHAIN = "leanprover/lean4:v4.35.0"

_CONFIG_TEMPLATE = """\
# Conjecture Workbench workspace settings.
[workspace]
name = "{name}"

[lean]
# Lake project holding the formal statements and settled proofs.
project = "lean"
# A `lean` binary to use when it is not found otherwise (see `wb doctor`).
# lean = "/home/me/.elan/bin/lean"
timeout_s = 300
memory_mb = 8192
allow_axioms = ["propext", "Classical.choice", "Quot.sound"]
"""

_LAKEFILE_TEMPLATE = """\
name = "conjectures"
defaultTargets = ["Conjectures"]
{mathlib}
[[lean_lib]]
name = "Conjectures"
"""

_MATHLIB_REQUIRE = """
[[require]]
name = "mathlib"
scope = "leanprover-community"
rev = "{rev}"  # the Mathlib release of lean-toolchain's Lean (`wb doctor` warns when they disagree)
"""

_ROOT_MODULE = """\
-- Root module of the workspace's Lean project: statement and proof modules live in Conjectures/.
"""

_GITIGNORE = """\
.workbench/
lean/.lake/
"""


class Change(BaseModel):
    """What a mutating call did: the ids it touched, the files it wrote and the commit it made."""

    action: str
    ids: list[str]
    files: list[str]
    message: str
    commit: str | None = None
    identity_fallback: bool = False
    nested_in: str | None = None  # wb init: the enclosing git repository a nested one was created inside


class Workspace:
    """A git repository with `workbench.toml` at its root and one TOML file per conjecture."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        if not (self.root / CONFIG_FILE).is_file():
            raise NotAWorkspaceError(
                f"{self.root} is not a workbench workspace (no {CONFIG_FILE})",
                hint="create one with `wb init DIR`",
            )
        self.conjectures_dir = self.root / CONJECTURES_DIR
        self.state_dir = self.root / STATE_DIR
        self._config = load_config(self.root / CONFIG_FILE)  # read now, so every command reports a broken one
        self.index = Index(self.conjectures_dir, self.state_dir / "index.db", self._index_lean_dir)
        self.journal = Journal(self.root, self.state_dir)
        self.recoveries: list[Recovery] = []  # changes killed half-way that this object rolled back or completed
        if self.journal.pending():
            self.recover()

    # ----- finding and creating -------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str) -> "Workspace":
        """Open the workspace rooted at `path`."""
        path = Path(path)
        if not path.exists():
            raise NotAWorkspaceError(f"{path} does not exist", hint="create a workspace with `wb init DIR`")
        return cls(path)

    @classmethod
    def find(cls, start: Path | str | None = None) -> "Workspace":
        """The workspace containing `start` (default: the current directory), found by walking up."""
        here = Path(start or Path.cwd()).resolve()
        for candidate in [here, *here.parents]:
            if (candidate / CONFIG_FILE).is_file():
                return cls(candidate)
        raise NotAWorkspaceError(
            f"not inside a workbench workspace ({here} or any parent has no {CONFIG_FILE})",
            hint="create one with `wb init DIR`, or pass --workspace DIR / set WORKBENCH_DIR",
        )

    @classmethod
    def locate(cls, explicit: Path | str | None = None) -> "Workspace":
        """`explicit` if given, else $WORKBENCH_DIR, else the workspace around the current directory."""
        explicit = explicit or os.environ.get("WORKBENCH_DIR")
        return cls.open(explicit) if explicit else cls.find()

    @classmethod
    def init(cls, path: Path | str, *, name: str | None = None, mathlib: bool = True, commit: bool = True,
             in_repo: bool = False) -> tuple["Workspace", Change]:
        """Create a workspace at `path`: git repo, workbench.toml, conjectures/, a Lake project, .gitignore. Inside
        another git repository it creates a nested one (the Change names the enclosing one), or, with `in_repo`,
        uses the enclosing repository and commits there."""
        from workbench.gitrepo import GitRepo

        root = Path(path).resolve()
        if os.path.exists(root / CONFIG_FILE):
            raise DuplicateError(f"{root} is already a workspace ({CONFIG_FILE} exists)")
        if os.path.exists(root) and not root.is_dir():
            raise UsageError(f"{root} exists and is not a directory")
        reason = unwritable_reason(root)
        if reason:
            raise UnwritablePathError(root, reason, hint="create the workspace in a folder you can write to")
        enclosing = GitRepo.enclosing(root)
        if enclosing is not None and enclosing.resolve() == root:
            enclosing = None  # already a repository of its own
        if in_repo and enclosing is None:
            raise UsageError(f"--in-repo: {root} is not inside another git repository", hint="leave out --in-repo to create one")
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UnwritablePathError(root, exc.strerror or str(exc)) from None
        repo = GitRepo(root) if in_repo else GitRepo.init(root)
        name = name or root.name
        files = {
            root / CONFIG_FILE: _CONFIG_TEMPLATE.format(name=name.replace('"', "")),
            root / ".gitignore": _GITIGNORE,
            root / CONJECTURES_DIR / ".gitkeep": "",
            root / LEAN_DIR / "lakefile.toml": _LAKEFILE_TEMPLATE.format(
                mathlib=_MATHLIB_REQUIRE.format(rev=LEAN_TOOLCHAIN.rsplit(":", 1)[-1]) if mathlib else ""),
            root / LEAN_DIR / "lean-toolchain": LEAN_TOOLCHAIN + "\n",
            root / LEAN_DIR / "Conjectures.lean": _ROOT_MODULE,
        }
        written = []
        for p, text in files.items():
            if p.name == ".gitignore" and p.exists():
                existing = p.read_text()
                missing = [line for line in _GITIGNORE.splitlines() if line not in existing.splitlines()]
                if not missing:
                    continue
                text = existing + ("" if existing.endswith("\n") or not existing else "\n") + "\n".join(missing) + "\n"
            elif p.exists():
                continue
            atomic_write(p, text)
            written.append(p)
        ws = cls(root)
        message = f"wb init: workspace {name}"
        change = Change(action="init", ids=[], files=[ws.rel(p) for p in written], message=message,
                        nested_in=str(enclosing) if enclosing is not None and not in_repo else None)
        if commit:
            result = repo.commit(written, message)
            if result:
                change.commit, change.identity_fallback = result
        return ws, change

    # ----- configuration and paths ----------------------------------------------------------

    @property
    def config(self) -> dict:
        """The parsed and checked workbench.toml."""
        return self._config

    @property
    def name(self) -> str:
        return str(self.config.get("workspace", {}).get("name") or self.root.name)

    def _index_lean_dir(self) -> Path:
        return self.lean_dir

    @property
    def lean_dir(self) -> Path:
        return self.root / str(self.config.get("lean", {}).get("project", LEAN_DIR))

    def rel(self, path: Path) -> str:
        """`path` relative to the workspace root, as a POSIX string."""
        return Path(path).resolve().relative_to(self.root).as_posix()

    def path_for(self, conj_id: str) -> Path:
        """Where the file of `conj_id` lives (whether or not it exists)."""
        return self.conjectures_dir / f"{conj_id}.toml"

    def require_writable(self) -> None:
        """Raise ReadOnlyWorkspaceError when this process cannot change the workspace's files."""
        for folder in (self.state_dir, self.conjectures_dir):
            reason = unwritable_reason(folder)
            if reason:
                raise ReadOnlyWorkspaceError(self.root, reason)

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the workspace's mutation lock (a read-only workspace is refused first). A change that a killed
        process left half-done is settled first (see `workbench.journal`)."""
        self.require_writable()
        with file_lock(self.state_dir / "lock"):
            self._settle_journal()
            yield

    def _settle_journal(self) -> None:
        recovery = self.journal.recover() if self.journal.pending() else None
        if recovery is not None:
            self.recoveries.append(recovery)

    def recover(self) -> list[Recovery]:
        """Roll back (or complete) a change a killed process left half-done, so no command counts its partial
        state; done on opening a workspace, and by every mutation under the lock. A read-only workspace, or one
        whose lock another process holds for long, is left as it is. Returns everything recovered so far."""
        try:
            self.require_writable()
            with file_lock(self.state_dir / "lock", timeout=10.0):
                self._settle_journal()
        except (ReadOnlyWorkspaceError, WorkspaceLockedError):
            pass
        return self.recoveries

    # ----- reading --------------------------------------------------------------------------

    def _check_id(self, conj_id: str) -> None:
        if not is_valid_id(conj_id):
            raise InvalidIdError(f"'{conj_id}' is not a valid id: use kebab-case (lowercase letters, digits, single hyphens)")

    def exists(self, conj_id: str) -> bool:
        return self.path_for(conj_id).is_file()

    def get(self, conj_id: str) -> Conjecture:
        """Read and validate one conjecture."""
        self._check_id(conj_id)
        path = self.path_for(conj_id)
        if not path.is_file():
            raise self._unknown(conj_id)
        try:
            return parse_conjecture(path)
        except InvalidFileError as exc:
            raise InvalidFileError(self.rel(path), exc.problem, field=exc.field, line=exc.line, hint=f"fix it with `wb edit {conj_id}`") from None

    def all(self) -> dict[str, Conjecture]:
        """Every conjecture, validated (the index is refreshed first so references are checked); the first
        malformed file raises its InvalidFileError."""
        for problem in self.problems():
            raise problem
        return {p.stem: parse_conjecture(p) for p in sorted(self.conjectures_dir.glob("*.toml"))}

    def problems(self) -> list[InvalidFileError]:
        """What is wrong with each conjecture file left out of the listings (malformed TOML, a bad field, an edge
        to no conjecture, a `uses` cycle), by path. Reading commands show the rest; `wb doctor` lists them all."""
        return list(self.index.problems().values())

    def _unknown(self, conj_id: str, where: str = "") -> NotFoundError:
        """The error for an id with no conjecture: it names the nearest ids when some are close ("did you mean")."""
        import difflib

        known = [p.stem for p in self.conjectures_dir.glob("*.toml")]
        near = difflib.get_close_matches(conj_id, known, n=3, cutoff=0.6)
        hint = f"did you mean {' or '.join(near)}?" if near else "see `wb list`"
        return NotFoundError(f"no conjecture '{conj_id}' in this workspace{where}", hint=hint)

    def _records_to_change(self) -> dict[str, NodeRecord]:
        """The graph a change is checked against; refused while some conjecture file is left out of it (reads show
        the rest, but a change could not be checked against what cannot be read). `wb edit` fixes such a file."""
        records = self.records()
        problems = self.index.problems()
        for conj_id, problem in problems.items():
            raise InvalidFileError(problem.path, problem.problem, field=problem.field, line=problem.line,
                                   hint=f"fix it with `wb edit {conj_id}` first: nothing is changed until then")
        return records

    def _raise_problem(self, conj_id: str) -> None:
        problem = self.index.problems().get(conj_id)
        if problem is not None:
            raise InvalidFileError(problem.path, problem.problem, field=problem.field, line=problem.line, hint=f"fix it with `wb edit {conj_id}`")

    def records(self) -> dict[str, NodeRecord]:
        """The graph's view of every node (from the index)."""
        return self.index.records()

    def list(self, *, status: str | None = None, area: str | None = None, tag: str | None = None, kind: str | None = None, query: str | None = None) -> list[dict]:
        """Summaries of the conjectures matching every given filter (`wb list`), ids in natural order (lz-2 before
        lz-10); an unknown status or kind is a UsageError naming the allowed ones."""
        from workbench.model import DerivedStatus, Kind

        for flag, value, allowed in (("status", status, DerivedStatus), ("kind", kind, Kind)):
            if value and value not in {a.value for a in allowed}:
                raise UsageError(f"unknown {flag} '{value}': use one of {', '.join(a.value for a in allowed)}")
        rows = self.index.rows(status=status, area=area, tag=tag, kind=kind, query=query)
        return sorted(rows, key=lambda r: natural_key(r["id"]))

    def show(self, conj_id: str) -> dict:
        """Everything about one node: its fields, derived status, and edges both ways (a malformed file raises
        its InvalidFileError)."""
        conj = self.get(conj_id)
        self._raise_problem(conj_id)
        rows = {r["id"]: r for r in self.index.rows()}
        data = conj.model_dump(mode="json")
        data["recorded_status"] = data["status"]
        data["status"] = rows[conj_id]["status"] if conj_id in rows else conj.status.value
        data["file"] = self.rel(self.path_for(conj_id))
        data["edges_out"] = [
            {"kind": e.kind.value, "target": e.target, "title": rows.get(e.target, {}).get("title"), "status": rows.get(e.target, {}).get("status")}
            for e in conj.edges
        ]
        incoming = []
        for rec in self.records().values():
            for kind, target in rec.edges:
                if target == conj_id:
                    incoming.append({"kind": kind, "source": rec.id, "title": rows[rec.id]["title"], "status": rows[rec.id]["status"]})
        data["edges_in"] = sorted(incoming, key=lambda e: (e["kind"], e["source"]))
        latest = conj.numeric_check()
        data["numeric_check"] = None if latest is None else {**latest.numeric.model_dump(mode="json"), "date": latest.date.isoformat()}  # type: ignore[union-attr]
        ev = conj.evidence
        if conj.status.value in ("proved", "disproved") and ev is not None and ev.statement_digest:
            data["unneeded_uses"] = [t for t in conj.targets(EdgeKind.uses) if t not in ev.rests_on]
            data["waiting_for"] = [d for d in ev.rests_on if rows.get(d, {}).get("status") != "proved"]
        return data

    def next(self, limit: int | None = 10, *, include_refuted: bool = False) -> list[dict]:
        """Open conjectures ranked by how many conditional proofs a proof would complete (`completes`), then how many
        unsettled results it would unblock, then priority; nodes a numeric check refuted only with `include_refuted`."""
        from workbench.graph import next_targets

        if limit is not None and limit < 1:
            raise UsageError(f"--limit must be 1 or more, not {limit}")
        rows = {r["id"]: r for r in self.index.rows()}
        return [
            {"rank": t.rank, "id": t.id, "title": rows[t.id]["title"], "completes": t.completes, "unblocks": t.unblocks, "priority": t.priority, "status": t.status.value, "area": rows[t.id]["area"]}
            for t in next_targets(self.records(), limit, include_refuted=include_refuted)
        ]

    def log(self, conj_id: str | None = None, limit: int | None = None) -> list[dict]:
        """Git history of the workspace, or of one node's file, newest first."""
        from workbench.gitrepo import GitRepo

        paths = []
        if conj_id is not None:
            self._check_id(conj_id)
            paths = [self.path_for(conj_id)]
            if not self.exists(conj_id) and not GitRepo(self.root).log(paths, limit=1):
                raise self._unknown(conj_id, " or its history")
        return [c.model_dump(mode="json") for c in GitRepo(self.root).log(paths, limit)]

    # ----- changing -------------------------------------------------------------------------

    def _apply(self, action: str, ids: list[str], writes: list[tuple[Path, str | None]], message: str, commit: bool) -> Change:
        """Write (or delete, for None) files in order, then commit them; on failure put every file back. The
        journal records the change first, so a kill in the middle is rolled back (or completed) by the next command."""
        from workbench.gitrepo import GitRepo

        paths = [p for p, _ in writes]
        self.journal.begin(action, message, paths, commit)
        try:
            for path, text in writes:
                if text is None:
                    path.unlink(missing_ok=True)
                else:
                    atomic_write(path, text)
            change = Change(action=action, ids=ids, files=[self.rel(p) for p in paths], message=message)
            if commit:
                self.journal.written()
                result = GitRepo(self.root).commit(paths, message)
                if result:
                    change.commit, change.identity_fallback = result
            self.journal.end()
            return change
        except BaseException:
            self.journal.roll_back()
            raise

    def identity_notice_due(self) -> bool:
        """True the first time a workspace commits with the fallback identity (so it is said once)."""
        marker = self.state_dir / "identity-notice"
        if marker.exists():
            return False
        atomic_write(marker, "shown\n")
        return True

    def _require(self, records: dict[str, NodeRecord], conj_id: str) -> None:
        self._check_id(conj_id)
        if conj_id not in records:
            self._raise_problem(conj_id)
            raise self._unknown(conj_id)

    def _check_edges(self, conj: Conjecture, records: dict[str, NodeRecord]) -> None:
        for e in conj.edges:
            if e.target not in records:
                if e.target != conj.id:
                    self._raise_problem(e.target)
                unknown = self._unknown(e.target)
                raise NotFoundError(f"'{conj.id}' {e.kind.value} '{e.target}': {unknown.message}", hint=unknown.hint)
        trial = dict(records)
        trial[conj.id] = NodeRecord.of(conj)
        cycle = find_uses_cycle(trial)
        if cycle:
            raise CycleError(cycle)

    def add(self, conj: Conjecture, *, commit: bool = True, message: str | None = None) -> Change:
        """Add a new conjecture file (its edges must point at existing nodes) and commit it
        (`message` replaces the default commit message, e.g. to name the MCP tool and client)."""
        with self.lock():
            records = self._records_to_change()
            if conj.id in records or self.exists(conj.id):
                raise DuplicateError(f"a conjecture '{conj.id}' already exists ({self.rel(self.path_for(conj.id))})")
            self._check_edges(conj, records)
            return self._apply("add", [conj.id], [(self.path_for(conj.id), dump_conjecture(conj))], message or f"wb add {conj.id}: {conj.title}", commit)

    def save(self, conj: Conjecture, message: str, *, action: str = "update", commit: bool = True, extra: list[tuple[Path, str | None]] = ()) -> Change:
        """Replace an existing conjecture's file (plus `extra` files written first) in one commit."""
        with self.lock():
            records = self._records_to_change()
            self._require(records, conj.id)
            self._check_edges(conj, records)
            return self._apply(action, [conj.id], [*extra, (self.path_for(conj.id), dump_conjecture(conj))], message, commit)

    def save_many(self, conjs: list[Conjecture], message: str, *, action: str = "update", commit: bool = True) -> Change:
        """Replace several existing conjectures' files in one commit."""
        with self.lock():
            records = self._records_to_change()
            for conj in conjs:
                self._require(records, conj.id)
            return self._apply(action, [c.id for c in conjs], [(self.path_for(c.id), dump_conjecture(c)) for c in conjs], message, commit)

    def update(
        self,
        conj_id: str,
        edit: "Callable[[Conjecture], tuple[str, list[tuple[Path, str | None]]]]",
        *,
        action: str = "update",
        commit: bool = True,
    ) -> Change:
        """Re-read `conj_id` under the workspace lock and let `edit` change it in place (raising to refuse);
        `edit` returns the commit message and extra files to write first. Nothing can change in between."""
        with self.lock():
            records = self._records_to_change()
            self._require(records, conj_id)
            conj = self.get(conj_id)
            message, extra = edit(conj)
            self._check_edges(conj, records)
            return self._apply(action, [conj_id], [*extra, (self.path_for(conj_id), dump_conjecture(conj))], message, commit)

    def link(self, src: str, kind: str | EdgeKind, dst: str, *, commit: bool = True, message: str | None = None) -> Change:
        """Add the edge `src kind dst`; a `uses` edge that would close a cycle is refused, naming it.
        `message` replaces the default commit message."""
        kind = _edge_kind(kind)
        with self.lock():
            records = self._records_to_change()
            self._require(records, src)
            self._require(records, dst)
            if src == dst:
                raise EdgeError(f"refused: '{src} {kind.value} {src}' is a self-loop")
            if (kind.value, dst) in records[src].edges:
                raise EdgeError(f"'{src} {kind.value} {dst}' already exists")
            if kind == EdgeKind.uses:
                cycle = cycle_if_linked(records, src, dst)
                if cycle:
                    raise CycleError(cycle)
            conj = self.get(src)
            conj.edges.append(Edge(kind=kind, target=dst))
            return self._apply("link", [src, dst], [(self.path_for(src), dump_conjecture(conj))], message or f"wb link {src} {kind.value} {dst}", commit)

    def unlink(self, src: str, kind: str | EdgeKind, dst: str, *, commit: bool = True) -> Change:
        """Remove the edge `src kind dst`."""
        kind = _edge_kind(kind)
        with self.lock():
            records = self._records_to_change()
            self._require(records, src)
            conj = self.get(src)
            kept = [e for e in conj.edges if not (e.kind == kind and e.target == dst)]
            if len(kept) == len(conj.edges):
                raise EdgeError(f"there is no edge '{src} {kind.value} {dst}'", hint=f"see `wb show {src}`")
            conj.edges = kept
            return self._apply("unlink", [src, dst], [(self.path_for(src), dump_conjecture(conj))], f"wb unlink {src} {kind.value} {dst}", commit)

    def remove(self, conj_id: str, *, force: bool = False, commit: bool = True) -> Change:
        """Delete a conjecture; refused while other nodes point at it, unless `force` (which drops those edges)."""
        with self.lock():
            records = self._records_to_change()
            self._require(records, conj_id)
            referrers = sorted({r.id for r in records.values() for _, t in r.edges if t == conj_id})
            if referrers and not force:
                raise InUseError(
                    f"refused: {', '.join(referrers)} point{'s' if len(referrers) == 1 else ''} at '{conj_id}'",
                    hint="unlink them first, or pass --force to drop those edges too",
                )
            writes: list[tuple[Path, str | None]] = []
            for ref in referrers:
                conj = self.get(ref)
                conj.edges = [e for e in conj.edges if e.target != conj_id]
                writes.append((self.path_for(ref), dump_conjecture(conj)))
            writes.append((self.path_for(conj_id), None))
            suffix = f" (dropping edges from {', '.join(referrers)})" if referrers else ""
            return self._apply("rm", [conj_id, *referrers], writes, f"wb rm {conj_id}{suffix}", commit)

    def edit_draft(self, conj_id: str) -> Path | None:
        """The text of an earlier edit of `conj_id` that was refused (or whose editor failed), kept in
        `.workbench/edit/`, when it differs from the file: `edit` reopens it instead of the file."""
        scratch = self.state_dir / "edit" / f"{conj_id}.toml"
        try:
            draft = scratch.read_bytes()
        except OSError:
            return None
        path = self.path_for(conj_id)
        return scratch if not path.is_file() or path.read_bytes() != draft else None

    def edit(self, conj_id: str, editor: str | None = None, *, commit: bool = True) -> Change | None:
        """Open `editor` (default $EDITOR, then $VISUAL) on a copy of the file, or on the edit refused last time
        (`edit_draft`); the file is replaced only when the edited text validates, and a refused edit is kept for
        the next try. A malformed file can be opened, to fix it. Returns None when nothing changed."""
        self.require_writable()
        editor = editor or os.environ.get("EDITOR") or os.environ.get("VISUAL")
        if not editor:
            raise EditorError("no editor: $EDITOR is not set", hint="e.g. `export EDITOR=nano`")
        self._check_id(conj_id)
        path = self.path_for(conj_id)
        if not path.is_file():
            raise self._unknown(conj_id)
        original = path.read_text(encoding="utf-8", errors="replace")
        scratch = self.state_dir / "edit" / f"{conj_id}.toml"
        if self.edit_draft(conj_id) is None:
            atomic_write(scratch, original)
        try:
            proc = subprocess.run([*shlex.split(editor), str(scratch)])
        except OSError as exc:
            raise EditorError(f"could not start editor '{editor}': {exc.strerror or exc}", hint="check $EDITOR") from None
        if proc.returncode != 0:
            raise EditorError(f"editor '{editor}' exited with status {proc.returncode}; {self.rel(path)} is unchanged")
        edited = scratch.read_text(encoding="utf-8", errors="replace")
        if edited == original:
            scratch.unlink(missing_ok=True)
            return None
        kept = f"; your edit is kept in {self.rel(scratch)} and `wb edit {conj_id}` reopens it"
        try:
            conj = parse_conjecture(path, edited)
            before = self._last_valid(path, original)
            if before is not None:
                _refuse_status_edits(conj_id, before, conj, kept)
            with self.lock():
                if path.read_text(encoding="utf-8", errors="replace") != original:
                    raise EditorError(f"{self.rel(path)} changed while you were editing it; edit refused{kept}")
                records = self.records()
                self._check_edges(conj, records)
                change = self._apply("edit", [conj_id], [(path, edited)], f"wb edit {conj_id}", commit)
        except InvalidFileError as exc:
            raise InvalidFileError(self.rel(path), f"{exc.problem} — edit refused, the old file is kept{kept}", field=exc.field, line=exc.line) from None
        except (NotFoundError, CycleError) as exc:
            raise ValidationFailed(f"{self.rel(path)}: {exc} — edit refused, the old file is kept{kept}") from None
        scratch.unlink(missing_ok=True)
        return change

    def _last_valid(self, path: Path, text: str) -> Conjecture | None:
        """The node as `text` says, or, when that is malformed, as the last commit says (None when neither parses):
        what an edit's guarded fields are compared with."""
        from workbench.gitrepo import GitRepo

        for candidate in (lambda: text, lambda: GitRepo(self.root).at_head(self.rel(path))):
            try:
                body = candidate()
                if body is not None:
                    return parse_conjecture(path, body)
            except (InvalidFileError, WorkbenchError):
                continue
        return None

    def import_jsonl(self, path: Path | str, *, commit: bool = True) -> Change:
        """Add every line of a JSONL file as a conjecture, all or nothing, in one commit."""
        path = Path(path)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            raise NotFoundError(f"{path}: no such file") from None
        except UnicodeDecodeError:
            raise InvalidFileError(path, "not valid UTF-8") from None
        with self.lock():
            records = self._records_to_change()
            numbered, errors = _parse_import_lines(lines, records)
            new = [c for _, c in numbered]
            trial = dict(records)
            trial.update({c.id: NodeRecord.of(c) for c in new})
            for n, c in numbered:
                for e in c.edges:
                    if e.target not in trial:
                        errors.append(f"line {n}: {e.kind.value} '{e.target}': no such conjecture in the workspace or the file")
            if not errors:
                cycle = find_uses_cycle(trial)
                if cycle:
                    errors.append("'uses' edges would form a cycle " + " -> ".join(cycle))
            errors.sort(key=lambda e: int(e.split(":")[0].split()[1]) if e.startswith("line ") else 0)
            if errors:
                shown = "; ".join(errors[:10]) + (f"; … and {len(errors) - 10} more" if len(errors) > 10 else "")
                raise ValidationFailed(f"{path}: nothing imported, {len(errors)} problem{'s' if len(errors) > 1 else ''}: {shown}")
            if not new:
                raise ValidationFailed(f"{path}: nothing to import (no lines)")
            order = _dependencies_first(new)
            writes = [(self.path_for(c.id), dump_conjecture(c)) for c in order]
            ids = [c.id for c in order]
            listed = ", ".join(ids[:8]) + (", …" if len(ids) > 8 else "")
            return self._apply("import", ids, writes, f"wb import {path.name}: {len(ids)} conjecture{'s' if len(ids) > 1 else ''} ({listed})", commit)

    # ----- views ----------------------------------------------------------------------------

    def graph_data(self, root: str | None = None, depth: int | None = None, direction: str = "both", *, details: bool = False) -> dict:
        """The graph as one JSON-able dict (`wb graph --format json`): nodes with derived status, typed edges.
        With `root`, only its neighbourhood within `depth`; with `details`, everything the page shows."""
        from datetime import datetime, timezone

        from workbench.graph import neighbourhood, next_targets

        if depth is not None and depth < 0:
            raise UsageError(f"--depth must be 0 or more, not {depth}")
        records = self.records()
        if root is not None:
            self._require(records, root)
            keep = neighbourhood(records, root, depth, direction)  # type: ignore[arg-type]
        else:
            keep = sorted(records)
        keep_set = set(keep)
        rows = {r["id"]: r for r in self.index.rows()}
        ranks = {t.id: t.rank for t in next_targets(records)}
        attempts: dict[str, dict] = {}
        if details:
            from workbench.attempts import AttemptStore, db_path

            if db_path(self).exists():
                with AttemptStore(self) as store:
                    attempts = store.by_conjecture()
        nodes = []
        for conj_id in keep:
            node = dict(rows[conj_id])
            node["rank"] = ranks.get(conj_id)
            if details:
                conj = self.get(conj_id)
                node["informal"] = conj.informal
                node["sources"] = [s.model_dump(mode="json") for s in conj.sources]
                node["formal"] = conj.formal.model_dump(mode="json") if conj.formal else None
                if conj.formal and conj.formal.file and (self.root / conj.formal.file).is_file():
                    node["formal"]["lean"] = (self.root / conj.formal.file).read_text(encoding="utf-8", errors="replace")[:2_000_000]
                node["evidence"] = conj.evidence.model_dump(mode="json") if conj.evidence else None
                node["notes"] = [n.model_dump(mode="json") for n in conj.notes]
                node["reviews"] = [r.model_dump(mode="json") for r in conj.reviews]
                node["attempts"] = attempts.get(conj_id, {"count": 0, "last_reasons": []})
            nodes.append(node)
        edges = [
            {"source": rec_id, "target": t, "kind": k}
            for rec_id in keep
            for k, t in records[rec_id].edges
            if t in keep_set
        ]
        return {
            "workspace": self.name,
            "root": root,
            "depth": depth,
            "generated_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
            "nodes": nodes,
            "edges": edges,
        }


def natural_key(conj_id: str) -> tuple:
    """A sort key that orders the numbers inside ids by value: lz-2 before lz-10, lz-10 before lz-10a."""
    import re

    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", conj_id) if part)


_GUARDED = {
    "status": "only a Lean verdict changes it: `wb check {id}` (statement) or `wb check {id} --proof FILE`",
    "evidence": "it is written by the command that ran Lean (`wb check {id} --proof FILE`, `wb audit {id} --record`)",
    "formal": "use `wb formalize {id} --lean FILE --decl NAME`",
}


def _refuse_status_edits(conj_id: str, before: Conjecture, after: Conjecture, kept: str) -> None:
    """Refuse an edit that changes `status`, `evidence` or `[formal]`, naming the command that does it."""
    for field, how in _GUARDED.items():
        if getattr(before, field) != getattr(after, field):
            raise ValidationFailed(f"edit refused: `{field}` cannot be edited by hand; {how.format(id=conj_id)}{kept}")


def _edge_kind(kind: str | EdgeKind) -> EdgeKind:
    try:
        return EdgeKind(kind)
    except ValueError:
        raise UsageError(f"unknown edge kind '{kind}': use one of {', '.join(k.value for k in EdgeKind)}") from None


_IMPORT_FIELDS = {"id", "title", "informal", "kind", "area", "tags", "sources", "uses", "priority", "check"}


def _parse_import_lines(lines: list[str], records: dict[str, NodeRecord]) -> tuple[list[tuple[int, Conjecture]], list[str]]:
    from pydantic import ValidationError

    from workbench.model import Source

    new: list[tuple[int, Conjecture]] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"line {n}: not JSON ({exc.msg})")
            continue
        if not isinstance(obj, dict):
            errors.append(f"line {n}: expected a JSON object")
            continue
        unknown = sorted(set(obj) - _IMPORT_FIELDS)
        if unknown:
            errors.append(f"line {n}: unknown field{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}")
            continue
        data = {k: v for k, v in obj.items() if k != "uses"}
        uses = obj.get("uses") or []
        if isinstance(uses, str) or not isinstance(uses, list):
            errors.append(f"line {n}: field 'uses': expected a list of ids")
            continue
        srcs = data.get("sources") or []
        if isinstance(srcs, list):
            data["sources"] = [Source.parse(s) if isinstance(s, str) else s for s in srcs]
        data["edges"] = [{"kind": "uses", "target": t} for t in uses]
        try:
            conj = Conjecture(**data)
        except ValidationError as exc:
            loc, msg = validation_problem(exc)
            errors.append(f"line {n}: " + (f"field '{loc}': " if loc else "") + msg)
            continue
        except (TypeError, ValueError) as exc:
            errors.append(f"line {n}: {exc}")
            continue
        if conj.id in records:
            errors.append(f"line {n}: id '{conj.id}' already exists in the workspace")
            continue
        if conj.id in seen:
            errors.append(f"line {n}: id '{conj.id}' repeats line {seen[conj.id]}")
            continue
        seen[conj.id] = n
        new.append((n, conj))
    return new, errors


def _dependencies_first(conjs: list[Conjecture]) -> list[Conjecture]:
    by_id = {c.id: c for c in conjs}
    done: set[str] = set()
    out: list[Conjecture] = []

    def visit(c: Conjecture) -> None:
        stack = [(c, iter(c.edges))]
        done.add(c.id)
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                out.append(node)
                stack.pop()
            elif nxt.target in by_id and nxt.target not in done:
                done.add(nxt.target)
                stack.append((by_id[nxt.target], iter(by_id[nxt.target].edges)))

    for c in conjs:
        if c.id not in done:
            visit(c)
    return out
