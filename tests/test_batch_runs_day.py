"""Batch runs as a researcher lives them: set-up failures leave no run, a run stopped by a limit says how to
raise it, the morning report (last Lean error, never attempted, interruptions; drawn on a terminal; the newest
run by default), the run of each attempt, an unreachable model server, and what `wb prove` waits for."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time

import pytest

from _batch_fixtures import (  # noqa: F401 - fixtures
    UNPROVABLE, _batch_template, batch_server, batch_ws,
)
from _prove_fixtures import KEY_ENV, lean_bin  # noqa: F401
from _ws_fixtures import WB, on_a_terminal

pytestmark = pytest.mark.lean


def runs(wb, root) -> list[dict]:
    r = wb("batch", "list", "--json", cwd=root)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the socket is: nothing listens there


def point_at(root, url: str) -> None:
    import re

    toml = root / "workbench.toml"
    toml.write_text(re.sub(r'base_url = "[^"]*"', f'base_url = "{url}"', toml.read_text()))


def test_a_missing_key_leaves_no_run_and_exits_2(batch_ws, wb, monkeypatch):
    monkeypatch.delenv(KEY_ENV)
    r = wb("batch", "run", "--prover", "mock", cwd=batch_ws.root)
    assert r.exit_code == 2, r.output
    assert r.stdout.startswith("run r-")
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and f"no API key: set {KEY_ENV}" in lines[0] and "is not kept: it attempted nothing" in lines[0]
    assert runs(wb, batch_ws.root) == []


def test_an_unreachable_model_server_is_a_set_up_error_at_once(batch_ws, wb):
    root = batch_ws.root
    point_at(root, f"http://127.0.0.1:{closed_port()}/v1")
    t0 = time.monotonic()
    r = wb("batch", "run", "--prover", "mock", cwd=root)
    assert r.exit_code == 2 and time.monotonic() - t0 < 5, r.output
    assert "cannot reach http://127.0.0.1:" in r.stderr and "connection refused" in r.stderr
    assert runs(wb, root) == []

    point_at(root, "http://no-such-host.invalid/v1")
    t0 = time.monotonic()
    r = wb("prove", "p-1", "--prover", "mock", cwd=root)
    assert r.exit_code == 2 and time.monotonic() - t0 < 10, r.output
    assert "does not resolve" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert json.loads(wb("attempts", "p-1", "--json", cwd=root).stdout) == []  # nothing recorded


def test_a_budget_stop_says_how_to_raise_the_budget_and_is_never_called_finished(batch_ws, batch_server, wb):
    root = batch_ws.root
    per = (1000 * 3 + 100 * 15) / 1e6
    r = wb("batch", "run", "--prover", "mock", "--workers", "1", "--rounds", "1", "--budget-usd", str(per * 2.5), cwd=root)
    assert r.exit_code == 0, r.output
    run_id = r.stdout.split()[1]
    assert f"run {run_id} stopped (budget)" in r.stdout
    assert f"raise it to continue: `wb batch resume {run_id} --budget-usd" in r.stdout
    assert "finished" not in r.stdout

    status = wb("batch", "status", cwd=root).stdout
    assert "stopped (budget)" in status and "--budget-usd" in status and "finished" not in status.replace("finished ", "")
    [listed] = runs(wb, root)
    assert listed["status"] == "stopped" and listed["stop_reason"] == "budget"

    r = wb("batch", "resume", run_id, cwd=root)  # the same budget: it would stop at once
    assert r.exit_code == 2
    assert "stopped at a limit that still holds" in r.stderr and f"wb batch resume {run_id} --budget-usd" in r.stderr
    r = wb("batch", "resume", run_id, "--budget-usd", "1", cwd=root)
    assert r.exit_code == 0 and f"run {run_id} finished" in r.stdout, r.output


def test_the_morning_report_tells_what_happened_overnight(batch_ws, batch_server, wb):
    root = batch_ws.root
    batch_server.delay_s = 0.3
    batch_server.rate_every = 0
    proc = subprocess.Popen([WB, "batch", "run", "--prover", "mock", "--workers", "1", "--rounds", "2", "--max-attempts", "12"],
                            cwd=root, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    run_id = proc.stdout.readline().split()[1]
    deadline = time.monotonic() + 60
    while len(batch_server.seen) < 3:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    time.sleep(0.5)
    batch_server.delay_s = 0.0
    r = wb("batch", "resume", run_id, cwd=root)
    assert r.exit_code == 0, r.output

    rep = json.loads(wb("batch", "report", "--format", "json", cwd=root).stdout)  # the newest run by default
    assert rep["id"] == run_id
    [killed] = [i for i in rep["interruptions"] if i["how"] == "killed"]
    assert killed["ended"] and killed["resumed"] and killed["lost_s"] >= 0
    assert rep["run"]["stop_reason"] == "max-attempts"
    never = {n["id"]: n["why"] for n in rep["not_attempted"]}
    assert never and all(why == "not reached: the run stopped first (max-attempts)" for why in never.values())
    opened = {o["id"]: o for o in rep["open"]}
    failed = [o for o in opened.values() if o["id"] in UNPROVABLE]
    assert failed and all(o["last_error"] and o["last_error"].startswith("1:") for o in failed)

    md = wb("batch", "report", cwd=root).stdout  # piped: Markdown, to keep or mail
    assert "## Selected, never attempted" in md and "## Interruptions" in md and "| killed |" in md
    assert "last Lean error" in md

    code, screen = on_a_terminal(["batch", "report"], root, columns=160)  # a terminal: drawn, not raw Markdown
    assert code == 0
    assert f"Batch run {run_id}" in screen and "|---|" not in screen and "## " not in screen

    table = wb("attempts", failed[0]["id"], cwd=root).stdout  # each attempt says which run made it
    assert "run" in table.splitlines()[0] and run_id in table


def test_prove_says_what_it_waits_for_on_a_terminal(batch_ws, batch_server, wb):
    batch_server.delay_s = 1.5
    code, screen = on_a_terminal(["prove", "p-1", "--prover", "mock"], batch_ws.root)
    assert code == 0, screen
    assert "waiting for mock/mock-prover-1 at http://127.0.0.1:" in screen and "first reply" in screen
