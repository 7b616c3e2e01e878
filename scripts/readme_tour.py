"""Run the README's tour (every `$ wb …` line between the tour markers) and check or update its output.

    python scripts/readme_tour.py            # exit 1 and show the first difference if the README is stale
    python scripts/readme_tour.py --update   # rewrite the README's tour blocks with real output
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
WB = str(Path(sys.executable).with_name("wb"))
SHOWN_ROOT = "/tmp/tour"
MASKS = [
    (re.compile(r"\b[0-9a-f]{8}\b"), "<sha>"), (re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d"), "<date>"),
    (re.compile(r"\b\d+\.\d+ s\b"), "<time>"),
]
BLOCK = re.compile(r"<!-- file: (?P<name>[\w./-]+) -->\n```\w*\n(?P<file>.*?)```|```console\n(?P<console>.*?)```", re.S)
SANDBOX_NOTE = re.compile(r"warning: bubblewrap \(bwrap\) is not installed:.*?dnf install bubblewrap\)\n?", re.S)


def _env() -> dict[str, str]:
    env = dict(os.environ, COLUMNS="100", GIT_AUTHOR_NAME="Ada Researcher", GIT_AUTHOR_EMAIL="ada@example.org")
    env.setdefault("WORKBENCH_LEAN", os.environ.get("WORKBENCH_TOUR_LEAN", ""))
    if not env["WORKBENCH_LEAN"]:
        env.pop("WORKBENCH_LEAN")
    env.pop("WORKBENCH_DIR", None)
    return env


def masked(text: str) -> str:
    """Output with commit ids and times masked, for comparison."""
    for pattern, repl in MASKS:
        text = pattern.sub(repl, text)
    return text


def run_tour(readme: str, workdir: Path) -> tuple[str, list[tuple[str, str, str, int]]]:
    """Run the tour in `workdir`; return the README with fresh output and a list of
    (command, shown output, real output, exit status) for every command."""
    head, rest = readme.split("<!-- tour:start -->", 1)
    tour, tail = rest.split("<!-- tour:end -->", 1)
    cwd = workdir
    results: list[tuple[str, str, str, int]] = []

    def replay(match: re.Match) -> str:
        nonlocal cwd
        if match.group("name"):
            (cwd / match.group("name")).write_text(match.group("file"), encoding="utf-8")
            return match.group(0)
        lines: list[str] = []
        steps: list[tuple[str, list[str]]] = []
        for line in match.group("console").splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            elif steps:
                steps[-1][1].append(line)
        for command, shown in steps:
            lines.append(f"$ {command}")
            argv = shlex.split(command)
            if argv[0] == "cd":
                cwd = cwd / argv[1]
                continue
            if argv[0] != "wb":
                raise SystemExit(f"README tour: only `wb` and `cd` commands can be run, not `{command}`")
            proc = subprocess.run([WB, *argv[1:]], cwd=cwd, env=_env(), capture_output=True, text=True)
            real = "\n".join(l.rstrip() for l in SANDBOX_NOTE.sub("", proc.stdout + proc.stderr).rstrip().splitlines())
            real = real.replace(str(workdir), SHOWN_ROOT)
            results.append((command, "\n".join(shown).rstrip(), real, proc.returncode))
            if real:
                lines.append(real)
        return "```console\n" + "\n".join(lines) + "\n```"

    new_tour = BLOCK.sub(replay, tour)
    return head + "<!-- tour:start -->" + new_tour + "<!-- tour:end -->" + tail, results


def main() -> int:
    readme = README.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        new, results = run_tour(readme, Path(tmp))
    if "--update" in sys.argv:
        README.write_text(new, encoding="utf-8")
        print(f"updated {len(results)} commands in {README.name}")
        return 0
    for command, shown, real, _ in results:
        if masked(shown) != masked(real):
            print(f"stale output for `{command}`:\n{real}")
            return 1
    print(f"{len(results)} commands match")
    return 0


if __name__ == "__main__":
    sys.exit(main())
