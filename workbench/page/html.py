"""The self-contained HTML document of the conjecture graph (`wb graph --format html`)."""

from __future__ import annotations

import html as _html
import json
import re
from typing import Any, Callable

from workbench.page.statement import statement_renderer

# The drawing library is vis-network, taken at run time from the `pyvis` distribution (which ships
# its standalone UMD build); nothing third-party is stored in this repository.
_VIS_PACKAGE = "pyvis"
_VIS_DIR = ("templates", "lib")  # holds vis-<version>/vis-network.min.js


def render_page(data: dict, *, title: str = "Conjecture graph", engine: str | None = None) -> str:
    """Return one self-contained HTML page drawing `data` (the `wb graph --format json` object plus page extras);
    `engine` picks the layout (`dot` or `igraph`; default: dot where Graphviz is installed)."""
    from importlib import resources

    from workbench.page.views import page_views

    render = statement_renderer()
    notes_render = statement_renderer(breaks=True)
    page = dict(data)
    files: dict[str, str] = {}
    page["nodes"] = [_page_node(node, render, notes_render, files) for node in data.get("nodes") or []]
    page["edges"] = [dict(edge) for edge in data.get("edges") or []]
    page["files"] = files
    page.setdefault("title", title)
    page["views"] = page_views(page["nodes"], page["edges"], engine=engine)

    vis_js = _vis_network_js()
    assets = resources.files("workbench.page").joinpath("assets")
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


def _page_node(node: dict, render: Callable[[str], str], notes_render: Callable[[str], str], files: dict[str, str]) -> dict:
    from workbench.page.formal import formal_parts, highlight_lean

    out = dict(node)
    out["informal_html"] = render(node.get("informal") or "")
    notes = []
    for note in node.get("notes") or []:
        note = dict(note)
        note["text_html"] = notes_render(note.get("text") or "")
        notes.append(note)
    out["notes"] = notes
    formal = node.get("formal")
    if isinstance(formal, dict) and formal.get("lean"):
        formal = dict(formal)
        text = formal.pop("lean")
        key = formal.get("file") or f"({node.get('id')})"
        if key not in files:
            files[key] = highlight_lean(text)
        formal["file_key"] = key
        formal["lines"] = text.count("\n") + 1
        formal.update(formal_parts(str(node.get("id")), formal.get("decl"), text))
        out["formal"] = formal
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


