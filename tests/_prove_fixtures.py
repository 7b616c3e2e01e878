"""Fixtures for the prover tests: a workspace with formalized `prelude` statements, checked by the offline Lean,
and a `[providers.mock]` entry pointing at a scripted local model server.

    def test_x(proving_ws, openai_server, wb):
        use_provider(proving_ws.root, openai_server)
        openai_server.script(openai_server.ok(reply_with(GOOD_PROOF)))
        r = wb("prove", "add-zero", "--prover", "mock", cwd=proving_ws.root)
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from _lean_fixtures import lean_bin  # noqa: F401 - re-exported fixture

__all__ = [
    "ADD_ZERO_BAD", "ADD_ZERO_GOOD", "KEY", "KEY_ENV", "PRELUDE", "STATEMENT", "ProvingWs", "formalize_nodes", "git_log_patch",
    "lean_bin", "proving_ws", "reply_with", "use_provider",
]

KEY = "sk-test-SECRET-xyz"
KEY_ENV = "WB_TEST_PROVER_KEY"

# Prelude-only Lean (the offline Lean has no Init): our own Bool, Eq and a Nat-like N.
PRELUDE = """\
prelude
/-! Statements for the tests (no Init: everything is declared here). -/
universe u
inductive Bool : Type where
  | false
  | true
axiom sorryAx (α : Sort u) (synthetic : Bool) : α
inductive Eq {α : Sort u} : α → α → Prop where
  | refl (a : α) : Eq a a
inductive N : Type where
  | z
  | s (n : N)
noncomputable def N.add (n m : N) : N := N.rec (motive := fun _ => N) n (fun _ ih => N.s ih) m
"""

STATEMENT = PRELUDE + """\

/-- Adding zero on the right changes nothing (true by computation). -/
theorem add_zero (n : N) : Eq (N.add n N.z) n := sorryAx _ Bool.false

/-- One plus one is two. -/
theorem one_add_one : Eq (N.add (N.s N.z) (N.s N.z)) (N.s (N.s N.z)) := sorryAx _ Bool.false
"""

# `Eq.refl` without its argument does not typecheck: Lean reports an error, the model repairs it.
ADD_ZERO_BAD = "theorem add_zero (n : N) : Eq (N.add n N.z) n := Eq.refl\n"
ADD_ZERO_GOOD = "theorem add_zero (n : N) : Eq (N.add n N.z) n := Eq.refl n\n"


def reply_with(code: str, words: str = "Here is the proof.") -> str:
    """A model reply holding `code` in a ```lean block, as real models write them."""
    return f"{words}\n\n```lean\n{code.rstrip()}\n```\n"


def git_log_patch(root: Path) -> str:
    """The whole history with patches (`git log -p --all`)."""
    return subprocess.run(["git", "log", "-p", "--all"], cwd=root, check=True, capture_output=True, text=True).stdout


@dataclass
class ProvingWs:
    root: Path
    lean: Path


def use_provider(root: Path, server, *, name: str = "mock", timeout_s: float = 20, max_retries: int = 2,
                 extra: str = "") -> str:
    """Append a `[providers.NAME]` entry for `server` to the workspace's workbench.toml (and commit it)."""
    entry = (
        f'\n[providers.{name}]\nprotocol = "{server.protocol}"\nbase_url = "{server.base_url}"\n'
        f'model = "mock-prover-1"\napi_key_env = "{KEY_ENV}"\ntimeout_s = {timeout_s}\nmax_retries = {max_retries}\n'
        f"price_in_per_mtok = 3.0\nprice_out_per_mtok = 15.0\n{extra}"
    )
    with (root / "workbench.toml").open("a", encoding="utf-8") as fh:
        fh.write(entry)
    subprocess.run(["git", "commit", "-qam", f"test: provider {name}"], cwd=root, check=True)
    return name


def formalize_nodes(workspace: Path, wb, lean: Path, statement: str, nodes, *, file: str = "Nat0.lean") -> None:
    """`wb add` each (id, decl, title) of `nodes` as a lemma, formalize it from `statement` (a file in the
    Lake project named `file`) and check it with `lean`: every node ends `formalized`."""
    from workbench.settle import LeanOptions, check, formalize
    from workbench.workspace import Workspace

    src = workspace / file
    src.write_text(statement, encoding="utf-8")
    for conj_id, decl, title in nodes:
        r = wb("add", conj_id, "--title", title, "--informal", f"For our naturals, {title}.", "--kind", "lemma", cwd=workspace)
        assert r.exit_code == 0, r.output
        ws = Workspace.open(workspace)
        formalize(ws, conj_id, src, decl)
        result = check(ws, conj_id, LeanOptions(lean=str(lean)))
        assert result.status == "formalized", result.verdict
    src.unlink()


@pytest.fixture
def proving_ws(workspace, wb, lean_bin, monkeypatch) -> ProvingWs:  # noqa: F811
    """A workspace with `add-zero` and `one-add-one` formalized (checked by the offline Lean);
    WORKBENCH_LEAN points at that Lean and the provider key is in the environment."""
    formalize_nodes(workspace, wb, lean_bin, STATEMENT,
                    (("add-zero", "add_zero", "n + 0 = n"), ("one-add-one", "one_add_one", "1 + 1 = 2")))
    monkeypatch.setenv("WORKBENCH_LEAN", str(lean_bin))
    monkeypatch.setenv(KEY_ENV, KEY)
    return ProvingWs(root=workspace, lean=lean_bin)
