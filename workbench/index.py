"""The derived SQLite index in `.workbench/`: fast listing, rebuilt from the files whenever they change."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Callable

from workbench.errors import InvalidFileError
from workbench.graph import NodeRecord
from workbench.model import Kind, Status, is_valid_id

SCHEMA_VERSION = "6"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nodes (
    id TEXT PRIMARY KEY,
    mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL, ino INTEGER NOT NULL,
    title TEXT NOT NULL, kind TEXT NOT NULL, area TEXT NOT NULL, tags TEXT NOT NULL,
    priority INTEGER NOT NULL, status TEXT NOT NULL, derived TEXT NOT NULL,
    formal INTEGER NOT NULL, notes INTEGER NOT NULL, edges TEXT NOT NULL, search TEXT NOT NULL,
    review TEXT, evidence TEXT, evstate TEXT NOT NULL DEFAULT '', formal_ref TEXT, numeric TEXT
);
CREATE TABLE IF NOT EXISTS problems (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL,
    mtime_ns INTEGER, size INTEGER, ino INTEGER,
    path TEXT NOT NULL, problem TEXT NOT NULL, field TEXT, line INTEGER
);
"""

#: Rows of `nodes` that are shown: not those of a file with a problem (a file problem has no row in `nodes`;
#: a graph problem, such as an edge to no file or a `uses` cycle, keeps its row but hides it).
_SHOWN = "id NOT IN (SELECT id FROM problems)"


def _scan(conj_dir: Path) -> dict[str, tuple[int, int, int]]:
    out: dict[str, tuple[int, int, int]] = {}
    try:
        entries = os.scandir(conj_dir)
    except FileNotFoundError:
        return out
    with entries:
        for entry in entries:
            if entry.name.endswith(".toml") and not entry.name.startswith("."):
                st = entry.stat()
                out[entry.name[:-5]] = (st.st_mtime_ns, st.st_size, st.st_ino)
    return out


def _last_review(conj) -> str | None:
    """JSON of the newest note at trust `reviewed` (verdict, author, family, date), or None."""
    reviewed = [n for n in conj.notes if n.trust.value == "reviewed"]
    if not reviewed:
        return None
    n = reviewed[-1]
    return json.dumps({"verdict": n.verdict, "author": n.author, "family": n.family, "date": n.date.isoformat()})


def _numeric_check(conj) -> str | None:
    """JSON of the newest numeric check of the node's current claim (result, method, witness, date), or None."""
    note = conj.numeric_check()
    if note is None:
        return None
    n = note.numeric
    return json.dumps({"result": n.result, "method": n.method, "witness": n.witness, "date": note.date.isoformat()})


def _evidence_facts(c) -> str | None:
    """JSON of what a settled node's evidence claims (checked against the Lean project on every refresh)."""
    if c.status not in (Status.proved, Status.disproved):
        return None
    from dataclasses import asdict

    from workbench.lean.library import EvidenceFacts

    facts = EvidenceFacts.of(c)
    return json.dumps({k: v for k, v in asdict(facts).items() if k != "id"}) if facts else None


