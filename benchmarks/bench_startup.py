"""Start-up cost of `wb`: `wb list --json`, `wb show ID --json` and `wb --help` on a small workspace, against a
bare interpreter (`python -c pass`) in the same run. Medians of interleaved runs; the aim is at most 0.2 s each.

    python benchmarks/bench_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_list import make_workspace

WB = str(Path(sys.executable).with_name("wb"))


def timed(argv: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = make_workspace(Path(tmp) / "ws", 10)
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "wb list --json": [WB, "--workspace", str(root), "list", "--json"],
            "wb show ID --json": [WB, "--workspace", str(root), "show", "node-3", "--json"],
            "wb --help": [WB, "--help"],
        }
        timed(commands["wb list --json"])  # builds the index once
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, argv in commands.items():
                samples[name].append(timed(argv))
    bare = statistics.median(samples["python -c pass"])
    print(f"{'command':<20} {'median':>8} {'min':>8}  vs bare")
    for name, times in samples.items():
        med = statistics.median(times)
        print(f"{name:<20} {med * 1000:6.0f} ms {min(times) * 1000:6.0f} ms  {med / bare:5.1f}x"
              + ("" if name.startswith("python") else ("  ok" if med <= 0.2 else "  over 0.2 s")))


if __name__ == "__main__":
    main()
