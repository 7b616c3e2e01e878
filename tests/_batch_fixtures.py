"""Fixtures for the batch tests: a workspace of formalized `prelude` statements (some provable, some not)
checked by the real offline Lean, and a scripted model server that proves the provable ones, fails the
others, answers 429 now and then and is slow now and then.

    def test_x(batch_ws, batch_server, wb):
        r = wb("batch", "run", "--prover", "mock", cwd=batch_ws.root)
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from _model_servers import ModelServer, Reply
from _prove_fixtures import KEY, KEY_ENV, PRELUDE
from _ws_fixtures import _copy_workspace, _identity_env, _invoke, _make_home


PROVABLE = ["p-1", "p-2", "p-3", "p-4", "p-5", "p-6", "q-1"]  # q-1 uses p-1
UNPROVABLE = ["f-1", "f-2", "f-3"]
REPAIRED = {"p-2", "p-5"}  # the model gets these right only in the second round


def decl_of(conj_id: str) -> str:
    return conj_id.replace("-", "")


def statement_of(conj_id: str) -> str:
    d = decl_of(conj_id)
    if conj_id.startswith("p-"):
        return f"theorem {d} (n : N) : Eq (N.add n N.z) n"
    if conj_id.startswith("q-"):
        return f"theorem {d} : Eq (N.add (N.s N.z) N.z) (N.s N.z)"
    return f"theorem {d} : Eq N.z (N.s N.z)"  # false: no proof exists


def good_proof(conj_id: str) -> str:
    if conj_id.startswith("p-"):
        return f"{statement_of(conj_id)} := Eq.refl n\n"
    return f"{statement_of(conj_id)} := Eq.refl _\n"


def bad_proof(conj_id: str) -> str:
    return f"{statement_of(conj_id)} := Eq.refl\n"


STATEMENTS = PRELUDE + "\n" + "\n".join(
    f"/-- {c}. -/\n{statement_of(c)} := sorryAx _ Bool.false\n" for c in PROVABLE + UNPROVABLE
)


def reply_text(code: str) -> str:
    return f"Here is the proof.\n\n```lean\n{code.rstrip()}\n```\n"


_CONJ_RE = re.compile(r"\(conjecture `([a-z0-9-]+)`")


@dataclass
class Script:
    """The model's behaviour: right for provable nodes (after one repair for REPAIRED), wrong otherwise;
    every `rate_every`-th request is a 429 (retried by the client), every `slow_every`-th is slow."""

    server: ModelServer
    rate_every: int = 7
    slow_every: int = 5
    slow_s: float = 0.4
    delay_s: float = 0.0  # every reply waits this long (to keep attempts in flight)
    tokens_in: int = 1000
    tokens_out: int = 100
    count: int = 0
    seen: list = field(default_factory=list)  # (conjecture, round, had lemma) per answered request
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, request) -> Reply:
        with self.lock:
            self.count += 1
            n = self.count
        if self.rate_every and n % self.rate_every == 0:
            return self.server.error(429, "slow down", headers={"retry-after-ms": "100"})
        chat = [m for m in request.messages if m["role"] != "system"]
        first = chat[0]["content"] if chat else ""
        m = _CONJ_RE.search(first)
        conj = m.group(1) if m else "?"
        rnd = (len(chat) + 1) // 2
        with self.lock:
            self.seen.append((conj, rnd, "proved: use it as a lemma" in first))
        ok = conj in PROVABLE and (conj not in REPAIRED or rnd >= 2)
        code = good_proof(conj) if ok else bad_proof(conj)
        delay = self.delay_s + (self.slow_s if self.slow_every and n % self.slow_every == 0 else 0.0)
        return self.server.ok(reply_text(code), tokens_in=self.tokens_in, tokens_out=self.tokens_out,
                              model="mock-prover-1", delay=delay)


@dataclass
class BatchWs:
    root: Path
    lean: Path


@pytest.fixture(scope="session")
def _batch_template(tmp_path_factory, lean_bin) -> Path:
    """A workspace with the ten statements above formalized (built once per session)."""
    from typer.testing import CliRunner

    from workbench.settle import LeanOptions, check, formalize
    from workbench.workspace import Workspace

    base = tmp_path_factory.mktemp("batch-template")
    home = _make_home(base / "home")
    runner = CliRunner()
    root = base / "ws"
    with pytest.MonkeyPatch.context() as mp:
        for k, v in _identity_env(home).items():
            if v is None:
                mp.delenv(k, raising=False)
            else:
                mp.setenv(k, v)
        r = _invoke(runner, ["init", root, "--name", "ws", "--no-mathlib"], base)
        if r.exit_code != 0:
            r = _invoke(runner, ["init", root, "--name", "ws"], base)
        assert r.exit_code == 0, r.output
        src = base / "Batch.lean"
        src.write_text(STATEMENTS, encoding="utf-8")
        for c in PROVABLE + UNPROVABLE:
            args = ["add", c, "--title", f"statement {c}", "--informal", f"The statement {c}.", "--kind", "lemma",
                    "--priority", "0" if c == "q-1" else "1"]
            if c == "q-1":
                args += ["--uses", "p-1"]
            r = _invoke(runner, args, root)
            assert r.exit_code == 0, r.output
            ws = Workspace.open(root)
            formalize(ws, c, src, decl_of(c))
            result = check(ws, c, LeanOptions(lean=str(lean_bin)))
            assert result.status == "formalized", result.verdict
        provider = (
            f'\n[providers.mock]\nprotocol = "openai"\nbase_url = "http://127.0.0.1:9/v1"\nmodel = "mock-prover-1"\n'
            f'api_key_env = "{KEY_ENV}"\ntimeout_s = 20\nmax_retries = 3\nprice_in_per_mtok = 3.0\n'
            f"price_out_per_mtok = 15.0\nconcurrency = 8\n"
        )
        with (root / "workbench.toml").open("a", encoding="utf-8") as fh:
            fh.write(provider)
        import subprocess

        subprocess.run(["git", "commit", "-qam", "test: provider mock"], cwd=root, check=True)
    return root


def point_provider(root: Path, server: ModelServer) -> None:
    """Point `[providers.mock]` at `server` (a working-tree edit, as a researcher would make; not committed)."""
    toml = root / "workbench.toml"
    text = re.sub(r'base_url = "http://127\.0\.0\.1:\d+/v1"', f'base_url = "{server.base_url}"', toml.read_text())
    toml.write_text(text)
    import subprocess

    subprocess.run(["git", "commit", "-qam", "test: point mock at the server"], cwd=root, check=True)


@pytest.fixture
def batch_ws(git_home, _batch_template, tmp_path, lean_bin, monkeypatch) -> BatchWs:
    root = _copy_workspace(_batch_template, tmp_path / "ws")
    monkeypatch.setenv("WORKBENCH_LEAN", str(lean_bin))
    monkeypatch.setenv(KEY_ENV, KEY)
    return BatchWs(root=root, lean=lean_bin)


@pytest.fixture
def batch_server(batch_ws, openai_server) -> Script:
    """The scripted model server for `batch_ws` (its `[providers.mock]` points here)."""
    script = Script(openai_server)
    openai_server.on_request = script
    point_provider(batch_ws.root, openai_server)
    return script
