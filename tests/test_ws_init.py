"""`wb init`, finding the workspace (walk up, --workspace, WORKBENCH_DIR), commit identity, --help."""

from __future__ import annotations

import tomllib

import pytest

from _ws_fixtures import commit_count, git, head, one_line_error, snapshot


def test_init_creates_a_git_workspace_in_one_commit(wb, tmp_path):
    r = wb("init", "research")
    assert r.exit_code == 0, r.output
    ws = tmp_path / "research"
    assert "research" in r.stdout

    assert (ws / ".git").is_dir()
    config = tomllib.loads((ws / "workbench.toml").read_text())
    assert config["workspace"]["name"] == "research"
    assert (ws / "conjectures").is_dir()
    assert (ws / "lean" / "lakefile.toml").is_file()
    assert (ws / "lean" / "lean-toolchain").read_text().startswith("leanprover/lean4:")
    lake = tomllib.loads((ws / "lean" / "lakefile.toml").read_text())
    roots = [lib["name"] for lib in lake["lean_lib"]]
    assert roots and all((ws / "lean" / f"{name}.lean").is_file() for name in roots)
    assert ".workbench/" in (ws / ".gitignore").read_text().splitlines()

    assert commit_count(ws) == 1
    assert git(ws, "log", "-1", "--format=%s").startswith("wb init")
    tracked = git(ws, "ls-files").split()
    for f in ("workbench.toml", ".gitignore", "lean/lakefile.toml", "lean/lean-toolchain"):
        assert f in tracked
    assert git(ws, "status", "--porcelain") == ""


def test_init_uses_the_configured_git_identity(wb, tmp_path):
    wb("init", "ws")
    assert git(tmp_path / "ws", "log", "-1", "--format=%an <%ae>|%cn <%ce>").strip() == (
        "Ada Researcher <ada@example.org>|Ada Researcher <ada@example.org>"
    )


def test_init_name_option(wb, tmp_path):
    assert wb("init", "ws", "--name", "Alignment theory").exit_code == 0
    assert tomllib.loads((tmp_path / "ws" / "workbench.toml").read_text())["workspace"]["name"] == "Alignment theory"


def test_init_twice_is_refused_and_changes_nothing(wb, workspace):
    before = snapshot(workspace)
    line = one_line_error(wb("init", workspace))
    assert "already" in line
    assert snapshot(workspace) == before


def test_init_no_commit_leaves_files_uncommitted(wb, tmp_path):
    r = wb("init", "ws", "--no-commit")
    assert r.exit_code == 0, r.output
    ws = tmp_path / "ws"
    assert (ws / "workbench.toml").is_file()
    assert "workbench.toml" in git(ws, "status", "--porcelain", "--untracked-files=all")


# ----- finding the workspace ---------------------------------------------------------------


def test_commands_find_the_workspace_by_walking_up(wb, workspace):
    deep = workspace / "lean" / "notes" / "deeper"
    deep.mkdir(parents=True)
    r = wb("add", "walked-up", "--title", "Found from below", "--informal", "x", cwd=deep)
    assert r.exit_code == 0, r.output
    assert (workspace / "conjectures" / "walked-up.toml").is_file()
    assert not (deep / "conjectures").exists()
    r = wb("list", "--json", cwd=deep)
    assert [row["id"] for row in __import__("json").loads(r.stdout)] == ["walked-up"]


