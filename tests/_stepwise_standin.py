"""A stand-in stepwise backend for the tests: a small proof space served by a real child process.

It speaks `workbench.provers.stepwise.protocol` exactly as the LeanDojo and LeanInteract adapters do,
over a JSON-lines pipe to a child Python process (`_stepwise_standin_child.py`), so hangs, crashes and
memory limits are real: a tactic marked `hang` sleeps in the child until the per-tactic timeout kills
it, `crash` makes the child exit, `alloc_mb` allocates under the memory cap (RLIMIT_AS) and dies.

The proof space is declared, not computed: `theorems` maps a declaration to its root goal, and
`moves[goal][tactic]` says what the tactic does to that goal when it is the main one — a list of new
goals (empty: the goal is closed), `{"error": "…"}`, `{"hang": seconds}`, `{"crash": "…"}` or
`{"alloc_mb": N}`.  Any other tactic fails (`unknown tactic`); a goal without moves is a dead end.
The tactics are term steps (`exact T`, `refine T` with holes `?_`, `intro x`) and a solved path is
assembled by `term_proof` into a term the real offline Lean (no Init, so no `by`) checks — so a space
that lies (claims a wrong step closes a goal) is caught by Lean, as any backend's lie must be.

    backend = StandIn(SPACE)                         # or, in workbench.toml:
    # [provers.stepwise]
    # backend = "_stepwise_standin:backend"
    # standin_space = "space.json"
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _prove_fixtures import PRELUDE

CHILD = Path(__file__).with_name("_stepwise_standin_child.py")  # the backend process (stdlib only)

GOAL_ROOT = "n : N\n⊢ And (Eq (N.add n N.z) n) (Eq (N.add N.z (N.s N.z)) (N.s N.z))"
GOAL_LEFT = "n : N\n⊢ Eq (N.add n N.z) n"
GOAL_RIGHT = "n : N\n⊢ Eq (N.add N.z (N.s N.z)) (N.s N.z)"
GOAL_FALSE = "n : N\n⊢ False"
GOAL_IMP = "p : Prop\n⊢ p → p"
GOAL_IMP_H = "p : Prop\nh : p\n⊢ p"

# The statement file these goals belong to (prelude-only: the offline Lean has no Init); `lcErased` is what the
# compiler wants for an inductive with proof fields such as `And` (Init declares it too).
STATEMENT = PRELUDE + """
unsafe axiom lcErased : Type
inductive And (a b : Prop) : Prop where
  | intro (left : a) (right : b)
inductive False : Prop

/-- Adding zero on the right changes nothing, and 0 + 1 = 1. -/
theorem both (n : N) : And (Eq (N.add n N.z) n) (Eq (N.add N.z (N.s N.z)) (N.s N.z)) := sorryAx _ Bool.false

