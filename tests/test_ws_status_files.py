"""Derived status (`conditional`, `broken`) and how malformed or invalid files on disk are reported."""

from __future__ import annotations

import json

import pytest

from _ws_fixtures import one_line_error, snapshot, write_node


def node(title: str, *, status: str = "informal", uses: tuple[str, ...] = (), kind: str = "conjecture") -> str:
    """A conjecture file written by hand; `proved`/`disproved` carry the formal statement they need."""
    text = f'title = "{title}"\nkind = "{kind}"\nstatus = "{status}"\ninformal = "{title}."\n'
    if status in ("formalized", "proved", "disproved"):
        decl = title.replace(" ", "_")
        text += f'formal = {{ module = "Conjectures.{decl}", decl = "{decl}" }}\n'
    for target in uses:
        text += f'\n[[edges]]\nkind = "uses"\ntarget = "{target}"\n'
    return text


def statuses(wb, ws) -> dict[str, str]:
    r = wb("list", "--json", cwd=ws)
    assert r.exit_code == 0, r.output
    return {row["id"]: row["status"] for row in json.loads(r.stdout)}


# ----- derived status -----------------------------------------------------------------------
# Settled statuses come only from Lean (tests/test_graph_lean.py runs the real thing); here: what a file
# written by hand shows, and the derivation itself on records.


def test_a_settlement_written_by_hand_is_unverified_and_settles_nothing(wb, workspace):
    write_node(workspace, "lemma-open", node("Open lemma"))
    write_node(workspace, "main-result", node("Main result", status="proved", uses=("lemma-open",)))
    write_node(workspace, "false-lemma", node("False lemma", status="disproved"))
    write_node(workspace, "hopes", node("Hopes", uses=("false-lemma",)))
    assert statuses(wb, workspace) == {"lemma-open": "informal", "main-result": "unverified", "false-lemma": "unverified", "hopes": "informal"}
    data = json.loads(wb("show", "main-result", "--json", cwd=workspace).stdout)
    assert (data["status"], data["recorded_status"]) == ("unverified", "proved")
    assert "unverified" in wb("show", "main-result", cwd=workspace).stdout
    for status, expected in [("unverified", ["false-lemma", "main-result"]), ("proved", []), ("disproved", []), ("broken", [])]:
        rows = json.loads(wb("list", "--json", "--status", status, cwd=workspace).stdout)
        assert [r["id"] for r in rows] == expected, status
    assert data["edges_out"][0]["status"] == "informal"


def test_derived_status_follows_changes_to_files(wb, workspace):
    write_node(workspace, "lemma-open", node("Open lemma"))
    write_node(workspace, "main-result", node("Main result", status="proved", uses=("lemma-open",)))
    assert statuses(wb, workspace)["main-result"] == "unverified"
    write_node(workspace, "main-result", node("Main result", uses=("lemma-open",)))
    assert statuses(wb, workspace)["main-result"] == "informal"


def _rec(node_id: str, status: str = "informal", *, uses=(), rests_on=(), evidence: str = ""):
    from workbench.graph import NodeRecord
    from workbench.model import Status

    return NodeRecord(node_id, Status(status), edges=tuple(("uses", t) for t in uses), rests_on=tuple(rests_on), evidence=evidence)


def test_derivation_follows_what_lean_says_each_proof_rests_on():
    from workbench.graph import derived_statuses, next_targets

    records = {r.id: r for r in [
        _rec("deep-open", "formalized"),
        _rec("middle", "proved", uses=("deep-open",), rests_on=("deep-open",)),
        _rec("top", "proved", uses=("middle",), rests_on=("middle",)),
        _rec("lean-free", "proved", uses=("deep-open",)),  # declared uses, but Lean says the proof needs nothing
        _rec("false-lemma", "disproved"),
        _rec("relies", "proved", rests_on=("false-lemma",)),
        _rec("hopes", uses=("false-lemma",)),
        _rec("downstream", uses=("relies",)),
        _rec("edited", "proved", rests_on=(), evidence="stale"),
        _rec("on-edited", "proved", rests_on=("edited",)),
    ]}
    got = derived_statuses(records)
    assert got == {
        "deep-open": "formalized", "middle": "conditional", "top": "conditional", "lean-free": "proved",
        "false-lemma": "disproved", "relies": "broken", "hopes": "broken", "downstream": "broken",
        "edited": "stale", "on-edited": "conditional",
    }
    ranked = next_targets(records)
    assert ranked[0].id == "deep-open" and ranked[0].completes == 2  # middle and top wait only for it


