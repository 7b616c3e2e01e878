"""The morning report of a batch run, computed only from its recorded attempts, units and sessions (and the proof files).

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
    last_error: str | None = None  # an excerpt of the last attempt's first Lean error (or why it had no candidate)


class NotAttemptedRow(BaseModel):
    id: str
    why: str  # already settled, a prover that could not work here, a limit that stopped the run first …


class Interruption(BaseModel):
    """A session of the run that ended before the run did, and when the next one began."""

    ended: datetime | None = None  # for a killed session: its last heartbeat
    how: str  # "killed", "interrupted" (Ctrl-C), "terminated", a limit ("budget", …), "error"
    resumed: datetime | None = None  # None: not resumed (yet)
    lost_s: float | None = None  # from the end to the resume


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
    not_attempted: list[NotAttemptedRow] = Field(default_factory=list)
    interruptions: list[Interruption] = Field(default_factory=list)
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
            lines += ["| conjecture | status | attempts | most common rejection reasons | last Lean error |", "|---|---|---|---|---|"]
            for o in self.open:
                reasons = ", ".join(f"{code} ×{n}" for code, n in o.reasons) or "-"
                lines.append(f"| {o.id} | {o.status} | {o.attempts} | {reasons} | {_cell(o.last_error or '-')} |")
        else:
            lines.append("None.")
        if self.not_attempted:
            lines += ["", f"## Selected, never attempted ({len(self.not_attempted)})", "", "| conjecture | why |", "|---|---|"]
            lines += [f"| {n.id} | {_cell(n.why)} |" for n in self.not_attempted]
        if self.interruptions:
            lines += ["", f"## Interruptions ({len(self.interruptions)})", "", "| ended | how | resumed | time lost |",
                      "|---|---|---|---|"]
            for i in self.interruptions:
                lost = _duration(i.lost_s) if i.lost_s is not None else "-"
                lines.append(f"| {_when(i.ended)} | {i.how} | {_when(i.resumed) if i.resumed else 'not resumed'} | {lost} |")
        lines += ["", "## Spend by provider", "", "| provider | model | attempts | accepted | tokens in | tokens out | cost |",
                  "|---|---|---|---|---|---|---|"]
        for p in self.providers:
            lines.append(f"| {p.provider} | {p.model or '-'} | {p.attempts} | {p.accepted} | {p.tokens_in:,} | "
                         f"{p.tokens_out:,} | ${p.cost_usd:.4f} |")
        lines += ["", "Every number above is computed from the run's recorded attempts: `wb attempts ID` lists them.", ""]
        return "\n".join(lines)


def _duration(s: float) -> str:
    s = int(round(s))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}h{m:02d}m{sec:02d}s" if h else (f"{m}m{sec:02d}s" if m else f"{sec}s")


def _cell(text: str) -> str:
    """`text` fit for one Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _when(dt: datetime | None) -> str:
    return dt.astimezone().strftime("%Y-%m-%d %H:%M:%S") if dt else "?"


def last_error(a, limit: int = 160) -> str | None:
    """An excerpt of what went wrong in attempt `a`: its first Lean error (in the candidate if any, `line:col`
    1-based), else its first rejection reason, else its problem (no candidate, the provider failed)."""
    errors = [m for m in a.messages if m.severity == "error"]
    errors.sort(key=lambda m: not m.in_candidate)
    if errors:
        m = errors[0]
        where = f"{m.line}:{(m.column or 0) + 1}: " if m.line and m.in_candidate else ""
        text = where + m.text
    elif a.reasons:
        text = f"{a.reasons[0].code.value}: {a.reasons[0].message}"
    elif a.problem:
        text = a.problem
    else:
        return None
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _never_attempted(info, units: list, attempted: set[str]) -> list[NotAttemptedRow]:
    """The selected conjectures with no attempt in the run, and why (from their units' outcomes)."""
    outcomes: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for u in units:
        outcomes[u["conjecture"]].append((u["state"], u["outcome"]))
    rows = []
    for conj_id in info.conjectures:
        if conj_id in attempted:
            continue
        done = [o for state, o in outcomes.get(conj_id, []) if state == "done" and o]
        if any(o == "skipped: already settled" for o in done):
            why = "already settled when its turn came"
        elif done:
            why = done[0].removeprefix("skipped: ")
        elif info.status == "running":
            why = "not reached yet (the run is still going)"
        elif info.stop_reason:
            why = f"not reached: the run stopped first ({info.stop_reason})"
        else:
            why = "not reached"
        rows.append(NotAttemptedRow(id=conj_id, why=why))
    return rows


def _interruptions(sessions: list[dict], alive: bool) -> list[Interruption]:
    """Every session followed by another (killed, Ctrl-C, a limit raised on resume…), and the last one when it was
    killed or interrupted and not resumed yet."""
    out = []
    for i, sess in enumerate(sessions):
        nxt = sessions[i + 1] if i + 1 < len(sessions) else None
        how = sess.get("end") or ("running" if alive else "killed")
        if nxt is None and how not in ("killed", "interrupted", "terminated", "aborted"):
            continue  # the last session ended the run so far (finished, or at a limit), or is still going
        ended = datetime.fromisoformat(sess["ended"]) if sess.get("ended") else None
        resumed = datetime.fromisoformat(nxt["started"]) if nxt else None
        lost = round((resumed - ended).total_seconds(), 3) if ended and resumed else None
        out.append(Interruption(ended=ended, how=how, resumed=resumed, lost_s=lost))
    return out


def _reason_of(a) -> str:
    if a.reasons:
        return a.reasons[0].code.value
    if a.verdict == "accepted":
        return "accepted-elsewhere"  # Lean accepted, but another attempt had settled it first
    return "no-candidate" if not a.candidate else "rejected"


def build_report(ws: Workspace, run_id: str | None = None) -> Report:
    """The report of `run_id` (default: the newest run) from its recorded attempts (NotFoundError for an unknown run)."""
    from workbench.attempts import AttemptStore
    from workbench.batch.runs import run_status

    info = run_status(ws, run_id)
    with AttemptStore(ws) as store:
        rows = store.for_run(info.id)
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
            latest = max(attempts, key=lambda a: (a.finished_at, a.no or 0))
            open_rows.append(OpenRow(id=conj_id, status=status, attempts=len(attempts), reasons=counts.most_common(3),
                                     last_error=last_error(latest)))
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
    from workbench.batch.runs import RunRecord

    return Report(
        id=info.id, run=run, totals=totals, settled=settled, open=open_rows, providers=providers,
        not_attempted=_never_attempted(info, RunRecord(ws, info.id).units(), set(by_conj)),
        interruptions=_interruptions(info.sessions, info.alive),
    )


def report(ws: Workspace, run_id: str | None = None) -> Report:
    """The morning report of run `run_id`, default the newest run (see `Report`)."""
    return build_report(ws, run_id)
