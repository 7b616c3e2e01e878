"""The morning report of a batch run, computed only from its recorded attempts (and the proof files).

    rep = build_report(ws, "r-20261123-013000-ab12")
    print(rep.markdown());  rep.model_dump(mode="json")

Every number is a sum or count over the run's rows of the attempts store: the settled conjectures
are the rows with `settled`, spend and tokens are sums of `cost_usd` / `tokens_*` grouped by
provider and model, wall time runs from the first attempt's start to the last one's finish.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from pydantic import BaseModel, Field

from workbench.workspace import Workspace


class SettledRow(BaseModel):
    id: str
    proof_file: str | None = None
    prover: str  # portfolio / llm
    provider: str | None = None
    model: str | None = None
    label: str | None = None  # the tactic, for the portfolio
    attempt_no: int  # the row of the attempts store that settled it
    attempts: int  # rows of this run on this conjecture


class OpenRow(BaseModel):
    id: str
    status: str
    attempts: int
    reasons: list[tuple[str, int]] = Field(default_factory=list)  # most common first


class ProviderRow(BaseModel):
    provider: str  # provider name, or "portfolio"
    model: str | None = None
    attempts: int
    accepted: int
    tokens_in: int
    tokens_out: int
    cost_usd: float


class Totals(BaseModel):
    attempts: int = 0
    accepted: int = 0
    settled: int = 0
    conjectures_attempted: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    lean_s: float = 0.0
    first_attempt: datetime | None = None
    last_attempt: datetime | None = None
    wall_s: float = 0.0  # first attempt's start to last attempt's finish
    attempts_per_minute: float = 0.0


class Report(BaseModel):
    """What a run did, for people (`markdown()`) and scripts (`model_dump(mode="json")`)."""

    id: str
    run: dict
    totals: Totals
    settled: list[SettledRow] = Field(default_factory=list)
    open: list[OpenRow] = Field(default_factory=list)
    providers: list[ProviderRow] = Field(default_factory=list)

    def markdown(self) -> str:
        r, t = self.run, self.totals
        lines = [f"# Batch run {r['id']}", ""]
        lines.append(f"- status: **{r['status']}**" + (f" ({r['stop_reason']})" if r.get("stop_reason") else ""))
        lines.append(f"- started: {r['created']}" + (f", finished: {r['finished']}" if r.get("finished") else ""))
        lines.append(f"- provers (in order): {', '.join(r['provers'])}; executor: {r['executor']}")
        lines.append(f"- attempts: {t.attempts} ({t.accepted} accepted) on {t.conjectures_attempted} of "
                     f"{len(r['conjectures'])} selected conjectures; settled: **{t.settled}**")
        lines.append(f"- spend: ${t.cost_usd:.4f}; tokens: {t.tokens_in:,} in, {t.tokens_out:,} out")
        lines.append(f"- wall time: {_duration(t.wall_s)}; {t.attempts_per_minute:.1f} attempts per minute; "
                     f"Lean time: {_duration(t.lean_s)}")
        lines += ["", f"## Settled ({len(self.settled)})", ""]
        if self.settled:
            lines += ["| conjecture | found by | attempts | settling attempt | proof file |", "|---|---|---|---|---|"]
            for s in self.settled:
                who = f"portfolio `{s.label}`" if s.prover == "portfolio" else f"{s.provider}/{s.model}"
                lines.append(f"| {s.id} | {who} | {s.attempts} | #{s.attempt_no} | {s.proof_file or '-'} |")
        else:
            lines.append("Nothing was settled.")
        lines += ["", f"## Attempted, still open ({len(self.open)})", ""]
        if self.open:
            lines += ["| conjecture | status | attempts | most common rejection reasons |", "|---|---|---|---|"]
            for o in self.open:
                reasons = ", ".join(f"{code} ×{n}" for code, n in o.reasons) or "-"
                lines.append(f"| {o.id} | {o.status} | {o.attempts} | {reasons} |")
        else:
            lines.append("None.")
        lines += ["", "## Spend by provider", "", "| provider | model | attempts | accepted | tokens in | tokens out | cost |",
                  "|---|---|---|---|---|---|---|"]
        for p in self.providers:
            lines.append(f"| {p.provider} | {p.model or '-'} | {p.attempts} | {p.accepted} | {p.tokens_in:,} | "
                         f"{p.tokens_out:,} | ${p.cost_usd:.4f} |")
        lines += ["", f"Every number above is computed from the run's recorded attempts: `wb attempts ID` lists them.", ""]
        return "\n".join(lines)


def _duration(s: float) -> str:
    s = int(round(s))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}h{m:02d}m{sec:02d}s" if h else (f"{m}m{sec:02d}s" if m else f"{sec}s")


def _reason_of(a) -> str:
    if a.reasons:
        return a.reasons[0].code.value
    if a.verdict == "accepted":
        return "accepted-elsewhere"  # Lean accepted, but another attempt had settled it first
    return "no-candidate" if not a.candidate else "rejected"


def build_report(ws: Workspace, run_id: str) -> Report:
    """The report of `run_id` from its recorded attempts (NotFoundError for an unknown run)."""
    from workbench.attempts import AttemptStore
    from workbench.batch.runs import run_status

    info = run_status(ws, run_id)
    with AttemptStore(ws) as store:
        rows = store.for_run(run_id)
    by_conj: dict[str, list] = defaultdict(list)
    for a in rows:
        by_conj[a.conjecture].append(a)
    settled: list[SettledRow] = []
    open_rows: list[OpenRow] = []
    for conj_id in sorted(by_conj, key=lambda c: (info.conjectures.index(c) if c in info.conjectures else 1 << 30, c)):
        attempts = by_conj[conj_id]
        won = next((a for a in attempts if a.settled), None)
        status = "?"
        proof_file = None
        try:
            conj = ws.get(conj_id)
            status = conj.status.value
            proof_file = conj.evidence.proof_file if conj.evidence else None
        except Exception:  # noqa: BLE001 - a node removed since the run: still reported
            status = "removed"
        if won is not None:
            settled.append(SettledRow(id=conj_id, proof_file=proof_file, prover=won.prover, provider=won.provider,
                                      model=won.model, label=won.label, attempt_no=won.no or 0, attempts=len(attempts)))
        else:
            counts = Counter(_reason_of(a) for a in attempts)
            open_rows.append(OpenRow(id=conj_id, status=status, attempts=len(attempts), reasons=counts.most_common(3)))
    groups: dict[tuple[str, str | None], list] = defaultdict(list)
    for a in rows:
        groups[(a.provider or a.prover, a.model)].append(a)
    providers = [
        ProviderRow(provider=p, model=m, attempts=len(g), accepted=sum(a.verdict == "accepted" for a in g),
                    tokens_in=sum(a.tokens_in for a in g), tokens_out=sum(a.tokens_out for a in g),
                    cost_usd=round(sum(a.cost_usd for a in g), 6))
        for (p, m), g in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
    ]
    totals = Totals(
        attempts=len(rows), accepted=sum(a.verdict == "accepted" for a in rows), settled=len(settled),
        conjectures_attempted=len(by_conj), tokens_in=sum(a.tokens_in for a in rows),
        tokens_out=sum(a.tokens_out for a in rows), cost_usd=round(sum(a.cost_usd for a in rows), 6),
        lean_s=round(sum(a.lean_s for a in rows), 3),
    )
    if rows:
        totals.first_attempt = min(a.started_at for a in rows)
        totals.last_attempt = max(a.finished_at for a in rows)
        totals.wall_s = round((totals.last_attempt - totals.first_attempt).total_seconds(), 3)
        totals.attempts_per_minute = round(len(rows) / (totals.wall_s / 60), 2) if totals.wall_s > 0 else 0.0
    run = {
        "id": info.id, "status": info.status, "stop_reason": info.stop_reason, "created": info.created.isoformat(),
        "finished": info.finished.isoformat() if info.finished else None, "provers": info.provers,
        "conjectures": info.conjectures, "executor": info.options.executor,
    }
    return Report(id=info.id, run=run, totals=totals, settled=settled, open=open_rows, providers=providers)


def report(ws: Workspace, run_id: str) -> Report:
    """The morning report of run `run_id` (see `Report`)."""
    return build_report(ws, run_id)
