"""`wb numeric-check`: check a node's claim with sympy and keep the result as a numeric-check note."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from cli.common import JsonOpt, open_workspace
from cli.output import console, emit_json

EXIT_CODES = {"supported": 0, "refuted": 1, "inconclusive": 3}


def numeric_check(
    ctx: typer.Context,
    conj_id: Annotated[str, typer.Argument(metavar="ID")],
    claim: Annotated[Optional[str], typer.Option("--claim", metavar="EXPR", help="The claim to store on the node first, e.g. 'n**2 <= 2**n', 'log(n)**2 = o(n)', 'harmonic(n) ~ log(n)'.")] = None,
    var: Annotated[Optional[list[str]], typer.Option("--var", metavar="\"NAME: CONDITION\"", help="A variable's condition (repeatable), e.g. \"n: integer, n >= 1\" or \"eps: 0 < eps < 1\".")] = None,
    samples: Annotated[int, typer.Option("--samples", metavar="N", help="Points the counterexample search evaluates.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", metavar="S", help="Seed of the search (the same seed finds the same points).")] = 0,
    timeout: Annotated[float, typer.Option("--timeout", metavar="S", help="Seconds before sympy is stopped (its process group is killed).")] = 60.0,
    as_json: JsonOpt = False,
) -> None:
    """Check a node's claim: symbolically first (asymptotic claims only by limits), then a seeded search for
    counterexamples, each re-checked exactly; the result is kept as a numeric-check note (one commit).

    Exit 0 supported, 1 refuted, 3 inconclusive, 2 for a usage problem (an unreadable claim, no claim)."""
    from rich.markup import escape

    from workbench.checks.check import numeric_check as run_check, witness_text
    from workbench.checks.claims import parse_var_option

    conditions = dict(parse_var_option(v) for v in var or [])
    ws = open_workspace(ctx, None)
    run = run_check(ws, conj_id, claim=claim, vars=conditions or None, samples=samples, seed=seed, timeout=timeout)
    result, record = run.result, run.record
    if as_json:
        emit_json(result.model_dump(mode="json"))
    else:
        out = console()
        colour = {"supported": "green", "refuted": "red", "inconclusive": "yellow"}[result.result]
        conditions_text = "; ".join(f"{k}: {v}" for k, v in record.vars.items())
        out.print(f"[{colour}]{result.result}[/]: {escape(record.claim)}" + (f"  [dim]({escape(conditions_text)})[/]" if conditions_text else ""), soft_wrap=True)
        if result.witness:
            out.print(f"  witness: {escape(witness_text(result.witness))}", soft_wrap=True)
        out.print(f"  {escape(result.detail)} [dim]({escape(record.method)})[/]", soft_wrap=True)
        for change, what in ((run.claim_change, "claim stored"), (run.note_change, "numeric-check note")):
            if change is not None:
                tail = f"commit {change.commit[:8]}" if change.commit else "not committed"
                out.print(f"{escape(conj_id)}: {what} ({tail})", soft_wrap=True)
        if result.result == "refuted":
            out.print(f"[dim]refuted, not disproved (only Lean disproves): `wb next` skips it; "
                      f"try `wb prove {escape(conj_id)} --disproof`[/]", soft_wrap=True)
    raise typer.Exit(EXIT_CODES[result.result])


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`."""
    app.command("numeric-check")(numeric_check)
