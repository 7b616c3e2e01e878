"""Stepwise proof search: a model proposes tactics goal by goal, a backend runs them, Lean judges the result.

    protocol.py   the proof-state protocol (open a goal, apply a tactic, close) every backend speaks
    runner.py     per-tactic timeouts, restarts after hangs and crashes, replay of the path
    search.py     best-first search: scoring, deduplication, budgets
    propose.py    the prompt for one proof state and reading tactics out of a reply
    assemble.py   a solved path as a whole proof (`by` script, or a term for Lean without tactics)
    record.py     the search log in the attempts database (`wb attempts ID --show N` prints the path)
    prover.py     `StepwiseProver`, the candidate stream `wb prove --prover stepwise` and batch runs drive
    backends.py   choosing a backend by name; what each still needs (`wb doctor`)
    dojo.py       LeanDojo (`pip install 'conjecture-workbench[dojo]'`), imported only when used
    interact.py   LeanInteract (`pip install 'conjecture-workbench[interact]'`), imported only when used
"""

from workbench.provers.stepwise.prover import StepwiseOptions, StepwiseProver, stepwise_options

__all__ = ["StepwiseOptions", "StepwiseProver", "stepwise_options"]
