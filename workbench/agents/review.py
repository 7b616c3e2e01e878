"""Cross-family review: a model of another family reads an informal argument and returns a verdict.

The conjecture, the statements it `uses` and the argument go to a reviewer model (a
`[providers.NAME]` entry of workbench.toml or a built-in provider). The reviewer must answer with
a fenced ```json object `{"verdict": "sound"|"gap"|"wrong", "where": ..., "why": ..., "summary": ...}`;
anything else is recorded as `unparseable`, never guessed. The result is a note at trust level
`reviewed` on the node — never a settlement: only Lean moves a node to proved or disproved.

Family rule: a review by the family that wrote the argument is refused unless
`allow_same_family`. When either family is unknown (a provider entry without `family`, an
argument without `author_family`), sameness cannot be ruled out, so the review is refused too
unless `allow_same_family`.
"""

from __future__ import annotations

import json
import re
from enum import StrEnum

from pydantic import BaseModel

from workbench.errors import UsageError
from workbench.model import EdgeKind, Note, Trust
from workbench.notes import add_note, check_text
from workbench.workspace import Change, Workspace

MAX_ARGUMENT_CHARS = 60_000
"""Longest informal argument sent for review (characters)."""
MAX_RECORDED_REPLY_CHARS = 20_000
"""How much of the reviewer's reply is kept in the note."""
MAX_DEPENDENCIES = 30

SYSTEM = """\
You are a careful mathematical referee. You are shown a conjecture, the results it relies on, and an \
informal argument that claims to prove it. Check the argument step by step. Do not prove the \
conjecture yourself; judge only the argument given.

Finish your answer with ONE fenced code block marked ```json holding exactly one JSON object:
{"verdict": "sound" | "gap" | "wrong", "where": "...", "why": "...", "summary": "..."}
- "sound": every step follows (from the stated dependencies and standard facts).
- "gap": some step is not justified but may be fixable; "where" names the step (quote it or give its number).
- "wrong": the argument is false or proves something else; "why" says what fails (a counterexample if you have one).
- "summary": one or two sentences for the researcher.
Use "" for fields that do not apply. You may write your reasoning before the JSON block."""


class ReviewVerdict(StrEnum):
    """What a reviewer concluded; `unparseable` when its reply did not hold a valid verdict object."""

    sound = "sound"
    gap = "gap"
    wrong = "wrong"
    unparseable = "unparseable"


class ParsedVerdict(BaseModel):
    """The structured verdict read from a reviewer's reply (or why none could be read)."""

    verdict: ReviewVerdict
    where: str = ""
    why: str = ""
    summary: str = ""
    problem: str | None = None  # why the reply is `unparseable`


class ReviewResult(BaseModel):
    """What `review` did: the verdict, who reviewed, the note recorded and its commit."""

    id: str
    verdict: ReviewVerdict
    where: str = ""
    why: str = ""
    summary: str = ""
    problem: str | None = None
    reviewer: str  # provider name
    model: str
    family: str | None
    author_family: str | None
    reply: str
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    note: Note
    change: Change | None = None


# -- parsing -------------------------------------------------------------------------------------

_FENCE_RE = re.compile(r"```[ \t]*json[ \t]*\r?\n(.*?)```", re.DOTALL | re.IGNORECASE)


def parse_verdict(text: str) -> ParsedVerdict:
    """Read the verdict object from a reviewer's reply: the last ```json block, or a reply that is
    nothing but a JSON object. Anything missing or malformed gives `unparseable` with the problem."""

    def bad(problem: str) -> ParsedVerdict:
        return ParsedVerdict(verdict=ReviewVerdict.unparseable, problem=problem)

    if not text or not text.strip():
        return bad("the reply is empty")
    blocks = _FENCE_RE.findall(text)
    if blocks:
        raw = blocks[-1]
    elif text.strip().startswith("{") and text.strip().endswith("}"):
        raw = text.strip()
    else:
        return bad("the reply has no ```json block")
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        return bad(f"the ```json block is not valid JSON ({exc.msg} at line {exc.lineno})")
    if not isinstance(obj, dict):
        return bad("the ```json block is not a JSON object")
    verdict = obj.get("verdict")
    if not isinstance(verdict, str) or verdict.strip().lower() not in ("sound", "gap", "wrong"):
        return bad(f"'verdict' must be \"sound\", \"gap\" or \"wrong\", not {json.dumps(verdict)[:60]}")
    fields: dict[str, str] = {}
    for key in ("where", "why", "summary"):
        value = obj.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            return bad(f"'{key}' must be a string")
        fields[key] = value.strip()
    kind = ReviewVerdict(verdict.strip().lower())
    if kind == ReviewVerdict.gap and not fields["where"]:
        return bad("a 'gap' verdict must say where (the 'where' field is empty)")
    if kind == ReviewVerdict.wrong and not fields["why"]:
        return bad("a 'wrong' verdict must say why (the 'why' field is empty)")
    return ParsedVerdict(verdict=kind, **fields)


