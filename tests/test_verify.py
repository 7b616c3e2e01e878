"""The verification pipeline through its Python API, against the real (offline) Lean kernel."""

from __future__ import annotations

import time

import pytest

from _lean_fixtures import FIXTURES, lean_bin, lean_toolchain  # noqa: F401  (fixtures)
from workbench.errors import ToolchainError, UsageError
from workbench.lean.verify import CHECKER_VERSION, MAX_CANDIDATE_BYTES, check_statement, verify

pytestmark = pytest.mark.lean

ARITH = FIXTURES / "Arith.lean"
CAND = FIXTURES / "cand"


def cand(name: str) -> str:
    return (CAND / f"{name}.lean").read_text(encoding="utf-8")


def check(toolchain, candidate: str | bytes, name: str = "Arith.add_zero", **kw):
    kw.setdefault("timeout", 60)
    kw.setdefault("sandbox", "auto")
    return verify(ARITH, candidate, name, toolchain=toolchain, **kw)


def codes(verdict) -> list[str]:
    return [r.code.value for r in verdict.reasons]


@pytest.mark.parametrize("which", ["honest", "honest_helpers", "defeq"])
def test_honest_proofs_are_accepted(lean_toolchain, which):
    v = check(lean_toolchain, cand(which))
    assert v.verdict == "accepted", v.reasons
    assert v.reasons == [] and v.axioms == []
    assert v.lean_version.startswith("Lean (version 4.")
    assert v.checker_version == CHECKER_VERSION
    assert v.elapsed_s > 0


def test_name_as_written_is_resolved_in_its_namespace(lean_toolchain):
    assert check(lean_toolchain, cand("honest"), name="add_zero").accepted


def test_section_variable_proof_is_accepted(lean_toolchain):
    assert check(lean_toolchain, cand("add_one"), name="Arith.add_one").accepted


def test_dotted_name_inside_namespace(lean_toolchain):
    v = check(lean_toolchain, cand("deep"), name="Arith.Deep.succ_ne_zero")
    assert v.accepted, v.reasons


@pytest.mark.parametrize(
    "which, code",
    [
        ("weaker", "statement-mismatch"),
        ("smuggle", "statement-mismatch"),
        ("sorry", "sorry"),
        ("axiom", "axiom"),
        ("error", "lean-error"),
        ("missing", "missing-declaration"),
        ("root_dodge", "missing-declaration"),
        ("namespace_dodge", "missing-declaration"),
        ("escape_scope", "lean-error"),
        ("exit", "forbidden"),
        ("own_axiom", "forbidden"),
    ],
)
def test_rejections_have_the_right_reason(lean_toolchain, which, code):
    v = check(lean_toolchain, cand(which))
    assert v.verdict == "rejected"
    assert code in codes(v), v.reasons


def test_axiom_reason_names_the_axiom_and_allow_axiom_accepts(lean_toolchain):
    v = check(lean_toolchain, cand("axiom"))
    assert v.axioms == ["add_zero_ax"]
    assert "add_zero_ax" in v.reasons[0].message and "--allow-axiom add_zero_ax" in v.reasons[0].message
    ok = check(lean_toolchain, cand("axiom"), allow_axioms=["add_zero_ax"])
    assert ok.accepted and ok.axioms == ["add_zero_ax"]


def test_sorry_audit_lists_sorryax(lean_toolchain):
    v = check(lean_toolchain, cand("sorry"))
    assert v.axioms == ["sorryAx"]
    assert any(m.severity == "warning" and "sorry" in m.text and m.in_candidate and m.line == 1 for m in v.messages)


def test_error_positions_are_candidate_lines(lean_toolchain):
    v = check(lean_toolchain, cand("error"))
    errors = [m for m in v.messages if m.severity == "error" and m.in_candidate]
    assert errors and errors[0].line == 2 and errors[0].column == 2
    assert v.reasons[0].line == 2


def test_smuggled_hypothesis_is_shown_in_the_mismatch(lean_toolchain):
    v = check(lean_toolchain, cand("smuggle"))
    assert codes(v) == ["statement-mismatch"]
    assert "False →" in v.reasons[0].message


def test_negation_mode(lean_toolchain):
    v = check(lean_toolchain, cand("negation"), name="Arith.zero_eq_one", negate=True)
    assert v.accepted, v.reasons
    wrong = check(lean_toolchain, cand("negation"), name="Arith.zero_eq_one")
    assert codes(wrong) == ["statement-mismatch"]


def test_candidate_using_the_checkers_reference_is_rejected(lean_toolchain, monkeypatch):
    import secrets

    monkeypatch.setattr(secrets, "token_hex", lambda n=8: "feedface")
    cheat = "theorem add_zero (n : N) : Eq (N.add n N.z) n := wb_stmt_feedface n\n"
    v = check(lean_toolchain, cheat)
    assert codes(v) == ["axiom"]
    assert "checker's own copy" in v.reasons[0].message


def test_candidate_cannot_close_the_checkers_section(lean_toolchain, monkeypatch):
    v = check(lean_toolchain, "end\n" + cand("honest") + "section\n")
    assert "lean-error" in codes(v)