class Index:
    """Keeps `nodes` in step with `conjectures/*.toml` and the Lean project; a stale or missing database is rebuilt."""

    def __init__(self, conj_dir: Path, db_path: Path, lean_dir: "Callable[[], Path | None] | None" = None) -> None:
        self.conj_dir = conj_dir
        self.db_path = db_path
        self._lean_dir = lean_dir

    def _lean_stamp(self) -> str:
        from workbench.lean.project import project_stamp

        lean_dir = self._lean_dir() if self._lean_dir else None
        return project_stamp(lean_dir) if lean_dir is not None else ""

    _in_memory: sqlite3.Connection | None = None  # keeps a read-only workspace's index alive between connections

    def _connect(self) -> sqlite3.Connection:
        """The index database, or a fresh one in memory when `.workbench/` cannot be written (a read-only workspace)."""
        from workbench.storage import unwritable_reason

        if unwritable_reason(self.db_path.parent) or (self.db_path.exists() and not os.access(self.db_path, os.W_OK)):
            uri = f"file:wb-index-{id(self)}?mode=memory&cache=shared"
            if self._in_memory is None:
                self._in_memory = sqlite3.connect(uri, uri=True, check_same_thread=False)
            con = sqlite3.connect(uri, uri=True, isolation_level=None)
        else:
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            con = sqlite3.connect(self.db_path, timeout=60, isolation_level=None)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
        con.executescript(_SCHEMA)
        row = con.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if row is None or row[0] != SCHEMA_VERSION:
            con.execute("DROP TABLE IF EXISTS nodes")
            con.execute("DROP TABLE IF EXISTS problems")
            con.executescript(_SCHEMA)
            con.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        return con

    def _stored(self, con: sqlite3.Connection) -> dict[str, tuple[int, int, int]]:
        return {
            r[0]: (r[1], r[2], r[3])
            for r in con.execute("SELECT id, mtime_ns, size, ino FROM nodes UNION ALL SELECT id, mtime_ns, size, ino FROM problems WHERE kind='file'")
        }

    def connection(self) -> sqlite3.Connection:
        """An open connection to an index that matches the files on disk (refreshing it first if needed)."""
        try:
            con = self._connect()
        except sqlite3.DatabaseError:
            self.db_path.unlink(missing_ok=True)
            con = self._connect()
        scan = _scan(self.conj_dir)
        stamp = self._lean_stamp()
        row = con.execute("SELECT value FROM meta WHERE key='lean'").fetchone()
        if self._stored(con) != scan or row is None or row[0] != stamp:
            self._refresh(con, stamp)
        return con

    def _refresh(self, con: sqlite3.Connection, lean_stamp: str = "") -> None:
        """Bring the tables in step with the files. A file that does not parse or validate is kept in `problems`
        (with its path, line and problem) instead of `nodes`; so is a node with an edge to no file, and one
        node of each `uses` cycle. Every other node is listed, ranked and drawn as usual."""
        from workbench.graph import derived_statuses, find_uses_cycle
        from workbench.storage import parse_conjecture

        con.execute("BEGIN IMMEDIATE")
        try:
            scan = _scan(self.conj_dir)
            stored = self._stored(con)
            for gone in stored.keys() - scan.keys():
                con.execute("DELETE FROM nodes WHERE id=?", (gone,))
                con.execute("DELETE FROM problems WHERE id=?", (gone,))
            for conj_id, stamp in scan.items():
                if stored.get(conj_id) == stamp:
                    continue
                con.execute("DELETE FROM nodes WHERE id=?", (conj_id,))
                con.execute("DELETE FROM problems WHERE id=?", (conj_id,))
                try:
                    if not is_valid_id(conj_id):
                        raise InvalidFileError(self._display(conj_id), f"file name '{conj_id}' is not a kebab-case id (rename the file)")
                    c = parse_conjecture(self.conj_dir / f"{conj_id}.toml")
                except InvalidFileError as exc:
                    self._add_problem(con, conj_id, "file", exc, stamp)
                    continue
                search = " ".join([c.id, c.title, c.area, " ".join(c.tags), c.informal]).lower()
                con.execute(
                    "INSERT INTO nodes VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        c.id, *stamp, c.title, c.kind.value, c.area, json.dumps(c.tags), c.priority,
                        c.status.value, c.status.value, int(c.formal is not None), len(c.notes),
                        json.dumps([[e.kind.value, e.target] for e in c.edges]), search, _last_review(c),
                        _evidence_facts(c), "", json.dumps([c.formal.module, c.formal.decl]) if c.formal else None, _numeric_check(c),
                    ),
                )
            self._check_evidence(con)
            con.execute("DELETE FROM problems WHERE kind='graph'")
            records = self._records(con)
            for rec in records.values():
                for kind, target in rec.edges:
                    if target not in scan:
                        self._add_problem(con, rec.id, "graph", InvalidFileError(
                            self._display(rec.id), f"edge '{kind} {target}' points at an unknown conjecture '{target}'", field="edges",
                        ))
                        break
            records = self._records(con)
            while (cycle := find_uses_cycle(records)) is not None:
                self._add_problem(con, cycle[0], "graph", InvalidFileError(
                    self._display(cycle[0]), "'uses' edges form a cycle " + " -> ".join(cycle), field="edges",
                ))
                del records[cycle[0]]
            derived = derived_statuses(records)
            con.executemany("UPDATE nodes SET derived=? WHERE id=?", [(d.value, i) for i, d in derived.items()])
            con.execute("INSERT OR REPLACE INTO meta VALUES ('lean', ?)", (lean_stamp,))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def _add_problem(self, con: sqlite3.Connection, conj_id: str, kind: str, exc: InvalidFileError, stamp: tuple | None = None) -> None:
        path = self._display(Path(exc.path).stem) if Path(exc.path).is_absolute() and Path(exc.path).parent == self.conj_dir else exc.path
        con.execute(
            "INSERT OR REPLACE INTO problems VALUES (?,?,?,?,?,?,?,?,?)",
            (conj_id, kind, *(stamp or (None, None, None)), path, exc.problem, exc.field, exc.line),
        )

    def _check_evidence(self, con: sqlite3.Connection) -> None:
        """Set `evstate` of every settled node: '' when its proof block and statement digest match the Lean project."""
        rows = con.execute("SELECT id, evidence FROM nodes WHERE evidence IS NOT NULL").fetchall()
        if not rows:
            return
        from workbench.lean.library import EvidenceFacts, evidence_state
        from workbench.lean.project import ModuleTexts

        lean_dir = self._lean_dir() if self._lean_dir else None
        texts = ModuleTexts(lean_dir) if lean_dir is not None else None
        updates = []
        for conj_id, raw in rows:
            facts = EvidenceFacts(id=conj_id, **json.loads(raw))
            updates.append(("unverified" if texts is None else evidence_state(texts, facts), conj_id))
        con.executemany("UPDATE nodes SET evstate=? WHERE id=?", updates)

    def _display(self, conj_id: str) -> str:
        return f"{self.conj_dir.name}/{conj_id}.toml"

    @staticmethod
    def _records(con: sqlite3.Connection) -> dict[str, NodeRecord]:
        return {
            r[0]: NodeRecord(
                r[0], Status(r[1]), Kind(r[2]), r[3], tuple((k, t) for k, t in json.loads(r[4])),
                evidence=r[5] or "", rests_on=tuple(json.loads(r[6])["rests_on"]) if r[6] else (),
                refuted=bool(r[7]) and json.loads(r[7])["result"] == "refuted",
            )
            for r in con.execute(f"SELECT id, status, kind, priority, edges, evstate, evidence, numeric FROM nodes WHERE {_SHOWN}")
        }

    def records(self) -> dict[str, NodeRecord]:
        """Every node's id, recorded status, kind, priority and edges."""
        con = self.connection()
        try:
            return self._records(con)
        finally:
            con.close()

    def rows(
        self,
        *,
        status: str | None = None,
        area: str | None = None,
        tag: str | None = None,
        kind: str | None = None,
        query: str | None = None,
        ids: list[str] | None = None,
    ) -> list[dict]:
        """List rows (the `wb list --json` objects), filtered, ordered by id."""
        sql = f"SELECT id, title, kind, area, tags, derived, status, priority, formal, notes, review, numeric FROM nodes WHERE {_SHOWN}"
        args: list = []
        if status:
            sql += " AND derived=?"
            args.append(status)
        if area:
            sql += " AND area=?"
            args.append(area)
        if kind:
            sql += " AND kind=?"
            args.append(kind)
        if tag:
            sql += " AND EXISTS (SELECT 1 FROM json_each(nodes.tags) WHERE value=?)"
            args.append(tag)
        if query:
            sql += " AND instr(search, ?) > 0"
            args.append(query.lower())
        if ids:
            sql += f" AND id IN ({','.join('?' * len(ids))})"
            args.extend(ids)
        sql += " ORDER BY id"
        con = self.connection()
        try:
            return [
                {
                    "id": r[0], "title": r[1], "kind": r[2], "area": r[3], "tags": json.loads(r[4]),
                    "status": r[5], "recorded_status": r[6], "priority": r[7], "formal": bool(r[8]), "notes": r[9],
                    "last_review": json.loads(r[10]) if r[10] else None,
                    "numeric_check": json.loads(r[11]) if r[11] else None,
                }
                for r in con.execute(sql, args)
            ]
        finally:
            con.close()

    def formal_refs(self) -> dict[str, tuple[str, str]]:
        """Every node with a formal statement: id → (Lean module, declaration)."""
        con = self.connection()
        try:
            return {r[0]: tuple(json.loads(r[1])) for r in con.execute(f"SELECT id, formal_ref FROM nodes WHERE formal_ref IS NOT NULL AND {_SHOWN}")}  # type: ignore[misc]
        finally:
            con.close()

    def derived(self, conj_id: str) -> str | None:
        """The derived status of one node."""
        con = self.connection()
        try:
            row = con.execute(f"SELECT derived FROM nodes WHERE id=? AND {_SHOWN}", (conj_id,)).fetchone()
            return row[0] if row else None
        finally:
            con.close()

    def problems(self) -> dict[str, InvalidFileError]:
        """The conjecture files left out of every listing, by id: what is wrong with each (path, line, field, problem)."""
        con = self.connection()
        try:
            return {
                r[0]: InvalidFileError(r[1], r[2], field=r[3], line=r[4])
                for r in con.execute("SELECT id, path, problem, field, line FROM problems ORDER BY id")
            }
        finally:
            con.close()
