"""The graph checked by Lean: proofs that build on lemmas, conditional proofs, evidence that pins what was
proved, and `wb audit` — with the real offline Lean on prelude modules that import each other."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from _ws_fixtures import git, one_line_error, snapshot

PRELUDE = """\
prelude
universe u
axiom sorryAx (α : Sort u) (synthetic : Bool) : α
inductive Bool where | false | true
inductive False : Prop
inductive Eq {α : Sort u} : α → α → Prop where | refl (a : α) : Eq a a
inductive N where | z | s (n : N)
noncomputable def N.add (n m : N) : N := N.rec (motive := fun _ => N) n (fun _ ih => N.s ih) m
"""

BASE = PRELUDE + """
namespace Base
/-- Adding zero on the right changes nothing. -/
theorem add_zero (n : N) : Eq (N.add n N.z) n := sorryAx _ Bool.false

/-- A false claim, for disproofs. -/
theorem zero_eq_one : Eq N.z (N.s N.z) := sorryAx _ Bool.false
end Base
"""

TOP = """\
prelude
import Conjectures.Base

theorem top_thm : Eq (N.add (N.s N.z) N.z) (N.s N.z) := sorryAx _ Bool.false
"""

BASE_PROOF = "theorem add_zero (n : N) : Eq (N.add n N.z) n := @Eq.refl _ n\n"
TOP_USING_BASE = "theorem top_thm : Eq (N.add (N.s N.z) N.z) (N.s N.z) := Base.add_zero (N.s N.z)\n"
TOP_DIRECT = "theorem top_thm : Eq (N.add (N.s N.z) N.z) (N.s N.z) := @Eq.refl _ (N.s N.z)\n"
DISPROOF = """\
theorem zero_eq_one : Eq N.z (N.s N.z) → False := fun h =>
  @Eq.rec N N.z (fun x _ => N.rec (motive := fun _ => Prop) True (fun _ _ => False) x) True.intro (N.s N.z) h
