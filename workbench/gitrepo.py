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
    message: str


class GitRepo:
    """A thin wrapper over a gitpython Repo that raises GitError and commits only the paths it is given."""

    def __init__(self, root: Path) -> None:
        import git

        self.root = Path(root)
        try:
            self.repo = git.Repo(self.root)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise GitError(f"{self.root} is not a git repository", hint="run `git init` there, or `wb init`") from None

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
        """The committer (name, email, is_fallback): the user's git identity, or the workbench's."""
        reader = self.repo.config_reader()
        name = reader.get_value("user", "name", default="") or ""
        email = reader.get_value("user", "email", default="") or ""
        if name and email:
            return str(name), str(email), False
        return FALLBACK_NAME, FALLBACK_EMAIL, True

    def commit(self, paths: Iterable[Path | str], message: str) -> tuple[str, bool] | None:
        """Commit exactly `paths` (added, changed or deleted) with `message`; None when nothing changed.

        Returns (sha, used_fallback_identity).
        """
        import git

        rel = sorted({str(Path(p).resolve().relative_to(self.root.resolve())) for p in paths})
        if not rel:
            return None
        name, email, fallback = self.identity()
        env = {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
        }
        try:
            self.repo.git.add("-A", "--", *rel)
            if not self.repo.git.status("--porcelain", "--", *rel).strip():
                return None
            with self.repo.git.custom_environment(**env):
                self.repo.git.commit("-q", "--no-verify", "-m", message, "--only", "--", *rel)
        except git.GitCommandError as exc:
            detail = (exc.stderr or str(exc)).strip().splitlines()
            raise GitError(f"git commit failed: {detail[-1] if detail else exc}") from None
        return self.repo.head.commit.hexsha, fallback

    def log(self, paths: Iterable[Path | str] = (), limit: int | None = None) -> list[CommitInfo]:
        """Commits touching `paths` (all commits when empty), newest first."""
        import git

        rel = [str(Path(p).resolve().relative_to(self.root.resolve())) for p in paths]
        try:
            if not self.repo.head.is_valid():
                return []
            commits = self.repo.iter_commits(paths=rel or None, max_count=limit)
            return [
                CommitInfo(
                    sha=c.hexsha,
                    date=datetime.fromtimestamp(c.committed_date, tz=timezone.utc),
                    author=f"{c.author.name} <{c.author.email}>",
                    message=c.message.strip(),
                )
                for c in commits
            ]
        except git.GitCommandError as exc:
            raise GitError(f"git log failed: {(exc.stderr or '').strip()}") from None

    def is_clean(self, paths: Iterable[Path | str]) -> bool:
        """True when `paths` have no uncommitted changes."""
        rel = [str(Path(p).resolve().relative_to(self.root.resolve())) for p in paths]
        with contextlib.suppress(Exception):
            return not self.repo.git.status("--porcelain", "--", *rel).strip()
        return False
