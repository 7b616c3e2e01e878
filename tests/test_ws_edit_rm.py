"""`wb edit` through $EDITOR (valid edits committed, invalid ones refused) and `wb rm` (refused while in use)."""

from __future__ import annotations

import shlex
import sys
import textwrap

import pytest

from _ws_fixtures import commit_count, git, one_line_error, read_node, snapshot


def editor(tmp_path, name: str, body: str) -> str:
    """An $EDITOR command: a small Python script that rewrites the file it is given."""
    script = tmp_path / f"{name}.py"
    script.write_text("import sys, pathlib\npath = pathlib.Path(sys.argv[1])\ntext = path.read_text()\n" + textwrap.dedent(body))
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"


# ----- edit ---------------------------------------------------------------------------------


def test_valid_edit_is_written_and_committed(wb_proc, seeded, tmp_path):
    ed = editor(tmp_path, "retitle", """
        path.write_text(text.replace('title = "SGD finds max margin"', 'title = "Gradient descent finds the max-margin direction"'))
    """)
    before = commit_count(seeded)
    r = wb_proc("edit", "sgd-margin", cwd=seeded, env={"EDITOR": ed})
    assert r.exit_code == 0, r.output
    assert read_node(seeded, "sgd-margin")["title"] == "Gradient descent finds the max-margin direction"
    assert commit_count(seeded) == before + 1
    message = git(seeded, "log", "-1", "--format=%s")
    assert "wb edit" in message and "sgd-margin" in message
    assert git(seeded, "status", "--porcelain") == ""
    assert not list((seeded / "conjectures").glob(".*.tmp"))  # no stray temporary files


def test_edit_that_adds_an_edge_is_checked_and_kept(wb, seeded, tmp_path, monkeypatch):
    monkeypatch.setenv("EDITOR", editor(tmp_path, "add-edge", """
        path.write_text(text + '\\n[[edges]]\\nkind = "uses"\\ntarget = "minimax"\\n')
    """))
    r = wb("edit", "sgd-margin", cwd=seeded)
    assert r.exit_code == 0, r.output
    assert read_node(seeded, "sgd-margin")["edges"] == [{"kind": "uses", "target": "minimax"}]


def test_edit_no_commit(wb, seeded, tmp_path, monkeypatch):
    monkeypatch.setenv("EDITOR", editor(tmp_path, "prio", "path.write_text(text.replace('priority = 2', 'priority = 9'))\n"))
    before = commit_count(seeded)
    assert wb("edit", "sgd-margin", "--no-commit", cwd=seeded).exit_code == 0
    assert read_node(seeded, "sgd-margin")["priority"] == 9
    assert commit_count(seeded) == before
    assert " M conjectures/sgd-margin.toml" in git(seeded, "status", "--porcelain")


def test_edit_without_changes_makes_no_commit(wb, seeded, monkeypatch):
    monkeypatch.setenv("EDITOR", "true")
    before = snapshot(seeded)
    r = wb("edit", "minimax", cwd=seeded)
    assert r.exit_code == 0, r.output
    assert snapshot(seeded) == before


@pytest.mark.parametrize(
    "body,words",
    [
        ("path.write_text(text.replace('title = ', 'title = \"unterminated'))\n", ["malformed"]),
        ("path.write_text(text.replace('priority = 2', 'priority = \"high\"'))\n", ["priority"]),
        ("path.write_text(text + 'colour = \"blue\"\\n')\n", ["colour"]),
        ("path.write_text(text.replace('kind = \"lemma\"', 'kind = \"hunch\"'))\n", ["kind"]),
        ("path.write_text(text + '\\n[[edges]]\\nkind = \"uses\"\\ntarget = \"ghost\"\\n')\n", ["ghost"]),
        ("path.write_text(text.replace('status = \"informal\"', 'status = \"proved\"'))\n", ["status", "formal"]),
    ],
    ids=["malformed-toml", "bad-priority", "unknown-field", "unknown-kind", "unknown-target", "proved-without-formal"],
)
def test_invalid_edit_is_refused_and_the_old_file_kept(wb_proc, seeded, tmp_path, body, words):
    ed = editor(tmp_path, "break", body)
    old = (seeded / "conjectures" / "sgd-margin.toml").read_bytes()
    before = snapshot(seeded)
    line = one_line_error(wb_proc("edit", "sgd-margin", cwd=seeded, env={"EDITOR": ed}))
    assert "sgd-margin.toml" in line
    assert "refused" in line
    for word in words:
        assert word in line
    assert (seeded / "conjectures" / "sgd-margin.toml").read_bytes() == old
    assert snapshot(seeded) == before


def test_edit_that_closes_a_uses_cycle_is_refused(wb, seeded, tmp_path, monkeypatch):
    monkeypatch.setenv("EDITOR", editor(tmp_path, "cycle", """
        path.write_text(text + '\\n[[edges]]\\nkind = "uses"\\ntarget = "debate-pspace"\\n')
    """))
    before = snapshot(seeded)
    line = one_line_error(wb("edit", "minimax", cwd=seeded))
    assert "cycle" in line and "minimax" in line and "debate-pspace" in line
    assert snapshot(seeded) == before


