"""The prompts sent to model provers: the first request of an attempt and the repair messages."""

from __future__ import annotations

from workbench.model import Verdict
from workbench.provers.base import Task, negated_header

MAX_STATEMENT_CHARS = 40_000
MAX_MESSAGES = 20
MAX_MESSAGE_CHARS = 1_500
MAX_PAST_FAILURES = 2

SYSTEM = """\
You are an expert Lean 4 prover. You are given a Lean 4 file containing a theorem whose proof is \
`sorry`. Write a complete proof of that theorem.

Rules:
- Answer with the proof in ONE fenced code block marked ```lean. You may restate the whole file or \
give only the theorem (with its exact statement) and any helper lemmas it needs.
- Keep the theorem's name and statement exactly as given. Do not add hypotheses or change types.
- Do not use `sorry`, `admit`, new `axiom`s, `#exit`, `import`, `set_option debug.*`, `notation`, \
`macro`, `syntax`, `elab`, `#eval` or `run_cmd`: such proofs are rejected.
- A short explanation before the code block is fine; the last ```lean block is what gets checked.
"""


def fence(text: str) -> str:
    """`text` in a ```lean code block."""
    return f"```lean\n{text.rstrip()}\n```"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 40].rstrip() + "\n-- … (truncated)"


def initial_prompt(task: Task) -> str:
    """The first user message of an attempt (for a disproof: the negated target and any numeric counterexample)."""
    goal = "the NEGATION of the theorem (`¬ (statement)`), that is, DISPROVE it:" if task.negate else "the theorem"
    parts = [
        f"Prove {goal} `{task.decl}` (conjecture `{task.conjecture}`"
        + (f": {task.title}" if task.title else "") + ").",
        f"The statement file `{task.statement_file.name}`:",
        fence(_clip(task.statement_text, MAX_STATEMENT_CHARS)),
    ]
    negated = negated_header(task.target) if task.negate else None
    if task.negate:
        parts += [
            "The theorem as stated (do not prove this):", fence(task.target + " :="),
            "Your target: the same name with the negated statement, its binders under `∀` (¬ P is P → False; "
            "Lean checks that your theorem's type is exactly this):",
            fence((negated or f"theorem {task.decl} : ¬ (statement)") + " :="),
        ]
    else:
        parts += ["The target (its proof goes after `:=`):", fence(task.target + " :=")]
    parts += context_parts(task)
    for past in task.failures[-MAX_PAST_FAILURES:]:
        who = past.prover + (f"/{past.model}" if past.model else "")
        parts.append(f"An earlier attempt (#{past.no}, {who}) was rejected:")
        parts.append(fence(_clip(past.candidate, 6_000)))
        parts.append(feedback_lines(past.reasons, past.messages))
    parts.append("Give the complete Lean 4 proof in one ```lean block.")
    return "\n\n".join(parts)


def context_parts(task: Task) -> list[str]:
    """The informal statement, a disproof's numeric counterexample, and the dependencies (usable ones by exact
    Lean name, proved or assumable; the others as context only), as prompt paragraphs."""
    parts: list[str] = []
    if task.informal.strip():
        parts += ["Informal statement:", task.informal.strip()]
    if task.negate and task.counterexample:
        parts.append(
            f"A numeric check (sympy, re-checked with exact rationals) found a counterexample: {task.counterexample}. "
            "A disproof can specialise the statement to this point and derive a contradiction.")
    usable = [d for d in task.dependencies if d.imported]
    if usable:
        lines = []
        for d in usable:
            how = "proved: use it as a lemma" if d.proved else (
                f"not yet proved ({d.status or 'open'}): you may use it as an assumption; the proof is then conditional on it")
            lines.append(f"- `{d.decl}` (node `{d.id}`, module {d.module}): {how}")
        parts.append("Results this proof may use, by their exact Lean names:\n" + "\n".join(lines))
        parts.append(fence("\n\n".join(d.statement for d in usable)))
    context = [d for d in task.dependencies if not d.imported]
    if context:
        parts.append(
            "Related results whose modules the statement file does not import (context only; they cannot be cited):"
        )
        parts.append(fence("\n\n".join(d.statement for d in context)))
    return parts


def feedback_lines(reasons, messages) -> str:
    """Lean's verdict as text: the reasons, then the messages with `line:column` in the checked candidate."""
    out = []
    shown = [m for m in messages if m.severity in ("error", "warning")][:MAX_MESSAGES]
    for r in reasons:
        if shown and r.code.value == "lean-error":
            continue  # Lean's own messages below say it better, with positions
        where = f" (line {r.line})" if getattr(r, "line", None) else ""
        out.append(f"- {r.code.value}{where}: {_clip(r.message, MAX_MESSAGE_CHARS)}")
    if shown:
        out.append("Lean's messages:")
        for m in shown:
            if m.in_candidate and m.line is not None:
                where = f" at line {m.line}, column {m.column + 1}" if m.column is not None else f" at line {m.line}"
            elif m.line is not None:
                where = " (outside your code)"
            else:
                where = ""
            out.append(f"- {m.severity}{where}: {_clip(m.text, MAX_MESSAGE_CHARS)}")
    return "\n".join(out) if out else "- rejected (no details)"


def numbered(text: str) -> str:
    """`text` with 1-based line numbers, as the positions in Lean's messages count them."""
    lines = text.splitlines() or [""]
    width = len(str(len(lines)))
    return "\n".join(f"{i:>{width}} | {line}" for i, line in enumerate(lines, 1))


def repair_prompt(verdict: Verdict, checked: str | None, problem: str | None = None) -> str:
    """The user message after a rejected candidate: what was checked (numbered) and why it failed."""
    if checked is None:
        return (
            f"Your reply could not be checked: {problem or 'it contained no Lean code'}.\n\n"
            "Answer with the complete proof in one ```lean code block."
        )
    return "\n\n".join([
        "Lean rejected the proof. This is the code that was checked (line numbers are the ones in "
        "Lean's messages):",
        "```\n" + _clip(numbered(checked), MAX_STATEMENT_CHARS) + "\n```",
        "Why it was rejected:",
        feedback_lines(verdict.reasons, verdict.messages),
        "Fix the proof. Answer with the complete corrected proof in one ```lean block.",
    ])
