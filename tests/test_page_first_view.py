"""The graph page at first sight: the layout computed in Python, what a reader sees on opening it, the proof panel."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from _browser import Page, browser, demo_graph, open_page, synthetic_graph  # noqa: F401 - fixtures
from workbench.page.layout import layout_graph, node_box
from workbench.page.views import page_views

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "docs" / "img"
WINDOW = (1400, 900)
MIN_LABEL_PX = 11
ENGINES = ["igraph"] + (["dot"] if shutil.which("dot") else [])


def library_graph(wb) -> dict:
    """The bundled library (this repository's own workspace) as `wb graph --format json` gives it."""
    r = wb("graph", "--format", "json", cwd=ROOT)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def save_screenshot(page: Page, name: str) -> None:
    """Regenerate the README's screenshots when WB_SCREENSHOTS=1 (they are never written otherwise)."""
    if os.environ.get("WB_SCREENSHOTS") == "1":
        page.page.screenshot(path=str(SCREENSHOTS / name))


def sample(route: list[float], steps: int = 24) -> list[tuple[float, float]]:
    """Points along a route of cubic Bézier pieces."""
    pts = [(route[0], route[1])]
    for i in range(2, len(route) - 5, 6):
        x0, y0 = pts[-1] if i == 2 else (route[i - 2], route[i - 1])
        c1, c2, end = route[i:i + 2], route[i + 2:i + 4], route[i + 4:i + 6]
        for k in range(1, steps + 1):
            t = k / steps
            a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t ** 3
            pts.append((a * x0 + b * c1[0] + c * c2[0] + d * end[0], a * y0 + b * c1[1] + c * c2[1] + d * end[1]))
    return pts


def crossings(data: dict, views: dict) -> list[str]:
    """Every (edge, node) pair where the edge's drawn route passes through the box of a node it does not join."""
    drawing = views["all"]
    ids = [n["id"] for n in data["nodes"]]
    bad = []
    for k, edge in enumerate(data["edges"]):
        route = drawing["routes"].get(str(k))
        assert route, f"edge {edge} has no route"
        ends = {edge["source"], edge["target"]}
        for i, nid in enumerate(ids):
            if nid in ends:
                continue
            x, y, half_w, half_h = drawing["x"][i], drawing["y"][i], views["widths"][i] / 2 - 2, views["node_h"] / 2 - 2
            if any(abs(px - x) < half_w and abs(py - y) < half_h for px, py in sample(route)):
                bad.append(f"{edge['source']} {edge['kind']} {edge['target']} crosses {nid}")
    return bad


# ---------------------------------------------------------------- the layout, in Python


@pytest.mark.parametrize("engine", ENGINES)
def test_library_layout_reads(wb, engine):
    data = library_graph(wb)
    views = page_views(data["nodes"], data["edges"], engine=engine)
    drawing = views["all"]
    assert views["engine"] == engine and views["overview"] is None
    ids = [n["id"] for n in data["nodes"]]
    pos = dict(zip(ids, zip(drawing["x"], drawing["y"])))
    # a result sits above what it rests on
    for e in data["edges"]:
        if e["kind"] == "uses":
            assert pos[e["source"]][1] < pos[e["target"]][1], e
    # no two boxes overlap; no edge runs through a node it does not join (the refutes edge once crossed finite-minimax)
    boxes = [(x - w / 2, y - views["node_h"] / 2, x + w / 2, y + views["node_h"] / 2) for x, y, w in zip(drawing["x"], drawing["y"], views["widths"])]
    for i, a in enumerate(boxes):
        for j, b in enumerate(boxes[:i]):
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (ids[i], ids[j])
    assert crossings(data, views) == []
    # packed into the window's shape: at the scale that fits it, a 14 px label stays >= 11 px
    x0, y0, x1, y1 = drawing["bounds"]
    assert min(1400 / (x1 - x0), 740 / (y1 - y0)) * 14 >= MIN_LABEL_PX


@pytest.mark.parametrize("engine", ENGINES)
def test_synthetic_layouts_route_every_edge_around_nodes(engine):
    data = synthetic_graph(120)
    views = page_views(data["nodes"], data["edges"], engine=engine)
    assert crossings(data, views) == []
    assert views["overview"] is not None and len(views["overview"]["groups"]) == 5


def test_labels_wrap_to_two_lines_before_they_are_cut():
    box = node_box("Debate with optimal play decides exactly PSPACE", "theorem")
    assert box.lines == ["Debate with optimal play", "decides exactly PSPACE"]
    long = node_box("Naive claim: efficient honest debaters win recursive debates on arbitrary arguments", "conjecture")
    assert long.lines == ["Naive claim: efficient", "honest debaters win re…"]
    assert node_box("Löb's theorem", "theorem").lines == ["Löb's theorem"]


def test_an_empty_graph_and_lonely_nodes_lay_out():
    assert layout_graph([], []).x == []
    drawing = layout_graph([node_box("a", "lemma"), node_box("b", "lemma")], [], ["x", "y"])
    assert len(drawing.captions) == 2 and drawing.x[0] != drawing.x[1] or drawing.y[0] != drawing.y[1]


# ---------------------------------------------------------------- what a reader sees


@pytest.fixture
def library_page(browser, wb, tmp_path):
    """Open the bundled library's page, written by `wb graph --format html` in this repository, in a 1400×900 window."""
    pages: list[Page] = []
    out = tmp_path / "library.html"
    r = wb("graph", "--format", "html", "-o", str(out), cwd=ROOT)
    assert r.exit_code == 0, r.output

    def _open(fragment: str = "") -> Page:
        pages.append(Page(browser, out, fragment, viewport=WINDOW))
        return pages[-1]

    yield _open
    for page in pages:
        page.close()


def test_library_first_view_shows_every_node_legibly(library_page, wb):
    data = library_graph(wb)
    page = library_page()
    boxes = page.js("wbGraph.boxes()")
    assert {b["id"] for b in boxes} == {n["id"] for n in data["nodes"]}
    view = page.js("(() => { const r = document.getElementById('graph').getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })()")
    for b in boxes:
        assert b["labelPx"] >= MIN_LABEL_PX, b
        assert view[0] <= b["left"] and b["right"] <= view[2] and view[1] <= b["top"] and b["bottom"] <= view[3], b
    # the drawing fills most of the view
    left, right = min(b["left"] for b in boxes), max(b["right"] for b in boxes)
    top, bottom = min(b["top"] for b in boxes), max(b["bottom"] for b in boxes)
    width, height = view[2] - view[0], view[3] - view[1]
    assert (right - left) / width > 0.85 or (bottom - top) / height > 0.85
    assert (right - left) * (bottom - top) > 0.6 * width * height
    save_screenshot(page, "graph-page.png")


def test_library_focus_view(library_page):
    page = library_page("#focus=asymptotic-oversight-safety&dir=down&depth=2&node=debate-pspace")
    assert page.drawn() == {"asymptotic-oversight-safety", "debate-pspace", "doubly-efficient-debate", "prover-estimator-debate",
                            "estimator-stability", "zermelo-determinacy", "finite-minimax"}
    assert page.panel_node() == "debate-pspace"
    assert "theorem finite_minimax" not in page.page.inner_text("#panel")
    assert min(b["labelPx"] for b in page.js("wbGraph.boxes()")) >= MIN_LABEL_PX
    save_screenshot(page, "graph-page-focus.png")


@pytest.mark.parametrize("n", [300, 2000])
def test_big_pages_open_on_a_readable_overview(open_page, n):
    data = synthetic_graph(n)
    page = open_page(data, viewport=WINDOW)
    assert page.js("wbGraph.state().mode") == "overview" and page.drawn() == set()
    areas = {node["area"] for node in data["nodes"]}
    cards = page.js("wbGraph.boxes()")
    assert {c["id"] for c in cards} == {f"group:{a}" for a in areas}
    assert min(c["labelPx"] for c in cards) >= MIN_LABEL_PX
    assert f"Overview: {n} nodes in {len(areas)} areas" in page.page.inner_text("#counts")
    # one click opens an area: its own nodes, laid out on their own
    pos = page.js("id => wbGraph.position(id)", "group:oversight")
    page.page.mouse.click(pos["x"], pos["y"])
    page.wait_ready()
    assert page.drawn() == {node["id"] for node in data["nodes"] if node["area"] == "oversight"}
    assert page.js("location.hash") == "#area=oversight"
    page.page.click("#show-all")  # "Overview" now
    page.wait_ready()
    assert page.js("wbGraph.state().mode") == "overview"


def test_panel_shows_a_settled_nodes_proof_and_folds_the_file(open_page):
    page = open_page(demo_graph())
    page.click_node("zermelo")
    page.page.wait_for_function("document.getElementById('panel').dataset.nodeId === 'zermelo'")
    panel = page.page.locator("#panel")
    proof = panel.locator("pre.lean.proof")
    assert "induction t <;> simp_all" in proof.inner_text()
    assert proof.locator("span.kn", has_text="theorem").count() == 1  # highlighted as Lean
    declaration = panel.locator("pre.lean.declaration").inner_text()
    assert "Every finite zero-sum game tree has a value" in declaration and "sorry" in declaration
    assert "inductive GameTree" not in panel.inner_text()  # the whole file is folded
    panel.locator("details.file summary").click()
    assert "inductive GameTree" in panel.locator("details.file pre").inner_text()
    assert "Whole file lean/Conjectures/Games.lean (21 lines)" in panel.inner_text()


def test_hover_tooltip_disappears_when_the_view_moves(open_page):
    page = open_page(demo_graph())
    pos = page.js("id => wbGraph.position(id)", "game-tree")
    page.page.mouse.move(pos["x"], pos["y"])
    page.page.wait_for_function("[...document.querySelectorAll('.vis-tooltip')].some(t => t.style.visibility === 'visible')", timeout=5000)
    page.page.mouse.wheel(0, 200)
    page.page.wait_for_function("[...document.querySelectorAll('.vis-tooltip')].every(t => t.style.visibility !== 'visible')", timeout=2000)


def test_open_says_when_no_browser_could_be_opened(wb_proc, tmp_path):
    out = tmp_path / "graph.html"
    r = wb_proc("--workspace", str(ROOT), "graph", "--format", "html", "-o", str(out), "--open",
                env={"BROWSER": "false", "DISPLAY": None, "WAYLAND_DISPLAY": None})
    assert r.exit_code == 0, r.output
    assert re.search(r"no browser could be opened here: open file://\S+graph.html yourself", r.stderr)
    assert out.is_file()
