"""The forbidden-construct scan: every listed construct is refused, comments and strings cannot fool it."""

from __future__ import annotations

import pytest

from _lean_fixtures import FIXTURES, lean_toolchain, lean_bin  # noqa: F401  (fixtures)
from workbench.lean.forbidden import scan
from workbench.lean.source import declarations, find_declaration, split_commands

PROOF = "theorem add_zero (n : N) : Eq (N.add n N.z) n := @Eq.refl _ n\n"

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
    "def f := s!\"{N.z}\"",
    PROOF + "/- the rest hides everything",
    PROOF + "def s := \"unterminated",
    PROOF + "def c := 'ab'",
    PROOF + "def s := \"bad \\q escape\"",
]


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


def test_findings_carry_candidate_lines():
    found = scan(PROOF + "\n-- fine\n#exit\n")
    assert [(f.construct, f.line) for f in found] == [("#exit", 4)]


def test_non_strict_scan_allows_header_words_only():
    assert scan("import Foo", strict=False) == []
    assert scan("#exit", strict=False)


@pytest.mark.lean
@pytest.mark.parametrize("text", ["#eval N.z\n" + PROOF, "set_option debug.skipKernelTC true in\n" + PROOF, "/-/- -/ #exit -- -/\n" + PROOF])
def test_forbidden_candidates_are_rejected_without_running_lean(lean_toolchain, text):
    from workbench.lean.verify import verify

    v = verify(FIXTURES / "Arith.lean", text, "Arith.add_zero", toolchain=lean_toolchain)
    assert v.verdict == "rejected" and {r.code.value for r in v.reasons} == {"forbidden"}
    assert v.messages == []


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
