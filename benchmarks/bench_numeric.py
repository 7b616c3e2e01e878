"""Measure `wb numeric-check` on every claim of the bundled library (in a copy: nothing is committed here).

Each claim is checked three times; the table gives the result, the method, the median wall time of the
whole command (start-up, the child process with sympy, the note's commit) and the median time of the
child process alone (`check_claim`, which records nothing).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WB = str(Path(sys.executable).with_name("wb"))
RUNS = 3


def library_copy(root: Path) -> Path:
    shutil.copy(REPO / "workbench.toml", root / "workbench.toml")
    shutil.copytree(REPO / "conjectures", root / "conjectures")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "library"]):
        subprocess.run(["git", *args], cwd=root, check=True)
    return root


def main() -> None:
    from workbench.checks.check import check_claim
    from workbench.model import Check

    env = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.org",
               GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.org")
    with tempfile.TemporaryDirectory() as tmp:
        root = library_copy(Path(tmp))
        checks = {p.stem: data["check"] for p in sorted((root / "conjectures").glob("*.toml"))
                  if "check" in (data := tomllib.loads(p.read_text()))}
        subprocess.run([WB, "list"], cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)  # build the index
        print(f"{'id':30} {'result':10} {'method':9} {'command s':>9} {'child s':>8}  claim")
        walls = []
        for conj_id, check in checks.items():
            times = []
            for _ in range(RUNS):
                t0 = time.perf_counter()
                p = subprocess.run([WB, "numeric-check", conj_id, "--json"], cwd=root, env=env, capture_output=True, text=True)
                times.append(time.perf_counter() - t0)
            out = json.loads(p.stdout)
            child = statistics.median(check_claim(Check(**check)).elapsed_s for _ in range(RUNS))
            walls.append(statistics.median(times))
            print(f"{conj_id:30} {out['result']:10} {out['method']:9} {walls[-1]:9.2f} {child:8.2f}  {check['claim']}")
        print(f"{len(checks)} claims: median {statistics.median(walls):.2f} s per `wb numeric-check`, slowest {max(walls):.2f} s")


if __name__ == "__main__":
    main()
