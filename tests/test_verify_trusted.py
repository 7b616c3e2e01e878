"""Defence in depth that does not rely on the text scan: what a disproof's `False` means, against the real offline Lean."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.lean.verify import verify

pytestmark = pytest.mark.lean

NO_FALSE = """\
prelude
universe u
axiom sorryAx (α : Sort u) (synthetic : Bool) : α
inductive Bool where | false | true
inductive Eq {α : Sort u} : α → α → Prop where | refl (a : α) : Eq a a
inductive N where | z | s (n : N)

/-- A TRUE statement: its negation must never be accepted. -/
theorem z_eq_z : Eq N.z N.z := sorryAx _ Bool.false
"""

WITH_FALSE = NO_FALSE.replace("inductive N where", "inductive False : Prop\ninductive True : Prop where | intro\ninductive N where").replace(
    "theorem z_eq_z : Eq N.z N.z", "theorem z_eq_s : Eq N.z (N.s N.z)")

INHABITED_FALSE = """\
inductive False : Prop where | intro
theorem z_eq_z : Eq N.z N.z → False := fun _ => False.intro
"""

HONEST_DISPROOF = """\
theorem z_eq_s : Eq N.z (N.s N.z) → False := fun h =>
  @Eq.rec N N.z (fun x _ => N.rec (motive := fun _ => Prop) True (fun _ _ => False) x) True.intro (N.s N.z) h
"""


def statement(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "S.lean"
    path.write_text(text)
    return path


def test_a_false_declared_by_the_candidate_cannot_disprove_a_true_statement(lean_toolchain, tmp_path):
    v = verify(statement(tmp_path, NO_FALSE), INHABITED_FALSE, "z_eq_z", toolchain=lean_toolchain, negate=True, sandbox="off", timeout=60)
    assert v.verdict == "rejected"
    assert [r.code.value for r in v.reasons] == ["statement-mismatch"]
    assert "not the empty proposition" in v.reasons[0].message


def test_an_honest_disproof_with_the_statements_false_is_accepted(lean_toolchain, tmp_path):
    v = verify(statement(tmp_path, WITH_FALSE), HONEST_DISPROOF, "z_eq_s", toolchain=lean_toolchain, negate=True, sandbox="off", timeout=60)
    assert v.verdict == "accepted", v.reasons


NO_NAT = NO_FALSE  # declares no Nat, Quot or String: a prelude environment

OWN_NAT = """\
inductive Nat where | zero | succ (n : Nat)
def Nat.beq (a b : Nat) : Bool := Bool.true
theorem z_eq_z : Eq N.z N.z := @Eq.refl _ N.z
"""

OWN_QUOT = """\
init_quot
theorem z_eq_z : Eq N.z N.z := @Eq.refl _ N.z
"""


@pytest.mark.parametrize("candidate, name", [(OWN_NAT, "Nat.beq"), (OWN_QUOT, "Quot.lift")])
def test_a_candidate_may_not_declare_names_the_kernel_trusts(lean_toolchain, tmp_path, candidate, name):
    v = verify(statement(tmp_path, NO_NAT), candidate, "z_eq_z", toolchain=lean_toolchain, sandbox="off", timeout=60)
    assert v.verdict == "rejected"
    assert any(r.code.value == "forbidden" and f"`{name}`" in r.message for r in v.reasons), v.reasons


def test_the_same_proof_without_those_declarations_is_accepted(lean_toolchain, tmp_path):
    v = verify(statement(tmp_path, NO_NAT), "theorem z_eq_z : Eq N.z N.z := @Eq.refl _ N.z\n", "z_eq_z", toolchain=lean_toolchain, sandbox="off", timeout=60)
    assert v.verdict == "accepted", v.reasons


def test_an_allowed_axiom_declared_by_the_candidate_is_refused_by_lean_not_only_by_the_scan(lean_toolchain, tmp_path):
    """White-box: the text scan (which refuses `axiom` outright) is skipped, to show the Lean-side check alone."""
    import secrets

    from workbench.lean import verify as v
    from workbench.lean.source import find_declaration
    from workbench.lean.trusted import KERNEL_NAMES

    text = NO_FALSE
    candidate = "axiom propext : Eq N.z (N.s N.z)\ntheorem z_eq_z : Eq N.z N.z := @Eq.refl _ N.z\ntheorem uses : Eq N.z (N.s N.z) := propext\n"
    probes = sorted(set(KERNEL_NAMES) | {"propext"})
    assembly = v.assemble(text, find_declaration(text, "z_eq_z"), candidate, secrets.token_hex(8), probes)
    checker = v._Checker(lean_toolchain, timeout=60, memory_mb=4096, sandbox="off")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    v._stage_one(checker, scratch, assembly, {"propext"})
    assert "propext" in checker.declared_by_candidate
    assert any(r.code.value == "axiom" and "`propext`" in r.message for r in checker.reasons), checker.reasons
