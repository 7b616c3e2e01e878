"""Informal statements and notes as HTML: Markdown with $LaTeX$ typeset as MathML."""

from __future__ import annotations

import html as _html
import re
from functools import lru_cache
from typing import Callable

# Math delimiters in informal statements: $$…$$ and \[…\] (display), $…$ and \(…\) (inline).
_MATH_RE = re.compile(
    r"(?<!\\)\$\$(?P<d1>.+?)(?<!\\)\$\$"
    r"|\\\[(?P<d2>.+?)\\\]"
    r"|\\\((?P<i2>.+?)\\\)"
    r"|(?<![\\$])\$(?!\s)(?P<i1>[^$\n]+?)(?<![\s\\])\$(?!\d)",
    re.S,
)
_PLACEHOLDER = "\ue000{}\ue001"  # private-use characters: Markdown leaves them alone
_PLACEHOLDER_RE = re.compile("\ue000(\\d+)\ue001")
# MathML Core (what browsers render) ignores mathvariant other than "normal"; map the variants
# latex2mathml leaves as attributes to the Unicode mathematical alphanumeric characters.
_VARIANT_RE = re.compile(r'<mi mathvariant="(sans-serif|monospace)">([A-Za-z0-9])</mi>')
_VARIANT_BASE = {"sans-serif": (0x1D5A0, 0x1D5BA, 0x1D7E2), "monospace": (0x1D670, 0x1D68A, 0x1D7F6)}


def render_statement(text: str) -> str:
    """Render Markdown with $LaTeX$ to HTML, the mathematics as MathML (raw HTML in `text` is escaped)."""
    return statement_renderer()(text)


@lru_cache(maxsize=2)
def statement_renderer(breaks: bool = False) -> Callable[[str], str]:
    """The cached Markdown-and-math renderer behind `render_statement`; with `breaks`, a line break stays one."""
    from latex2mathml.converter import convert
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False, "breaks": breaks}).enable("table")

    @lru_cache(maxsize=8192)
    def math(tex: str, display: bool) -> str:
        try:
            out = convert(tex.strip(), display="block" if display else "inline")
        except Exception:  # latex2mathml raises assorted errors on TeX it cannot read
            delim = "$$" if display else "$"
            return f'<code class="tex-error" title="could not render this TeX">{_html.escape(delim + tex + delim)}</code>'
        return _VARIANT_RE.sub(_variant_char, out)

    def render(text: str) -> str:
        if not text:
            return ""
        pieces: list[str] = []

        def stash(m: re.Match) -> str:
            display = m.group("d1") is not None or m.group("d2") is not None
            tex = next(g for g in m.group("d1", "d2", "i2", "i1") if g is not None)
            pieces.append(math(tex, display))
            return _PLACEHOLDER.format(len(pieces) - 1)

        body = md.render(_MATH_RE.sub(stash, text))
        return _PLACEHOLDER_RE.sub(lambda m: _piece(pieces, m), body).strip()

    return render


def _piece(pieces: list[str], m: re.Match) -> str:
    index = int(m.group(1))
    return pieces[index] if index < len(pieces) else m.group(0)


def _variant_char(m: re.Match) -> str:
    variant, ch = m.group(1), m.group(2)
    upper, lower, digit = _VARIANT_BASE[variant]
    if ch.isdigit():
        code = digit + int(ch)
    elif ch.isupper():
        code = upper + ord(ch) - ord("A")
    else:
        code = lower + ord(ch) - ord("a")
    return f"<mi>&#x{code:X};</mi>"
