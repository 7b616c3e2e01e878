"""Time the forbidden-construct scan (Lean's lexer plus the checks) on 0.25, 0.5 and 1 MiB candidates; prints the numbers.

Usage: python benchmarks/bench_scan.py [--runs N]
The time should grow linearly: doubling the input should about double it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

SIZES = (256 * 1024, 512 * 1024, 1024 * 1024)
PROOF_TEXT = (
    "/-- A helper, with a docstring that mentions `#exit` harmlessly. -/\n"
    "theorem helper_{i} (n : N) : Eq (N.add n N.z) n := by\n"
    "  simp [N.add] -- a comment with \"quotes\" and 'ticks'\n"
    "  exact @Eq.refl _ n\n"
    "/- a block comment /- nested -/ with r#\"raw\"# text -/\n"
    "def table_{i} : List String := [\"a\\n\", r##\"b\"#c\"##, s!\"{{x}} y\"]\n"
    "set_option maxHeartbeats 400000 in\n"
    "@[simp] lemma ok_{i} : h.1.2 = (0x1F, 1_000, 1.5e3, 'c', `name) := ⟨fun x => x, rfl⟩\n\n"
)
DENSE_TEXT = "(a + 1) * «b c».d ≤ 'x' "
"""Worst case for the lexer's per-token cost: a token every two or three characters."""


def candidate(kind: str, size: int) -> str:
    """About `size` bytes of Lean text of the given kind (whole lines or repeats only)."""
    if kind == "dense tokens":
        unit = DENSE_TEXT
        return unit * (size // len(unit.encode()))
    out: list[str] = []
    total, i = 0, 0
    while True:
        chunk = PROOF_TEXT.replace("{i}", str(i)).replace("{{x}}", "{x}")
        total += len(chunk.encode())
        if total > size:
            return "".join(out)
        out.append(chunk)
        i += 1


def scan_times(runs: int) -> list[tuple[str, int, float]]:
    """(input kind, size in bytes, median seconds of `scan`) for each kind and size."""
    from workbench.lean.forbidden import scan

    rows = []
    for kind in ("proof text", "dense tokens"):
        for size in SIZES:
            text = candidate(kind, size)
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                scan(text)
                times.append(time.perf_counter() - started)
            rows.append((kind, len(text.encode()), statistics.median(times)))
    return rows


def report(runs: int) -> None:
    """Print the scan's times, and each size's time per MiB relative to the smallest (1.0 = linear)."""
    rows = scan_times(runs)
    print(f"scan (tokenize + forbidden checks), median of {runs} runs:")
    base: dict[str, float] = {}
    for kind, size, seconds in rows:
        per_mib = seconds / (size / 2**20)
        base.setdefault(kind, per_mib)
        print(f"  {kind:13s} {size / 2**20:5.2f} MiB {seconds * 1000:8.1f} ms   {per_mib * 1000:7.1f} ms/MiB   {per_mib / base[kind]:4.2f}x per byte")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    report(parser.parse_args().runs)


if __name__ == "__main__":
    main()
