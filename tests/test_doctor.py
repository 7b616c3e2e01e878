"""Toolchain resolution and `wb doctor`: what is found, how, and what to install when something is missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from _lean_fixtures import FIXTURES, lean_bin  # noqa: F401  (fixture)
from workbench.errors import ToolchainError
from workbench.lean.toolchain import ELAN_INSTALL, doctor, resolve_toolchain

FAKE_LAKE = """#!/bin/sh
# A stand-in for Lake: `env` runs a command with the project's LEAN_PATH, `build` compiles with the real lean.
case "$1" in
  --version) echo "Lake version 5.0.0-test (Lean version 4.35.0)";;
  env) shift; LEAN_PATH="$PWD/.lake/build/lib/lean" PATH="{bindir}:$PATH" exec "$@";;
  build) shift; echo "$@" >> "$PWD/build.log"
    for m in "$@"; do
      f=$(echo "$m" | tr . /)
      mkdir -p ".lake/build/lib/lean/$(dirname "$f")"
      LEAN_PATH="$PWD/.lake/build/lib/lean" "{bindir}/lean" --root=. -o ".lake/build/lib/lean/$f.olean" "$f.lean" || exit 1
    done;;
  *) exit 1;;
esac
"""


def wb(*args: str):
    from cli.app import app

    return CliRunner().invoke(app, list(args), catch_exceptions=False)


@pytest.fixture()
def bare_path(tmp_path, monkeypatch):
    """PATH holding only a fresh bin directory (no lean, lake, elan or bwrap) and no WORKBENCH_LEAN."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    monkeypatch.setenv("PATH", str(bindir))
    monkeypatch.delenv("WORKBENCH_LEAN", raising=False)
    return bindir


@pytest.fixture()
def lake_project(tmp_path, lean_bin, bare_path):
    """A workspace with a Lake project in lean/, a fake `lake` and the offline `lean` on PATH."""
    (bare_path / "lean").symlink_to(lean_bin)
    for tool in ("sh", "tr", "dirname", "mkdir", "printf"):
        real = next((Path(d) / tool for d in ("/usr/bin", "/bin") if (Path(d) / tool).exists()), None)
        if real:
            (bare_path / tool).symlink_to(real)
    lake = bare_path / "lake"
    lake.write_text(FAKE_LAKE.format(bindir=bare_path))
    lake.chmod(0o755)
    root = tmp_path / "ws"
    project = root / "lean"
    (project / "Lib").mkdir(parents=True)
    (project / "lakefile.toml").write_text('name = "lib"\n[[lean_lib]]\nname = "Lib"\n')
    arith = (FIXTURES / "Arith.lean").read_text()
    defs, _, rest = arith.partition("namespace Arith")
    (project / "Lib" / "Defs.lean").write_text(defs)
    (project / "Lib" / "Stmt.lean").write_text("prelude\nimport Lib.Defs\n\nnamespace Arith" + rest)
    return root


def test_explicit_path_wins(lean_bin, monkeypatch):
    monkeypatch.setenv("WORKBENCH_LEAN", "/nowhere/lean")
    tc = resolve_toolchain(str(lean_bin), config_lean="/also/nowhere")
    assert tc.source == "--lean" and tc.lean_cmd == [str(lean_bin)]
    assert tc.version.startswith("Lean (version 4.35.0")


def test_env_then_config_then_path(lean_bin, bare_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_LEAN", str(lean_bin))
    assert resolve_toolchain(config_lean="/nowhere").source == "WORKBENCH_LEAN"
    monkeypatch.delenv("WORKBENCH_LEAN")
    assert resolve_toolchain(config_lean=str(lean_bin)).source == "workbench.toml"
    (bare_path / "lean").symlink_to(lean_bin)
    assert resolve_toolchain().source == "PATH"


def test_nothing_found_says_what_was_tried_and_how_to_install(bare_path, tmp_path):
    with pytest.raises(ToolchainError) as err:
        resolve_toolchain(workspace_root=tmp_path)
    text = str(err.value)
    for tried in ("--lean", "WORKBENCH_LEAN", "workbench.toml", "lake env lean", "lean on PATH"):
        assert tried in text
    assert ELAN_INSTALL in text
    assert err.value.exit_code == 2


def test_bad_explicit_paths(tmp_path):
    with pytest.raises(ToolchainError, match="does not exist"):
        resolve_toolchain(str(tmp_path / "lean"))
    not_exec = tmp_path / "lean"
    not_exec.write_text("")
    with pytest.raises(ToolchainError, match="not executable"):
        resolve_toolchain(str(not_exec))


@pytest.mark.lean
def test_lake_project_is_resolved_with_its_lean_path(lake_project):
    tc = resolve_toolchain(workspace_root=lake_project)
    assert tc.source == "lake" and tc.cwd == lake_project / "lean"
    assert tc.lean_path == [lake_project / "lean" / ".lake" / "build" / "lib" / "lean"]
    assert tc.lake and tc.lake.endswith("lake")


@pytest.mark.lean
def test_verify_through_lake_builds_the_statements_imports(lake_project):
    from workbench.lean.verify import check_statement, verify

    tc = resolve_toolchain(workspace_root=lake_project)
    stmt = lake_project / "lean" / "Lib" / "Stmt.lean"
    proof = (FIXTURES / "cand" / "honest.lean").read_text()
    v = verify(stmt, proof, "Arith.add_zero", toolchain=tc, sandbox="off")
    assert v.accepted, v.reasons
    assert (lake_project / "lean" / "build.log").read_text().split() == ["Lib.Defs"]
    assert verify(stmt, proof, "Arith.add_zero", toolchain=tc, sandbox="off").accepted
    assert (lake_project / "lean" / "build.log").read_text().split() == ["Lib.Defs"], "built again"
    assert check_statement(stmt, "Arith.add_zero", toolchain=tc, sandbox="off").accepted


@pytest.mark.lean
def test_doctor_reports_everything_found(lake_project):
    report = doctor(lake_project)
    assert report.ok and report.lean.source == "lake"
    assert report.lake and report.lake_version.startswith("Lake version")
    assert report.lake_project == lake_project / "lean" and report.mathlib == "absent"
    assert report.bwrap is None
    assert any("bubblewrap" in p.what for p in report.problems)


@pytest.mark.lean
def test_doctor_asks_for_the_mathlib_cache(lake_project):
    project = lake_project / "lean"
    (project / "lakefile.toml").write_text('name = "lib"\n[[require]]\nname = "mathlib"\nscope = "leanprover-community"\n')
    report = doctor(lake_project)
    assert report.mathlib == "not built"
    assert any("lake exe cache get" in p.fix for p in report.problems)


def test_doctor_without_lean_names_elan(bare_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = wb("doctor")
    assert r.exit_code == 1
    assert "lean        missing" in r.stdout
    assert ELAN_INSTALL in r.stdout.replace("\n      ", " ").replace("\n", "")
    data = json.loads(wb("doctor", "--json").stdout)
    assert data["ok"] is False and data["lean"] is None
    assert any("elan" in p["fix"] for p in data["problems"])


@pytest.mark.lean
def test_doctor_command_with_explicit_lean(lean_bin, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = wb("doctor", "--lean", str(lean_bin))
    assert r.exit_code == 0, r.output
    assert "Lean (version 4.35.0" in r.stdout and "from --lean" in r.stdout
    data = json.loads(wb("doctor", "--lean", str(lean_bin), "--json").stdout)
    assert data["ok"] is True and data["lean"]["source"] == "--lean"
    assert set(data) >= {"lean", "lake", "bwrap", "sandbox_works", "problems", "elan"}
