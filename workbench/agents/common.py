"""What every MCP tool shares: the calling client's name and family, the tool annotations, text limits and tool errors."""

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import ValidationError

from workbench.errors import WorkbenchError
from workbench.workspace import Workspace

READING = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
WRITING = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False)


class ToolGroup:
    """A group of tools over the workspace at `root`, opened afresh for every call."""

    def __init__(self, root: Path, *, read_only: bool = False) -> None:
        self.root = root
        self.read_only = read_only

    def ws(self) -> Workspace:
        """The workspace, opened for one call."""
        return Workspace.open(self.root)


def client_name(ctx: Optional[Context]) -> str:
    """The MCP client's name from its initialize request (`clientInfo.name`), cleaned for a commit message."""
    name = None
    try:
        params = ctx.session.client_params if ctx is not None else None
        name = params.client_info.name if params is not None and params.client_info is not None else None
    except Exception:  # noqa: BLE001 - no request context (a direct call): an unknown client
        name = None
    name = re.sub(r"[^\w.@/+ -]", "", str(name or "")).strip()[:60]
    return name or "unknown-client"


_CLIENT_FAMILIES = (
    ("claude", "anthropic"),
    ("codex", "openai"),
    ("openai", "openai"),
    ("chatgpt", "openai"),
    ("gemini", "google"),
)


def client_family(name: str) -> Optional[str]:
    """The model family an MCP client's name plainly implies (claude-code → anthropic, codex → openai,
    gemini-cli → google), or None."""
    low = name.lower()
    for needle, family in _CLIENT_FAMILIES:
        if needle in low:
            return family
    return None

@contextmanager
def tool_errors() -> Iterator[None]:
    """Turn the workbench's own errors (and pydantic's) into MCP tool errors with a clear message."""
    try:
        yield
    except ToolError:
        raise
    except WorkbenchError as exc:
        raise ToolError(str(exc)) from None
    except ValidationError as exc:
        from workbench.errors import validation_problem

        loc, msg = validation_problem(exc)
        raise ToolError((f"field '{loc}': " if loc else "") + msg) from None


def check_length(value: Optional[str], name: str, limit: int) -> None:
    """A tool error when `value` is longer than `limit` characters."""
    if value is not None and len(value) > limit:
        raise ToolError(f"'{name}' is {len(value)} characters; the limit is {limit}")
