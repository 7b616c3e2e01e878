"""Help people read and a fast start: every command listed with its whole summary, metavariables such as ID,
TAG and N, no empty headings, a typo answered with the nearest command, and a command that imports only its
own module."""

from __future__ import annotations

import subprocess
import sys

import pytest

from _ws_fixtures import WB

from cli.app import COMMANDS, build_command
from cli.common import first_paragraph

EVERY = [[name] for name in COMMANDS if name not in ("lean", "batch")] + [
    ["lean"], ["lean", "verify"], ["batch"], ["batch", "run"], ["batch", "resume"], ["batch", "list"],
    ["batch", "status"], ["batch", "report"],
]


def test_each_listed_summary_is_the_first_paragraph_of_the_commands_help():
    for name, entry in COMMANDS.items():
        assert entry.summary == first_paragraph(build_command(name).help), name


def test_wb_help_lists_every_command_with_its_whole_summary(wb):
    r = wb("--help")
    assert r.exit_code == 0
    flat = " ".join(r.stdout.split())
    for name, entry in COMMANDS.items():
        assert f"{name} {entry.summary}" in flat, name


@pytest.mark.parametrize("args", EVERY, ids=" ".join)
def test_help_shows_readable_metavariables_and_no_empty_heading(wb, args):
    r = wb(*args, "--help")
    assert r.exit_code == 0, r.output
    for typerish in ("<str>", "<int", "<list", "<path>", "<float", "{", "[[", "]]"):
        assert typerish not in r.stdout, (typerish, r.stdout)
    lines = r.stdout.splitlines()
    for i, line in enumerate(lines):
        if line.endswith(":") and not line.startswith(" ") and line[:-1] in ("Options", "Arguments", "Commands"):
            assert i + 1 < len(lines) and lines[i + 1].startswith("  "), f"empty heading {line} in {args}"


def test_metavariables_name_what_is_wanted(wb):
    add = wb("add", "--help").stdout
    assert "Usage: wb add [OPTIONS] ID" in add and "--tag TAG" in add and "--uses ID" in add and "--priority N" in add
    graph = wb("graph", "--help").stdout
    assert "Usage: wb graph [OPTIONS] [ID]" in graph and "--format tree|dot|mermaid|json|html" in graph
    assert "--depth N" in graph and "--output FILE" in graph
    assert "Usage: wb batch run [OPTIONS] [ID]..." in wb("batch", "run", "--help").stdout


def test_a_mistyped_command_suggests_the_nearest(wb):
    r = wb("lsit")
    assert r.exit_code == 2 and "No such command 'lsit'. Did you mean 'list'?" in r.output


@pytest.mark.parametrize("args,loaded", [
    (["--help"], []),
    (["list", "--json"], ["cli.views"]),
    (["show", "minimax", "--json"], ["cli.views"]),
])
def test_a_command_imports_only_its_own_module(seeded, git_home, args, loaded):
    probe = (
        "import sys, atexit\n"
        "atexit.register(lambda: sys.stderr.write('MODULES ' + ' '.join(sorted(m for m in sys.modules if m.startswith('cli.'))) + '\\n'))\n"
        "from cli.app import main\n"
        f"sys.argv = ['wb', *{args!r}]\n"
        "main()\n"
    )
    p = subprocess.run([sys.executable, "-c", probe], cwd=seeded, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    modules = p.stderr.rsplit("MODULES ", 1)[1].split()
    commands = [m for m in modules if m not in ("cli.app", "cli.common", "cli.output")]
    assert commands == loaded


def test_the_console_script_starts(tmp_path):
    p = subprocess.run([WB, "--version"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stdout.startswith("wb ")
