"""The forbidden-construct scan: every listed construct is refused, comments and strings cannot fool it."""

from __future__ import annotations

import pytest

from _lean_fixtures import FIXTURES, lean_toolchain, lean_bin  # noqa: F401  (fixtures)
from workbench.lean.forbidden import scan
from workbench.lean.source import declarations, find_declaration, split_commands

PROOF = "theorem add_zero (n : N) : Eq (N.add n N.z) n := @Eq.refl _ n\n"
HASHES = "#" * 300
RAW_STRING_HIDES_EXIT = f'def s := r{HASHES}"\\"{HASHES} #exit -- "\n' + PROOF
GLUED_SET_OPTION = "theorem t : True := True.intro\ndef x := 512set_option debug.skipKernelTC true in\n" + PROOF
HELPERS = (
    "theorem add_rules (n : N) : Eq (N.add n N.z) n := @Eq.refl _ n\n"
    "theorem declare_refl (n : N) : Eq n n := @Eq.refl _ n\n"
    "theorem add_zero (n : N) : Eq (N.add n N.z) n := add_rules n\n"
)

FORBIDDEN = [
    "import Foo",
    "prelude",
    "#exit",
    "#eval 1",
    "#eval! 1",
    "#print axioms add_zero",
    "#guard_msgs in\n#check N",
    "#check_failure N",
    "set_option debug.skipKernelTC true",
    "set_option debug.skipKernelTC true in\n" + PROOF,
    "set_option «debug».skipKernelTC true",
    "set_option internal.cmdlineSnapshots false",
    "notation \"ℕ\" => N",
    "local notation \"ℕ\" => N",
    "notation3 \"ℕ\" => N",
    "infix:65 \" + \" => N.add",
    "infixl:65 \" + \" => N.add",
    "infixr:65 \" + \" => N.add",
    "prefix:max \"√\" => N.s",
    "postfix:max \"!\" => N.s",
    "macro \"trivial\" : term => `(N.z)",
    "macro_rules | `(N.z) => `(N.z)",
    "syntax \"foo\" : term",
    "elab \"foo\" : term => return default",
    "elab_rules : term | `(foo) => return default",
    "declare_syntax_cat foo",
    "binder_predicate x \" > \" y:term => `($x > $y)",
    "run_cmd pure ()",
    "run_tac pure ()",
    "run_elab pure ()",
    "run_meta pure ()",
    "initialize pure ()",
    "builtin_initialize pure ()",
    "theorem t : True := by_elab pure default",
    "register_option foo : Bool := {defValue := true}",
    "simproc foo (N.add _ _) := fun _ => pure .continue",
    "theorem t : N := by native_decide",
    "unsafe def f : N := N.z",
    "meta def f : N := N.z",
    "axiom cheat : False",
    "@[implemented_by f] def g : N := N.z",
    "@[extern \"c_fn\"] opaque g : N",
    "@[command_elab foo] def g := 1",
    "@[simp, tactic foo] def g := 1",
    "@[«term_elab» foo] def g := 1",
    "@[init f] def g : N := N.z",
    "attribute [command_elab foo] bar",
    "attribute [local tactic foo] bar",
    "def f := s!\"{by native_decide}\"",
    "def f := s!\"{\" #eval 1 \"}\"",
    PROOF + "/- the rest hides everything",
    PROOF + "def s := \"unterminated",
    PROOF + "def c := 'ab'",
    PROOF + "def s := \"bad \\q escape\"",
    GLUED_SET_OPTION,
    RAW_STRING_HIDES_EXIT,
    "def x := 512unsafe def f : N := N.z",
    "def x := 0x1Funsafe def f : N := N.z",
    "def x := 1.5e3set_option debug.skipKernelTC true",
    "def x := 2.unsafe def f : N := N.z",
    "def x := 1_000#exit",
    'def s := r##"a"#"b"## #exit',
    "def s := '\"' #exit -- \"",
    "set_option trace.Meta.synthInstance true in\n" + PROOF,
    "set_option compiler.extract_closed false",
    "set_option warningAsError true",
    "set_option 512 true",
    "theorem t : True := by set_option debug.skipKernelTC true in exact True.intro",
    "register_simp_attr my_simp\n" + PROOF,
    PROOF + "declare_aesop_rule_sets [foo]",
    PROOF + "my_rules foo",
    "/-- doc -/\nregister_thing foo\n" + PROOF,
    "builtin_initialize pure ()",
    "theorem t : True := True.intro +--\n#eval 1",
    PROOF.replace(" := ", "\t:= "),
    PROOF.replace(" := ", "\u00a0:= "),
    "def x := #r\"\\\" #exit -- \"",
    "def x := \"{\" #exit -- \"",
    PROOF + "def x := N.z\r#exit",
    "theorem t : s ≤ tᶜ := h #eval 1",
    "theorem t : #s ≤ #t := h\n#print axioms t",
]


