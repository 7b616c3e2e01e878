"""The agent guide `wb agent-setup` installs: a Claude Code skill and an AGENTS.md section for Codex."""

from __future__ import annotations

from pathlib import Path

from workbench.workspace import Change, Workspace

SKILL_NAME = "conjecture-workbench"
CLAUDE_SKILL_PATH = Path(".claude") / "skills" / SKILL_NAME / "SKILL.md"
AGENTS_MD = Path("AGENTS.md")
BEGIN = "<!-- wb agent-setup: begin -->"
END = "<!-- wb agent-setup: end -->"

GUIDE = """\
# Working on a Conjecture Workbench graph

This repository is a Conjecture Workbench workspace: a git-backed graph of conjectures (one TOML
file per node under `conjectures/`, Lean statements and proofs under `lean/`). A result counts as
proved only when Lean has accepted a proof through `wb`; everything else is evidence of lower trust
(`claimed` < `numeric-check` < `reviewed` < `lean-checked`).

Use the `wb` MCP server's tools (or the `wb` command line with the same names):

1. **Pick a target.** Call `next_targets` (CLI: `wb next`): open conjectures ranked by how many
   unsettled results a proof would unblock. Read one with `show_conjecture` (`wb show ID`) and its
   surroundings with `graph_neighbourhood` (direction `down` = what it rests on).
2. **Formalize before proving.** A node without a Lean statement cannot be proved. Write a Lean 4
   statement file (proof `sorry`) and call `formalize` with `id`, `lean` and `decl`; it is checked to
   elaborate. Make the statement say exactly what the informal text says — no extra hypotheses.
3. **Verify before submitting.** Send candidate proofs to `verify_candidate` (`id`, `lean`) and
   repair them from Lean's messages (their `line` counts lines of your text) until the verdict is
   `accepted`. Only then call `submit_proof`; it settles the node and commits.
4. **Have informal arguments reviewed.** Record sketches with `add_note` (trust `claimed`) and ask
   for `request_review` (`wb review ID --argument FILE`): a model of another family answers
   sound / gap / wrong, recorded as a `reviewed` note. A review is not a proof.
5. **Never claim a result Lean has not accepted.** Do not write "proved" in notes, commits or
   messages unless `submit_proof` returned `settled: true`. Do not edit `status` or `[evidence]` in
   the TOML files by hand, and do not weaken a statement to make it provable.

Check a formula before building on it: `numeric_check` (`wb numeric-check ID --claim EXPR`) tries to
refute it with sympy. A refuted node is skipped by `next_targets`; disprove it in Lean instead
(`submit_proof` with `negate: true`). A numeric check is evidence, never a proof.

Useful: `wb list --status formalized`, `wb log ID`, `wb graph --format html` (the graph page),
the MCP resources `wb://conjecture/{id}` and `wb://graph`, and the `prove` prompt (statement,
dependencies and earlier failed attempts for one conjecture).
"""

SKILL_FRONTMATTER = """\
---
name: conjecture-workbench
description: How to work on a Conjecture Workbench graph of conjectures with the `wb` MCP tools or CLI - pick targets with next_targets, formalize in Lean before proving, verify before submitting, get informal arguments reviewed by another model family, and never claim a result Lean has not accepted. Use when proving, formalizing or reviewing conjectures in this workspace.
---

"""


def install(ws: Workspace, *, claude: bool = True, codex: bool = True, commit: bool = True) -> Change:
    """Write the guide as a Claude Code skill and/or a marked section of AGENTS.md (replacing an
    earlier one), in one commit."""
    from workbench.gitrepo import GitRepo
    from workbench.storage import atomic_write

    ws.require_writable()
    written: list[Path] = []
    targets = []
    if claude:
        path = ws.root / CLAUDE_SKILL_PATH
        text = SKILL_FRONTMATTER + GUIDE
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            atomic_write(path, text)
            written.append(path)
        targets.append("Claude Code skill")
    if codex:
        path = ws.root / AGENTS_MD
        section = f"{BEGIN}\n{GUIDE}{END}\n"
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        if BEGIN in old and END in old:
            head, rest = old.split(BEGIN, 1)
            tail = rest.split(END, 1)[1].lstrip("\n")
            new = head + section + tail
        else:
            new = old + ("\n" if old and not old.endswith("\n") else "") + ("\n" if old else "") + section
        if new != old:
            atomic_write(path, new)
            written.append(path)
        targets.append("AGENTS.md section")
    message = f"wb agent-setup: {' and '.join(targets)}"
    change = Change(action="agent-setup", ids=[], files=[ws.rel(p) for p in written], message=message)
    if commit and written:
        result = GitRepo(ws.root).commit(written, message)
        if result:
            change.commit, change.identity_fallback = result
    return change


def registration_commands(ws: Workspace, wb: str, *, claude: bool = True, codex: bool = True) -> list[tuple[str, str]]:
    """(who, command) lines that register the MCP server: for you, with the absolute path of the `wb` being run
    (a `.venv` install need not be on PATH) and of the workspace; and, for Claude Code's project scope (the
    `.mcp.json` shared with everyone who clones the workspace), a command with no machine path in it, since it is
    started in the project and needs `wb` on each colleague's PATH."""
    import shlex

    server = f"{shlex.quote(wb)} mcp --workspace {shlex.quote(str(ws.root))}"
    lines = []
    if claude:
        lines.append(("Claude Code, for you", f"claude mcp add wb -- {server}"))
        lines.append(("Claude Code, shared in .mcp.json", "claude mcp add --scope project wb -- wb mcp"))
    if codex:
        lines.append(("Codex, for you", f"codex mcp add wb -- {server}"))
    return lines

