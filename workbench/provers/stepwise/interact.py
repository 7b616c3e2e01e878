"""The LeanInteract backend: the Lean REPL (`lean_interact.LeanServer`) on the workspace's Lake project.

The target's module is sent to the REPL up to the target, whose proof is replaced by `by sorry`; the
REPL answers with that `sorry`'s proof state, and each tactic is a `ProofStep` on a state id.
LeanInteract runs its REPL binary, which it clones and builds once per Lean version (with `lake`, and
network access for the clone): `wb doctor` says whether that build is there and prints the command that
makes it.  The project's own imports must be built (`lake build` in `lean/`).  A tactic that outlives
its timeout makes LeanInteract kill the REPL; the runner starts a new one and replays the path.  Memory
is capped through LeanInteract's `memory_hard_limit_mb`.  `lean_interact` is imported only here:
`pip install 'conjecture-workbench[interact]'`.
"""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

from workbench.provers.stepwise.assemble import tactic_script
from workbench.provers.stepwise.backends import BackendStatus, Need, package_version
from workbench.provers.stepwise.protocol import (
    BackendCrashed, BackendError, BackendUnavailable, Outcome, State, TacticTimeout, Target,
)

DISTRIBUTION, MODULE = "lean-interact", "lean_interact"
INSTALL = "pip install 'conjecture-workbench[interact]'"
OPEN_TIMEOUT_S = 900.0  # elaborating the module's imports (Mathlib) before the goal opens


def project_lean_version(lean_dir: Path) -> str | None:
    """`v4.x.y` from the project's `lean-toolchain` file, or None."""
    try:
        text = (lean_dir / "lean-toolchain").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    version = text.removeprefix("leanprover/lean4:")
    return version if version.startswith("v4") else None


def repl_build(version: str) -> Path | None:
    """LeanInteract's built REPL binary for Lean `version`, if it is in LeanInteract's cache."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(MODULE)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    cache = Path(spec.origin).parent / "cache"
    for binary in cache.glob(f"*/*/repl_*lean-toolchain-{version}/.lake/build/bin/repl"):
        return binary
    return None


def repl_build_command(lean_dir: Path) -> str:
    """The command that clones and builds LeanInteract's REPL for the project's Lean version (needs network)."""
    return (f"cd {shlex.quote(str(lean_dir))} && {shlex.quote(sys.executable)} -c \"from lean_interact import "
            "LeanREPLConfig, LocalProject; LeanREPLConfig(project=LocalProject(directory='.', auto_build=False), verbose=True)\"")


def interact_status(lean_dir: Path | None, lake: str | None = None) -> BackendStatus:
    """Whether LeanInteract can run on this workspace's project, and what it still needs (nothing is built)."""
    from workbench.lean.toolchain import ELAN_INSTALL

    status = BackendStatus("interact", DISTRIBUTION, package_version(DISTRIBUTION, MODULE))
    if status.version is None:
        status.needs.append(Need("LeanInteract is not installed", INSTALL))
    if (lake or shutil.which("lake")) is None:
        status.needs.append(Need("`lake` is not on PATH (LeanInteract runs the REPL through it)", f"install elan: {ELAN_INSTALL}"))
    if lean_dir is None:
        status.needs.append(Need("no workspace with a Lake project here", "run `wb doctor` inside a workspace (`wb init` makes one)"))
        return status
    version = project_lean_version(lean_dir)
    if version is None:
        status.needs.append(Need(f"{lean_dir / 'lean-toolchain'} is missing or names no Lean 4 version",
                                 f"echo leanprover/lean4:v4.x.y > {lean_dir / 'lean-toolchain'}"))
    elif status.version is not None and repl_build(version) is None:
        status.needs.append(Need(f"LeanInteract's REPL is not built for Lean {version} (it is cloned and built once, with network access)",
                                 repl_build_command(lean_dir)))
    return status


