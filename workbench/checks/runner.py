"""The child process sympy runs in: a wall-clock timeout and a memory cap, killed with its process group at the limit.

sympy has neither a timeout nor a memory limit, and a claim is untrusted text: `factorial(10**9) > 0` would
compute for hours. So every sympy call happens in `python -m workbench.checks.runner`, started in a new
session (its own process group) with RLIMIT_AS set before anything is imported; the parent sends one JSON
request on stdin, reads one JSON answer from stdout, and at the deadline kills the whole group.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MEMORY_MB = 2048
MAX_ANSWER_BYTES = 1_000_000


def run_child(request: dict, *, timeout: float = DEFAULT_TIMEOUT_S, memory_mb: int = DEFAULT_MEMORY_MB) -> dict:
    """Send `request` to a fresh child and return its answer; at `timeout` seconds the child and everything it
    started are killed and the answer is `{"stopped": "timeout", …}` (`"memory"` or `"crash"` when it died)."""
    started = time.time()
    request = {**request, "deadline": started + max(0.2, timeout - min(1.0, timeout * 0.1)), "memory_mb": memory_mb}
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON") or k == "PYTHONPATH"}
    env["PYTHONHASHSEED"] = "0"
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "workbench.checks.runner"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, start_new_session=True, env=env, close_fds=True,
        )
    except OSError as exc:
        return {"stopped": "crash", "detail": f"could not start the checking process: {exc.strerror or exc}"}
    try:
        out, err = proc.communicate(json.dumps(request).encode(), timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        return {"stopped": "timeout", "detail": f"stopped at the time limit of {timeout:g} s", "elapsed_s": round(time.time() - started, 3)}
    except BaseException:
        _kill_group(proc)
        raise
    finally:
        _kill_group(proc)
    elapsed = round(time.time() - started, 3)
    if proc.returncode != 0 or not out:
        tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] if err else []
        memory = proc.returncode == -signal.SIGKILL or any("MemoryError" in line for line in tail)
        why = f"the checking process died ({_exit_text(proc.returncode)})" + (f": {tail[0][:200]}" if tail else "")
        return {"stopped": "memory" if memory else "crash", "detail": why, "elapsed_s": elapsed}
    try:
        answer = json.loads(out[:MAX_ANSWER_BYTES])
    except ValueError:
        return {"stopped": "crash", "detail": "the checking process answered something that is not JSON", "elapsed_s": elapsed}
    answer["elapsed_s"] = elapsed
    return answer


def _exit_text(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit status {code}"


def _kill_group(proc: subprocess.Popen) -> None:
    """Kill the child's process group (the child leads it) and reap the child."""
    if proc.returncode is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()


def _limit_memory(memory_mb: int) -> None:
    import resource

    cap = int(memory_mb) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _peak_mb() -> float:
    """The largest virtual size this process reached (MB), from /proc; 0 when unknown."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


def handle(request: dict) -> dict:
    """Answer one request in this (child) process: `op` is "check" or "draft"."""
    from workbench.checks.claims import parse_claim

    claim = parse_claim(request["claim"], request.get("vars") or {}, request.get("limit"))
    if request.get("op") == "draft":
        from workbench.checks.draft import lean_statement

        return {"lean": lean_statement(claim, request.get("name") or "claim", request.get("doc") or "")}
    import sympy

    from workbench.checks.numeric import check

    answer = check(claim, samples=int(request.get("samples", 1000)), seed=int(request.get("seed", 0)),
                   deadline=float(request["deadline"]))
    answer["sympy_version"] = sympy.__version__
    return answer


def main() -> None:
    """The child's entry point: cap memory, read one request from stdin, write one answer to stdout."""
    raw = sys.stdin.buffer.read(MAX_ANSWER_BYTES)
    memory_mb = DEFAULT_MEMORY_MB
    try:
        request = json.loads(raw)
        memory_mb = int(request.get("memory_mb", DEFAULT_MEMORY_MB))
        _limit_memory(memory_mb)
        answer = handle(request)
    except MemoryError:
        answer = {"stopped": "memory", "detail": "the memory cap was reached"}
    except Exception as exc:  # noqa: BLE001 - the parent turns every failure into a clear result
        from workbench.errors import WorkbenchError

        if isinstance(exc, WorkbenchError):
            answer = {"stopped": "claim", "detail": str(exc)}
        elif (isinstance(exc, OSError) and exc.errno == errno.ENOMEM) or _peak_mb() >= 0.9 * memory_mb:
            answer = {"stopped": "memory", "detail": f"{type(exc).__name__} near the memory cap: {exc}"}
        else:
            answer = {"stopped": "crash", "detail": f"{type(exc).__name__}: {exc}"}
    sys.stdout.write(json.dumps(answer))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
