"""The LeanDojo and LeanInteract adapters as far as these machines allow: no Lean toolchain with `lake`, no
network, so neither can open a real goal here.  What is tested: what `wb doctor` reports for each and the
command it gives, the clear error a user gets for each missing requirement, the git mirror LeanDojo traces,
and the text LeanInteract opens a goal with.  (`lean-interact` is in the test extras; `lean-dojo` is not —
a missing package is the state tested for it.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from workbench.provers.stepwise import backends
from workbench.provers.stepwise.protocol import BackendUnavailable, Target


@pytest.fixture
def bare_path(tmp_path, monkeypatch):
    """PATH with only git (no lake, no lean)."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    git = next(Path(d) / "git" for d in ("/usr/bin", "/bin", "/usr/local/bin") if (Path(d) / "git").exists())
    (bindir / "git").symlink_to(git)
    monkeypatch.setenv("PATH", str(bindir))
    monkeypatch.delenv("WORKBENCH_LEAN", raising=False)
    return bindir


@pytest.fixture
def fake_lake(bare_path):
    """A `lake` that only answers --version (enough for the checks; nothing here can build)."""
    lake = bare_path / "lake"
    lake.write_text("#!/bin/sh\necho 'Lake version 5.0.0-test (Lean version 4.35.0)'\n")
    lake.chmod(0o755)
    return lake


def _target(ws_root: Path, text: str = "import Mathlib\n\ntheorem t (n : Nat) : n + 0 = n := sorry\n") -> Target:
    lean_dir = ws_root / "lean"
    return Target(conjecture="t", decl="t", module="Conjectures.T", statement_file=lean_dir / "Conjectures" / "T.lean",
                  statement_text=text, header="theorem t (n : Nat) : n + 0 = n", lean_dir=lean_dir,
                  workspace_root=ws_root)


def _ws(root: Path):
    from workbench.workspace import Workspace

    return Workspace.open(root)


def test_doctor_lists_both_backends_with_what_they_need(workspace, wb, bare_path):
    r = wb("doctor", "--json", cwd=workspace)
    data = json.loads(r.stdout)
    by_name = {b["name"]: b for b in data["stepwise_backends"]}
    assert set(by_name) == {"dojo", "interact"} and not any(b["usable"] for b in by_name.values())
    dojo_needs = " | ".join(n["what"] + " :: " + n["fix"] for n in by_name["dojo"]["needs"])
    assert "`lake` is not on PATH" in dojo_needs and "install elan" in dojo_needs
    assert "no traced repository" in dojo_needs and "trace_workspace('.')" in dojo_needs
    interact = by_name["interact"]
    assert interact["version"]  # installed with the test extras
    assert [n["what"].split(" ")[0] for n in interact["needs"]] == ["`lake`", "LeanInteract's"]
    assert "LeanREPLConfig(project=LocalProject(directory='.'" in interact["needs"][1]["fix"]

    text = wb("doctor", cwd=workspace).stdout
    assert "stepwise    dojo: not usable" in text and "interact: not usable (lean-interact" in text
    assert "needs LeanInteract's REPL is not built for Lean v4.35.0" in text


def test_a_missing_package_says_how_to_install_it(workspace, monkeypatch, bare_path):
    """`sys.modules[name] = None` is how Python itself marks a module that cannot be imported."""
    monkeypatch.setitem(sys.modules, "lean_interact", None)
    monkeypatch.setitem(sys.modules, "lean_dojo", None)
    statuses = {b.name: b for b in backends.backend_statuses(workspace, workspace / "lean")}
    for name, extra in (("dojo", "dojo"), ("interact", "interact")):
        assert statuses[name].version is None
        assert statuses[name].needs[0].fix == f"pip install 'conjecture-workbench[{extra}]'"
    from workbench.provers.stepwise.interact import InteractBackend

    with pytest.raises(BackendUnavailable) as caught:
        InteractBackend(_ws(workspace), None).check(_target(workspace))
    assert "LeanInteract is not installed" in str(caught.value) and "conjecture-workbench[interact]" in str(caught.value)
    with pytest.raises(BackendUnavailable, match=r"conjecture-workbench\[interact\]"):
        InteractBackend(_ws(workspace), None).open(_target(workspace))


def test_interact_with_lake_but_no_repl_build_prints_the_build_command(workspace, fake_lake):
    from workbench.provers.stepwise.interact import InteractBackend

    target = _target(workspace)
    with pytest.raises(BackendUnavailable) as caught:
        InteractBackend(_ws(workspace), None).check(target)
    assert "REPL is not built for Lean v4.35.0" in caught.value.message
    assert caught.value.hint.startswith(f"cd {workspace / 'lean'} && ") and "LeanREPLConfig" in caught.value.hint


