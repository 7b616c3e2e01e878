"""Two `wb` processes changing one workspace at once must not corrupt it (lock around mutations)."""

from __future__ import annotations

import json
import os
import subprocess
import tomllib

from _ws_fixtures import WB, commit_count, git


def _spawn(args, cwd):
    return subprocess.Popen([WB, *args], cwd=cwd, env=dict(os.environ), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_twenty_concurrent_adds(workspace):
    """Two researchers each fire off ten `wb add`s at the same moment: 20 processes at once."""
    procs = [
        _spawn(["add", f"{who}-{i}", "--title", f"{who} {i}", "--informal", f"Statement {i} by {who}.",
                "--area", who, "--tag", "batch"], workspace)
        for i in range(10)
        for who in ("alice", "bob")
    ]
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert [code for code, _, _ in results] == [0] * 20, [err for _, _, err in results if err]

    files = sorted((workspace / "conjectures").glob("*.toml"))
    assert len(files) == 20
    for f in files:
        data = tomllib.loads(f.read_text())
        assert data["title"] and data["informal"].startswith("Statement")
    assert commit_count(workspace) == 21  # wb init + one per add
    messages = git(workspace, "log", "--format=%s").splitlines()
    assert sum(m.startswith("wb add ") for m in messages) == 20
    assert git(workspace, "status", "--porcelain") == ""
    fsck = subprocess.run(["git", "fsck", "--full", "--strict"], cwd=workspace, capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    listed = subprocess.run([WB, "list", "--json", "--tag", "batch"], cwd=workspace, capture_output=True, text=True)
    assert len(json.loads(listed.stdout)) == 20
    assert not list((workspace / "conjectures").glob(".*.tmp"))


def test_concurrent_links_to_one_node_all_land(seeded):
    """Ten processes add edges from ten different nodes to the same target; no edge is lost."""
    import tomli_w

    for i in range(10):
        (seeded / "conjectures" / f"user-{i}.toml").write_text(tomli_w.dumps({"title": f"U{i}", "informal": "x"}))
    git(seeded, "add", "conjectures")
    git(seeded, "commit", "-q", "-m", "users")
    procs = [_spawn(["link", f"user-{i}", "uses", "minimax"], seeded) for i in range(10)]
    codes = [p.wait(timeout=120) for p in procs]
    errors = [p.stderr.read() for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert codes == [0] * 10, errors
    shown = json.loads(subprocess.run([WB, "show", "minimax", "--json"], cwd=seeded, capture_output=True, text=True).stdout)
    assert {e["source"] for e in shown["edges_in"]} >= {f"user-{i}" for i in range(10)}
    assert git(seeded, "status", "--porcelain") == ""
    assert subprocess.run(["git", "fsck", "--strict"], cwd=seeded, capture_output=True).returncode == 0
