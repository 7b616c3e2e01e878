"""The Python API the README documents: everything `wb` does, from a notebook or a script."""

from __future__ import annotations

import pytest

from workbench.errors import CycleError, DuplicateError, EdgeError, InUseError, NotFoundError, WorkbenchError
from workbench.model import Conjecture, Source
from workbench.workspace import Workspace

from _ws_fixtures import commit_count, git, head


@pytest.fixture
def ws(workspace) -> Workspace:
    return Workspace.open(workspace)


def test_init_from_python(git_home, tmp_path):
    ws, change = Workspace.init(tmp_path / "notebook-ws")
    assert (ws.root / "workbench.toml").is_file()
    assert change.commit == head(ws.root)
    assert ws.list() == []


def test_add_link_list_show_next(ws):
    change = ws.add(Conjecture(id="minimax", title="Minimax theorem", informal="Zero-sum games have a value.",
                               kind="theorem", area="game-theory", priority=1))
    assert change.ids == ["minimax"] and change.commit == head(ws.root)
    ws.add(Conjecture(id="debate-pspace", title="Debate reaches PSPACE", informal="Debate decides PSPACE.",
                      area="oversight", tags=["debate"], sources=[Source.parse("Irving et al. 2018 | arXiv:1805.00899")]))
    link = ws.link("debate-pspace", "uses", "minimax")
    assert "wb link debate-pspace uses minimax" in git(ws.root, "log", "-1", "--format=%s")
    assert link.commit == head(ws.root)

    rows = ws.list()
    assert [r["id"] for r in rows] == ["debate-pspace", "minimax"]
    assert {"id", "title", "kind", "area", "tags", "status"} <= rows[0].keys()
    assert [r["id"] for r in ws.list(area="oversight")] == ["debate-pspace"]
    assert [r["id"] for r in ws.list(tag="debate")] == ["debate-pspace"]
    assert [r["id"] for r in ws.list(kind="theorem")] == ["minimax"]
    assert [r["id"] for r in ws.list(query="zero-sum")] == ["minimax"]

    shown = ws.show("minimax")
    assert shown["status"] == "informal"
    assert [(e["kind"], e["source"]) for e in shown["edges_in"]] == [("uses", "debate-pspace")]
    assert ws.show("debate-pspace")["sources"][0]["arxiv"] == "1805.00899"

    ranked = ws.next()
    assert [(t["id"], t["unblocks"]) for t in ranked] == [("minimax", 1), ("debate-pspace", 0)]

    history = ws.log("debate-pspace")
    assert [c["message"].split(":")[0] for c in history] == ["wb link debate-pspace uses minimax", "wb add debate-pspace"]


def test_add_without_commit_then_unlink_and_remove(ws):
    ws.add(Conjecture(id="a", title="A", informal="x"))
    ws.add(Conjecture(id="b", title="B", informal="y"), commit=False)
    assert commit_count(ws.root) == 2
    assert "conjectures/b.toml" in git(ws.root, "status", "--porcelain", "--untracked-files=all")
    ws.link("b", "implies", "a", commit=False)
    ws.unlink("b", "implies", "a", commit=False)
    assert ws.get("b").edges == []
    assert commit_count(ws.root) == 2
    ws.remove("a")
    assert not ws.exists("a")
    assert commit_count(ws.root) == 3


def test_errors_are_workbench_errors_carrying_what_went_wrong(ws):
    ws.add(Conjecture(id="a", title="A", informal="x"))
    ws.add(Conjecture(id="b", title="B", informal="y"))
    ws.link("a", "uses", "b")
    with pytest.raises(CycleError) as exc:
        ws.link("b", "uses", "a")
    assert exc.value.cycle == ["b", "a", "b"]
    with pytest.raises(DuplicateError):
        ws.add(Conjecture(id="a", title="again", informal="x"))
    with pytest.raises(NotFoundError):
        ws.show("ghost")
    with pytest.raises(EdgeError):
        ws.link("a", "uses", "a")
    with pytest.raises(InUseError):
        ws.remove("b")
    with pytest.raises(WorkbenchError):
        ws.link("a", "depends-on", "b")
    ws.remove("b", force=True)
    assert ws.get("a").edges == []


def test_import_from_python(ws, tmp_path):
    path = tmp_path / "batch.jsonl"
    path.write_text('{"id": "x", "title": "X", "informal": "x", "uses": ["y"]}\n{"id": "y", "title": "Y", "informal": "y"}\n')
    change = ws.import_jsonl(path)
    assert sorted(change.ids) == ["x", "y"]
    assert commit_count(ws.root) == 2


def test_find_walks_up(workspace):
    (workspace / "lean" / "deep").mkdir()
    assert Workspace.find(workspace / "lean" / "deep").root == workspace.resolve()
