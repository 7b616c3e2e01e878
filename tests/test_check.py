"""`wb formalize` and `wb check` (statement, --proof, --disproof) against the real offline Lean."""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from _ws_fixtures import git, head, one_line_error, snapshot

FIXTURES = Path(__file__).parent / "lean"
ARITH = FIXTURES / "Arith.lean"
HONEST = FIXTURES / "cand" / "honest.lean"
NEGATION = FIXTURES / "cand" / "negation.lean"
SORRY = FIXTURES / "cand" / "sorry.lean"


@pytest.fixture
def lean_ws(wb, workspace, lean_bin, monkeypatch):
    """A workspace with `add-zero` and `zero-eq-one` formalized from the Arith fixture, and a node using add-zero."""
    monkeypatch.setenv("WORKBENCH_LEAN", str(lean_bin))
    wb("add", "add-zero", "--kind", "lemma", "--title", "n + 0 = n", "--informal", "Adding zero changes nothing.", cwd=workspace)
    wb("add", "zero-eq-one", "--title", "0 = 1", "--informal", "A false claim.", cwd=workspace)
    wb("add", "builds-on", "--title", "Builds on add-zero", "--informal", "x", "--uses", "add-zero", cwd=workspace)
    for conj, decl in (("add-zero", "Arith.add_zero"), ("zero-eq-one", "Arith.zero_eq_one")):
        r = wb("formalize", conj, "--lean", str(ARITH), "--decl", decl, cwd=workspace)
        assert r.exit_code == 0, r.output
    return workspace


def status(wb, ws: Path, conj_id: str) -> tuple[str, str]:
    data = json.loads(wb("show", conj_id, "--json", cwd=ws).stdout)
    return data["status"], data["recorded_status"]


def test_formalize_copies_the_file_into_the_lake_project_and_records_it(lean_ws, wb):
    node = tomllib.loads((lean_ws / "conjectures" / "add-zero.toml").read_text())
    assert node["formal"] == {"module": "Conjectures.Arith", "decl": "Arith.add_zero", "file": "lean/Conjectures/Arith.lean"}
    assert (lean_ws / "lean/Conjectures/Arith.lean").read_text() == ARITH.read_text()
    assert node["status"] == "informal"
    assert "wb formalize zero-eq-one" in git(lean_ws, "log", "-1", "--format=%s")


def test_formalize_refuses_an_unknown_declaration_and_changes_nothing(lean_ws, wb):
    before = snapshot(lean_ws)
    r = wb("formalize", "builds-on", "--lean", str(ARITH), "--decl", "Arith.nope", cwd=lean_ws)
    assert "Arith.nope" in one_line_error(r)
    assert snapshot(lean_ws) == before


def test_check_moves_an_elaborating_statement_to_formalized(lean_ws, wb):
    r = wb("check", "add-zero", cwd=lean_ws)
    assert r.exit_code == 0, r.output
    assert "elaborates" in r.stdout
    assert status(wb, lean_ws, "add-zero") == ("formalized", "formalized")
    assert git(lean_ws, "log", "-1", "--format=%s").startswith("wb check add-zero")


def test_check_reports_a_statement_that_does_not_elaborate_with_file_and_line(lean_ws, wb):
    bad = lean_ws / "lean" / "Conjectures" / "Broken.lean"
    bad.write_text("prelude\ninductive N where | z\ntheorem t : Missing N := Missing.intro\n")
    wb("formalize", "builds-on", "--lean", str(bad), "--decl", "t", cwd=lean_ws)
    before = snapshot(lean_ws)
    r = wb("check", "builds-on", cwd=lean_ws)
    assert r.exit_code == 1
    assert "lean/Conjectures/Broken.lean:3" in r.stdout
    assert status(wb, lean_ws, "builds-on")[1] == "informal"
    assert snapshot(lean_ws) == before


