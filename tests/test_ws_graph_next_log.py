"""`wb graph` (tree, dot, mermaid, json; neighbourhoods), `wb next` (ranking) and `wb log`."""

from __future__ import annotations

import json

import pytest

from _ws_fixtures import git, one_line_error, snapshot, write_node


def graph_json(wb, ws, *args) -> dict:
    r = wb("graph", "--format", "json", *args, cwd=ws)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


# ----- graph --------------------------------------------------------------------------------


def test_graph_tree_draws_dependencies(wb, seeded):
    r = wb("graph", cwd=seeded)
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    for conj_id in ("debate-pspace", "honest-equilibrium", "minimax", "sgd-margin"):
        assert conj_id in r.stdout
    # debate-pspace is a root (nothing uses it); what it uses is drawn below it, indented further
    top = next(i for i, ln in enumerate(lines) if "debate-pspace" in ln)
    below = next(i for i, ln in enumerate(lines) if "honest-equilibrium" in ln)
    assert below > top
    indent = lambda ln: len(ln) - len(ln.lstrip(" │├└─"))  # noqa: E731
    assert indent(lines[below]) > indent(lines[top])
    assert "informal" in r.stdout


def test_graph_tree_of_one_node(wb, seeded):
    r = wb("graph", "honest-equilibrium", cwd=seeded)
    assert r.exit_code == 0, r.output
    assert "honest-equilibrium" in r.stdout and "minimax" in r.stdout
    assert "sgd-margin" not in r.stdout


def test_graph_json_whole_graph(wb, seeded):
    data = graph_json(wb, seeded)
    assert {n["id"] for n in data["nodes"]} == {"debate-pspace", "honest-equilibrium", "minimax", "sgd-margin"}
    assert {(e["source"], e["kind"], e["target"]) for e in data["edges"]} == {
        ("debate-pspace", "uses", "minimax"),
        ("debate-pspace", "uses", "honest-equilibrium"),
        ("honest-equilibrium", "uses", "minimax"),
    }
    assert all(n["status"] == "informal" for n in data["nodes"])


def test_graph_neighbourhood_with_depth(wb, seeded):
    wb("link", "sgd-margin", "implies", "debate-pspace", cwd=seeded)
    # minimax ← honest-equilibrium ← debate-pspace ← sgd-margin (implies); distances from minimax: 1, 1, 2
    assert {n["id"] for n in graph_json(wb, seeded, "minimax", "--depth", "0")["nodes"]} == {"minimax"}
    assert {n["id"] for n in graph_json(wb, seeded, "minimax", "--depth", "1")["nodes"]} == {"minimax", "honest-equilibrium", "debate-pspace"}
    assert {n["id"] for n in graph_json(wb, seeded, "minimax", "--depth", "2")["nodes"]} == {
        "minimax", "honest-equilibrium", "debate-pspace", "sgd-margin"}
    assert {n["id"] for n in graph_json(wb, seeded, "sgd-margin", "--depth", "1")["nodes"]} == {"sgd-margin", "debate-pspace"}
    edges = graph_json(wb, seeded, "minimax", "--depth", "1")["edges"]
    assert ("sgd-margin", "debate-pspace") not in {(e["source"], e["target"]) for e in edges}


def test_graph_dot(wb, seeded):
    wb("link", "sgd-margin", "refutes", "minimax", cwd=seeded)
    r = wb("graph", "--format", "dot", cwd=seeded)
    assert r.exit_code == 0, r.output
    assert r.stdout.lstrip().startswith("digraph")
    assert '"debate-pspace" -> "minimax"' in r.stdout
    assert '"sgd-margin" -> "minimax"' in r.stdout and "refutes" in r.stdout
    assert r.stdout.rstrip().endswith("}")


def test_graph_mermaid(wb, seeded):
    r = wb("graph", "--format", "mermaid", cwd=seeded)
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("flowchart")
    assert "n_debate_pspace --> n_minimax" in r.stdout
    assert "n_honest_equilibrium --> n_minimax" in r.stdout
    assert "Debate reaches PSPACE" in r.stdout


def test_graph_mermaid_survives_reserved_words_as_ids(wb, workspace):
    wb("add", "end", "--title", "The end", "--informal", "x", cwd=workspace)
    wb("add", "start", "--title", "Start", "--informal", "x", "--uses", "end", cwd=workspace)
    out = wb("graph", "--format", "mermaid", cwd=workspace).stdout
    identifiers = [ln.split()[0].split("[")[0] for ln in out.splitlines()[1:] if not ln.strip().startswith("classDef")]
    assert "end" not in identifiers and "n_end" in identifiers, out


def test_graph_formats_written_to_a_file(wb, seeded, tmp_path):
    out = tmp_path / "g.dot"
    r = wb("graph", "--format", "dot", "-o", out, cwd=seeded)
    assert r.exit_code == 0, r.output
    assert out.read_text().startswith("digraph")


@pytest.mark.parametrize("depth", ["-1", "-5"])
def test_graph_negative_depth_is_an_error(wb, seeded, depth):
    before = snapshot(seeded)
    line = one_line_error(wb("graph", "minimax", "--depth", depth, cwd=seeded))
    assert "depth" in line
    assert snapshot(seeded) == before


def test_graph_unknown_id(wb, seeded):
    line = one_line_error(wb("graph", "ghost", cwd=seeded))
    assert "ghost" in line


