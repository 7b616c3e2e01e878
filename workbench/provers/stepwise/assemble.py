"""Turn a solved tactic path into a whole-proof candidate: a `by` block, or a term for Lean without tactics.

    tactic_script("theorem t (n : N) : P n", ["induction n", "rfl", "simp"])
    # theorem t (n : N) : P n := by
    #   induction n
    #   rfl
    #   simp
    term_proof("theorem t : A ∧ B", ["refine And.intro ?_ ?_", "exact a", "exact b"])
    # theorem t : A ∧ B := (And.intro (a) (b))

Real backends (LeanDojo, LeanInteract) apply each tactic to the whole proof state, main goal first, so
the script in order is the proof they ran.  `term_proof` is for a backend whose Lean has no tactic
framework (a `prelude` file): its steps are `refine TERM` (holes `?_` become the next goals, in order),
`exact TERM` and `intro x …`, and each fills the first open hole — which is the main goal.  Either way
the result is only a candidate: the verifier decides.
"""

from __future__ import annotations

from workbench.lean.source import balanced_parens

import re

from workbench.errors import WorkbenchError

HOLE = "?_"
_HOLE_RE = re.compile(r"\?_(?![A-Za-z0-9_'!?])")
_INTRO_RE = re.compile(r"^intros?(?:\s+(.*))?$", re.S)


class AssemblyError(WorkbenchError):
    """A tactic path cannot be written as a whole proof in the backend's assembly form."""


def tactic_script(header: str, tactics: list[str]) -> str:
    """`header := by` followed by the tactics, one per line (a multi-line tactic keeps its own layout)."""
    if not tactics:
        raise AssemblyError("an empty tactic path proves nothing")
    lines = [f"{header.rstrip()} := by"]
    for tactic in tactics:
        body = tactic.strip("\n")
        lines.extend("  " + line if line.strip() else "" for line in body.splitlines())
    return "\n".join(lines) + "\n"


def _fragment(tactic: str) -> str:
    text = " ".join(tactic.split())
    head, _, rest = text.partition(" ")
    if head == "exact" and rest:
        if _HOLE_RE.search(rest):
            raise AssemblyError(f"`{text}`: `exact` leaves no goals, so its term cannot have holes `?_`")
        return rest
    if head == "refine" and rest:
        return rest
    m = _INTRO_RE.match(text)
    if m:
        names = (m.group(1) or "_").split()
        return f"fun {' '.join(names)} => {HOLE}"
    raise AssemblyError(f"`{text}` is not a term step: use `exact TERM`, `refine TERM` (holes `?_`) or `intro x`")


def term_proof(header: str, tactics: list[str]) -> str:
    """`header := TERM` where TERM is built by filling the first hole with each step's term, in order."""
    if not tactics:
        raise AssemblyError("an empty tactic path proves nothing")
    term = HOLE
    for tactic in tactics:
        m = _HOLE_RE.search(term)
        if m is None:
            raise AssemblyError(f"`{' '.join(tactic.split())}` comes after the proof is already complete")
        term = term[: m.start()] + f"({_fragment(tactic)})" + term[m.end():]
    if _HOLE_RE.search(term):
        raise AssemblyError("the path leaves goals open: the term still has holes `?_`")
    if term.startswith("(") and term.endswith(")") and balanced_parens(term[1:-1]):
        term = term[1:-1]
    return f"{header.rstrip()} := {term}\n"


ASSEMBLERS = {"tactics": tactic_script, "terms": term_proof}
