"""The exception family of the workbench; the CLI turns each into one line and an exit status."""

from __future__ import annotations

from pathlib import Path


class WorkbenchError(Exception):
    """Base class of every error the workbench raises on purpose."""

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class UsageError(WorkbenchError):
    """The arguments of a call are wrong in a way the caller can fix."""

    exit_code = 2


class ClaimError(UsageError):
    """A claim or a variable's condition cannot be read, or uses something a claim may not; names the part."""


class NotAWorkspaceError(WorkbenchError):
    """No workspace was found where one was expected."""


class WorkspaceLockedError(WorkbenchError):
    """Another process holds the workspace lock for longer than we are willing to wait."""


class NotFoundError(WorkbenchError):
    """A conjecture id (or another named thing) does not exist."""


class DuplicateError(WorkbenchError):
    """Something with this id already exists."""


class InvalidIdError(WorkbenchError):
    """An id is not kebab-case."""


class InvalidFileError(WorkbenchError):
    """A file on disk is malformed or fails validation: names the path, field and problem."""

    def __init__(
        self, path: Path | str, problem: str, *, field: str | None = None, line: int | None = None, hint: str | None = None
    ) -> None:
        self.path = str(path)
        self.field = field
        self.problem = problem
        self.line = line
        where = self.path + (f":{line}" if line else "")
        what = f"field '{field}': {problem}" if field else problem
        super().__init__(f"{where}: {what}", hint=hint)


class UnwritablePathError(WorkbenchError):
    """A path cannot be written (missing folder, a directory, no permission, read-only file system): names it."""

    def __init__(self, path: Path | str, problem: str, *, hint: str | None = None) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"cannot write {self.path}: {problem}", hint=hint)


class ReadOnlyWorkspaceError(WorkbenchError):
    """The workspace cannot be changed here (read-only file system or no permission); it can still be read."""

    def __init__(self, root: Path | str, reason: str) -> None:
        self.root = str(root)
        self.reason = reason
        super().__init__(f"the workspace {self.root} is read-only here ({reason}): it can be read but not changed")


class ValidationFailed(WorkbenchError):
    """User-supplied data (options, an import line) failed validation."""


class CycleError(WorkbenchError):
    """A `uses` edge would close a cycle; `cycle` lists the ids around it."""

    def __init__(self, cycle: list[str]) -> None:
        self.cycle = cycle
        super().__init__(
            "refused: this 'uses' edge would close a cycle " + " -> ".join(cycle),
            hint="a proof cannot rest on itself; unlink one of these edges first",
        )


class EdgeError(WorkbenchError):
    """An edge is malformed, a self-loop, duplicated or missing."""


class InUseError(WorkbenchError):
    """A conjecture cannot be removed while other nodes point at it."""


class ConflictError(WorkbenchError):
    """The workspace changed underneath a change (e.g. another process settled the node first)."""


class GitError(WorkbenchError):
    """A git operation failed."""


class EditorError(WorkbenchError):
    """$EDITOR is missing or failed."""


class ToolchainError(WorkbenchError):
    """No usable Lean toolchain: says what was tried and how to install one."""

    exit_code = 2


class LeanError(WorkbenchError):
    """Lean ran but the input could not be checked (e.g. a statement that does not elaborate)."""


class ProviderError(WorkbenchError):
    """A model provider failed (HTTP status, missing key, timeout); never carries the key."""

    def __init__(self, message: str, *, status: int | None = None, hint: str | None = None) -> None:
        self.status = status
        super().__init__(message, hint=hint)
