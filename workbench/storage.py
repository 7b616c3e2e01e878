"""Plain-file storage: atomic writes, the workspace lock, and the TOML form of a conjecture."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import secrets
import stat
import time
import tomllib
from pathlib import Path
from typing import Iterator

from workbench.errors import InvalidFileError, UnwritablePathError, WorkspaceLockedError
from workbench.model import Conjecture


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the whole new one: a symlink's target is
    written (the link stays), a device or FIFO is written through, a regular file is replaced keeping its
    mode, a new file gets 0666 & ~umask, missing folders are created and a directory is refused."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    target = Path(os.path.realpath(path))
    try:
        st: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if st is not None and not stat.S_ISREG(st.st_mode):
        with open(target, "wb") as fh:
            fh.write(raw)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            if st is not None:
                os.fchmod(fh.fileno(), stat.S_IMODE(st.st_mode))
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_output(path: Path | str, data: str | bytes) -> None:
    """Write `data` to a path the user named (`-o FILE`) as `atomic_write` does, except that a missing folder
    is an error, not created; every failure is an UnwritablePathError naming the path."""
    path = Path(path)
    target = Path(os.path.realpath(path))
    if target.is_dir():
        raise UnwritablePathError(path, "it is a directory", hint="give a file name")
    if not target.parent.is_dir():
        problem = "is not a folder" if target.parent.exists() else "does not exist"
        raise UnwritablePathError(path, f"the folder {target.parent} {problem}", hint="create the folder first, or choose another path")
    try:
        atomic_write(path, data)
    except OSError as exc:
        raise UnwritablePathError(path, exc.strerror or str(exc)) from None


def unwritable_reason(folder: Path) -> str | None:
    """Why files cannot be created in `folder` (or the nearest existing folder above it), or None when they can."""
    folder = Path(folder)
    while not os.path.exists(folder) and folder != folder.parent:
        folder = folder.parent
    if not os.path.isdir(folder):
        return f"{folder} is not a folder"
    if os.access(folder, os.W_OK | os.X_OK, effective_ids=os.access in os.supports_effective_ids):
        return None
    with contextlib.suppress(OSError):
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "read-only file system"
    return "permission denied"


@contextlib.contextmanager
def file_lock(path: Path, timeout: float = 60.0) -> Iterator[None]:
    """Hold an exclusive advisory lock on `path` (created if needed), waiting up to `timeout` seconds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() > deadline:
                    raise WorkspaceLockedError(
                        f"the workspace is locked by another wb process ({path})",
                        hint="wait for it to finish, then retry",
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


_PLACEHOLDER = "@@wb-informal-placeholder@@"


def _literal_block(text: str) -> str | None:
    """`text` as a TOML multi-line literal string (no escapes, so LaTeX stays readable), if it can be one."""
    if "'''" in text or text.endswith("'") or any((ch < " " and ch not in "\n\t") or ch == "\x7f" for ch in text):
        return None
    return "'''\n" + text + "'''"


def dump_conjecture(conj: Conjecture) -> str:
    """The TOML text of a conjecture file: fixed key order; the informal statement as a literal block."""
    import tomli_w

    data = conj.file_data()
    block = _literal_block(data["informal"])
    if block is None:
        return tomli_w.dumps(data, multiline_strings=True)
    data["informal"] = _PLACEHOLDER
    return tomli_w.dumps(data, multiline_strings=True).replace(f'"{_PLACEHOLDER}"', block, 1)


def toml_error(path: Path | str, exc: Exception) -> InvalidFileError:
    """An InvalidFileError for a TOML syntax error, with the line tomllib reported."""
    import re

    m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
    problem = str(exc).split(" (at line")[0].split(" (at end of document)")[0]
    return InvalidFileError(path, f"malformed TOML: {problem}" + (f" (column {m.group(2)})" if m else ""), line=int(m.group(1)) if m else None)


def load_toml(path: Path, text: str | None = None) -> tuple[str, dict]:
    """The text and parsed data of the TOML file `path` (or of `text`, read from it); an unreadable or
    malformed file is an InvalidFileError naming the path and line."""
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InvalidFileError(path, "not valid UTF-8") from None
        except OSError as exc:
            raise InvalidFileError(path, exc.strerror or str(exc)) from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise toml_error(path, exc) from None


def _pydantic_problem(path: Path, exc) -> InvalidFileError:
    from workbench.errors import validation_problem

    field, problem = validation_problem(exc)
    return InvalidFileError(path, problem, field=field)


def parse_conjecture(path: Path, text: str | None = None) -> Conjecture:
    """Read and validate one conjecture file; errors name the path, field and problem."""
    from pydantic import ValidationError

    path = Path(path)
    conj_id = path.stem
    _, data = load_toml(path, text)
    if "id" in data:
        if data["id"] != conj_id:
            raise InvalidFileError(path, f"id '{data['id']}' does not match the file name '{conj_id}'", field="id")
        data = {k: v for k, v in data.items() if k != "id"}
    try:
        return Conjecture(id=conj_id, **data)
    except ValidationError as exc:
        raise _pydantic_problem(path, exc) from None
