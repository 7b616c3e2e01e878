"""normalize_candidate: a whole file becomes a candidate by dropping what repeats the statement file."""

from __future__ import annotations

from _lean_fixtures import FIXTURES
from workbench.lean.forbidden import scan
from workbench.lean.normalize import normalize_candidate

STATEMENT = (FIXTURES / "Arith.lean").read_text()
PROOF = "theorem add_zero (n : N) : Eq (N.add n N.z) n := @Eq.refl _ n\n"


def whole_file(proof: str = PROOF) -> str:
    head = STATEMENT.split("namespace Arith")[0]
    return head + "namespace Arith\n\n" + proof + "\nend Arith\n"


def test_repeated_header_and_earlier_declarations_are_dropped():
    out = normalize_candidate(STATEMENT, whole_file(), "Arith.add_zero")
    assert out.strip() == PROOF.strip()
    assert scan(out) == []


def test_line_numbers_are_kept():
    text = whole_file()
    out = normalize_candidate(STATEMENT, text, "Arith.add_zero")
    assert out.count("\n") == text.count("\n")
    line = next(i for i, l in enumerate(text.splitlines(), 1) if l.startswith("theorem add_zero"))
    assert out.splitlines()[line - 1].startswith("theorem add_zero")


def test_whitespace_and_comments_do_not_matter():
    head = STATEMENT.split("namespace Arith")[0]
    spaced = head.replace("inductive N where | z | s (n : N)", "inductive  N  where\n  | z   -- zero\n  | s (n : N)")
    out = normalize_candidate(STATEMENT, spaced + "namespace Arith\n" + PROOF, "Arith.add_zero")
    assert out.strip().splitlines()[-1] == PROOF.strip()
    assert "inductive" not in out


def test_declarations_after_the_target_are_dropped_too():
    later = "theorem later : Eq N.z N.z := sorryAx _ Bool.false\n"
    out = normalize_candidate(STATEMENT, PROOF + later, "Arith.add_zero")
    assert "later" not in out


def test_the_targets_own_statement_is_kept_and_judged():
    sorry_version = "theorem add_zero (n : N) : Eq (N.add n N.z) n := sorryAx _ Bool.false"
    out = normalize_candidate(STATEMENT, whole_file(sorry_version), "Arith.add_zero")
    assert sorry_version in out


def test_anything_new_stays():
    extra = "import Other\n" + whole_file("def helper : N := N.z\n" + PROOF)
    out = normalize_candidate(STATEMENT, extra, "Arith.add_zero")
    assert "import Other" in out and "def helper" in out
    assert [f.construct for f in scan(out)] == ["import"]


def test_changed_definitions_are_not_dropped():
    tampered = whole_file().replace("(fun _ ih => N.s ih) m", "(fun _ _ => N.z) m")
    out = normalize_candidate(STATEMENT, tampered, "Arith.add_zero")
    assert "noncomputable def N.add" in out


def test_unreadable_file_is_returned_unchanged():
    broken = PROOF + "/- never closed"
    assert normalize_candidate(STATEMENT, broken, "Arith.add_zero") == broken


def test_docstrings_do_not_matter_either():
    reworded = STATEMENT.replace("/-- An assumption of the library, not proved here. -/", "/-- Reworded,\n   over two lines. -/")
    head = reworded.split("namespace Arith")[0]
    out = normalize_candidate(STATEMENT, head + "namespace Arith\n" + PROOF + "end Arith\n", "Arith.add_zero")
    assert out.strip() == PROOF.strip()
    assert "axiom" not in out


def test_trailing_axiom_audits_are_dropped():
    text = whole_file() + "#print axioms Arith.add_zero\n-- done\n#print axioms add_zero\n"
    out = normalize_candidate(STATEMENT, text, "Arith.add_zero")
    assert "#print" not in out and out.split() == PROOF.split() + ["--", "done"]
    assert out.count("\n") == text.count("\n")


def test_an_audit_followed_by_more_code_stays_and_is_judged():
    text = PROOF + "#print axioms add_zero\ndef later : N := N.z\n"
    out = normalize_candidate(STATEMENT, text, "Arith.add_zero")
    assert "#print axioms add_zero" in out
    assert [f.construct for f in scan(out)] == ["#print"]


def test_other_print_commands_are_not_audits():
    text = PROOF + "#print \"'Arith.add_zero' does not depend on any axioms\"\n"
    assert normalize_candidate(STATEMENT, text, "Arith.add_zero") == text


def test_a_file_that_proves_an_earlier_sorried_lemma_on_the_way_is_accepted(lean_toolchain):
    from workbench.lean.verify import verify

    statement = FIXTURES / "Helpers.lean"
    text = statement.read_text()
    whole = text.replace("theorem helper (n : N) : Eq (N.add n N.z) n := sorryAx _ Bool.false",
                         "theorem helper (n : N) : Eq (N.add n N.z) n := @Eq.refl _ n").replace(
        "theorem target : Eq (N.add (N.s N.z) N.z) (N.s N.z) := sorryAx _ Bool.false",
        "theorem target : Eq (N.add (N.s N.z) N.z) (N.s N.z) := helper (N.s N.z)")
    out = normalize_candidate(text, whole, "Arith.target")
    assert "theorem helper_proved" in out and ":= helper_proved (N.s N.z)" in out
    v = verify(statement, whole, "Arith.target", toolchain=lean_toolchain, strict=False, sandbox="off", timeout=60)
    assert v.verdict == "accepted", v.reasons
    cheat = whole.replace(":= @Eq.refl _ n", ":= sorryAx _ Bool.false")  # the "proof" of the lemma is itself a gap
    v = verify(statement, cheat, "Arith.target", toolchain=lean_toolchain, strict=False, sandbox="off", timeout=60)
    assert v.verdict == "rejected"