def check(toolchain, text: str, **kw):
    """`verify` of `text` as a proof of Arith.add_zero against the real offline Lean."""
    from workbench.lean.verify import verify

    return verify(FIXTURES / "Arith.lean", text, "Arith.add_zero", toolchain=toolchain, **kw)


@pytest.mark.parametrize("text", FORBIDDEN)
def test_every_forbidden_construct_is_refused(text):
    assert scan(text), f"not refused: {text!r}"


ALLOWED = [
    PROOF,
    "-- we never use #exit, sorry, import or macro here\n" + PROOF,
    "/- #eval /- nested -/ still a comment: notation, syntax, axiom -/\n" + PROOF,
    "/-- docstring mentioning `#exit` and `set_option debug.skipKernelTC` -/\n" + PROOF,
    "def msg := \"#exit and import and macro in a string\"\n" + PROOF,
    "def c := '\"'\ndef d := '\\''\n" + PROOF,
    "@[simp] theorem h (n : N) : Eq n n := @Eq.refl _ n\n" + PROOF,
    "attribute [local simp] N.add\n" + PROOF,
    "set_option maxHeartbeats 400000 in\n" + PROOF,
    "set_option maxRecDepth 10000\n" + PROOF,
    "#check N.add\n#reduce N.z\n" + PROOF,
    "theorem h' (n : N) : Eq n n := @Eq.refl _ n\n" + PROOF,
    "namespace Helpers\ntheorem x : Eq N.z N.z := @Eq.refl _ _\nend Helpers\n" + PROOF,
    "def «my notation» := N.z\n" + PROOF,
    "theorem List.isPrefixOf_refl : True := True.intro\n",
    HELPERS,
    "theorem builtin_helper : True := True.intro\ntheorem register_x : True := builtin_helper\n",
    "theorem add_zero (n : N) : Eq (N.add n N.z) n :=\nadd_rules n\n",
    "theorem my_rules : True := True.intro\ntheorem x : True :=\n  my_rules\n",
    "set_option linter.unusedVariables false in\n" + PROOF,
    "set_option pp.all true\nset_option synthInstance.maxHeartbeats 0 in\n" + PROOF,
    "theorem t : True := by set_option maxHeartbeats 1000 in exact True.intro\n",
    'def x := r##"has "# inside"##\n' + PROOF,
    'def x := r"\\"\n' + PROOF,
    'def x := s!"{N.z} and {N.s N.z}"\n' + PROOF,
    "def «unsafe» := N.z\ndef N.axiom_free := N.z\n" + PROOF,
    PROOF.replace("\n", "\r\n"),
    "theorem t : f ⁻¹' s = f '' s := h.1.2\n",
    "def x := (1_000, 0x1F, 0b101, 0o17, 1.5e3, 2., 1E-3)\n",
    "def c := ('a', '\\'', '\\\\', '\\x41', '\\u0041', '\"')\n",
    "def s := \"gap \\\n   continues \\\"quoted\\\" {x}\"\n",
    "/-! module doc /- nested -/ -/\n/-- doc -/\n@[simp] private theorem add_rules : True := True.intro\n",
    "theorem card_le : #s ≤ #t ∧ 2 * #(s ∩ t) = (#s) := h\n",
    "set_option backward.isDefEq.respectTransparency false in\n" + PROOF,
]


