"""Compiling the workspace's own Lean modules with plain `lean`, each into a content-addressed folder that is reused.

Two views of the project are built: `library` (the modules as they are, proofs included: what `lake build`
checks) and `checking` (statement views with every node's declaration turned into an assumption axiom: what
candidates are checked against). A module's folder is named by the digest of its text, of its imports'
folders and of the toolchain, so a build is reused exactly while nothing it rests on changed, and two
processes building at once cannot disturb each other (each renames a finished folder into place).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from workbench.errors import UsageError
from workbench.lean import sandbox as sb
from workbench.lean.messages import parse_json_lines
from workbench.lean.project import ModuleTexts, module_file
from workbench.lean.toolchain import Toolchain

_ENV_KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "ELAN_HOME", "ELAN_TOOLCHAIN", "LEAN_SYSROOT", "LD_LIBRARY_PATH")


@dataclass
class ModuleFailure:
    """A project module that did not compile: the first errors Lean reported, as `file:line:col: message`."""

    module: str
    errors: list[str]

    def message(self) -> str:
        """One line naming the module and its first error."""
        return f"{self.module} does not compile: " + ("; ".join(self.errors[:3]) or "no message")


@dataclass
class BuildResult:
    """Where the built modules are (LEAN_PATH roots, dependencies first) and which failed."""

    cache: Path
    roots: dict[str, Path] = field(default_factory=dict)
    failures: list[ModuleFailure] = field(default_factory=list)
    compiled: int = 0
    reused: int = 0

    @property
    def ok(self) -> bool:
        return not self.failures

    def lean_path(self, modules: list[str] | None = None) -> list[Path]:
        """One LEAN_PATH root holding `modules` (all built ones when None): Lean looks a package's modules up in
        the first root that has the package's folder, so the built modules are linked into one folder."""
        names = sorted(self.roots if modules is None else [m for m in modules if m in self.roots])
        return [overlay(self.cache / "path", {m: self.roots[m] for m in names})] if names else []


def overlay(where: Path, modules: dict[str, Path]) -> Path:
    """A folder (named by its contents, made once) of symbolic links to each module's built `.olean`."""
    h = hashlib.sha256("\n".join(f"{m}={p}" for m, p in sorted(modules.items())).encode()).hexdigest()[:32]
    root = where / h
    if root.is_dir():
        return root
    where.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".path-", dir=where))
    try:
        for module, built in modules.items():
            rel = module_file(Path("."), module).with_suffix(".olean")
            (scratch / rel).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(built / rel, scratch / rel)
        try:
            os.rename(scratch, root)
        except OSError:
            if not root.is_dir():
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return root


def lean_env(toolchain: Toolchain, roots: list[Path]) -> dict[str, str]:
    """The environment a Lean run gets: a few of ours, the toolchain's, and LEAN_PATH with `roots` first."""
    env = {k: os.environ[k] for k in _ENV_KEEP if k in os.environ}
    env.update(toolchain.env)
    paths = [str(p) for p in roots] + [str(p) for p in toolchain.lean_path]
    if os.environ.get("LEAN_PATH"):
        paths += os.environ["LEAN_PATH"].split(os.pathsep)
    env["LEAN_PATH"] = os.pathsep.join(paths)
    return env


def build_modules(
    texts: ModuleTexts,
    modules: list[str],
    view: Callable[[str], str],
    *,
    cache: Path,
    toolchain: Toolchain,
    timeout: float = 300,
    memory_mb: int = 8192,
    sandbox: bool = False,
    stop_on_failure: bool = True,
) -> BuildResult:
    """Compile `modules` (dependencies first, as `ModuleTexts.closure` orders them) in the given `view` of their
    texts, reusing earlier builds; a module whose import failed is not attempted."""
    result = BuildResult(cache)
    keys: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    failed: set[str] = set()
    for module in modules:
        text = view(module)
        deps = texts.imports(text)
        if any(d in failed for d in deps):
            failed.add(module)
            continue
        h = hashlib.sha256(f"{toolchain.version}\0{module}\0{text}\0".encode())
        for dep in deps:
            h.update(keys.get(dep, "").encode())
        keys[module] = h.hexdigest()[:32]
        root = cache / keys[module]
        rel = module_file(Path("."), module)
        if (root / rel.with_suffix(".olean")).is_file():
            result.roots[module] = root
            result.reused += 1
            continue
        dep_roots = result.lean_path(texts.closure(deps))
        failure = _compile(module, text, rel, root, dep_roots, toolchain, deadline=deadline, memory_mb=memory_mb, sandbox=sandbox, where=texts.files.get(module))
        if failure is not None:
            failed.add(module)
            result.failures.append(failure)
            if stop_on_failure:
                break
            continue
        result.roots[module] = root
        result.compiled += 1
    return result


def _compile(
    module: str, text: str, rel: Path, root: Path, dep_roots: list[Path], toolchain: Toolchain,
    *, deadline: float, memory_mb: int, sandbox: bool, where: Path | None,
) -> ModuleFailure | None:
    root.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".build-", dir=root.parent))
    try:
        source = scratch / rel
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text(text, encoding="utf-8")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return ModuleFailure(module, ["the build ran out of time"])
        run = sb.run(
            [*toolchain.lean_cmd, "--json", f"--root={scratch}", "-o", str(source.with_suffix(".olean")), str(source)],
            cwd=toolchain.cwd or scratch, env=lean_env(toolchain, dep_roots), timeout=remaining,
            memory_mb=memory_mb, sandbox=sandbox, writable=[scratch],
        )
        shown = str(where) if where is not None else str(rel)
        if run.timed_out:
            return ModuleFailure(module, [f"{shown}: Lean did not finish in time"])
        if run.out_of_memory:
            return ModuleFailure(module, [f"{shown}: Lean exceeded the memory cap of {memory_mb} MB"])
        errors = [f"{shown}:{m.line}:{(m.column or 0) + 1}: {m.text.strip()}" for m in parse_json_lines(run.stdout) if m.severity == "error"]
        if run.returncode != 0 or errors:
            return ModuleFailure(module, errors or [f"{shown}: Lean exited with status {run.returncode}: {run.stderr.strip()[-300:]}"])
        try:
            os.rename(scratch, root)
        except OSError:
            if not (root / rel.with_suffix(".olean")).is_file():
                raise UsageError(f"cannot store the build of {module} in {root}") from None
        return None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
