"""The disproof track: a node a numeric check refuted is skipped by batch runs unless asked, and `wb prove
--disproof` / `wb batch run --disproofs` ask a model (a real local HTTP server) for a proof of the negation,
with the numeric witness in the prompt, checked by the real offline Lean exactly as `wb check --disproof`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from _prove_fixtures import ADD_ZERO_GOOD, KEY, KEY_ENV, PRELUDE, lean_bin, reply_with, use_provider  # noqa: F401
from _ws_fixtures import git, read_node

pytestmark = pytest.mark.lean

STATEMENT = PRELUDE + """\
inductive False : Prop
inductive True : Prop where
  | intro

/-- No number is its own successor, so this is false. -/
theorem succ_self (n : N) : Eq (N.s n) n := sorryAx _ Bool.false

/-- Adding zero on the right changes nothing. -/
theorem add_zero (n : N) : Eq (N.add n N.z) n := sorryAx _ Bool.false
"""
NEGATED_TARGET = "theorem succ_self : (∀ (n : N), Eq (N.s n) n) → False :="
DISPROOF = """\
theorem succ_self : (∀ (n : N), Eq (N.s n) n) → False := fun h =>
  @Eq.rec N (N.s N.z) (fun x _ => N.rec (motive := fun _ => Prop) False (fun _ _ => True) x) True.intro N.z (h N.z)
"""


@dataclass
class DisproofWs:
    root: Path


@pytest.fixture
def disproof_ws(workspace, wb, lean_bin, monkeypatch) -> DisproofWs:  # noqa: F811
    """`succ-self` (false; its claim `n + 1 = n` refuted at n = 0) and `add-zero` (true; claim supported),
    both formalized and checked by the offline Lean."""
    from workbench.settle import LeanOptions, check, formalize
    from workbench.workspace import Workspace

    src = workspace / "Succ.lean"
    src.write_text(STATEMENT, encoding="utf-8")
    nodes = (("succ-self", "succ_self", "n + 1 = n", "Every number is its own successor."),
             ("add-zero", "add_zero", "n + 0 = n", "Adding zero changes nothing."))
    for conj_id, decl, claim, informal in nodes:
        assert wb("add", conj_id, "--title", claim, "--informal", informal, cwd=workspace).exit_code == 0
        ws = Workspace.open(workspace)
        formalize(ws, conj_id, src, decl)
        assert check(ws, conj_id, LeanOptions(lean=str(lean_bin))).status == "formalized"
        wb("numeric-check", conj_id, "--claim", claim, "--var", "n: integer, n >= 0", cwd=workspace)
    src.unlink()
    assert read_node(workspace, "succ-self")["notes"][-1]["numeric"]["witness"] == {"n": "0"}
    monkeypatch.setenv("WORKBENCH_LEAN", str(lean_bin))
    monkeypatch.setenv(KEY_ENV, KEY)
    return DisproofWs(workspace)


def first_user_message(request) -> str:
    return next(m["content"] for m in request.messages if m["role"] == "user")


def test_prove_disproof_sends_the_negation_and_the_witness_and_settles_disproved(disproof_ws, openai_server, wb):
    root = disproof_ws.root
    use_provider(root, openai_server)
    openai_server.script(openai_server.ok("I cannot prove this."), openai_server.ok(reply_with(DISPROOF)))

    # proving a refuted node is allowed when asked for by name, with a pointer to the disproof track
    r = wb("prove", "succ-self", "--prover", "mock", "--rounds", "1", cwd=root)
    assert r.exit_code == 1
    assert "refuted succ-self's claim" in r.stderr and "--disproof" in r.stderr
    assert "NEGATION" not in first_user_message(openai_server.requests[0])

    r = wb("prove", "succ-self", "--disproof", "--prover", "mock", "--rounds", "1", cwd=root)
    assert r.exit_code == 0, r.output
    assert "succ-self is now disproved by mock/test-model" in r.stdout and "disproof in lean/" in r.stdout
    prompt = first_user_message(openai_server.requests[1])
    assert "Prove the NEGATION of the theorem" in prompt and "DISPROVE" in prompt
    assert NEGATED_TARGET in prompt
    assert "counterexample: the claim `n + 1 = n` (where n: integer, n >= 0) fails at n = 0" in prompt
    assert "I cannot prove this." not in prompt  # the failed proof attempt is no lesson for a disproof

    node = read_node(root, "succ-self")
    assert node["status"] == "disproved" and node["evidence"]["prover"] == "mock"
    module = (root / node["formal"]["file"]).read_text()
    assert "-- wb:begin disproof succ-self" in module
    assert json.loads(wb("show", "succ-self", "--json", cwd=root).stdout)["status"] == "disproved"
    assert "succ-self" in git(root, "log", "-1", "--format=%s")


def test_batch_skips_refuted_nodes_and_disproves_them_with_disproofs(disproof_ws, openai_server, wb):
    root = disproof_ws.root
    use_provider(root, openai_server)
    openai_server.on_request = lambda req: openai_server.ok(
        reply_with(DISPROOF if "NEGATION" in first_user_message(req) else ADD_ZERO_GOOD))

    r = wb("batch", "run", "--prover", "mock", "--json", cwd=root)
    assert r.exit_code == 0, r.output
    first = json.loads(r.stdout)
    assert first["settled"] == ["add-zero"]
    status = json.loads(wb("batch", "status", first["id"], "--json", cwd=root).stdout)
    assert status["conjectures"] == ["add-zero"]  # the refuted node was not planned
    assert read_node(root, "succ-self")["status"] == "formalized"
    assert all("(conjecture `succ-self`" not in first_user_message(q) for q in openai_server.requests)

    r = wb("batch", "run", "--prover", "mock", "--disproofs", "--json", cwd=root)
    assert r.exit_code == 0, r.output
    second = json.loads(r.stdout)
    assert second["settled"] == ["succ-self"]
    assert read_node(root, "succ-self")["status"] == "disproved"
    prompt = first_user_message(openai_server.requests[-1])
    assert NEGATED_TARGET in prompt and "fails at n = 0" in prompt
