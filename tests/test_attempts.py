"""The attempts store (`.workbench/workbench.db`) and `wb attempts`: rows written as attempts finish,
safe under concurrent writers, read back as a table, as JSON, and one attempt in full."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import threading
from datetime import datetime, timedelta, timezone

import pytest

from workbench.attempts import Attempt, AttemptStore, db_path
from workbench.model import LeanMessage, Reason, ReasonCode


def _attempt(conj="minimax", **kw) -> Attempt:
    base = dict(conjecture=conj, prover="llm", provider="deepseek", model="deepseek-prover", verdict="rejected",
                tokens_in=1200, tokens_out=340, cost_usd=0.0042, duration_s=3.25, round=1,
                reasons=[Reason(code=ReasonCode.lean_error, message="unknown identifier 'foo'", line=2)],
                messages=[LeanMessage(severity="error", text="unknown identifier 'foo'", line=2, column=4, in_candidate=True)],
                candidate="theorem t : True := foo\n", reply="Sure!\n```lean\ntheorem t : True := foo\n```",
                prompt_hash="abcd1234abcd1234")
    base.update(kw)
    return Attempt(**base)


def test_record_and_read_back(workspace):
    from workbench.workspace import Workspace

    ws = Workspace.open(workspace)
    with AttemptStore(ws) as store:
        first = store.record(_attempt())
        second = store.record(_attempt(round=2, verdict="accepted", reasons=[], messages=[], settled=True))
        store.record(_attempt("sgd-margin"))
        assert (first, second) == (1, 2)
        rows = store.for_conjecture("minimax")
        assert [a.no for a in rows] == [1, 2]
        assert rows[0].reasons[0].code == ReasonCode.lean_error and rows[0].messages[0].column == 4
        assert rows[1].settled and rows[1].verdict == "accepted"
        assert store.get(1).candidate == "theorem t : True := foo\n"
        assert [a.no for a in store.failures("minimax")] == [1]
        assert store.totals(conj_id="minimax")["attempts"] == 2
    path = db_path(ws)
    assert path == workspace / ".workbench" / "workbench.db"
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == 3


def test_slot_is_recorded_once(tmp_path):
    store = AttemptStore(path=tmp_path / "w.db")
    a = store.record(_attempt(run_id="r1", slot="r1/minimax/llm/1/1"))
    b = store.record(_attempt(run_id="r1", slot="r1/minimax/llm/1/1", verdict="accepted"))
    assert a == b
    assert len(store.for_run("r1")) == 1 and store.slots("r1") == {"r1/minimax/llm/1/1"}


def _writer(path: str, worker: int, n: int) -> None:
    store = AttemptStore(path=__import__("pathlib").Path(path))
    for i in range(n):
        store.record(_attempt(f"c{worker}", round=i + 1, slot=f"w{worker}/{i}"))
    store.close()


def test_concurrent_writers_lose_nothing(tmp_path):
    """Processes and threads writing at once: every row lands, none twice."""
    path = tmp_path / "w.db"
    AttemptStore(path=path).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(path), w, 25)) for w in range(4)]
    shared = AttemptStore(path=path)
    threads = [threading.Thread(target=lambda t=t: [shared.record(_attempt(f"t{t}")) for _ in range(25)]) for t in range(3)]
    for p in procs:
        p.start()
    for t in threads:
        t.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    for t in threads:
        t.join(60)
    con = sqlite3.connect(path)
    assert con.execute("SELECT COUNT(*), COUNT(DISTINCT id) FROM attempts").fetchone() == (175, 175)
    assert con.execute("SELECT COUNT(DISTINCT slot) FROM attempts").fetchone()[0] == 100


def _seed(workspace):
    from workbench.workspace import Workspace

    ws = Workspace.open(workspace)
    t0 = datetime(2026, 3, 1, 22, 15, tzinfo=timezone.utc)
    with AttemptStore(ws) as store:
        store.record(_attempt(started_at=t0, finished_at=t0 + timedelta(seconds=3)))
        store.record(_attempt(round=2, started_at=t0, finished_at=t0 + timedelta(seconds=9), verdict="accepted",
                              reasons=[], messages=[], settled=True, candidate="theorem t : True := True.intro\n"))
        store.record(_attempt(prover="portfolio", provider=None, model=None, label="simp", tokens_in=0, tokens_out=0,
                              cost_usd=0, reply=None, prompt_hash=None,
                              reasons=[Reason(code=ReasonCode.timeout, message="Lean did not finish within 5 s")]))
        store.record(_attempt("sgd-margin"))


def test_wb_attempts_table(seeded, wb):
    _seed(seeded)
    r = wb("attempts", "minimax", cwd=seeded)
    assert r.exit_code == 0, r.output
    out = r.stdout
    for text in ("#", "prover", "model", "tokens in/out", "cost", "verdict", "reasons",
                 "deepseek", "deepseek-prover", "1,200/340", "$0.0042", "lean-error", "settled", "accepted",
                 "portfolio", "`simp`", "timeout", "3 attempts on minimax"):
        assert text in out, (text, out)
    assert "sgd-margin" not in out.split("3 attempts")[0]


def test_wb_attempts_json_shape(seeded, wb):
    _seed(seeded)
    r = wb("attempts", "minimax", "--json", cwd=seeded)
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert isinstance(data, list) and [a["no"] for a in data] == [1, 2, 3]
    first = data[0]
    for key in ("no", "conjecture", "started_at", "finished_at", "prover", "provider", "model", "attempt", "round",
                "tokens_in", "tokens_out", "cost_usd", "duration_s", "verdict", "reasons", "messages", "candidate",
                "prompt_hash", "problem", "run_id"):
        assert key in first, key
    assert first["reasons"][0] == {"code": "lean-error", "message": "unknown identifier 'foo'", "line": 2}
    assert first["messages"][0]["column"] == 4  # JSON keeps Lean's own column, from 0
    assert data[1]["verdict"] == "accepted" and data[1]["settled"] is True


def test_wb_attempts_show(seeded, wb):
    _seed(seeded)
    r = wb("attempts", "minimax", "--show", "1", cwd=seeded)
    assert r.exit_code == 0, r.output
    assert "theorem t : True := foo" in r.stdout
    assert "error at line 2:5: unknown identifier 'foo'" in r.stdout  # column 4 from 0 is the 5th: shown from 1
    assert "Sure!" in r.stdout  # the raw reply is kept for review
    r = wb("attempts", "minimax", "--show", "4", cwd=seeded)
    assert r.exit_code == 1 and "sgd-margin" in r.stderr
    r = wb("attempts", "minimax", "--show", "99", cwd=seeded)
    assert r.exit_code == 1 and "no attempt #99" in r.stderr


def test_wb_attempts_none_and_unknown(seeded, wb):
    r = wb("attempts", "minimax", cwd=seeded)
    assert r.exit_code == 0 and "no attempts on minimax yet" in r.stdout
    assert json.loads(wb("attempts", "minimax", "--json", cwd=seeded).stdout) == []
    r = wb("attempts", "nope", cwd=seeded)
    assert r.exit_code == 1 and "no conjecture 'nope'" in r.stderr


def test_the_graph_page_data_summarises_attempts_per_node(wb, seeded):
    from workbench.workspace import Workspace

    ws = Workspace.open(seeded)
    node_id = ws.list()[0]["id"]
    with AttemptStore(ws) as store:
        store.record(_attempt(node_id))
        store.record(_attempt(node_id, reasons=[Reason(code=ReasonCode.sorry, message="uses sorry")]))
    nodes = {n["id"]: n for n in ws.graph_data(details=True)["nodes"]}
    assert nodes[node_id]["attempts"] == {"count": 2, "last_reasons": ["sorry"]}
    assert all(n["attempts"]["count"] == 0 for i, n in nodes.items() if i != node_id)
