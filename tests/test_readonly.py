"""A read-only workspace can be read: on a read-only mount and without write permission, reading
commands work (with an index in memory) and changing commands say in one line that it is read-only."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from _ws_fixtures import WB, Outcome, one_line_error, snapshot, write_node

_MOUNT_RO = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" "$1" || exit 97; cd "$2" || exit 98; shift 2; exec "$@"'
NOBODY = 65534
STATEMENT = "theorem minimax_value : True := sorry\n"


def _run(argv: list[str], **kwargs) -> Outcome:
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120, **kwargs)
    return Outcome(p.returncode, p.stdout, p.stderr)


@functools.cache
def _no_readonly_mount() -> str | None:
    """Why this machine cannot make a read-only bind mount in a private mount namespace, or None."""
    if os.geteuid() != 0:
        return "a bind mount needs root"
    if not shutil.which("unshare") or not shutil.which("mount"):
        return "unshare or mount is not installed"
    probe = Path(tempfile.mkdtemp())
    try:
        r = _run(["unshare", "--mount", "--propagation", "private", "sh", "-c", _MOUNT_RO, "sh", str(probe), str(probe),
                  "sh", "-c", "! touch x 2>/dev/null"])
    finally:
        shutil.rmtree(probe)
    if r.exit_code != 0:
        return f"cannot make a read-only bind mount here (unshare --mount exit {r.exit_code}: {r.stderr.strip()[:200]})"
    return None


def _no_unprivileged_user() -> str | None:
    """Why the permission variant cannot run here, or None."""
    if os.geteuid() == 0 and not shutil.which("setpriv"):
        return "running as root and setpriv (util-linux) is not installed to drop to an unprivileged user"
    return None


@pytest.fixture
def on_readonly_mount(git_home):
    """Run `wb ARGS…` in `ws` while `mount_point` is mounted read-only (in a private mount namespace)."""
    reason = _no_readonly_mount()
    if reason:
        pytest.skip(reason)

    def run(mount_point: Path, *args: str, cwd: Path | None = None) -> Outcome:
        r = _run(["unshare", "--mount", "--propagation", "private", "sh", "-c", _MOUNT_RO, "sh",
                  str(mount_point), str(cwd or mount_point), WB, *map(str, args)])
        assert r.exit_code not in (97, 98), r.stderr
        return r

    return run


@pytest.fixture
def without_write_permission(seeded, git_home):
    """A copy of the seeded workspace that the user running `wb` cannot write (`chmod -R a-w`; as root the
    copy belongs to `nobody` and `wb` runs as `nobody`, since permissions do not stop root), and a runner."""
    reason = _no_unprivileged_user()
    if reason:
        pytest.skip(reason)
    base = Path(tempfile.mkdtemp(prefix="wb-readonly-"))
    base.chmod(0o755)
    ws = base / "ws"
    (seeded / "Minimax.lean").write_text(STATEMENT)
    shutil.copytree(seeded, ws, symlinks=True)
    root = os.geteuid() == 0
    if root:
        with open(git_home / ".gitconfig", "a") as fh:
            fh.write("[safe]\n\tdirectory = *\n")  # so this test's own `git status` reads the copy that belongs to nobody
        for p in [ws, *ws.rglob("*")]:
            os.lchown(p, NOBODY, NOBODY)
    subprocess.run(["chmod", "-R", "a-w", str(ws)], check=True)
    env = {"PATH": os.environ["PATH"], "HOME": str(base), "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "COLUMNS": "200"}
    prefix = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"] if root else []

    def run(*args: str, cwd: Path | None = None) -> Outcome:
        return _run([*prefix, WB, *map(str, args)], cwd=cwd or ws, env=env)

    yield ws, run
    subprocess.run(["chmod", "-R", "u+w", str(base)], check=True)
    shutil.rmtree(base)


READS = [
    (["list", "--json"], lambda out: {r["id"] for r in json.loads(out)} == {"minimax", "honest-equilibrium", "debate-pspace", "sgd-margin"}),
    (["show", "debate-pspace", "--json"], lambda out: json.loads(out)["edges_out"][0]["target"] in ("minimax", "honest-equilibrium")),
    (["next", "--json"], lambda out: json.loads(out)[0]["id"] == "minimax"),
    (["graph"], lambda out: "debate-pspace" in out and "minimax" in out),
    (["graph", "--format", "json"], lambda out: len(json.loads(out)["edges"]) == 3),
    (["log", "--json"], lambda out: json.loads(out)[-1]["message"].startswith("wb init")),
    (["attempts", "minimax"], lambda out: "no attempts" in out),
]

WRITES = [
    ["add", "faster-debate", "--title", "Faster debate", "--informal", "x"],
    ["link", "sgd-margin", "uses", "minimax"],
    ["unlink", "debate-pspace", "uses", "minimax"],
    ["edit", "minimax"],
    ["note", "minimax", "an informal argument"],
    ["rm", "sgd-margin"],
    ["formalize", "minimax", "--lean", "Minimax.lean", "--decl", "minimax_value"],
    ["prove", "minimax"],
    ["agent-setup"],
]


def _check_reads(run) -> None:
    for args, ok in READS:
        r = run(*args)
        assert r.exit_code == 0 and "Traceback" not in r.output, f"wb {' '.join(args)}:\n{r.output}"
        assert ok(r.stdout), f"wb {' '.join(args)}:\n{r.stdout}"


def _check_writes(run, ws: Path, reason: str) -> None:
    before = snapshot(ws)
    for args in WRITES:
        line = one_line_error(run(*args))
        assert "is read-only here" in line and reason in line and str(ws) in line, f"wb {' '.join(args)}: {line}"
    assert snapshot(ws) == before


def test_readonly_mount_reads_work(on_readonly_mount, seeded, wb):
    assert wb("list", cwd=seeded).exit_code == 0  # an index on disk, then a file changed behind its back
    write_node(seeded, "sgd-margin", 'title = "SGD finds the max-margin direction"\ninformal = "x"\nkind = "lemma"\n')
    r = on_readonly_mount(seeded, "list", "--json")
    assert r.exit_code == 0, r.output
    assert {r["id"]: r["title"] for r in json.loads(r.stdout)}["sgd-margin"] == "SGD finds the max-margin direction"
    _check_reads(functools.partial(on_readonly_mount, seeded))


def test_readonly_mount_without_state_folder(on_readonly_mount, seeded, tmp_path):
    assert not (seeded / ".workbench").exists()
    _check_reads(functools.partial(on_readonly_mount, seeded))
    page = tmp_path / "out" / "graph.html"
    page.parent.mkdir()
    r = on_readonly_mount(seeded, "graph", "--format", "html", "-o", page)
    assert r.exit_code == 0 and page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>"), r.output
    assert not (seeded / ".workbench").exists()


def test_readonly_mount_refuses_changes_in_one_line(on_readonly_mount, seeded):
    (seeded / "Minimax.lean").write_text(STATEMENT)
    _check_writes(functools.partial(on_readonly_mount, seeded), seeded, "read-only file system")


def test_readonly_mount_init_is_one_line(on_readonly_mount, tmp_path):
    (tmp_path / "archive").mkdir()
    line = one_line_error(on_readonly_mount(tmp_path / "archive", "init", tmp_path / "archive" / "new"))
    assert str(tmp_path / "archive" / "new") in line and "read-only file system" in line


def test_without_write_permission_reads_work(without_write_permission):
    ws, run = without_write_permission
    _check_reads(run)


def test_without_write_permission_changes_are_refused_in_one_line(without_write_permission):
    ws, run = without_write_permission
    _check_writes(run, ws, "permission denied")


def test_init_without_write_permission_is_one_line(without_write_permission):
    ws, run = without_write_permission
    line = one_line_error(run("init", ws / "inner"))
    assert str(ws / "inner") in line and "permission denied" in line
