"""`wb prove --prover stepwise` end to end: a scripted model server proposes tactics, the stand-in backend
(a child process serving a small proof space) runs them, and the real offline Lean checks the assembled
proof before anything is settled.  The stand-in's steps are term steps, since this Lean has no `by`."""

from __future__ import annotations

import json
import subprocess

import pytest

from _prove_fixtures import KEY, KEY_ENV, formalize_nodes, lean_bin, use_provider  # noqa: F401 - fixtures
from _stepwise_standin import GOAL_LEFT, GOAL_RIGHT, GOAL_ROOT, PROPOSALS, SPACE, STATEMENT, propose_from

pytestmark = pytest.mark.lean


@pytest.fixture
def stepwise_ws(workspace, wb, lean_bin, monkeypatch, openai_server, tmp_path):  # noqa: F811
    """A workspace with `both` and `imp` formalized (checked by the offline Lean), a `[providers.mock]`
    entry on the scripted server (proposing PROPOSALS), and `[provers.stepwise]` on the stand-in."""
    formalize_nodes(workspace, wb, lean_bin, STATEMENT,
                    (("both", "both", "n + 0 = n and 0 + 1 = 1"), ("imp", "imp", "p implies p")), file="Steps.lean")
    monkeypatch.setenv("WORKBENCH_LEAN", str(lean_bin))
    monkeypatch.setenv(KEY_ENV, KEY)
    space = tmp_path / "space.json"
    space.write_text(json.dumps(SPACE), encoding="utf-8")
    use_provider(workspace, openai_server, extra=(
        f'\n[provers.stepwise]\nbackend = "_stepwise_standin:backend"\nstandin_space = "{space}"\n'
        "tactic_timeout_s = 2\nmemory_mb = 256\n"
    ))
    propose_from(openai_server)
    return workspace


def _attempts(wb, root, conj):
    r = wb("attempts", conj, "--json", cwd=root)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_settles_a_prelude_node_through_the_standin_and_real_lean(stepwise_ws, wb, openai_server):
    """Done-when of issue 16: the search finds a path, the path becomes a term proof, the offline Lean
    accepts it, and the node is settled and committed like any other proof."""
    root = stepwise_ws
    r = wb("prove", "both", "--prover", "stepwise", "--expansions", "8", "--beam", "4", cwd=root)
    assert r.exit_code == 0, r.output
    assert "both is now proved by stepwise mock/mock-prover-1" in r.stdout

    module = next((root / "lean" / "Conjectures").glob("*.lean")).read_text()
    assert "-- wb:begin proof both" in module
    assert "And.intro (@Eq.refl _ n) (@Eq.refl _ (N.s N.z))" in module
    node = (root / "conjectures" / "both.toml").read_text()
    assert 'status = "proved"' in node and 'prover = "stepwise"' in node and 'model = "mock-prover-1"' in node
    msg = subprocess.run(["git", "log", "-1", "--format=%s"], cwd=root, capture_output=True, text=True).stdout
    assert "both" in msg and "stepwise/mock-prover-1" in msg

    # the model saw the goal, the informal statement and the term-step hint; beam K reached the prompt
    first = openai_server.requests[0].messages[-1]["content"]
    assert GOAL_ROOT in first and "For our naturals" in first and "no tactic framework" in first
    assert "Propose up to 4 different next tactics" in first

    rows = _attempts(wb, root, "both")
    assert len(rows) == 1 and rows[0]["verdict"] == "accepted" and rows[0]["settled"]
    assert rows[0]["prover"] == "stepwise" and rows[0]["provider"] == "mock" and rows[0]["search"]
    assert rows[0]["tokens_in"] == 400 * len(openai_server.requests) and rows[0]["cost_usd"] > 0


def test_attempts_show_prints_the_search_path(stepwise_ws, wb):
    root = stepwise_ws
    assert wb("prove", "both", "--prover", "stepwise", cwd=root).exit_code == 0
    no = _attempts(wb, root, "both")[0]["no"]
    r = wb("attempts", "both", "--show", str(no), cwd=root)
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "search s-" in out and "backend stand-in" in out and "ended: solved" in out
    assert "path to step" in out and "(2 tactics)" in out
    assert "> refine And.intro (@Eq.refl _ n) ?_   → 1 goal" in out
    assert "> exact @Eq.refl _ (N.s N.z)   → solved" in out
    assert "also tried: `exact And.intro` failed; `refine And.intro ?_ ?_` → state 1" in out  # the other tactics at the root are listed
    assert "⊢ Eq (N.add N.z (N.s N.z)) (N.s N.z)" in out

    data = json.loads(wb("attempts", "both", "--show", str(no), "--json", cwd=root).stdout)
    log = data["search_log"]
    results = [s["result"] for s in log["steps"]]
    assert results[0] == "proposed" and "solved" in results and "error" in results
    path = [s for s in log["steps"] if s["seq"] in log["path"]]
    assert [s["tactic"] for s in path] == ["refine And.intro (@Eq.refl _ n) ?_", "exact @Eq.refl _ (N.s N.z)"]


