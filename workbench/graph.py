"""The dependency graph (networkx): cycles, derived status, ranking, neighbourhoods and exports."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Literal, Mapping

from workbench.model import DerivedStatus, EdgeKind, Kind, Status

if TYPE_CHECKING:
    import networkx as nx

    from workbench.model import Conjecture

OPEN = {Status.informal, Status.formalized}
NOT_TARGETS = {Kind.definition, Kind.assumption}


@dataclass(frozen=True)
class NodeRecord:
    """What graph computations need of a node, cheap to build from the index or a file."""

    id: str
    status: Status
    kind: Kind = Kind.conjecture
    priority: int = 0
    edges: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (kind, target)
    evidence: str = ""  # "" when a settlement's evidence holds, else "unverified" or "stale"
    rests_on: tuple[str, ...] = ()  # nodes whose statements Lean says the settlement's proof uses
    refuted: bool = False  # a numeric check found a counterexample to the node's claim (never a disproof)

    @classmethod
    def of(cls, conj: "Conjecture") -> "NodeRecord":
        rests = tuple(conj.evidence.rests_on) if conj.evidence is not None else ()
        return cls(conj.id, conj.status, conj.kind, conj.priority, tuple((e.kind.value, e.target) for e in conj.edges), rests_on=rests,
                   refuted=conj.refuted)

    def uses(self) -> list[str]:
        return [t for k, t in self.edges if k == EdgeKind.uses.value]


def build(records: Iterable[NodeRecord]) -> "nx.MultiDiGraph":
    """A MultiDiGraph with one node per record and one edge per typed edge (key = edge kind)."""
    import networkx as nx

    g = nx.MultiDiGraph()
    records = list(records)
    for r in records:
        g.add_node(r.id, status=r.status, kind=r.kind, priority=r.priority)
    for r in records:
        for kind, target in r.edges:
            g.add_edge(r.id, target, key=kind, kind=kind)
    return g


def uses_path(records: Mapping[str, NodeRecord], start: str, goal: str) -> list[str] | None:
    """A path start → … → goal along `uses` edges, or None (breadth-first, so the shortest)."""
    prev: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path = [node]
            while prev[path[-1]] is not None:
                path.append(prev[path[-1]])  # type: ignore[arg-type]
            return path[::-1]
        rec = records.get(node)
        for nxt in rec.uses() if rec else ():
            if nxt not in prev:
                prev[nxt] = node
                queue.append(nxt)
    return None


def cycle_if_linked(records: Mapping[str, NodeRecord], src: str, dst: str) -> list[str] | None:
    """The cycle that `src uses dst` would close (src, dst, …, src), or None."""
    back = uses_path(records, dst, src)
    return [src] + back if back else None


def find_uses_cycle(records: Mapping[str, NodeRecord]) -> list[str] | None:
    """Some cycle among `uses` edges (first node repeated at the end), or None."""
    color: dict[str, int] = {}
    for root in records:
        if root in color:
            continue
        stack: list[tuple[str, Iterable[str]]] = [(root, iter(records[root].uses()))]
        path = [root]
        color[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                color[node] = 2
                stack.pop()
                path.pop()
                continue
            if nxt not in records:
                continue
            if color.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in color:
                color[nxt] = 1
                path.append(nxt)
                stack.append((nxt, iter(records[nxt].uses())))
    return None


_BAD = {DerivedStatus.disproved, DerivedStatus.broken}


def _depends(rec: NodeRecord) -> list[str]:
    """What a node's shown status depends on: for a settlement, the nodes Lean says its proof uses; else its `uses` edges."""
    return list(rec.rests_on) if rec.status in (Status.proved, Status.disproved) else rec.uses()


def derived_statuses(records: Mapping[str, NodeRecord]) -> dict[str, DerivedStatus]:
    """Status as shown. A settlement whose evidence does not hold is `unverified` or `stale`; one that rests on a
    disproved or broken node is `broken`, on any node not shown `proved` is `conditional`; an open node that
    uses a disproved or broken node is `broken`; otherwise the recorded status."""
    out: dict[str, DerivedStatus] = {}
    state: dict[str, int] = {}
    for root in records:
        if root in out:
            continue
        stack: list[tuple[str, Iterable[str]]] = [(root, iter(_depends(records[root])))]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt in records and nxt not in state:
                    state[nxt] = 1
                    stack.append((nxt, iter(_depends(records[nxt]))))
                continue
            stack.pop()
            rec = records[node]
            deps = [out.get(d, DerivedStatus.conditional) for d in _depends(rec) if d in records]
            if rec.status in (Status.proved, Status.disproved) and rec.evidence:
                out[node] = DerivedStatus(rec.evidence)
            elif any(d in _BAD for d in deps):
                out[node] = DerivedStatus.broken
            elif rec.status in (Status.proved, Status.disproved) and any(d != DerivedStatus.proved for d in deps):
                out[node] = DerivedStatus.conditional
            else:
                out[node] = DerivedStatus(rec.status.value)
    return out


def open_leaves(records: Mapping[str, NodeRecord], derived: Mapping[str, DerivedStatus], node: str) -> set[str]:
    """The nodes not shown `proved` that a conditional settlement ultimately waits for (through other conditional ones)."""
    seen, leaves, todo = {node}, set(), list(records[node].rests_on)
    while todo:
        d = todo.pop()
        if d in seen or d not in records:
            continue
        seen.add(d)
        if derived[d] == DerivedStatus.conditional:
            todo.extend(records[d].rests_on)
        elif derived[d] != DerivedStatus.proved:
            leaves.add(d)
    return leaves


