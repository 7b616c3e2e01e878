"""`wb lean verify --replay` hands the compiled candidate to an independent checker; tested with a stand-in
`lean4checker` script that checks it was given a real compiled module (no real lean4checker here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from _lean_fixtures import FIXTURES

pytestmark = pytest.mark.lean

WB = str(Path(sys.executable).with_name("wb"))
STAND_IN = """#!/bin/sh
# stand-in for lean4checker: `lean4checker --fresh MODULE` with MODULE.olean on LEAN_PATH
[ "$1" = "--fresh" ] || { echo "expected --fresh" >&2; exit 2; }
IFS=:
for dir in $LEAN_PATH; do
  if [ -f "$dir/$2.olean" ]; then
    echo "$2" >> "{log}"
    exit {status}
  fi
done
echo "no $2.olean on LEAN_PATH" >&2
exit 3
"""


def run(tmp_path: Path, lean_bin, *extra: str, status: int | None = 0, candidate: str = "honest") -> subprocess.CompletedProcess:
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    log = tmp_path / "replayed.log"
    if status is not None:
        script = bindir / "lean4checker"
        script.write_text(STAND_IN.replace("{log}", str(log)).replace("{status}", str(status)))
        script.chmod(0o755)
    env = {**os.environ, "PATH": f"{bindir}:{os.environ['PATH']}", "WORKBENCH_LEAN": str(lean_bin)}
    return subprocess.run(
        [WB, "lean", "verify", str(FIXTURES / "Arith.lean"), str(FIXTURES / "cand" / f"{candidate}.lean"), "--name", "Arith.add_zero",
         "--sandbox", "off", *extra],
        env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )


def test_replay_runs_the_independent_checker_on_the_compiled_module(lean_bin, tmp_path):
    done = run(tmp_path, lean_bin, "--replay", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    verdict = json.loads(done.stdout)
    assert verdict["verdict"] == "accepted" and verdict["replayed_by"] == "lean4checker"
    assert (tmp_path / "replayed.log").read_text().startswith("WbCheck_")


def test_a_failed_replay_rejects(lean_bin, tmp_path):
    done = run(tmp_path, lean_bin, "--replay", "--json", status=1)
    assert done.returncode == 1
    reasons = json.loads(done.stdout)["reasons"]
    assert reasons[0]["code"] == "lean-error" and "independent replay" in reasons[0]["message"]


def test_replay_without_a_checker_is_a_usage_error_and_doctor_says_so(lean_bin, tmp_path):
    done = run(tmp_path, lean_bin, "--replay", status=None)
    assert done.returncode == 2 and "lean4checker" in done.stderr
    env = {**os.environ, "WORKBENCH_LEAN": str(lean_bin)}
    report = json.loads(subprocess.run([WB, "doctor", "--json"], env=env, capture_output=True, text=True, cwd=tmp_path).stdout)
    assert report["replay"] is None
    run(tmp_path, lean_bin, status=0)  # writes the stand-in
    env["PATH"] = f"{tmp_path / 'bin'}:{os.environ['PATH']}"
    report = json.loads(subprocess.run([WB, "doctor", "--json"], env=env, capture_output=True, text=True, cwd=tmp_path).stdout)
    assert report["replay"].endswith("lean4checker")


def test_a_rejected_candidate_is_not_replayed(lean_bin, tmp_path):
    done = run(tmp_path, lean_bin, "--replay", "--json", candidate="sorry")
    assert done.returncode == 1
    assert not (tmp_path / "replayed.log").exists()


def test_a_private_target_is_refused_with_a_clear_message(lean_bin, tmp_path):
    statement = tmp_path / "P.lean"
    statement.write_text((FIXTURES / "Arith.lean").read_text().replace("@[simp] theorem add_zero", "@[simp] private theorem add_zero"))
    env = {**os.environ, "WORKBENCH_LEAN": str(lean_bin)}
    done = subprocess.run([WB, "lean", "verify", str(statement), str(FIXTURES / "cand" / "honest.lean"), "--name", "Arith.add_zero"],
                          env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 2
    assert "private" in done.stderr and "drop `private`" in done.stderr


def test_audit_replay_needs_the_checker(lean_bin, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from cli.app import app

    monkeypatch.setenv("WORKBENCH_LEAN", str(lean_bin))
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    runner = CliRunner()
    ws = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(ws), "--no-mathlib"]).exit_code == 0
    monkeypatch.chdir(ws)
    r = runner.invoke(app, ["audit", "--replay"])
    assert r.exit_code == 2 and "lean4checker" in r.output
