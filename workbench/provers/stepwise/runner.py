"""Running tactics on a backend that may hang or crash: a per-tactic timeout, restarts, and replay of the path.

The search names a state by its *path* (the tactics from the root).  `Runner.apply(path, tactic)` finds
that state in the live session — replaying the path from the root in a fresh session when the backend
was restarted since — and runs the tactic with the per-tactic timeout.  A tactic that times out or
crashes the backend is reported as such (`timeout`, `crash`); the session is closed, and the next call
starts a new one, so nothing a hung tactic left behind reaches later tactics.  A replay must reproduce
the goals the search saw (else the state is reported lost); too many restarts end the search.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from workbench.provers.stepwise.protocol import (
    Backend, BackendCrashed, BackendError, Session, State, TacticTimeout, Target,
)

StatePath = tuple[str, ...]


def goals_key(goals: tuple[str, ...]) -> tuple[str, ...]:
    """Goals compared up to whitespace (what dedup and replay checks use)."""
    return tuple(" ".join(g.split()) for g in goals)


@dataclass(frozen=True)
class Applied:
    """One tactic run for the search: `kind` is goals, solved, error, timeout, crash or lost (the state
    could not be replayed after a restart); `goals` are the new goals for `goals`."""

    kind: str
    goals: tuple[str, ...] = ()
    message: str = ""
    elapsed_s: float = 0.0


class Runner:
    """A backend session that survives hangs and crashes; `apply` is the only call the search makes."""

    def __init__(self, backend: Backend, target: Target, *, tactic_timeout: float = 30.0, max_restarts: int = 20) -> None:
        self.backend = backend
        self.target = target
        self.tactic_timeout = tactic_timeout
        self.max_restarts = max_restarts
        self.session: Session | None = None
        self.restarts = 0
        self.replayed = 0  # tactics run again to rebuild states after restarts
        self.root_goals: tuple[str, ...] | None = None
        self._states: dict[StatePath, State] = {}
        self._goals: dict[StatePath, tuple[str, ...]] = {}  # what the search saw at each path, kept across restarts

    # -- lifecycle ----------------------------------------------------------------------------------

    def start(self) -> tuple[str, ...]:
        """Open the target's goal (BackendError if it cannot be opened); returns the root goals."""
        self._open()
        assert self.root_goals is not None
        return self.root_goals

    def _open(self) -> None:
        session = self.backend.open(self.target)
        root = session.root
        if self.root_goals is None:
            if root.solved:
                session.close()
                raise BackendError(f"the backend opened '{self.target.decl}' with no goals; there is nothing to search")
            self.root_goals = root.goals
        elif goals_key(root.goals) != goals_key(self.root_goals):
            session.close()
            raise BackendError("after a restart the backend opened a different goal for the same declaration")
        self.session = session
        self._states = {(): root}

    def _restart(self) -> None:
        self._drop()
        self.restarts += 1
        if self.restarts > self.max_restarts:
            raise BackendError(f"the backend crashed or timed out {self.restarts} times; giving up on this search")

    def _drop(self) -> None:
        session, self.session, self._states = self.session, None, {}
        if session is not None:
            try:
                session.close()
            except Exception:  # noqa: BLE001 - a dead backend may fail to close; it is gone either way
                pass

    def close(self) -> None:
        self._drop()

    # -- running tactics ----------------------------------------------------------------------------

    def remember(self, path: StatePath, goals: tuple[str, ...]) -> None:
        """Record the goals the search accepted for `path` (replays must reproduce them)."""
        self._goals[path] = goals

    def _run(self, state: State, tactic: str) -> tuple[Applied, State | None]:
        assert self.session is not None
        t0 = time.monotonic()
        try:
            out = self.session.apply(state, tactic, timeout=self.tactic_timeout)
        except TacticTimeout as exc:
            elapsed = time.monotonic() - t0
            self._restart()
            return Applied("timeout", message=str(exc) or f"no answer within {self.tactic_timeout:g} s", elapsed_s=elapsed), None
        except BackendCrashed as exc:
            elapsed = time.monotonic() - t0
            self._restart()
            return Applied("crash", message=str(exc) or "the backend died", elapsed_s=elapsed), None
        elapsed = time.monotonic() - t0
        if out.kind == "error" or out.state is None:
            return Applied("error", message=out.message, elapsed_s=elapsed), None
        return Applied(out.kind, out.state.goals, out.message, elapsed), out.state

    def _state(self, path: StatePath) -> State | None:
        """The live state at `path`, replaying from the deepest live prefix; None when the replay fails."""
        if self.session is None:
            self._open()
        if path in self._states:
            return self._states[path]
        depth = max(i for i in range(len(path) + 1) if path[:i] in self._states)
        state = self._states[path[:depth]]
        for i in range(depth, len(path)):
            step, new = self._run(state, path[i])
            self.replayed += 1
            want = self._goals.get(path[: i + 1])
            if new is None or step.kind != "goals" or (want is not None and goals_key(step.goals) != goals_key(want)):
                return None
            state = self._states[path[: i + 1]] = new
        return state

    def apply(self, path: StatePath, tactic: str) -> Applied:
        """Run `tactic` on the state at `path`."""
        state = self._state(path)
        if state is None:
            return Applied("lost", message="the state could not be rebuilt after a restart (its replay failed)")
        step, new = self._run(state, tactic)
        if step.kind == "goals" and new is not None:
            self._states[(*path, tactic)] = new
        return step