# -- choosing the reviewer -----------------------------------------------------------------------


def _norm(family: str | None) -> str | None:
    family = (family or "").strip().lower()
    return family or None


def resolve_reviewer(ws: Workspace, name: str | None, author_family: str | None):
    """The reviewer's ProviderConfig: `name` (a `[providers.NAME]` entry, or built-in openai/anthropic);
    without a name, `[review] reviewer` from workbench.toml, else the first configured provider of a
    known family other than the author's, else the built-in provider of the other big family."""
    from workbench.provers.providers import builtin_provider, providers_from_config

    table = providers_from_config(ws.config.get("providers", {}))
    if name is None:
        section = ws.config.get("review", {})
        name = section.get("reviewer") if isinstance(section, dict) else None
    if name is None:
        author = _norm(author_family)
        others = [c for n, c in sorted(table.items()) if _norm(c.family) and _norm(c.family) != author]
        if others and author is not None:
            return others[0]
        name = "anthropic" if author == "openai" else "openai"
        if name in table:
            return table[name]
    if name in table:
        return table[name]
    if name in ("openai", "anthropic"):
        return builtin_provider(name)
    raise UsageError(
        f"unknown reviewer '{name}'",
        hint="use openai, anthropic, or a [providers.NAME] entry of workbench.toml",
    )


def author_family_of(ws: Workspace, value: str | None) -> str | None:
    """The family that wrote the argument: a family name, or a `[providers.NAME]` entry (the prover
    that produced it), whose `family` is then used."""
    from workbench.provers.providers import providers_from_config

    if value is None or not value.strip():
        return None
    from workbench.provers.providers import check_family

    value = value.strip()
    table = providers_from_config(ws.config.get("providers", {}))
    if value in table:
        if table[value].family:
            return _norm(table[value].family)
        raise UsageError(f"--author-family: [providers.{value}] names no family",
                         hint=f"set family = \"...\" in [providers.{value}] of workbench.toml, or give the family itself")
    try:
        return check_family(value)
    except ValueError as exc:
        raise UsageError(f"--author-family: {exc}", hint="or name a [providers.NAME] entry of workbench.toml") from None


def check_families(reviewer_family: str | None, author_family: str | None, reviewer: str, allow_same_family: bool) -> None:
    """Refuse a same-family review (or one whose families cannot be told apart) unless allowed."""
    if allow_same_family:
        return
    r, a = _norm(reviewer_family), _norm(author_family)
    if a is None:
        raise UsageError(
            "refused: the argument's author family is unknown, so a same-family review cannot be ruled out",
            hint="say who wrote it with --author-family (e.g. openai, anthropic, google), or pass --allow-same-family",
        )
    if r is None:
        raise UsageError(
            f"refused: reviewer '{reviewer}' has no known model family, so it may be the author's family ({a})",
            hint=f"set family = \"...\" in [providers.{reviewer}] of workbench.toml, or pass --allow-same-family",
        )
    if r == a:
        raise UsageError(
            f"refused: reviewer '{reviewer}' is of the same family ({r}) as the argument's author",
            hint="pick a reviewer of another family with --reviewer NAME, or pass --allow-same-family",
        )


# -- the request -----------------------------------------------------------------------------------


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 20].rstrip() + "\n… (truncated)"


def _formal_text(ws: Workspace, conj) -> str | None:
    if conj.formal is None:
        return None
    try:
        from workbench.provers.base import declaration_header
        from workbench.settle import statement_file

        text = statement_file(ws, conj).read_text(encoding="utf-8")
        return declaration_header(text, conj.formal.decl)
    except Exception:  # noqa: BLE001 - the formal statement is context; its absence is not a failure
        return None


