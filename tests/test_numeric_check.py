"""`wb numeric-check` through the command line in real git workspaces: results and exit codes, the claim and
the note (one commit each), refused claims that change nothing, a hanging claim killed at --timeout, and what
`wb show`, `wb list`, `wb next`, `wb graph`, `wb import` and `wb formalize --draft` make of a claim."""

from __future__ import annotations

import json
import re
import time

from _check_fixtures import runner_pids
from _ws_fixtures import commit_count, git, one_line_error, read_node, snapshot

POLY = ("n**2 <= 2**n", "n: integer, n >= 1")


def add(wb, ws, conj_id: str, informal: str = "A formula.") -> None:
    r = wb("add", conj_id, "--title", conj_id.replace("-", " "), "--informal", informal, cwd=ws)
    assert r.exit_code == 0, r.output


def numeric(wb, ws, conj_id: str, *args: str):
    return wb("numeric-check", conj_id, *args, cwd=ws)


def test_a_refuted_claim_is_stored_checked_and_noted_in_two_commits(wb, workspace):
    add(wb, workspace, "poly-bound", "For every $n \\ge 1$, $n^2 \\le 2^n$.")
    before = commit_count(workspace)
    r = numeric(wb, workspace, "poly-bound", "--claim", POLY[0], "--var", POLY[1])
    assert r.exit_code == 1, r.output
    assert r.stdout.startswith("refuted: n**2 <= 2**n")
    assert "witness: n = 3" in r.stdout and "n**2 = 9 > 2**n = 8" in r.stdout
    # the claim first, then the note: one commit each, with honest messages
    assert commit_count(workspace) == before + 2
    log = git(workspace, "log", "-2", "--format=%s").splitlines()
    assert log == ["wb numeric-check poly-bound: refuted (sampling, witness n = 3)",
                   "wb numeric-check poly-bound: claim `n**2 <= 2**n`"]
    node = read_node(workspace, "poly-bound")
    assert node["check"] == {"claim": "n**2 <= 2**n", "vars": {"n": "integer, n >= 1"}}
    note = node["notes"][-1]
    assert note["trust"] == "numeric-check" and note["verdict"] == "refuted"
    assert note["numeric"]["witness"] == {"n": "3"} and note["numeric"]["method"] == "sampling"
    assert note["numeric"]["seed"] == 0 and note["numeric"]["samples"] == 3 and note["numeric"]["sympy_version"]
    assert node["status"] == "informal"  # refuted is a marker, never a disproof
    assert git(workspace, "status", "--porcelain") == ""


