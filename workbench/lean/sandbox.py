"""Running an untrusted Lean process: wall-clock timeout, memory cap, whole-group kill, bubblewrap isolation."""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from workbench.errors import ToolchainError, UsageError

SANDBOX_MODES = ("auto", "on", "off")
BWRAP_INSTALL_HINT = "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap)"
_MEMORY_SIGNS = ("out of memory", "bad_alloc", "cannot allocate memory", "failed to map segment", "memory exhausted", "std::bad_alloc")


class SandboxUnavailableWarning(UserWarning):
    """`--sandbox auto` found no working bubblewrap: Lean ran without network and filesystem isolation."""


@dataclass
class RunResult:
    """What a sandboxed run produced; `timed_out` and `out_of_memory` say why it stopped early."""

    returncode: int | None
    stdout: str
    stderr: str
    elapsed_s: float
    timed_out: bool = False
    out_of_memory: bool = False
    sandboxed: bool = False


def bwrap_path() -> str | None:
    """The `bwrap` executable on PATH, if any."""
    return shutil.which("bwrap")


@functools.lru_cache(maxsize=4)
def _bwrap_works(path: str) -> tuple[bool, str]:
    try:
        probe = subprocess.run(
            [path, *_bwrap_base(), "--", "/bin/true"],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=20,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return False, str(exc)
    return probe.returncode == 0, probe.stderr.strip()


def sandbox_status() -> tuple[str | None, bool, str]:
    """(path of bwrap or None, whether it can actually isolate a process here, the probe's complaint if not)."""
    path = bwrap_path()
    if path is None:
        return None, False, "bwrap not found on PATH"
    works, why = _bwrap_works(path)
    return path, works, why


def use_sandbox(mode: str) -> bool:
    """Decide for `--sandbox auto|on|off`: `on` without a working bubblewrap is a ToolchainError."""
    if mode not in SANDBOX_MODES:
        raise UsageError(f"--sandbox must be one of {', '.join(SANDBOX_MODES)}, not '{mode}'")
    if mode == "off":
        return False
    path, works, why = sandbox_status()
    if works:
        return True
    if mode == "on":
        problem = "bubblewrap (bwrap) is not installed" if path is None else f"bubblewrap at {path} cannot create a sandbox here: {why}"
        raise ToolchainError(f"--sandbox on: {problem}", hint=BWRAP_INSTALL_HINT)
    return False


def _bwrap_base() -> list[str]:
    return ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-all", "--die-with-parent", "--new-session"]


def bwrap_argv(argv: Sequence[str], *, cwd: Path, writable: Sequence[Path] = ()) -> list[str]:
    """`argv` wrapped in bubblewrap: read-only root, no network, own pid namespace, only `writable` dirs writable."""
    path = bwrap_path()
    if path is None:
        raise ToolchainError("bubblewrap (bwrap) is not installed", hint=BWRAP_INSTALL_HINT)
    binds: list[str] = []
    for d in writable:
        binds += ["--bind", str(d), str(d)]
    return [path, *_bwrap_base(), *binds, "--chdir", str(cwd), "--", *argv]


def _limits():
    """Runs in the child before exec: no core dumps, and a SIGKILL when the process that started it dies."""
    import ctypes
    import ctypes.util

    import resource

    libc_name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(libc_name, use_errno=True) if libc_name else None
    parent = os.getpid()

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if libc is not None:
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
            if os.getppid() != parent:
                os._exit(137)

    return apply


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                found += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return found


def scratch_dir(kind: str = "verify") -> Path:
    """A fresh scratch folder named after this process; folders left by processes that were killed are removed first."""
    import shutil
    import tempfile

    base = Path(tempfile.gettempdir())
    try:
        entries = list(os.scandir(base))
    except OSError:
        entries = []
    for entry in entries:
        if entry.name.startswith("wb-") and entry.name.count("-") >= 3 and entry.is_dir(follow_symlinks=False):
            pid = entry.name.split("-")[2]
            if pid.isdigit() and int(pid) != os.getpid() and not os.path.exists(f"/proc/{pid}"):
                shutil.rmtree(entry.path, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"wb-{kind}-{os.getpid()}-"))


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants that are alive now."""
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo += _children(current)
    return tree


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _kill(proc: subprocess.Popen, tree: list[int]) -> None:
    for pid in [proc.pid, *tree]:
        try:
            if pid == proc.pid:
                os.killpg(pid, signal.SIGKILL)
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


class _ExitWaiter:
    """Waits for a process to exit, waking the moment it does (a pidfd on Linux; Popen.wait elsewhere)."""

    def __init__(self, proc: subprocess.Popen) -> None:
        import select

        self.proc = proc
        self.fd: int | None = None
        self.poller = None
        try:
            self.fd = os.pidfd_open(proc.pid)
            self.poller = select.poll()
            self.poller.register(self.fd, select.POLLIN)
        except (AttributeError, OSError):
            self.fd = None

    def exited(self, timeout: float) -> bool:
        """True once the process has exited, waiting at most `timeout` seconds."""
        if self.poller is None:
            try:
                self.proc.wait(timeout=timeout)
                return True
            except subprocess.TimeoutExpired:
                return False
        self.poller.poll(max(int(timeout * 1000), 1))
        return self.proc.poll() is not None

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def run(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = 300,
    memory_mb: int | None = 8192,
    sandbox: bool = False,
    writable: Sequence[Path] = (),
    poll_s: float = 0.02,
) -> RunResult:
    """Run `argv` in its own process group, killing the whole tree at `timeout` or above `memory_mb` of resident memory.

    The memory cap is the summed resident set of the process tree, polled every `poll_s` seconds: Lean reserves
    about 1 GiB of virtual stack per thread, so an address-space limit (RLIMIT_AS) would stop even trivial files.
    """
    import tempfile

    command = bwrap_argv(argv, cwd=cwd, writable=writable) if sandbox else list(argv)
    started = time.monotonic()
    deadline = started + max(timeout, 0.001)
    cap_kb = int(memory_mb) * 1024 if memory_mb else None
    with tempfile.TemporaryFile() as out_f, tempfile.TemporaryFile() as err_f:
        try:
            proc = subprocess.Popen(
                command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out_f, stderr=err_f,
                start_new_session=True, preexec_fn=_limits(),
            )
        except OSError as exc:
            raise ToolchainError(f"cannot run {command[0]}: {exc.strerror or exc}") from exc
        timed_out = out_of_memory = False
        tree: list[int] = [proc.pid]
        wait = poll_s / 4
        waiter = _ExitWaiter(proc)
        try:
            while True:
                if waiter.exited(min(wait, max(deadline - time.monotonic(), 0.0005))):
                    proc.wait()
                    break
                wait = min(wait * 2, poll_s)
                tree = process_tree(proc.pid)
                if time.monotonic() >= deadline:
                    timed_out = True
                elif cap_kb is not None and sum(_rss_kb(pid) for pid in tree) > cap_kb:
                    out_of_memory = True
                if timed_out or out_of_memory:
                    _kill(proc, tree)
                    proc.wait()
                    break
        except BaseException:
            _kill(proc, process_tree(proc.pid) or tree)
            proc.wait()
            raise
        finally:
            waiter.close()
        _kill(proc, [pid for pid in tree if pid != proc.pid])
        elapsed = time.monotonic() - started
        out_f.seek(0)
        err_f.seek(0)
        stdout = out_f.read().decode("utf-8", "replace")
        stderr = err_f.read().decode("utf-8", "replace")
    if not (timed_out or out_of_memory) and proc.returncode != 0:
        low = (stderr + stdout[-2000:]).lower()
        out_of_memory = any(sign in low for sign in _MEMORY_SIGNS)
    return RunResult(proc.returncode, stdout, stderr, elapsed, timed_out=timed_out, out_of_memory=out_of_memory, sandboxed=sandbox)