def test_workspace_option_from_elsewhere(wb, workspace, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    r = wb("add", "by-option", "--title", "T", "--informal", "x", "--workspace", workspace, cwd=elsewhere)
    assert r.exit_code == 0, r.output
    assert (workspace / "conjectures" / "by-option.toml").is_file()
    r = wb("--workspace", workspace, "show", "by-option", cwd=elsewhere)
    assert r.exit_code == 0 and "by-option" in r.stdout


def test_workbench_dir_environment_variable(wb_proc, workspace, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"WORKBENCH_DIR": str(workspace)}
    r = wb_proc("add", "by-env", "--title", "T", "--informal", "x", cwd=elsewhere, env=env)
    assert r.exit_code == 0, r.output
    assert (workspace / "conjectures" / "by-env.toml").is_file()
    r = wb_proc("list", "--json", cwd=elsewhere, env=env)
    assert '"by-env"' in r.stdout


def test_workspace_option_beats_workbench_dir(wb, workspace, tmp_path):
    other = tmp_path / "other"
    assert wb("init", other).exit_code == 0
    r = wb("add", "here", "--title", "T", "--informal", "x", "--workspace", other, env={"WORKBENCH_DIR": str(workspace)})
    assert r.exit_code == 0, r.output
    assert (other / "conjectures" / "here.toml").is_file()
    assert not (workspace / "conjectures" / "here.toml").exists()


@pytest.mark.parametrize("args", [["list"], ["add", "x", "--title", "T", "--informal", "i"], ["next"], ["graph"], ["log"], ["show", "x"]])
def test_outside_a_workspace_one_line_says_how_to_make_one(wb, tmp_path, args):
    lonely = tmp_path / "not-a-workspace"
    lonely.mkdir()
    line = one_line_error(wb(*args, cwd=lonely))
    assert "workspace" in line
    assert "wb init" in line
    assert list(lonely.iterdir()) == []


def test_workbench_dir_pointing_nowhere_is_an_error(wb_proc, tmp_path):
    r = wb_proc("list", env={"WORKBENCH_DIR": str(tmp_path / "missing")})
    line = one_line_error(r)
    assert "wb init" in line


# ----- identity ------------------------------------------------------------------------------


def test_fallback_identity_when_none_is_configured(wb_proc, tmp_path, monkeypatch):
    empty_home = tmp_path / "empty-home"
    empty_home.mkdir()
    monkeypatch.setenv("HOME", str(empty_home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")

    r = wb_proc("init", "ws")
    assert r.exit_code == 0, r.output
    ws = tmp_path / "ws"
    first = wb_proc("add", "one", "--title", "T", "--informal", "x", cwd=ws)
    second = wb_proc("add", "two", "--title", "T", "--informal", "x", cwd=ws)
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output

    authors = git(ws, "log", "--format=%an|%cn").splitlines()
    assert len(authors) == 3
    assert all(a == "Conjecture Workbench|Conjecture Workbench" for a in authors)
    notices = [o.stderr.count("Conjecture Workbench") for o in (r, first, second)]
    assert sum(notices) == 1, (r.stderr, first.stderr, second.stderr)
    assert "git config" in (r.stderr + first.stderr)


def test_identity_from_git_environment_variables_is_honoured(wb_proc, tmp_path, monkeypatch):
    """Git itself accepts GIT_AUTHOR_NAME/… as the user's identity (CI, containers); so should wb."""
    empty_home = tmp_path / "empty-home"
    empty_home.mkdir()
    monkeypatch.setenv("HOME", str(empty_home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Env Person")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "env@example.org")
    assert wb_proc("init", "ws").exit_code == 0
    ws = tmp_path / "ws"
    r = wb_proc("add", "one", "--title", "T", "--informal", "x", cwd=ws)
    assert r.exit_code == 0, r.output
    assert git(ws, "log", "-1", "--format=%an <%ae>").strip() == "Env Person <env@example.org>"
    assert "Conjecture Workbench" not in r.stderr


def test_identity_from_git_config_global_file_is_honoured(wb_proc, tmp_path, monkeypatch):
    empty_home = tmp_path / "empty-home"
    empty_home.mkdir()
    config = tmp_path / "my-gitconfig"
    config.write_text("[user]\n\tname = File Person\n\temail = file@example.org\n")
    monkeypatch.setenv("HOME", str(empty_home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    assert git(tmp_path, "config", "user.name").strip() == "File Person"  # what git itself sees
    r = wb_proc("init", "ws")
    assert r.exit_code == 0, r.output
    assert git(tmp_path / "ws", "log", "-1", "--format=%an").strip() == "File Person"
    assert "Conjecture Workbench" not in r.stderr


def test_repository_identity_beats_global(wb, workspace):
    git(workspace, "config", "user.name", "Repo Local")
    git(workspace, "config", "user.email", "local@example.org")
    assert wb("add", "x", "--title", "T", "--informal", "i", cwd=workspace).exit_code == 0
    assert git(workspace, "log", "-1", "--format=%an").strip() == "Repo Local"


# ----- help ----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["init", "add", "edit", "rm", "link", "unlink", "list", "show", "import", "graph", "next", "log"])
def test_every_command_has_help(wb, command):
    r = wb(command, "--help")
    assert r.exit_code == 0, r.output
    assert "Usage" in r.stdout and command in r.stdout


@pytest.mark.parametrize("command", ["list", "show", "next", "log"])
def test_reading_commands_take_json(wb, command):
    assert "--json" in wb(command, "--help").stdout


def test_top_level_help_lists_the_commands(wb):
    r = wb("--help")
    assert r.exit_code == 0
    for command in ("init", "add", "edit", "rm", "link", "unlink", "list", "show", "import", "graph", "next", "log"):
        assert command in r.stdout


def test_init_in_an_existing_git_repository_keeps_its_history(wb, git_home, tmp_path):
    repo = tmp_path / "existing"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "paper.tex").write_text("\\section{Intro}\n")
    (repo / ".gitignore").write_text("*.aux\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "paper")
    r = wb("init", repo)
    assert r.exit_code == 0, r.output
    assert commit_count(repo) == 2
    assert git(repo, "log", "--format=%s").splitlines()[1] == "paper"
    ignore = (repo / ".gitignore").read_text().splitlines()
    assert "*.aux" in ignore and ".workbench/" in ignore
    assert git(repo, "status", "--porcelain") == ""
