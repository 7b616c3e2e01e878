"""The LeanDojo backend: `lean_dojo.Dojo` on a git mirror of the workspace's Lake project.

LeanDojo works on a *traced* git repository whose root is a Lake project.  The workspace keeps its
project in `lean/` inside its own repository, so this backend mirrors that folder (without `.lake`)
into `.workbench/stepwise/dojo/project`, a git repository of its own with one commit per state of the
project, and LeanDojo traces that commit once (`trace_workspace`, which `wb doctor` tells you to run:
tracing builds the project with LeanDojo's tracer, hours for a Mathlib project).  A project changed
since it was traced (a new statement, a settled proof) must be traced again.  `lean_dojo` is imported
only here, when a session opens or a trace runs: `pip install 'conjecture-workbench[dojo]'`.

LeanDojo cannot open proofs in `prelude` files, and reads its memory limit (`TACTIC_MEMORY_LIMIT`)
when first imported; this backend sets it from `[provers.stepwise] memory_mb` before that.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from workbench.provers.stepwise.assemble import tactic_script
from workbench.provers.stepwise.backends import BackendStatus, Need, package_version
from workbench.provers.stepwise.protocol import (
    BackendCrashed, BackendError, BackendUnavailable, Outcome, State, TacticTimeout, Target,
)

DISTRIBUTION, MODULE = "lean-dojo", "lean_dojo"
INSTALL = "pip install 'conjecture-workbench[dojo]'"
SKIP = {".lake", "lake-packages", "build", ".git"}
MIRROR = Path("stepwise") / "dojo" / "project"
MARKER = Path("stepwise") / "dojo" / "traced.json"


def trace_command(workspace_root: Path) -> str:
    """The command that traces the workspace's project for LeanDojo (what `wb doctor` prints)."""
    return (f"cd {shlex.quote(str(workspace_root))} && {shlex.quote(sys.executable)} -c "
            "\"from workbench.provers.stepwise.dojo import trace_workspace; trace_workspace('.')\"")