def opening_command(statement_text: str, decl: str) -> tuple[str, int]:
    """The module's text up to the target, whose proof becomes `by sorry`, and the target's first line (1-based)."""
    from workbench.lean.source import find_declaration

    found = find_declaration(statement_text, decl)
    if found is None or found.proof_sep is None:
        raise BackendError(f"cannot find the declaration of '{decl}' to open")
    line = statement_text.count("\n", 0, found.command.start) + 1
    return statement_text[: found.proof_sep.start].rstrip() + " := by\n  sorry\n", line


class InteractSession:
    """One REPL with the target's goal open."""

    def __init__(self, li, server, root: State) -> None:
        self._li = li
        self._server = server
        self.root = root

    def apply(self, state: State, tactic: str, *, timeout: float) -> Outcome:
        from lean_interact.interface import LeanError as ReplError

        try:
            result = self._server.run(self._li.ProofStep(proof_state=state.handle, tactic=tactic), timeout=timeout)
        except TimeoutError:
            raise TacticTimeout(f"LeanInteract: no answer within {timeout:g} s (the REPL was killed)") from None
        except (ConnectionAbortedError, ChildProcessError, BrokenPipeError, EOFError, ValueError) as exc:
            raise BackendCrashed(f"the Lean REPL failed: {type(exc).__name__}: {str(exc)[:500]}") from None
        if isinstance(result, ReplError):
            return Outcome.error(result.message)
        errors = [m.data for m in result.messages if m.severity == "error"]
        if errors:
            return Outcome.error("\n".join(errors))
        if "sorry" in (result.proof_status or "").lower():
            return Outcome.error(f"the tactic leaves `sorry` ({result.proof_status})")
        return Outcome.goals(result.proof_state, tuple(result.goals))

    def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            try:
                server.kill()
            except Exception:  # noqa: BLE001 - the REPL may already be gone
                pass


class InteractBackend:
    """LeanInteract's REPL on the workspace's Lake project; proofs assembled as `by` scripts."""

    name = "interact"
    tactic_hint = ""

    def __init__(self, ws, options) -> None:
        self.ws = ws
        self.options = options

    def check(self, target: Target) -> None:
        status = interact_status(target.lean_dir, target.lake)
        if status.needs:
            need = status.needs[0]
            raise BackendUnavailable(f"the interact backend cannot run: {need.what}", hint=need.fix)

    def open(self, target: Target) -> InteractSession:
        try:
            import lean_interact as li
        except ImportError as exc:
            raise BackendUnavailable(f"LeanInteract is not installed ({exc})", hint=INSTALL) from None
        lake = target.lake or shutil.which("lake") or "lake"
        text, line = opening_command(target.statement_text, target.decl)
        try:
            config = li.LeanREPLConfig(
                project=li.LocalProject(directory=str(target.lean_dir), auto_build=False, lake_path=lake),
                lake_path=lake, memory_hard_limit_mb=target.memory_mb,
            )
            server = li.LeanServer(config)
        except Exception as exc:  # noqa: BLE001 - LeanInteract reports set-up failures as many exception types
            raise BackendUnavailable(f"LeanInteract could not start its REPL: {type(exc).__name__}: {str(exc)[:500]}",
                                     hint=repl_build_command(target.lean_dir)) from None
        try:
            response = server.run(li.Command(cmd=text), timeout=OPEN_TIMEOUT_S)
        except Exception as exc:  # noqa: BLE001 - timeouts, a dead REPL, unreadable output
            server.kill()
            raise BackendError(f"LeanInteract could not elaborate {target.module}: {type(exc).__name__}: {str(exc)[:500]}") from None
        messages = getattr(response, "messages", [])
        errors = [m.data for m in messages if m.severity == "error"]
        sorries = [s for s in getattr(response, "sorries", []) if s.start_pos is None or s.start_pos.line >= line]
        if errors or not sorries or sorries[0].proof_state is None:
            server.kill()
            why = "; ".join(errors)[:800] if errors else getattr(response, "message", "") or "no proof state for the target"
            raise BackendError(f"LeanInteract could not open '{target.decl}': {why}",
                               hint="check that the project builds (`lake build` in lean/)")
        return InteractSession(li, server, State(sorries[0].proof_state, (sorries[0].goal,)))

    def assemble(self, target: Target, tactics: list[str]) -> str:
        return tactic_script(target.header, tactics)