def test_a_sorry_proof_is_rejected_and_nothing_changes(lean_ws, wb):
    wb("check", "add-zero", cwd=lean_ws)
    before = snapshot(lean_ws)
    r = wb("check", "add-zero", "--proof", str(SORRY), "--json", cwd=lean_ws)
    assert r.exit_code == 1
    result = json.loads(r.stdout)
    assert result["verdict"]["verdict"] == "rejected"
    assert [reason["code"] for reason in result["verdict"]["reasons"]] == ["sorry"]
    assert result["change"] is None
    assert snapshot(lean_ws) == before


def test_an_honest_proof_settles_the_node_with_a_proof_file_that_compiles_alone(lean_ws, wb, lean_bin):
    r = wb("check", "add-zero", "--proof", str(HONEST), cwd=lean_ws)
    assert r.exit_code == 0, r.output
    assert status(wb, lean_ws, "add-zero") == ("proved", "proved")
    node = tomllib.loads((lean_ws / "conjectures" / "add-zero.toml").read_text())
    ev = node["evidence"]
    assert ev["axioms"] == [] and ev["checker_version"] == "wb-verify/2" and "4.35.0" in ev["lean_version"]
    assert ev["prover"] == "manual" and ev["source"] == str(HONEST)
    proof = lean_ws / ev["proof_file"]
    assert proof.is_file() and "@Eq.refl _ n" in proof.read_text()
    run = subprocess.run([str(lean_bin), "--json", str(proof)], capture_output=True, text=True)
    assert run.returncode == 0 and '"severity":"error"' not in run.stdout, run.stdout
    message = git(lean_ws, "log", "-1", "--format=%s")
    assert message.startswith("wb check add-zero --proof: proved") and "Lean 4.35.0" in message
    assert not git(lean_ws, "status", "--porcelain").strip()


def test_a_disproof_marks_the_node_disproved_and_breaks_what_uses_it(lean_ws, wb):
    wb("link", "builds-on", "uses", "zero-eq-one", cwd=lean_ws)
    r = wb("check", "zero-eq-one", "--disproof", str(NEGATION), cwd=lean_ws)
    assert r.exit_code == 0, r.output
    assert status(wb, lean_ws, "zero-eq-one") == ("disproved", "disproved")
    assert status(wb, lean_ws, "builds-on")[0] == "broken"
    module = (lean_ws / "lean/Conjectures/Arith.lean").read_text()
    assert "-- wb:begin disproof zero-eq-one" in module and "theorem zero_eq_one : Eq N.z (N.s N.z) := sorryAx" in module


def test_a_proof_of_the_statement_is_not_a_disproof(lean_ws, wb):
    r = wb("check", "add-zero", "--disproof", str(HONEST), "--json", cwd=lean_ws)
    assert r.exit_code == 1
    assert "statement-mismatch" in [x["code"] for x in json.loads(r.stdout)["verdict"]["reasons"]]


def test_a_status_written_by_hand_is_unverified_whatever_it_uses(lean_ws, wb):
    conj = lean_ws / "conjectures" / "builds-on.toml"
    text = conj.read_text().replace('status = "informal"', 'status = "proved"')
    conj.write_text(text + '\n[formal]\nmodule = "Conjectures.Arith"\ndecl = "later"\n')
    assert status(wb, lean_ws, "builds-on") == ("unverified", "proved")
    wb("check", "add-zero", "--proof", str(HONEST), cwd=lean_ws)
    assert status(wb, lean_ws, "builds-on") == ("unverified", "proved")
    assert "unverified" not in wb("list", "--status", "proved", cwd=lean_ws).stdout


def test_a_settled_node_is_not_settled_twice(lean_ws, wb):
    wb("check", "add-zero", "--proof", str(HONEST), cwd=lean_ws)
    assert "already proved" in one_line_error(wb("check", "add-zero", "--proof", str(HONEST), cwd=lean_ws))


def test_check_without_a_formal_statement_says_how_to_attach_one(lean_ws, wb):
    assert "wb formalize builds-on" in one_line_error(wb("check", "builds-on", cwd=lean_ws))


