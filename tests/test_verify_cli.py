"""`wb lean verify` as a user runs it: exit codes, the JSON object, the human summary, toolchain problems."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from _lean_fixtures import FIXTURES, lean_bin  # noqa: F401  (fixture)

pytestmark = pytest.mark.lean

ARITH = FIXTURES / "Arith.lean"
CAND = FIXTURES / "cand"
WB = str(Path(sys.executable).with_name("wb"))


def wb(*args: str, input: bytes | None = None):
    from cli.app import app

    return CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)


def verify_args(lean_bin, which: str, *extra: str, name: str = "Arith.add_zero") -> list[str]:
    return ["lean", "verify", str(ARITH), str(CAND / f"{which}.lean"), "--name", name, "--lean", str(lean_bin), *extra]


def test_accepted_exit_0_and_summary(lean_bin):
    r = wb(*verify_args(lean_bin, "honest_helpers"))
    assert r.exit_code == 0, r.output
    assert "accepted: Arith.add_zero is proved" in r.stdout
    assert "axioms: none" in r.stdout


def test_json_object_shape(lean_bin):
    r = wb(*verify_args(lean_bin, "honest", "--json"))
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert {"verdict", "reasons", "axioms", "lean_version", "elapsed_s", "messages", "checker_version"} <= set(data)
    assert data["verdict"] == "accepted" and data["reasons"] == [] and data["axioms"] == []
    assert data["lean_version"].startswith("Lean (version 4.35")


@pytest.mark.parametrize(
    "which, code",
    [
        ("weaker", "statement-mismatch"),
        ("smuggle", "statement-mismatch"),
        ("sorry", "sorry"),
        ("axiom", "axiom"),
        ("error", "lean-error"),
        ("missing", "missing-declaration"),
        ("exit", "forbidden"),
        ("own_axiom", "forbidden"),
        ("not_utf8", "bad-input"),
    ],
)
def test_rejected_exit_1_with_reason_code(lean_bin, which, code):
    r = wb(*verify_args(lean_bin, which, "--json"))
    assert r.exit_code == 1, r.output
    data = json.loads(r.stdout)
    assert data["verdict"] == "rejected"
    assert code in [reason["code"] for reason in data["reasons"]]
    assert all(set(reason) == {"code", "message", "line"} for reason in data["reasons"])


def test_human_output_maps_positions_to_candidate_lines(lean_bin):
    r = wb(*verify_args(lean_bin, "error"))
    assert r.exit_code == 1
    cand = str(CAND / "error.lean")
    assert f"lean-error: {cand}:2: Type mismatch" in r.stdout
    assert f"{cand}:2:3: error: Type mismatch" in r.stdout


def test_forbidden_reason_has_the_line(lean_bin):
    r = wb(*verify_args(lean_bin, "exit", "--json"))
    reason = json.loads(r.stdout)["reasons"][0]
    assert reason["code"] == "forbidden" and reason["line"] == 2 and "#exit" in reason["message"]


def test_allow_axiom(lean_bin):
    assert wb(*verify_args(lean_bin, "axiom")).exit_code == 1
    r = wb(*verify_args(lean_bin, "axiom", "--allow-axiom", "add_zero_ax", "--allow-axiom", "other", "--json"))
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["axioms"] == ["add_zero_ax"]


def test_empty_and_too_large_candidates(lean_bin, tmp_path):
    from workbench.lean.verify import MAX_CANDIDATE_BYTES

    empty = tmp_path / "empty.lean"
    empty.write_text("")
    big = tmp_path / "big.lean"
    big.write_bytes(b"-" * (MAX_CANDIDATE_BYTES + 1))
    for path, why in ((empty, "empty"), (big, "limit")):
        r = wb("lean", "verify", str(ARITH), str(path), "--name", "Arith.add_zero", "--lean", str(lean_bin), "--json")
        assert r.exit_code == 1
        reason = json.loads(r.stdout)["reasons"][0]
        assert reason["code"] == "bad-input" and why in reason["message"]


def test_candidate_from_stdin(lean_bin):
    args = ["lean", "verify", str(ARITH), "-", "--name", "Arith.add_zero", "--lean", str(lean_bin)]
    assert wb(*args, input=(CAND / "honest.lean").read_bytes()).exit_code == 0


def test_bad_lean_path_exit_2(lean_bin, tmp_path):
    r = wb(*verify_args(lean_bin, "honest")[:-2], "--lean", str(tmp_path / "nowhere" / "lean"))
    assert r.exit_code == 2
    assert "does not exist" in r.stderr and "elan" in r.stderr
    assert r.stdout == ""


def test_bad_lean_path_json_prints_toolchain_verdict(lean_bin, tmp_path):
    r = wb(*verify_args(lean_bin, "honest")[:-2], "--lean", str(tmp_path / "lean"), "--json")
    assert r.exit_code == 2
    data = json.loads(r.stdout)
    assert data["verdict"] == "rejected" and data["reasons"][0]["code"] == "toolchain"


def test_no_toolchain_anywhere_names_what_was_tried(tmp_path, monkeypatch):
    monkeypatch.delenv("WORKBENCH_LEAN", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    r = wb("lean", "verify", str(ARITH), str(CAND / "honest.lean"), "--name", "Arith.add_zero", "--json")
    assert r.exit_code == 2
    message = json.loads(r.stdout)["reasons"][0]["message"]
    assert "WORKBENCH_LEAN" in message and "lean on PATH" in message and "elan-init.sh" in message


def test_workbench_lean_env(lean_bin, monkeypatch):
    monkeypatch.setenv("WORKBENCH_LEAN", str(lean_bin))
    r = wb("lean", "verify", str(ARITH), str(CAND / "honest.lean"), "--name", "Arith.add_zero")
    assert r.exit_code == 0, r.output


def test_unknown_name_and_bad_sandbox_mode_are_usage_errors(lean_bin):
    r = wb(*verify_args(lean_bin, "honest", name="Arith.nope"))
    assert r.exit_code == 2 and "no theorem or lemma named 'Arith.nope'" in r.stderr
    r = wb(*verify_args(lean_bin, "honest", "--sandbox", "maybe"))
    assert r.exit_code == 2 and "--sandbox" in r.stderr


def test_missing_candidate_file(lean_bin, tmp_path):
    r = wb("lean", "verify", str(ARITH), str(tmp_path / "none.lean"), "--name", "Arith.add_zero", "--lean", str(lean_bin))
    assert r.exit_code == 2 and "does not exist" in r.stderr


def test_timeout_through_the_real_command_kills_lean(lean_bin):
    started = time.monotonic()
    proc = subprocess.run(
        [WB, *verify_args(lean_bin, "hang", "--timeout", "2", "--json")], capture_output=True, text=True, timeout=60,
    )
    assert time.monotonic() - started < 10
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["reasons"][0]["code"] == "timeout"
    left = subprocess.run(["pgrep", "-f", "WbCheck_"], capture_output=True, text=True)
    assert left.stdout.strip() == "", "a Lean process outlived its timeout"


def test_memory_cap_through_the_command(lean_bin):
    r = wb(*verify_args(lean_bin, "hang", "--memory-mb", "150", "--timeout", "60", "--sandbox", "off", "--json"))
    assert r.exit_code == 1
    assert json.loads(r.stdout)["reasons"][0]["code"] == "memory"
