"""Files and paths: what `-o FILE` may replace, the modes of the files `wb` writes, and a broken workbench.toml."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import threading
from pathlib import Path

import pytest

from _ws_fixtures import WB, one_line_error, snapshot

# ----- -o FILE never replaces what is not a regular file -------------------------------------


def graph_json_to(wb, ws: Path, target: Path | str):
    return wb("graph", "--format", "json", "-o", str(target), cwd=ws)


def test_output_to_dev_null_leaves_the_device(wb, seeded):
    before = os.stat("/dev/null")
    r = graph_json_to(wb, seeded, "/dev/null")
    assert r.exit_code == 0, r.output
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev and after.st_ino == before.st_ino
    assert stat.S_IMODE(after.st_mode) == stat.S_IMODE(before.st_mode)


def test_output_to_a_full_device_is_one_line(wb, seeded):
    if not os.path.exists("/dev/full"):
        pytest.skip("this system has no /dev/full")
    line = one_line_error(graph_json_to(wb, seeded, "/dev/full"))
    assert "/dev/full" in line and "No space left on device" in line
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_output_to_a_fifo_is_written_through(wb, seeded, tmp_path):
    fifo = tmp_path / "graph.pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as fh:
            received.append(fh.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    r = graph_json_to(wb, seeded, fifo)
    reader.join(timeout=30)
    assert r.exit_code == 0, r.output
    assert not reader.is_alive(), "the reader never saw the end of the data"
    assert {n["id"] for n in json.loads(received[0])["nodes"]} >= {"minimax", "sgd-margin"}
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_output_through_a_symlink_writes_its_target(wb, seeded, tmp_path):
    (tmp_path / "site").mkdir()
    target = tmp_path / "site" / "graph.json"
    target.write_text("old\n")
    os.chmod(target, 0o640)
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    r = graph_json_to(wb, seeded, link)
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert json.loads(target.read_text())["workspace"] == "ws"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in target.parent.iterdir()) == ["graph.json"]  # no temporary file left behind


def test_output_through_a_dangling_symlink_creates_its_target(wb, seeded, tmp_path):
    target = tmp_path / "page.html"
    link = tmp_path / "link.html"
    link.symlink_to(target.name)
    r = wb("graph", "--format", "html", "-o", str(link), cwd=seeded)
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_output_into_a_missing_folder_is_refused(wb, seeded, tmp_path):
    target = tmp_path / "no-such-folder" / "graph.html"
    line = one_line_error(wb("graph", "--format", "html", "-o", str(target), cwd=seeded))
    assert str(tmp_path / "no-such-folder") in line and "does not exist" in line
    assert not target.parent.exists()


def test_output_onto_a_directory_is_refused(wb, seeded, tmp_path):
    before = snapshot(seeded)
    line = one_line_error(graph_json_to(wb, seeded, tmp_path))
    assert str(tmp_path) in line and "directory" in line
    assert snapshot(seeded) == before


def test_output_replaces_a_regular_file_keeping_its_mode(wb, seeded, tmp_path):
    target = tmp_path / "graph.dot"
    target.write_text("old\n")
    os.chmod(target, 0o604)
    r = wb("graph", "--format", "dot", "-o", str(target), cwd=seeded)
    assert r.exit_code == 0, r.output
    assert target.read_text().startswith("digraph") and stat.S_IMODE(target.stat().st_mode) == 0o604


def test_agent_setup_writes_through_a_symlinked_agents_md(wb, workspace):
    (workspace / "CLAUDE.md").write_text("# Notes for agents\n")
    (workspace / "AGENTS.md").symlink_to("CLAUDE.md")
    r = wb("agent-setup", "--codex", cwd=workspace)
    assert r.exit_code == 0, r.output
    assert (workspace / "AGENTS.md").is_symlink()
    text = (workspace / "CLAUDE.md").read_text()
    assert text.startswith("# Notes for agents\n") and "wb agent-setup: begin" in text


# ----- files honour the umask ------------------------------------------------------------------


def wb_with_umask(mask: int, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([WB, *args], cwd=cwd, umask=mask, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


STATEMENT = "theorem foo_holds : True := sorry\n"


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_new_files_get_0666_less_the_umask(git_home, tmp_path, mask, expected):
    def run(*args: str):
        p = wb_with_umask(mask, *args, cwd=ws if ws.exists() else tmp_path)
        assert p.returncode == 0, p.stdout + p.stderr
        assert "Traceback" not in p.stderr

    ws = tmp_path / "ws"
    run("init", str(ws), "--no-mathlib")
    run("add", "foo", "--title", "Foo", "--informal", "x")
    (tmp_path / "Foo.lean").write_text(STATEMENT)
    run("formalize", "foo", "--lean", str(tmp_path / "Foo.lean"), "--decl", "foo_holds")
    run("graph", "--format", "html", "-o", str(tmp_path / "page.html"))
    run("agent-setup")
    written = [
        ws / "workbench.toml", ws / ".gitignore", ws / "lean" / "lakefile.toml", ws / "lean" / "Conjectures.lean",
        ws / "conjectures" / "foo.toml", ws / "lean" / "Conjectures" / "Foo.lean", tmp_path / "page.html",
        ws / "AGENTS.md", ws / ".claude" / "skills" / "conjecture-workbench" / "SKILL.md",
    ]
    assert {str(p.relative_to(tmp_path)): oct(mode(p)) for p in written} == {str(p.relative_to(tmp_path)): oct(expected) for p in written}


def test_a_rewritten_file_keeps_its_mode(seeded):
    node = seeded / "conjectures" / "sgd-margin.toml"
    os.chmod(node, 0o640)
    p = wb_with_umask(0o022, "link", "sgd-margin", "uses", "minimax", cwd=seeded)
    assert p.returncode == 0, p.stderr
    assert "minimax" in node.read_text() and mode(node) == 0o640


# ----- workbench.toml: a broken file is reported, never ignored or a traceback -----------------


def set_lean_value(ws: Path, key: str, value: str) -> int:
    """Replace `key = …` in the [lean] table of workbench.toml; returns its line number."""
    path = ws / "workbench.toml"
    lines = path.read_text().splitlines()
    n = next(i for i, ln in enumerate(lines) if ln.startswith(f"{key} ="))
    lines[n] = f"{key} = {value}"
    path.write_text("\n".join(lines) + "\n")
    return n + 1


@pytest.mark.parametrize(
    ("key", "value", "fix"),
    [("timeout_s", '"five minutes"', "timeout_s = 300"), ("timeout_s", "-1", "timeout_s = 300"), ("memory_mb", '"8G"', "memory_mb = 8192")],
)
@pytest.mark.parametrize("command", [["list"], ["show", "minimax"], ["check", "minimax"], ["prove", "minimax"]])
def test_a_bad_lean_value_names_file_line_key_and_fix(wb, seeded, key, value, fix, command):
    line_no = set_lean_value(seeded, key, value)
    line = one_line_error(wb(*command, cwd=seeded))
    assert f"workbench.toml:{line_no}:" in line and f"lean.{key}" in line and fix in line


def test_a_table_that_is_not_a_table(wb, seeded):
    path = seeded / "workbench.toml"
    path.write_text('batch = "portfolio"\n' + path.read_text())
    line = one_line_error(wb("next", cwd=seeded))
    assert "workbench.toml:1:" in line and "'batch'" in line and "[batch]" in line


@pytest.mark.parametrize(
    "command",
    [["list"], ["show", "minimax"], ["next"], ["graph"], ["log"], ["add", "x", "--title", "X", "--informal", "x"], ["attempts", "minimax"]],
)
def test_malformed_workbench_toml_is_reported_with_its_line(wb, seeded, command):
    path = seeded / "workbench.toml"
    path.write_text(path.read_text().replace("[lean]", "[lean"))
    line = one_line_error(wb(*command, cwd=seeded))
    assert "workbench.toml:5:" in line and "malformed TOML" in line


def test_doctor_lists_a_malformed_workbench_toml(wb, seeded):
    path = seeded / "workbench.toml"
    path.write_text(path.read_text().replace("[lean]", "[lean"))
    r = wb("doctor", cwd=seeded)
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "workbench.toml:5: malformed TOML" in r.stdout
    r = wb("doctor", "--json", cwd=seeded)
    data = json.loads(r.stdout)
    assert data["ok"] is False and "workbench.toml:5" in data["problems"][0]["what"]
