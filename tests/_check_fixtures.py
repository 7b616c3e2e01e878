"""Helpers for the numeric-check tests: which checking children are alive."""

from __future__ import annotations

import os

__all__ = ["runner_pids"]


def runner_pids() -> set[int]:
    """Processes running the checking child (`python -m workbench.checks.runner`), from /proc."""
    pids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as fh:
                    if b"workbench.checks.runner" in fh.read():
                        pids.add(int(entry))
            except OSError:
                continue
    return pids
