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


_ANSI = {"white": "", "cyan": "36", "green": "32", "red": "31", "yellow": "33", "magenta": "35", "bold magenta": "1;35", "bold red": "1;31"}


def plain_table(headers: list[str], rows: list[list[str]], *, max_widths: dict[int, int] | None = None,
                colour: dict[int, "callable"] | None = None) -> str:
    """Aligned columns, two spaces apart, fast for thousands of rows. Cells wider than `max_widths[i]` end in '…';
    the last column is never padded, so no line ends in blanks. On a terminal the last column wraps to its width
    and `colour[i](cell)` names the colour of a cell (ANSI, unless NO_COLOR is set); piped, every row is one line."""
    import os
    import textwrap

    from rich.cells import cell_len

    max_widths = max_widths or {}
    tty = sys.stdout.isatty()
    paint = tty and not os.environ.get("NO_COLOR") and colour is not None

    def fit(text: str, limit: int | None) -> str:
        if limit is None or cell_len(text) <= limit:
            return text
        while cell_len(text) > limit - 1:
            text = text[:-1]
        return text + "…"

    cells = [[fit(c, max_widths.get(i)) for i, c in enumerate(row)] for row in rows]
    widths = [max([cell_len(h)] + [cell_len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    last = len(headers) - 1
    room = None
    if tty:
        room = max(24, console().width - sum(widths[:last]) - 2 * last)
    out = []

    def line(row: list[str], header: bool = False) -> None:
        parts = []
        for i, cell in enumerate(row[:last]):
            pad = " " * (widths[i] - cell_len(cell))
            code = _ANSI.get(colour[i](cell), "") if paint and not header and i in colour else ""
            parts.append((f"\x1b[{code}m{cell}\x1b[0m" if code else cell) + pad)
        tail = row[last]
        wrapped = textwrap.wrap(tail, room) if room and cell_len(tail) > room else [tail]
        indent = " " * (sum(widths[:last]) + 2 * last)
        head = "  ".join(parts) + "  " + (wrapped[0] if wrapped else "")
        out.append(f"\x1b[1m{head.rstrip()}\x1b[0m" if header and paint else head.rstrip())
        out.extend((indent + w).rstrip() for w in wrapped[1:])

    line(headers, header=True)
    for row in cells:
        line(row)
    return "\n".join(out) + "\n"


def print_table(table) -> None:
    """Print a rich Table; piped, without the blanks rich pads its last column with."""
    if sys.stdout.isatty():
        console().print(table)
        return
    with console().capture() as captured:
        console().print(table)
    sys.stdout.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
    sys.stdout.flush()


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
