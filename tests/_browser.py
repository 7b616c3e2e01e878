"""Helpers for the graph-page browser tests and benchmark: sample graphs and a headless Chromium."""

from __future__ import annotations

import contextlib
import random
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STATUSES = ["informal", "formalized", "proved", "disproved", "conditional", "broken"]
KINDS = ["conjecture", "theorem", "lemma", "definition", "assumption"]
OTHER_EDGES = ["implies", "generalizes", "special-case-of", "equivalent", "refutes"]


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright)"
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@contextlib.contextmanager
def chromium():
    """A headless Chromium launched from the system binary (never a downloaded one)."""
    from playwright.sync_api import sync_playwright

    exe = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def node(id: str, **fields) -> dict:
    """One node in the `wb graph --format json` shape, with defaults for what is not given."""
    status = fields.pop("status", "informal")
    out = {
        "id": id,
        "title": fields.pop("title", id.replace("-", " ").capitalize()),
        "kind": fields.pop("kind", "conjecture"),
        "area": fields.pop("area", "oversight"),
        "tags": fields.pop("tags", []),
        "priority": fields.pop("priority", 0),
        "status": status,
        "recorded_status": fields.pop("recorded_status", "proved" if status in ("conditional", "broken") else status),
        "informal": fields.pop("informal", f"Statement of {id}."),
        "sources": fields.pop("sources", []),
        "formal": fields.pop("formal", None),
        "evidence": fields.pop("evidence", None),
        "notes": fields.pop("notes", []),
        "reviews": fields.pop("reviews", []),
        "attempts": fields.pop("attempts", {"count": 0, "last_reasons": []}),
        "rank": fields.pop("rank", None),
    }
    out.update(fields)
    return out


def graph(nodes: list[dict], edges: list[tuple[str, str, str]], **extra) -> dict:
    """A `wb graph --format json` object from nodes and (source, kind, target) triples."""
    data = {"workspace": "test", "root": None, "depth": None, "generated_at": "2025-01-01T00:00:00+00:00"}
    data.update(extra)
    data["nodes"] = nodes
    data["edges"] = [{"source": s, "kind": k, "target": t} for s, k, t in edges]
    return data


GAMES_MODULE = """\
import Mathlib

namespace Conjectures

/-- A finite game tree. -/
inductive GameTree where
  | leaf (v : Int)
  | node (children : List GameTree)

/-- Every finite zero-sum game tree has a value. -/
-- wb:begin proof zermelo · accepted 2025-01-02 (portfolio)
--: theorem zermelo (t : GameTree) : ∃ v, IsValue t v := by
--:   sorry
section wb_proof
theorem zermelo (t : GameTree) : ∃ v, IsValue t v := by
  induction t <;> simp_all
end wb_proof
-- wb:end proof zermelo

end Conjectures
"""


