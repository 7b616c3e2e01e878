"""Batch durability: SIGKILL in the middle then resume, Ctrl-C, limits (attempts, budget, deadline), and two
runs at once on one workspace — always with the real offline Lean and a scripted local model server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from _batch_fixtures import (  # noqa: F401 - fixtures
    PROVABLE, UNPROVABLE, _batch_template, batch_server, batch_ws,
)
from _prove_fixtures import lean_bin  # noqa: F401
from _ws_fixtures import WB, git, on_a_terminal, read_node

pytestmark = pytest.mark.lean


def db(root):
    import sqlite3

    con = sqlite3.connect(root / ".workbench" / "workbench.db", timeout=30)
    con.row_factory = sqlite3.Row
    return con


def rows(root, run_id=None):
    con = db(root)
    try:
        if run_id is None:
            return [dict(r) for r in con.execute("SELECT * FROM attempts ORDER BY id")]
        return [dict(r) for r in con.execute("SELECT * FROM attempts WHERE run_id=? ORDER BY id", (run_id,))]
    except Exception:  # noqa: BLE001 - the table may not exist yet
        return []
    finally:
        con.close()


def units(root, run_id):
    con = db(root)
    try:
        return {r["unit"]: dict(r) for r in con.execute("SELECT * FROM batch_units WHERE run_id=?", (run_id,))}
    finally:
        con.close()


def settle_commits(root):
    log = git(root, "log", "--format=%s")
    return Counter(line.split()[2] for line in log.splitlines() if line.startswith("wb check ") and "--proof" in line)


def start_batch(root, *args):
    return subprocess.Popen([WB, "batch", "run", *args], cwd=root, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def first_line(proc) -> str:
    line = proc.stdout.readline()
    assert line.startswith("run r-"), line + proc.stderr.read()
    return line.split()[1]


def wait_for(cond, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def assert_workspace_sound(root):
    git(root, "fsck", "--strict")
    assert git(root, "status", "--porcelain", "--untracked-files=no") == ""
    from workbench.workspace import Workspace

    Workspace.open(root).all()  # every file parses and validates


def test_sigkill_then_resume_loses_and_repeats_nothing(batch_ws, batch_server, wb):
    root = batch_ws.root
    batch_server.delay_s = 0.25  # keep attempts in flight when the kill lands
    proc = start_batch(root, "--prover", "mock", "--workers", "3", "--rounds", "2")
    run_id = first_line(proc)
    wait_for(lambda: len(rows(root, run_id)) >= 5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    before = rows(root, run_id)
    done_before = {k for k, u in units(root, run_id).items() if u["state"] == "done"}
    assert before and len(done_before) < len(PROVABLE + UNPROVABLE)

    status = json.loads(wb("batch", "status", run_id, "--json", cwd=root).stdout)
    assert status["status"] == "interrupted" and status["alive"] is False

    batch_server.delay_s = 0.0
    r = wb("batch", "resume", run_id, "--json", cwd=root)
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert list(summary)[0] == "id" and summary["id"] == run_id and summary["status"] == "finished"

    after = rows(root, run_id)
    # nothing lost: every row recorded before the kill is still there, unchanged
    by_id = {a["id"]: a for a in after}
    assert all(by_id[a["id"]] == a for a in before)
    # nothing repeated: each slot once, and no unit finished before the kill got a new row
    slots = [a["slot"] for a in after]
    assert len(slots) == len(set(slots))
    last_before = max(a["id"] for a in before)
    for a in after:
        if a["id"] > last_before:
            unit = a["slot"][len(run_id) + 1:].rsplit("/", 1)[0].split("~")[0]
            assert unit not in done_before, a["slot"]
    # no gaps: every unit done, every conjecture attempted, each settled exactly once (files and commits)
    us = units(root, run_id)
    assert all(u["state"] == "done" for u in us.values())
    assert {a["conjecture"] for a in after} == set(PROVABLE + UNPROVABLE)
    assert {c for c in PROVABLE + UNPROVABLE if read_node(root, c)["status"] == "proved"} == set(PROVABLE)
    assert settle_commits(root) == Counter({c: 1 for c in PROVABLE})
    assert sum(a["settled"] for a in after) == len(PROVABLE)
    assert_workspace_sound(root)
    # the report adds up over both sessions
    rep = json.loads(wb("batch", "report", run_id, "--format", "json", cwd=root).stdout)
    assert rep["totals"]["attempts"] == len(after)
    assert rep["totals"]["cost_usd"] == pytest.approx(sum(a["cost_usd"] for a in after))


def test_first_sigint_stops_scheduling_and_in_flight_finish(batch_ws, batch_server, wb):
    root = batch_ws.root
    batch_server.delay_s = 0.6
    batch_server.rate_every = 0
    proc = start_batch(root, "--prover", "mock", "--workers", "2", "--rounds", "2")
    run_id = first_line(proc)
    wait_for(lambda: len(batch_server.seen) >= 3)  # some finished, two in flight
    os.kill(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, out + err
    assert "stopping: in-flight attempts finish" in out and "stopping: stopping" not in out
    recorded = rows(root, run_id)
    # every request the server answered became a recorded attempt (in-flight ones finished), and no more
    time.sleep(0.2)
    assert len(recorded) == len(batch_server.seen)
    assert len(recorded) < len(PROVABLE + UNPROVABLE)
    info = json.loads(wb("batch", "status", run_id, "--json", cwd=root).stdout)
    assert info["status"] == "stopped" and info["stop_reason"] == "interrupted"
    assert_workspace_sound(root)
    # and resume finishes the job
    batch_server.delay_s = 0.0
    r = wb("batch", "resume", run_id, cwd=root)
    assert r.exit_code == 0, r.output
    assert {c for c in PROVABLE + UNPROVABLE if read_node(root, c)["status"] == "proved"} == set(PROVABLE)


def test_second_sigint_aborts(batch_ws, batch_server, wb):
    root = batch_ws.root
    batch_server.delay_s = 5.0
    batch_server.rate_every = 0
    proc = start_batch(root, "--prover", "mock", "--workers", "2", "--rounds", "1")
    run_id = first_line(proc)
    wait_for(lambda: len(batch_server.server.requests) >= 2)
    os.kill(proc.pid, signal.SIGINT)
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGINT)
    t0 = time.monotonic()
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 130 and time.monotonic() - t0 < 4, out + err
    assert "resume" in err
    info = json.loads(wb("batch", "status", run_id, "--json", cwd=root).stdout)
    assert info["status"] == "interrupted"


def test_max_attempts(batch_ws, batch_server, wb):
    root = batch_ws.root
    r = wb("batch", "run", "--prover", "mock", "--workers", "4", "--rounds", "2", "--max-attempts", "5", "--json", cwd=root)
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert s["status"] == "stopped" and s["stop_reason"] == "max-attempts"
    assert s["attempts"] == 5 == len(rows(root, s["id"]))
    # resuming with a higher limit continues the same run
    r = wb("batch", "resume", s["id"], "--max-attempts", "8", "--json", cwd=root)
    s2 = json.loads(r.stdout)
    assert s2["attempts"] == 8 == len(rows(root, s["id"]))
    slots = [a["slot"] for a in rows(root, s["id"])]
    assert len(slots) == len(set(slots))


def test_budget_stops_scheduling(batch_ws, batch_server, wb):
    root = batch_ws.root
    per = (1000 * 3 + 100 * 15) / 1e6  # $0.0045 per reply at the mock's prices
    r = wb("batch", "run", "--prover", "mock", "--workers", "1", "--rounds", "1", "--budget-usd", str(per * 3.5),
           "--json", cwd=root)
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert s["stop_reason"] == "budget" and s["attempts"] == 4  # the 4th crossed the budget; then nothing new
    assert s["cost_usd"] == pytest.approx(4 * per)
    rep = json.loads(wb("batch", "report", s["id"], "--format", "json", cwd=root).stdout)
    assert rep["totals"]["cost_usd"] == pytest.approx(s["cost_usd"])


def test_deadline_stops_scheduling(batch_ws, batch_server, wb):
    root = batch_ws.root
    batch_server.delay_s = 0.5
    batch_server.rate_every = 0
    t0 = time.monotonic()
    r = wb("batch", "run", "--prover", "mock", "--workers", "2", "--rounds", "1", "--deadline", "1s", "--json", cwd=root)
    took = time.monotonic() - t0
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert s["stop_reason"] == "deadline" and 1 <= s["attempts"] < len(PROVABLE + UNPROVABLE)
    assert took < 5
    assert len(rows(root, s["id"])) == s["attempts"] == len(batch_server.seen)


def test_two_runs_at_once(batch_ws, batch_server, wb):
    root = batch_ws.root
    batch_server.delay_s = 0.1
    a = start_batch(root, "--prover", "mock", "--workers", "3", "--rounds", "2")
    b = start_batch(root, "--prover", "mock", "--workers", "3", "--rounds", "2")
    ra, rb = first_line(a), first_line(b)
    outa, erra = a.communicate(timeout=120)
    outb, errb = b.communicate(timeout=120)
    assert a.returncode == 0 and b.returncode == 0, erra + errb
    assert ra != rb
    assert {c for c in PROVABLE + UNPROVABLE if read_node(root, c)["status"] == "proved"} == set(PROVABLE)
    assert settle_commits(root) == Counter({c: 1 for c in PROVABLE})  # no conjecture settled twice
    every = rows(root)
    assert sum(x["settled"] for x in every) == len(PROVABLE)
    slots = [x["slot"] for x in every]
    assert len(slots) == len(set(slots))
    assert_workspace_sound(root)
    listed = json.loads(wb("batch", "list", "--json", cwd=root).stdout)
    assert sorted(x["id"] for x in listed) == sorted([ra, rb])
    assert all(x["status"] == "finished" for x in listed)


def test_select_query_and_ids(batch_ws, batch_server, wb):
    from workbench.batch import Selection, parse_query, select
    from workbench.errors import UsageError
    from workbench.workspace import Workspace

    ws = Workspace.open(batch_ws.root)
    assert parse_query("status=formalized tag=x id=a,b q=foo bar") == {
        "status": "formalized", "tag": "x", "ids": ["a", "b"], "query": "foo bar"}
    with pytest.raises(UsageError):
        parse_query("colour=blue")
    assert select(ws, Selection(query="id=f-1,p-1")) == ["p-1", "f-1"]  # p-1 unblocks q-1
    assert select(ws, Selection(ids=["q-1", "f-2"])) == ["f-2", "q-1"]  # f-2 has the higher priority
    assert select(ws, Selection())[0] == "p-1" and select(ws, Selection())[-1] == "q-1"
    r = wb("batch", "run", "f-1", "p-3", "--prover", "mock", "--json", cwd=batch_ws.root)
    s = json.loads(r.stdout)
    assert s["settled"] == ["p-3"] and s["open"] == ["f-1"]


def test_ray_executor(batch_ws, batch_server, wb):
    try:
        import ray  # noqa: F401
    except ImportError:
        print("skipping: ray is not installed (pip install 'conjecture-workbench[ray]')")
        pytest.skip("ray is not installed")
    root = batch_ws.root
    env = dict(os.environ)
    env.pop("RAY_ADDRESS", None)
    p = subprocess.run([WB, "batch", "run", "--prover", "mock", "--executor", "ray", "--lean-jobs", "2",
                        "--memory-mb", "512", "--rounds", "2", "--json"], cwd=root, env=env, capture_output=True,
                       text=True, timeout=180, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stdout + p.stderr
    s = json.loads(p.stdout)
    assert s["executor"] == "ray" and s["status"] == "finished"
    assert set(s["settled"]) == set(PROVABLE)
    assert settle_commits(root) == Counter({c: 1 for c in PROVABLE})


def test_ray_missing_is_one_line(batch_ws, wb, tmp_path):
    """Without ray importable, `--executor ray` says how to install it (exit 2)."""
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "ray.py").write_text("raise ImportError('no ray here')\n")
    env = dict(os.environ, PYTHONPATH=str(shadow))
    p = subprocess.run([WB, "batch", "run", "--prover", "mock", "--executor", "ray"], cwd=batch_ws.root, env=env,
                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert p.returncode == 2
    assert "install the ray extra: pip install 'conjecture-workbench[ray]'" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_a_terminal_gets_the_run_id_then_a_live_progress_bar(batch_ws, batch_server):
    code, screen = on_a_terminal(["batch", "run", "--prover", "mock", "--workers", "3", "--rounds", "2"], batch_ws.root)
    assert code == 0
    assert screen.lstrip().startswith("run r-"), screen[:200]
    for word in ("settled", "failed", "in flight", "spent", "ETA"):
        assert word in screen, word
    assert screen.count("\r") + screen.count("\x1b[") > 3, "the bar is redrawn in place"
