"""Finding the Lean toolchain (explicit path, env, workbench.toml, Lake project, PATH) and diagnosing what is missing."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Sequence

from pydantic import BaseModel, Field

from workbench.errors import ToolchainError

ELAN_INSTALL = "curl https://raw.githubusercontent.com/leanprover/elan/master/elan-init.sh -sSf | sh"
MATHLIB_CACHE = "lake exe cache get"
LAKEFILES = ("lakefile.lean", "lakefile.toml")


class Toolchain(BaseModel):
    """How to run Lean: the argv prefix, where, with which extra LEAN_PATH entries, and how it was found."""

    lean_cmd: list[str]
    cwd: Path | None = None
    version: str | None = None
    source: str
    lean_path: list[Path] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict)
    lake: str | None = None

    def describe(self) -> str:
        """One line for humans: the command, the version and how it was resolved."""
        return f"{' '.join(self.lean_cmd)} ({self.version or 'unknown version'}, from {self.source})"


class Problem(BaseModel):
    """Something `wb doctor` found missing, with the command that fixes it."""

    what: str
    fix: str


class DoctorReport(BaseModel):
    """What `wb doctor` found: Lean and how it was resolved, Lake, bubblewrap, and what is missing."""

    lean: Toolchain | None = None
    lean_tried: list[str] = Field(default_factory=list)
    elan: str | None = None
    lake: str | None = None
    lake_version: str | None = None
    lake_project: Path | None = None
    mathlib: str | None = None  # "absent", "cached" or "not built"
    bwrap: str | None = None
    sandbox_works: bool = False
    sandbox_note: str | None = None
    replay: str | None = None  # the independent checker `--replay` would use (lean4checker), if found
    problems: list[Problem] = Field(default_factory=list)
    conjecture_files: int = 0  # how many conjecture files the workspace has (0 outside a workspace)
    file_problems: list[Problem] = Field(default_factory=list)  # malformed conjecture files, one each

    @property
    def ok(self) -> bool:
        return self.lean is not None and not self.file_problems


@functools.lru_cache(maxsize=32)
def _version(cmd: tuple[str, ...], cwd: str | None) -> str:
    try:
        done = subprocess.run([*cmd, "--version"], cwd=cwd, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ToolchainError(f"cannot run {' '.join(cmd)}: {exc}") from exc
    text = (done.stdout or done.stderr).strip()
    if done.returncode != 0 or not text:
        raise ToolchainError(f"{' '.join(cmd)} --version failed (exit {done.returncode}): {text[:200]}")
    return text.splitlines()[0]


def _cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "conjecture-workbench" / "lean-versions.json"


def _binary_key(cmd: list[str]) -> str | None:
    if len(cmd) != 1:
        return None
    try:
        st = Path(cmd[0]).stat()
    except OSError:
        return None
    return f"{os.path.realpath(cmd[0])}:{st.st_size}:{st.st_mtime_ns}"


def lean_version(cmd: list[str], cwd: Path | None = None) -> str:
    """The first line of `<cmd> --version`, remembered per binary (path, size, mtime) so each run does not pay for it."""
    import json

    key = _binary_key(cmd)
    cache = _cache_file()
    known: dict[str, str] = {}
    if key:
        try:
            known = json.loads(cache.read_text())
            if isinstance(known, dict) and isinstance(known.get(key), str):
                return known[key]
        except (OSError, ValueError):
            known = {}
    version = _version(tuple(cmd), str(cwd) if cwd else None)
    if key and "Lean" in version:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({**(known if isinstance(known, dict) else {}), key: version}))
            os.replace(tmp, cache)
        except OSError:
            pass
    return version


def _executable(spec: str, origin: str) -> str:
    path = Path(spec).expanduser()
    if path.is_dir():
        for candidate in (path / "bin" / "lean", path / "lean"):
            if candidate.is_file():
                path = candidate
                break
    if path.is_file():
        if not os.access(path, os.X_OK):
            raise ToolchainError(f"{origin}: {path} is not executable")
        return str(path.resolve())
    found = shutil.which(spec)
    if found:
        return found
    raise ToolchainError(f"{origin}: {spec} does not exist", hint=f"install Lean with elan: {ELAN_INSTALL}")


def _real_lean(exe: str) -> str:
    """The toolchain's own binary behind an elan proxy (`lean --print-prefix`/bin/lean), else `exe` itself."""
    resolved = Path(os.path.realpath(exe))
    if not (resolved.name.startswith("elan") or ".elan" in Path(exe).parts and Path(exe).parent.name == "bin"):
        return exe
    try:
        done = subprocess.run([exe, "--print-prefix"], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return exe
    real = Path(done.stdout.strip() or "/nonexistent") / "bin" / "lean"
    if done.returncode == 0 and real.is_file() and os.access(real, os.X_OK):
        return str(real)
    return exe


def _from_spec(spec: str, source: str) -> Toolchain:
    exe = _real_lean(_executable(spec, source))
    return Toolchain(lean_cmd=[exe], version=lean_version([exe]), source=source)


def lake_project(workspace_root: Path | None) -> Path | None:
    """The workspace's Lake project directory (`<root>/lean` or the root itself) when it has a lakefile."""
    if workspace_root is None:
        return None
    for project in (workspace_root / "lean", workspace_root):
        if any((project / f).is_file() for f in LAKEFILES):
            return project
    return None


def _from_lake(project: Path, lake: str) -> Toolchain:
    script = 'printf "%s\\n%s\\n%s\\n" "$LEAN_PATH" "$(command -v lean)" "$LEAN_SYSROOT"'
    try:
        done = subprocess.run([lake, "env", "sh", "-c", script], cwd=project, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ToolchainError(f"lake env failed in {project}: {exc}") from exc
    lines = done.stdout.splitlines()
    if done.returncode != 0 or len(lines) < 2 or not lines[1].strip():
        raise ToolchainError(f"`lake env` failed in {project}: {(done.stderr or done.stdout).strip()[:300]}")
    lean_path = [Path(p) for p in lines[0].split(os.pathsep) if p]
    lean = _real_lean(lines[1].strip())
    env = {"LEAN_SYSROOT": lines[2].strip()} if len(lines) > 2 and lines[2].strip() else {}
    return Toolchain(
        lean_cmd=[lean], cwd=project, version=lean_version([lean]), source="lake",
        lean_path=lean_path, env=env, lake=lake,
    )


def resolve_toolchain(explicit: str | None = None, *, workspace_root: Path | None = None, config_lean: str | None = None) -> Toolchain:
    """Find Lean: `explicit` (--lean), $WORKBENCH_LEAN, `config_lean` (workbench.toml), the workspace's Lake project, `lean` on PATH."""
    if explicit:
        return _from_spec(explicit, "--lean")
    env_lean = os.environ.get("WORKBENCH_LEAN")
    if env_lean:
        return _from_spec(env_lean, "WORKBENCH_LEAN")
    if config_lean:
        return _from_spec(config_lean, "workbench.toml")
    tried = ["--lean (not given)", "$WORKBENCH_LEAN (not set)", "workbench.toml (no lean entry)"]
    project = lake_project(workspace_root)
    lake = shutil.which("lake")
    if project is not None and lake:
        try:
            return _from_lake(project, lake)
        except ToolchainError as exc:
            tried.append(f"lake env lean in {project} ({exc})")
    elif project is not None:
        tried.append(f"lake env lean in {project} (lake not on PATH)")
    else:
        tried.append("lake env lean (no Lake project in the workspace)")
    on_path = shutil.which("lean")
    if on_path:
        exe = _real_lean(on_path)
        return Toolchain(lean_cmd=[exe], version=lean_version([exe]), source="PATH")
    tried.append("lean on PATH (not found)")
    raise ToolchainError(
        "no Lean toolchain found; tried " + "; ".join(tried),
        hint=f"install elan: {ELAN_INSTALL}, or pass --lean PATH / set WORKBENCH_LEAN",
    )


def missing_imports(toolchain: Toolchain, modules: list[str], extra_roots: Sequence[Path] = ()) -> list[str]:
    """The modules with no `.olean` in `extra_roots` or the toolchain's LEAN_PATH (only meaningful for Lake toolchains)."""
    missing = []
    for mod in modules:
        rel = Path(*mod.split(".")).with_suffix(".olean")
        if not any((d / rel).is_file() for d in [*extra_roots, *toolchain.lean_path]):
            missing.append(mod)
    return missing


def build_imports(toolchain: Toolchain, statement_text: str, *, timeout: float = 3600, extra_roots: Sequence[Path] = ()) -> list[str]:
    """With a Lake toolchain, `lake build` the statement's imports that are not built yet; returns what was built."""
    from workbench.lean.source import header_imports

    if toolchain.lake is None or toolchain.cwd is None:
        return []
    todo = [m for m in missing_imports(toolchain, header_imports(statement_text), extra_roots) if not re.match(r"^(Init|Std|Lean)(\.|$)", m)]
    if not todo:
        return []
    try:
        done = subprocess.run([toolchain.lake, "build", *todo], cwd=toolchain.cwd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ToolchainError(f"lake build {' '.join(todo)} failed: {exc}") from exc
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip()[-800:]
        raise ToolchainError(f"lake build {' '.join(todo)} failed in {toolchain.cwd}: {tail}", hint=f"for Mathlib, run `{MATHLIB_CACHE}` in {toolchain.cwd} first")
    return todo


def doctor(workspace_root: Path | None = None, explicit: str | None = None, config_lean: str | None = None) -> DoctorReport:
    """Everything `wb doctor` reports: the resolved toolchain (or what was tried), Lake, Mathlib cache, bubblewrap."""
    from workbench.lean.sandbox import BWRAP_INSTALL_HINT, sandbox_status

    report = DoctorReport(elan=shutil.which("elan"), lake=shutil.which("lake"), lake_project=lake_project(workspace_root))
    try:
        report.lean = resolve_toolchain(explicit, workspace_root=workspace_root, config_lean=config_lean)
    except ToolchainError as exc:
        report.lean_tried = [exc.message]
        report.problems.append(Problem(what="no Lean toolchain", fix=f"install elan: {ELAN_INSTALL}"))
    if report.lake:
        try:
            report.lake_version = lean_version([report.lake])
        except ToolchainError:
            report.lake_version = None
    elif report.lake_project is not None:
        report.problems.append(Problem(what=f"Lake project {report.lake_project} but no `lake` on PATH", fix=f"install elan (it provides lake): {ELAN_INSTALL}"))
    if report.lake_project is not None:
        pin = mathlib_pin_problem(report.lake_project)
        if pin is not None:
            report.problems.append(pin)
        report.mathlib = _mathlib_state(report.lake_project)
        if report.mathlib == "not built":
            report.problems.append(Problem(what="Mathlib is a dependency but its build cache is not downloaded", fix=f"cd {report.lake_project} && {MATHLIB_CACHE}"))
    from workbench.lean.verify import replay_checker

    report.replay = replay_checker()
    if workspace_root is not None:
        report.conjecture_files, report.file_problems = _conjecture_file_problems(Path(workspace_root))
    path, works, why = sandbox_status()
    report.bwrap, report.sandbox_works = path, works
    if path is None:
        report.problems.append(Problem(what="bubblewrap not installed: candidates run without network and filesystem isolation", fix=BWRAP_INSTALL_HINT))
    elif not works:
        report.sandbox_note = why
        report.problems.append(Problem(what=f"bubblewrap cannot create a sandbox here: {why}", fix="enable unprivileged user namespaces, or run with --sandbox off knowingly"))
    return report


def mathlib_pin_problem(project: Path) -> Problem | None:
    """A Problem when the Lake project requires Mathlib without pinning the release that matches its
    `lean-toolchain` (`rev = "v4.35.0"` for `leanprover/lean4:v4.35.0`): unpinned, `lake update` fetches a Mathlib
    that needs a newer Lean. None when they agree, or when Mathlib is not required."""
    import re
    import tomllib

    toolchain_file = project / "lean-toolchain"
    toolchain = toolchain_file.read_text(encoding="utf-8", errors="replace").strip() if toolchain_file.is_file() else ""
    want = toolchain.rsplit(":", 1)[-1] if toolchain else None
    rev: str | None = None
    required = False
    toml_file, lean_file = project / "lakefile.toml", project / "lakefile.lean"
    if toml_file.is_file():
        try:
            data = tomllib.loads(toml_file.read_text(encoding="utf-8", errors="replace"))
        except tomllib.TOMLDecodeError:
            return None
        for req in data.get("require", []) if isinstance(data.get("require"), list) else []:
            if isinstance(req, dict) and req.get("name") == "mathlib":
                required, rev = True, req.get("rev")
        where, fix_as = toml_file, f'rev = "{want}" under the [[require]] of mathlib'
    elif lean_file.is_file():
        m = re.search(r'require\s+"?mathlib"?\s+from\s+git\s+"[^"]*"(?:\s*@\s*"([^"]+)")?', lean_file.read_text(encoding="utf-8", errors="replace"))
        required, rev = m is not None, (m.group(1) if m else None)
        where, fix_as = lean_file, f'@ "{want}" after the mathlib git URL'
    else:
        return None
    if not required or not want or rev == want:
        return None
    what = (f"{where} requires Mathlib without a pinned release; `lake update` would fetch one that needs a newer Lean than {toolchain}"
            if rev is None else f"{where} pins Mathlib {rev} but lean-toolchain is {toolchain}: they must be the same release")
    return Problem(what=what, fix=f"write {fix_as} (the Mathlib release for {toolchain}), then `lake update mathlib`")


def _conjecture_file_problems(root: Path) -> tuple[int, list[Problem]]:
    """How many conjecture files `root/conjectures` holds, and what is wrong with each one that every listing
    leaves out (checked through the index, so edges and cycles too, even when workbench.toml is broken)."""
    from workbench.index import Index

    conj_dir = root / "conjectures"
    if not conj_dir.is_dir():
        return 0, []
    count = sum(1 for p in conj_dir.glob("*.toml") if not p.name.startswith("."))
    problems = Index(conj_dir, root / ".workbench" / "index.db", lambda: root / "lean").problems()
    return count, [Problem(what=str(exc), fix=f"wb edit {conj_id}") for conj_id, exc in problems.items()]


def _mathlib_state(project: Path) -> str:
    manifest = project / "lake-manifest.json"
    text = manifest.read_text(encoding="utf-8", errors="replace") if manifest.is_file() else ""
    config = "".join((project / f).read_text(encoding="utf-8", errors="replace") for f in LAKEFILES if (project / f).is_file())
    if "mathlib" not in (text + config).lower():
        return "absent"
    built = project / ".lake" / "packages" / "mathlib" / ".lake" / "build" / "lib" / "lean" / "Mathlib.olean"
    legacy = project / ".lake" / "packages" / "mathlib" / ".lake" / "build" / "lib" / "Mathlib.olean"
    return "cached" if built.is_file() or legacy.is_file() else "not built"
