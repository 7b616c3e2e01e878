"""The README's tour is real: every `$ wb …` line in it is run in a fresh directory and its output compared."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("readme_tour", ROOT / "scripts" / "readme_tour.py")
tour = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tour)


def test_the_readme_tour_runs_as_shown(tmp_path, lean_bin, monkeypatch):
    monkeypatch.setenv("WORKBENCH_TOUR_LEAN", str(lean_bin))
    _, results = tour.run_tour((ROOT / "README.md").read_text(encoding="utf-8"), tmp_path)
    assert len(results) >= 10, "the README tour lost its commands"
    for command, shown, real, status in results:
        assert tour.masked(real) == tour.masked(shown), f"README output of `{command}` is stale (run scripts/readme_tour.py --update):\n{real}"
        refused = any(line.startswith("error:") for line in shown.splitlines())
        not_supported = command.startswith("wb numeric-check") and shown.startswith(("refuted:", "inconclusive:"))  # exit 1 and 3
        assert (status != 0) == (refused or not_supported), f"`{command}` exited {status}"
