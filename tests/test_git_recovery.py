"""Recovering from a kill in the middle of git: a stale index.lock, and a settlement written but not committed."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest

from _ws_fixtures import git, head

from workbench.errors import GitError
from workbench.gitrepo import GitRepo


def _old_lock(ws):
    lock = ws / ".git" / "index.lock"
    lock.write_text("")
    past = time.time() - 30
    os.utime(lock, (past, past))
    return lock


def test_a_stale_index_lock_from_a_killed_git_is_cleared(wb, workspace):
    lock = _old_lock(workspace)
    r = wb("add", "after-kill", "--title", "t", "--informal", "i", cwd=workspace)
    assert r.exit_code == 0, r.output
    assert not lock.exists()
    assert git(workspace, "log", "-1", "--format=%s").startswith("wb add after-kill")


def test_a_lock_held_by_a_running_git_is_waited_for_not_broken(workspace, tmp_path):
    fake_git = tmp_path / "git"
    fake_git.symlink_to(shutil.which("sleep"))
    busy = subprocess.Popen([str(fake_git), "30"], cwd=workspace)
    try:
        lock = _old_lock(workspace)
        time.sleep(0.2)
        with pytest.raises(GitError, match="git is still working"):
            GitRepo(workspace).clear_stale_index_lock(wait_s=0.5)
        assert lock.exists()
    finally:
        busy.kill()
        busy.wait()


def test_resume_commits_a_settlement_that_was_written_but_not_committed(wb, workspace, lean_bin, monkeypatch):
    from pathlib import Path

    from workbench.settle import LeanOptions, commit_interrupted_settlements, settle
    from workbench.workspace import Workspace

    fixtures = Path(__file__).parent / "lean"
    monkeypatch.setenv("WORKBENCH_LEAN", str(lean_bin))
    wb("add", "add-zero", "--title", "n + 0 = n", "--informal", "x", cwd=workspace)
    wb("formalize", "add-zero", "--lean", str(fixtures / "Arith.lean"), "--decl", "Arith.add_zero", cwd=workspace)
    ws = Workspace.open(workspace)
    before = head(workspace)
    result = settle(ws, "add-zero", (fixtures / "cand" / "honest.lean").read_text(), LeanOptions(), commit=False)
    assert result.status == "proved" and head(workspace) == before
    assert git(workspace, "status", "--porcelain").strip()
    assert commit_interrupted_settlements(ws, " [test]") == ["add-zero"]
    assert not git(workspace, "status", "--porcelain").strip()
    assert "interrupted by a kill" in git(workspace, "log", "-1", "--format=%s")
    assert commit_interrupted_settlements(ws, " [test]") == []
