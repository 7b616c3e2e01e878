"""All or nothing survives a kill: a change SIGKILLed half-way is rolled back (or, when every file was written,
completed) by the next command, under the workspace lock, which says so in one line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from _ws_fixtures import WB, commit_count, git, head


def _jsonl(path: Path, n: int, prefix: str = "node") -> Path:
    lines = [json.dumps({"id": f"{prefix}-{i}", "title": f"Node {i}", "informal": "x " * 200}) for i in range(n)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _node_files(ws: Path) -> list[Path]:
    return sorted((ws / "conjectures").glob("*.toml"))


def test_a_killed_import_is_rolled_back_by_the_next_command_and_the_retry_works(wb, workspace, tmp_path):
    data = _jsonl(tmp_path / "many.jsonl", 3000)
    before = head(workspace)
    proc = subprocess.Popen([WB, "import", str(data)], cwd=workspace, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while len(_node_files(workspace)) < 100:
        assert proc.poll() is None, "the import ended before the kill: " + proc.stderr.read().decode()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    written = len(_node_files(workspace))
    assert 100 <= written < 3000 and head(workspace) == before  # the kill left partial, uncommitted state

    r = wb("list", "--json", cwd=workspace)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == []  # nothing of the killed import is counted
    notes = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(notes) == 1 and f"was killed before it finished; rolled back ({written} files put back as they were)" in notes[0], r.stderr
    assert "a `wb import many.jsonl: 3000 conjectures (node-0," in notes[0]
    assert _node_files(workspace) == [] and head(workspace) == before
    assert git(workspace, "status", "--porcelain", "--untracked-files=all") == ""
    assert not (workspace / ".workbench" / "journal.json").exists()

    r = wb("list", cwd=workspace)  # said once: the next command has nothing to recover
    assert r.stderr == ""

    r = wb("import", str(data), cwd=workspace)
    assert r.exit_code == 0, r.output
    assert len(_node_files(workspace)) == 3000 and commit_count(workspace) == 2


_KILLER = textwrap.dedent("""
    import os, signal, sys
    import workbench.storage as storage
    import workbench.gitrepo as gitrepo
    from workbench.model import Conjecture
    from workbench.workspace import Workspace

    where, after = sys.argv[1], int(sys.argv[2])
    real_write, writes = storage.atomic_write, [0]

    def write(path, data):
        real_write(path, data)
        if str(path).endswith(".toml") and "conjectures" in str(path):
            writes[0] += 1
            if where == "write" and writes[0] == after:
                os.kill(os.getpid(), signal.SIGKILL)

    def commit(self, paths, message):
        os.kill(os.getpid(), signal.SIGKILL)

    import workbench.workspace as wsmod
    wsmod.atomic_write = write
    if where == "commit":
        gitrepo.GitRepo.commit = commit
    ws = Workspace.open(".")
    a = ws.get("alpha")
    a.title = "Alpha, renamed"
    b = ws.get("beta")
    b.title = "Beta, renamed"
    ws.save_many([a, b], "wb test: rename alpha and beta")
""")


def _killed_change(trio: Path, where: str, after: int = 0) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    p = subprocess.run([sys.executable, "-c", _KILLER, where, str(after)], cwd=trio, env=env, capture_output=True, text=True)
    assert p.returncode == -signal.SIGKILL, p.stderr


def test_a_change_killed_between_two_files_is_rolled_back(wb, trio):
    before = head(trio)
    old = (trio / "conjectures" / "alpha.toml").read_text()
    _killed_change(trio, "write", after=1)
    assert (trio / "conjectures" / "alpha.toml").read_text() != old  # one of the two files was written

    r = wb("show", "alpha", "--json", cwd=trio)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["title"] == "Alpha"
    assert "`wb test: rename alpha and beta` was killed before it finished; rolled back (1 file put back as it was)" in r.stderr
    assert (trio / "conjectures" / "alpha.toml").read_text() == old and head(trio) == before
    assert git(trio, "status", "--porcelain", "--untracked-files=all") == ""


def test_a_change_killed_before_its_commit_is_completed(wb, trio):
    before = head(trio)
    _killed_change(trio, "commit")
    assert head(trio) == before and git(trio, "status", "--porcelain").strip()

    r = wb("add", "delta", "--title", "Delta", "--informal", "x", cwd=trio)  # a mutation settles it under the lock
    assert r.exit_code == 0, r.output
    assert "wb test: rename alpha and beta` was killed before its commit; completed it (commit " in r.stderr
    log = git(trio, "log", "--format=%s", "-3").splitlines()
    assert log[0].startswith("wb add delta")
    assert log[1] == "wb test: rename alpha and beta (completed after the command was killed)"
    assert git(trio, "status", "--porcelain", "--untracked-files=all") == ""
    r = wb("list", "--json", cwd=trio)
    assert {row["title"] for row in json.loads(r.stdout)} >= {"Alpha, renamed", "Beta, renamed"}


def test_a_read_only_workspace_with_a_journal_is_read_as_it_is(wb, trio, monkeypatch):
    """Nothing can be put back where nothing can be written: reading still works (see test_readonly for mounts)."""
    from workbench.workspace import Workspace

    _killed_change(trio, "write", after=1)
    monkeypatch.setattr(Workspace, "require_writable", lambda self: (_ for _ in ()).throw(
        __import__("workbench.errors", fromlist=["ReadOnlyWorkspaceError"]).ReadOnlyWorkspaceError(self.root, "test")))
    ws = Workspace.open(trio)
    assert ws.recoveries == [] and ws.journal.pending()
    assert {r["id"] for r in ws.list()} == {"alpha", "beta", "gamma"}
