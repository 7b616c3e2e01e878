"""Compare `wb lean verify` on a small fixture with the raw Lean runs it makes, and time the scan; prints the numbers.

Usage: python benchmarks/bench_verify.py [--lean PATH] [--runs N]
Without --lean it builds (or reuses) the offline Lean of the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

STATEMENT = ROOT / "tests" / "lean" / "Arith.lean"
CANDIDATE = ROOT / "tests" / "lean" / "cand" / "honest_helpers.lean"
NAME = "Arith.add_zero"


def timed(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def big_candidate(lemmas: int) -> Path:
    """A candidate with `lemmas` helper lemmas before the target (written to a temporary file)."""
    body = "".join(f"theorem h{i} (n : N) : Eq (N.add n N.z) n := @Eq.refl _ n\n" for i in range(lemmas))
    body += f"theorem add_zero (n : N) : Eq (N.add n N.z) n := h{lemmas - 1} n\n"
    path = Path(tempfile.mkdtemp(prefix="wb-bench-")) / f"big{lemmas}.lean"
    path.write_text(body)
    return path


def raw_runs(lean: str, runs: int, candidate: Path = CANDIDATE) -> list[float]:
    """The two Lean invocations verify makes (assembled file to .olean, then the fresh kernel check), unwrapped."""
    from workbench.lean.source import find_declaration
    from workbench.lean.verify import assemble, final_check_text

    statement = STATEMENT.read_text()
    assembly = assemble(statement, find_declaration(statement, NAME), candidate.read_text(), "bench0")
    scratch = Path(tempfile.mkdtemp(prefix="wb-bench-"))
    (scratch / f"{assembly.module}.lean").write_text(assembly.text)
    (scratch / "Final.lean").write_text(final_check_text(assembly, negate=False))
    env = {**os.environ, "LEAN_PATH": str(scratch)}

    def both() -> None:
        for args in (
            ["--json", f"--root={scratch}", "-o", str(scratch / f"{assembly.module}.olean"), str(scratch / f"{assembly.module}.lean")],
            ["--json", str(scratch / "Final.lean")],
        ):
            done = subprocess.run([lean, *args], cwd=scratch, env=env, capture_output=True)
            if done.returncode != 0:
                raise SystemExit(f"raw Lean run failed: {done.stdout.decode()[:400]}")

    return timed(both, runs)


def api_runs(lean: str, runs: int, sandbox: str, candidate: Path = CANDIDATE) -> list[float]:
    from workbench.lean.toolchain import resolve_toolchain
    from workbench.lean.verify import verify

    toolchain = resolve_toolchain(lean)
    text = candidate.read_text()

    def one() -> None:
        if not verify(STATEMENT, text, NAME, toolchain=toolchain, sandbox=sandbox).accepted:
            raise SystemExit("the benchmark candidate was rejected")

    return timed(one, runs)


def cli_runs(lean: str, runs: int, sandbox: str, candidate: Path = CANDIDATE) -> list[float]:
    wb = str(Path(sys.executable).with_name("wb"))
    argv = [wb, "lean", "verify", str(STATEMENT), str(candidate), "--name", NAME, "--lean", lean, "--sandbox", sandbox]

    def one() -> None:
        if subprocess.run(argv, capture_output=True).returncode != 0:
            raise SystemExit("wb lean verify rejected the benchmark candidate")

    return timed(one, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lean", help="lean binary (default: the test suite's offline Lean)")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    lean = args.lean
    if lean is None:
        from _lean_fixtures import build_offline_lean

        lean = str(build_offline_lean())
    from workbench.lean.sandbox import sandbox_status

    bwrap_ok = sandbox_status()[1]
    raw = statistics.median(raw_runs(lean, args.runs))
    rows = [("raw lean (2 runs, no wrapper)", raw)]
    rows.append(("verify() API, --sandbox off", statistics.median(api_runs(lean, args.runs, "off"))))
    if bwrap_ok:
        rows.append(("verify() API, --sandbox on", statistics.median(api_runs(lean, args.runs, "on"))))
    rows.append(("wb lean verify, --sandbox off", statistics.median(cli_runs(lean, args.runs, "off"))))
    if bwrap_ok:
        rows.append(("wb lean verify, --sandbox on", statistics.median(cli_runs(lean, args.runs, "on"))))
    print(f"fixture: {STATEMENT.name} + {CANDIDATE.name} ({args.runs} runs each, median)")
    for label, seconds in rows:
        print(f"  {label:32s} {seconds * 1000:8.1f} ms   {seconds / raw:5.2f}x raw")
    cli = statistics.median(cli_runs(lean, args.runs, "off"))
    print(f"  fixed cost of the command (wb lean verify minus raw Lean): {(cli - raw) * 1000:.0f} ms (aim: at most 250 ms)")
    big = big_candidate(4000)
    runs = max(3, args.runs // 5)
    big_raw = statistics.median(raw_runs(lean, runs, big))
    big_cli = statistics.median(cli_runs(lean, runs, "off", big))
    print(f"4,000-lemma candidate ({big.stat().st_size // 1024} KiB, {runs} runs each, median): raw Lean {big_raw:.2f} s, "
          f"wb lean verify {big_cli:.2f} s = {big_cli / big_raw:.2f}x raw (aim: at most 1.2x)")
    from bench_scan import report

    report(runs=3)


if __name__ == "__main__":
    main()