@pytest.mark.parametrize("text", ALLOWED)
def test_honest_text_is_not_refused(text):
    assert scan(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "/-/- -/ #eval evil -- -/\n",  # Lean skips the character after `/-`: the comment ends at the first `-/`
        "/-- doc /--/ -/ #eval evil --  -/\n",
        "/--/ \"  -/ #eval evil -- \"\n",
        "-- a line comment ends here\n#eval evil",
        "def s := \"a\\\" still string \" #eval evil",
        "def c := '\\'' #eval evil",
    ],
)
def test_comment_and_string_tricks_do_not_hide_code(text):
    found = scan(text)
    assert found and any("#eval" in f.construct or "unreadable" in f.construct for f in found), found


def test_an_axiom_is_reported_as_forbidden_and_as_an_axiom():
    [finding] = scan("axiom cheat : False\n")
    assert finding.codes == ("forbidden", "axiom") and finding.construct == "axiom cheat"


def test_unreadable_text_names_line_and_column():
    [finding] = scan(PROOF + "def s :=\n  \"bad \\q\"\n")
    assert finding.construct == "unreadable text" and finding.line == 3
    assert "line 3, column 7: invalid escape" in finding.message


@pytest.mark.parametrize(
    "text, construct",
    [
        (GLUED_SET_OPTION, "set_option debug.skipKernelTC"),
        (RAW_STRING_HIDES_EXIT, "#exit"),
        ("def x := 512unsafe def f : N := N.z", "unsafe"),
        ("set_option «debug».skipKernelTC true", "set_option debug.skipKernelTC"),
        ("register_simp_attr my_simp\n" + PROOF, "register_simp_attr"),
    ],
)
def test_the_refused_construct_is_named(text, construct):
    assert construct in [f.construct for f in scan(text)]


def test_findings_carry_candidate_lines():
    found = scan(PROOF + "\n-- fine\n#exit\n")
    assert [(f.construct, f.line) for f in found] == [("#exit", 4)]


def test_non_strict_scan_allows_header_words_only():
    assert scan("import Foo", strict=False) == []
    assert scan("#exit", strict=False)


@pytest.mark.lean
@pytest.mark.parametrize(
    "text",
    [
        "#eval N.z\n" + PROOF, "set_option debug.skipKernelTC true in\n" + PROOF, "/-/- -/ #exit -- -/\n" + PROOF,
        GLUED_SET_OPTION, RAW_STRING_HIDES_EXIT, "set_option trace.Meta.synthInstance true in\n" + PROOF,
        "/-! /-/- -/ -/ #exit --/\n" + PROOF,
    ],
)
def test_forbidden_candidates_are_rejected_without_running_lean(lean_toolchain, text):
    v = check(lean_toolchain, text)
    assert v.verdict == "rejected" and {r.code.value for r in v.reasons} == {"forbidden"}
    assert v.messages == []


@pytest.mark.lean
def test_a_candidates_own_axiom_is_forbidden_and_an_axiom(lean_toolchain):
    v = check(lean_toolchain, (FIXTURES / "cand" / "own_axiom.lean").read_text())
    assert [r.code.value for r in v.reasons] == ["forbidden", "axiom"]
    assert all("add_zero_ax" in r.message and r.line == 1 for r in v.reasons)


@pytest.mark.lean
@pytest.mark.parametrize(
    "text",
    [
        HELPERS,
        "set_option maxHeartbeats 400000 in\nset_option linter.unusedVariables false in\n" + PROOF,
        "/-- a docstring that says `macro_rules` and `#exit` -/\ntheorem declare_refl (n : N) : Eq n n := @Eq.refl _ n\n" + PROOF,
        PROOF.replace("\n", "\r\n"),
    ],
)
def test_honest_variants_are_accepted_by_lean(lean_toolchain, text):
    v = check(lean_toolchain, text)
    assert v.accepted, v.reasons


@pytest.mark.lean
def test_a_trailing_axiom_audit_is_dropped_only_by_the_non_strict_path(lean_toolchain):
    text = PROOF + "#print axioms add_zero\n#print axioms Arith.add_zero -- audit\n"
    strict = check(lean_toolchain, text)
    assert [(r.code.value, r.line) for r in strict.reasons] == [("forbidden", 2), ("forbidden", 3)]
    assert check(lean_toolchain, text, strict=False).accepted


