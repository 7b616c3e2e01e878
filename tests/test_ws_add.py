"""`wb add`: the file it writes, the commit it makes, and what it refuses."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import time

import pytest

from _ws_fixtures import WB, commit_count, git, head, one_line_error, read_node, snapshot


def test_add_writes_a_validated_file_with_every_field(wb, workspace):
    r = wb(
        "add", "debate-pspace",
        "--title", "Debate reaches PSPACE",
        "--informal", "With optimal play, debate with a poly-time judge decides any language in $\\mathsf{PSPACE}$.",
        "--kind", "theorem", "--area", "oversight",
        "--tag", "debate", "--tag", "complexity",
        "--source", "Irving, Christiano, Amodei 2018 | arXiv:1805.00899",
        "--source", "https://example.org/debate",
        "--priority", "4",
        cwd=workspace,
    )
    assert r.exit_code == 0, r.output
    assert "debate-pspace" in r.stdout

    data = read_node(workspace, "debate-pspace")
    assert data["title"] == "Debate reaches PSPACE"
    assert "$\\mathsf{PSPACE}$" in data["informal"]
    assert data["kind"] == "theorem"
    assert data["area"] == "oversight"
    assert data["tags"] == ["debate", "complexity"]
    assert data["priority"] == 4
    assert data["status"] == "informal"
    assert data["sources"][0]["citation"].startswith("Irving")
    assert data["sources"][0]["arxiv"] == "1805.00899"
    assert data["sources"][1]["url"] == "https://example.org/debate"
    assert "id" not in data or data["id"] == "debate-pspace"


def test_add_defaults(wb, workspace):
    assert wb("add", "plain", "--title", "Plain", "--informal", "Something.", cwd=workspace).exit_code == 0
    data = read_node(workspace, "plain")
    assert data["kind"] == "conjecture"
    assert data["status"] == "informal"
    assert data.get("priority", 0) == 0
    assert not data.get("edges")


def test_add_makes_one_commit_naming_the_command_and_id(wb, workspace):
    before = commit_count(workspace)
    assert wb("add", "scalable-oversight", "--title", "T", "--informal", "x", cwd=workspace).exit_code == 0
    assert commit_count(workspace) == before + 1
    message = git(workspace, "log", "-1", "--format=%s")
    assert "wb add" in message and "scalable-oversight" in message
    assert git(workspace, "show", "--name-only", "--format=", "HEAD").split() == ["conjectures/scalable-oversight.toml"]
    assert git(workspace, "status", "--porcelain") == ""


def test_add_commits_only_its_own_file(wb, workspace):
    (workspace / "notes.md").write_text("my scratch notes\n")
    assert wb("add", "x", "--title", "T", "--informal", "i", cwd=workspace).exit_code == 0
    assert git(workspace, "show", "--name-only", "--format=", "HEAD").split() == ["conjectures/x.toml"]
    assert "?? notes.md" in git(workspace, "status", "--porcelain")


def test_add_no_commit_leaves_the_file_uncommitted(wb, workspace):
    before = head(workspace)
    r = wb("add", "draft", "--title", "T", "--informal", "x", "--no-commit", cwd=workspace)
    assert r.exit_code == 0, r.output
    assert head(workspace) == before
    assert (workspace / "conjectures" / "draft.toml").is_file()
    assert "conjectures/draft.toml" in git(workspace, "status", "--porcelain", "--untracked-files=all")
    assert "draft" in wb("list", cwd=workspace).stdout


def test_add_uses_edges_at_creation(wb, workspace):
    wb("add", "base", "--title", "Base", "--informal", "x", cwd=workspace)
    assert wb("add", "top", "--title", "Top", "--informal", "y", "--uses", "base", cwd=workspace).exit_code == 0
    assert read_node(workspace, "top")["edges"] == [{"kind": "uses", "target": "base"}]


def test_add_json_reports_the_change(wb, workspace):
    r = wb("add", "x", "--title", "T", "--informal", "i", "--json", cwd=workspace)
    data = json.loads(r.stdout)
    assert data["ids"] == ["x"]
    assert data["commit"] == head(workspace)


# ----- refusals ------------------------------------------------------------------------------


def test_duplicate_id_is_refused(wb, workspace):
    wb("add", "twice", "--title", "First", "--informal", "x", cwd=workspace)
    before = snapshot(workspace)
    line = one_line_error(wb("add", "twice", "--title", "Second", "--informal", "y", cwd=workspace))
    assert "twice" in line and "already exists" in line
    assert snapshot(workspace) == before
    assert read_node(workspace, "twice")["title"] == "First"


@pytest.mark.parametrize("bad_id", ["Debate", "debate_pspace", "-lead", "trail-", "double--hyphen", "has space", "x" * 81, "dé"])
def test_invalid_id_is_refused(wb, workspace, bad_id):
    before = snapshot(workspace)
    line = one_line_error(wb("add", "--title", "T", "--informal", "x", "--", bad_id, cwd=workspace))
    assert "kebab-case" in line
    assert snapshot(workspace) == before


def test_unknown_kind_is_refused(wb, workspace):
    before = snapshot(workspace)
    line = one_line_error(wb("add", "x", "--title", "T", "--informal", "i", "--kind", "hunch", cwd=workspace))
    assert "kind" in line
    assert snapshot(workspace) == before


@pytest.mark.parametrize("kind", ["conjecture", "theorem", "lemma", "definition", "assumption"])
def test_every_kind_is_accepted(wb, workspace, kind):
    assert wb("add", f"a-{kind}", "--title", "T", "--informal", "i", "--kind", kind, cwd=workspace).exit_code == 0
    assert read_node(workspace, f"a-{kind}")["kind"] == kind


def test_missing_title_without_a_terminal_is_an_error(wb_proc, workspace):
    before = snapshot(workspace)
    line = one_line_error(wb_proc("add", "x", "--informal", "i", cwd=workspace))
    assert "--title" in line
    assert snapshot(workspace) == before


def test_missing_informal_without_a_terminal_is_an_error(wb, workspace):
    before = snapshot(workspace)
    line = one_line_error(wb("add", "x", "--title", "T", cwd=workspace))
    assert "--informal" in line
    assert snapshot(workspace) == before


@pytest.mark.parametrize("field", ["--title", "--informal"])
def test_blank_text_is_refused(wb, workspace, field):
    args = {"--title": "T", "--informal": "i"}
    args[field] = "   "
    before = snapshot(workspace)
    line = one_line_error(wb("add", "x", *[a for kv in args.items() for a in kv], cwd=workspace))
    assert field.lstrip("-") in line
    assert snapshot(workspace) == before


def test_uses_unknown_id_is_refused(wb, workspace):
    before = snapshot(workspace)
    line = one_line_error(wb("add", "x", "--title", "T", "--informal", "i", "--uses", "ghost", cwd=workspace))
    assert "ghost" in line
    assert snapshot(workspace) == before


def test_missing_title_and_informal_are_prompted_for_on_a_terminal(wb, workspace):
    """With stdin a TTY, `wb add ID` asks for what is missing."""
    main, secondary = pty.openpty()
    env = dict(os.environ, TERM="dumb")
    proc = subprocess.Popen([WB, "add", "prompted"], cwd=workspace, stdin=secondary, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    os.close(secondary)
    try:
        os.write(main, b"A prompted title\n")
        time.sleep(0.3)
        os.write(main, b"The prompted statement.\n")
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill() if proc.poll() is None else None
        # drain the echo so the child never blocks on a full pty buffer
        while select.select([main], [], [], 0)[0]:
            try:
                if not os.read(main, 4096):
                    break
            except OSError:
                break
        os.close(main)
    assert proc.returncode == 0, (out, err)
    data = read_node(workspace, "prompted")
    assert data["title"] == "A prompted title"
    assert data["informal"] == "The prompted statement."


def test_add_leaves_other_staged_changes_alone(wb, workspace):
    (workspace / "notes.md").write_text("staged but not mine\n")
    git(workspace, "add", "notes.md")
    assert wb("add", "x", "--title", "T", "--informal", "i", cwd=workspace).exit_code == 0
    assert git(workspace, "show", "--name-only", "--format=", "HEAD").split() == ["conjectures/x.toml"]
    assert "A  notes.md" in git(workspace, "status", "--porcelain")


def test_files_keep_a_stable_key_order_so_diffs_stay_small(wb, seeded):
    """Adding an edge appends the edge and touches no other line of the file."""
    wb("link", "sgd-margin", "implies", "minimax", cwd=seeded)
    diff = git(seeded, "diff", "HEAD~1", "HEAD", "--unified=0", "--", "conjectures/sgd-margin.toml")
    changed = [ln for ln in diff.splitlines() if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
    assert changed and all(ln.startswith("+") for ln in changed), diff
    added = "\n".join(changed)
    assert "implies" in added and "minimax" in added
    before = (seeded / "conjectures" / "sgd-margin.toml").read_text()
    wb("unlink", "sgd-margin", "implies", "minimax", cwd=seeded)
    wb("link", "sgd-margin", "implies", "minimax", cwd=seeded)
    assert (seeded / "conjectures" / "sgd-margin.toml").read_text() == before


def test_markup_in_text_is_shown_literally(wb, workspace):
    r = wb("add", "markup", "--title", "[red]not red[/red] and [bold]", "--informal", "x", cwd=workspace)
    assert r.exit_code == 0, r.output
    assert "[red]not red[/red] and [bold]" in wb("list", cwd=workspace).stdout
    assert "[red]not red[/red] and [bold]" in wb("show", "markup", cwd=workspace).stdout