def test_interact_opens_the_goal_with_the_module_up_to_the_target():
    from workbench.provers.stepwise.interact import opening_command

    text = ("import Mathlib\n\ntheorem a : 1 = 1 := sorry\n\n/-- doc -/\ntheorem t (n : Nat) :\n    n + 0 = n := sorry\n\n"
            "theorem later : 2 = 2 := rfl\n")
    cmd, line = opening_command(text, "t")
    assert line == 5  # the declaration starts at its docstring; sorries before it belong to other theorems
    assert cmd == ("import Mathlib\n\ntheorem a : 1 = 1 := sorry\n\n/-- doc -/\ntheorem t (n : Nat) :\n    n + 0 = n := by\n"
                   "  sorry\n")


def test_dojo_mirrors_the_lake_project_into_a_git_repository(workspace, bare_path):
    from workbench.provers.stepwise import dojo

    lean_dir = workspace / "lean"
    (lean_dir / ".lake" / "build").mkdir(parents=True)
    (lean_dir / ".lake" / "build" / "junk.olean").write_bytes(b"\0" * 10)
    mirror, commit, digest = dojo.sync_mirror(workspace, lean_dir)
    tracked = subprocess.run(["git", "ls-files"], cwd=mirror, capture_output=True, text=True, check=True).stdout.split()
    assert "lakefile.toml" in tracked and "lean-toolchain" in tracked and not any(".lake" in t for t in tracked)
    assert dojo.sync_mirror(workspace, lean_dir)[1:] == (commit, digest)  # unchanged: no new commit

    # tracing is what LeanDojo does with the mirror (it needs lake and a toolchain); its record says which state
    marker = workspace / ".workbench" / dojo.MARKER
    marker.write_text(json.dumps({"digest": digest, "commit": commit}))
    whats = [n.what for n in dojo.dojo_status(workspace, lean_dir, lake="/usr/bin/lake").needs]
    assert not any("traced" in w for w in whats)
    (lean_dir / "New.lean").write_text("theorem x : True := trivial\n")
    whats = [n.what for n in dojo.dojo_status(workspace, lean_dir, lake="/usr/bin/lake").needs]
    assert any("out of date" in w for w in whats)
    _, commit2, digest2 = dojo.sync_mirror(workspace, lean_dir)
    assert commit2 != commit and digest2 != digest


def test_dojo_check_and_open_say_what_is_missing(workspace, monkeypatch, fake_lake):
    from workbench.provers.stepwise.dojo import DojoBackend

    backend = DojoBackend(_ws(workspace), SimpleNamespace(tactic_timeout_s=5))
    monkeypatch.setitem(sys.modules, "lean_dojo", None)
    with pytest.raises(BackendUnavailable, match="LeanDojo is not installed"):
        backend.check(_target(workspace))
    with pytest.raises(BackendUnavailable, match=r"conjecture-workbench\[dojo\]"):
        backend.open(_target(workspace))
    with pytest.raises(BackendUnavailable, match="prelude"):
        backend.check(_target(workspace, "prelude\ntheorem t : True := sorry\n"))


def test_unknown_and_custom_backends(workspace):
    from workbench.errors import UsageError

    ws = _ws(workspace)
    with pytest.raises(UsageError, match="unknown stepwise backend 'lean3'"):
        backends.make_backend(ws, SimpleNamespace(backend="lean3"))
    with pytest.raises(UsageError, match="cannot load nowhere.module:factory"):
        backends.make_backend(ws, SimpleNamespace(backend="nowhere.module:factory"))
    made = backends.make_backend(ws, SimpleNamespace(backend="_stepwise_standin:backend", extra={}))
    assert made.name == "stand-in"


def test_the_documented_settings_are_valid():
    """The README's `[provers.stepwise]` block parses into valid settings (and names no unknown key)."""
    import re
    import tomllib

    from workbench.provers.stepwise import StepwiseOptions

    doc = (Path(__file__).parents[1] / "README.md").read_text()
    block = next(b for b in re.findall(r"```toml\n(.*?)```", doc, flags=re.S) if "[provers.stepwise]" in b)
    table = tomllib.loads(block)["provers"]["stepwise"]
    assert set(table) <= set(StepwiseOptions.model_fields)
    assert StepwiseOptions(**table).max_usd == 0.5
