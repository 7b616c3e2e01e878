"""A node's Lean side for the page: the target declaration, the accepted proof, the whole file, highlighted."""

from __future__ import annotations

import re
from functools import lru_cache

_DOC_BEFORE = re.compile(r"/--(?:(?!-/).)*-/\s*$", re.S)


def formal_parts(node_id: str, decl: str | None, text: str) -> dict:
    """The declaration of `decl` as formalized (proof blocks undone) and `node_id`'s proof or disproof block, as Lean HTML."""
    from workbench.lean.project import block_of, statement_view
    from workbench.lean.source import LexError, find_declaration

    out: dict = {"declaration_html": None, "proof_html": None, "proof_kind": None}
    view = statement_view(text)
    found = None
    if decl:
        try:
            found = find_declaration(view, decl)
        except LexError:
            found = None
    if found is not None:
        start = view.rfind("\n", 0, found.command.start) + 1
        doc = _DOC_BEFORE.search(view, 0, start)
        if doc:
            start = view.rfind("\n", 0, doc.start()) + 1
        out["declaration_html"] = highlight_lean(view[start:found.command.end].strip("\n"))
    block = block_of(text, node_id)
    if block is not None:
        out["proof_kind"] = block.kind
        out["proof_html"] = highlight_lean(block.candidate.strip("\n"))
    return out


@lru_cache(maxsize=256)
def highlight_lean(code: str) -> str:
    """`code` as HTML spans classed by token type (Pygments' Lean 4 lexer)."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name

    return highlight(code, get_lexer_by_name("lean4"), HtmlFormatter(nowrap=True)).rstrip("\n")
