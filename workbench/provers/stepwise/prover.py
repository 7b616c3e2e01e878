"""The stepwise prover: best-first tactic search on a backend, each solved path verified as a whole proof.

`StepwiseProver` speaks the same candidate-stream protocol as the other provers (`provers.base`): one
search is one attempt; every path the backend reports solved is assembled into a whole proof and
yielded as a candidate for the verifier, and when the search ends without an accepted proof a last
candidate without text records why (budget, exhausted, provider, backend).  Every proposal and tactic
is in the search log (`record`), and each candidate names its search and step.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from workbench.errors import UsageError, ValidationFailed
from workbench.provers.base import Candidate, CandidateStream, Task, declaration_header
from workbench.provers.stepwise.protocol import Backend, BackendError, Target

DEFAULT_BACKEND = "interact"

STOP_WORDS = {
    "expansions": "the expansion budget was used up",
    "time": "the time budget was used up",
    "money": "the money budget was used up",
    "exhausted": "no untried state was left",
    "provider": "the model provider failed",
    "backend": "the backend failed",
}


class StepwiseOptions(BaseModel):
    """Settings of the stepwise prover: `[provers.stepwise]` in workbench.toml, overridden by `wb prove` flags.

    Keys this model does not know are kept in `extra` for a custom backend."""

    model_config = ConfigDict(extra="forbid")

    backend: str = DEFAULT_BACKEND  # dojo, interact, or "package.module:factory"
    provider: str | None = None  # the model provider (a [providers.NAME] entry); default as for --prover llm
    expansions: int = Field(32, ge=1)
    beam: int = Field(4, ge=1, le=64)
    max_seconds: float = Field(600.0, gt=0)
    max_usd: float | None = Field(None, ge=0)
    max_depth: int = Field(32, ge=1)
    tactic_timeout_s: float = Field(60.0, gt=0)
    max_restarts: int = Field(20, ge=0)
    memory_mb: int = Field(8192, ge=64)
    goal_weight: float = Field(0.5, ge=0)
    depth_weight: float = Field(0.05, ge=0)
    extra: dict[str, Any] = Field(default_factory=dict)

    def search_options(self):
        from workbench.provers.stepwise.search import SearchOptions

        return SearchOptions(expansions=self.expansions, beam=self.beam, max_seconds=self.max_seconds,
                             max_usd=self.max_usd, max_depth=self.max_depth, goal_weight=self.goal_weight,
                             depth_weight=self.depth_weight)


def stepwise_options(ws, *, backend: str | None = None, expansions: int | None = None, beam: int | None = None) -> StepwiseOptions:
    """`[provers.stepwise]` of workbench.toml (memory defaulting to `[lean] memory_mb`) with the given overrides."""
    from pydantic import ValidationError

    provers = ws.config.get("provers", {})
    table = provers.get("stepwise", {}) if isinstance(provers, dict) else {}
    if not isinstance(table, dict):
        raise ValidationFailed("workbench.toml [provers.stepwise]: must be a table")
    known = set(StepwiseOptions.model_fields) - {"extra"}
    data = {k: v for k, v in table.items() if k in known}
    extra = {k: v for k, v in table.items() if k not in known}
    lean = ws.config.get("lean", {})
    if "memory_mb" not in data and isinstance(lean, dict) and lean.get("memory_mb"):
        data["memory_mb"] = lean["memory_mb"]
    for key, value in (("backend", backend), ("expansions", expansions), ("beam", beam)):
        if value is not None:
            data[key] = value
    try:
        return StepwiseOptions(**data, extra=extra)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        raise ValidationFailed(f"stepwise prover: '{field}': {err['msg']}",
                               hint="see [provers.stepwise] in workbench.toml and `wb prove --help`") from None


class StepwiseProver:
    """Best-first tactic search with a model proposing tactics and a backend running them."""

    kind = "stepwise"
    name = "stepwise"

    def __init__(self, ws, options: StepwiseOptions, client, *, backend: Backend | None = None, toolchain=None) -> None:
        from workbench.provers.stepwise.backends import make_backend

        self.ws = ws
        self.options = options
        self.client = client
        self.model = client.config.model
        self.provider = client.config.name
        self.toolchain = toolchain
        self.backend = backend if backend is not None else make_backend(ws, options)

    def __repr__(self) -> str:
        return f"StepwiseProver(backend={self.backend.name!r}, model={self.model!r}, expansions={self.options.expansions}, beam={self.options.beam})"

    # -- the target ---------------------------------------------------------------------------------

    def target(self, task: Task) -> Target:
        """What the backend opens for `task`: the node's declaration in the workspace's Lake project."""
        header = declaration_header(task.statement_text, task.decl)
        if header is None:
            raise UsageError(f"{task.statement_file.name}: cannot find the statement of '{task.decl}'")
        conj = self.ws.get(task.conjecture)
        tc = self.toolchain
        return Target(
            conjecture=task.conjecture, decl=task.decl, module=conj.formal.module, statement_file=task.statement_file,
            statement_text=task.statement_text, header=header, lean_dir=self.ws.lean_dir, workspace_root=self.ws.root,
            lean_path=tuple(task.lean_path), memory_mb=self.options.memory_mb,
            lean_cmd=tuple(tc.lean_cmd) if tc is not None else (), lake=getattr(tc, "lake", None),
            extra=dict(self.options.extra),
        )

    def preflight(self, task: Task) -> None:
        """Refuse early (BackendUnavailable, with the command that fixes it) when the backend cannot run."""
        if task.negate:
            raise UsageError("the stepwise prover searches for proofs, not disproofs")
        self.backend.check(self.target(task))

    # -- the candidate stream -----------------------------------------------------------------------

    def candidates(self, task: Task) -> CandidateStream:
        from workbench.provers.stepwise.assemble import AssemblyError
        from workbench.provers.stepwise.propose import ModelProposer
        from workbench.provers.stepwise.record import SearchLog
        from workbench.provers.stepwise.runner import Runner
        from workbench.provers.stepwise.search import BestFirstSearch

        target = self.target(task)
        opts = self.options
        log = SearchLog.begin(self.ws, conjecture=task.conjecture, backend=self.backend.name, provider=self.provider,
                              model=self.model, options=opts.model_dump(exclude={"extra"}))
        runner = Runner(self.backend, target, tactic_timeout=opts.tactic_timeout_s, max_restarts=opts.max_restarts)
        proposer = ModelProposer(self.client, task, hint=getattr(self.backend, "tactic_hint", ""))
        search = BestFirstSearch(runner, proposer, opts.search_options(), on_step=log.step)
        billed = {"tokens_in": 0, "tokens_out": 0, "cost_usd": 0.0, "duration_s": 0.0}

        def bill() -> dict[str, Any]:
            u = search.usage
            now = {"tokens_in": u.tokens_in, "tokens_out": u.tokens_out, "cost_usd": u.cost_usd, "duration_s": u.duration_s}
            delta = {k: now[k] - billed[k] for k in now}
            billed.update(now)
            delta["cost_usd"] = round(delta["cost_usd"], 8)
            return delta

        common = {"provider": self.provider, "model": self.model, "search": log.id}
        rnd = 0
        accepted = False
        solutions = search.run()
        try:
            send: bool | None = None
            while True:
                try:
                    solved = next(solutions) if send is None else solutions.send(send)
                except StopIteration:
                    break
                rnd += 1
                try:
                    text, problem = self.backend.assemble(target, solved.tactics), None
                except AssemblyError as exc:
                    text, problem = None, f"the solved path cannot be written as a proof: {exc}"
                feedback = yield Candidate(
                    text=text, round=rnd, label=f"{self.backend.name}: {len(solved.tactics)} tactics",
                    problem=problem, search_step=solved.step.seq, **common, **bill(),
                )
                accepted = feedback is not None and feedback.verdict.accepted
                if accepted:
                    return
                send = False
        finally:
            solutions.close()
            runner.close()
            # closed by the caller: after an accepted candidate (the attempt row says so), or at its deadline
            log.finish(search.stop_reason or "closed", self._summary(search, runner))
            log.close()
        if accepted:
            return
        best = search.best
        code = {"provider": "provider", "backend": "toolchain"}.get(search.stop_reason or "", "no-proof")
        yield Candidate(
            text=None, round=rnd + 1, label=f"{self.backend.name}: no proof ({search.stop_reason})",
            problem=self._why(search), problem_code=code, search_step=best.step if best else None, **common, **bill(),
        )

    @staticmethod
    def _summary(search, runner) -> dict[str, Any]:
        return {
            "expansions": search.expansions, "tactics": search.tactics_run, "results": dict(search.results),
            "restarts": runner.restarts, "replayed": runner.replayed, "states": len(search.nodes),
            "elapsed_s": round(search.elapsed, 3), "tokens_in": search.usage.tokens_in,
            "tokens_out": search.usage.tokens_out, "cost_usd": round(search.usage.cost_usd, 8),
            "stop_message": search.stop_message,
        }

    @staticmethod
    def _why(search) -> str:
        reason = search.stop_reason or "stopped"
        counts = ", ".join(f"{n} {k}" for k, n in sorted(search.results.items())) or "no tactic run"
        why = f"no proof found: {STOP_WORDS.get(reason, reason)}"
        if search.stop_message:
            why += f" ({search.stop_message})"
        return f"{why}; {search.expansions} expansions, {search.tactics_run} tactics ({counts}), {len(search.nodes)} states"


__all__ = ["BackendError", "StepwiseOptions", "StepwiseProver", "stepwise_options"]
