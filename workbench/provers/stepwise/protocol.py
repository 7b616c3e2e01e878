"""The proof-state protocol every stepwise backend speaks: open a goal, apply a tactic to a state, close.

    session = backend.open(target)           # a live backend (a process) with the target's goal opened
    root = session.root                      # State(handle, goals)
    out = session.apply(root, "intro n", timeout=10.0)
    out.kind                                 # "goals" (out.state), "solved", or "error" (out.message)
    session.close()

A session raises `TacticTimeout` when a tactic outlives its timeout and `BackendCrashed` when the
backend died; after either, the session is finished (`Runner` starts a new one and replays the path).
Nothing a backend says is trusted: a solved path is assembled into a whole proof (`assemble`) and
checked by the verification pipeline like any other candidate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

from workbench.errors import ToolchainError, WorkbenchError

OutcomeKind = Literal["goals", "solved", "error"]


class BackendError(WorkbenchError):
    """A stepwise backend failed in a way a restart does not cure (the goal cannot be opened, it keeps crashing)."""


class BackendUnavailable(ToolchainError):
    """A stepwise backend cannot run here: its package, Lean, Lake, a traced repository or a REPL build is missing.
    The hint is the command that gets it."""


class BackendCrashed(Exception):
    """The backend process died (or stopped answering sensibly) while applying a tactic."""


class TacticTimeout(Exception):
    """A tactic did not finish within its timeout; the session that ran it is no longer usable."""


@dataclass(frozen=True)
class State:
    """A proof state: the backend's handle for it (valid only in the session that made it) and its goals
    as the backend prints them (hypotheses, then `⊢ target`), main goal first."""

    handle: Any
    goals: tuple[str, ...]

    @property
    def solved(self) -> bool:
        return not self.goals


@dataclass(frozen=True)
class Outcome:
    """What applying one tactic did: new goals (`state`), the proof closed, or an error message."""

    kind: OutcomeKind
    state: State | None = None
    message: str = ""

    @classmethod
    def goals(cls, handle: Any, goals: tuple[str, ...] | list[str], message: str = "") -> "Outcome":
        goals = tuple(goals)
        if not goals:
            return cls("solved", State(handle, ()), message)
        return cls("goals", State(handle, goals), message)

    @classmethod
    def error(cls, message: str) -> "Outcome":
        return cls("error", None, message.strip() or "the tactic failed")


@dataclass(frozen=True)
class Target:
    """What a session opens: one formalized node's declaration in the workspace's Lake project.

    `statement_text` is the statement module as formalized (settlement blocks undone) and `header` its
    declaration up to `:=`; `lean_dir` is the Lake project; `memory_mb` caps the backend's memory."""

    conjecture: str
    decl: str
    module: str
    statement_file: Path
    statement_text: str
    header: str
    lean_dir: Path
    workspace_root: Path
    lean_path: tuple[Path, ...] = ()
    memory_mb: int = 8192
    lean_cmd: tuple[str, ...] = ()
    lake: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class Session(Protocol):
    """One live backend with the target's goal open."""

    root: State

    def apply(self, state: State, tactic: str, *, timeout: float) -> Outcome:
        """Run `tactic` on `state` (all its goals, the main one first). Raises TacticTimeout or BackendCrashed."""
        ...

    def close(self) -> None:
        """Stop the backend and release what it holds; safe to call twice."""
        ...


@runtime_checkable
class Backend(Protocol):
    """A factory of sessions: LeanDojo, LeanInteract, or a custom one named in workbench.toml."""

    name: str

    def check(self, target: Target) -> None:
        """Raise BackendUnavailable (with the command that fixes it) when this backend cannot open `target`."""
        ...

    def open(self, target: Target) -> Session:
        """Start the backend and open the target's goal; BackendError when it cannot be opened."""
        ...

    def assemble(self, target: Target, tactics: list[str]) -> str:
        """The whole-proof candidate (a declaration of the target) that the tactic path stands for."""
        ...
