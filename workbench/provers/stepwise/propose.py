"""Asking a model for the next tactics: the prompt for one proof state, and reading the tactics out of a reply.

One expansion is one request (no conversation): the model sees the target, the informal statement, the
dependencies by their exact Lean names, the tactics applied so far and the current goals, and proposes
up to K tactics, best first.  The reply may put each tactic in its own fenced block (preferred), give a
JSON array of strings, or list them one per line in a single block or as a numbered list.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from workbench.provers import prompts
from workbench.provers.base import Task, prompt_hash

SYSTEM = """\
You are an expert Lean 4 prover working one tactic at a time. You are shown a theorem, the tactics \
applied so far and the current proof state (hypotheses, then `⊢` and the goal; the first goal is the \
one the next tactic works on). Propose the most promising next tactics, best first.

Rules:
- Put each tactic in its own fenced code block marked ```lean (one tactic per block; a tactic may span \
several lines).
- Different proposals should be genuinely different tactics, not the same tactic reformatted.
- Never use `sorry`, `admit`, `native_decide`, `#exit`, `set_option debug.*`, `run_tac` or `#eval`: \
they are refused.
"""

_LIST_MARK_RE = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_FORBIDDEN_WORDS = frozenset({"sorry", "admit", "sorryAx"})
MAX_GOALS_CHARS = 12_000


@dataclass
class Proposal:
    """The tactics a model proposed for one state (best first) and what asking cost."""

    tactics: list[str] = field(default_factory=list)
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    duration_s: float = 0.0
    prompt_hash: str | None = None
    reply: str | None = None
    model: str | None = None
    problem: str | None = None  # a provider failure that retries did not cure


def state_prompt(task: Task, goals: tuple[str, ...], path: tuple[str, ...], k: int, *, hint: str = "") -> str:
    """The user message asking for up to `k` tactics on `goals` after `path`."""
    parts = [
        f"Prove `{task.decl}` (conjecture `{task.conjecture}`" + (f": {task.title}" if task.title else "") + ").",
        prompts.fence(task.target + " :="),
    ]
    parts += prompts.context_parts(task)
    if hint:
        parts.append(hint)
    if path:
        parts += ["Tactics applied so far, in order:", prompts.fence("\n".join(path))]
    shown = "\n\n".join(goals)
    if len(shown) > MAX_GOALS_CHARS:
        shown = shown[: MAX_GOALS_CHARS - 20] + "\n… (truncated)"
    n = len(goals)
    parts += [f"Current proof state ({n} goal{'s' if n != 1 else ''}; the first is worked on next):", f"```\n{shown}\n```"]
    parts.append(f"Propose up to {k} different next tactics, best first, each in its own ```lean block.")
    return "\n\n".join(parts)


def parse_tactics(text: str, k: int) -> list[str]:
    """Up to `k` distinct tactics from a reply: fenced blocks (one tactic each; a single block with several
    lines is one tactic a line), else a JSON array of strings, else a numbered or bulleted list."""
    from workbench.provers.providers import fenced_blocks

    found: list[str] = []
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            data = json.loads(stripped)
        except ValueError:
            data = None
        if isinstance(data, list):
            found = [t for t in data if isinstance(t, str)]
    if not found:
        blocks = fenced_blocks(text)
        json_blocks = [c for tag, c in blocks if tag == "json"]
        if json_blocks:
            try:
                data = json.loads(json_blocks[-1])
                found = [t for t in data if isinstance(t, str)] if isinstance(data, list) else []
            except ValueError:
                found = []
        if not found and len(blocks) > 1:
            found = [c for _, c in blocks]
        elif not found and blocks:
            found = [_LIST_MARK_RE.sub("", line) for line in blocks[0][1].splitlines()]
    if not found:
        found = [_LIST_MARK_RE.sub("", line) for line in text.splitlines() if _LIST_MARK_RE.match(line)]
    out: list[str] = []
    seen: set[str] = set()
    for tactic in found:
        tactic = tactic.strip().strip("`").strip()
        key = " ".join(tactic.split())
        if key and key not in seen:
            seen.add(key)
            out.append(tactic)
        if len(out) >= k:
            break
    return out


def refusal(tactic: str) -> str | None:
    """Why `tactic` is not sent to the backend (it would rest on `sorry` or is a forbidden construct), or None."""
    from workbench.lean.forbidden import scan
    from workbench.lean.source import tokenize
    from workbench.errors import LexError

    try:
        words = {t.text for t in tokenize(tactic) if t.kind == "ident"}
    except LexError as exc:
        return f"the tactic cannot be read as Lean: {exc}"
    bad = sorted(words & _FORBIDDEN_WORDS)
    if bad:
        return f"`{bad[0]}` leaves the proof unfinished: a proof resting on it is rejected"
    findings = scan(tactic, strict=True)
    return findings[0].message if findings else None


class ModelProposer:
    """Proposes tactics with a chat model (`ChatClient`); a failure retries could not cure comes back as
    a Proposal with `problem` set, a fatal one (bad key, unknown model) is raised."""

    def __init__(self, client, task: Task, *, hint: str = "", system: str = SYSTEM) -> None:
        self.client = client
        self.task = task
        self.hint = hint
        self.system = system

    def propose(self, goals: tuple[str, ...], path: tuple[str, ...], k: int) -> Proposal:
        from workbench.provers.llm import ask

        messages = [{"role": "user", "content": state_prompt(self.task, goals, path, k, hint=self.hint)}]
        phash = prompt_hash(self.system, messages)
        reply, failure = ask(self.client, messages, self.system)
        if reply is None:
            return Proposal(prompt_hash=phash, problem=failure)
        tactics = [] if reply.problem else parse_tactics(reply.text, k)
        return Proposal(
            tactics=tactics, tokens_in=reply.tokens_in, tokens_out=reply.tokens_out, cost_usd=reply.cost_usd,
            duration_s=reply.duration_s, prompt_hash=phash, reply=reply.text, model=reply.model or None,
            problem=reply.problem,
        )
