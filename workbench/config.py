"""workbench.toml: read a workspace's settings and check the values the workbench relies on."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Callable

from workbench.errors import InvalidFileError
from workbench.storage import load_toml

TABLES = ("workspace", "lean", "batch", "providers", "provers", "review")


def _text(v: Any) -> bool:
    return isinstance(v, str)


def _seconds(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v > 0


def _megabytes(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v > 0


def _names(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


#: (table, key) -> (check, what the value must be, an example line)
CHECKS: dict[tuple[str, str], tuple[Callable[[Any], bool], str, str]] = {
    ("workspace", "name"): (_text, "a string", 'name = "my-graph"'),
    ("lean", "project"): (_text, "a folder name", 'project = "lean"'),
    ("lean", "lean"): (_text, "the path of a `lean` binary", 'lean = "/home/me/.elan/bin/lean"'),
    ("lean", "timeout_s"): (_seconds, "a number of seconds", "timeout_s = 300"),
    ("lean", "memory_mb"): (_megabytes, "a whole number of megabytes", "memory_mb = 8192"),
    ("lean", "allow_axioms"): (_names, "a list of axiom names", 'allow_axioms = ["propext", "Classical.choice", "Quot.sound"]'),
}


def load_config(path: Path) -> dict:
    """The parsed workbench.toml at `path`; a syntax error or a value of the wrong type raises an
    InvalidFileError naming the file, line and key, with the fix."""
    text, data = load_toml(path)
    for table in TABLES:
        if table in data and not isinstance(data[table], dict):
            raise InvalidFileError(path, "must be a table", field=table, line=_line(text, table), hint=f"write it as a [{table}] section")
    for (table, key), (ok, what, example) in CHECKS.items():
        section = data.get(table, {})
        if key in section and not ok(section[key]):
            raise InvalidFileError(
                path, f"must be {what}, not {_shown(section[key])}", field=f"{table}.{key}",
                line=_line(text, f"{table}.{key}"), hint=f"write e.g. {example}",
            )
    return data


def _shown(value: Any) -> str:
    """`value` as it is written in TOML."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_HEADER = re.compile(r"\[\s*([A-Za-z0-9_.\- ]+?)\s*\]\s*(#.*)?$")
_ASSIGN = re.compile(r"([A-Za-z0-9_.\- ]+?)\s*=")


def _line(text: str, dotted: str) -> int | None:
    """The 1-based line that assigns the dotted key `dotted` (e.g. "lean.timeout_s"), if it can be found."""
    table = ""
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        header = _HEADER.match(line)
        if header:
            table = header.group(1).replace(" ", "")
            continue
        assign = _ASSIGN.match(line)
        if assign and ".".join(filter(None, (table, assign.group(1).replace(" ", "")))) == dotted:
            return n
    return None
