"""`wb link` / `wb unlink`: typed edges, and the `uses` cycle, self-loop and unknown-id refusals."""

from __future__ import annotations

import json

import pytest

from _ws_fixtures import commit_count, git, one_line_error, read_node, snapshot

KINDS = ["uses", "implies", "generalizes", "special-case-of", "equivalent", "refutes"]


@pytest.fixture
def pair(trio):
    """A workspace with three unlinked nodes: alpha, beta, gamma."""
    return trio


@pytest.mark.parametrize("kind", KINDS)
def test_link_each_kind_is_stored_and_committed(wb, pair, kind):
    before = commit_count(pair)
    r = wb("link", "alpha", kind, "beta", cwd=pair)
    assert r.exit_code == 0, r.output
    assert read_node(pair, "alpha")["edges"] == [{"kind": kind, "target": "beta"}]
    assert commit_count(pair) == before + 1
    message = git(pair, "log", "-1", "--format=%s")
    assert "wb link" in message and "alpha" in message and "beta" in message
    shown = json.loads(wb("show", "beta", "--json", cwd=pair).stdout)
    assert {"kind": kind, "source": "alpha"}.items() <= shown["edges_in"][0].items()


@pytest.mark.parametrize("kind", KINDS)
def test_unlink_each_kind_removes_the_edge_and_commits(wb, pair, kind):
    wb("link", "alpha", kind, "beta", cwd=pair)
    before = commit_count(pair)
    r = wb("unlink", "alpha", kind, "beta", cwd=pair)
    assert r.exit_code == 0, r.output
    assert not read_node(pair, "alpha").get("edges")
    assert commit_count(pair) == before + 1
    message = git(pair, "log", "-1", "--format=%s")
    assert "wb unlink" in message and "alpha" in message


def test_several_kinds_between_the_same_pair(wb, pair):
    assert wb("link", "alpha", "uses", "beta", cwd=pair).exit_code == 0
    assert wb("link", "alpha", "generalizes", "beta", cwd=pair).exit_code == 0
    assert {e["kind"] for e in read_node(pair, "alpha")["edges"]} == {"uses", "generalizes"}
    assert wb("unlink", "alpha", "uses", "beta", cwd=pair).exit_code == 0
    assert read_node(pair, "alpha")["edges"] == [{"kind": "generalizes", "target": "beta"}]


def test_link_no_commit(wb, pair):
    before = commit_count(pair)
    assert wb("link", "alpha", "uses", "beta", "--no-commit", cwd=pair).exit_code == 0
    assert commit_count(pair) == before
    assert " M conjectures/alpha.toml" in git(pair, "status", "--porcelain")


def test_uses_cycle_is_refused_naming_the_cycle(wb, pair):
    wb("link", "alpha", "uses", "beta", cwd=pair)
    wb("link", "beta", "uses", "gamma", cwd=pair)
    before = snapshot(pair)
    line = one_line_error(wb("link", "gamma", "uses", "alpha", cwd=pair))
    assert "cycle" in line
    for conj_id in ("alpha", "beta", "gamma"):
        assert conj_id in line
    assert "gamma -> alpha -> beta -> gamma" in line
    assert snapshot(pair) == before


def test_two_node_uses_cycle_is_refused(wb, pair):
    wb("link", "alpha", "uses", "beta", cwd=pair)
    before = snapshot(pair)
    line = one_line_error(wb("link", "beta", "uses", "alpha", cwd=pair))
    assert "cycle" in line and "beta -> alpha -> beta" in line
    assert snapshot(pair) == before


@pytest.mark.parametrize("kind", ["implies", "equivalent", "generalizes"])
def test_cycles_of_other_kinds_are_allowed(wb, pair, kind):
    assert wb("link", "alpha", kind, "beta", cwd=pair).exit_code == 0
    assert wb("link", "beta", kind, "alpha", cwd=pair).exit_code == 0


@pytest.mark.parametrize("kind", KINDS)
def test_self_loop_is_refused(wb, pair, kind):
    before = snapshot(pair)
    line = one_line_error(wb("link", "alpha", kind, "alpha", cwd=pair))
    assert "self-loop" in line and "alpha" in line
    assert snapshot(pair) == before


@pytest.mark.parametrize("src,dst", [("ghost", "beta"), ("alpha", "ghost")])
def test_link_unknown_id_is_refused(wb, pair, src, dst):
    before = snapshot(pair)
    line = one_line_error(wb("link", src, "uses", dst, cwd=pair))
    assert "ghost" in line
    assert snapshot(pair) == before


def test_link_invalid_id_is_refused(wb, pair):
    before = snapshot(pair)
    line = one_line_error(wb("link", "alpha", "uses", "Not_An_Id", cwd=pair))
    assert "Not_An_Id" in line
    assert snapshot(pair) == before


@pytest.mark.parametrize("command", ["link", "unlink"])
def test_unknown_edge_kind_is_refused(wb, pair, command):
    before = snapshot(pair)
    line = one_line_error(wb(command, "alpha", "depends-on", "beta", cwd=pair))
    assert "depends-on" in line
    assert "uses" in line and "refutes" in line  # lists the valid kinds
    assert snapshot(pair) == before


def test_duplicate_edge_is_refused(wb, pair):
    wb("link", "alpha", "implies", "beta", cwd=pair)
    before = snapshot(pair)
    line = one_line_error(wb("link", "alpha", "implies", "beta", cwd=pair))
    assert "already" in line
    assert snapshot(pair) == before


def test_unlink_missing_edge_is_refused(wb, pair):
    wb("link", "alpha", "implies", "beta", cwd=pair)
    before = snapshot(pair)
    line = one_line_error(wb("unlink", "alpha", "uses", "beta", cwd=pair))
    assert "no edge" in line and "alpha uses beta" in line
    assert snapshot(pair) == before


def test_unlink_unknown_source_is_refused(wb, pair):
    before = snapshot(pair)
    line = one_line_error(wb("unlink", "ghost", "uses", "beta", cwd=pair))
    assert "ghost" in line
    assert snapshot(pair) == before
