"""The stepwise search against the stand-in backend (a child process serving a small proof space) and a
scripted model on a real local HTTP server: scoring, deduplication, budget stops, per-tactic timeouts,
restarts and replay after crashes, the memory cap, refusals; plus assembly and tactic parsing."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from _stepwise_standin import (
    GOAL_FALSE, GOAL_LEFT, GOAL_RIGHT, GOAL_ROOT, PROPOSALS, SPACE, STATEMENT, StandIn, propose_from,
)
from workbench.provers.base import Task, declaration_header
from workbench.provers.providers import ChatClient, ProviderConfig
from workbench.provers.stepwise.assemble import AssemblyError, tactic_script, term_proof
from workbench.provers.stepwise.propose import ModelProposer, parse_tactics, refusal
from workbench.provers.stepwise.protocol import Target
from workbench.provers.stepwise.runner import Runner
from workbench.provers.stepwise.search import BestFirstSearch, SearchOptions, rank_logp

KEY_ENV = "WB_TEST_STEPWISE_KEY"
NO_PROGRESS = {  # proposals that never close the root: the search can only use up its budget
    GOAL_ROOT: ["refine And.intro ?_ ?_", "refine And.intro (@Eq.refl _ n) ?_", "exfalso"],
    GOAL_LEFT: ["exact Eq.refl"], GOAL_RIGHT: ["exact @Eq.refl _ N.z"], GOAL_FALSE: ["exact sorry"],
}


@dataclass
class Run:
    search: BestFirstSearch
    runner: Runner
    backend: StandIn
    steps: list = field(default_factory=list)
    solved: list = field(default_factory=list)

    def results(self, tactic: str | None = None) -> list[str]:
        return [s.result for s in self.steps if s.result != "proposed" and (tactic is None or s.tactic == tactic)]


def _target(decl: str = "both", memory_mb: int = 256) -> Target:
    return Target(conjecture=decl, decl=decl, module="Steps", statement_file=Path("Steps.lean"), statement_text=STATEMENT,
                  header=declaration_header(STATEMENT, decl), lean_dir=Path("."), workspace_root=Path("."),
                  memory_mb=memory_mb)


def search(server, monkeypatch, *, space=SPACE, proposals=PROPOSALS, decl="both", accept=True, tactic_timeout=2.0,
           max_restarts=20, memory_mb=256, delay=0.0, on_step=None, **options) -> Run:
    """Run one search to its end (accepting the first solved path unless `accept` is False)."""
    monkeypatch.setenv(KEY_ENV, "sk-test")
    propose_from(server, proposals, delay=delay)
    client = ChatClient(ProviderConfig(name="mock", protocol="openai", base_url=server.base_url, model="mock-prover-1",
                                       api_key_env=KEY_ENV, price_in_per_mtok=3.0, price_out_per_mtok=15.0,
                                       max_retries=0, timeout_s=20))
    task = Task(conjecture=decl, statement_file=Path("Steps.lean"), statement_text=STATEMENT, decl=decl,
                informal="Adding zero changes nothing.")
    backend = StandIn(space)
    runner = Runner(backend, _target(decl, memory_mb), tactic_timeout=tactic_timeout, max_restarts=max_restarts)
    run = Run(None, runner, backend)  # type: ignore[arg-type]

    def record(step):
        run.steps.append(step)
        if on_step is not None:
            on_step(step, run)

    run.search = BestFirstSearch(runner, ModelProposer(client, task, hint=backend.tactic_hint),
                                 SearchOptions(**options), on_step=record)
    gen = run.search.run()
    try:
        solved = next(gen)
        while True:
            run.solved.append(solved)
            solved = gen.send(accept)
    except StopIteration:
        pass
    finally:
        gen.close()
        runner.close()
        client.close()
    return run


def test_finds_a_proof_and_reports_every_step(openai_server, monkeypatch):
    run = search(openai_server, monkeypatch)
    assert run.search.stop_reason == "solved"
    assert run.solved[0].tactics == ["refine And.intro (@Eq.refl _ n) ?_", "exact @Eq.refl _ (N.s N.z)"]
    assert run.results() == ["error", "goals", "goals", "goals", "error", "solved"]
    assert [s.seq for s in run.steps] == list(range(1, len(run.steps) + 1))
    assert run.search.usage.calls == 2 == len(openai_server.requests)
    assert run.backend.opened == 1 and run.runner.restarts == 0


def test_scoring_weighs_goals_against_the_models_ranking(openai_server, monkeypatch):
    """After the root, the one-goal state (ranked third) beats the two-goal state (ranked second) with the
    default goal weight; with goal_weight=0 the model's ranking alone decides."""
    run = search(openai_server, monkeypatch)
    second = [s for s in run.steps if s.result == "proposed"][1]
    assert second.goals == (GOAL_RIGHT,)

    openai_server.requests.clear()
    run = search(openai_server, monkeypatch, goal_weight=0.0, depth_weight=0.0)
    second = [s for s in run.steps if s.result == "proposed"][1]
    assert second.goals == (GOAL_LEFT, GOAL_RIGHT)
    assert rank_logp(0, 4) > rank_logp(1, 4) > rank_logp(3, 4)
    assert abs(sum(2.718281828459045 ** rank_logp(r, 5) for r in range(5)) - 1.0) < 1e-9


