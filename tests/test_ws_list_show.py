"""`wb list` (filters, table, --json) and `wb show` (edges both ways, derived status)."""

from __future__ import annotations

import json

import pytest

from _ws_fixtures import one_line_error, snapshot, write_node


def ids(wb, ws, *args) -> list[str]:
    r = wb("list", "--json", *args, cwd=ws)
    assert r.exit_code == 0, r.output
    return [row["id"] for row in json.loads(r.stdout)]


def test_list_table_shows_every_node(wb, seeded):
    r = wb("list", cwd=seeded)
    assert r.exit_code == 0, r.output
    for conj_id in ("debate-pspace", "honest-equilibrium", "minimax", "sgd-margin"):
        assert conj_id in r.stdout
    assert "Debate reaches PSPACE" in r.stdout
    assert "informal" in r.stdout
    assert "4 conjectures" in r.stdout


def test_list_json_is_an_array_of_summaries(wb, seeded):
    rows = json.loads(wb("list", "--json", cwd=seeded).stdout)
    assert isinstance(rows, list) and len(rows) == 4
    by_id = {row["id"]: row for row in rows}
    assert by_id["debate-pspace"]["title"] == "Debate reaches PSPACE"
    assert by_id["debate-pspace"]["kind"] == "conjecture"
    assert by_id["debate-pspace"]["area"] == "oversight"
    assert by_id["debate-pspace"]["tags"] == ["debate", "complexity"]
    assert by_id["debate-pspace"]["status"] == "informal"
    assert by_id["minimax"]["kind"] == "theorem"
    for row in rows:
        assert {"id", "title", "kind", "area", "tags", "status"} <= row.keys()


def test_list_empty_workspace(wb, workspace):
    assert json.loads(wb("list", "--json", cwd=workspace).stdout) == []
    assert "0 conjectures" in wb("list", cwd=workspace).stdout


@pytest.mark.parametrize(
    "args,expected",
    [
        (["--area", "oversight"], ["debate-pspace", "honest-equilibrium"]),
        (["--area", "game-theory"], ["minimax"]),
        (["--tag", "debate"], ["debate-pspace", "honest-equilibrium"]),
        (["--tag", "complexity"], ["debate-pspace"]),
        (["--kind", "theorem"], ["minimax"]),
        (["--kind", "lemma"], ["sgd-margin"]),
        (["--kind", "definition"], []),
        (["--status", "informal"], ["debate-pspace", "honest-equilibrium", "minimax", "sgd-margin"]),
        (["--status", "proved"], []),
        (["-q", "margin"], ["sgd-margin"]),
        (["-q", "NASH"], ["honest-equilibrium"]),  # case-insensitive, searches the statement
        (["-q", "pspace"], ["debate-pspace"]),
        (["--area", "oversight", "--tag", "complexity"], ["debate-pspace"]),
        (["--area", "oversight", "--kind", "theorem"], []),
    ],
)
def test_list_filters(wb, seeded, args, expected):
    assert ids(wb, seeded, *args) == expected


def test_list_filters_in_the_table_too(wb, seeded):
    r = wb("list", "--area", "learning-theory", cwd=seeded)
    assert "sgd-margin" in r.stdout and "minimax" not in r.stdout


@pytest.mark.parametrize("args,word", [(["--status", "settled"], "settled"), (["--kind", "hunch"], "hunch")])
def test_list_unknown_filter_value_is_an_error(wb, seeded, args, word):
    line = one_line_error(wb("list", *args, cwd=seeded))
    assert word in line


def test_list_sees_files_added_by_hand(wb, seeded):
    """The derived index follows the files: a file written outside wb shows up at once."""
    ids(wb, seeded)  # build the index
    write_node(seeded, "hand-made", 'title = "Hand made"\ninformal = "Written in an editor."\narea = "oversight"\n')
    assert "hand-made" in ids(wb, seeded, "--area", "oversight")
    (seeded / "conjectures" / "hand-made.toml").unlink()
    assert "hand-made" not in ids(wb, seeded)


# ----- show ---------------------------------------------------------------------------------


def test_show_prints_everything_about_a_node(wb, seeded):
    r = wb("show", "debate-pspace", cwd=seeded)
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "Debate reaches PSPACE" in out
    assert "oversight" in out and "informal" in out
    assert "debate" in out and "complexity" in out
    assert "Irving et al. 2018" in out and "1805.00899" in out
    assert "PSPACE" in out
    assert "minimax" in out and "honest-equilibrium" in out  # edges out
    assert "conjectures/debate-pspace.toml" in out


def test_show_lists_incoming_edges(wb, seeded):
    out = wb("show", "minimax", cwd=seeded).stdout
    assert "debate-pspace" in out and "honest-equilibrium" in out


def test_show_json_has_edges_both_ways_and_derived_status(wb, seeded):
    wb("link", "sgd-margin", "special-case-of", "honest-equilibrium", cwd=seeded)
    data = json.loads(wb("show", "honest-equilibrium", "--json", cwd=seeded).stdout)
    assert data["id"] == "honest-equilibrium"
    assert data["title"] == "Honesty is an equilibrium"
    assert data["status"] == "informal"
    assert data["tags"] == ["debate"]
    assert data["priority"] == 3
    assert [(e["kind"], e["target"]) for e in data["edges_out"]] == [("uses", "minimax")]
    assert sorted((e["kind"], e["source"]) for e in data["edges_in"]) == [
        ("special-case-of", "sgd-margin"),
        ("uses", "debate-pspace"),
    ]


def test_show_unknown_id(wb, seeded):
    before = snapshot(seeded)
    line = one_line_error(wb("show", "ghost", cwd=seeded))
    assert "ghost" in line
    assert snapshot(seeded) == before


def test_show_invalid_id(wb, seeded):
    line = one_line_error(wb("show", "Ghost_Id", cwd=seeded))
    assert "Ghost_Id" in line