@pytest.mark.lean
def test_a_whole_file_with_a_changed_docstring_is_normalized_not_rejected(lean_toolchain):
    statement = (FIXTURES / "Arith.lean").read_text()
    whole = (
        statement.replace("/-- An assumption of the library, not proved here. -/", "/-- The library's assumption,\n   reworded. -/")
        .replace("inductive N where | z | s (n : N)", "inductive N where\n  | z\n  | s (n : N)")
        .replace("n := sorryAx _ Bool.false", "n := @Eq.refl _ n", 1)
    )
    assert whole.count("@Eq.refl _ n") == 1 and "reworded" in whole
    assert {r.code.value for r in check(lean_toolchain, whole).reasons} == {"forbidden", "axiom"}
    v = check(lean_toolchain, whole + "#print axioms Arith.add_zero\n", strict=False)
    assert v.accepted, v.reasons


def _wb_verify_json(lean_bin, tmp_path, text: str) -> tuple[int, dict]:
    import json

    from typer.testing import CliRunner

    from cli.app import app

    candidate = tmp_path / "Candidate.lean"
    candidate.write_bytes(text.encode())
    args = ["lean", "verify", str(FIXTURES / "Arith.lean"), str(candidate), "--name", "Arith.add_zero", "--lean", str(lean_bin), "--json"]
    r = CliRunner().invoke(app, args, catch_exceptions=False)
    return r.exit_code, json.loads(r.stdout)


@pytest.mark.lean
@pytest.mark.parametrize(
    "text, construct",
    [
        (GLUED_SET_OPTION, "set_option debug.skipKernelTC"),
        (RAW_STRING_HIDES_EXIT, "#exit"),
        ("def x := 512unsafe def f : N := N.z\n" + PROOF, "unsafe"),
    ],
)
def test_cli_rejects_hidden_cheats(lean_bin, tmp_path, text, construct):
    code, data = _wb_verify_json(lean_bin, tmp_path, text)
    assert code == 1 and data["verdict"] == "rejected"
    assert [r["code"] for r in data["reasons"]] == ["forbidden"] and f"`{construct}`" in data["reasons"][0]["message"]


@pytest.mark.lean
def test_cli_accepts_helpers_named_like_extension_commands(lean_bin, tmp_path):
    code, data = _wb_verify_json(lean_bin, tmp_path, HELPERS)
    assert code == 0 and data["verdict"] == "accepted", data["reasons"]


@pytest.mark.lean
def test_cli_reports_an_own_axiom_both_ways(lean_bin, tmp_path):
    code, data = _wb_verify_json(lean_bin, tmp_path, "axiom cheat (n : N) : Eq (N.add n N.z) n\ntheorem add_zero (n : N) : Eq (N.add n N.z) n := cheat n\n")
    assert code == 1 and [r["code"] for r in data["reasons"]] == ["forbidden", "axiom"]


def test_declarations_in_namespaces_sections_with_docstrings_and_attributes():
    src = """prelude
import Mathlib.Tactic  -- comment
open Foo

namespace A.B
section S
variable (x : Nat)
/-- doc with := inside -/
@[simp, norm_cast]
protected lemma foo.bar {y : Nat} (h : let z := y; z = y) : x = x := by
  rfl
end S
end A.B

namespace C
open Nat in
theorem _root_.top : True := trivial
private theorem hid : True := trivial
end C
"""
    decls = {d.full_name: d for d in declarations(src)}
    assert set(decls) == {"A.B.foo.bar", "top", "C.hid"}
    foo = decls["A.B.foo.bar"]
    assert foo.keyword.text == "lemma" and foo.namespace_prefix == ("foo",)
    assert src[foo.proof_sep.start:foo.proof_sep.end] == ":=" and src[foo.proof_sep.start - 6:foo.proof_sep.start] == "x = x "
    assert src[foo.command.start:].startswith("/-- doc")
    top = decls["top"]
    assert src[top.command.start:top.prefix_end] == "open Nat in"
    assert find_declaration(src, "foo.bar").full_name == "A.B.foo.bar"
    assert find_declaration(src, "A.B.foo.bar").full_name == "A.B.foo.bar"
    assert find_declaration(src, "hid").full_name == "C.hid"
    keywords = [c.keyword for c in split_commands(src)]
    assert keywords[:3] == ["prelude", "import", "open"]
