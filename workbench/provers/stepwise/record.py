"""The search log: every proposal and every tactic a stepwise search ran, in the attempts database.

Two tables beside `attempts` in `.workbench/workbench.db`: `searches` (one row a search: target,
backend, model, budget, how it ended) and `search_steps` (one row an event: the state, the tactic, the
result, the new goals), written the moment each happens.  An attempt row made by the stepwise prover
names its search and the step it ends at (`Attempt.search`, `Attempt.search_step`), so
`wb attempts ID --show N` can print the path from the root to that step.

    log = SearchLog.begin(ws, conjecture="foo", backend="interact", provider="deepseek", model="…", options={...})
    log.step(step)                      # a `search.Step`
    log.finish(stop_reason="solved", summary={...})
    view = read_search(ws, "s-…")       # SearchView: summary, steps, path_to(seq)
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from workbench.attempts import connect, db_path, transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (
  id TEXT PRIMARY KEY, conjecture TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT,
  backend TEXT NOT NULL, provider TEXT, model TEXT, options TEXT NOT NULL DEFAULT '{}',
  stop_reason TEXT, summary TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS search_steps (
  id INTEGER PRIMARY KEY AUTOINCREMENT, search TEXT NOT NULL, seq INTEGER NOT NULL, expansion INTEGER NOT NULL,
  node INTEGER NOT NULL, depth INTEGER NOT NULL, goals TEXT NOT NULL, result TEXT NOT NULL, tactic TEXT,
  rank INTEGER, message TEXT, child INTEGER, child_goals TEXT NOT NULL DEFAULT '[]', score REAL,
  elapsed_s REAL NOT NULL DEFAULT 0, tokens_in INTEGER NOT NULL DEFAULT 0, tokens_out INTEGER NOT NULL DEFAULT 0,
  cost_usd REAL NOT NULL DEFAULT 0, model TEXT, at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS search_steps_seq ON search_steps (search, seq);
CREATE INDEX IF NOT EXISTS searches_conjecture ON searches (conjecture, started_at);
"""

MAX_MESSAGE_CHARS = 4000
_STEP_COLUMNS = ("search", "seq", "expansion", "node", "depth", "goals", "result", "tactic", "rank", "message", "child",
                 "child_goals", "score", "elapsed_s", "tokens_in", "tokens_out", "cost_usd", "model", "at")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def new_search_id() -> str:
    return "s-" + secrets.token_hex(5)


def _open(path: Path):
    import sqlite3

    con = connect(path)
    con.row_factory = sqlite3.Row
    try:
        con.executescript(_SCHEMA)
    except sqlite3.OperationalError:
        pass  # a read-only database: reading what is there still works
    return con


class SearchLog:
    """Writes one search's rows; each call is its own short transaction (safe beside other writers)."""

    def __init__(self, path: Path, search_id: str) -> None:
        self.path = path
        self.id = search_id
        self._con = _open(path)
        self._lock = threading.Lock()

    @classmethod
    def begin(cls, ws, *, conjecture: str, backend: str, provider: str | None, model: str | None,
              options: dict[str, Any]) -> "SearchLog":
        log = cls(db_path(ws), new_search_id())
        with log._lock, transaction(log._con, "record the search", log.path) as con:
            con.execute("INSERT INTO searches (id, conjecture, started_at, backend, provider, model, options) VALUES (?,?,?,?,?,?,?)",
                        (log.id, conjecture, _now(), backend, provider, model, json.dumps(options)))
        return log

    def step(self, step) -> None:
        row = {
            "search": self.id, "seq": step.seq, "expansion": step.expansion, "node": step.node, "depth": step.depth,
            "goals": json.dumps(list(step.goals), ensure_ascii=False), "result": step.result, "tactic": step.tactic,
            "rank": step.rank, "message": (step.message or "")[:MAX_MESSAGE_CHARS], "child": step.child,
            "child_goals": json.dumps(list(step.child_goals), ensure_ascii=False), "score": step.score,
            "elapsed_s": step.elapsed_s, "tokens_in": step.tokens_in, "tokens_out": step.tokens_out,
            "cost_usd": step.cost_usd, "model": step.model, "at": _now(),
        }
        sql = f"INSERT INTO search_steps ({', '.join(_STEP_COLUMNS)}) VALUES ({', '.join('?' for _ in _STEP_COLUMNS)})"
        with self._lock, transaction(self._con, "record a search step", self.path) as con:
            con.execute(sql, [row[c] for c in _STEP_COLUMNS])

    def finish(self, stop_reason: str | None, summary: dict[str, Any]) -> None:
        with self._lock, transaction(self._con, "record the end of the search", self.path) as con:
            con.execute("UPDATE searches SET finished_at=?, stop_reason=?, summary=? WHERE id=?",
                        (_now(), stop_reason, json.dumps(summary), self.id))

    def close(self) -> None:
        self._con.close()


@dataclass
class StepRow:
    """A step as read back."""

    seq: int
    expansion: int
    node: int
    depth: int
    goals: list[str]
    result: str
    tactic: str | None
    rank: int | None
    message: str
    child: int | None
    child_goals: list[str]
    score: float | None
    elapsed_s: float
    tokens_in: int
    tokens_out: int
    cost_usd: float


@dataclass
class SearchView:
    """A recorded search: its summary row and its steps, oldest first."""

    id: str
    conjecture: str
    backend: str
    provider: str | None
    model: str | None
    started_at: str
    finished_at: str | None
    stop_reason: str | None
    options: dict[str, Any]
    summary: dict[str, Any]
    steps: list[StepRow] = field(default_factory=list)

    def path_to(self, seq: int | None) -> list[StepRow]:
        """The tactic steps from the root to step `seq` (the step itself last)."""
        by_seq = {s.seq: s for s in self.steps}
        made = {s.child: s for s in self.steps if s.result == "goals" and s.child is not None}
        step = by_seq.get(seq) if seq is not None else None
        path: list[StepRow] = []
        while step is not None:
            path.append(step)
            step = made.get(step.node)
        return path[::-1]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for s in self.steps:
            if s.result != "proposed":
                out[s.result] = out.get(s.result, 0) + 1
        return out

    def model_dump(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


def read_search(ws, search_id: str) -> SearchView | None:
    """The recorded search `search_id`, or None when there is no such search."""
    path = db_path(ws)
    con = _open(path)
    try:
        head = con.execute("SELECT * FROM searches WHERE id=?", (search_id,)).fetchone()
        if head is None:
            return None
        rows = con.execute("SELECT * FROM search_steps WHERE search=? ORDER BY seq", (search_id,)).fetchall()
    finally:
        con.close()
    steps = [StepRow(
        seq=r["seq"], expansion=r["expansion"], node=r["node"], depth=r["depth"], goals=json.loads(r["goals"]),
        result=r["result"], tactic=r["tactic"], rank=r["rank"], message=r["message"] or "", child=r["child"],
        child_goals=json.loads(r["child_goals"] or "[]"), score=r["score"], elapsed_s=r["elapsed_s"],
        tokens_in=r["tokens_in"], tokens_out=r["tokens_out"], cost_usd=r["cost_usd"],
    ) for r in rows]
    return SearchView(
        id=head["id"], conjecture=head["conjecture"], backend=head["backend"], provider=head["provider"],
        model=head["model"], started_at=head["started_at"], finished_at=head["finished_at"],
        stop_reason=head["stop_reason"], options=json.loads(head["options"] or "{}"),
        summary=json.loads(head["summary"] or "{}"), steps=steps,
    )
