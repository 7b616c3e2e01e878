"""The README's tour is real: every `$ wb …` line in it is run in a fresh directory and its output compared."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
WB = str(Path(sys.executable).with_name("wb"))
MASKS = [
    (re.compile(r"\b[0-9a-f]{8}\b"), "<sha>"),
    (re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d"), "<date>"),
]


def tour_blocks() -> list[list[tuple[str, list[str]]]]:
    """The console blocks between the tour markers, as (command, expected output lines) pairs."""
    text = README.read_text(encoding="utf-8")
    tour = text.split("<!-- tour:start -->", 1)[1].split("<!-- tour:end -->", 1)[0]
    blocks = []
    for block in re.findall(r"```console\n(.*?)```", tour, re.S):
        steps: list[tuple[str, list[str]]] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            elif steps:
                steps[-1][1].append(line)
        blocks.append(steps)
    return blocks


def normalise(lines: list[str], root: Path) -> list[str]:
    out = []
    for line in lines:
        line = line.replace(str(root), "/tmp/tour").rstrip()
        for pattern, repl in MASKS:
            line = pattern.sub(repl, line)
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return out


def test_the_readme_tour_runs_as_shown(tmp_path):
    env = dict(os.environ, COLUMNS="100", GIT_AUTHOR_NAME="Ada Researcher", GIT_AUTHOR_EMAIL="ada@example.org")
    env.pop("WORKBENCH_DIR", None)
    cwd = tmp_path
    steps = [s for block in tour_blocks() for s in block]
    assert len(steps) >= 10, "the README tour lost its commands"
    for command, expected in steps:
        argv = shlex.split(command)
        if argv[0] == "cd":
            cwd = cwd / argv[1]
            continue
        assert argv[0] == "wb", command
        proc = subprocess.run([WB, *argv[1:]], cwd=cwd, env=env, capture_output=True, text=True)
        got = normalise((proc.stdout + proc.stderr).splitlines(), tmp_path)
        want = normalise(expected, Path("/tmp/tour"))
        assert got == want, f"README output of `{command}` differs:\n" + "\n".join(got)
        failed = any(line.startswith("error:") for line in want)
        assert (proc.returncode != 0) == failed, f"`{command}` exited {proc.returncode}"


if __name__ == "__main__":
    pytest.main([__file__, "-q"])
