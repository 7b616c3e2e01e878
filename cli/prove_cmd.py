"""Commands that run provers and read their history: `wb prove` and `wb attempts`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from cli.common import JsonOpt, NoCommitOpt, WorkspaceOpt, open_workspace
from cli.output import console, emit_json

LeanOpt = Annotated[Optional[str], typer.Option("--lean", help="Path to the `lean` binary (else $WORKBENCH_LEAN, workbench.toml, Lake, PATH).")]
TimeoutOpt = Annotated[Optional[float], typer.Option("--timeout", help="Seconds before one Lean check is stopped (default: workbench.toml, else 300).")]
MemoryOpt = Annotated[Optional[int], typer.Option("--memory-mb", help="Memory cap for Lean in MB (default: workbench.toml, else 8192).")]
SandboxOpt = Annotated[str, typer.Option("--sandbox", help="auto (bubblewrap when installed), on (required) or off.")]


def _money(x: float) -> str:
    return f"${x:.4f}" if x else "-"


def _tokens(a) -> str:
    return f"{a.tokens_in:,}/{a.tokens_out:,}" if (a.tokens_in or a.tokens_out) else "-"


def _who(a) -> str:
    if a.prover == "portfolio":
        return "portfolio" + (f" `{a.label}`" if a.label else "")
    if a.prover == "stepwise":
        return f"stepwise {a.provider or '?'}/{a.model or '?'}" + (f" ({a.label})" if a.label else "")
    return f"{a.provider or a.prover}/{a.model or '?'}"


def _why(a, limit: int = 72) -> str:
    """The first reason of a rejection in one short line."""
    if a.verdict == "accepted":
        return ""
    if a.reasons:
        r = a.reasons[0]
        text = " ".join(r.message.split())
        more = f" (+{len(a.reasons) - 1})" if len(a.reasons) > 1 else ""
        line = f"{r.code.value}: {text}" + (f" (line {r.line})" if r.line else "")
        return (line if len(line) <= limit else line[: limit - 1] + "…") + more
    return a.problem or ""


def _attempt_line(a) -> str:
    """One progress line: number, attempt.round, who, verdict, time/tokens/cost, first reason."""
    from rich.markup import escape

    from cli.output import styled_status

    cost = f"{a.duration_s:.1f} s"
    if a.tokens_in or a.tokens_out:
        cost += f", {a.tokens_in:,}→{a.tokens_out:,} tokens"
    if a.cost_usd:
        cost += f", ${a.cost_usd:.4f}"
    why = _why(a)
    return (
        escape(f"#{a.no}  {a.attempt}.{a.round}  {_who(a)}  ") + styled_status(a.verdict)
        + escape(f"  ({cost})" + (f"  {why}" if why else ""))
    )


def prove(
    ctx: typer.Context,
    conj_id: Annotated[str, typer.Argument(metavar="ID")],
    prover: Annotated[str, typer.Option("--prover", "-p", help="portfolio (tactics, no model), llm (the default model provider), openai, anthropic, stepwise (tactic search), or a [providers.NAME] entry.")] = "portfolio",
    model: Annotated[Optional[str], typer.Option("--model", "-m", help="Model name (default: the provider's).")] = None,
    rounds: Annotated[int, typer.Option("--rounds", min=1, help="Candidates per attempt: the first answer plus repairs from Lean's messages.")] = 3,
    attempts: Annotated[int, typer.Option("--attempts", min=1, help="Independent attempts (fresh conversations) before giving up.")] = 1,
    backend: Annotated[Optional[str], typer.Option("--backend", help="Stepwise only: dojo (LeanDojo) or interact (LeanInteract); default [provers.stepwise] backend, else interact.")] = None,
    expansions: Annotated[Optional[int], typer.Option("--expansions", min=1, help="Stepwise only: proof states expanded (model calls) before giving up (default 32).")] = None,
    beam: Annotated[Optional[int], typer.Option("--beam", min=1, help="Stepwise only: tactics the model proposes per state (default 4).")] = None,
    disproof: Annotated[bool, typer.Option("--disproof", help="Ask for a proof of the negation (with a numeric check's counterexample, when there is one); checked as `wb check --disproof`.")] = False,
    lean: LeanOpt = None,
    timeout: TimeoutOpt = None,
    memory_mb: MemoryOpt = None,
    sandbox: SandboxOpt = "auto",
    workspace: WorkspaceOpt = None,
    no_commit: NoCommitOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Try to prove a formalized conjecture with a prover; Lean checks every candidate.

    The first candidate Lean accepts settles the node as `wb check ID --proof` does (proof file,
    verdict, commit naming the prover and model). Every attempt is recorded (`wb attempts ID`).
    With --disproof the prover is asked to disprove it instead, and an accepted candidate settles it
    as disproved. Exit 0 when settled, 1 when not, 2 for a usage, toolchain or provider set-up problem
    (no Lean, no tactics for the portfolio, a missing or refused API key)."""
    from rich.markup import escape

    from cli.output import error
    from workbench.errors import ProviderError
    from workbench.prove import describe_prover
    from workbench.prove import prove as do_prove
    from workbench.settle import LeanOptions

    ws = open_workspace(ctx, workspace)
    opts = LeanOptions(lean=lean, timeout=timeout, memory_mb=memory_mb, sandbox=sandbox)
    out = console()
    if not disproof and not as_json and ws.get(conj_id).refuted:
        from cli.output import notice

        notice(f"a numeric check refuted {conj_id}'s claim; `wb prove {conj_id} --disproof` asks for a disproof instead")

    waiting = _Waiting(describe_prover(ws, prover, model))

    def progress(a) -> None:
        if not as_json:
            out.print(_attempt_line(a), soft_wrap=True)
        waiting.next_round(a)

    try:
        stepwise = {k: v for k, v in (("backend", backend), ("expansions", expansions), ("beam", beam)) if v is not None}
        with waiting:
            result = do_prove(ws, conj_id, prover=prover, model=model, rounds=rounds, attempts=attempts,
                              lean_opts=opts, on_attempt=progress, commit=not no_commit, stepwise=stepwise or None,
                              disproof=disproof)
    except ProviderError as exc:
        error(str(exc))
        raise typer.Exit(2) from None
    if as_json:
        emit_json(result.model_dump(mode="json"))
    else:
        who = result.prover + (f"/{result.model}" if result.model else "")
        if result.settled:
            won = result.attempts[-1]
            who = _who(won) if won.prover != "portfolio" else f"portfolio (`{won.label}`)"
            change = result.change
            tail = f" (commit {change.commit[:8]})" if change and change.commit else " (not committed)"
            proof = next((f for f in (change.files if change else []) if f.endswith(".lean")), None)
            out.print(escape(f"{conj_id} is now {result.status} by {who}, attempt #{result.accepted}{tail}")
                      + (escape(f"; {'disproof' if result.status == 'disproved' else 'proof'} in {proof}") if proof else ""), soft_wrap=True)
        else:
            n = len(result.attempts)
            out.print(escape(f"{conj_id}: not settled by {who} after {n} candidate{'s' if n != 1 else ''}; "
                             f"see `wb attempts {conj_id}`"), soft_wrap=True)
    raise typer.Exit(0 if result.settled else 1)


