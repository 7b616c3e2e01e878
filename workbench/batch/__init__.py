"""Batch runs: many proof attempts over the open part of the graph, with limits, resumable after any kill.

    from workbench.batch import BatchOptions, BatchRun, Selection, list_runs, report, run_status
    run = BatchRun.start(ws, Selection(query="status=formalized area=oversight"),
                         BatchOptions(provers=["portfolio", "deepseek"], workers=8, budget_usd=20, deadline="07:00"))
    summary = run.run(on_event=print)          # blocks; returns a RunSummary
    BatchRun.resume(ws, run.id).run()          # after a kill: continues, repeating nothing
    report(ws, run.id).markdown()

A run is a plan of *units*: one unit is one attempt (`run_attempt`: one candidate stream, up to
`rounds` candidates) of one prover on one conjecture.  Units run cheapest prover first across the
whole selection (the portfolio on every conjecture, then each model), conjectures by value (how
many open nodes a proof unblocks, then priority).  Every candidate is a row of the attempts store
written the moment it is judged (slot "RUN/CONJ/PROVER/K/ROUND"), and a unit is marked done in
`batch_units` when its stream ends, so a resumed run skips finished units and re-runs an
interrupted one under a fresh slot prefix ("…/K~2/…"): no row is repeated and none is lost.

Limits stop *scheduling*: `max_attempts` (recorded rows, i.e. candidates), `budget_usd` (money
from token prices, summed over recorded rows), `deadline`; in-flight units finish the candidate
they are on and are recorded.  Settlements go through `settle.record_settlement`, which re-reads
the node under the workspace lock, so two runs on one workspace never settle a conjecture twice.

Modules: `options` (BatchOptions, deadlines), `plan` (selection, prover order, units), `runs` (the runs
table: list and status), `run` (BatchRun), `executors` (where Lean checks run), `report` (the morning report).
"""

from workbench.batch.options import BatchOptions, parse_deadline
from workbench.batch.plan import Selection, default_provers, order_provers, parse_query, select
from workbench.batch.report import report
from workbench.batch.run import BatchEvent, BatchRun, Progress, RunSummary
from workbench.batch.runs import RunInfo, list_runs, new_run_id, run_status

__all__ = [
    "BatchEvent", "BatchOptions", "BatchRun", "Progress", "RunInfo", "RunSummary", "Selection", "default_provers",
    "list_runs", "new_run_id", "order_provers", "parse_deadline", "parse_query", "report", "run_status", "select",
]
