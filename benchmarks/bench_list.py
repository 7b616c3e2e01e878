"""Measure `wb list --json` on workspaces of 10, 5,000 and 10,000 conjectures (cold index build and warm runs),
and the table (`wb list`, piped) against the JSON."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from workbench.model import Conjecture, Edge, EdgeKind
from workbench.storage import dump_conjecture
from workbench.workspace import Workspace

WB = str(Path(sys.executable).with_name("wb"))


def make_workspace(root: Path, n: int) -> Path:
    Workspace.init(root, commit=False, mathlib=False)
    conj_dir = root / "conjectures"
    for i in range(n):
        edges = [Edge(kind=EdgeKind.uses, target=f"node-{j}") for j in (i // 2, i // 3) if j < i]
        conj = Conjecture(
            id=f"node-{i}", title=f"Node {i}", informal=f"Statement number {i} with $x^{i % 7}$.",
            area=["oversight", "learning-theory", "game-theory"][i % 3], tags=[f"t{i % 11}"],
            priority=i % 5, edges=list({e.target: e for e in edges}.values()),
        )
        (conj_dir / f"node-{i}.toml").write_text(dump_conjecture(conj))
    return root


def timed(root: Path, *args: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([WB, "--workspace", str(root), "list", *(args or ("--json",))], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in (10, 5_000, 10_000):
            root = make_workspace(Path(tmp) / f"ws{n}", n)
            cold = timed(root)
            warm = statistics.median(timed(root) for _ in range(7))
            table = statistics.median(timed(root, "--status", "informal") for _ in range(7))
            results[n] = (cold, warm)
            print(f"{n:>6} conjectures: first run (builds index) {cold * 1000:7.0f} ms, warm median {warm * 1000:6.0f} ms; "
                  f"table {table * 1000:6.0f} ms ({table / warm:.1f}x the JSON; target: at most 2x)")
    ratio = results[10_000][1] / results[10][1]
    print(f"warm ratio 10,000 / 10 = {ratio:.2f}x (target: at most 5x)")
    t0 = time.perf_counter()
    subprocess.run([WB, "--help"], check=True, stdout=subprocess.DEVNULL)
    print(f"wb --help: {(time.perf_counter() - t0) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
