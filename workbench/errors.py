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


class LexError(WorkbenchError, ValueError):
    """Lean text the checker cannot read exactly as Lean's lexer would; says where (line, 0-based column) and why."""

    def __init__(self, problem: str, offset: int, line: int, column: int) -> None:
        self.problem = problem
        self.offset = offset
        self.line = line
        self.column = column
        super().__init__(f"line {line}, column {column}: {problem}")


class ProviderUnreachableError(ProviderError):
    """A model server cannot be reached at all (its host name does not resolve, nothing listens on its port):
    a set-up problem that no retry fixes."""

    exit_code = 2


def validation_problem(exc) -> tuple[str | None, str]:
    """The field and the problem of a pydantic ValidationError's first error, in our words: what was given and
    what is allowed, never pydantic's wording or links to its documentation."""
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err.get("loc", ()) if p != "__root__") or None
    kind, given, ctx = err.get("type", ""), err.get("input"), err.get("ctx") or {}
    shown = repr(given) if isinstance(given, str) else str(given)
    if kind == "missing":
        return field, "required field is missing"
    if kind == "extra_forbidden":
        return field, "unknown field"
    if kind == "enum" or kind == "literal_error":
        allowed = str(ctx.get("expected", "")).replace("'", "")
        return field, f"{shown} is not one of {allowed}" if allowed else f"{shown} is not allowed"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return field, f"{shown} is not an integer"
    if kind in ("float_parsing", "float_type"):
        return field, f"{shown} is not a number"
    if kind in ("bool_parsing", "bool_type"):
        return field, f"{shown} is not true or false"
    if kind in ("string_type", "list_type", "dict_type"):
        return field, f"{shown} is not a {kind.removesuffix('_type').replace('dict', 'table').replace('string', 'text')}"
    if kind == "string_too_short":
        return field, "must not be empty" if ctx.get("min_length") == 1 else f"must be at least {ctx.get('min_length')} characters"
    if kind == "string_too_long":
        return field, f"must be at most {ctx.get('max_length')} characters"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(ctx.values()), "?")
        words = {"greater_than_equal": "at least", "greater_than": "more than", "less_than_equal": "at most", "less_than": "less than"}
        return field, f"must be {words[kind]} {bound}, not {shown}"
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return field, msg.split(" [type=")[0].split("\n    For further information")[0]
