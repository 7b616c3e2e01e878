"""The tactic portfolio and the `prove` driver: candidates from workbench.toml, a clear refusal where there are
no tactics (the offline Lean has no Init), usage errors, and the attempt loop batch runs reuse."""

from __future__ import annotations

import json

import pytest

from _prove_fixtures import lean_bin, proving_ws  # noqa: F401 - fixtures


def test_portfolio_refuses_prelude_statements(proving_ws, wb):
    """`prelude` statements have no tactics: one line saying what is needed, exit 2, no attempts recorded."""
    root = proving_ws.root
    r = wb("prove", "add-zero", cwd=root)
    assert r.exit_code == 2, r.output
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "needs a Lean toolchain with tactics" in lines[0] and "prelude" in lines[0]
    assert "Traceback" not in r.output
    assert json.loads(wb("attempts", "add-zero", "--json", cwd=root).stdout) == []


@pytest.mark.lean
def test_tactic_probe_on_a_toolchain_without_init(lean_bin):  # noqa: F811
    from workbench.lean.toolchain import resolve_toolchain
    from workbench.provers.portfolio import toolchain_has_tactics

    assert toolchain_has_tactics(resolve_toolchain(str(lean_bin))) is False


def test_candidates_follow_workbench_toml(proving_ws):
    from workbench.provers.base import build_task
    from workbench.provers.portfolio import DEFAULT_TACTICS, PortfolioProver, tactics_from_config
    from workbench.workspace import Workspace

    ws = Workspace.open(proving_ws.root)
    assert tactics_from_config(ws.config) == list(DEFAULT_TACTICS)
    with (proving_ws.root / "workbench.toml").open("a") as fh:
        fh.write('\n[provers.portfolio]\ntactics = ["decide", "intros; simp"]\n')
    ws = Workspace.open(proving_ws.root)
    tactics = tactics_from_config(ws.config)
    assert tactics == ["decide", "intros; simp"]
    task = build_task(ws, "add-zero")
    texts = PortfolioProver(tactics).candidate_texts(task)
    assert [t for t, _ in texts] == tactics
    assert texts[1][1].endswith("theorem add_zero (n : N) : Eq (N.add n N.z) n := by\n  intros; simp\n")


def test_bad_tactics_config_is_named(proving_ws, wb):
    with (proving_ws.root / "workbench.toml").open("a") as fh:
        fh.write("\n[provers.portfolio]\ntactics = []\n")
    r = wb("prove", "add-zero", cwd=proving_ws.root)
    assert r.exit_code == 1 and "[provers.portfolio]" in r.stderr and "tactics" in r.stderr


def test_prove_needs_a_formalized_node(seeded, wb):
    r = wb("prove", "minimax", cwd=seeded)
    assert r.exit_code == 2 and "not formalized" in r.stderr and "wb formalize minimax" in r.stderr
    r = wb("prove", "nope", cwd=seeded)
    assert r.exit_code == 1 and "no conjecture 'nope'" in r.stderr


def test_prove_usage_errors(proving_ws, wb):
    root = proving_ws.root
    r = wb("prove", "add-zero", "--prover", "nobody", cwd=root)
    assert r.exit_code == 2 and "unknown prover 'nobody'" in r.stderr
    r = wb("prove", "add-zero", "--model", "gpt-x", cwd=root)
    assert r.exit_code == 2 and "portfolio prover uses no model" in r.stderr
    r = wb("prove", "add-zero", "--rounds", "0", cwd=root)
    assert r.exit_code == 2


def test_unchecked_statement_says_run_check(proving_ws, wb):
    from workbench.workspace import Workspace

    ws = Workspace.open(proving_ws.root)
    conj = ws.get("one-add-one")
    conj.status = conj.status.informal
    conj.evidence = None
    ws.save(conj, "test: back to informal")
    r = wb("prove", "one-add-one", cwd=proving_ws.root)
    assert r.exit_code == 2 and "run `wb check one-add-one` first" in r.stderr


def test_run_attempt_with_a_custom_check(proving_ws):
    """The loop batch runs reuse: each candidate checked by the caller's `check`, recorded with its slot,
    the prover stopped at the first acceptance."""
    from workbench.attempts import AttemptStore
    from workbench.model import Verdict
    from workbench.prove import rejected, run_attempt
    from workbench.provers.base import Feedback, build_task
    from workbench.provers.portfolio import PortfolioProver
    from workbench.settle import LeanOptions
    from workbench.workspace import Workspace

    ws = Workspace.open(proving_ws.root)
    task = build_task(ws, "add-zero")
    seen = []

    def check(t, candidate):
        seen.append(candidate.label)
        if candidate.label == "decide":
            return Feedback(verdict=Verdict(verdict="accepted"), checked=candidate.text), None
        return Feedback(verdict=rejected("lean-error", f"{candidate.label} failed"), checked=candidate.text), None

    recorded = []
    with AttemptStore(ws) as store:
        out = run_attempt(ws, task, PortfolioProver(["rfl", "decide", "simp"]), lean_opts=LeanOptions(), store=store,
                          run_id="run-1", slot_prefix="run-1/add-zero/portfolio/1", check=check,
                          on_attempt=recorded.append)
        assert seen == ["rfl", "decide"]
        assert [a.verdict for a in out.attempts] == ["rejected", "accepted"]
        assert [a.no for a in recorded] == [1, 2]
        assert store.slots("run-1") == {"run-1/add-zero/portfolio/1/1", "run-1/add-zero/portfolio/1/2"}
        rows = store.for_run("run-1")
        assert [r.label for r in rows] == ["rfl", "decide"] and rows[0].reasons[0].message == "rfl failed"


def test_should_stop_is_asked_before_each_candidate(proving_ws):
    from workbench.attempts import AttemptStore
    from workbench.prove import rejected, run_attempt
    from workbench.provers.base import Feedback, build_task
    from workbench.provers.portfolio import PortfolioProver
    from workbench.settle import LeanOptions
    from workbench.workspace import Workspace

    ws = Workspace.open(proving_ws.root)
    calls = []

    def check(t, c):
        calls.append(c.label)
        return Feedback(verdict=rejected("lean-error", "no")), None

    with AttemptStore(ws) as store:
        out = run_attempt(ws, build_task(ws, "add-zero"), PortfolioProver(["rfl", "decide", "simp"]),
                          lean_opts=LeanOptions(), store=store, check=check, should_stop=lambda: len(calls) >= 2)
    assert calls == ["rfl", "decide"] and len(out.attempts) == 2


def test_no_lean_is_exit_2_before_any_model_call(proving_ws, openai_server, wb, monkeypatch, tmp_path):
    from _prove_fixtures import use_provider

    root = proving_ws.root
    use_provider(root, openai_server)
    monkeypatch.setenv("WORKBENCH_LEAN", str(tmp_path / "no-such-lean"))
    r = wb("prove", "add-zero", "--prover", "mock", cwd=root)
    assert r.exit_code == 2 and "no-such-lean" in r.stderr and "Traceback" not in r.output
    assert openai_server.requests == []
