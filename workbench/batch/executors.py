"""Where a batch run's Lean checks execute: a bounded local pool, or Ray tasks on a cluster.

    ex = local_executor(lean_jobs=2)                # threads wait for one of 2 Lean slots
    ex = ray_executor(lean_jobs=8, memory_mb=8192)  # Ray tasks, each reserving 8 GB of memory
    verdict = ex.verify(statement_path, body, decl, toolchain=tc, **kwargs)
    ex.close()

Both run `workbench.lean.verify.verify` with the same arguments, so a verdict does not depend on
the executor.  Lean itself is a subprocess, so the local pool is threads plus a semaphore.  Ray is
an optional extra: it is imported only by `ray_executor`, which connects to `RAY_ADDRESS` when set
and otherwise starts (and at `close` stops) a local instance.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

from workbench.errors import UsageError
from workbench.model import Verdict

RAY_MISSING = "install the ray extra: pip install 'conjecture-workbench[ray]'"


def default_lean_jobs(memory_mb: int | None = None) -> int:
    """Lean checks to run at once on this machine: one per core, at most one per `memory_mb` of
    available memory (default 4 GB per check): max(1, min(cores, available // memory_mb))."""
    cores = os.cpu_count() or 1
    per_check = max(256, int(memory_mb or 4096))
    avail_mb = _available_memory_mb()
    if avail_mb is None:
        return max(1, cores)
    return max(1, min(cores, avail_mb // per_check))


def _available_memory_mb() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // (1024 * 1024)
    except (ValueError, OSError, AttributeError):
        return None


class LocalExecutor:
    """Lean checks in the calling thread, at most `lean_jobs` at a time."""

    name = "local"

    def __init__(self, lean_jobs: int) -> None:
        if lean_jobs < 1:
            raise UsageError("--lean-jobs must be at least 1")
        self.lean_jobs = lean_jobs
        self._slots = threading.BoundedSemaphore(lean_jobs)
        self._lock = threading.Lock()
        self.running = 0
        self.peak = 0

    def verify(self, statement: Path, body: str, decl: str, **kwargs) -> Verdict:
        from workbench.lean.verify import verify

        with self._slots:
            with self._lock:
                self.running += 1
                self.peak = max(self.peak, self.running)
            try:
                return verify(statement, body, decl, **kwargs)
            finally:
                with self._lock:
                    self.running -= 1

    def close(self) -> None:
        pass


def _remote_verify(statement_path: str, statement_text: str, body: str, decl: str, kwargs: dict) -> dict:
    """Run on a Ray worker: verify against the statement (its own file when the worker sees it, else
    a copy of its text) and return the verdict as JSON data."""
    from workbench.lean.verify import verify

    path = Path(statement_path)
    if path.is_file() and path.read_text(encoding="utf-8") == statement_text:
        return verify(path, body, decl, **kwargs).model_dump(mode="json")
    with tempfile.TemporaryDirectory(prefix="wb-ray-") as tmp:
        copy = Path(tmp) / path.name
        copy.write_text(statement_text, encoding="utf-8")
        return verify(copy, body, decl, **kwargs).model_dump(mode="json")


class RayExecutor:
    """Lean checks as Ray tasks, each reserving `memory_mb` of Ray's memory resource and one CPU;
    at most `lean_jobs` submitted at a time from this run."""

    name = "ray"

    def __init__(self, lean_jobs: int, memory_mb: int, *, address: str | None = None, num_cpus: int | None = None) -> None:
        try:
            import ray
        except ImportError:
            raise UsageError(RAY_MISSING) from None
        self._ray = ray
        self._owns = False
        if not ray.is_initialized():
            address = address or os.environ.get("RAY_ADDRESS") or None
            kwargs: dict = {"include_dashboard": False, "log_to_driver": False}
            if address is None and num_cpus is not None:
                kwargs["num_cpus"] = num_cpus
            try:
                ray.init(address=address, **kwargs)
            except Exception as exc:  # noqa: BLE001 - Ray raises many kinds; one line for the user
                raise UsageError(f"cannot start or reach Ray ({address or 'local instance'}): {exc}") from None
            self._owns = True
        self.lean_jobs = lean_jobs
        self.memory_mb = memory_mb
        self._slots = threading.BoundedSemaphore(max(1, lean_jobs))
        self._task = ray.remote(_remote_verify).options(memory=int(memory_mb) * 1024 * 1024, num_cpus=1, max_retries=2)
        self.tasks = 0

    def verify(self, statement: Path, body: str, decl: str, **kwargs) -> Verdict:
        text = Path(statement).read_text(encoding="utf-8")
        with self._slots:
            ref = self._task.remote(str(statement), text, body, decl, kwargs)
            self.tasks += 1
            data = self._ray.get(ref)
        return Verdict.model_validate(data)

    def close(self) -> None:
        if self._owns and self._ray.is_initialized():
            self._ray.shutdown()


def make_executor(kind: str, *, lean_jobs: int, memory_mb: int):
    """The executor named `kind` ("local" or "ray")."""
    if kind == "local":
        return LocalExecutor(lean_jobs)
    if kind == "ray":
        return RayExecutor(lean_jobs, memory_mb)
    raise UsageError(f"unknown executor '{kind}'", hint="use local or ray")
