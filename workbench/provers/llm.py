"""The LLM prover: asks a chat model for a Lean proof and repairs it from Lean's messages.

One attempt is one conversation: the first request gives the statement file, the target, the
informal statement, the dependencies and earlier failures; after each rejection Lean's messages
(positions in the checked candidate, whose numbered lines are shown) go back as the next user
message, for at most `rounds` candidates.  A reply without code, a truncated reply or a provider
failure that retries could not cure (timeout, 429, 5xx) becomes a candidate with `problem` set —
recorded as a rejected attempt, never a crash.  Errors no retry can fix (401/403/404, a missing
key) are raised as `ProviderError`: the caller stops.
"""

from __future__ import annotations

from workbench.errors import ProviderError, ProviderUnreachableError
from workbench.provers.base import Candidate, CandidateStream, Feedback, Task, prompt_hash
from workbench.provers import prompts

FATAL_STATUSES = frozenset({400, 401, 403, 404})


def is_fatal(exc: ProviderError) -> bool:
    """True for provider errors that another try cannot fix (bad key, no access, unknown model, no server)."""
    if isinstance(exc, ProviderUnreachableError):
        return True
    return exc.status in FATAL_STATUSES or exc.status is None and exc.message.startswith("no API key")


def ask(client, messages: list[dict[str, str]], system: str):
    """One model call: `(reply, None)`, or `(None, why)` for a failure its retries could not cure (timeout,
    429, 5xx); failures no retry can fix (bad key, unknown model) are raised."""
    try:
        return client.chat(messages, system=system), None
    except ProviderError as exc:
        if is_fatal(exc):
            raise
        return None, str(exc)


class LLMProver:
    """A prover backed by one chat provider (`ChatClient`); `rounds` bounds the candidates per attempt."""

    kind = "llm"

    def __init__(self, client, *, rounds: int = 3, system: str = prompts.SYSTEM) -> None:
        if rounds < 1:
            raise ValueError("rounds must be at least 1")
        self.client = client
        self.rounds = rounds
        self.system = system
        self.name = client.config.name
        self.model = client.config.model

    def __repr__(self) -> str:
        return f"LLMProver({self.name!r}, model={self.model!r}, rounds={self.rounds})"

    def candidates(self, task: Task) -> CandidateStream:
        messages: list[dict[str, str]] = [{"role": "user", "content": prompts.initial_prompt(task)}]
        for rnd in range(1, self.rounds + 1):
            phash = prompt_hash(self.system, messages)
            reply, failure = ask(self.client, messages, self.system)
            if reply is None:
                yield Candidate(
                    text=None, round=rnd, prompt_hash=phash, provider=self.name, model=self.model,
                    problem=failure, problem_code="provider",
                )
                return  # the conversation cannot go on without the reply
            code = None if reply.problem else extract(reply.text)
            problem = reply.problem
            if reply.truncated:
                problem = f"the reply was cut off (finish reason '{reply.finish_reason}') before the proof was complete"
                code = None
            elif problem is None and code is None:
                problem = "the reply contains no Lean code"
            feedback: Feedback = yield Candidate(
                text=code, round=rnd, prompt_hash=phash, tokens_in=reply.tokens_in, tokens_out=reply.tokens_out,
                cost_usd=reply.cost_usd, duration_s=reply.duration_s, provider=self.name, model=reply.model or self.model,
                reply=reply.text, problem=problem,
            )
            if feedback is None or feedback.verdict.accepted:
                return
            messages.append({"role": "assistant", "content": reply.text or "(empty reply)"})
            messages.append({
                "role": "user",
                "content": prompts.repair_prompt(feedback.verdict, feedback.checked, feedback.problem or problem),
            })


def extract(text: str) -> str | None:
    """The Lean code of a reply (its last ```lean block, else the last block, else the reply if Lean-like)."""
    from workbench.provers.providers import extract_lean

    code = extract_lean(text)
    return code if code and code.strip() else None