def test_proved_without_a_formal_statement_is_invalid(wb, workspace):
    write_node(workspace, "claimed", 'title = "Claimed"\ninformal = "x"\nstatus = "proved"\n')
    line = one_line_error(wb("list", cwd=workspace))
    assert "conjectures/claimed.toml" in line and "formal" in line


# ----- bad files on disk ----------------------------------------------------------------------


@pytest.mark.parametrize("command", [["list"], ["list", "--json"], ["show", "broken"], ["next"], ["graph"],
                                     ["add", "new-one", "--title", "T", "--informal", "x"], ["link", "fine", "uses", "other"]])
def test_malformed_toml_names_the_path(wb, workspace, command):
    write_node(workspace, "fine", node("Fine"))
    write_node(workspace, "other", node("Other"))
    write_node(workspace, "broken", 'title = "Broken"\ninformal = "x"\npriority = = 3\n')
    before = snapshot(workspace)
    line = one_line_error(wb(*command, cwd=workspace))
    assert "conjectures/broken.toml" in line
    assert "malformed TOML" in line
    assert snapshot(workspace) == before


def test_malformed_toml_names_the_line(wb, workspace):
    write_node(workspace, "broken", 'title = "Broken"\ninformal = "x"\npriority = = 3\n')
    line = one_line_error(wb("list", cwd=workspace))
    assert "conjectures/broken.toml" in line
    assert "broken.toml:3" in line or "line 3" in line


@pytest.mark.parametrize(
    "text,field,problem",
    [
        ('title = "T"\ninformal = "x"\npriority = "high"\n', "priority", "integer"),
        ('title = "T"\ninformal = "x"\nkind = "hunch"\n', "kind", "conjecture"),
        ('title = "T"\ninformal = "x"\nstatus = "settled"\n', "status", "informal"),
        ('title = "T"\n', "informal", "missing"),
        ('title = "T"\ninformal = "x"\ncolour = "blue"\n', "colour", "unknown field"),
        ('title = "T"\ninformal = "x"\ntags = "not-a-list"\n', "tags", "list"),
        ('title = "T"\ninformal = "x"\n[[edges]]\nkind = "depends"\ntarget = "fine"\n', "edges", "uses"),
        ('title = "T"\ninformal = "x"\n[[edges]]\nkind = "uses"\ntarget = "ghost"\n', "edges", "ghost"),
        ('id = "someone-else"\ntitle = "T"\ninformal = "x"\n', "id", "someone-else"),
    ],
    ids=["priority-type", "kind", "status", "missing-informal", "unknown-field", "tags-type", "edge-kind", "edge-target", "id-mismatch"],
)
def test_invalid_field_names_path_field_and_problem(wb, workspace, text, field, problem):
    write_node(workspace, "fine", node("Fine"))
    write_node(workspace, "bad", text)
    before = snapshot(workspace)
    line = one_line_error(wb("list", cwd=workspace))
    assert "conjectures/bad.toml" in line
    assert field in line
    assert problem in line
    assert snapshot(workspace) == before


def test_uses_cycle_written_by_hand_is_reported(wb, workspace):
    write_node(workspace, "left", node("Left", uses=("right",)))
    write_node(workspace, "right", node("Right", uses=("left",)))
    line = one_line_error(wb("list", cwd=workspace))
    assert "cycle" in line and "left" in line and "right" in line


def test_file_name_that_is_not_an_id(wb, workspace):
    (workspace / "conjectures" / "Bad_Name.toml").write_text(node("Bad name"))
    line = one_line_error(wb("list", cwd=workspace))
    assert "Bad_Name.toml" in line


def test_file_that_is_not_utf8(wb, workspace):
    (workspace / "conjectures" / "latin.toml").write_bytes(b'title = "caf\xe9"\ninformal = "x"\n')
    line = one_line_error(wb("list", cwd=workspace))
    assert "conjectures/latin.toml" in line


def test_malformed_workbench_toml(wb, workspace):
    (workspace / "workbench.toml").write_text("[workspace\nname = 1\n")
    line = one_line_error(wb("graph", "--format", "json", cwd=workspace))
    assert "workbench.toml" in line


def test_fixing_the_file_makes_the_workspace_usable_again(wb, workspace):
    write_node(workspace, "bad", 'title = "T"\ninformal = "x"\npriority = "high"\n')
    assert wb("list", cwd=workspace).exit_code != 0
    write_node(workspace, "bad", 'title = "T"\ninformal = "x"\npriority = 7\n')
    assert statuses(wb, workspace) == {"bad": "informal"}
