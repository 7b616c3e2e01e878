"""Reading Lean's `--json` output: messages, `#print axioms` audit lines, positions mapped back to the candidate."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from workbench.lean.source import strip_guillemets

_AUDIT_NONE = re.compile(r"^'(?P<name>.+)' does not depend on any axioms\s*$", re.S)
_AUDIT_SOME = re.compile(r"^'(?P<name>.+)' depends on axioms: \[(?P<axioms>.*)\]\s*$", re.S)


@dataclass
class RawMessage:
    """One message as Lean printed it, positions in the file Lean ran on (line 1-based, column 0-based)."""

    severity: str
    text: str
    line: int | None
    column: int | None
    kind: str = ""
    file: str = ""


def parse_json_lines(stdout: str) -> list[RawMessage]:
    """The messages in `lean --json` output; a line that is not a JSON message is kept as an error message."""
    found: list[RawMessage] = []
    for raw in stdout.splitlines():
        raw = raw.strip()
        if not raw:
            continue
        try:
            obj = json.loads(raw)
        except ValueError:
            found.append(RawMessage("error", raw, None, None, "unparsed-output"))
            continue
        if not isinstance(obj, dict) or "data" not in obj:
            found.append(RawMessage("error", raw, None, None, "unparsed-output"))
            continue
        pos = obj.get("pos") or {}
        severity = obj.get("severity", "error")
        if severity not in ("information", "warning", "error"):
            severity = "error"
        text = obj.get("data")
        if not isinstance(text, str):
            text = json.dumps(text)
        caption = obj.get("caption") or ""
        found.append(
            RawMessage(
                severity=severity,
                text=f"{caption}: {text}" if caption else text,
                line=pos.get("line") if isinstance(pos.get("line"), int) else None,
                column=pos.get("column") if isinstance(pos.get("column"), int) else None,
                kind=str(obj.get("kind") or ""),
                file=str(obj.get("fileName") or ""),
            )
        )
    return found


def parse_audit(text: str) -> tuple[str, list[str]] | None:
    """(declaration name, axioms) from a `#print axioms` message, or None when `text` is not one."""
    m = _AUDIT_NONE.match(text.strip())
    if m:
        return _plain(m.group("name")), []
    m = _AUDIT_SOME.match(text.strip())
    if m:
        axioms = [_plain(a) for a in m.group("axioms").split(",") if a.strip()]
        return _plain(m.group("name")), axioms
    return None


def _plain(name: str) -> str:
    """A printed name as a plain full name: no «», no `_root_.` (printed when a namespace shadows the name)."""
    return strip_guillemets(name.strip()).removeprefix("_root_.")


@dataclass(frozen=True)
class Region:
    """Lines `first..last` (1-based, inclusive) of an assembled file and where they came from."""

    first: int
    last: int
    origin: str  # "candidate", "statement" or "checker"
    offset: int  # origin line = assembled line - offset


class LineMap:
    """Maps lines of an assembled file back to the candidate's or the statement's own lines."""

    def __init__(self, regions: list[Region]) -> None:
        self.regions = regions

    def locate(self, line: int | None) -> tuple[str, int | None]:
        """(origin, line in that origin) for an assembled line; ("checker", None) for text the checker added."""
        if line is None:
            return "checker", None
        for r in self.regions:
            if r.first <= line <= r.last:
                return r.origin, (line - r.offset if r.origin != "checker" else None)
        return "checker", None