def test_unterminated_comment_is_refused_before_lean(lean_toolchain):
    v = check(lean_toolchain, cand("honest") + "/- hides what follows")
    assert codes(v) == ["forbidden"] and v.lean_version


def test_timeout_kills_lean(lean_toolchain):
    started = time.monotonic()
    v = check(lean_toolchain, cand("hang"), timeout=2, sandbox="off")
    assert codes(v) == ["timeout"]
    assert time.monotonic() - started < 6


def test_memory_cap(lean_toolchain):
    v = check(lean_toolchain, cand("hang"), timeout=60, memory_mb=150, sandbox="off")
    assert codes(v) == ["memory"], v.reasons


@pytest.mark.parametrize(
    "data, why",
    [
        (b"theorem add_zero := caf\xe9", "UTF-8"),
        (b"", "empty"),
        (b"  \n\t\n", "empty"),
        (b"theorem x\x00", "NUL"),
        (b"-" * (MAX_CANDIDATE_BYTES + 1), "limit"),
    ],
)
def test_bad_input_runs_no_lean(tmp_path, data, why):
    from workbench.lean.toolchain import Toolchain

    never = Toolchain(lean_cmd=[str(tmp_path / "no-such-lean")], source="--lean")
    v = verify(ARITH, data, "Arith.add_zero", toolchain=never)
    assert codes(v) == ["bad-input"] and why in v.reasons[0].message


def test_largest_allowed_candidate_is_not_bad_input(lean_toolchain):
    body = cand("honest")
    padded = body + "-" * (MAX_CANDIDATE_BYTES - len(body.encode()) - 1) + "\n"
    assert len(padded.encode()) == MAX_CANDIDATE_BYTES
    assert check(lean_toolchain, padded).accepted


def test_unknown_name_in_statement_is_usage_error(lean_toolchain):
    with pytest.raises(UsageError, match="no theorem or lemma named 'nope'"):
        check(lean_toolchain, cand("honest"), name="nope")


def test_missing_statement_is_usage_error(lean_toolchain, tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        verify(tmp_path / "none.lean", "x", "x", toolchain=lean_toolchain)


def test_broken_toolchain_is_toolchain_error(tmp_path):
    from workbench.lean.toolchain import resolve_toolchain

    fake = tmp_path / "lean"
    fake.write_text("#!/bin/sh\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(ToolchainError):
        resolve_toolchain(str(fake))


def test_scratch_directory_is_removed(lean_toolchain, tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    assert check(lean_toolchain, cand("honest")).accepted
    assert check(lean_toolchain, cand("hang"), timeout=1, sandbox="off").reasons[0].code.value == "timeout"
    assert list(tmp_path.iterdir()) == []


def test_non_strict_mode_normalizes_a_whole_file(lean_toolchain):
    statement = ARITH.read_text()
    whole = statement.split("namespace Arith")[0] + "namespace Arith\n" + cand("honest") + "end Arith\n"
    assert set(codes(check(lean_toolchain, whole))) == {"forbidden", "axiom"}
    assert check(lean_toolchain, whole, strict=False).accepted


def test_check_statement_accepts_sorry_and_finds_the_name(lean_toolchain):
    v = check_statement(ARITH, "Arith.add_zero", toolchain=lean_toolchain)
    assert v.accepted and v.axioms == ["sorryAx"]
    assert all(not m.in_candidate for m in v.messages)
    missing = check_statement(ARITH, "Arith.nope", toolchain=lean_toolchain)
    assert codes(missing) == ["missing-declaration"]


def test_check_statement_reports_file_lines(lean_toolchain, tmp_path):
    broken = tmp_path / "Broken.lean"
    broken.write_text(ARITH.read_text() + "\ntheorem oops : Eq N.z (N.s N.z) := @Eq.refl _ N.z\n")
    v = check_statement(broken, None, toolchain=lean_toolchain)
    assert codes(v) == ["lean-error"]
    last_line = broken.read_text().count("\n")
    assert v.reasons[0].line == last_line


def test_sandbox_on_without_bwrap_is_a_toolchain_error(lean_toolchain, monkeypatch):
    from workbench.lean import sandbox

    monkeypatch.setattr(sandbox, "bwrap_path", lambda: None)
    with pytest.raises(ToolchainError, match="bubblewrap"):
        check(lean_toolchain, cand("honest"), sandbox="on")


def test_sandbox_auto_without_bwrap_warns_and_still_checks(lean_toolchain, monkeypatch):
    from workbench.lean import sandbox

    monkeypatch.setattr(sandbox, "bwrap_path", lambda: None)
    with pytest.warns(sandbox.SandboxUnavailableWarning):
        assert check(lean_toolchain, cand("honest"), sandbox="auto").accepted


@pytest.mark.sandbox
def test_sandbox_on_checks_inside_bubblewrap(lean_toolchain):
    from workbench.lean import sandbox

    path, works, why = sandbox.sandbox_status()
    if not works:
        pytest.skip(f"bubblewrap unavailable: {why}")
    assert check(lean_toolchain, cand("honest"), sandbox="on").accepted
    assert codes(check(lean_toolchain, cand("weaker"), sandbox="on")) == ["statement-mismatch"]
