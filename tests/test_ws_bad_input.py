"""The issue's "Bad input" list, case by case: one clear line on stderr, a non-zero exit, and the
workspace exactly as before (same HEAD, same `git status`, same bytes in every file)."""

from __future__ import annotations

import json

import pytest

from _ws_fixtures import one_line_error, snapshot, write_node

BAD = {
    # case: (argv, words the one line must contain)
    "unknown id (show)": (["show", "ghost"], ["ghost"]),
    "unknown id (rm)": (["rm", "ghost"], ["ghost"]),
    "unknown id (link src)": (["link", "ghost", "uses", "minimax"], ["ghost"]),
    "unknown id (link dst)": (["link", "minimax", "uses", "ghost"], ["ghost"]),
    "unknown id (unlink)": (["unlink", "ghost", "uses", "minimax"], ["ghost"]),
    "unknown id (graph)": (["graph", "ghost"], ["ghost"]),
    "unknown id (log)": (["log", "ghost"], ["ghost"]),
    "unknown id (add --uses)": (["add", "fresh", "--title", "T", "--informal", "x", "--uses", "ghost"], ["ghost"]),
    "duplicate id": (["add", "minimax", "--title", "T", "--informal", "x"], ["minimax", "already exists"]),
    "invalid id (add)": (["add", "Not_Kebab", "--title", "T", "--informal", "x"], ["Not_Kebab", "kebab-case"]),
    "invalid id (show)": (["show", "Not_Kebab"], ["Not_Kebab"]),
    "invalid id (link)": (["link", "minimax", "uses", "Not_Kebab"], ["Not_Kebab"]),
    "unknown kind (add)": (["add", "fresh", "--title", "T", "--informal", "x", "--kind", "hunch"], ["kind"]),
    "unknown edge kind (link)": (["link", "debate-pspace", "relies-on", "minimax"], ["relies-on", "uses"]),
    "unknown edge kind (unlink)": (["unlink", "debate-pspace", "relies-on", "minimax"], ["relies-on"]),
    "uses cycle": (["link", "minimax", "uses", "debate-pspace"], ["cycle", "minimax", "debate-pspace"]),
    "self-loop": (["link", "minimax", "implies", "minimax"], ["self-loop"]),
    "missing edge (unlink)": (["unlink", "minimax", "uses", "sgd-margin"], ["no edge"]),
    "rm while pointed at": (["rm", "minimax"], ["minimax", "--force"]),
    "negative depth": (["graph", "minimax", "--depth", "-1"], ["depth"]),
    "missing title": (["add", "fresh", "--informal", "x"], ["--title"]),
    "unknown status filter": (["list", "--status", "maybe"], ["maybe"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_line_and_changes_nothing(wb, seeded, case):
    argv, words = BAD[case]
    before = snapshot(seeded)
    line = one_line_error(wb(*argv, cwd=seeded))
    assert line.startswith("error:")
    for word in words:
        assert word in line, (case, line)
    assert snapshot(seeded) == before


def test_malformed_file_blocks_changes_and_changes_nothing(wb, seeded):
    write_node(seeded, "broken", 'title = "unterminated\ninformal = "x"\n')
    before = snapshot(seeded)
    for argv in (["add", "fresh", "--title", "T", "--informal", "x"], ["link", "sgd-margin", "uses", "minimax"], ["rm", "sgd-margin", "--force"]):
        line = one_line_error(wb(*argv, cwd=seeded))
        assert "conjectures/broken.toml" in line
        assert snapshot(seeded) == before


def test_import_line_that_fails_validation(wb, seeded, tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"id": "ok-one", "title": "T", "informal": "x"}) + "\n" + json.dumps({"id": "bad", "title": ""}) + "\n")
    before = snapshot(seeded)
    line = one_line_error(wb("import", path, cwd=seeded))
    assert "line 2" in line
    assert snapshot(seeded) == before


def test_missing_editor(wb, seeded):
    before = snapshot(seeded)
    line = one_line_error(wb("edit", "minimax", cwd=seeded, env={"EDITOR": None, "VISUAL": None}))
    assert "$EDITOR" in line
    assert snapshot(seeded) == before


def test_errors_exit_non_zero_from_the_real_binary_too(wb_proc, seeded):
    before = snapshot(seeded)
    r = wb_proc("link", "minimax", "uses", "debate-pspace", cwd=seeded)
    line = one_line_error(r)
    assert "cycle" in line
    assert r.stdout == ""
    assert snapshot(seeded) == before
