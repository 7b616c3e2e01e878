"""`prove`: run a prover on one formalized conjecture, verify every candidate, record every attempt.

    from workbench.prove import prove
    from workbench.settle import LeanOptions
    result = prove(ws, "foo", prover="anthropic", rounds=3, lean_opts=LeanOptions())
    result.settled, [a.verdict for a in result.attempts]

The prover only proposes: each candidate is normalized (the same function `wb check --proof`
uses) and checked by `settle`, which on acceptance stores the proof file, records the verdict
and commits.  Every candidate — and every reply that had no candidate — is one row in the
attempts store, written the moment it is judged.  The pieces batch runs reuse:
`resolve_prover` (a prover by name), `run_attempt` (one attempt: one candidate stream, each
candidate checked and recorded; `check=` lets a caller put Lean behind its own pool) and
`check_candidate` (normalize + settle for one candidate).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import datetime, timezone

from pydantic import BaseModel, Field

from workbench.attempts import Attempt, AttemptStore
from workbench.errors import UsageError, WorkbenchError
from workbench.model import Reason, ReasonCode, Status, Verdict
from workbench.provers.base import Candidate, Feedback, Prover, Task, build_task
from workbench.settle import CheckResult, LeanOptions
from workbench.workspace import Change, Workspace

BUILTIN_PROVERS = ("portfolio", "llm", "openai", "anthropic", "stepwise")


class ProveResult(BaseModel):
    """What `prove` did: every attempt it recorded and, when one was accepted, the settlement."""

    id: str
    prover: str
    model: str | None = None
    settled: bool
    status: str
    attempts: list[Attempt] = Field(default_factory=list)
    accepted: int | None = None  # number of the accepted attempt
    change: Change | None = None
    stopped: str | None = None  # why it stopped early ("stopped", …), None when it ran its course


class AttemptOutcome(BaseModel):
    """What one `run_attempt` produced."""

    attempts: list[Attempt] = Field(default_factory=list)
    result: CheckResult | None = None  # the settling check, when a candidate was accepted

    @property
    def settled(self) -> bool:
        return self.result is not None and self.result.verdict.accepted


def _now() -> datetime:
    return datetime.now(timezone.utc)


# -- choosing a prover --------------------------------------------------------------------------


def provider_config(ws: Workspace, name: str, model: str | None = None):
    """The provider config for prover `name`: a `[providers.NAME]` entry, or built-in openai/anthropic.

    `llm` means `[provers.llm] provider = "NAME"` from workbench.toml, else the only `[providers.*]`
    entry when there is exactly one, else the built-in `openai`; `stepwise` (the model proposing its
    tactics) means `[provers.stepwise] provider = "NAME"`, else the same as `llm`.
    """
    from workbench.provers.providers import builtin_provider, providers_from_config

    table = providers_from_config(ws.config.get("providers", {}))
    if name == "stepwise":
        stepwise = ws.config.get("provers", {}).get("stepwise", {})
        name = (stepwise.get("provider") if isinstance(stepwise, dict) else None) or "llm"
    if name == "llm":
        provers = ws.config.get("provers", {})
        chosen = provers.get("llm", {}).get("provider") if isinstance(provers.get("llm"), dict) else None
        if chosen is None and len(table) == 1:
            chosen = next(iter(table))
        name = chosen or "openai"
    if name in table:
        config = table[name]
        return config.model_copy(update={"model": model}) if model else config
    if name in ("openai", "anthropic"):
        return builtin_provider(name, model)
    raise UsageError(
        f"unknown prover '{name}'",
        hint="use portfolio, llm, openai, anthropic, stepwise, or a [providers.NAME] entry of workbench.toml",
    )


def resolve_prover(ws: Workspace, name: str = "portfolio", *, model: str | None = None, rounds: int = 3,
                   toolchain=None, stepwise: dict | None = None) -> Prover:
    """A prover by name: `portfolio`, `llm`, `openai`, `anthropic`, `stepwise`, or a `[providers.NAME]` entry.

    For a model prover this builds the HTTP client, so a missing key fails here (ProviderError).
    `toolchain`, when given, lets the portfolio refuse early if it has no tactics.  `stepwise` holds
    overrides of `[provers.stepwise]` (backend, expansions, beam) for the stepwise prover only.
    """
    if rounds < 1:
        raise UsageError("--rounds must be at least 1")
    if stepwise and name != "stepwise":
        raise UsageError(f"--{next(iter(stepwise))} is an option of the stepwise prover; add --prover stepwise")
    if name == "stepwise":
        from workbench.provers.providers import ChatClient
        from workbench.provers.stepwise import StepwiseProver, stepwise_options

        options = stepwise_options(ws, **(stepwise or {}))
        return StepwiseProver(ws, options, ChatClient(provider_config(ws, "stepwise", model)), toolchain=toolchain)
    if name == "portfolio":
        from workbench.provers.portfolio import PortfolioProver, tactics_from_config

        if model:
            raise UsageError("the portfolio prover uses no model; drop --model or pick a model prover")
        return PortfolioProver(tactics_from_config(ws.config), toolchain=toolchain)
    from workbench.provers.llm import LLMProver
    from workbench.provers.providers import ChatClient

    return LLMProver(ChatClient(provider_config(ws, name, model)), rounds=rounds)


def describe_prover(ws: Workspace, name: str = "portfolio", model: str | None = None) -> str:
    """What `prove` waits on, in a few words: the tactic portfolio (Lean), or a model and where it is served."""
    if name == "portfolio":
        return "Lean to check the portfolio's tactics"
    from workbench.provers.providers import BASE_URL_ENV, DEFAULT_BASE_URLS

    config = provider_config(ws, name, model)
    url = config.base_url or os.environ.get(BASE_URL_ENV[config.protocol]) or DEFAULT_BASE_URLS[config.protocol]
    return f"{config.name}/{config.model} at {url}"


def close_prover(prover: Prover) -> None:
    """Release what a prover holds (a model prover's HTTP connections)."""
    client = getattr(prover, "client", None)
    if client is not None and hasattr(client, "close"):
        client.close()


# -- checking one candidate ---------------------------------------------------------------------


def rejected(code: ReasonCode | str, message: str) -> Verdict:
    """A rejection made without running Lean (no code, a garbage reply, a provider timeout)."""
    return Verdict(verdict="rejected", reasons=[Reason(code=ReasonCode(code), message=message)])


def candidate_text(task: Task, candidate: Candidate) -> tuple[str | None, Feedback | None]:
    """The Lean text to check for a prover's candidate (normalized against the statement file), or
    the rejection to send back when there is none (no code, a garbage reply, unreadable Lean)."""
    from workbench.lean.normalize import normalize_candidate

    if candidate.text is None or candidate.problem:
        problem = candidate.problem or "no candidate"
        return None, Feedback(verdict=rejected(candidate.problem_code, problem), problem=problem)
    try:
        return normalize_candidate(task.statement_text, candidate.text, task.decl), None
    except (WorkbenchError, ValueError) as exc:
        problem = f"the candidate cannot be read as Lean: {exc}"
        return None, Feedback(verdict=rejected(ReasonCode.bad_input, problem), problem=problem)


def check_candidate(ws: Workspace, task: Task, candidate: Candidate, prover: Prover, lean_opts: LeanOptions,
                    *, commit: bool = True, source: str | None = None) -> tuple[Feedback, CheckResult | None]:
    """Normalize and verify one candidate; when Lean accepts it, `settle` records the proof and commits.

    Returns the feedback for the prover and, when Lean ran, settle's result.
    """
    from workbench.settle import settle

    checked, refusal = candidate_text(task, candidate)
    if checked is None:
        return refusal, None  # type: ignore[return-value]
    result = settle(ws, task.conjecture, checked, lean_opts, negate=task.negate, prover=prover.name, model=candidate.model,
                    source=source, commit=commit)
    return Feedback(verdict=result.verdict, checked=checked), result


CheckFn = Callable[[Task, Candidate], "tuple[Feedback, CheckResult | None]"]


# -- one attempt --------------------------------------------------------------------------------


def run_attempt(
    ws: Workspace,
    task: Task,
    prover: Prover,
    *,
    lean_opts: LeanOptions,
    store: AttemptStore,
    attempt_index: int = 1,
    run_id: str | None = None,
    slot_prefix: str | None = None,
    on_attempt: Callable[[Attempt], None] | None = None,
    commit: bool = True,
    check: CheckFn | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> AttemptOutcome:
    """Drive one candidate stream of `prover` on `task`: check each candidate, record it, feed the
    verdict back, stop at the first accepted one (settled by `check`) or when the prover is done.

    `check(task, candidate)` defaults to `check_candidate` (normalize + settle).  `should_stop()` is
    asked before each new candidate (a deadline, Ctrl-C).  With `slot_prefix`, each row's slot is
    "<prefix>/<round>": a resumed batch can skip what is already recorded.  Provider errors no retry
    can fix (401/403, missing key) propagate as ProviderError; nothing is recorded for them.
    """
    if check is None:
        def check(t: Task, c: Candidate) -> tuple[Feedback, CheckResult | None]:
            source = f"wb prove (attempt {attempt_index}, round {c.round}" + (f", {c.label}" if c.label else "") + ")"
            return check_candidate(ws, t, c, prover, lean_opts, commit=commit, source=source)

    outcome = AttemptOutcome()
    stream = prover.candidates(task)
    feedback: Feedback | None = None
    try:
        while True:
            if should_stop is not None and should_stop():
                break
            started, t0 = _now(), time.monotonic()
            try:
                candidate = next(stream) if feedback is None else stream.send(feedback)
            except StopIteration:
                break
            feedback, result = check(task, candidate)
            verdict = feedback.verdict
            attempt = Attempt(
                run_id=run_id,
                slot=f"{slot_prefix}/{candidate.round}" if slot_prefix else None,
                conjecture=task.conjecture,
                started_at=started,
                finished_at=_now(),
                prover=prover.kind,
                provider=candidate.provider,
                model=candidate.model,
                attempt=attempt_index,
                round=candidate.round,
                label=candidate.label,
                tokens_in=candidate.tokens_in,
                tokens_out=candidate.tokens_out,
                cost_usd=candidate.cost_usd,
                duration_s=round(time.monotonic() - t0, 3),
                lean_s=round(verdict.elapsed_s, 3),
                verdict=verdict.verdict,
                reasons=verdict.reasons,
                messages=verdict.messages,
                candidate=feedback.checked if feedback.checked is not None else candidate.text,
                reply=candidate.reply,
                prompt_hash=candidate.prompt_hash,
                problem=feedback.problem or candidate.problem,
                lean_version=verdict.lean_version,
                settled=bool(verdict.accepted and result is not None and result.change is not None),
                search=candidate.search,
                search_step=candidate.search_step,
            )
            store.record(attempt)
            outcome.attempts.append(attempt)
            if on_attempt is not None:
                on_attempt(attempt)
            if verdict.accepted:
                outcome.result = result
                break
    finally:
        stream.close()
    return outcome


# -- the whole call -----------------------------------------------------------------------------


def prove(
    ws: Workspace,
    conj_id: str,
    *,
    prover: str = "portfolio",
    model: str | None = None,
    rounds: int = 3,
    attempts: int = 1,
    lean_opts: LeanOptions | None = None,
    on_attempt: Callable[[Attempt], None] | None = None,
    commit: bool = True,
    run_id: str | None = None,
    store: AttemptStore | None = None,
    should_stop: Callable[[], bool] | None = None,
    stepwise: dict | None = None,
    disproof: bool = False,
) -> ProveResult:
    """Run prover `prover` on formalized conjecture `conj_id` for up to `attempts` attempts of up to
    `rounds` candidates each; the first candidate Lean accepts settles it (proof file, verdict, commit).
    For `prover="stepwise"`, an attempt is one tactic search and `stepwise` overrides `[provers.stepwise]`
    (e.g. `{"backend": "interact", "expansions": 64, "beam": 8}`).
    With `disproof`, the prover is asked for a proof of the negation (with a numeric check's counterexample,
    when there is one), checked exactly as `wb check --disproof`; acceptance settles the node as disproved.

    Raises UsageError when the node is not `formalized`, ToolchainError when there is no Lean (or,
    for the portfolio, no tactics), ProviderError for a missing or refused key.
    """
    from workbench.settle import toolchain_for

    if attempts < 1:
        raise UsageError("--attempts must be at least 1")
    lean_opts = lean_opts or LeanOptions()
    conj = ws.get(conj_id)
    ws.require_writable()
    if conj.status in (Status.proved, Status.disproved):
        raise UsageError(f"'{conj_id}' is already {conj.status.value}", hint=f"see `wb show {conj_id}`")
    if conj.status != Status.formalized:
        hint = f"run `wb check {conj_id}` first" if conj.formal else f"attach a statement with `wb formalize {conj_id}`, then run `wb check {conj_id}`"
        raise UsageError(f"'{conj_id}' is {conj.status.value}, not formalized: only a checked formal statement can be proved", hint=hint)
    toolchain = toolchain_for(ws, lean_opts)  # no Lean: a clear ToolchainError before any model call
    own_store = store is None
    store = store or AttemptStore(ws)
    chosen = resolve_prover(ws, prover, model=model, rounds=rounds, toolchain=toolchain, stepwise=stepwise)
    result = ProveResult(id=conj_id, prover=chosen.name, model=chosen.model, settled=False, status=conj.status.value)
    try:
        task = build_task(ws, conj_id, store=store, negate=disproof)
        if hasattr(chosen, "preflight"):
            chosen.preflight(task)
        runs = 1 if chosen.kind == "portfolio" else attempts  # the portfolio is deterministic: one pass
        for k in range(1, runs + 1):
            if should_stop is not None and should_stop():
                result.stopped = "stopped"
                break
            if k > 1:
                task = build_task(ws, conj_id, store=store, negate=disproof)  # later attempts see the earlier failures
            outcome = run_attempt(
                ws, task, chosen, lean_opts=lean_opts, store=store, attempt_index=k, run_id=run_id,
                on_attempt=on_attempt, commit=commit, should_stop=should_stop,
            )
            result.attempts.extend(outcome.attempts)
            if outcome.settled:
                result.settled = True
                result.accepted = outcome.attempts[-1].no
                result.change = outcome.result.change  # type: ignore[union-attr]
                result.status = outcome.result.status  # type: ignore[union-attr]
                break
    finally:
        close_prover(chosen)
        if own_store:
            store.close()
    return result


__all__ = [
    "AttemptOutcome", "ProveResult", "check_candidate", "close_prover", "provider_config", "prove",
    "rejected", "resolve_prover", "run_attempt",
]