def test_check_without_any_lean_is_a_toolchain_error(lean_ws, wb, monkeypatch, tmp_path):
    only_git = tmp_path / "bin"
    only_git.mkdir()
    (only_git / "git").symlink_to(shutil.which("git"))
    monkeypatch.delenv("WORKBENCH_LEAN")
    monkeypatch.setenv("PATH", str(only_git))
    before = snapshot(lean_ws)
    r = wb("check", "add-zero", cwd=lean_ws)
    assert r.exit_code == 2
    assert "elan" in one_line_error(r)
    assert snapshot(lean_ws) == before


def test_whole_file_candidates_are_normalized_before_checking(lean_ws, wb, tmp_path):
    whole = tmp_path / "whole.lean"
    whole.write_text(ARITH.read_text().replace("@[simp] theorem add_zero (n : N) : Eq (N.add n N.z) n := sorryAx _ Bool.false", "@[simp] theorem add_zero (n : N) : Eq (N.add n N.z) n := @Eq.refl _ n"))
    r = wb("check", "add-zero", "--proof", str(whole), cwd=lean_ws)
    assert r.exit_code == 0, r.output
    assert head(lean_ws) and status(wb, lean_ws, "add-zero")[0] == "proved"


def test_a_whole_file_with_a_reworded_docstring_and_an_axiom_audit_settles(lean_ws, wb, tmp_path):
    whole = tmp_path / "whole.lean"
    text = (
        ARITH.read_text()
        .replace("/-- An assumption of the library, not proved here. -/", "/-- An assumption we rely on. -/")
        .replace("n := sorryAx _ Bool.false", "n := @Eq.refl _ n", 1)
    )
    whole.write_text(text + "#print axioms Arith.add_zero\n")
    r = wb("check", "add-zero", "--proof", str(whole), "--json", cwd=lean_ws)
    assert r.exit_code == 0, r.output
    assert status(wb, lean_ws, "add-zero")[0] == "proved"


def test_a_settlement_rechecks_the_node_under_the_lock(lean_ws, wb):
    from workbench.errors import ConflictError
    from workbench.settle import LeanOptions, record_settlement, settle
    from workbench.workspace import Workspace

    from workbench.settle import library

    ws = Workspace.open(lean_ws)
    digest = library(ws).digest("zero-eq-one")
    first = settle(ws, "add-zero", HONEST.read_text(), LeanOptions())
    assert first.verdict.accepted and first.change is not None
    commits = git(lean_ws, "rev-list", "--count", "HEAD")
    with pytest.raises(ConflictError, match="already proved"):
        record_settlement(ws, "add-zero", HONEST.read_text(), first.verdict, statement_digest=digest)
    stale = ws.get("zero-eq-one")
    path = lean_ws / stale.formal.file
    path.write_text(path.read_text().replace("inductive N where", "inductive M where | m\ninductive N where"))
    with pytest.raises(ConflictError, match="statement .* changed"):
        record_settlement(ws, "zero-eq-one", "x", first.verdict, statement_digest=digest, negate=True)
    assert git(lean_ws, "rev-list", "--count", "HEAD") == commits
    assert ws.get("zero-eq-one").status.value == "informal"


def test_a_relative_lean_in_workbench_toml_is_taken_from_the_workspace_root(lean_ws, wb, lean_bin, monkeypatch):
    monkeypatch.delenv("WORKBENCH_LEAN")
    (lean_ws / "tools").mkdir()
    (lean_ws / "tools" / "lean").symlink_to(lean_bin)
    toml = lean_ws / "workbench.toml"
    toml.write_text(toml.read_text().replace('# lean = "/home/me/.elan/bin/lean"', 'lean = "tools/lean"'))
    sub = lean_ws / "conjectures"
    r = wb("lean", "verify", str(ARITH), str(HONEST), "--name", "Arith.add_zero", "--json", cwd=sub)
    assert r.exit_code == 0 and json.loads(r.stdout)["verdict"] == "accepted", r.output
    assert wb("check", "add-zero", cwd=sub).exit_code == 0