def project_digest(lean_dir: Path) -> str:
    """A digest of the Lake project's files (build folders and packages excluded)."""
    h = hashlib.sha256()
    for path in sorted(_project_files(lean_dir)):
        h.update(path.relative_to(lean_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def _project_files(lean_dir: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(lean_dir):
        dirnames[:] = [d for d in dirnames if d not in SKIP]
        out.extend(Path(dirpath) / f for f in filenames)
    return out


def _state_dir(workspace_root: Path) -> Path:
    return workspace_root / ".workbench"


def traced_marker(workspace_root: Path) -> dict | None:
    """What `trace_workspace` recorded (digest, commit, traced path), or None."""
    try:
        return json.loads((_state_dir(workspace_root) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=wb", "-c", "user.email=wb@localhost", *args], cwd=cwd,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise BackendError(f"git {' '.join(args)} failed in {cwd}: {(done.stderr or done.stdout).strip()[:300]}")
    return done.stdout.strip()


def sync_mirror(workspace_root: Path, lean_dir: Path) -> tuple[Path, str, str]:
    """Copy the Lake project into its git mirror and commit it when it changed; (mirror, commit, digest)."""
    mirror = _state_dir(workspace_root) / MIRROR
    mirror.mkdir(parents=True, exist_ok=True)
    if not (mirror / ".git").is_dir():
        _git(mirror, "init", "-q")
    wanted = {p.relative_to(lean_dir) for p in _project_files(lean_dir)}
    for old in _project_files(mirror):
        if old.relative_to(mirror) not in wanted:
            old.unlink()
    for rel in wanted:
        dest = mirror / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(lean_dir / rel, dest)
    digest = project_digest(lean_dir)
    _git(mirror, "add", "-A")
    if _git(mirror, "status", "--porcelain"):
        _git(mirror, "commit", "-q", "-m", f"wb: the workspace's Lake project (digest {digest})")
    return mirror, _git(mirror, "rev-parse", "HEAD"), digest


def _import(memory_mb: int):
    os.environ.setdefault("TACTIC_MEMORY_LIMIT", f"{max(1, math.ceil(memory_mb / 1024))}g")
    os.environ.setdefault("DISABLE_REMOTE_CACHE", "1")  # a local mirror is never in LeanDojo's remote cache
    try:
        import lean_dojo
    except ImportError as exc:
        raise BackendUnavailable(f"LeanDojo is not installed ({exc})", hint=INSTALL) from None
    return lean_dojo


def trace_workspace(root: str | Path = ".", *, memory_mb: int = 8192) -> Path:
    """Trace the workspace's Lake project for LeanDojo (slow: it builds the project); returns the traced path."""
    from workbench.workspace import Workspace

    ws = Workspace.open(Path(root))
    lean_dojo = _import(memory_mb)
    mirror, commit, digest = sync_mirror(ws.root, ws.lean_dir)
    traced = lean_dojo.trace(lean_dojo.LeanGitRepo.from_path(mirror))
    marker = _state_dir(ws.root) / MARKER
    marker.write_text(json.dumps({"digest": digest, "commit": commit, "traced": str(traced.root_dir),
                                  "lean_dojo": package_version(DISTRIBUTION, MODULE)}), encoding="utf-8")
    return Path(traced.root_dir)


def dojo_status(workspace_root: Path | None, lean_dir: Path | None, lake: str | None = None) -> BackendStatus:
    """Whether LeanDojo can run on this workspace, and what it still needs (nothing is imported or built)."""
    status = BackendStatus("dojo", DISTRIBUTION, package_version(DISTRIBUTION, MODULE))
    if status.version is None:
        status.needs.append(Need("LeanDojo is not installed", INSTALL))
    if shutil.which("git") is None:
        status.needs.append(Need("git is not on PATH (LeanDojo works on git repositories)", "install git"))
    if (lake or shutil.which("lake")) is None:
        from workbench.lean.toolchain import ELAN_INSTALL

        status.needs.append(Need("`lake` is not on PATH (LeanDojo builds and runs the project with it)", f"install elan: {ELAN_INSTALL}"))
    if workspace_root is None or lean_dir is None:
        status.needs.append(Need("no workspace with a Lake project here", "run `wb doctor` inside a workspace (`wb init` makes one)"))
        return status
    marker = traced_marker(workspace_root)
    if marker is None:
        status.needs.append(Need("no traced repository of the workspace's Lake project (tracing builds it once; hours with Mathlib)",
                                 trace_command(workspace_root)))
    elif marker.get("digest") != project_digest(lean_dir):
        status.needs.append(Need("the traced repository is out of date: the Lake project changed since it was traced",
                                 trace_command(workspace_root)))
    return status


class DojoSession:
    """One `Dojo` with the target's goal open."""

    def __init__(self, lean_dojo, dojo, init) -> None:
        self._ld = lean_dojo
        self._dojo = dojo
        self.root = State(init, _goals(init.pp))

    def apply(self, state: State, tactic: str, *, timeout: float) -> Outcome:  # noqa: ARG002 - Dojo's timeout is set at open
        ld = self._ld
        try:
            result = self._dojo.run_tac(state.handle, tactic)
        except ld.DojoTacticTimeoutError:
            raise TacticTimeout(f"LeanDojo: no answer within {self._dojo.timeout} s") from None
        except ld.DojoCrashError as exc:
            raise BackendCrashed(f"LeanDojo crashed: {exc}") from None
        except (EOFError, OSError) as exc:
            raise BackendCrashed(f"LeanDojo's Lean process failed: {exc}") from None
        if isinstance(result, ld.ProofFinished):
            return Outcome.goals(result.tactic_state_id, (), result.message or "")
        if isinstance(result, ld.TacticState):
            return Outcome.goals(result, _goals(result.pp), result.message or "")
        if isinstance(result, ld.LeanError):
            return Outcome.error(result.error)
        return Outcome.error("the tactic gave up (the proof would contain `sorry`)")

    def close(self) -> None:
        dojo, self._dojo = self._dojo, None
        if dojo is not None:
            try:
                dojo.__exit__(None, None, None)
            except Exception:  # noqa: BLE001 - a crashed Dojo may fail to exit cleanly; its process is gone
                pass


def _goals(pp: str) -> tuple[str, ...]:
    return tuple(g.strip() for g in pp.split("\n\n") if g.strip())


class DojoBackend:
    """LeanDojo on the traced mirror of the workspace's Lake project; proofs assembled as `by` scripts."""

    name = "dojo"
    tactic_hint = ""

    def __init__(self, ws, options) -> None:
        self.ws = ws
        self.options = options

    def check(self, target: Target) -> None:
        from workbench.provers.portfolio import starts_with_prelude

        if starts_with_prelude(target.statement_text):
            raise BackendUnavailable(f"LeanDojo cannot open proofs in `prelude` files ({target.statement_file.name})",
                                     hint="use --backend interact, or state the theorem in a file that imports Init or Mathlib")
        status = dojo_status(self.ws.root, self.ws.lean_dir, target.lake)
        if status.needs:
            need = status.needs[0]
            raise BackendUnavailable(f"the dojo backend cannot run: {need.what}", hint=need.fix)

    def open(self, target: Target) -> DojoSession:
        ld = _import(target.memory_mb)
        marker = traced_marker(self.ws.root) or {}
        mirror = _state_dir(self.ws.root) / MIRROR
        try:
            repo = ld.LeanGitRepo(str(mirror), marker.get("commit") or "HEAD")
            rel = target.statement_file.resolve().relative_to(target.lean_dir.resolve())
            theorem = ld.Theorem(repo, rel, target.decl)
            dojo = ld.Dojo(theorem, timeout=max(1, math.ceil(self.options.tactic_timeout_s)))
            _, init = dojo.__enter__()
        except ld.DojoInitError as exc:
            raise BackendError(f"LeanDojo could not open '{target.decl}': {exc}") from None
        except Exception as exc:  # noqa: BLE001 - LeanDojo fails with many types (git, network, lake, asserts)
            raise BackendError(f"LeanDojo could not open '{target.decl}': {type(exc).__name__}: {str(exc)[:500]}") from None
        return DojoSession(ld, dojo, init)

    def assemble(self, target: Target, tactics: list[str]) -> str:
        return tactic_script(target.header, tactics)