"""


@pytest.fixture
def graph_ws(wb, workspace, lean_bin, monkeypatch, tmp_path):
    """`base` (Base.add_zero), `false-claim` (Base.zero_eq_one) and `top` (top_thm, importing Base), formalized and checked."""
    monkeypatch.setenv("WORKBENCH_LEAN", str(lean_bin))
    lean = workspace / "lean" / "Conjectures"
    lean.mkdir(parents=True, exist_ok=True)
    (lean / "Base.lean").write_text(BASE.replace("inductive False : Prop", "inductive False : Prop\ninductive True : Prop where | intro"))
    (lean / "Top.lean").write_text(TOP)
    wb("add", "base", "--kind", "lemma", "--title", "n + 0 = n", "--informal", "Adding zero.", cwd=workspace)
    wb("add", "false-claim", "--title", "0 = 1", "--informal", "False.", cwd=workspace)
    wb("add", "top", "--title", "1 + 0 = 1", "--informal", "From base.", "--uses", "base", cwd=workspace)
    for conj, file, decl in (("base", "Base", "Base.add_zero"), ("false-claim", "Base", "Base.zero_eq_one"), ("top", "Top", "top_thm")):
        r = wb("formalize", conj, "--lean", str(lean / f"{file}.lean"), "--decl", decl, cwd=workspace)
        assert r.exit_code == 0, r.output
        r = wb("check", conj, "--sandbox", "off", cwd=workspace)
        assert r.exit_code == 0, r.output
    return workspace


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def shown(wb, ws: Path, conj_id: str) -> dict:
    return json.loads(wb("show", conj_id, "--json", cwd=ws).stdout)


def statuses(wb, ws: Path) -> dict[str, str]:
    return {r["id"]: r["status"] for r in json.loads(wb("list", "--json", cwd=ws).stdout)}


def prove(wb, ws: Path, tmp_path: Path, conj_id: str, text: str, *, disproof: bool = False):
    path = write(tmp_path, f"{conj_id}-{'dis' if disproof else ''}proof.lean", text)
    return wb("check", conj_id, "--disproof" if disproof else "--proof", str(path), "--sandbox", "off", cwd=ws)


def test_formalize_keeps_the_root_module_importing_every_statement_module(graph_ws):
    root = (graph_ws / "lean" / "Conjectures.lean").read_text()
    assert "import Conjectures.Base\n" in root and "import Conjectures.Top\n" in root and "prelude" in root


def test_a_lemma_proved_then_used_gives_a_proved_dependent(graph_ws, wb, tmp_path):
    r = prove(wb, graph_ws, tmp_path, "base", BASE_PROOF)
    assert r.exit_code == 0, r.output
    base_module = (graph_ws / "lean/Conjectures/Base.lean").read_text()
    assert "-- wb:begin proof base" in base_module and "@Eq.refl _ n" in base_module
    r = prove(wb, graph_ws, tmp_path, "top", TOP_USING_BASE)
    assert r.exit_code == 0, r.output
    assert statuses(wb, graph_ws)["top"] == "proved"
    ev = shown(wb, graph_ws, "top")["evidence"]
    assert ev["rests_on"] == ["base"] and ev["assumes"] == []
    assert not any(a.startswith("wb_assume") for a in ev["axioms"])


def test_a_conditional_proof_is_completed_when_its_assumption_is_proved(graph_ws, wb, tmp_path):
    r = prove(wb, graph_ws, tmp_path, "top", TOP_USING_BASE)
    assert r.exit_code == 0, r.output
    assert "conditional on base" in git(graph_ws, "log", "-1", "--format=%s")
    data = shown(wb, graph_ws, "top")
    assert (data["status"], data["recorded_status"]) == ("conditional", "proved")
    assert data["evidence"]["assumes"] == ["base"] and data["waiting_for"] == ["base"]
    nxt = json.loads(wb("next", "--json", cwd=graph_ws).stdout)
    assert nxt[0]["id"] == "base"
    commits = int(git(graph_ws, "rev-list", "--count", "HEAD"))
    assert prove(wb, graph_ws, tmp_path, "base", BASE_PROOF).exit_code == 0
    assert statuses(wb, graph_ws)["top"] == "proved"
    assert int(git(graph_ws, "rev-list", "--count", "HEAD")) == commits + 1  # no new run for top


def test_a_conditional_proof_is_broken_by_a_disproof(graph_ws, wb, tmp_path):
    uses_false = "theorem top_thm : Eq (N.add (N.s N.z) N.z) (N.s N.z) := fun_false (Base.zero_eq_one)\n"
    helper = "theorem fun_false (h : Eq N.z (N.s N.z)) : Eq (N.add (N.s N.z) N.z) (N.s N.z) := @Eq.refl _ (N.s N.z)\n"
    r = prove(wb, graph_ws, tmp_path, "top", helper + uses_false)
    assert r.exit_code == 0, r.output
    top = shown(wb, graph_ws, "top")
    assert top["status"] == "conditional" and top["evidence"]["rests_on"] == ["false-claim"]
    assert "false-claim" in [e["target"] for e in top["edges_out"] if e["kind"] == "uses"]  # the edge the proof needed
    assert "added `uses` edge to false-claim" in git(graph_ws, "log", "-1", "--format=%s")
    assert top["unneeded_uses"] == ["base"]
    r = prove(wb, graph_ws, tmp_path, "false-claim", DISPROOF, disproof=True)
    assert r.exit_code == 0, r.output
    assert statuses(wb, graph_ws) == {"base": "formalized", "false-claim": "disproved", "top": "broken"}
    module = (graph_ws / "lean/Conjectures/Base.lean").read_text()
    assert "-- wb:begin disproof false-claim" in module and "namespace Disproof" in module


def test_a_sorry_in_the_candidate_is_still_rejected_and_assumptions_are_not_sorry(graph_ws, wb, tmp_path):
    r = prove(wb, graph_ws, tmp_path, "top", "theorem top_thm : Eq (N.add (N.s N.z) N.z) (N.s N.z) := sorryAx _ Bool.false\n")
    assert r.exit_code == 1 and "sorry" in r.stdout
    assert statuses(wb, graph_ws)["top"] == "formalized"


def test_a_hand_edited_proved_status_shows_unverified(graph_ws, wb):
    path = graph_ws / "conjectures" / "base.toml"
    path.write_text(path.read_text().replace('status = "formalized"', 'status = "proved"'))
    assert statuses(wb, graph_ws)["base"] == "unverified"
    r = wb("audit", "--json", "--sandbox", "off", cwd=graph_ws)
    assert r.exit_code == 1
    report = json.loads(r.stdout)
    assert report["ok"] is False and report["nodes"][0]["id"] == "base" and report["nodes"][0]["result"] == "unverified"


def test_a_statement_edited_after_its_proof_is_stale_until_audited(graph_ws, wb, tmp_path):
    assert prove(wb, graph_ws, tmp_path, "base", BASE_PROOF).exit_code == 0
    module = graph_ws / "lean/Conjectures/Base.lean"
    original = module.read_text()
    module.write_text(original.replace("inductive N where | z | s (n : N)", "inductive N where | z | s (n : N)\ninductive M where | m"))
    assert statuses(wb, graph_ws)["base"] == "stale"
    r = wb("audit", "--sandbox", "off", cwd=graph_ws)
    assert r.exit_code == 1 and "stale" in r.stdout
    r = wb("audit", "--record", "--sandbox", "off", cwd=graph_ws)
    assert r.exit_code == 0, r.output
    assert statuses(wb, graph_ws)["base"] == "proved"
    assert "wb audit --record" in git(graph_ws, "log", "-1", "--format=%s")
    # a change that makes the stored proof wrong: the statement's own text, inside the proof block
    text = module.read_text().replace("--: theorem add_zero (n : N) : Eq (N.add n N.z) n", "--: theorem add_zero (n : N) : Eq (N.add N.z n) n")
    module.write_text(text)
    assert statuses(wb, graph_ws)["base"] == "stale"
    r = wb("audit", "--json", "--sandbox", "off", cwd=graph_ws)
    assert r.exit_code == 1
    node = json.loads(r.stdout)["nodes"][0]
    assert node["result"] == "failed" and any("statement-mismatch" in x or "lean-error" in x for x in node["reasons"])


def test_audit_of_a_clean_workspace(graph_ws, wb, tmp_path):
    assert prove(wb, graph_ws, tmp_path, "top", TOP_USING_BASE).exit_code == 0
    assert prove(wb, graph_ws, tmp_path, "base", BASE_PROOF).exit_code == 0
    r = wb("audit", "--sandbox", "off", cwd=graph_ws)
    assert r.exit_code == 0, r.output
    assert "ok         base" in r.stdout and "ok         top" in r.stdout and "audit ok" in r.stdout
    data = json.loads(wb("audit", "--json", "--sandbox", "off", cwd=graph_ws).stdout)
    assert data == {"ok": True, "nodes": [{"id": "base", "result": "ok", "reasons": []}, {"id": "top", "result": "ok", "reasons": []}]}
    assert wb("audit", "top", "--json", "--sandbox", "off", cwd=graph_ws).exit_code == 0
    r = wb("audit", "false-claim", "--sandbox", "off", cwd=graph_ws)
    assert r.exit_code == 2 and "not settled" in one_line_error(r)


def test_a_hand_edited_proof_block_is_unverified(graph_ws, wb, tmp_path):
    assert prove(wb, graph_ws, tmp_path, "base", BASE_PROOF).exit_code == 0
    module = graph_ws / "lean/Conjectures/Base.lean"
    module.write_text(module.read_text().replace("@Eq.refl _ n", "sorryAx _ Bool.false"))
    assert statuses(wb, graph_ws)["base"] == "unverified"
    node = json.loads(wb("audit", "--json", "--sandbox", "off", cwd=graph_ws).stdout)["nodes"][0]
    assert node["result"] == "unverified" and "differs" in node["reasons"][0]


def test_formalize_force_withdraws_a_settlement(graph_ws, wb, tmp_path):
    assert prove(wb, graph_ws, tmp_path, "base", BASE_PROOF).exit_code == 0
    module = graph_ws / "lean/Conjectures/Base.lean"
    before = snapshot(graph_ws)
    r = wb("formalize", "base", "--lean", str(module), "--decl", "Base.add_zero", cwd=graph_ws)
    assert r.exit_code != 0 and "--force" in one_line_error(r)
    assert snapshot(graph_ws) == before
    r = wb("formalize", "base", "--lean", str(module), "--decl", "Base.add_zero", "--force", cwd=graph_ws)
    assert r.exit_code == 0, r.output
    assert "withdrawn" in git(graph_ws, "log", "-1", "--format=%s")
    assert "wb:begin" not in module.read_text() and "theorem add_zero (n : N) : Eq (N.add n N.z) n := sorryAx _ Bool.false" in module.read_text()
    node = tomllib.loads((graph_ws / "conjectures/base.toml").read_text())
    assert node["status"] == "informal" and "evidence" not in node


@pytest.mark.parametrize("field, new, hint", [
    ("status", 'status = "proved"', "wb check base"),
    ("formal", 'decl = "Base.zero_eq_one"', "wb formalize base"),
])
def test_wb_edit_refuses_status_and_formal_changes(graph_ws, wb, tmp_path, field, new, hint):
    path = graph_ws / "conjectures" / "base.toml"
    old = {"status": 'status = "formalized"', "formal": 'decl = "Base.add_zero"'}[field]
    script = write(tmp_path, "ed.sh", f"#!/bin/sh\nsed -i 's/{old}/{new}/' \"$1\"\n")
    script.chmod(0o755)
    before = path.read_text()
    r = wb("edit", "base", cwd=graph_ws, env={"EDITOR": str(script)})
    assert r.exit_code != 0
    line = one_line_error(r)
    assert f"`{field}`" in line and hint in line
    assert path.read_text() == before


def test_check_proof_is_recorded_as_an_attempt(graph_ws, wb, tmp_path):
    prove(wb, graph_ws, tmp_path, "top", "theorem top_thm : Eq N.z N.z := @Eq.refl _ N.z\n")
    prove(wb, graph_ws, tmp_path, "top", TOP_DIRECT)
    rows = json.loads(wb("attempts", "top", "--json", cwd=graph_ws).stdout)
    assert [r["verdict"] for r in rows] == ["rejected", "accepted"]
    assert all(r["prover"] == "manual" for r in rows) and rows[-1]["settled"] is True


def test_a_helper_that_clashes_with_a_later_declaration_is_rejected(graph_ws, wb, tmp_path):
    (graph_ws / "lean/Conjectures/Top.lean").write_text(TOP + "\ntheorem later_name : Eq N.z N.z := @Eq.refl _ N.z\n")
    clash = "theorem later_name : Eq (N.s N.z) (N.s N.z) := @Eq.refl _ (N.s N.z)\n" + TOP_DIRECT
    git(graph_ws, "commit", "-qam", "a later declaration")
    r = prove(wb, graph_ws, tmp_path, "top", clash)
    assert r.exit_code == 1 and "does not fit into the Lean project" in r.stdout
    assert "wb:begin" not in (graph_ws / "lean/Conjectures/Top.lean").read_text()
    assert statuses(wb, graph_ws)["top"] == "formalized"
