"""Fixtures for the workspace-command tests: a git identity, `wb` in-process and as a process, a fresh workspace.

Every test runs `wb` the way a researcher does — `wb init` in a temporary directory, then commands
against that real git repository — and checks what a person would see: output, files, commits,
exit codes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = [
    "WB",
    "Outcome",
    "git",
    "head",
    "commit_count",
    "snapshot",
    "read_node",
    "write_node",
    "one_line_error",
    "on_a_terminal",
    "git_home",
    "wb",
    "wb_proc",
    "workspace",
    "seeded",
    "trio",
    "_templates",
]

#: The console script under test (next to the interpreter running the tests, i.e. .venv/bin/wb).
WB = str(Path(sys.executable).with_name("wb"))

IDENTITY_NAME = "Ada Researcher"
IDENTITY_EMAIL = "ada@example.org"


@dataclass
class Outcome:
    """What one `wb` run produced, whichever way it was run."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def git(ws: Path, *args: str) -> str:
    """Run git in `ws` and return its stdout (raises on failure)."""
    return subprocess.run(["git", *args], cwd=ws, check=True, capture_output=True, text=True).stdout


def head(ws: Path) -> str:
    return git(ws, "rev-parse", "HEAD").strip()


def commit_count(ws: Path) -> int:
    return int(git(ws, "rev-list", "--count", "HEAD").strip())


