"""Rendering helpers shared by commands: consoles, JSON output, status colours."""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from typing import Any

STATUS_STYLE = {
    "informal": "white",
    "formalized": "cyan",
    "proved": "green",
    "disproved": "red",
    "conditional": "yellow",
    "broken": "magenta",
    "accepted": "green",
    "rejected": "red",
    "stale": "bold magenta",
    "unverified": "bold red",
}


@lru_cache(maxsize=None)
def console():
    """The stdout console; when output is piped and $COLUMNS is unset, lines are not wrapped at 80."""
    import os

    from rich.console import Console

    width = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 200
    return Console(highlight=False, soft_wrap=False, width=width)


@lru_cache(maxsize=None)
def err_console():
    """The stderr console (errors, notices, progress)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def emit_json(data: Any) -> None:
    """Print `data` as JSON on stdout (one document)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def error(message: str) -> None:
    """One line on stderr, prefixed with `error:`."""
    from rich.markup import escape

    err_console().print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)


def notice(message: str) -> None:
    """A notice on stderr."""
    from rich.markup import escape

    err_console().print(f"[yellow]note:[/] {escape(message)}", soft_wrap=True)


def warn(message: str) -> None:
    """A warning on stderr (one line)."""
    from rich.markup import escape

    err_console().print(f"[yellow]warning:[/] {escape(message)}", soft_wrap=True)


def warn_problems(ws, shown: int = 5) -> int:
    """One warning line per conjecture file the listing left out (malformed, or an edge to nothing, or a cycle);
    returns the exit status a reading command ends with: 1 when some file was left out, so scripts notice."""
    problems = ws.problems()
    for p in problems[:shown]:
        warn(f"{p} — left out; fix it with `wb edit {p.path.rsplit('/', 1)[-1].removesuffix('.toml')}`")
    if len(problems) > shown:
        warn(f"… and {len(problems) - shown} more files left out; `wb doctor` lists them all")
    return 1 if problems else 0


def styled_status(status: str) -> str:
    """Rich markup for a status word in its colour."""
    return f"[{STATUS_STYLE.get(status, 'white')}]{status}[/]"


def report_change(ws, change, as_json: bool, summary: str) -> None:
    """Print what a mutating command did (or its JSON), and the fallback-identity notice once."""
    from rich.markup import escape

    if as_json:
        emit_json(change.model_dump(mode="json"))
    else:
        tail = f" (commit {change.commit[:8]})" if change.commit else " (not committed)"
        console().print(escape(summary) + tail, soft_wrap=True)
    if change.identity_fallback and ws.identity_notice_due():
        notice(
            "no git identity is configured, so commits are made as 'Conjecture Workbench <workbench@localhost>'; "
            "set yours with `git config --global user.name ...` and `user.email ...`"
        )
