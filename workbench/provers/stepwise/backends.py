"""Choosing a stepwise backend by name, and what each built-in backend still needs here (`wb doctor`).

`dojo` and `interact` are built in; any other name of the form `package.module:factory` is imported and
called as `factory(ws, options)` to make a custom backend (anything speaking `protocol.Backend`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

from workbench.errors import UsageError

BUILTIN = {
    "dojo": "workbench.provers.stepwise.dojo:DojoBackend",
    "interact": "workbench.provers.stepwise.interact:InteractBackend",
}


def make_backend(ws, options):
    """The backend `options.backend` names: `dojo`, `interact`, or `package.module:factory`."""
    spec = BUILTIN.get(options.backend, options.backend)
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise UsageError(f"unknown stepwise backend '{options.backend}'",
                         hint="use --backend dojo or --backend interact (or `package.module:factory` for your own)")
    try:
        module = importlib.import_module(module_name)
        factory = getattr(module, attr)
    except (ImportError, AttributeError) as exc:
        raise UsageError(f"stepwise backend '{options.backend}': cannot load {spec}: {exc}") from None
    return factory(ws, options)


@dataclass
class Need:
    """Something a backend still needs, and the command that gets it."""

    what: str
    fix: str


@dataclass
class BackendStatus:
    """Whether a backend can run here: its package version, and what it still needs."""

    name: str
    package: str
    version: str | None = None
    needs: list[Need] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return not self.needs

    def model_dump(self) -> dict:
        return {"name": self.name, "package": self.package, "version": self.version, "usable": self.usable,
                "needs": [{"what": n.what, "fix": n.fix} for n in self.needs]}


def package_version(distribution: str, module: str) -> str | None:
    """The installed version of `distribution` when `module` can be imported (without importing it), else None."""
    import importlib.metadata
    import importlib.util

    try:
        if importlib.util.find_spec(module) is None:
            return None
    except (ImportError, ValueError):
        return None
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def backend_statuses(workspace_root: Path | None, lean_dir: Path | None, lake: str | None = None) -> list[BackendStatus]:
    """What `wb doctor` shows for the built-in backends (nothing is imported, built or downloaded)."""
    from workbench.provers.stepwise.dojo import dojo_status
    from workbench.provers.stepwise.interact import interact_status

    return [dojo_status(workspace_root, lean_dir, lake), interact_status(lean_dir, lake)]
