"""The change journal: a workspace change killed half-way is rolled back, or completed, by the next command.

Before `Workspace._apply` writes anything it records in `.workbench/journal.json` what it is about to do: the
files it will write or delete, each file's content before (or that it did not exist), and the commit it will
make. When every file has been written and only the commit is left, the journal says so. The journal is
removed when the change is done (or undone after an error). A journal found by a later command, under the
workspace lock, belongs to a process that died in the middle of a change, and is settled by that command:

- killed while writing files: every file is put back as it was (the change is rolled back);
- killed after writing every file, before its commit ended: the commit is made (the change is completed),
  so a settlement whose files were all written is committed, as `wb batch resume` expects.
"""

from __future__ import annotations

import base64
import contextlib
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

JOURNAL_FILE = "journal.json"


class Recovery(BaseModel):
    """What the next command did with a change a killed process left half-done."""

    action: str
    message: str
    outcome: Literal["rolled back", "completed"]
    files: list[str]  # rolled back: the files put back; completed: the files committed
    commit: str | None = None

    def line(self) -> str:
        """One line for the terminal."""
        n = len(self.files)
        files = f"{n} file{'s' if n != 1 else ''}"
        if self.outcome == "rolled back":
            return f"a `{self.message}` was killed before it finished; rolled back ({files} put back as {'it was' if n == 1 else 'they were'})"
        done = f" (commit {self.commit[:8]})" if self.commit else ""
        return f"a `{self.message}` was killed before its commit; completed it{done}"


class _Entry(BaseModel):
    path: str  # relative to the workspace root
    before: str | None  # base64 of the content before the change; None when the file did not exist


class _Record(BaseModel):
    action: str
    message: str
    commit: bool
    phase: Literal["writing", "written"] = "writing"
    pid: int
    entries: list[_Entry]


class Journal:
    """The journal of one workspace (`.workbench/journal.json`); every method is called under the workspace lock."""

    def __init__(self, root: Path, state_dir: Path) -> None:
        self.root = Path(root)
        self.path = Path(state_dir) / JOURNAL_FILE
        self._record: _Record | None = None

    def pending(self) -> bool:
        """True when a change was started and not finished (by this or a dead process)."""
        return self.path.exists()

    def begin(self, action: str, message: str, paths: list[Path], commit: bool) -> None:
        """Record, before writing anything, the files about to change and their content now."""
        entries = []
        seen: set[str] = set()
        for p in paths:
            rel = Path(p).resolve().relative_to(self.root).as_posix()
            if rel in seen:
                continue
            seen.add(rel)
            p = self.root / rel
            before = base64.b64encode(p.read_bytes()).decode("ascii") if p.is_file() else None
            entries.append(_Entry(path=rel, before=before))
        self._record = _Record(action=action, message=message, commit=commit, pid=os.getpid(), entries=entries)
        self._save()

    def written(self) -> None:
        """Every file is written; what is left is the commit."""
        assert self._record is not None
        self._record.phase = "written"
        self._save()

    def end(self) -> None:
        """The change is done (or was undone): forget it."""
        self._record = None
        self.path.unlink(missing_ok=True)

    def roll_back(self) -> list[str]:
        """Put every recorded file back as it was (this process's own change failing) and end the journal."""
        record = self._record or self._load()
        files = self._restore(record) if record else []
        self.end()
        return files

    def recover(self) -> Recovery | None:
        """Settle a change a dead process left (the caller holds the workspace lock): roll it back when it died
        while writing, complete its commit when every file had been written. None when there is nothing."""
        record = self._load()
        if record is None:
            self.path.unlink(missing_ok=True)
            return None
        files = [e.path for e in record.entries]
        if record.phase == "written" and record.commit:
            sha = self._complete(record)
            self.end()
            return Recovery(action=record.action, message=record.message, outcome="completed", files=files, commit=sha)
        restored = self._restore(record)
        self.end()
        return Recovery(action=record.action, message=record.message, outcome="rolled back", files=restored)

    # ----- inside -------------------------------------------------------------------------------

    def _save(self) -> None:
        from workbench.storage import atomic_write

        atomic_write(self.path, self._record.model_dump_json())  # type: ignore[union-attr]

    def _load(self) -> _Record | None:
        try:
            return _Record.model_validate_json(self.path.read_bytes())
        except (OSError, ValueError):
            return None  # missing, or cut short while being written: nothing had been changed yet

    def _restore(self, record: _Record) -> list[str]:
        from workbench.storage import atomic_write

        restored = []
        self._remove_cut_writes(record)
        for e in reversed(record.entries):
            p = self.root / e.path
            if e.before is None:
                if p.exists():
                    p.unlink()
                    restored.append(e.path)
            else:
                old = base64.b64decode(e.before)
                if not p.is_file() or p.read_bytes() != old:
                    atomic_write(p, old)
                    restored.append(e.path)
        return restored

    def _remove_cut_writes(self, record: _Record) -> None:
        """Delete the temporary files of atomic writes that the kill cut short (see `storage.atomic_write`)."""
        names: dict[Path, set[str]] = {}
        for e in record.entries:
            p = self.root / e.path
            names.setdefault(p.parent, set()).add(p.name)
        for folder, wanted in names.items():
            with contextlib.suppress(FileNotFoundError), os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name.startswith(".") and entry.name.endswith(".tmp") and entry.name[1:].rsplit(".", 2)[0] in wanted:
                        os.unlink(entry.path)

    def _complete(self, record: _Record) -> str | None:
        """Make the commit the dead process did not finish (unless it did, just before dying)."""
        from workbench.gitrepo import GitRepo

        repo = GitRepo(self.root)
        with contextlib.suppress(Exception):
            if repo.repo.head.commit.message.strip() == record.message and repo.is_clean(self.root / e.path for e in record.entries):
                return repo.repo.head.commit.hexsha
        result = repo.commit([self.root / e.path for e in record.entries], f"{record.message} (completed after the command was killed)")
        return result[0] if result else None


__all__ = ["Journal", "Recovery", "JOURNAL_FILE"]
