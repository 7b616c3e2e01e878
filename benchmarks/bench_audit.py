"""`wb audit` on N proved prelude nodes against the sum of their single checks; prints the numbers.

Usage: python benchmarks/bench_audit.py [--lean PATH] [--nodes N] [--per-module K]

Builds a workspace of N lemmas (K to a module, each module importing the previous one, every lemma
after the first proved with the one before it), settles them all through the library, then times
`wb audit` (the CLI, end to end) and, for comparison, one `verify` of each stored proof.
Without --lean it builds (or reuses) the offline Lean of the test suite.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def lemma(i: int) -> str:
    return f"theorem l{i} (n : N) : Eq (N.add n N.z) n := sorryAx _ Bool.false\n"


def proof(i: int) -> str:
    if i == 0:
        return "theorem l0 (n : N) : Eq (N.add n N.z) n := @Eq.refl _ n\n"
    return f"theorem l{i} (n : N) : Eq (N.add n N.z) n := l{i - 1} n\n"


def build(root: Path, nodes: int, per_module: int) -> None:
    from _prove_fixtures import PRELUDE
    from workbench.model import Conjecture
    from workbench.settle import LeanOptions, check, formalize, settle
    from workbench.workspace import Workspace

    ws, _ = Workspace.init(root, mathlib=False)
    lean = root / "lean" / "Conjectures"
    lean.mkdir(parents=True, exist_ok=True)
    modules = (nodes + per_module - 1) // per_module
    for m in range(modules):
        head = PRELUDE if m == 0 else f"prelude\nimport Conjectures.M{m - 1}\n"
        body = "".join(lemma(i) for i in range(m * per_module, min(nodes, (m + 1) * per_module)))
        (lean / f"M{m}.lean").write_text(head + "\n" + body)
    opts = LeanOptions(sandbox="off")
    for i in range(nodes):
        ws.add(Conjecture(id=f"l-{i}", title=f"Lemma {i}", informal="n + 0 = n", kind="lemma"), commit=False)
        formalize(ws, f"l-{i}", lean / f"M{i // per_module}.lean", f"l{i}", commit=False)
    for i in range(nodes):
        check(ws, f"l-{i}", opts, commit=False)
        result = settle(ws, f"l-{i}", proof(i), opts, commit=False)
        assert result.verdict.accepted, result.verdict.reasons
        if (i + 1) % 50 == 0:
            print(f"  settled {i + 1}/{nodes}", file=sys.stderr)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "bench"], cwd=root, check=True)


def single_checks(root: Path) -> float:
    """Seconds for one `verify` of every stored proof against its checking environment (what audit repeats)."""
    from workbench.lean.verify import verify
    from workbench.settle import LeanOptions, library, toolchain_for, verify_kwargs
    from workbench.workspace import Workspace

    ws = Workspace.open(root)
    opts = LeanOptions(sandbox="off")
    toolchain = toolchain_for(ws, opts)
    lib = library(ws, opts, toolchain)
    total = 0.0
    for conj_id, node in sorted(lib.nodes.items()):
        env = lib.check_env(conj_id)
        started = time.perf_counter()
        v = verify(env.statement_path, lib.stored_candidate(conj_id), node.decl, toolchain=toolchain, **verify_kwargs(ws, opts, env))
        total += time.perf_counter() - started
        assert v.accepted
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lean")
    parser.add_argument("--nodes", type=int, default=200)
    parser.add_argument("--per-module", type=int, default=10)
    args = parser.parse_args()
    if args.lean is None:
        from _lean_fixtures import build_offline_lean

        args.lean = str(build_offline_lean())
    os.environ["WORKBENCH_LEAN"] = args.lean
    with tempfile.TemporaryDirectory(prefix="wb-bench-audit-") as tmp:
        root = Path(tmp) / "ws"
        started = time.perf_counter()
        build(root, args.nodes, args.per_module)
        print(f"built and settled {args.nodes} nodes in {time.perf_counter() - started:.1f} s")
        wb = str(Path(sys.executable).with_name("wb"))
        started = time.perf_counter()
        done = subprocess.run([wb, "audit", "--sandbox", "off"], cwd=root, capture_output=True, text=True)
        audit_s = time.perf_counter() - started
        ok = done.stdout.count("\nok ") + done.stdout.startswith("ok ")
        print(f"wb audit: {audit_s:.1f} s, exit {done.returncode}, {ok} ok; {done.stdout.strip().splitlines()[-1]}")
        started = time.perf_counter()
        singles = single_checks(root)
        print(f"sum of single checks (verify only): {singles:.1f} s; "
              f"with building the checking environments: {time.perf_counter() - started:.1f} s")
        print(f"audit / sum of single checks: {audit_s / singles:.2f}x")


if __name__ == "__main__":
    main()
