"""One malformed conjecture file does not block every read: list, next and graph show the rest with a warning
naming the file and exit 1; show of that node reports its error; `wb doctor` lists every problem; `wb edit`
opens a malformed file so it can be fixed, and reopens the text of a refused edit."""

from __future__ import annotations

import json
import shlex
import sys
import textwrap

import pytest

from _ws_fixtures import commit_count, git, one_line_error, read_node, write_node

BROKEN = 'title = "Half a thought\ninformal = "x"\n'


def editor(tmp_path, name: str, body: str) -> str:
    script = tmp_path / f"{name}.py"
    script.write_text("import sys, pathlib\npath = pathlib.Path(sys.argv[1])\ntext = path.read_text()\n" + textwrap.dedent(body))
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"


def warnings(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.strip()]


@pytest.fixture
def broken(seeded):
    write_node(seeded, "torn", BROKEN)
    return seeded


@pytest.mark.parametrize("args", [["list"], ["list", "--json"], ["next"], ["next", "--json"], ["graph"], ["graph", "--format", "json"]])
def test_reads_show_the_rest_warn_once_naming_the_file_and_exit_1(wb_proc, broken, args):
    r = wb_proc(*args, cwd=broken)
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output
    lines = warnings(r.stderr)
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("warning: conjectures/torn.toml:1: malformed TOML") and "wb edit torn" in lines[0]
    assert "minimax" in r.stdout and "torn" not in r.stdout
    if "--json" in args or "json" in args:
        json.loads(r.stdout)


def test_show_of_the_malformed_node_reports_its_error_and_others_show(wb, broken):
    line = one_line_error(wb("show", "torn", cwd=broken))
    assert "conjectures/torn.toml:1: malformed TOML" in line and "wb edit torn" in line
    r = wb("show", "minimax", cwd=broken)
    assert r.exit_code == 0 and "Minimax theorem" in r.stdout


def test_edges_to_nothing_and_cycles_leave_out_only_the_files_at_fault(wb, seeded):
    text = (seeded / "conjectures" / "sgd-margin.toml").read_text()
    write_node(seeded, "sgd-margin", text + '\n[[edges]]\nkind = "uses"\ntarget = "ghost"\n')
    text = (seeded / "conjectures" / "minimax.toml").read_text()
    write_node(seeded, "minimax", text + '\n[[edges]]\nkind = "uses"\ntarget = "debate-pspace"\n')
    r = wb("list", "--json", cwd=seeded)
    assert r.exit_code == 1
    ids = {row["id"] for row in json.loads(r.stdout)}
    assert len(ids) == 2 and "sgd-margin" not in ids  # one node of each cycle is left out, and the one pointing at nothing
    assert "sgd-margin.toml" in r.stderr and "'ghost'" in r.stderr and "cycle" in r.stderr


def test_doctor_lists_every_malformed_file_and_the_config(wb, broken):
    write_node(broken, "bad-field", 'title = "t"\ninformal = "i"\npriority = "high"\n')
    r = wb("doctor", "--json", cwd=broken)
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    assert data["conjecture_files"] == 6 and data["ok"] is False
    whats = [p["what"] for p in data["file_problems"]]
    assert any(w.startswith("conjectures/bad-field.toml: field 'priority'") for w in whats)
    assert any(w.startswith("conjectures/torn.toml:1: malformed TOML") for w in whats)
    r = wb("doctor", cwd=broken)
    assert "conjectures 6 files, 2 with problems" in r.stdout and "wb edit bad-field" in r.stdout

    (broken / "workbench.toml").write_text("[lean\n")  # config and files, both reported
    data = json.loads(wb("doctor", "--json", cwd=broken).stdout)
    assert any("workbench.toml:1" in p["what"] for p in data["problems"]) and len(data["file_problems"]) == 2


def test_edit_opens_a_malformed_file_so_it_can_be_fixed(wb, broken, tmp_path, monkeypatch):
    seen = tmp_path / "seen.toml"
    monkeypatch.setenv("EDITOR", editor(tmp_path, "fix", f"""
        pathlib.Path({str(seen)!r}).write_text(text)
        path.write_text('title = "Half a thought"\\ninformal = "x"\\n')
    """))
    before = commit_count(broken)
    r = wb("edit", "torn", cwd=broken)
    assert r.exit_code == 0, r.output
    assert seen.read_text() == BROKEN  # the editor was given the file as it is
    assert read_node(broken, "torn")["title"] == "Half a thought"
    assert commit_count(broken) == before + 1
    r = wb("list", cwd=broken)
    assert r.exit_code == 0 and r.stderr == ""


def test_a_refused_edit_is_offered_again_not_the_old_file(wb, seeded, tmp_path, monkeypatch):
    monkeypatch.setenv("EDITOR", editor(tmp_path, "bad", """
        path.write_text(text.replace('priority = 2', 'priority = "high"').replace('SGD finds max margin', 'SGD, retitled with care'))
    """))
    line = one_line_error(wb("edit", "sgd-margin", cwd=seeded))
    assert "refused" in line and "`wb edit sgd-margin` reopens it" in line

    seen = tmp_path / "seen.toml"
    monkeypatch.setenv("EDITOR", editor(tmp_path, "fix", f"""
        pathlib.Path({str(seen)!r}).write_text(text)
        path.write_text(text.replace('priority = "high"', 'priority = 5'))
    """))
    r = wb("edit", "sgd-margin", cwd=seeded)
    assert r.exit_code == 0, r.output
    assert "SGD, retitled with care" in seen.read_text()  # your text, not the old file
    assert "opening the edit you made last time, kept in .workbench/edit/sgd-margin.toml" in r.stderr
    node = read_node(seeded, "sgd-margin")
    assert node["title"] == "SGD, retitled with care" and node["priority"] == 5
    assert not (seeded / ".workbench" / "edit" / "sgd-margin.toml").exists()


def test_fixing_a_malformed_file_cannot_smuggle_a_guarded_field(wb, broken, tmp_path, monkeypatch):
    """The guarded fields are compared with the last commit when the file on disk does not parse."""
    text = (broken / "conjectures" / "minimax.toml").read_text()
    write_node(broken, "minimax", text + "oops = \n")
    monkeypatch.setenv("EDITOR", editor(tmp_path, "claim", """
        path.write_text(text.replace('oops = \\n', '') + '\\n[formal]\\nmodule = "X"\\ndecl = "y"\\n')
    """))
    line = one_line_error(wb("edit", "minimax", cwd=broken))
    assert "`formal` cannot be edited by hand" in line
    assert git(broken, "status", "--porcelain", "conjectures/minimax.toml").strip()  # still the user's broken file