def review_prompt(ws: Workspace, conj_id: str, argument: str) -> str:
    """The user message sent to the reviewer: the conjecture, its dependencies and the argument."""
    conj = ws.get(conj_id)
    parts = [f"## Conjecture `{conj.id}`: {conj.title}", conj.informal.strip()]
    formal = _formal_text(ws, conj)
    if formal:
        parts += ["Its formal (Lean 4) statement:", f"```lean\n{formal}\n```"]
    deps = conj.targets(EdgeKind.uses)
    if deps:
        parts.append("## Results it relies on (`uses`)")
        for dep_id in deps[:MAX_DEPENDENCIES]:
            try:
                dep = ws.get(dep_id)
            except Exception:  # noqa: BLE001
                continue
            state = {"proved": "proved in Lean", "disproved": "DISPROVED in Lean"}.get(dep.status.value, "not proved; an assumption here")
            parts.append(f"- `{dep.id}` ({dep.kind.value}, {state}): {dep.title}\n  {_clip(dep.informal.strip(), 3000)}")
    parts += ["## The argument to review", argument.strip(), "Give your verdict as instructed, ending with the ```json block."]
    return "\n\n".join(parts)


def review(
    ws: Workspace,
    conj_id: str,
    argument_text: str,
    *,
    reviewer: str | None = None,
    author_family: str | None = None,
    allow_same_family: bool = False,
    actor: str = "wb review",
    client: str | None = None,
    commit: bool = True,
) -> ReviewResult:
    """Have `argument_text` (an informal argument for `conj_id`) reviewed by a model of another family
    and record the verdict as a `reviewed` note, in one commit. Never settles the node.

    Raises UsageError for a same-family (or undecidable) pairing, ProviderError when the reviewer
    cannot be reached; an answer without a valid verdict is recorded as `unparseable`."""
    from workbench.provers.providers import ChatClient

    argument = check_text(argument_text, "the argument", MAX_ARGUMENT_CHARS)
    ws.get(conj_id)  # unknown id: fail before any network call
    ws.require_writable()
    author = author_family_of(ws, author_family)
    config = resolve_reviewer(ws, reviewer, author)
    check_families(config.family, author, config.name, allow_same_family)
    prompt = review_prompt(ws, conj_id, argument)
    with ChatClient(config) as client_:
        reply = client_.chat([{"role": "user", "content": prompt}], system=SYSTEM)
    parsed = parse_verdict(reply.text)
    if parsed.verdict == ReviewVerdict.unparseable:
        if not reply.text and reply.problem:
            parsed.problem = f"{parsed.problem} ({reply.problem})"
        elif reply.truncated:
            parsed.problem = f"{parsed.problem} (the reply was cut off at the token limit)"
    who = f"{config.name}/{config.model}"
    family = _norm(config.family)
    text = _note_text(parsed, who, family, author, argument, reply.text)
    same = " (same family allowed)" if allow_same_family and family == author else ""
    via = f" (client: {client})" if client else ""
    message = (f"{actor} {conj_id}: {parsed.verdict.value} by {who} ({family or 'unknown family'}), "
               f"argument by {author or 'unknown family'}{same}{via}")
    change = add_note(
        ws, conj_id, text=text, trust=Trust.reviewed, author=who, family=family, verdict=parsed.verdict.value,
        message=message, commit=commit,
    )
    note = ws.get(conj_id).notes[-1]
    return ReviewResult(
        id=conj_id, verdict=parsed.verdict, where=parsed.where, why=parsed.why, summary=parsed.summary,
        problem=parsed.problem, reviewer=config.name, model=config.model, family=family, author_family=author,
        reply=reply.text, tokens_in=reply.tokens_in, tokens_out=reply.tokens_out, cost_usd=reply.cost_usd,
        note=note, change=change,
    )


def _note_text(parsed: ParsedVerdict, who: str, family: str | None, author: str | None, argument: str, reply: str) -> str:
    head = f"Review by {who} ({family or 'unknown family'}): {parsed.verdict.value}."
    lines = [head]
    if parsed.summary:
        lines.append(f"Summary: {parsed.summary}")
    if parsed.where:
        lines.append(f"Where: {parsed.where}")
    if parsed.why:
        lines.append(f"Why: {parsed.why}")
    if parsed.problem:
        lines.append(f"Unparseable reply: {parsed.problem}")
    lines.append("")
    lines.append(f"Argument reviewed (written by {author or 'an unknown family'}):")
    lines.append(_clip(argument.strip(), MAX_ARGUMENT_CHARS))
    lines.append("")
    lines.append("Reviewer's reply:")
    lines.append(_clip(reply.strip() or "(empty)", MAX_RECORDED_REPLY_CHARS))
    return "\n".join(lines)
