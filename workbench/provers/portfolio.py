"""The tactic portfolio: no model, just closing tactics tried one by one (`by rfl`, `by simp`, …).

Each candidate is the target declaration with its proof replaced by `by TACTIC`.  The list comes
from workbench.toml (`[provers.portfolio] tactics = [...]`), else `DEFAULT_TACTICS`.  Tactics live
in Lean's `Init` (and Mathlib for `norm_num`, `positivity`, `aesop`, …): a statement file that
starts with `prelude`, or a toolchain without `Init`, has none, and the portfolio says so
(`NoTacticsError`) instead of producing attempts that cannot succeed.
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
from pathlib import Path

from workbench.errors import ToolchainError, ValidationFailed
from workbench.provers.base import Candidate, CandidateStream, Task, declaration_header

DEFAULT_TACTICS: tuple[str, ...] = (
    "rfl",
    "decide",
    "simp",
    "omega",
    "norm_num",
    "aesop",
    "linarith",
    "nlinarith",
    "positivity",
    "grind",
    "exact?",
    "intros; simp",
    "intros; omega",
    "simp_all",
    "constructor <;> simp",
)

NO_TACTICS_HINT = "install elan and a toolchain with Mathlib (see `wb doctor`), or use a model prover (--prover llm)"


class NoTacticsError(ToolchainError):
    """The portfolio cannot run: no tactic library where the statement is checked."""


def tactics_from_config(config: dict) -> list[str]:
    """The tactic list of `[provers.portfolio]` in workbench.toml, or the default one."""
    table = config.get("provers", {}).get("portfolio", {}) if isinstance(config.get("provers", {}), dict) else {}
    tactics = table.get("tactics") if isinstance(table, dict) else None
    if tactics is None:
        return list(DEFAULT_TACTICS)
    if not isinstance(tactics, list) or not tactics or not all(isinstance(t, str) and t.strip() for t in tactics):
        raise ValidationFailed("workbench.toml [provers.portfolio]: field 'tactics': must be a non-empty list of tactic strings")
    return [t.strip() for t in tactics]


def starts_with_prelude(text: str) -> bool:
    """True when the Lean file's first command is `prelude` (it imports nothing, so has no tactics)."""
    from workbench.lean.source import LexError, blank_comments_and_literals

    try:
        body = blank_comments_and_literals(text)
    except LexError:
        body = text
    words = body.split(None, 1)
    return bool(words) and words[0] == "prelude"


_probe_lock = threading.Lock()
_probe_cache: dict[tuple[str, ...], bool] = {}

_PROBE = "example : True := by trivial\n"


def toolchain_has_tactics(toolchain, *, timeout: float = 120.0) -> bool:
    """Whether this toolchain elaborates `example : True := by trivial` (i.e. has Init's tactics).

    Cached per toolchain (command, working directory, LEAN_PATH) for the life of the process.
    """
    import os

    command = [str(c) for c in toolchain.lean_cmd]
    lean_path = os.pathsep.join(str(p) for p in toolchain.lean_path)
    key = (tuple(command), str(toolchain.cwd or ""), lean_path)
    with _probe_lock:
        if key in _probe_cache:
            return _probe_cache[key]
    env = dict(os.environ)
    env.update(toolchain.env)
    if lean_path:
        env["LEAN_PATH"] = lean_path
    ok = False
    with tempfile.TemporaryDirectory(prefix="wb-probe-") as tmp:
        probe = Path(tmp) / "Probe.lean"
        probe.write_text(_PROBE, encoding="utf-8")
        try:
            done = subprocess.run([*command, str(probe)], cwd=toolchain.cwd or tmp, capture_output=True, text=True,
                                  timeout=timeout, stdin=subprocess.DEVNULL, env=env)
            ok = done.returncode == 0 and "error" not in (done.stdout + done.stderr).lower()
        except (OSError, subprocess.SubprocessError):
            ok = False
    with _probe_lock:
        _probe_cache[key] = ok
    return ok


def check_tactics_available(task: Task, toolchain) -> None:
    """Raise `NoTacticsError` when the portfolio cannot work on `task` with `toolchain`."""
    if starts_with_prelude(task.statement_text):
        raise NoTacticsError(
            f"the portfolio needs a Lean toolchain with tactics, but {task.statement_file.name} starts with "
            "`prelude` (no Init, so no tactics)",
            hint="state it in a file that imports Init or Mathlib, or use a model prover (--prover llm)",
        )
    if not toolchain_has_tactics(toolchain):
        raise NoTacticsError(
            "the portfolio needs a Lean toolchain with tactics (this one cannot elaborate `by trivial`)",
            hint=NO_TACTICS_HINT,
        )


class PortfolioProver:
    """Tries each tactic of the list as the whole proof of the target; stops at the first Lean accepts."""

    kind = "portfolio"
    name = "portfolio"
    model = None

    def __init__(self, tactics: list[str] | None = None, *, toolchain=None) -> None:
        self.tactics = list(tactics) if tactics else list(DEFAULT_TACTICS)
        self.toolchain = toolchain  # when set, checked for tactics before the first candidate

    def __repr__(self) -> str:
        return f"PortfolioProver({len(self.tactics)} tactics)"

    def preflight(self, task: Task) -> None:
        """Refuse early (NoTacticsError) when no candidate could succeed."""
        if self.toolchain is not None:
            check_tactics_available(task, self.toolchain)

    def candidate_texts(self, task: Task) -> list[tuple[str, str]]:
        """(tactic, candidate text) for each tactic, in order."""
        header = declaration_header(task.statement_text, task.decl)
        if header is None:
            from workbench.errors import LeanError

            raise LeanError(f"{task.statement_file.name}: cannot find the statement of '{task.decl}'")
        return [(tac, f"{header} := by\n  {tac}\n") for tac in self.tactics]

    def candidates(self, task: Task) -> CandidateStream:
        self.preflight(task)
        for rnd, (tac, text) in enumerate(self.candidate_texts(task), 1):
            feedback = yield Candidate(text=text, round=rnd, label=tac)
            if feedback is not None and feedback.verdict.accepted:
                return