def demo_graph() -> dict:
    """A small alignment-flavoured graph for screenshots and the small tests."""
    lean_ev = {"lean_version": "4.35.0", "axioms": ["propext", "Classical.choice"], "checker_version": "0.1.0",
               "checked_at": "2025-01-02T03:04:05+00:00", "prover": "portfolio", "model": None,
               "proof_file": "lean/Conjectures/Games.lean"}
    nodes = [
        node("zermelo", title="Finite zero-sum game trees have a value", kind="theorem", area="game-theory",
             tags=["games", "debate"], status="proved", priority=2,
             informal="Every finite two-player zero-sum game tree $T$ has a value $v(T) \\in \\{-1, 1\\}$ obtained by backward induction:\n\n$$v(T) = \\max_{a} \\min_{b} v(T_{a,b}).$$",
             formal={"module": "Conjectures.Games", "decl": "zermelo", "file": "lean/Conjectures/Games.lean", "lean": GAMES_MODULE},
             evidence=dict(lean_ev, rests_on=["game-tree"]), sources=[{"citation": "Zermelo 1913", "arxiv": None, "url": "https://en.wikipedia.org/wiki/Zermelo%27s_theorem_(game_theory)"}]),
        node("debate-pspace", title="Debate with optimal play decides PSPACE", kind="theorem", area="oversight",
             tags=["debate"], status="conditional", priority=3,
             informal="With polynomially many rounds and optimal play, debate judged by a polynomial-time verifier decides exactly $\\mathsf{PSPACE}$; one round gives $\\mathsf{NP}$.",
             sources=[{"citation": "Irving, Christiano, Amodei. AI safety via debate (2018)", "arxiv": "1805.00899", "url": None}],
             formal={"module": "Conjectures.Debate", "decl": "debate_pspace", "file": "lean/Conjectures/Debate.lean",
                     "lean": "theorem debate_pspace : DebateClass = PSPACE := sorry"},
             evidence={"lean_version": "4.35.0", "axioms": ["propext"], "prover": "llm", "model": "example-model",
                       "checked_at": "2025-01-03T00:00:00+00:00", "assumes": ["alternation-pspace"],
                       "rests_on": ["alternation-pspace", "zermelo"]},
             notes=[{"trust": "claimed", "text": "The prover's informal sketch reduces to TQBF.\nStep 2: alternation.", "author": "llm", "family": None,
                     "verdict": None, "date": "2025-01-03"}]),
        node("alternation-pspace", title="Alternating polynomial time equals PSPACE", kind="lemma", area="complexity",
             tags=["complexity"], status="formalized",
             informal="$\\mathsf{AP} = \\mathsf{PSPACE}$ (Chandra, Kozen, Stockmeyer 1981).",
             formal={"module": "Conjectures.Complexity", "decl": "ap_eq_pspace", "file": None, "lean": "theorem ap_eq_pspace : AP = PSPACE := sorry"},
             attempts={"count": 3, "last_reasons": ["lean-error", "sorry"]}, rank=2),
        node("cross-examination-nexp", title="Cross-examination extends debate to NEXP", kind="conjecture", area="oversight",
             tags=["debate"], status="informal", priority=2,
             informal="Debate with cross-examination decides $\\mathsf{NEXP}$, as multi-prover interactive proofs do ($\\mathsf{MIP} = \\mathsf{NEXP}$).",
             notes=[{"trust": "reviewed", "text": "Argument reviewed by a second model family; no gap found.", "author": "reviewer",
                     "family": "other", "verdict": "plausible", "date": "2025-01-04"}], rank=1),
        node("game-tree", title="Finite game tree", kind="definition", area="game-theory", tags=["games"], status="proved",
             informal="A finite rooted tree whose internal nodes belong to one of two players and whose leaves carry a payoff in $\\{-1, 1\\}$."),
        node("judge-polytime", title="The judge runs in polynomial time", kind="assumption", area="oversight",
             tags=["debate"], status="informal", informal="The judge is a deterministic machine running in time $O(n^k)$."),
        node("amplification-converges", title="Iterated amplification converges", kind="conjecture", area="oversight",
             tags=["amplification"], status="informal", rank=3,
             informal="If each amplification step reduces error by a factor $\\gamma < 1$, after $k$ steps the error is at most $\\gamma^k \\varepsilon_0$."),
        node("error-bound", title="Geometric error bound", kind="lemma", area="learning-theory", tags=["amplification"],
             status="disproved", informal="For all $k$, $\\varepsilon_k \\le \\gamma^k \\varepsilon_0$ without any assumption on $\\gamma$."),
        node("distillation-safe", title="Distillation preserves safety", kind="conjecture", area="oversight",
             tags=["amplification"], status="broken", recorded_status="proved",
             informal="A distilled model inherits the safety of the amplified one."),
    ]
    edges = [
        ("debate-pspace", "uses", "zermelo"),
        ("debate-pspace", "uses", "alternation-pspace"),
        ("debate-pspace", "uses", "judge-polytime"),
        ("zermelo", "uses", "game-tree"),
        ("cross-examination-nexp", "generalizes", "debate-pspace"),
        ("cross-examination-nexp", "uses", "judge-polytime"),
        ("amplification-converges", "uses", "error-bound"),
        ("distillation-safe", "uses", "error-bound"),
        ("distillation-safe", "implies", "amplification-converges"),
        ("error-bound", "refutes", "judge-polytime"),
        ("alternation-pspace", "equivalent", "zermelo"),
        ("amplification-converges", "special-case-of", "debate-pspace"),
    ]
    return graph(nodes, edges, workspace="demo")