def test_editor_that_fails_leaves_the_file(wb, seeded, monkeypatch):
    monkeypatch.setenv("EDITOR", "false")
    before = snapshot(seeded)
    line = one_line_error(wb("edit", "minimax", cwd=seeded))
    assert "editor" in line
    assert snapshot(seeded) == before


def test_missing_editor_is_one_clear_line(wb_proc, seeded):
    before = snapshot(seeded)
    line = one_line_error(wb_proc("edit", "minimax", cwd=seeded, env={"EDITOR": None, "VISUAL": None}))
    assert "EDITOR" in line
    assert snapshot(seeded) == before


def test_editor_that_does_not_exist(wb_proc, seeded):
    before = snapshot(seeded)
    line = one_line_error(wb_proc("edit", "minimax", cwd=seeded, env={"EDITOR": "/no/such/editor-binary"}))
    assert "editor" in line
    assert snapshot(seeded) == before


def test_edit_unknown_id(wb, seeded, monkeypatch):
    monkeypatch.setenv("EDITOR", "true")
    before = snapshot(seeded)
    line = one_line_error(wb("edit", "ghost", cwd=seeded))
    assert "ghost" in line
    assert snapshot(seeded) == before


# ----- rm -----------------------------------------------------------------------------------


def test_rm_removes_the_file_in_one_commit(wb, seeded):
    before = commit_count(seeded)
    r = wb("rm", "sgd-margin", cwd=seeded)
    assert r.exit_code == 0, r.output
    assert not (seeded / "conjectures" / "sgd-margin.toml").exists()
    assert commit_count(seeded) == before + 1
    message = git(seeded, "log", "-1", "--format=%s")
    assert "wb rm" in message and "sgd-margin" in message
    assert git(seeded, "status", "--porcelain") == ""
    assert "sgd-margin" not in wb("list", cwd=seeded).stdout


def test_rm_is_refused_while_pointed_at(wb, seeded):
    before = snapshot(seeded)
    line = one_line_error(wb("rm", "minimax", cwd=seeded))
    assert "minimax" in line
    assert "debate-pspace" in line and "honest-equilibrium" in line  # who points at it
    assert "--force" in line
    assert snapshot(seeded) == before


def test_rm_refused_for_any_edge_kind(wb, seeded):
    wb("link", "minimax", "generalizes", "sgd-margin", cwd=seeded)
    before = snapshot(seeded)
    line = one_line_error(wb("rm", "sgd-margin", cwd=seeded))
    assert "minimax" in line
    assert snapshot(seeded) == before


def test_rm_force_drops_the_edges_of_referrers(wb, seeded):
    wb("link", "sgd-margin", "implies", "minimax", cwd=seeded)
    before = commit_count(seeded)
    r = wb("rm", "minimax", "--force", cwd=seeded)
    assert r.exit_code == 0, r.output
    assert not (seeded / "conjectures" / "minimax.toml").exists()
    assert read_node(seeded, "debate-pspace")["edges"] == [{"kind": "uses", "target": "honest-equilibrium"}]
    assert not read_node(seeded, "honest-equilibrium").get("edges")
    assert not read_node(seeded, "sgd-margin").get("edges")
    assert commit_count(seeded) == before + 1
    changed = set(git(seeded, "show", "--name-only", "--format=", "HEAD").split())
    assert changed == {f"conjectures/{i}.toml" for i in ("minimax", "debate-pspace", "honest-equilibrium", "sgd-margin")}
    assert git(seeded, "status", "--porcelain") == ""
    assert wb("list", "--json", cwd=seeded).exit_code == 0  # graph still consistent


def test_rm_node_that_only_points_outward_is_allowed(wb, seeded):
    assert wb("rm", "debate-pspace", cwd=seeded).exit_code == 0
    assert read_node(seeded, "minimax")  # its targets are untouched


def test_rm_no_commit(wb, seeded):
    before = commit_count(seeded)
    assert wb("rm", "sgd-margin", "--no-commit", cwd=seeded).exit_code == 0
    assert commit_count(seeded) == before
    assert " D conjectures/sgd-margin.toml" in git(seeded, "status", "--porcelain")


def test_rm_of_a_node_never_committed(wb, seeded):
    assert wb("add", "draft", "--title", "Draft", "--informal", "x", "--no-commit", cwd=seeded).exit_code == 0
    before = commit_count(seeded)
    r = wb("rm", "draft", cwd=seeded)
    assert r.exit_code == 0, r.output
    assert not (seeded / "conjectures" / "draft.toml").exists()
    assert commit_count(seeded) == before  # nothing of it was ever committed, so nothing to record
    assert git(seeded, "status", "--porcelain") == ""


def test_rm_unknown_id(wb, seeded):
    before = snapshot(seeded)
    line = one_line_error(wb("rm", "ghost", cwd=seeded))
    assert "ghost" in line
    assert snapshot(seeded) == before