def test_graph_unknown_format(wb, seeded):
    r = wb("graph", "--format", "png", cwd=seeded)
    assert r.exit_code != 0 and "png" in r.stderr


def test_graph_empty_workspace(wb, workspace):
    assert graph_json(wb, workspace)["nodes"] == []
    assert wb("graph", cwd=workspace).exit_code == 0


# ----- next ---------------------------------------------------------------------------------


def _node(title, *, uses=(), priority=0, status="informal", kind="conjecture"):
    text = f'title = "{title}"\nkind = "{kind}"\npriority = {priority}\nstatus = "{status}"\ninformal = "x"\n'
    if status != "informal":
        text += f'formal = {{ module = "Conjectures.X", decl = "{title.replace(" ", "_")}" }}\n'
    for t in uses:
        text += f'\n[[edges]]\nkind = "uses"\ntarget = "{t}"\n'
    return text


def test_next_ranks_by_unblocked_count_then_priority(wb, workspace):
    # hub is used (transitively) by three open results; mid by two; low-hi has no users but priority 9
    write_node(workspace, "hub", _node("Hub", priority=0))
    write_node(workspace, "mid", _node("Mid", uses=("hub",), priority=1))
    write_node(workspace, "top-a", _node("Top A", uses=("mid",), priority=0))
    write_node(workspace, "top-b", _node("Top B", uses=("mid",), priority=5))
    write_node(workspace, "loner-hi", _node("Loner hi", priority=9))
    write_node(workspace, "loner-lo", _node("Loner lo", priority=2))
    r = wb("next", "--json", cwd=workspace)
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert [row["id"] for row in rows] == ["hub", "mid", "loner-hi", "top-b", "loner-lo", "top-a"]
    assert [row["unblocks"] for row in rows] == [3, 2, 0, 0, 0, 0]
    assert [row["rank"] for row in rows] == [1, 2, 3, 4, 5, 6]


def test_next_skips_settled_nodes_definitions_and_assumptions(wb, workspace):
    write_node(workspace, "done", _node("Done", status="proved"))
    write_node(workspace, "refuted", _node("Refuted", status="disproved"))
    write_node(workspace, "a-definition", _node("A definition", kind="definition"))
    write_node(workspace, "an-assumption", _node("An assumption", kind="assumption"))
    write_node(workspace, "open-one", _node("Open one", uses=("done", "a-definition")))
    assert [row["id"] for row in json.loads(wb("next", "--json", cwd=workspace).stdout)] == ["open-one"]


def test_next_counts_only_unsettled_results_as_unblocked(wb, workspace):
    write_node(workspace, "base", _node("Base"))
    write_node(workspace, "already-proved", _node("Already proved", status="proved", uses=("base",)))  # conditional
    write_node(workspace, "open-user", _node("Open user", uses=("base",)))
    rows = {r["id"]: r for r in json.loads(wb("next", "--json", cwd=workspace).stdout)}
    assert rows["base"]["unblocks"] == 2  # both users still rest on it (one is only conditional)


def test_next_limit_and_table(wb, seeded):
    rows = json.loads(wb("next", "--json", "--limit", "2", cwd=seeded).stdout)
    assert [r["id"] for r in rows] == ["minimax", "honest-equilibrium"]
    r = wb("next", "-n", "1", cwd=seeded)
    assert r.exit_code == 0
    assert "minimax" in r.stdout and "honest-equilibrium" not in r.stdout


def test_next_negative_limit_is_an_error(wb, seeded):
    line = one_line_error(wb("next", "--limit", "-1", cwd=seeded))
    assert "limit" in line


def test_next_on_an_empty_workspace(wb, workspace):
    r = wb("next", cwd=workspace)
    assert r.exit_code == 0
    assert json.loads(wb("next", "--json", cwd=workspace).stdout) == []


# ----- log ----------------------------------------------------------------------------------


def test_log_of_the_workspace(wb, seeded):
    r = wb("log", cwd=seeded)
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert len(lines) == 5
    assert "wb add sgd-margin" in lines[0]  # newest first
    assert "wb init" in lines[-1]
    assert "Ada Researcher" in r.stdout


def test_log_of_one_node(wb, seeded):
    wb("link", "sgd-margin", "implies", "minimax", cwd=seeded)
    wb("link", "debate-pspace", "generalizes", "sgd-margin", cwd=seeded)
    rows = json.loads(wb("log", "sgd-margin", "--json", cwd=seeded).stdout)
    messages = [row["message"] for row in rows]
    assert len(messages) == 2
    assert messages[0].startswith("wb link sgd-margin implies minimax")
    assert messages[1].startswith("wb add sgd-margin")
    assert rows[0]["sha"] == git(seeded, "rev-parse", "HEAD~1").strip()
    assert {"sha", "date", "author", "message"} <= rows[0].keys()


def test_log_of_a_removed_node_still_shows_its_history(wb, seeded):
    wb("rm", "sgd-margin", cwd=seeded)
    rows = json.loads(wb("log", "sgd-margin", "--json", cwd=seeded).stdout)
    assert [r["message"].split(":")[0] for r in rows] == ["wb rm sgd-margin", "wb add sgd-margin"]


def test_log_limit(wb, seeded):
    assert len(json.loads(wb("log", "--json", "-n", "2", cwd=seeded).stdout)) == 2


def test_log_unknown_id(wb, seeded):
    line = one_line_error(wb("log", "ghost", cwd=seeded))
    assert "ghost" in line
