"""`wb import FILE.jsonl`: bulk add, all or nothing, one commit."""

from __future__ import annotations

import json
import re

import pytest

from _ws_fixtures import commit_count, git, one_line_error, read_node, snapshot


def jsonl(tmp_path, *lines, name="batch.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    return path


GOOD = [
    {"id": "elk-hard", "title": "ELK is hard in the worst case", "informal": "No reporter works for all predictors.",
     "kind": "conjecture", "area": "oversight", "tags": ["elk"], "sources": ["Christiano et al. 2021 | https://example.org/elk"],
     "uses": ["elk-reporter-exists", "minimax"]},
    {"id": "elk-reporter-exists", "title": "A direct reporter exists", "informal": "Some reporter answers honestly.",
     "kind": "lemma", "area": "oversight"},
    {"id": "pac-bound", "title": "A PAC bound", "informal": "Sample complexity is $O(d/\\epsilon)$.", "area": "learning-theory",
     "sources": ["arXiv:1234.56789"]},
]


def test_import_adds_every_line_in_one_commit(wb, seeded, tmp_path):
    before = commit_count(seeded)
    r = wb("import", jsonl(tmp_path, *GOOD), cwd=seeded)
    assert r.exit_code == 0, r.output
    assert "3" in r.stdout
    assert commit_count(seeded) == before + 1
    message = git(seeded, "log", "-1", "--format=%s")
    assert "wb import" in message
    for conj_id in ("elk-hard", "elk-reporter-exists", "pac-bound"):
        assert conj_id in message
    changed = set(git(seeded, "show", "--name-only", "--format=", "HEAD").split())
    assert changed == {"conjectures/elk-hard.toml", "conjectures/elk-reporter-exists.toml", "conjectures/pac-bound.toml"}
    assert git(seeded, "status", "--porcelain") == ""


def test_imported_fields_and_uses_edges(wb, seeded, tmp_path):
    wb("import", jsonl(tmp_path, *GOOD), cwd=seeded)
    elk = read_node(seeded, "elk-hard")
    assert elk["title"] == "ELK is hard in the worst case"
    assert elk["area"] == "oversight" and elk["tags"] == ["elk"]
    assert elk["sources"][0]["url"] == "https://example.org/elk"
    # one `uses` edge to a later line of the file, one to a node already in the workspace
    assert sorted((e["kind"], e["target"]) for e in elk["edges"]) == [("uses", "elk-reporter-exists"), ("uses", "minimax")]
    assert read_node(seeded, "elk-reporter-exists")["kind"] == "lemma"
    assert read_node(seeded, "pac-bound")["sources"][0]["arxiv"] == "1234.56789"
    minimax = json.loads(wb("show", "minimax", "--json", cwd=seeded).stdout)
    assert "elk-hard" in {e["source"] for e in minimax["edges_in"]}


def test_import_into_an_empty_workspace_skips_blank_lines(wb, workspace, tmp_path):
    path = jsonl(tmp_path, GOOD[1], "", GOOD[2], "   ")
    assert wb("import", path, cwd=workspace).exit_code == 0
    rows = json.loads(wb("list", "--json", cwd=workspace).stdout)
    assert [r["id"] for r in rows] == ["elk-reporter-exists", "pac-bound"]


def test_import_no_commit(wb, seeded, tmp_path):
    before = commit_count(seeded)
    assert wb("import", jsonl(tmp_path, GOOD[2]), "--no-commit", cwd=seeded).exit_code == 0
    assert commit_count(seeded) == before
    assert "?? conjectures/pac-bound.toml" in git(seeded, "status", "--porcelain", "--untracked-files=all")


def _refused(wb, ws, path) -> str:
    before = snapshot(ws)
    line = one_line_error(wb("import", path, cwd=ws))
    assert snapshot(ws) == before, "a refused import must leave the workspace exactly as before"
    return line


def test_one_bad_line_means_nothing_is_imported(wb, seeded, tmp_path):
    bad = {"id": "Bad_Id", "title": "T", "informal": "x"}
    line = _refused(wb, seeded, jsonl(tmp_path, GOOD[1], GOOD[2], bad))
    assert "line 3" in line
    assert "line 1" not in line and "line 2" not in line
    assert not (seeded / "conjectures" / "elk-reporter-exists.toml").exists()


def test_every_bad_line_is_named(wb, seeded, tmp_path):
    path = jsonl(
        tmp_path,
        GOOD[2],                                              # 1 fine
        "{not json",                                          # 2
        {"id": "no-informal", "title": "T"},                  # 3
        {"id": "odd-kind", "title": "T", "informal": "x", "kind": "hunch"},  # 4
        GOOD[1],                                              # 5 fine
        {"id": "extra", "title": "T", "informal": "x", "colour": "red"},    # 6
        [1, 2, 3],                                            # 7
    )
    line = _refused(wb, seeded, path)
    named = set(map(int, re.findall(r"line (\d+)", line)))
    assert named == {2, 3, 4, 6, 7}
    assert "informal" in line and "kind" in line and "colour" in line


def test_duplicate_id_within_the_file(wb, seeded, tmp_path):
    line = _refused(wb, seeded, jsonl(tmp_path, GOOD[2], GOOD[1], dict(GOOD[2], title="Again")))
    assert "pac-bound" in line and "line 3" in line and "line 1" in line


def test_duplicate_id_with_the_workspace(wb, seeded, tmp_path):
    line = _refused(wb, seeded, jsonl(tmp_path, GOOD[2], {"id": "minimax", "title": "T", "informal": "x"}))
    assert "line 2" in line and "minimax" in line and "already exists" in line


def test_uses_an_unknown_id(wb, seeded, tmp_path):
    line = _refused(wb, seeded, jsonl(tmp_path, GOOD[2], {"id": "needy", "title": "T", "informal": "x", "uses": ["ghost"]}))
    assert "line 2" in line and "ghost" in line


def test_uses_cycle_within_the_file(wb, seeded, tmp_path):
    path = jsonl(
        tmp_path,
        {"id": "chicken", "title": "T", "informal": "x", "uses": ["egg"]},
        {"id": "egg", "title": "T", "informal": "x", "uses": ["chicken"]},
    )
    line = _refused(wb, seeded, path)
    assert "cycle" in line and "chicken" in line and "egg" in line


def test_self_use_in_the_file(wb, seeded, tmp_path):
    line = _refused(wb, seeded, jsonl(tmp_path, {"id": "ouroboros", "title": "T", "informal": "x", "uses": ["ouroboros"]}))
    assert "line 1" in line and "self-loop" in line


def test_uses_must_be_a_list(wb, seeded, tmp_path):
    line = _refused(wb, seeded, jsonl(tmp_path, {"id": "x", "title": "T", "informal": "x", "uses": "minimax"}))
    assert "line 1" in line and "uses" in line


def test_empty_file(wb, seeded, tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("\n\n")
    line = _refused(wb, seeded, path)
    assert "nothing to import" in line


def test_missing_file(wb, seeded, tmp_path):
    line = _refused(wb, seeded, tmp_path / "nope.jsonl")
    assert "nope.jsonl" in line


@pytest.mark.parametrize("count", [60])
def test_large_import_is_one_commit(wb, workspace, tmp_path, count):
    lines = [{"id": f"node-{i}", "title": f"Node {i}", "informal": "x", "uses": [f"node-{i - 1}"] if i else []} for i in range(count)]
    lines.reverse()  # every line uses one that comes after it
    r = wb("import", jsonl(tmp_path, *lines), cwd=workspace)
    assert r.exit_code == 0, r.output
    assert commit_count(workspace) == 2
    assert len(json.loads(wb("list", "--json", cwd=workspace).stdout)) == count