def test_states_are_deduplicated_by_their_goals(openai_server, monkeypatch):
    """`refine And.intro ?_ ?_` then `exact @Eq.refl _ n` reaches the state `refine And.intro (@Eq.refl _ n) ?_`
    reached in one step: it is recorded as a duplicate of that state and not expanded again."""
    run = search(openai_server, monkeypatch, goal_weight=0.0, depth_weight=0.0, accept=False)
    dup = [s for s in run.steps if s.result == "duplicate"]
    assert len(dup) == 1 and dup[0].tactic == "exact @Eq.refl _ n" and dup[0].child_goals == (GOAL_RIGHT,)
    direct = next(s for s in run.steps if s.tactic == "refine And.intro (@Eq.refl _ n) ?_")
    assert dup[0].child == direct.child
    expanded = [s.goals for s in run.steps if s.result == "proposed"]
    assert len(expanded) == len(set(expanded))


def test_stops_at_the_expansion_budget(openai_server, monkeypatch):
    run = search(openai_server, monkeypatch, proposals=NO_PROGRESS, expansions=2)
    assert run.search.stop_reason == "expansions" and run.search.expansions == 2
    assert len(openai_server.requests) == 2 and not run.solved


def test_stops_when_no_state_is_left(openai_server, monkeypatch):
    run = search(openai_server, monkeypatch, proposals=NO_PROGRESS, expansions=50)
    assert run.search.stop_reason == "exhausted"
    assert run.search.expansions == 4  # root, the two And states, and the dead end False
    assert "refused" in run.results()  # `exact sorry` never reaches the backend


def test_stops_at_the_money_budget(openai_server, monkeypatch):
    # each proposal: 400 tokens in at $3/M + 40 out at $15/M = $0.0018
    run = search(openai_server, monkeypatch, proposals=NO_PROGRESS, expansions=50, max_usd=0.003)
    assert run.search.stop_reason == "money" and run.search.expansions == 2
    assert abs(run.search.usage.cost_usd - 0.0036) < 1e-9


def test_stops_at_the_time_budget(openai_server, monkeypatch):
    run = search(openai_server, monkeypatch, proposals=NO_PROGRESS, expansions=50, max_seconds=0.5, delay=0.3)
    assert run.search.stop_reason == "time" and run.search.expansions == 2
    assert run.search.elapsed < 2.0


def test_a_hanging_tactic_is_cut_and_does_not_poison_the_next(openai_server, monkeypatch):
    proposals = dict(PROPOSALS)
    proposals[GOAL_ROOT] = ["decide", "refine And.intro (@Eq.refl _ n) ?_"]
    run = search(openai_server, monkeypatch, proposals=proposals, tactic_timeout=0.5)
    timeout = next(s for s in run.steps if s.tactic == "decide")
    assert timeout.result == "timeout" and 0.4 < timeout.elapsed_s < 3
    assert run.results("refine And.intro (@Eq.refl _ n) ?_") == ["goals"]
    assert run.search.stop_reason == "solved" and run.runner.restarts == 1 and run.backend.opened == 2


def test_a_crash_restarts_the_backend_and_replays_the_path(openai_server, monkeypatch):
    """`simp` kills the backend at depth 1; the next tactic on that state runs in a new process after the
    path to it is replayed, and the search goes on to the proof."""
    space = json.loads(json.dumps(SPACE))
    space["moves"][GOAL_RIGHT]["simp"] = {"crash": "INTERNAL PANIC: out of stack"}
    proposals = dict(PROPOSALS)
    proposals[GOAL_RIGHT] = ["simp", "exact @Eq.refl _ (N.s N.z)"]
    run = search(openai_server, monkeypatch, space=space, proposals=proposals)
    crash = next(s for s in run.steps if s.tactic == "simp")
    assert crash.result == "crash" and "INTERNAL PANIC" in crash.message and crash.depth == 1
    assert run.search.stop_reason == "solved"
    assert run.runner.restarts == 1 and run.runner.replayed == 1 and run.backend.opened == 2


def test_the_memory_cap_kills_a_greedy_tactic(openai_server, monkeypatch):
    proposals = dict(PROPOSALS)
    proposals[GOAL_ROOT] = ["norm_num", "refine And.intro (@Eq.refl _ n) ?_"]
    run = search(openai_server, monkeypatch, proposals=proposals, memory_mb=200)
    hog = next(s for s in run.steps if s.tactic == "norm_num")
    assert hog.result == "crash" and "out of memory" in hog.message
    assert run.search.stop_reason == "solved"