/-- Every proposition implies itself. -/
theorem imp (p : Prop) : p → p := sorryAx _ Bool.false
"""

# A small proof space with two routes to `both` (they meet in a shared state), a dead end, tactics that
# fail, one that hangs, one that crashes the backend and one that runs out of memory.
SPACE: dict[str, Any] = {
    "theorems": {"both": GOAL_ROOT, "imp": GOAL_IMP},
    "moves": {
        GOAL_ROOT: {
            "refine And.intro ?_ ?_": [GOAL_LEFT, GOAL_RIGHT],
            "refine And.intro (@Eq.refl _ n) ?_": [GOAL_RIGHT],
            "exact And.intro": {"error": "type mismatch\n  And.intro\nhas type\n  ?a → ?b → And ?a ?b"},
            "exfalso": [GOAL_FALSE],
            "decide": {"hang": 3600},
            "simp": {"crash": "PANIC at Lean.Meta.simp: unreachable code"},
            "norm_num": {"alloc_mb": 4096},
        },
        GOAL_LEFT: {
            "exact @Eq.refl _ n": [],
            "exact Eq.refl": {"error": "type mismatch\n  Eq.refl\nhas type\n  ∀ (a : ?m.2), Eq a a"},
        },
        GOAL_RIGHT: {
            "exact @Eq.refl _ (N.s N.z)": [],
            "exact @Eq.refl _ N.z": {"error": "type mismatch: N.z is not N.s N.z"},
        },
        GOAL_FALSE: {},
        GOAL_IMP: {"intro h": [GOAL_IMP_H]},
        GOAL_IMP_H: {"exact h": []},
    },
}

# What a scripted model proposes, keyed by the main goal (best first).
PROPOSALS: dict[str, list[str]] = {
    GOAL_ROOT: ["exact And.intro", "refine And.intro ?_ ?_", "refine And.intro (@Eq.refl _ n) ?_", "exfalso"],
    GOAL_LEFT: ["exact Eq.refl", "exact @Eq.refl _ n"],
    GOAL_RIGHT: ["exact @Eq.refl _ N.z", "exact @Eq.refl _ (N.s N.z)"],
    GOAL_FALSE: ["exact sorry", "contradiction"],
    GOAL_IMP: ["intro h"],
    GOAL_IMP_H: ["exact h"],
}

HINT = ("This Lean has no tactic framework: every step must be `exact TERM`, `refine TERM` (with holes `?_` "
        "for the goals that remain) or `intro x`.")


# -- the backend ---------------------------------------------------------------------------------------


class StandInSession:
    """One child process with the target's goal open."""

    def __init__(self, space_path: Path, decl: str, memory_mb: int, open_timeout: float = 20.0) -> None:
        from workbench.provers.stepwise.protocol import BackendError, State

        def cap() -> None:
            import resource

            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

        self._proc = subprocess.Popen(
            [sys.executable, "-S", str(CHILD), str(space_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, bufsize=0, preexec_fn=cap,
        )
        self._buf = b""
        reply = self._ask({"op": "open", "decl": decl}, open_timeout)
        if "error" in reply:
            self.close()
            raise BackendError(f"the stand-in could not open '{decl}': {reply['error']}")
        self.root = State(reply["state"], tuple(reply["goals"]))

    def _ask(self, request: dict, timeout: float) -> dict:
        from workbench.provers.stepwise.protocol import BackendCrashed, TacticTimeout

        proc = self._proc
        try:
            proc.stdin.write((json.dumps(request) + "\n").encode())
        except (BrokenPipeError, OSError):
            raise BackendCrashed(self._death()) from None
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                self.close()
                raise TacticTimeout(f"the stand-in did not answer within {timeout:g} s")
            ready, _, _ = select.select([proc.stdout], [], [], left)
            if not ready:
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                raise BackendCrashed(self._death())
            self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        return json.loads(line)

    def _death(self) -> str:
        try:
            code = self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            code = self._proc.wait()
        err = self._proc.stderr.read().decode(errors="replace").strip().splitlines() if self._proc.stderr else []
        why = "out of memory" if any("MemoryError" in e for e in err) else (err[-1] if err else "no message")
        return f"the stand-in exited with status {code}: {why}"

    def apply(self, state, tactic: str, *, timeout: float):
        from workbench.provers.stepwise.protocol import Outcome

        reply = self._ask({"op": "apply", "state": state.handle, "tactic": tactic}, timeout)
        if "error" in reply:
            return Outcome.error(reply["error"])
        return Outcome.goals(reply["state"], reply["goals"])

    def close(self) -> None:
        proc = self._proc
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()


class StandIn:
    """The stand-in backend: sessions are child processes serving `space`; proofs are assembled as terms."""

    name = "stand-in"
    tactic_hint = HINT

    def __init__(self, space: dict | str | Path = SPACE, *, open_timeout: float = 20.0) -> None:
        if isinstance(space, dict):
            import weakref

            fd, path = tempfile.mkstemp(prefix="wb-standin-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(space, fh)
            weakref.finalize(self, os.unlink, path)  # the space file lives as long as the backend
            space = path
        self.space_path = Path(space)
        self.open_timeout = open_timeout
        self.opened = 0  # sessions started (1 + restarts)

    def check(self, target) -> None:
        from workbench.provers.stepwise.protocol import BackendUnavailable

        if not self.space_path.is_file():
            raise BackendUnavailable(f"the stand-in's proof space {self.space_path} is missing")

    def open(self, target):
        self.opened += 1
        return StandInSession(self.space_path, target.decl, target.memory_mb, self.open_timeout)

    def assemble(self, target, tactics: list[str]) -> str:
        from workbench.provers.stepwise.assemble import term_proof

        return term_proof(target.header, tactics)


def backend(ws, options) -> StandIn:
    """The factory `[provers.stepwise] backend = "_stepwise_standin:backend"` names; the space comes from
    `standin_space` (a JSON file, relative to the workspace root), else `SPACE`."""
    space = options.extra.get("standin_space")
    return StandIn(ws.root / space if space else SPACE)


# -- a scripted model that proposes tactics ------------------------------------------------------------


def main_goal(request) -> str | None:
    """The main goal shown in a stepwise prompt (the first goal of the `Current proof state` block)."""
    text = "\n".join(m.get("content", "") for m in request.messages if m.get("role") == "user")
    _, found, rest = text.partition("Current proof state")
    if not found:
        return None
    block = rest.split("```\n", 1)[1].split("\n```", 1)[0]
    return block.split("\n\n")[0]


def propose_from(server, proposals: dict[str, list[str]] = PROPOSALS, *, tokens_in: int = 400, tokens_out: int = 40,
                 delay: float = 0.0):
    """Make `server` answer every stepwise prompt with the tactics listed for its main goal, each in a ```lean block."""

    def reply(request):
        tactics = proposals.get(main_goal(request) or "", ["rfl"])
        text = "Next steps, best first:\n\n" + "\n\n".join(f"```lean\n{t}\n```" for t in tactics)
        return server.ok(text, tokens_in=tokens_in, tokens_out=tokens_out, model="mock-prover-1", delay=delay)

    server.on_request = reply
    return server