def test_a_lying_backend_is_caught_by_lean_and_the_search_goes_on(stepwise_ws, wb, tmp_path, openai_server):
    """Nothing is trusted from the backend: the space claims `exact @Eq.refl _ N.z` closes 0 + 1 = 1; Lean
    rejects the assembled term, the rejection is recorded, and the search finds the true proof."""
    root = stepwise_ws
    space = json.loads(json.dumps(SPACE))
    space["moves"][GOAL_RIGHT]["exact @Eq.refl _ N.z"] = []  # a lie
    (tmp_path / "space.json").write_text(json.dumps(space), encoding="utf-8")
    r = wb("prove", "both", "--prover", "stepwise", cwd=root)
    assert r.exit_code == 0, r.output
    rows = _attempts(wb, root, "both")
    assert [a["verdict"] for a in rows] == ["rejected", "accepted"]
    assert rows[0]["reasons"][0]["code"] == "lean-error" and "@Eq.refl _ N.z" in rows[0]["candidate"]
    assert rows[0]["search"] == rows[1]["search"]  # one search, two candidates
    assert "@Eq.refl _ (N.s N.z)" in rows[1]["candidate"]


def test_no_proof_within_budget_is_one_recorded_attempt(stepwise_ws, wb, openai_server):
    root = stepwise_ws
    proposals = dict(PROPOSALS)
    proposals[GOAL_ROOT] = ["exfalso", "exact And.intro"]  # only the dead end makes progress
    propose_from(openai_server, proposals)
    r = wb("prove", "both", "--prover", "stepwise", "--expansions", "3", cwd=root)
    assert r.exit_code == 1, r.output
    rows = _attempts(wb, root, "both")
    assert len(rows) == 1 and rows[0]["verdict"] == "rejected" and rows[0]["candidate"] is None
    assert rows[0]["reasons"][0]["code"] == "no-proof"
    assert "no untried state was left" in rows[0]["problem"] or "expansion budget" in rows[0]["problem"]
    assert 'status = "formalized"' in (root / "conjectures" / "both.toml").read_text()
    show = wb("attempts", "both", "--show", str(rows[0]["no"]), cwd=root).stdout
    assert "> exfalso   → 1 goal" in show  # the closest the search got


def test_stepwise_flags_need_the_stepwise_prover_and_a_known_backend(stepwise_ws, wb):
    root = stepwise_ws
    r = wb("prove", "both", "--prover", "mock", "--beam", "3", cwd=root)
    assert r.exit_code == 2 and "--beam is an option of the stepwise prover" in r.output
    r = wb("prove", "both", "--prover", "stepwise", "--backend", "coq", cwd=root)
    assert r.exit_code == 2 and "unknown stepwise backend 'coq'" in r.output
    assert _attempts(wb, root, "both") == []


def test_interact_backend_without_lake_is_a_setup_error(stepwise_ws, wb, monkeypatch, tmp_path):
    """The LeanInteract backend on a machine without `lake`: exit 2, one line naming what is missing and
    how to get it, nothing recorded, no model call."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    monkeypatch.setenv("PATH", str(bindir))
    r = wb("prove", "both", "--prover", "stepwise", "--backend", "interact", cwd=stepwise_ws)
    assert r.exit_code == 2, r.output
    assert "the interact backend cannot run" in r.output and "install elan" in r.output
    assert _attempts(wb, stepwise_ws, "both") == []


def test_dojo_backend_refuses_prelude_files(stepwise_ws, wb, openai_server):
    r = wb("prove", "both", "--prover", "stepwise", "--backend", "dojo", cwd=stepwise_ws)
    assert r.exit_code == 2, r.output
    assert "LeanDojo cannot open proofs in `prelude` files" in r.output
    assert openai_server.requests == []


def test_batch_runs_accept_the_stepwise_prover(stepwise_ws, wb):
    root = stepwise_ws
    r = wb("batch", "run", "both", "imp", "--prover", "stepwise", cwd=root)
    assert r.exit_code == 0, r.output
    for conj in ("both", "imp"):
        assert 'status = "proved"' in (root / "conjectures" / f"{conj}.toml").read_text(), conj
        rows = _attempts(wb, root, conj)
        assert rows[-1]["prover"] == "stepwise" and rows[-1]["run_id"] and rows[-1]["search"]
    module = next((root / "lean" / "Conjectures").glob("*.lean")).read_text()
    assert "theorem imp (p : Prop) : p → p := fun h => (h)" in module


def test_batch_skips_nodes_a_backend_cannot_open(stepwise_ws, wb, openai_server):
    """LeanDojo cannot open `prelude` files: in a batch that is a skipped unit, not the end of the run."""
    toml = stepwise_ws / "workbench.toml"
    toml.write_text(toml.read_text().replace('backend = "_stepwise_standin:backend"', 'backend = "dojo"'))
    r = wb("batch", "run", "imp", "--prover", "stepwise", cwd=stepwise_ws)
    assert r.exit_code == 0, r.output
    assert "skipped" in r.output and "LeanDojo cannot open proofs in `prelude` files" in r.output
    assert 'status = "formalized"' in (stepwise_ws / "conjectures" / "imp.toml").read_text()
    assert openai_server.requests == []