def test_a_state_whose_replay_differs_is_lost(openai_server, monkeypatch, tmp_path):
    """If the restarted backend no longer reproduces a state (here: the space changes under it), that state
    is reported lost rather than trusted."""
    space = json.loads(json.dumps(SPACE))
    space["moves"][GOAL_RIGHT]["simp"] = {"crash": "boom"}
    path = tmp_path / "space.json"
    path.write_text(json.dumps(space))
    proposals = dict(PROPOSALS)
    proposals[GOAL_ROOT] = ["refine And.intro (@Eq.refl _ n) ?_"]
    proposals[GOAL_RIGHT] = ["simp", "exact @Eq.refl _ (N.s N.z)"]

    def change(step, run):
        if step.result == "crash":
            changed = json.loads(path.read_text())
            changed["moves"][GOAL_ROOT]["refine And.intro (@Eq.refl _ n) ?_"] = [GOAL_LEFT]
            path.write_text(json.dumps(changed))

    run = search(openai_server, monkeypatch, space=str(path), proposals=proposals, on_step=change)
    assert run.results("exact @Eq.refl _ (N.s N.z)") == ["lost"]
    assert run.search.stop_reason == "exhausted" and not run.solved


def test_a_backend_that_keeps_crashing_ends_the_search(openai_server, monkeypatch):
    run = search(openai_server, monkeypatch, proposals={GOAL_ROOT: ["simp"]}, max_restarts=0)
    assert run.search.stop_reason == "backend" and "crashed or timed out 1 times" in run.search.stop_message


def test_a_goal_that_cannot_be_opened_ends_the_search():
    space = json.loads(json.dumps(SPACE))
    del space["theorems"]["imp"]
    runner = Runner(StandIn(space), _target("imp"), tactic_timeout=1)
    s = BestFirstSearch(runner, None, SearchOptions())
    assert list(s.run()) == [] and s.stop_reason == "backend" and "unknown declaration 'imp'" in s.stop_message
    runner.close()


def test_a_failing_provider_ends_the_search(openai_server, monkeypatch):
    openai_server.on_request = lambda request: openai_server.error(500, "overloaded")
    monkeypatch.setenv(KEY_ENV, "sk-test")
    client = ChatClient(ProviderConfig(name="mock", protocol="openai", base_url=openai_server.base_url, model="m",
                                       api_key_env=KEY_ENV, max_retries=0, timeout_s=5))
    task = Task(conjecture="both", statement_file=Path("Steps.lean"), statement_text=STATEMENT, decl="both")
    runner = Runner(StandIn(SPACE), _target(), tactic_timeout=1)
    s = BestFirstSearch(runner, ModelProposer(client, task), SearchOptions())
    assert list(s.run()) == [] and s.stop_reason == "provider" and "500" in s.stop_message
    runner.close()
    client.close()


# -- assembly and parsing ------------------------------------------------------------------------------


def test_term_assembly_fills_holes_in_order():
    header = "theorem both (n : N) : And A B"
    assert term_proof(header, ["refine And.intro ?_ ?_", "exact a", "exact b"]) == f"{header} := And.intro (a) (b)\n"
    assert term_proof("theorem imp (p : Prop) : p → p", ["intro h", "exact h"]).endswith(":= fun h => (h)\n")
    for bad, why in (([], "empty"), (["refine And.intro ?_ ?_", "exact a"], "goals open"),
                     (["exact a", "exact b"], "already complete"), (["simp"], "not a term step"),
                     (["exact f ?_"], "cannot have holes")):
        with pytest.raises(AssemblyError, match=why):
            term_proof(header, bad)


def test_tactic_script_assembly():
    assert tactic_script("theorem t : P", ["constructor", "· simp\n  exact h"]) == (
        "theorem t : P := by\n  constructor\n  · simp\n    exact h\n")


def test_tactics_are_read_from_replies_in_every_usual_shape():
    blocks = "Try these:\n```lean\nsimp\n```\n\n```lean\nconstructor\n· exact a\n```\n```lean\nsimp\n```"
    assert parse_tactics(blocks, 4) == ["simp", "constructor\n· exact a"]
    assert parse_tactics('["rfl", "simp", "omega"]', 2) == ["rfl", "simp"]
    assert parse_tactics("```json\n[\"rfl\", \"decide\"]\n```", 5) == ["rfl", "decide"]
    assert parse_tactics("```lean\n1. rfl\n2. simp\n- omega\n```", 5) == ["rfl", "simp", "omega"]
    assert parse_tactics("Best first:\n1. `intro h`\n2. `exact h`\n", 5) == ["intro h", "exact h"]
    assert parse_tactics("I cannot help with that.", 3) == []


def test_tactics_that_cannot_lead_to_an_accepted_proof_are_refused():
    assert "sorry" in refusal("exact sorry")
    assert "admit" in refusal("simp; admit")
    assert "native_decide" in refusal("native_decide")
    assert "#exit" in refusal("intro h\n#exit")
    assert refusal("exact (h : sorry_free)") is None and refusal('simp [show "sorry" = "sorry" from rfl]') is None


def test_the_standin_child_dies_with_its_session():
    session = StandIn(SPACE).open(_target())
    pid = session._proc.pid
    session.close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
