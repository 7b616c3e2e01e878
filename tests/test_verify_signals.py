"""A killed `wb` takes its Lean processes with it and leaves no scratch folder, with the sandbox on or off."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from _lean_fixtures import FIXTURES

pytestmark = pytest.mark.lean

WB = str(Path(sys.executable).with_name("wb"))


def lean_processes(tmpdir: Path) -> list[str]:
    """Lean processes checking a file under `tmpdir` (their command lines name the scratch folder)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if str(tmpdir) in cmd and "WbCheck_" in cmd:
            found.append(cmd)
    return found


def start(lean_bin, tmp_path: Path, sandbox: str) -> tuple[subprocess.Popen, Path]:
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    env = {**os.environ, "TMPDIR": str(tmpdir), "WORKBENCH_LEAN": str(lean_bin)}
    proc = subprocess.Popen(
        [WB, "lean", "verify", str(FIXTURES / "Arith.lean"), str(FIXTURES / "cand" / "hang.lean"), "--name", "Arith.add_zero",
         "--timeout", "60", "--sandbox", sandbox],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 30
    while not lean_processes(tmpdir):
        assert time.monotonic() < deadline, "Lean never started"
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    return proc, tmpdir


def settle_down(tmpdir: Path) -> None:
    deadline = time.monotonic() + 10
    while lean_processes(tmpdir) and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_kills_lean_and_removes_the_scratch_folder(lean_bin, tmp_path, sig):
    proc, tmpdir = start(lean_bin, tmp_path, "off")
    proc.send_signal(sig)
    proc.communicate(timeout=20)
    assert proc.returncode != 0
    settle_down(tmpdir)
    assert lean_processes(tmpdir) == []
    assert [p.name for p in tmpdir.iterdir() if p.name.startswith("wb-")] == []


def test_a_sigkilled_wb_takes_lean_with_it_and_the_next_check_sweeps_its_folder(lean_bin, tmp_path):
    proc, tmpdir = start(lean_bin, tmp_path, "off")
    proc.kill()
    proc.communicate(timeout=20)
    settle_down(tmpdir)
    assert lean_processes(tmpdir) == []
    left = [p for p in tmpdir.iterdir() if p.name.startswith("wb-")]
    assert left, "a SIGKILLed process cannot clean up after itself"
    env = {**os.environ, "TMPDIR": str(tmpdir), "WORKBENCH_LEAN": str(lean_bin)}
    done = subprocess.run(
        [WB, "lean", "verify", str(FIXTURES / "Arith.lean"), str(FIXTURES / "cand" / "honest.lean"), "--name", "Arith.add_zero", "--sandbox", "off"],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert [p for p in tmpdir.iterdir() if p.name.startswith("wb-")] == []


def test_with_the_sandbox_a_signal_kills_lean_too(lean_bin, tmp_path):
    from workbench.lean.sandbox import sandbox_status

    if not sandbox_status()[1]:
        pytest.skip("bubblewrap unavailable: " + sandbox_status()[2])
    proc, tmpdir = start(lean_bin, tmp_path, "on")
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=20)
    settle_down(tmpdir)
    assert lean_processes(tmpdir) == []
    assert [p.name for p in tmpdir.iterdir() if p.name.startswith("wb-")] == []
