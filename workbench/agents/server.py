"""The MCP server behind `wb mcp`: the workbench's library calls as typed tools, resources and a prompt.

Built on the official `mcp` SDK (`MCPServer`), rooted at one workspace; the tools live by group in
`reading`, `writing` and `checking`, the resources and prompt in `resources`. Safety rules:

- Nothing reaches `proved` or `disproved` except through Lean: `submit_proof` settles only when the
  verifier accepts (exactly as `wb check --proof`); notes never change a status, and `add_note`
  cannot claim `lean-checked` (nor `reviewed`: that level comes from `request_review`).
- Every mutation is one git commit whose message names the tool and the MCP client, e.g.
  `wb mcp link a uses b (client: claude-code)`.
- Bad input (unknown id, invalid Lean, a cycle, oversized text) is a tool error with a clear
  message; the server keeps serving.
- `read_only=True` registers only the reading tools: list_conjectures, show_conjecture,
  next_targets, graph_neighbourhood, verify_candidate (it runs Lean but changes nothing and
  settles nothing) and numeric_check (which then records nothing). Resources and the `prove`
  prompt are available in both modes.
- Claims given to numeric_check are untrusted text: they are read with a whitelist, never
  evaluated, and sympy runs in a child process with a timeout and a memory cap.

The modules of `workbench.agents` import the SDK at import time; the CLI imports it only inside `wb mcp`.
"""

from pathlib import Path

from mcp.server.mcpserver import MCPServer

from workbench.agents import checking, reading, resources, writing
from workbench.agents.descriptions import INSTRUCTIONS
from workbench.workspace import Workspace

READING_TOOLS = ("list_conjectures", "show_conjecture", "next_targets", "graph_neighbourhood", "verify_candidate", "numeric_check")
WRITING_TOOLS = ("add_conjecture", "link", "formalize", "submit_proof", "add_note", "request_review")


def build_server(root: Path | str, *, read_only: bool = False) -> MCPServer:
    """The MCP server for the workspace at `root` (tools, resources `wb://conjecture/{id}` and
    `wb://graph`, prompt `prove`); with `read_only`, only the reading tools."""
    root = Workspace.open(root).root  # fail early when it is not a workspace
    server = MCPServer(
        "conjecture-workbench",
        title="Conjecture Workbench",
        instructions=INSTRUCTIONS + (" This server is read-only: it can read and verify, not change the workspace." if read_only else ""),
        version=_version(),
        log_level="WARNING",
    )
    _add_tools(server, root, read_only=read_only)
    resources.register(server, root)
    return server


def _add_tools(server: MCPServer, root: Path, *, read_only: bool) -> None:
    """Register every tool group's tools on `server`; with `read_only`, only READING_TOOLS."""
    tools = {**reading.tools(root), **writing.tools(root), **checking.tools(root, read_only=read_only)}
    for name, (fn, description, annotations) in tools.items():
        if read_only and name not in READING_TOOLS:
            continue
        server.add_tool(fn, name=name, description=description, annotations=annotations, structured_output=True)


def _version() -> str:
    try:
        from workbench import __version__

        return str(__version__)
    except Exception:  # noqa: BLE001
        return ""
