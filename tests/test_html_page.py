"""The interactive graph page: self-contained HTML, driven in a real headless Chromium."""

from __future__ import annotations

import json
import re
from collections import deque
from pathlib import Path

import pytest

from _browser import Page, browser, demo_graph, graph, node, open_page, synthetic_graph, write_page  # noqa: F401 - fixtures
from workbench.page import render_page, render_statement


def embedded(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="wb-graph">(.*?)</script>', html, re.S)
    assert m, "the page must embed its data in #wb-graph"
    return json.loads(m.group(1))


def reach(data: dict, start: str, direction: str, depth: int | None) -> set[str]:
    """What the page should draw for a focus: `down` = what `start` rests on, `up` = what builds on it."""
    nbrs: dict[str, list[str]] = {n["id"]: [] for n in data["nodes"]}
    for e in data["edges"]:
        if e["kind"] == "uses":
            a, b = (e["source"], e["target"]) if direction == "down" else (e["target"], e["source"])
            nbrs[a].append(b)
    seen, queue = {start}, deque([(start, 0)])
    while queue:
        here, d = queue.popleft()
        if depth is not None and d >= depth:
            continue
        for other in nbrs[here]:
            if other not in seen:
                seen.add(other)
                queue.append((other, d + 1))
    return seen


# ---------------------------------------------------------------- without a browser


def test_page_is_one_self_contained_file():
    html = render_page(demo_graph(), title="Demo <graph>")
    assert html.startswith("<!DOCTYPE html>")
    assert "<title>Demo &lt;graph&gt;</title>" in html
    # nothing is loaded from elsewhere: no external script, stylesheet, font or image
    assert not re.search(r"<script[^>]+\bsrc=", html, re.I)
    assert not re.search(r"<link[^>]+rel=[\"']?stylesheet", html, re.I)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", html, re.I)
    data = embedded(html)
    assert [n["id"] for n in data["nodes"]] == [n["id"] for n in demo_graph()["nodes"]]
    assert data["edges"] == demo_graph()["edges"]
    assert data["workspace"] == "demo"


def test_node_text_cannot_break_out_of_the_data_element():
    evil = "</script><script>window.pwned = 1</script><!-- & -->"
    data = graph([node("evil-node", title=evil, informal=evil)], [])
    html = render_page(data)
    assert "</script><script>window.pwned" not in html
    assert embedded(html)["nodes"][0]["title"] == evil


def test_informal_statement_renders_markdown_and_math_and_escapes_html():
    out = render_statement("Debate decides $\\mathsf{PSPACE}$ and **more**:\n\n$$\\sum_{i=1}^n x_i < 1$$\n\n<b>raw</b> [x](javascript:alert(1))")
    assert out.count("<math") == 2 and 'display="block"' in out
    assert "<strong>more</strong>" in out
    assert "<b>raw</b>" not in out and "&lt;b&gt;raw&lt;/b&gt;" in out
    assert 'href="javascript' not in out
    assert "mathvariant=\"sans-serif\"" not in out  # mapped to Unicode sans-serif letters MathML Core can show
    bad = render_statement("price $5 and $\\frac{1}{$")
    assert "<p>" in bad  # an unreadable formula degrades, it does not raise


def test_render_page_tolerates_missing_optional_keys():
    data = {"nodes": [{"id": "lonely", "title": "Lonely", "informal": "x"}], "edges": []}
    assert embedded(render_page(data))["nodes"][0]["id"] == "lonely"
    assert embedded(render_page({}))["nodes"] == []


# ---------------------------------------------------------------- in headless Chromium


@pytest.fixture(scope="module")
def big():
    return synthetic_graph(300)


def test_every_node_is_drawn(open_page, big):
    small = open_page(demo_graph())
    assert small.drawn() == {n["id"] for n in demo_graph()["nodes"]}
    assert small.js("document.getElementById('counts').textContent") == "9 of 9 nodes"
    large = open_page(big)
    assert large.drawn() == set() and large.js("wbGraph.state().mode") == "overview"
    large.page.click("#show-all")
    large.wait_ready()
    assert large.drawn() == {n["id"] for n in big["nodes"]}
    assert large.js("location.hash") == "#view=all"
    # the page draws from the embedded element, which scripts can read too
    ids = large.js("JSON.parse(document.getElementById('wb-graph').textContent).nodes.map(n => n.id)")
    assert len(ids) == 300


def test_clicking_a_node_shows_its_details(open_page):
    p = open_page(demo_graph())
    p.click_node("debate-pspace")
    p.page.wait_for_function("document.getElementById('panel').dataset.nodeId === 'debate-pspace'")
    panel = p.page.locator("#panel")
    text = panel.inner_text()
    assert "Debate with optimal play decides PSPACE" in text
    assert "With polynomially many rounds and optimal play" in text
    assert panel.locator(".statement math").count() >= 2  # LaTeX rendered as MathML
    assert panel.locator('a[href="https://arxiv.org/abs/1805.00899"]').count() == 1
    assert "theorem debate_pspace : DebateClass = PSPACE := sorry" in text
    assert "Open assumptions" in text and panel.locator('.assumptions [data-node-id="alternation-pspace"]').count() == 1
    assert panel.locator(".note .statement br").count() == 1  # a note keeps its line break
    assert "Conjectures.Debate" in text and "4.35.0" in text  # formal statement and evidence
    assert "conditional" in text and "trust: claimed" in text
    assert "Notes never settle a node" in text
    assert "#node=debate-pspace" in p.js("location.hash")
    # edges both ways, each clickable: debate-pspace is generalized by cross-examination-nexp
    panel.locator('.edge-link[data-node-id="cross-examination-nexp"]').click()
    p.page.wait_for_function("document.getElementById('panel').dataset.nodeId === 'cross-examination-nexp'")
    assert "multi-prover interactive proofs" in panel.inner_text()
    assert "trust: reviewed" in panel.inner_text()


def test_clicking_a_node_in_a_few_hundred(open_page, big):
    p = open_page(big, "#view=all")
    target = "n00150"
    p.js("id => wbGraph.network.focus(id, {scale: 1})", target)  # zoom in, as a reader would, to click it
    assert p.panel_node() is None
    p.click_node(target)
    p.page.wait_for_function(f"document.getElementById('panel').dataset.nodeId === '{target}'")
    assert "node 150 holds with probability" in p.page.locator("#panel .statement").inner_text()


def test_search_finds_and_centres_a_node(open_page, big):
    p = open_page(big)
    target = big["nodes"][237]
    p.page.fill("#search", target["id"])
    p.page.wait_for_selector(f'#search-results li[data-node-id="{target["id"]}"]')
    p.page.keyboard.press("Enter")
    p.page.wait_for_function(
        """id => { const a = wbGraph.position(id), c = wbGraph.centre();
                   return a && Math.abs(a.x - c.x) < 3 && Math.abs(a.y - c.y) < 3; }""",
        arg=target["id"], timeout=5000)
    assert p.panel_node() == target["id"]
    # by title and by tag, too
    small = open_page(demo_graph())
    small.page.fill("#search", "finite zero-sum")
    assert small.page.locator("#search-results li").first.get_attribute("data-node-id") == "zermelo"
    small.page.fill("#search", "amplification")
    found = {li.get_attribute("data-node-id") for li in small.page.locator("#search-results li").all()}
    assert found == {"amplification-converges", "error-bound", "distillation-safe"}


def test_search_reveals_a_node_hidden_by_filters(open_page):
    p = open_page(demo_graph(), "#status=proved")
    assert p.drawn() == {"zermelo", "game-tree"}
    p.page.fill("#search", "debate-pspace")
    p.page.keyboard.press("Enter")
    p.page.wait_for_function("wbGraph.drawnIds().length === 9")
    assert p.panel_node() == "debate-pspace"


def test_focus_with_a_depth_cut_draws_the_right_subgraph(open_page, big):
    p = open_page(demo_graph())
    p.click_node("debate-pspace")
    p.page.wait_for_function("document.getElementById('panel').dataset.nodeId === 'debate-pspace'")
    p.page.fill('#panel input[aria-label="Focus depth"]', "1")
    p.page.click('#panel button[data-focus="down"]')
    p.wait_ready()
    assert p.drawn() == {"debate-pspace", "zermelo", "alternation-pspace", "judge-polytime"}
    assert re.search(r"focus=debate-pspace&dir=down&depth=1", p.js("location.hash"))
    p.page.fill('#panel input[aria-label="Focus depth"]', "")
    p.page.click('#panel button[data-focus="down"]')
    p.wait_ready()
    assert p.drawn() == {"debate-pspace", "zermelo", "alternation-pspace", "judge-polytime", "game-tree"}
    p.page.click('#panel button[data-focus="up"]')
    p.wait_ready()
    assert p.drawn() == {"debate-pspace"}  # nothing uses it (cross-examination only generalizes it)

    q = open_page(big)
    for start, direction, depth in [("n00290", "down", 2), ("n00010", "up", 3), ("n00100", "down", 0)]:
        q.js("h => { location.hash = h; }", f"focus={start}&dir={direction}&depth={depth}")
        q.page.wait_for_function("h => wbGraph.state().focus === h", arg=start)
        q.wait_ready()
        expected = reach(big, start, direction, depth)
        assert q.drawn() == expected
        assert len(expected) < 300


def test_url_fragment_restores_a_view(open_page, big):
    p = open_page(demo_graph(), "#focus=debate-pspace&dir=down&depth=2&kind=theorem,definition&node=zermelo")
    assert p.js("wbGraph.state()") == {
        "focus": "debate-pspace", "dir": "down", "depth": 2,
        "filters": {"status": [], "kind": ["definition", "theorem"], "area": [], "tag": []}, "node": "zermelo",
        "all": False, "mode": "nodes",
    }
    assert p.drawn() == {"debate-pspace", "zermelo", "game-tree"}
    assert p.panel_node() == "zermelo"
    assert p.page.is_checked('#filters input[data-facet="kind"][value="theorem"]')
    assert "Focus: debate-pspace" in p.page.inner_text("#focus-info")

    q = open_page(big, "#focus=n00250&dir=down&depth=2&status=proved,conditional")
    expected = {i for i in reach(big, "n00250", "down", 2)
                if i == "n00250" or next(n for n in big["nodes"] if n["id"] == i)["status"] in ("proved", "conditional")}
    assert q.drawn() == expected


def test_filters_change_the_drawing_and_the_url(open_page, big):
    p = open_page(big)
    p.page.click("#filters-toggle")
    p.page.check('#filters input[data-facet="status"][value="proved"]')
    p.wait_ready()
    assert p.drawn() == {n["id"] for n in big["nodes"] if n["status"] == "proved"}
    p.page.check('#filters input[data-facet="area"][value="oversight"]')
    p.wait_ready()
    assert p.drawn() == {n["id"] for n in big["nodes"] if n["status"] == "proved" and n["area"] == "oversight"}
    assert p.js("location.hash") == "#status=proved&area=oversight"
    p.page.click("#reset")
    p.wait_ready()
    assert p.js("wbGraph.state().mode") == "overview" and p.js("location.hash") == ""


def test_bad_fragment_is_ignored_with_a_notice(open_page):
    p = open_page(demo_graph(), "#focus=no-such-node&depth=-3&dir=sideways")
    assert len(p.drawn()) == 9
    assert "unknown node 'no-such-node'" in p.page.inner_text("#notice")


def test_hostile_text_stays_text(open_page):
    evil = "</script><script>window.pwned = 1</script><img src=x onerror=\"window.pwned=2\">"
    data = graph([node("evil-node", title=evil, informal=evil, sources=[{"citation": evil, "url": "javascript:alert(1)"}],
                       notes=[{"trust": "claimed", "text": evil}])], [])
    p = open_page(data)
    p.click_node("evil-node")
    p.page.wait_for_function("document.getElementById('panel').dataset.nodeId === 'evil-node'")
    assert p.js("window.pwned") is None
    assert p.page.locator('#panel a[href^="javascript"]').count() == 0
    assert "<img src=x" in p.page.inner_text("#panel")


def test_narrow_screen_still_works(open_page):
    p = open_page(demo_graph(), "#node=zermelo", viewport=(420, 800))
    assert p.panel_node() == "zermelo"
    assert len(p.drawn()) == 9


# ---------------------------------------------------------------- through the command line


def test_wb_graph_format_html_writes_a_working_page(browser, wb, seeded, tmp_path):
    r = wb("link", "sgd-margin", "implies", "honest-equilibrium", cwd=seeded)
    assert r.exit_code == 0, r.output
    out = tmp_path / "page" / "graph.html"
    out.parent.mkdir()
    r = wb("graph", "--format", "html", "-o", out, cwd=seeded)
    assert r.exit_code == 0, r.output
    data = embedded(out.read_text(encoding="utf-8"))
    assert {n["id"] for n in data["nodes"]} == {"minimax", "honest-equilibrium", "debate-pspace", "sgd-margin"}
    assert {"source": "sgd-margin", "target": "honest-equilibrium", "kind": "implies"} in data["edges"]

    p = Page(browser, out)
    try:
        assert p.drawn() == {"minimax", "honest-equilibrium", "debate-pspace", "sgd-margin"}
        p.click_node("debate-pspace")
        p.page.wait_for_function("document.getElementById('panel').dataset.nodeId === 'debate-pspace'")
        panel = p.page.locator("#panel")
        assert "Debate with poly-time judge decides" in panel.inner_text()
        assert panel.locator(".statement math").count() == 1
        assert panel.locator('a[href="https://arxiv.org/abs/1805.00899"]').count() == 1
        p.js("h => { location.hash = h; }", "focus=debate-pspace&dir=down&depth=1")
        p.page.wait_for_function("wbGraph.state().focus === 'debate-pspace'")
        assert p.drawn() == {"debate-pspace", "minimax", "honest-equilibrium"}
    finally:
        p.close()

    # `wb graph ID --depth N --format html`: the page holds only that neighbourhood
    part = tmp_path / "page" / "part.html"
    r = wb("graph", "honest-equilibrium", "--depth", "1", "--direction", "down", "--format", "html", "-o", part, cwd=seeded)
    assert r.exit_code == 0, r.output
    assert {n["id"] for n in embedded(part.read_text(encoding="utf-8"))["nodes"]} == {"honest-equilibrium", "minimax"}


@pytest.mark.parametrize("args", [
    ["no-such-node"],
    ["minimax", "--depth", "-1"],
])
def test_wb_graph_html_bad_input_leaves_no_file(wb, seeded, tmp_path, args):
    out = tmp_path / "bad.html"
    r = wb("graph", *args, "--format", "html", "-o", out, cwd=seeded)
    assert r.exit_code != 0 and "Traceback" not in r.output
    assert len([ln for ln in r.stderr.splitlines() if ln.strip()]) == 1, r.stderr
    assert not out.exists()


def test_wb_graph_html_unwritable_output(wb, seeded, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file, so nothing can be written under it")  # unwritable even for root
    for target in (blocker / "graph.html", tmp_path):  # under a file; a directory
        r = wb("graph", "--format", "html", "-o", target, cwd=seeded)
        assert r.exit_code != 0 and "Traceback" not in r.output, target
        assert len([ln for ln in r.stderr.splitlines() if ln.strip()]) == 1, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["not-a-dir", "ws", "home"])


def test_back_button_returns_to_the_previous_view(open_page):
    p = open_page(demo_graph())
    p.click_node("debate-pspace")
    p.page.wait_for_function("document.getElementById('panel').dataset.nodeId === 'debate-pspace'")
    p.page.click('#panel button[data-focus="down"]')
    p.wait_ready()
    assert len(p.drawn()) == 5
    p.page.go_back()
    p.page.wait_for_function("wbGraph.state().focus === null && wbGraph.drawnIds().length === 9")
    assert p.panel_node() == "debate-pspace"
