"""What a model is told: the statement file, the target, the informal statement, the dependencies (lemmas when
proved, context otherwise), earlier failures; and the repair message with Lean's positions."""

from __future__ import annotations

from _prove_fixtures import lean_bin, proving_ws  # noqa: F401 - fixtures


def test_prompt_holds_task_and_dependencies(proving_ws, wb):
    from workbench.attempts import Attempt, AttemptStore
    from workbench.model import LeanMessage, Reason, ReasonCode
    from workbench.provers.base import build_task
    from workbench.provers.prompts import initial_prompt
    from workbench.workspace import Workspace

    root = proving_ws.root
    assert wb("link", "add-zero", "uses", "one-add-one", cwd=root).exit_code == 0
    ws = Workspace.open(root)
    with AttemptStore(ws) as store:
        store.record(Attempt(conjecture="add-zero", prover="portfolio", verdict="rejected", candidate="by simp", label="simp"))
        store.record(Attempt(
            conjecture="add-zero", prover="llm", provider="mock", model="m1", verdict="rejected",
            candidate="theorem add_zero (n : N) : Eq (N.add n N.z) n := oops\n",
            reasons=[Reason(code=ReasonCode.lean_error, message="unknown identifier 'oops'", line=1)],
            messages=[LeanMessage(severity="error", text="unknown identifier 'oops'", line=1, column=49, in_candidate=True)],
        ))
        task = build_task(ws, "add-zero", store=store)
    assert [d.id for d in task.dependencies] == ["one-add-one"] and not task.dependencies[0].proved
    assert [f.prover for f in task.failures] == ["llm"]  # failed tactics are not worth a model's attention
    text = initial_prompt(task)
    assert "prelude" in text and "theorem add_zero (n : N) : Eq (N.add n N.z) n :=" in text
    assert "For our naturals, n + 0 = n." in text
    assert "`one_add_one` (node `one-add-one`" in text and "you may use it as an assumption" in text
    assert "theorem one_add_one" in text
    assert "earlier attempt (#2, llm/m1)" in text and "error at line 1, column 50: unknown identifier 'oops'" in text

    proved = task.model_copy(update={"dependencies": [task.dependencies[0].model_copy(update={"proved": True})]})
    text = initial_prompt(proved)
    assert "proved: use it as a lemma" in text and "`one_add_one`" in text and "as an assumption" not in text


def test_repair_prompt_numbers_the_checked_code():
    from workbench.model import LeanMessage, Reason, ReasonCode, Verdict
    from workbench.provers.prompts import repair_prompt

    verdict = Verdict(verdict="rejected", reasons=[
        Reason(code=ReasonCode.lean_error, message="type mismatch", line=2),
        Reason(code=ReasonCode.axiom, message="uses axiom 'cheat'"),
    ], messages=[
        LeanMessage(severity="error", text="type mismatch", line=2, column=7, in_candidate=True),
        LeanMessage(severity="information", text="noise", line=1, in_candidate=True),
        LeanMessage(severity="error", text="in the checker", line=40, in_candidate=False),
    ])
    text = repair_prompt(verdict, "theorem t : X :=\n  foo\n")
    assert "1 | theorem t : X :=\n2 |   foo" in text
    assert "error at line 2, column 8: type mismatch" in text
    assert "axiom: uses axiom 'cheat'" in text and "noise" not in text
    assert "- error (outside your code): in the checker" in text
    assert "no Lean code" in repair_prompt(verdict, None, "the reply contains no Lean code")
