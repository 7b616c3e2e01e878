"""The process runner on its own: timeouts kill whole process trees, the memory cap, bubblewrap isolation."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from workbench.errors import ToolchainError, UsageError
from workbench.lean import sandbox


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_runs_and_captures_output(tmp_path):
    r = sandbox.run([sys.executable, "-c", "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"], cwd=tmp_path, timeout=30)
    assert (r.returncode, r.stdout.strip(), r.stderr.strip()) == (3, "out", "err")
    assert not r.timed_out and not r.out_of_memory


def test_timeout_kills_the_process_and_its_children(tmp_path):
    pids = tmp_path / "pids"
    script = f"sleep 300 & echo $! >> {pids}; (sleep 300 & echo $! >> {pids}; wait) & echo $$ >> {pids}; wait"
    started = time.monotonic()
    r = sandbox.run(["sh", "-c", script], cwd=tmp_path, timeout=1)
    assert r.timed_out and time.monotonic() - started < 5
    time.sleep(0.2)
    recorded = [int(p) for p in pids.read_text().split()]
    assert len(recorded) == 3
    assert not any(_alive(pid) for pid in recorded)


def test_children_that_detach_into_their_own_session_are_killed_too(tmp_path):
    pids = tmp_path / "pids"
    script = f"setsid sleep 300 & echo $! >> {pids}; sleep 300"
    r = sandbox.run(["sh", "-c", script], cwd=tmp_path, timeout=1)
    assert r.timed_out
    time.sleep(0.2)
    assert not any(_alive(int(p)) for p in pids.read_text().split())


def test_memory_cap_kills_a_growing_process(tmp_path):
    grow = "import time\nblocks = []\nwhile True:\n    blocks.append(bytearray(20 * 2**20))\n    time.sleep(0.01)\n"
    r = sandbox.run([sys.executable, "-c", grow], cwd=tmp_path, timeout=30, memory_mb=200)
    assert r.out_of_memory and not r.timed_out
    assert r.elapsed_s < 20


def test_memory_cap_counts_children(tmp_path):
    child = "import time; b = bytearray(150 * 2**20); b[::4096] = b'x' * len(b[::4096]); time.sleep(30)"
    script = f"{sys.executable} -c \"{child}\" & {sys.executable} -c \"{child}\" & wait"
    r = sandbox.run(["sh", "-c", script], cwd=tmp_path, timeout=20, memory_mb=250)
    assert r.out_of_memory


def test_missing_executable_is_a_toolchain_error(tmp_path):
    with pytest.raises(ToolchainError, match="cannot run"):
        sandbox.run([str(tmp_path / "nope")], cwd=tmp_path)


def test_sandbox_modes():
    assert sandbox.use_sandbox("off") is False
    with pytest.raises(UsageError):
        sandbox.use_sandbox("sometimes")


def test_sandbox_on_without_bwrap(monkeypatch):
    monkeypatch.setattr(sandbox, "bwrap_path", lambda: None)
    assert sandbox.use_sandbox("auto") is False
    with pytest.raises(ToolchainError, match="bubblewrap"):
        sandbox.use_sandbox("on")


def _need_bwrap():
    path, works, why = sandbox.sandbox_status()
    if not works:
        pytest.skip(f"bubblewrap unavailable: {why}")


@pytest.mark.sandbox
def test_bwrap_has_no_network(tmp_path):
    _need_bwrap()
    probe = "import socket\ntry:\n    socket.create_connection(('1.1.1.1', 53), timeout=2)\n    print('connected')\nexcept OSError as e:\n    print('no network', e.errno)\n"
    r = sandbox.run([sys.executable, "-c", probe], cwd=tmp_path, timeout=30, sandbox=True, writable=[tmp_path])
    assert r.returncode == 0, r.stderr
    assert "no network" in r.stdout
    links = sandbox.run(["cat", "/proc/net/dev"], cwd=tmp_path, timeout=30, sandbox=True, writable=[tmp_path])
    interfaces = [line.split(":")[0].strip() for line in links.stdout.splitlines()[2:]]
    assert interfaces == ["lo"]


@pytest.mark.sandbox
def test_bwrap_writes_only_inside_scratch(tmp_path):
    _need_bwrap()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    outside = tmp_path / "outside.txt"
    home = Path.home() / f".wb-sandbox-probe-{os.getpid()}"
    script = f"echo ok > {scratch}/in.txt; echo bad > {outside}; echo bad > {home}; echo bad > /etc/wb-probe; exit 0"
    r = sandbox.run(["sh", "-c", script], cwd=scratch, timeout=30, sandbox=True, writable=[scratch])
    assert r.returncode == 0
    assert (scratch / "in.txt").read_text().strip() == "ok"
    assert not outside.exists() and not home.exists() and not Path("/etc/wb-probe").exists()
    assert "Read-only file system" in r.stderr


@pytest.mark.sandbox
def test_bwrap_timeout_kills_everything_inside(tmp_path):
    _need_bwrap()
    import random
    import subprocess

    seconds = str(random.randint(100000, 999999))
    r = sandbox.run(["sh", "-c", f"sleep {seconds} & sleep {seconds}"], cwd=tmp_path, timeout=1, sandbox=True, writable=[tmp_path])
    assert r.timed_out
    time.sleep(0.3)
    left = subprocess.run(["pgrep", "-f", f"sleep {seconds}"], capture_output=True, text=True).stdout.split()
    assert not [pid for pid in left if _alive(int(pid))]


@pytest.mark.sandbox
def test_bwrap_runs_the_offline_lean_identically(tmp_path):
    _need_bwrap()
    from _lean_fixtures import FIXTURES, LeanUnavailable, build_offline_lean

    try:
        lean = build_offline_lean()
    except LeanUnavailable as exc:
        pytest.skip(f"real Lean unavailable: {exc}")
    src = tmp_path / "Arith.lean"
    src.write_text((FIXTURES / "Arith.lean").read_text())
    plain = sandbox.run([str(lean), "--json", str(src)], cwd=tmp_path, timeout=60)
    boxed = sandbox.run([str(lean), "--json", str(src)], cwd=tmp_path, timeout=60, sandbox=True, writable=[tmp_path])
    assert boxed.returncode == plain.returncode == 0
    assert boxed.stdout == plain.stdout and boxed.sandboxed