def synthetic_graph(n: int, seed: int = 7) -> dict:
    """A layered random graph of `n` nodes: mostly `uses` edges to earlier nodes, a few other kinds."""
    rng = random.Random(seed)
    areas = ["oversight", "learning-theory", "game-theory", "heuristic-arguments", "interpretability"]
    tags = [f"t{i}" for i in range(12)]
    nodes, edges = [], []
    for i in range(n):
        nodes.append(node(
            f"n{i:05d}", title=f"Node {i} about {rng.choice(['debate', 'amplification', 'ELK', 'PAC bounds', 'games'])}",
            kind=rng.choice(KINDS), area=rng.choice(areas), tags=rng.sample(tags, rng.randint(0, 2)),
            status=rng.choice(STATUSES), priority=rng.randint(0, 3),
            informal=f"For every $\\epsilon > 0$ node {i} holds with probability $1 - \\delta_{{{i}}}$.",
            rank=(i + 1) if i < 15 and i % 3 == 0 else None,
        ))
        if i:
            for j in rng.sample(range(max(0, i - 40), i), min(i, rng.randint(1, 2))):
                edges.append((f"n{i:05d}", "uses", f"n{j:05d}"))
        if i > 5 and rng.random() < 0.08:
            edges.append((f"n{i:05d}", rng.choice(OTHER_EDGES), f"n{rng.randrange(i):05d}"))
    return graph(nodes, edges, workspace="synthetic")


def write_page(tmp_path: Path, data: dict, name: str = "graph.html") -> Path:
    path = tmp_path / name
    from workbench.page import render_page

    path.write_text(render_page(data, title="Test graph"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser():
    reason = browser_missing()
    if reason:
        pytest.skip(f"browser tests skipped: {reason}")
    with chromium() as b:
        yield b


class Page:
    """A page opened from disk, with every request, console error and page error recorded."""

    def __init__(self, browser, path: Path, fragment: str = "", viewport=(1280, 800)):
        self.path = path
        self.url = path.resolve().as_uri()
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        self.page = self.context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.goto(self.url + fragment)
        self.wait_ready()

    def _route(self, route):
        url = route.request.url
        self.requests.append(url)
        if url.split("#")[0] == self.url:
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def wait_ready(self):
        self.page.wait_for_function("window.wbGraph && window.wbGraph.ready === true", timeout=60_000)

    def js(self, expr: str, arg=None):
        return self.page.evaluate(expr, arg)

    def drawn(self) -> set[str]:
        return set(self.js("wbGraph.drawnIds()"))

    def click_node(self, node_id: str):
        pos = self.js("id => wbGraph.position(id)", node_id)
        assert pos, f"{node_id} is not drawn"
        self.page.mouse.click(pos["x"], pos["y"])

    def panel_node(self) -> str | None:
        return self.js("document.getElementById('panel').hidden ? null : document.getElementById('panel').dataset.nodeId")

    def close(self):
        # Every test ends with: nothing fetched but the file itself, no errors in the console.
        try:
            assert self.blocked == [], f"the page tried to fetch {self.blocked}"
            assert all(u.split("#")[0] == self.url for u in self.requests)
            assert self.errors == [], self.errors
        finally:
            self.context.close()


@pytest.fixture
def open_page(browser, tmp_path):
    pages: list[Page] = []

    def _open(data: dict, fragment: str = "", **kw) -> Page:
        p = Page(browser, write_page(tmp_path, data, f"graph{len(pages)}.html"), fragment, **kw)
        pages.append(p)
        return p

    yield _open
    for p in pages:
        p.close()
