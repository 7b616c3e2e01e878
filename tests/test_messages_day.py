"""Messages and conventions: usage errors exit 2 in our words (never pydantic's), the flag at fault is named,
families are checked, an unknown id gets the nearest ones, `wb list` sorts ids naturally and pipes clean lines."""

from __future__ import annotations

import json

import pytest

from _ws_fixtures import one_line_error, write_node

PYDANTIC = ("Input should", "pydantic", "errors.pydantic.dev", "type=")


def assert_our_words(line: str) -> None:
    for word in PYDANTIC:
        assert word not in line, line


@pytest.mark.parametrize("args,words", [
    (["add", "new-one", "--informal", "x"], ["missing --title"]),
    (["add", "new-one", "--title", "T", "--informal", "x", "--kind", "hunch"], ["--kind", "'hunch' is not one of conjecture"]),
    (["add", "new-one", "--title", "", "--informal", "x"], ["--title", "must not be empty"]),
    (["list", "--status", "nope"], ["unknown status 'nope'", "conditional"]),
    (["list", "--kind", "hunch"], ["unknown kind 'hunch'"]),
])
def test_usage_errors_exit_2_in_our_words(wb, seeded, args, words):
    r = wb(*args, cwd=seeded)
    assert r.exit_code == 2, r.output
    line = one_line_error(r)
    for word in words:
        assert word in line
    assert_our_words(line)


def test_bad_flag_values_say_what_was_wrong(wb, seeded):
    r = wb("next", "--limit", "abc", cwd=seeded)
    assert r.exit_code == 2 and "'abc' is not an integer" in r.output
    assert_our_words(r.output)


def test_the_library_refuses_an_unknown_status_too(seeded):
    """`list_conjectures` over MCP calls this: an unknown status is an error, not an empty list."""
    from workbench.errors import UsageError
    from workbench.workspace import Workspace

    with pytest.raises(UsageError, match="unknown status 'settled'"):
        Workspace.open(seeded).list(status="settled")


def test_formalize_names_decl(wb, seeded, tmp_path):
    lean = tmp_path / "S.lean"
    lean.write_text("theorem foo : True := sorry\n")
    line = one_line_error(wb("formalize", "minimax", "--lean", str(lean), "--decl", "bar", cwd=seeded))
    assert "--decl bar" in line and "--decl takes the declaration's name" in line and "--name" not in line


def test_families_are_checked(wb, seeded, tmp_path):
    (tmp_path / "arg.md").write_text("By compactness.\n")
    r = wb("review", "minimax", "--argument", str(tmp_path / "arg.md"), "--author-family", "klingon", cwd=seeded)
    assert r.exit_code == 2
    line = one_line_error(r)
    assert "unknown family 'klingon'" in line and "anthropic" in line
    with (seeded / "workbench.toml").open("a") as fh:
        fh.write('\n[providers.local]\nprotocol = "openai"\nbase_url = "http://127.0.0.1:1/v1"\nmodel = "m"\n'
                 'api_key_env = ""\nfamily = "anthropik"\n')
    line = one_line_error(wb("review", "minimax", "--argument", str(tmp_path / "arg.md"), "--reviewer", "local",
                             "--author-family", "openai", cwd=seeded))
    assert "[providers.local]" in line and "unknown family 'anthropik'" in line


@pytest.mark.parametrize("args", [["show", "minimx"], ["link", "sgd-margin", "uses", "minimx"], ["log", "minimx"]])
def test_an_unknown_id_suggests_the_nearest(wb, seeded, args):
    line = one_line_error(wb(*args, cwd=seeded))
    assert "no conjecture 'minimx'" in line and "did you mean minimax?" in line


def test_list_sorts_ids_naturally_and_pipes_no_trailing_blanks(wb, workspace):
    for n in (10, 2, 1, 21):
        write_node(workspace, f"lz-{n}", f'title = "Lemma {n} with a longer title than the others"\ninformal = "x"\n')
    r = wb("list", cwd=workspace)
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert [ln.split()[0] for ln in lines[1:-1]] == ["lz-1", "lz-2", "lz-10", "lz-21"]
    assert all(ln == ln.rstrip() for ln in lines), [ln for ln in lines if ln != ln.rstrip()]
    assert [row["id"] for row in json.loads(wb("list", "--json", cwd=workspace).stdout)] == ["lz-1", "lz-2", "lz-10", "lz-21"]
    for args in (["next"], ["attempts", "lz-1"]):
        out = wb(*args, cwd=workspace).stdout
        assert all(ln == ln.rstrip() for ln in out.splitlines()), args


def test_agent_setup_prints_absolute_commands_and_shares_no_machine_path(wb_proc, workspace):
    from _ws_fixtures import WB

    r = wb_proc("agent-setup", cwd=workspace)
    assert r.exit_code == 0, r.output
    assert f"claude mcp add wb -- {WB} mcp --workspace {workspace}" in r.stdout
    assert f"codex mcp add wb -- {WB} mcp --workspace {workspace}" in r.stdout
    shared = next(ln for ln in r.stdout.splitlines() if "--scope project" in ln)
    assert shared.rstrip().endswith("claude mcp add --scope project wb -- wb mcp")
    for path in (workspace / "AGENTS.md", workspace / ".claude" / "skills" / "conjecture-workbench" / "SKILL.md"):
        text = path.read_text()
        assert str(workspace) not in text and str(WB) not in text and "/home/" not in text


def test_init_inside_a_repository_says_it_nests_or_uses_it_with_in_repo(wb, tmp_path):
    from _ws_fixtures import git

    outer = tmp_path / "outer"
    outer.mkdir()
    git(outer, "init", "-q")
    r = wb("init", "sub/nested", cwd=outer)
    assert r.exit_code == 0, r.output
    assert f"inside the git repository {outer}" in r.stderr and "--in-repo" in r.stderr
    assert (outer / "sub" / "nested" / ".git").is_dir()

    r = wb("init", "sub/shared", "--in-repo", cwd=outer)
    assert r.exit_code == 0 and r.stderr == "", r.output
    ws = outer / "sub" / "shared"
    assert not (ws / ".git").exists()
    assert wb("add", "a-one", "--title", "A", "--informal", "x", cwd=ws).exit_code == 0
    assert git(outer, "log", "--format=%s").splitlines() == ["wb add a-one: A", "wb init: workspace shared"]
    assert git(outer, "show", "--name-only", "--format=", "HEAD").split() == ["sub/shared/conjectures/a-one.toml"]
    log = wb("log", "a-one", cwd=ws)
    assert "wb add a-one: A" in log.stdout

    r = wb("init", "alone", "--in-repo", cwd=tmp_path)
    assert r.exit_code == 2 and "is not inside another git repository" in r.stderr