def test_json_has_exactly_the_documented_keys_and_the_exit_codes_follow_the_result(wb, workspace):
    add(wb, workspace, "contraction")
    r = numeric(wb, workspace, "contraction", "--claim", "eps/(1-c) >= eps", "--var", "eps: 0 < eps < 1",
                "--var", "c: 0 <= c < 1", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert list(out) == ["id", "result", "method", "witness", "detail", "sympy_version"]
    assert out["id"] == "contraction" and out["result"] == "supported" and out["method"] == "symbolic"
    assert out["witness"] is None
    import sympy

    assert out["sympy_version"] == sympy.__version__

    add(wb, workspace, "undefined")
    r = numeric(wb, workspace, "undefined", "--claim", "log(-x**2 - 1) = 0", "--json")
    assert r.exit_code == 3 and json.loads(r.stdout)["result"] == "inconclusive"

    add(wb, workspace, "trap")
    r = numeric(wb, workspace, "trap", "--claim", "n**(1/100) = O(log(n)**10)", "--var", "n: integer, n >= 1", "--json")
    out = json.loads(r.stdout)
    assert r.exit_code == 1 and (out["result"], out["method"]) == ("refuted", "limit")
    assert "limit of n**(1/100)/log(n)**10 as n -> oo is oo" in out["detail"]


def test_a_stored_claim_is_rechecked_and_samples_and_seed_are_recorded(wb, workspace):
    add(wb, workspace, "exp-bound")
    assert numeric(wb, workspace, "exp-bound", "--claim", "exp(x) >= 1 + x").exit_code == 0
    before = commit_count(workspace)
    r = numeric(wb, workspace, "exp-bound", "--samples", "200", "--seed", "5", "--json")
    assert r.exit_code == 0, r.output
    assert commit_count(workspace) == before + 1  # the claim is unchanged: only the note
    record = read_node(workspace, "exp-bound")["notes"][-1]["numeric"]
    assert (record["seed"], record["samples"]) == (5, 200)
    assert "200 sample points (seed 5)" in json.loads(r.stdout)["detail"]
    # --var alone changes the stored conditions (one commit), then checks
    r = numeric(wb, workspace, "exp-bound", "--var", "x: x >= 0", "--json")
    assert r.exit_code == 0
    assert read_node(workspace, "exp-bound")["check"]["vars"] == {"x": "x >= 0"}


def test_a_claim_that_would_run_code_is_refused_and_changes_nothing(wb, workspace, tmp_path):
    add(wb, workspace, "victim")
    before = snapshot(workspace)
    marker = tmp_path / "pwned"
    for claim in (f"__import__('os').system('touch {marker}') = 0", "().__class__.__base__ = 1",
                  f"open('{marker}', 'w') = 0", "x.real > 0"):
        line = one_line_error(numeric(wb, workspace, "victim", "--claim", claim))
        assert line.startswith("error: refused:"), line
    r = numeric(wb, workspace, "victim", "--claim", f"__import__('os').system('touch {marker}') = 0")
    assert r.exit_code == 2 and "`__import__('os').system`" in r.stderr
    assert not marker.exists()
    assert snapshot(workspace) == before


def test_usage_errors_exit_2(wb, workspace):
    add(wb, workspace, "plain")
    before = snapshot(workspace)
    line = one_line_error(numeric(wb, workspace, "plain"))
    assert "has no claim" in line and "--claim" in line
    assert numeric(wb, workspace, "plain").exit_code == 2
    assert "NAME: CONDITION" in one_line_error(numeric(wb, workspace, "plain", "--claim", "x > 0", "--var", "x > 0"))
    assert "does not use" in one_line_error(numeric(wb, workspace, "plain", "--claim", "x > 0", "--var", "y: y > 0"))
    assert "--samples" in one_line_error(numeric(wb, workspace, "plain", "--claim", "x > 0", "--samples", "0"))
    assert numeric(wb, workspace, "nope", "--claim", "x > 0").exit_code != 0
    assert snapshot(workspace) == before


def test_a_hanging_claim_is_killed_at_the_timeout_and_leaves_no_process(wb_proc, workspace):
    add_r = wb_proc("add", "slow", "--title", "slow", "--informal", "x", cwd=workspace)
    assert add_r.exit_code == 0
    before = runner_pids()
    started = time.monotonic()
    r = wb_proc("numeric-check", "slow", "--claim", "factorial(10**9) > 0", "--timeout", "2", "--json", cwd=workspace)
    elapsed = time.monotonic() - started
    assert r.exit_code == 3, r.stdout + r.stderr
    out = json.loads(r.stdout)
    assert (out["result"], out["method"]) == ("inconclusive", "timeout")
    assert "time limit of 2 s" in out["detail"]
    assert elapsed < 10, elapsed  # 2 s for sympy, the rest is wb starting and committing
    assert runner_pids() <= before
    assert read_node(workspace, "slow")["notes"][-1]["numeric"]["method"] == "timeout"


def test_refuted_nodes_are_marked_and_skipped_by_next_unless_asked(wb, workspace):
    add(wb, workspace, "poly-bound")
    add(wb, workspace, "amgm")
    numeric(wb, workspace, "poly-bound", "--claim", POLY[0], "--var", POLY[1])
    assert numeric(wb, workspace, "amgm", "--claim", "x**2 + y**2 >= 2*x*y").exit_code == 0
    rows = {r["id"]: r for r in json.loads(wb("list", "--json", cwd=workspace).stdout)}
    assert rows["poly-bound"]["numeric_check"]["result"] == "refuted"
    assert rows["poly-bound"]["numeric_check"]["witness"] == {"n": "3"}
    assert rows["poly-bound"]["status"] == "informal" and rows["poly-bound"]["recorded_status"] == "informal"
    assert rows["amgm"]["numeric_check"]["result"] == "supported"
    assert "informal refuted" in wb("list", cwd=workspace).stdout

    targets = [r["id"] for r in json.loads(wb("next", "--json", cwd=workspace).stdout)]
    assert targets == ["amgm"]
    shown = wb("next", cwd=workspace).stdout
    assert "skipped (refuted by a numeric check): poly-bound" in shown
    asked = [r["id"] for r in json.loads(wb("next", "--include-refuted", "--json", cwd=workspace).stdout)]
    assert set(asked) == {"amgm", "poly-bound"}

    # a new claim is not refuted by an old note: the mark follows the claim as it stands
    numeric(wb, workspace, "poly-bound", "--claim", "n**2 <= 2**n + 1", "--var", "n: integer, n >= 1")
    assert [r["id"] for r in json.loads(wb("next", "--json", cwd=workspace).stdout)] == ["amgm", "poly-bound"]


def test_show_and_the_graph_data_carry_the_claim_and_its_check(wb, workspace):
    add(wb, workspace, "poly-bound")
    numeric(wb, workspace, "poly-bound", "--claim", POLY[0], "--var", POLY[1])
    text = wb("show", "poly-bound", cwd=workspace).stdout
    assert "refuted by a numeric check (not disproved)" in text
    assert "claim n**2 <= 2**n  (n: integer, n >= 1)" in text
    assert "numeric check refuted: n = 3 (sampling" in text
    assert "[numeric-check] [refuted]" in text
    data = json.loads(wb("show", "poly-bound", "--json", cwd=workspace).stdout)
    assert data["numeric_check"]["result"] == "refuted" and data["check"]["claim"] == "n**2 <= 2**n"
    graph = json.loads(wb("graph", "--format", "json", cwd=workspace).stdout)
    node = next(n for n in graph["nodes"] if n["id"] == "poly-bound")
    assert node["numeric_check"]["result"] == "refuted"
    page = workspace / "graph.html"
    assert wb("graph", "--format", "html", "-o", str(page), cwd=workspace).exit_code == 0
    m = re.search(r'<script type="application/json" id="wb-graph">(.*?)</script>', page.read_text(encoding="utf-8"), re.S)
    embedded = next(n for n in json.loads(m.group(1))["nodes"] if n["id"] == "poly-bound")
    assert embedded["numeric_check"]["result"] == "refuted"
    assert embedded["notes"][-1]["numeric"]["witness"] == {"n": "3"}


def test_import_lines_may_carry_a_check(wb, workspace, tmp_path):
    good = {"id": "rlct", "title": "RLCT of w^(2k)", "informal": "$\\lambda = 1/(2k)$.",
            "check": {"claim": "1/(2*k) <= 1/2", "vars": {"k": "integer, k >= 1"}}}
    path = tmp_path / "claims.jsonl"
    path.write_text(json.dumps(good) + "\n")
    r = wb("import", str(path), cwd=workspace)
    assert r.exit_code == 0, r.output
    assert read_node(workspace, "rlct")["check"] == good["check"]
    assert numeric(wb, workspace, "rlct").exit_code == 0

    before = snapshot(workspace)
    bad = dict(good, id="bad-claim", check={"claim": "__import__('os') > 0"})
    path.write_text(json.dumps(bad) + "\n")
    line = one_line_error(wb("import", str(path), cwd=workspace))
    assert "line 1" in line and "check" in line and "refused" in line
    assert snapshot(workspace) == before


def test_a_hand_written_check_table_is_validated(wb, workspace):
    add(wb, workspace, "edited")
    path = workspace / "conjectures" / "edited.toml"
    path.write_text(path.read_text() + '\n[check]\nclaim = "x.y > 0"\n')
    line = one_line_error(wb("list", cwd=workspace))
    assert "edited.toml" in line and "check" in line and "attribute access" in line


def test_formalize_draft_prints_a_lean_statement_and_attaches_nothing(wb, workspace):
    add(wb, workspace, "poly-bound")
    add(wb, workspace, "harmonic-log")
    numeric(wb, workspace, "poly-bound", "--claim", POLY[0], "--var", POLY[1])
    numeric(wb, workspace, "harmonic-log", "--claim", "harmonic(n) ~ log(n)", "--var", "n: integer, n >= 1")
    before = snapshot(workspace)
    r = wb("formalize", "poly-bound", "--draft", cwd=workspace)
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("import Mathlib\n")
    assert "theorem poly_bound (n : ℕ) (h_n : 1 ≤ n) :\n    (n : ℝ) ^ 2 ≤ 2 ^ n := by\n  sorry" in r.stdout
    r = wb("formalize", "harmonic-log", "--draft", cwd=workspace)
    assert "(fun n : ℕ => (harmonic n : ℝ)) ~[atTop] (fun n : ℕ => Real.log (n : ℝ))" in r.stdout
    assert snapshot(workspace) == before
    assert read_node(workspace, "poly-bound").get("formal") is None
    add(wb, workspace, "no-claim")
    assert "no claim" in one_line_error(wb("formalize", "no-claim", "--draft", cwd=workspace))
    assert "--lean" in one_line_error(wb("formalize", "no-claim", cwd=workspace))


def test_the_library_call_records_nothing_for_an_ad_hoc_claim(workspace, git_home):
    from workbench.checks.check import check_claim, numeric_check
    from workbench.model import Conjecture
    from workbench.workspace import Workspace

    before = snapshot(workspace)
    run = check_claim("harmonic(n) ~ log(n)", {"n": "integer, n >= 1"})
    assert (run.result.result, run.result.method) == ("supported", "limit")
    assert snapshot(workspace) == before
    ws = Workspace.open(workspace)
    ws.add(Conjecture(id="h", title="h", informal="h"))
    run = numeric_check(ws, "h", claim="harmonic(n) ~ 2*log(n)", vars={"n": "integer, n >= 1"})
    assert run.result.result == "refuted" and run.note_change is not None and run.claim_change is not None
    assert ws.get("h").refuted