def users_of(records: Mapping[str, NodeRecord]) -> dict[str, list[str]]:
    """Reverse `uses` adjacency: for each id, the ids whose proofs use it."""
    users: dict[str, list[str]] = {i: [] for i in records}
    for r in records.values():
        for t in r.uses():
            if t in users:
                users[t].append(r.id)
    return users


@dataclass
class Target:
    """An open conjecture with the number of open results a proof of it would unblock."""

    id: str
    unblocks: int
    priority: int
    status: DerivedStatus
    rank: int = 0
    completes: int = 0  # conditional proofs that a proof of this node alone would complete


def next_targets(records: Mapping[str, NodeRecord], limit: int | None = None, *, include_refuted: bool = False) -> list[Target]:
    """Open provable nodes ranked by how many conditional proofs a proof of them would complete, then by how
    many unsettled results transitively use them, then priority. Nodes a numeric check refuted are left out
    unless `include_refuted`: proving them is likely wasted (their disproof is `wb prove ID --disproof`)."""
    derived = derived_statuses(records)
    users = users_of(records)
    completes: dict[str, int] = {}
    for node, d in derived.items():
        if d == DerivedStatus.conditional:
            leaves = open_leaves(records, derived, node)
            if len(leaves) == 1:
                leaf = next(iter(leaves))
                completes[leaf] = completes.get(leaf, 0) + 1
    targets: list[Target] = []
    for node, rec in records.items():
        if rec.status not in OPEN or rec.kind in NOT_TARGETS or (rec.refuted and not include_refuted):
            continue
        seen: set[str] = set()
        queue = deque(users[node])
        while queue:
            u = queue.popleft()
            if u in seen:
                continue
            seen.add(u)
            queue.extend(users[u])
        unblocks = sum(1 for u in seen if derived[u] != DerivedStatus.proved)
        targets.append(Target(node, unblocks, rec.priority, derived[node], completes=completes.get(node, 0)))
    targets.sort(key=lambda t: (-t.completes, -t.unblocks, -t.priority, t.id))
    for i, t in enumerate(targets, 1):
        t.rank = i
    return targets[:limit] if limit is not None else targets


Direction = Literal["both", "up", "down"]


def neighbourhood(records: Mapping[str, NodeRecord], root: str, depth: int | None, direction: Direction = "both") -> list[str]:
    """Ids within `depth` edges of `root` (None: no limit). `down` follows edges from a node to what
    it points at (what it rests on), `up` the reverse (what builds on it), `both` either way."""
    out_adj: dict[str, set[str]] = {i: set() for i in records}
    in_adj: dict[str, set[str]] = {i: set() for i in records}
    for r in records.values():
        for _, t in r.edges:
            if t in records:
                out_adj[r.id].add(t)
                in_adj[t].add(r.id)
    dist = {root: 0}
    queue = deque([root])
    while queue:
        node = queue.popleft()
        if depth is not None and dist[node] >= depth:
            continue
        nbrs: set[str] = set()
        if direction in ("both", "down"):
            nbrs |= out_adj[node]
        if direction in ("both", "up"):
            nbrs |= in_adj[node]
        for n in sorted(nbrs):
            if n not in dist:
                dist[n] = dist[node] + 1
                queue.append(n)
    return sorted(dist, key=lambda i: (dist[i], i))


def to_dot(nodes: list[dict], edges: list[dict]) -> str:
    """Graphviz DOT text: `uses` edges solid, other kinds dashed and labelled."""
    fill = {
        "informal": "#ffffff", "formalized": "#56b4e9", "proved": "#009e73",
        "disproved": "#d55e00", "conditional": "#f0e442", "broken": "#cc79a7",
        "stale": "#999999", "unverified": "#e0e0e0",
    }
    shape = {"conjecture": "ellipse", "theorem": "box", "lemma": "box", "definition": "note", "assumption": "hexagon"}
    lines = ["digraph conjectures {", "  rankdir=BT;", '  node [style=filled, fontname="Helvetica"];']
    for n in nodes:
        label = n["id"].replace('"', '\\"')
        title = n["title"].replace('"', '\\"')
        lines.append(
            f'  "{n["id"]}" [label="{label}", tooltip="{title}", shape={shape.get(n["kind"], "ellipse")}, '
            f'fillcolor="{fill.get(n["status"], "#ffffff")}"];'
        )
    for e in edges:
        if e["kind"] == "uses":
            lines.append(f'  "{e["source"]}" -> "{e["target"]}";')
        else:
            lines.append(f'  "{e["source"]}" -> "{e["target"]}" [style=dashed, label="{e["kind"]}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(nodes: list[dict], edges: list[dict]) -> str:
    """Mermaid flowchart text with one class per derived status."""
    def nid(i: str) -> str:
        return "n_" + i.replace("-", "_")

    lines = ["flowchart BT"]
    for n in nodes:
        title = n["title"].replace('"', "'")
        lines.append(f'  {nid(n["id"])}["{n["id"]}: {title}"]:::{n["status"]}')
    for e in edges:
        if e["kind"] == "uses":
            lines.append(f'  {nid(e["source"])} --> {nid(e["target"])}')
        else:
            lines.append(f'  {nid(e["source"])} -. {e["kind"]} .-> {nid(e["target"])}')
    for status, colour in [
        ("informal", "#ffffff"), ("formalized", "#56b4e9"), ("proved", "#009e73"),
        ("disproved", "#d55e00"), ("conditional", "#f0e442"), ("broken", "#cc79a7"),
        ("stale", "#999999"), ("unverified", "#e0e0e0"),
    ]:
        lines.append(f"  classDef {status} fill:{colour},stroke:#333")
    return "\n".join(lines) + "\n"
