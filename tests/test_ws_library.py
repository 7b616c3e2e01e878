"""The bundled library: this repository's own `conjectures/` is a valid workspace that `wb` can walk."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from _ws_fixtures import git

REPO = Path(__file__).resolve().parents[1]
AREAS = {"oversight", "heuristic-arguments", "learning-theory", "game-theory"}


@pytest.fixture
def library(wb, tmp_path) -> Path:
    files = sorted((REPO / "conjectures").glob("*.toml"))
    if not (REPO / "workbench.toml").is_file() or len(files) < 15:
        pytest.skip(f"bundled library not there yet ({len(files)} files in {REPO / 'conjectures'}; need at least 15)")
    ws = tmp_path / "library"
    ws.mkdir()
    shutil.copy(REPO / "workbench.toml", ws / "workbench.toml")
    shutil.copytree(REPO / "conjectures", ws / "conjectures")
    git(ws, "init", "-q", "-b", "main")
    git(ws, "add", "-A")
    git(ws, "commit", "-q", "-m", "library")
    return ws


def test_library_lists_at_least_fifteen_nodes_across_the_four_areas(wb, library):
    r = wb("list", "--json", cwd=library)
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert len(rows) >= 15
    assert AREAS <= {row["area"] for row in rows}
    for row in rows:
        assert row["title"] and row["kind"] and row["status"]


def test_library_nodes_have_sources_and_edges(wb, library):
    rows = json.loads(wb("list", "--json", cwd=library).stdout)
    shown = [json.loads(wb("show", row["id"], "--json", cwd=library).stdout) for row in rows]
    with_sources = [s for s in shown if s["sources"]]
    assert len(with_sources) >= len(shown) // 2, "most library entries should cite their sources"
    assert sum(len(s["edges_out"]) for s in shown) >= 10, "the library should be a connected graph, not a list"


def test_library_next_and_graph_work(wb, library):
    r = wb("next", "--json", cwd=library)
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert rows and rows[0]["rank"] == 1
    assert rows[0]["unblocks"] >= rows[-1]["unblocks"]
    assert wb("next", cwd=library).exit_code == 0
    graph = wb("graph", "--format", "json", cwd=library)
    assert graph.exit_code == 0
    assert len(json.loads(graph.stdout)["edges"]) >= 10
    assert wb("graph", cwd=library).exit_code == 0


def test_at_least_eight_library_nodes_carry_a_claim_that_sympy_supports(wb, library):
    """The library's formulas are checked: every claim is supported (symbolically, by its limit, or by a search
    that finds no counterexample), and the check is kept as a note without changing any status."""
    import tomllib

    claims = {p.stem: tomllib.loads(p.read_text())["check"] for p in sorted((library / "conjectures").glob("*.toml"))
              if "[check]" in p.read_text()}
    assert len(claims) >= 8
    methods = set()
    for conj_id in claims:
        r = wb("numeric-check", conj_id, "--json", cwd=library)
        out = json.loads(r.stdout)
        assert (r.exit_code, out["result"]) == (0, "supported"), (conj_id, out)
        methods.add(out["method"])
    assert {"symbolic", "limit"} <= methods
    rows = json.loads(wb("list", "--json", cwd=library).stdout)
    assert all(r["status"] == "informal" for r in rows if r["id"] in claims)
    assert sum(1 for r in rows if (r["numeric_check"] or {}).get("result") == "supported") == len(claims)