def snapshot(ws: Path) -> dict:
    """Everything a failed command must leave untouched: HEAD, `git status`, and every file's bytes
    (outside .git/ and the derived .workbench/)."""
    files = {}
    for p in sorted(ws.rglob("*")):
        rel = p.relative_to(ws)
        if p.is_file() and rel.parts[0] not in (".git", ".workbench"):
            files[rel.as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return {
        "head": head(ws),
        "status": git(ws, "status", "--porcelain", "--untracked-files=all"),
        "files": files,
    }


def read_node(ws: Path, conj_id: str) -> dict:
    """The parsed TOML file of one node."""
    return tomllib.loads((ws / "conjectures" / f"{conj_id}.toml").read_text(encoding="utf-8"))


def write_node(ws: Path, conj_id: str, text: str) -> Path:
    """Write a conjecture file by hand (as a researcher editing files directly would)."""
    path = ws / "conjectures" / f"{conj_id}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def one_line_error(result: Outcome) -> str:
    """Assert the run failed the way the spec demands — non-zero exit, exactly one line on stderr,
    no traceback — and return that line."""
    assert result.exit_code != 0, f"expected a failure, got exit 0:\n{result.output}"
    assert "Traceback" not in result.output, result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got:\n{result.stderr}"
    return lines[0]


def on_a_terminal(args, cwd: Path, *, columns: int = 120, timeout: float = 120) -> tuple[int, str]:
    """Run `wb ARGS…` on a pseudo-terminal (stdin, stdout and stderr) and return its exit status and the screen."""
    import pty
    import select
    import time

    master, slave = pty.openpty()
    env = dict(os.environ, COLUMNS=str(columns), LINES="40", TERM="xterm-256color")
    proc = subprocess.Popen([WB, *map(str, args)], cwd=cwd, stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    os.close(master)
    return proc.wait(timeout=30), b"".join(chunks).decode("utf-8", "replace")


def _identity_env(home: Path) -> dict[str, str | None]:
    """Environment for a HOME whose git config holds the researcher's identity (None = unset)."""
    env: dict[str, str | None] = {
        "HOME": str(home),
        "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "COLUMNS": "200",
    }
    for var in (
        "WORKBENCH_DIR", "EDITOR", "VISUAL", "XDG_CONFIG_HOME",
        "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL",
        "GIT_DIR", "GIT_WORK_TREE",
    ):
        env[var] = None
    return env


def _make_home(home: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    (home / ".gitconfig").write_text(
        f"[user]\n\tname = {IDENTITY_NAME}\n\temail = {IDENTITY_EMAIL}\n[init]\n\tdefaultBranch = main\n"
    )
    return home


def _apply_env(monkeypatch, env: dict[str, str | None]) -> None:
    for var, value in env.items():
        if value is None:
            monkeypatch.delenv(var, raising=False)
        else:
            monkeypatch.setenv(var, value)


def _invoke(runner, args, cwd: Path, env=None, input=None) -> Outcome:
    from cli.app import app

    with contextlib.chdir(cwd):
        r = runner.invoke(app, [str(a) for a in args], env=env, input=input)
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        import traceback

        raise AssertionError(
            f"wb {' '.join(map(str, args))} raised {r.exception!r}:\n"
            + "".join(traceback.format_exception(*r.exc_info))
            + r.output
        )
    return Outcome(r.exit_code, r.stdout, r.stderr)


SEED_COMMANDS = [
    ["add", "minimax", "--title", "Minimax theorem", "--informal", "Zero-sum games have a value.",
     "--kind", "theorem", "--area", "game-theory", "--tag", "classic", "--priority", "1"],
    ["add", "honest-equilibrium", "--title", "Honesty is an equilibrium", "--informal",
     "In debate, honesty is a Nash equilibrium.", "--area", "oversight", "--tag", "debate",
     "--uses", "minimax", "--priority", "3"],
    ["add", "debate-pspace", "--title", "Debate reaches PSPACE", "--informal",
     "Debate with poly-time judge decides $\\mathsf{PSPACE}$.", "--area", "oversight", "--tag", "debate",
     "--tag", "complexity", "--uses", "minimax", "--uses", "honest-equilibrium",
     "--source", "Irving et al. 2018 | arXiv:1805.00899"],
    ["add", "sgd-margin", "--title", "SGD finds max margin", "--informal",
     "Gradient descent on separable data converges to the max-margin direction.",
     "--area", "learning-theory", "--kind", "lemma", "--priority", "2"],
]


@pytest.fixture(scope="session")
def _templates(tmp_path_factory) -> dict[str, Path]:
    """Workspaces built once per session with `wb init` / `wb add`; tests get their own copies."""
    from typer.testing import CliRunner

    base = tmp_path_factory.mktemp("templates")
    home = _make_home(base / "home")
    runner = CliRunner()
    with pytest.MonkeyPatch.context() as mp:
        _apply_env(mp, _identity_env(home))
        empty = base / "empty"
        r = _invoke(runner, ["init", empty, "--name", "ws"], base)
        assert r.exit_code == 0, r.output
        seeded = base / "seeded"
        r = _invoke(runner, ["init", seeded, "--name", "ws"], base)
        assert r.exit_code == 0, r.output
        for args in SEED_COMMANDS:
            r = _invoke(runner, args, seeded)
            assert r.exit_code == 0, r.output
        trio = base / "trio"
        r = _invoke(runner, ["init", trio, "--name", "ws"], base)
        assert r.exit_code == 0, r.output
        for conj_id in ("alpha", "beta", "gamma"):
            r = _invoke(runner, ["add", conj_id, "--title", conj_id.title(), "--informal", "x"], trio)
            assert r.exit_code == 0, r.output
    return {"empty": empty, "seeded": seeded, "trio": trio}


def _copy_workspace(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True, ignore=shutil.ignore_patterns(".workbench"))
    return dst


@pytest.fixture
def git_home(tmp_path, monkeypatch) -> Path:
    """A HOME whose git config holds the researcher's identity; nothing leaks in from the real user."""
    home = _make_home(tmp_path / "home")
    _apply_env(monkeypatch, _identity_env(home))
    return home


@pytest.fixture
def wb(git_home, tmp_path):
    """Run `wb ARGS…` in-process through Typer's CliRunner; `cwd` defaults to the test's tmp_path."""
    from typer.testing import CliRunner

    runner = CliRunner()

    def run(*args: str, cwd: Path | None = None, env: dict | None = None, input: str | None = None) -> Outcome:
        return _invoke(runner, args, cwd or tmp_path, env=env, input=input)

    return run


@pytest.fixture
def wb_proc(git_home, tmp_path):
    """Run the installed `wb` console script as a separate process (no TTY)."""

    def run(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 60) -> Outcome:
        full_env = dict(os.environ)
        full_env.update(env or {})
        full_env = {k: v for k, v in full_env.items() if v is not None}
        p = subprocess.run(
            [WB, *map(str, args)], cwd=cwd or tmp_path, env=full_env, stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=timeout,
        )
        return Outcome(p.returncode, p.stdout, p.stderr)

    return run


@pytest.fixture
def workspace(git_home, _templates, tmp_path) -> Path:
    """A fresh workspace made by `wb init` (named after its directory, `ws`), with one commit."""
    return _copy_workspace(_templates["empty"], tmp_path / "ws")


@pytest.fixture
def seeded(git_home, _templates, tmp_path) -> Path:
    """A small workspace made by `wb init ws` and four `wb add`s (see SEED_COMMANDS):

        debate-pspace       uses minimax, honest-equilibrium   (oversight; tags debate, complexity)
        honest-equilibrium  uses minimax                       (oversight; tag debate; priority 3)
        minimax             theorem                            (game-theory; tag classic; priority 1)
        sgd-margin          lemma, alone                       (learning-theory; priority 2)
    """
    return _copy_workspace(_templates["seeded"], tmp_path / "ws")


@pytest.fixture
def trio(git_home, _templates, tmp_path) -> Path:
    """`wb init ws` then `wb add alpha`, `beta`, `gamma` (titles Alpha, Beta, Gamma; no edges)."""
    return _copy_workspace(_templates["trio"], tmp_path / "ws")
