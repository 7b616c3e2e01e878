"""Batch orchestration overhead and throughput against the ideal, with a prover that sleeps a fixed time.

With N workers and a prover whose every candidate takes SLEEP seconds (and a Lean check that returns
at once), the ideal is N attempts per SLEEP interval.  The run goes through everything a real batch
does per attempt — planning, build_task (files), the attempts store (one SQLite transaction each),
unit bookkeeping, limits — only the model and Lean are fake.  Target: at least 90 % of the ideal.

    python benchmarks/bench_batch.py            # N = 2, 4, 8, 16; sleep 0.3 s
    python benchmarks/bench_batch.py --sleep 0.2 --attempts-per-worker 6
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from workbench.batch import BatchOptions, BatchRun, Selection
from workbench.model import Conjecture, FormalStatement, Status, Verdict
from workbench.provers.base import Candidate
from workbench.storage import dump_conjecture
from workbench.workspace import Workspace


class SleepyProver:
    """One candidate per attempt, after `sleep` seconds (a model call that always takes that long)."""

    kind = "portfolio"
    name = "portfolio"
    model = None

    def __init__(self, sleep: float) -> None:
        self.sleep = sleep

    def candidates(self, task):
        time.sleep(self.sleep)
        yield Candidate(text=f"theorem {task.decl} : True := trivial\n", round=1, label="sleep")


class InstantCheck:
    """A Lean executor that rejects every candidate at once (no settlement, no Lean)."""

    name = "instant"

    def verify(self, statement, body, decl, **kwargs) -> Verdict:
        return Verdict(verdict="rejected", reasons=[{"code": "lean-error", "message": "fake"}])

    def close(self) -> None:
        pass


def make_workspace(root: Path, n: int) -> Workspace:
    ws, _ = Workspace.init(root, commit=False, mathlib=False)
    (ws.lean_dir / "Conjectures").mkdir(parents=True, exist_ok=True)
    for i in range(n):  # one small statement file per conjecture, as `wb formalize` usually leaves them
        (ws.lean_dir / "Conjectures" / f"Bench{i}.lean").write_text(f"theorem b{i} : True := sorry\n")
        conj = Conjecture(id=f"b-{i}", title=f"Bench {i}", informal=f"Statement {i}.", status=Status.formalized,
                          formal=FormalStatement(module=f"Conjectures.Bench{i}", decl=f"b{i}",
                                                 file=f"lean/Conjectures/Bench{i}.lean"))
        (ws.conjectures_dir / f"b-{i}.toml").write_text(dump_conjecture(conj))
    return ws


def bench(workers: int, sleep: float, per_worker: int) -> dict:
    n = workers * per_worker
    with tempfile.TemporaryDirectory(prefix="wb-bench-batch-") as tmp:
        ws = make_workspace(Path(tmp) / "ws", n)
        run = BatchRun.start(ws, Selection(), BatchOptions(provers=["portfolio"], workers=workers, lean_jobs=workers,
                                                           rounds=1, commit=False))
        t0 = time.perf_counter()
        summary = run.run(handle_signals=False, provers={"portfolio": SleepyProver(sleep)}, executor=InstantCheck())
        wall = time.perf_counter() - t0
    assert summary.attempts == n, summary
    ideal = n * sleep / workers
    return {
        "workers": workers, "attempts": n, "sleep_s": sleep, "wall_s": wall, "ideal_s": ideal,
        "efficiency": ideal / wall, "per_interval": n / (wall / sleep),
        "overhead_ms_per_attempt": (wall - ideal) / n * workers * 1000,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sleep", type=float, default=0.3)
    ap.add_argument("--attempts-per-worker", type=int, default=8)
    ap.add_argument("--workers", type=int, nargs="*", default=[2, 4, 8, 16])
    args = ap.parse_args()
    print(f"prover sleeps {args.sleep:.2f} s per attempt; {args.attempts_per_worker} attempts per worker; Lean faked")
    print(f"{'N':>3} {'attempts':>8} {'wall s':>8} {'ideal s':>8} {'per interval':>13} {'of ideal':>9} {'overhead/attempt':>17}")
    ok = True
    for w in args.workers:
        r = bench(w, args.sleep, args.attempts_per_worker)
        ok &= r["efficiency"] >= 0.9
        print(f"{r['workers']:>3} {r['attempts']:>8} {r['wall_s']:>8.2f} {r['ideal_s']:>8.2f} "
              f"{r['per_interval']:>8.2f} / {w:<3} {r['efficiency']:>8.1%} {r['overhead_ms_per_attempt']:>13.1f} ms")
    print("target (>= 90 % of N attempts per sleep interval):", "met" if ok else "NOT met")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
