"""Git history of a workspace through gitpython: one commit per change, and the log."""

from __future__ import annotations

import contextlib
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from pydantic import BaseModel

from workbench.errors import GitError

FALLBACK_NAME = "Conjecture Workbench"
FALLBACK_EMAIL = "workbench@localhost"


class CommitInfo(BaseModel):
    """One commit as `wb log` shows it."""

    sha: str
    date: datetime
    author: str
    email: str
    message: str


class GitRepo:
    """A thin wrapper over a gitpython Repo that raises GitError and commits only the paths it is given.

    `root` is the workspace; the repository may be an enclosing one (`wb init --in-repo`): paths given to and
    returned by the methods are relative to `root` (or absolute), whatever the repository's top."""

    def __init__(self, root: Path) -> None:
        import git

        self.root = Path(root)
        try:
            self.repo = git.Repo(self.root, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise GitError(f"{self.root} is not a git repository", hint="run `git init` there, or `wb init`") from None
        self.top = Path(self.repo.working_tree_dir or self.root)
        prefix = self.root.resolve().relative_to(self.top.resolve()).as_posix()
        self.prefix = "" if prefix == "." else prefix + "/"

    @staticmethod
    def enclosing(path: Path) -> Path | None:
        """The top of the git repository that `path` (which need not exist) lies inside, or None."""
        import git

        probe = Path(path).resolve()
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent
        try:
            return Path(git.Repo(probe, search_parent_directories=True).working_tree_dir)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            return None

    @staticmethod
    def init(root: Path) -> "GitRepo":
        """Create a repository at `root` (no-op if one is already there)."""
        import git

        try:
            git.Repo(root)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            try:
                git.Repo.init(root, initial_branch="main")
            except git.GitCommandError as exc:
                raise GitError(f"git init failed in {root}: {exc.stderr.strip()}") from None
        return GitRepo(root)

    def identity(self) -> tuple[str, str, bool]:
        """The author (name, email, is_fallback): $GIT_AUTHOR_NAME/EMAIL, else git config, else the workbench's."""
        import os

        name = os.environ.get("GIT_AUTHOR_NAME") or self._config_value("user.name")
        email = os.environ.get("GIT_AUTHOR_EMAIL") or self._config_value("user.email")
        if name and email:
            return str(name), str(email), False
        return FALLBACK_NAME, FALLBACK_EMAIL, True

    def _config_value(self, key: str) -> str:
        import git

        try:
            return self.repo.git.config("--get", key).strip()
        except git.GitCommandError:
            return ""

    def clear_stale_index_lock(self, wait_s: float = 10.0) -> bool:
        """Remove `.git/index.lock` left by a git that was killed (no git process works in this
        repository any more); wait for a live one. True when a stale lock was removed."""
        import time

        lock = Path(self.repo.git_dir) / "index.lock"
        deadline = time.monotonic() + wait_s
        while lock.exists():
            if not _git_running_in(self.top):
                try:
                    age = time.time() - lock.stat().st_mtime
                except FileNotFoundError:
                    return False
                if age > 1.0:
                    lock.unlink(missing_ok=True)
                    return True
            if time.monotonic() > deadline:
                raise GitError(
                    f"{lock} exists and git is still working in this repository",
                    hint="retry when it has finished; if no git is running, delete the lock file",
                )
            time.sleep(0.1)
        return False

    def uncommitted(self, under: str) -> list[str]:
        """Paths below `under` (relative to the root) that differ from HEAD or are untracked."""
        out = self.repo.git.status("--porcelain", "--untracked-files=all", "--", self.prefix + under)
        paths = [line[3:].strip().strip('"') for line in out.splitlines() if line.strip()]
        return [p.removeprefix(self.prefix) for p in paths]

    def at_head(self, rel: str) -> str | None:
        """The text of `rel` in HEAD, or None if it is not there."""
        import git

        try:
            return self.repo.git.show(f"HEAD:{self.prefix}{rel}")
        except git.GitCommandError:
            return None

    def commit(self, paths: Iterable[Path | str], message: str) -> tuple[str, bool] | None:
        """Commit exactly `paths` (added, changed or deleted) with `message`; None when nothing changed.

        Returns (sha, used_fallback_identity).
        """
        import git

        rel = sorted({str(self._rel(p)) for p in paths})
        if not rel:
            return None
        name, email, fallback = self.identity()
        import os

        env = {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name if fallback else os.environ.get("GIT_COMMITTER_NAME", name),
            "GIT_COMMITTER_EMAIL": email if fallback else os.environ.get("GIT_COMMITTER_EMAIL", email),
        }
        self.clear_stale_index_lock()
        try:
            tracked = set(self.repo.git.ls_files("--", *rel).splitlines())
            rel = [p for p in rel if p in tracked or (self.top / p).exists()]
            if not rel:
                return None
            self.repo.git.add("-A", "--", *rel)
            if not self.repo.git.status("--porcelain", "--", *rel).strip():
                return None
            with self.repo.git.custom_environment(**env):
                self.repo.git.commit("-q", "--no-verify", "-m", message, "--only", "--", *rel)
        except git.GitCommandError as exc:
            detail = (exc.stderr or str(exc)).strip().splitlines()
            raise GitError(f"git commit failed: {detail[-1] if detail else exc}") from None
        return self.repo.head.commit.hexsha, fallback

    def _rel(self, path: Path | str) -> Path:
        """`path` (absolute, or relative to the workspace) relative to the repository's top."""
        path = Path(path)
        return (path if path.is_absolute() else self.root / path).resolve().relative_to(self.top.resolve())

    def log(self, paths: Iterable[Path | str] = (), limit: int | None = None) -> list[CommitInfo]:
        """Commits touching `paths` (all commits when empty), newest first."""
        import git

        rel = [str(self._rel(p)) for p in paths] or ([self.prefix.rstrip("/")] if self.prefix else [])
        try:
            if not self.repo.head.is_valid():
                return []
            commits = self.repo.iter_commits(paths=rel or None, max_count=limit)
            return [
                CommitInfo(
                    sha=c.hexsha,
                    date=datetime.fromtimestamp(c.committed_date, tz=timezone.utc),
                    author=str(c.author.name),
                    email=str(c.author.email),
                    message=c.message.strip(),
                )
                for c in commits
            ]
        except git.GitCommandError as exc:
            raise GitError(f"git log failed: {(exc.stderr or '').strip()}") from None

    def is_clean(self, paths: Iterable[Path | str]) -> bool:
        """True when `paths` have no uncommitted changes."""
        rel = [str(self._rel(p)) for p in paths]
        with contextlib.suppress(Exception):
            return not self.repo.git.status("--porcelain", "--", *rel).strip()
        return False


def _git_running_in(root: Path) -> bool:
    """True when some git process on this machine works inside `root` (conservatively True without /proc)."""
    import os

    proc = Path("/proc")
    if not proc.is_dir():
        return True
    root_s = str(Path(root).resolve())
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "git":
                continue
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if cwd == root_s or cwd.startswith(root_s + os.sep):
            return True
    return False
