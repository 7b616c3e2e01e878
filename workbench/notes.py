"""Notes: lower-trust evidence kept on a node (an informal argument, a numeric check, a reference, a review).

A note never changes a node's status. `lean-checked` is not a level anyone can claim by hand: only
a Lean run (`wb check --proof`, `wb prove`, the MCP tool `submit_proof`) settles a node.
"""

from __future__ import annotations

from workbench.errors import UsageError, ValidationFailed
from workbench.model import Note, NumericRecord, Trust
from workbench.workspace import Change, Workspace

MAX_NOTE_CHARS = 100_000
"""Longest note text accepted (characters); longer evidence belongs in a file referenced by the note."""

SETTABLE_TRUST = (Trust.claimed, Trust.numeric_check, Trust.reviewed)
"""Trust levels a note may be given by hand; `lean-checked` comes only from Lean."""


def parse_trust(value: str | Trust) -> Trust:
    """The trust level named by `value`, refusing `lean-checked` and unknown names."""
    try:
        trust = Trust(value)
    except ValueError:
        raise UsageError(
            f"unknown trust level '{value}': use one of {', '.join(t.value for t in SETTABLE_TRUST)}"
        ) from None
    if trust == Trust.lean_checked:
        raise UsageError(
            "refused: a note cannot be 'lean-checked' by hand; only Lean settles a node",
            hint="submit a proof (`wb check ID --proof FILE`, or the MCP tool submit_proof)",
        )
    return trust


def check_text(text: str, what: str = "text", limit: int = MAX_NOTE_CHARS) -> str:
    """`text` with line endings normalised, refusing blank or oversized input."""
    if not isinstance(text, str) or not text.strip():
        raise ValidationFailed(f"{what} must not be blank")
    if len(text) > limit:
        raise ValidationFailed(f"{what} is {len(text)} characters; the limit is {limit}")
    if "\x00" in text:
        raise ValidationFailed(f"{what} contains a NUL character")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def add_note(
    ws: Workspace,
    conj_id: str,
    *,
    text: str,
    trust: str | Trust = Trust.claimed,
    author: str | None = None,
    family: str | None = None,
    verdict: str | None = None,
    actor: str = "wb note",
    client: str | None = None,
    message: str | None = None,
    commit: bool = True,
    numeric: NumericRecord | None = None,
) -> Change:
    """Append a note to `conj_id` in one commit `<actor> <id>: <trust> note[ by <author>][ (client: <client>)]`.

    The node's status is untouched. `trust` may be claimed, numeric-check or reviewed; `message`
    replaces the default commit message; `numeric` is the structured record of a `wb numeric-check`."""
    level = parse_trust(trust)
    text = check_text(text, "note text")
    conj = ws.get(conj_id)
    note = Note(
        trust=level, text=text, author=(author or None), family=(family or None), verdict=(verdict or None),
        numeric=numeric,
    )
    conj.notes.append(note)
    who = f" by {author}" if author else ""
    via = f" (client: {client})" if client else ""
    message = message or f"{actor} {conj_id}: {level.value} note{who}{via}"
    return ws.save(conj, message, action="note", commit=commit)
