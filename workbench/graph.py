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

    @classmethod
    def of(cls, conj: "Conjecture") -> "NodeRecord":
        return cls(conj.id, conj.status, conj.kind, conj.priority, tuple((e.kind.value, e.target) for e in conj.edges))

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


def _topological_leaves_first(records: Mapping[str, NodeRecord]) -> list[str]:
    indeg = {i: 0 for i in records}
    users: dict[str, list[str]] = {i: [] for i in records}
    for r in records.values():
        for t in r.uses():
            if t in records:
                indeg[r.id] += 1
                users[t].append(r.id)
    order = [i for i, d in indeg.items() if d == 0]
    for node in order:
        for u in users[node]:
            indeg[u] -= 1
            if indeg[u] == 0:
                order.append(u)
    return order


def derived_statuses(records: Mapping[str, NodeRecord]) -> dict[str, DerivedStatus]:
    """Status as shown: `broken` if anything it (transitively) uses is disproved, `conditional` if it is
    proved but something it uses is not (yet) proved, otherwise the recorded status."""
    rests_on_disproved: dict[str, bool] = {}
    rests_on_proved_only: dict[str, bool] = {}
    out: dict[str, DerivedStatus] = {}
    for node in _topological_leaves_first(records):
        rec = records[node]
        deps = [d for d in rec.uses() if d in records]
        bad = any(records[d].status == Status.disproved or rests_on_disproved[d] for d in deps)
        clean = all(records[d].status == Status.proved and rests_on_proved_only[d] for d in deps)
        rests_on_disproved[node] = bad
        rests_on_proved_only[node] = clean
        if bad and rec.status != Status.disproved:
            out[node] = DerivedStatus.broken
        elif rec.status == Status.proved and not clean:
            out[node] = DerivedStatus.conditional
        else:
            out[node] = DerivedStatus(rec.status.value)
    for node, rec in records.items():
        out.setdefault(node, DerivedStatus(rec.status.value))
    return out


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


def next_targets(records: Mapping[str, NodeRecord], limit: int | None = None) -> list[Target]:
    """Open provable nodes ranked by how many unsettled results transitively use them, then priority."""
    derived = derived_statuses(records)
    users = users_of(records)
    targets: list[Target] = []
    for node, rec in records.items():
        if rec.status not in OPEN or rec.kind in NOT_TARGETS:
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
        targets.append(Target(node, unblocks, rec.priority, derived[node]))
    targets.sort(key=lambda t: (-t.unblocks, -t.priority, t.id))
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
    ]:
        lines.append(f"  classDef {status} fill:{colour},stroke:#333")
    return "\n".join(lines) + "\n"
