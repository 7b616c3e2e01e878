"""`wb batch`: runs over a workspace of `prelude` statements with the real offline Lean and a scripted local
model server (right on the provable nodes, wrong on the others, 429 and slow now and then)."""

from __future__ import annotations

import json
import subprocess
from collections import Counter

import pytest

from _batch_fixtures import (  # noqa: F401 - fixtures
    PROVABLE, UNPROVABLE, _batch_template, batch_server, batch_ws,
)
from _prove_fixtures import lean_bin  # noqa: F401
from _ws_fixtures import git, read_node

pytestmark = pytest.mark.lean


def attempts_of(root, run_id):
    from workbench.attempts import AttemptStore
    from workbench.workspace import Workspace

    with AttemptStore(Workspace.open(root)) as store:
        return store.for_run(run_id)


def statuses(root):
    return {c: read_node(root, c)["status"] for c in PROVABLE + UNPROVABLE}


def settle_commits(root):
    log = git(root, "log", "--format=%s")
    return Counter(line.split()[2] for line in log.splitlines() if line.startswith("wb check ") and "--proof" in line)


def test_run_settles_exactly_the_provable_and_reports(batch_ws, batch_server, wb):
    root = batch_ws.root
    r = wb("batch", "run", "--prover", "mock", "--workers", "3", "--lean-jobs", "2", "--rounds", "2", cwd=root)
    assert r.exit_code == 0, r.output
    first = r.stdout.splitlines()[0]
    assert first.startswith("run r-"), r.stdout
    run_id = first.split()[1]
    # one line per finished attempt (no terminal here)
    rows = attempts_of(root, run_id)
    assert len([ln for ln in r.stdout.splitlines() if ln.startswith("#")]) == len(rows)

    st = statuses(root)
    assert {c for c, s in st.items() if s == "proved"} == set(PROVABLE)
    assert all(st[c] == "formalized" for c in UNPROVABLE)
    assert settle_commits(root) == Counter({c: 1 for c in PROVABLE})
    for c in PROVABLE:
        node = read_node(root, c)
        assert node["evidence"]["prover"] == "mock" and node["evidence"]["model"] == "mock-prover-1"
        assert (root / node["evidence"]["proof_file"]).is_file()

    # every slot once; repaired ones took two rounds; unprovable ones got both rounds
    slots = [a.slot for a in rows]
    assert len(slots) == len(set(slots)) and all(s.startswith(run_id + "/") for s in slots)
    per = Counter(a.conjecture for a in rows)
    assert per["p-2"] == 2 and per["p-1"] == 1 and all(per[c] == 2 for c in UNPROVABLE)
    assert sum(a.settled for a in rows) == len(PROVABLE)
    # q-1 uses p-1, ranked after it: its prompt cited p-1 as a proved lemma
    assert any(c == "q-1" and lemma for c, _, lemma in batch_server.seen)
    # some requests were rate limited and retried
    assert batch_server.count > sum(1 for _ in batch_server.seen)

    status = wb("batch", "status", "--json", cwd=root)
    info = json.loads(status.stdout)
    assert info["id"] == run_id and info["status"] == "finished" and info["attempts"] == len(rows)
    listed = json.loads(wb("batch", "list", "--json", cwd=root).stdout)
    assert [x["id"] for x in listed] == [run_id]

    # the report's numbers are sums over the recorded attempts
    rep = json.loads(wb("batch", "report", run_id, "--format", "json", cwd=root).stdout)
    assert rep["id"] == run_id
    assert rep["totals"]["attempts"] == len(rows)
    assert rep["totals"]["cost_usd"] == pytest.approx(sum(a.cost_usd for a in rows))
    assert rep["totals"]["tokens_in"] == sum(a.tokens_in for a in rows)
    assert rep["totals"]["tokens_out"] == sum(a.tokens_out for a in rows)
    assert {s["id"] for s in rep["settled"]} == set(PROVABLE)
    assert {o["id"] for o in rep["open"]} == set(UNPROVABLE)
    assert all(o["reasons"][0][0] == "lean-error" for o in rep["open"])
    [prov] = rep["providers"]
    assert prov["provider"] == "mock" and prov["attempts"] == len(rows)
    assert prov["cost_usd"] == pytest.approx(len(rows) * (1000 * 3 + 100 * 15) / 1e6)
    p2 = next(s for s in rep["settled"] if s["id"] == "p-2")
    assert p2["model"] == "mock-prover-1" and p2["proof_file"].endswith(".lean") and p2["attempts"] == 2
    md = wb("batch", "report", run_id, cwd=root).stdout
    assert f"# Batch run {run_id}" in md and "| p-2 | mock/mock-prover-1 |" in md
    assert f"attempts: {len(rows)} " in md and f"${rep['totals']['cost_usd']:.4f}" in md
    assert "| f-1 | formalized | 2 | lean-error ×2 |" in md
