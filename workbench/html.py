"""The self-contained interactive HTML page of the conjecture graph (`wb graph --format html`)."""

from __future__ import annotations

import html as _html
import json
import re
from functools import lru_cache
from typing import Any, Callable

# The drawing library is vis-network, taken at run time from the `pyvis` distribution (which ships
# its standalone UMD build); nothing third-party is stored in this repository.
_VIS_PACKAGE = "pyvis"
_VIS_DIR = ("templates", "lib")  # holds vis-<version>/vis-network.min.js

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


def render_page(data: dict, *, title: str = "Conjecture graph") -> str:
    """Return one self-contained HTML page drawing `data` (the `wb graph --format json` object plus page extras)."""
    from importlib import resources

    render = _statement_renderer()
    page = dict(data)
    page["nodes"] = [_page_node(node, render) for node in data.get("nodes") or []]
    page["edges"] = [dict(edge) for edge in data.get("edges") or []]
    page.setdefault("title", title)

    vis_js = _vis_network_js()
    assets = resources.files("workbench").joinpath("html_assets")
    template = assets.joinpath("page.html").read_text(encoding="utf-8")
    parts = {
        "TITLE": _html.escape(title),
        "CSS": _inline_safe(assets.joinpath("page.css").read_text(encoding="utf-8"), "style"),
        "VIS_JS": _inline_safe(vis_js, "script"),
        "PAGE_JS": _inline_safe(assets.joinpath("page.js").read_text(encoding="utf-8"), "script"),
        "DATA": _json_for_script(page),
    }
    return re.sub(r"/\*@(TITLE|CSS|VIS_JS|PAGE_JS|DATA)@\*/", lambda m: parts[m.group(1)], template)


def _vis_network_js() -> str:
    """The newest standalone vis-network build shipped inside the installed `pyvis` package."""
    from importlib import resources

    from workbench.errors import WorkbenchError

    hint = "reinstall the workbench (pip install conjecture-workbench), which brings pyvis"
    try:
        lib = resources.files(_VIS_PACKAGE).joinpath(*_VIS_DIR)
        builds = [d for d in lib.iterdir() if d.name.startswith("vis-") and d.joinpath("vis-network.min.js").is_file()]
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        builds = []
    if not builds:
        raise WorkbenchError("cannot write the html page: the vis-network script from the pyvis package is missing", hint=hint)

    def version(d) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", d.name))

    return max(builds, key=version).joinpath("vis-network.min.js").read_text(encoding="utf-8")


def render_statement(text: str) -> str:
    """Render Markdown with $LaTeX$ to HTML, the mathematics as MathML (raw HTML in `text` is escaped)."""
    return _statement_renderer()(text)


def _page_node(node: dict, render: Callable[[str], str]) -> dict:
    out = dict(node)
    out["informal_html"] = render(node.get("informal") or "")
    notes = []
    for note in node.get("notes") or []:
        note = dict(note)
        note["text_html"] = render(note.get("text") or "")
        notes.append(note)
    out["notes"] = notes
    return out


def _json_for_script(value: Any) -> str:
    # `<`, `>` and `&` as JSON escapes: no `</script>` or `<!--` can end or confuse the element.
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _inline_safe(code: str, tag: str) -> str:
    # An inlined asset must not close its own element early, nor switch the parser into the
    # "script data escaped" state (`<!--`); both escapes mean the same inside JS strings and CSS.
    code = re.sub(rf"</(?={tag})", r"<\\/", code, flags=re.I)
    return code.replace("<!--", "<\\!--") if tag == "script" else code


@lru_cache(maxsize=1)
def _statement_renderer() -> Callable[[str], str]:
    from latex2mathml.converter import convert
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

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