class _Waiting:
    """On a terminal, a line on stderr saying what `wb prove` waits for (the model's first reply, then each repair),
    so a slow model is not mistaken for a hang; nothing when stderr is not a terminal."""

    def __init__(self, who: str) -> None:
        from cli.output import err_console

        self.who = who
        self.status = err_console().status(f"waiting for {who}: its first reply…") if err_console().is_terminal else None

    def __enter__(self):
        if self.status is not None:
            self.status.__enter__()
        return self

    def __exit__(self, *exc):
        if self.status is not None:
            self.status.__exit__(*exc)

    def next_round(self, a) -> None:
        if self.status is not None:
            self.status.update(f"waiting for {self.who}: the reply to attempt {a.attempt}, round {a.round + 1}…")


def attempts(
    ctx: typer.Context,
    conj_id: Annotated[str, typer.Argument(metavar="ID")],
    show: Annotated[Optional[int], typer.Option("--show", metavar="N", help="Print attempt #N in full: candidate, Lean's messages, reply.")] = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the proof attempts on a conjecture: when, prover, model, round, tokens, cost, duration, verdict, reasons."""
    from workbench.attempts import AttemptStore
    from workbench.errors import NotFoundError

    ws = open_workspace(ctx, workspace)
    with AttemptStore(ws) as store:
        if show is not None:
            a = store.get(show)
            if a.conjecture != conj_id:
                raise NotFoundError(f"attempt #{show} is not an attempt on '{conj_id}' (it is on '{a.conjecture}')")
            if as_json:
                from cli.search_view import search_json

                emit_json({**a.model_dump(mode="json"), **search_json(ws, a)})
            else:
                _print_full(a, ws)
            return
        rows = store.for_conjecture(conj_id)
    if not rows and not ws.exists(conj_id):
        ws.get(conj_id)  # raises the usual not-found error
    if as_json:
        emit_json([a.model_dump(mode="json") for a in rows])
        return
    if not rows:
        console().print(f"no attempts on {conj_id} yet; try `wb prove {conj_id}`")
        return
    _print_table(conj_id, rows)


def _print_table(conj_id: str, rows) -> None:
    from rich.markup import escape
    from rich.table import Table

    from cli.output import styled_status

    table = Table(box=None, pad_edge=False, header_style="bold")
    for col, just in (("#", "right"), ("when", "left"), ("run", "left"), ("prover", "left"), ("model", "left"),
                      ("try.round", "right"), ("tokens in/out", "right"), ("cost", "right"), ("time", "right"),
                      ("verdict", "left"), ("reasons", "left")):
        wraps = col in ("model", "reasons")
        table.add_column(col, justify=just, no_wrap=not wraps, overflow="fold" if wraps else "ellipsis",
                         min_width=10 if wraps else None)
    for a in rows:
        model = a.model or (f"`{a.label}`" if a.label else "-")
        reasons = ", ".join(a.reason_codes) or ("" if a.verdict == "accepted" else (a.problem or ""))
        if a.settled:
            reasons = "settled"
        table.add_row(
            str(a.no), a.finished_at.astimezone().strftime("%m-%d %H:%M"), escape(a.run_id or "-"), escape(("stepwise " if a.prover == "stepwise" else "") + (a.provider or a.prover)),
            escape(model), f"{a.attempt}.{a.round}", _tokens(a), _money(a.cost_usd), f"{a.duration_s:.1f}s",
            styled_status(a.verdict), escape(reasons),
        )
    from cli.output import print_table

    c = console()
    print_table(table)
    spent = sum(a.cost_usd for a in rows)
    c.print(escape(f"{len(rows)} attempt{'s' if len(rows) != 1 else ''} on {conj_id}"
                   + (f", ${spent:.4f} spent" if spent else "") + "; `wb attempts "
                   + conj_id + " --show N` prints one in full"))


def _print_full(a, ws=None) -> None:
    from rich.markup import escape

    from cli.output import styled_status

    c = console()
    c.print(escape(f"attempt #{a.no} on {a.conjecture}: ") + styled_status(a.verdict)
            + escape(f" (attempt {a.attempt}, round {a.round})"))
    c.print(escape(f"prover: {_who(a)}" + (f"   run: {a.run_id}" if a.run_id else "")))
    c.print(escape(f"when: {a.started_at.astimezone():%Y-%m-%d %H:%M:%S} – {a.finished_at.astimezone():%H:%M:%S}"
                   f"   duration: {a.duration_s:.2f} s (Lean {a.lean_s:.2f} s)"))
    if a.tokens_in or a.tokens_out or a.cost_usd:
        c.print(escape(f"tokens: {a.tokens_in:,} in, {a.tokens_out:,} out   cost: {_money(a.cost_usd)}"
                       + (f"   prompt: {a.prompt_hash}" if a.prompt_hash else "")))
    if a.lean_version:
        c.print(escape(f"lean: {a.lean_version}"))
    if a.problem:
        c.print(escape(f"problem: {a.problem}"))
    if a.reasons:
        c.print("reasons:")
        for r in a.reasons:
            c.print(escape(f"  {r.code.value}" + (f" (line {r.line})" if r.line else "") + f": {r.message}"))
    c.print("\n[bold]candidate[/] (the text Lean checked):" if a.candidate is not None else "\n[bold]candidate:[/] none")
    if a.candidate is not None:
        c.print(escape(a.candidate), soft_wrap=True)
    shown = [m for m in a.messages if m.severity != "information" or m.in_candidate]
    if shown:
        c.print("\n[bold]Lean's messages:[/]")
        for m in shown:
            where = (f"line {m.line}" + (f":{m.column + 1}" if m.column is not None else "")) if m.line else "-"
            where += "" if m.in_candidate else " (outside the candidate)"
            c.print(escape(f"  {m.severity} at {where}: {m.text}"), soft_wrap=True)
    if a.reply:
        c.print("\n[bold]model reply:[/]")
        c.print(escape(a.reply), soft_wrap=True)
    if a.search:
        from cli.search_view import print_search

        print_search(ws, a)


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`."""
    app.command()(prove)
    app.command()(attempts)
