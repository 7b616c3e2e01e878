"""Speed of the graph page: the layout in Python, writing the page, and its first view and use in headless Chromium.

    .venv/bin/python benchmarks/bench_html.py [--layout-nodes 2000 10000] [--write-nodes 10000] [--browser-nodes 300 2000]

Prints the numbers; nothing is asserted (results go in issue notes).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from _browser import browser_missing, chromium, synthetic_graph  # noqa: E402
from workbench.page import render_page  # noqa: E402
from workbench.page.views import page_views  # noqa: E402


def bench_layout(n: int) -> None:
    data = synthetic_graph(n)
    for engine in ("dot", "igraph") if shutil.which("dot") else ("igraph",):
        t0 = time.perf_counter()
        views = page_views(data["nodes"], data["edges"], engine=engine)
        print(f"layout in Python, {n} nodes / {len(data['edges'])} edges, {engine} asked, {views['engine']} used: "
              f"{time.perf_counter() - t0:.2f} s (whole graph, overview and one drawing per area)")


def bench_first_view(browser, label: str, html: str, workdir: Path) -> float:
    path = workdir / f"first-{label}.html"
    path.write_text(html, encoding="utf-8")
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    t0 = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_function("window.wbGraph && window.wbGraph.ready === true", timeout=120_000)
    wall = (time.perf_counter() - t0) * 1000
    mode = page.evaluate("wbGraph.state().mode")
    shown = len(page.evaluate("wbGraph.boxes()"))
    context.close()
    print(f"first view, {label}: {wall:.0f} ms from navigation to drawn and interactive ({mode}, {shown} boxes)")
    return wall


def bench_write(n: int) -> None:
    data = synthetic_graph(n)
    t0 = time.perf_counter()
    html = render_page(data)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    render_page(data)
    second = time.perf_counter() - t0
    print(f"write page, {n} nodes / {len(data['edges'])} edges: {first:.2f} s "
          f"(again, warm caches: {second:.2f} s), {len(html) / 1e6:.1f} MB")


def bench_browser(browser, n: int, workdir: Path) -> None:
    data = synthetic_graph(n)
    path = workdir / f"graph-{n}.html"
    path.write_text(render_page(data), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    t0 = time.perf_counter()
    page.goto(path.as_uri() + "#view=all")
    page.wait_for_function("window.wbGraph && window.wbGraph.ready === true", timeout=120_000)
    ready_wall = time.perf_counter() - t0
    first_draw = page.evaluate("wbGraph.firstDrawnAt")
    layout_ms = page.evaluate("wbGraph.lastLayoutMs")

    # one full redraw of the canvas (what every pan/zoom frame costs)
    frames = page.evaluate("""() => { const out = [];
        for (let i = 0; i < 10; i++) { const t = performance.now(); wbGraph.network.redraw(); out.push(performance.now() - t); }
        return out; }""")
    # zoomed in to reading scale, frames are cheaper (labels of off-screen nodes are clipped by the canvas)
    target = data["nodes"][n // 2]["id"]

    # click a node like a person, time until its details are shown
    page.evaluate("id => wbGraph.network.focus(id, {scale: 1})", target)
    pos = page.evaluate("id => wbGraph.position(id)", target)
    t0 = time.perf_counter()
    page.mouse.click(pos["x"], pos["y"])
    page.wait_for_function(f"document.getElementById('panel').dataset.nodeId === '{target}'")
    click_ms = (time.perf_counter() - t0) * 1000

    # search: type an id, press Enter, wait until the node is centred
    other = data["nodes"][n // 3]["id"]
    t0 = time.perf_counter()
    page.fill("#search", other)
    page.keyboard.press("Enter")
    page.wait_for_function(
        """id => { const a = wbGraph.position(id), c = wbGraph.centre();
                   return a && Math.abs(a.x - c.x) < 3 && Math.abs(a.y - c.y) < 3; }""", arg=other)
    search_ms = (time.perf_counter() - t0) * 1000

    # focus + relayout, then back to the whole graph
    last = data["nodes"][-1]["id"]
    t0 = time.perf_counter()
    page.evaluate("h => { location.hash = h; }", f"focus={last}&dir=down&depth=3")
    page.wait_for_function(f"wbGraph.state().focus === '{last}' && wbGraph.ready")
    focus_ms = (time.perf_counter() - t0) * 1000
    focused = len(page.evaluate("wbGraph.drawnIds()"))
    t0 = time.perf_counter()
    page.click("#reset")
    page.wait_for_function("wbGraph.ready && wbGraph.state().mode === 'overview'")
    reset_ms = (time.perf_counter() - t0) * 1000
    context.close()

    print(f"browser, {n} nodes / {len(data['edges'])} edges ({path.stat().st_size / 1e6:.1f} MB page):")
    print(f"  every node drawn (#view=all) and interactive: {ready_wall * 1000:.0f} ms wall from navigation "
          f"(first frame at {first_draw:.0f} ms page time; layout {layout_ms:.0f} ms)")
    print(f"  full redraw (one pan/zoom frame): median {statistics.median(frames):.1f} ms, max {max(frames):.1f} ms")
    print(f"  click node -> details shown: {click_ms:.0f} ms")
    print(f"  search id + Enter -> node centred (250 ms animation included): {search_ms:.0f} ms")
    print(f"  focus depth 3 ({focused} nodes) relayout: {focus_ms:.0f} ms; reset to the overview: {reset_ms:.0f} ms")
    if errors:
        print(f"  page errors: {errors}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layout-nodes", type=int, nargs="*", default=[2000, 10_000])
    parser.add_argument("--write-nodes", type=int, default=10_000)
    parser.add_argument("--browser-nodes", type=int, nargs="*", default=[300, 2000])
    args = parser.parse_args()
    for n in args.layout_nodes:
        bench_layout(n)
    bench_write(args.write_nodes)
    reason = browser_missing()
    if reason:
        print(f"browser timings skipped: {reason}")
        return
    from workbench.workspace import Workspace

    library = render_page(Workspace.open(ROOT).graph_data(details=True))
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        first = {34: bench_first_view(browser, "bundled library, 34 nodes", library, Path(tmp))}
        for n in (300, 2000):
            first[n] = bench_first_view(browser, f"{n} nodes", render_page(synthetic_graph(n)), Path(tmp))
        print(f"first view at 2,000 nodes / at 300: {first[2000] / first[300]:.1f}x (target: within 3x)")
        for n in args.browser_nodes:
            bench_browser(browser, n, Path(tmp))


if __name__ == "__main__":
    main()
