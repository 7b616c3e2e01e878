"""The page's drawing computed ahead of time: node boxes, layered positions, edge routes, packed parts."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import Iterable

FONT_PX = 14
LINE_PX = 17
NODE_H = 2 * LINE_PX + 14
PAD_X = 24
MAX_TEXT_PX = 180
LAYER_GAP = 62
NODE_GAP = 26
PART_GAP = 44
UNIT = 24  # pixels per unit of igraph's horizontal order
BEND_GAP = 14
ASPECT = 1400 / 780  # the drawing area of a 1400×900 window below the page's bar and legend
DOT_MAX_NODES = 500
DOT_TIMEOUT_S = 30.0
LAYERED_KINDS = frozenset({"uses"})

# Advance widths of a sans-serif face in em, by character class; generous so a label fits its box.
_NARROW = set("ijlI.,:;'|!()[]{} ")
_WIDE = set("mwMW@%")
_UPPER_EM, _LOWER_EM, _NARROW_EM, _WIDE_EM, _DIGIT_EM, _OTHER_EM = 0.70, 0.58, 0.31, 0.90, 0.60, 0.62


@dataclass
class Box:
    """A node's drawn box: its label lines and size in page pixels."""

    lines: list[str]
    w: int
    h: int = NODE_H
    kind: str = "theorem"


@dataclass
class Drawing:
    """Where everything goes: node centres, edge routes (cubic Bézier points), captions, and the bounds."""

    engine: str
    x: list[float]
    y: list[float]
    routes: list[list[float] | None]
    captions: list[dict] = field(default_factory=list)
    bounds: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)

    def to_json(self) -> dict:
        """The drawing as the compact JSON the page script reads."""
        return {
            "engine": self.engine,
            "x": [round(v, 1) for v in self.x],
            "y": [round(v, 1) for v in self.y],
            "routes": [None if r is None else [round(v, 1) for v in r] for r in self.routes],
            "captions": self.captions,
            "bounds": [round(v, 1) for v in self.bounds],
        }


def text_width(text: str, px: int = FONT_PX) -> float:
    """The estimated width in pixels of `text` set at `px` pixels in a sans-serif face."""
    em = 0.0
    for ch in text:
        if ch in _NARROW:
            em += _NARROW_EM
        elif ch in _WIDE:
            em += _WIDE_EM
        elif ch.isdigit():
            em += _DIGIT_EM
        elif ch.isupper():
            em += _UPPER_EM
        elif ch.islower():
            em += _LOWER_EM
        else:
            em += _OTHER_EM
    return em * px


def wrap_label(title: str, max_px: float = MAX_TEXT_PX) -> list[str]:
    """`title` in at most two lines no wider than `max_px`, the second cut with an ellipsis if it must be."""
    words = title.split()
    lines: list[str] = []
    current = ""
    for word in words:
        trial = f"{current} {word}".strip()
        if text_width(trial) <= max_px or not current:
            current = trial
            continue
        lines.append(current)
        current = word
    if current:
        lines.append(current)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
    return [lines[0], _cut(lines[1], max_px)] if len(lines) == 2 else [_cut(lines[0], max_px)] if lines else [""]


def _cut(line: str, max_px: float) -> str:
    if text_width(line) <= max_px:
        return line
    while line and text_width(line + "…") > max_px:
        line = line[:-1]
    return line.rstrip() + "…"


def node_box(title: str, kind: str) -> Box:
    """The box a node of this title and kind is drawn in."""
    lines = wrap_label(title)
    w = max(text_width(line) for line in lines) + PAD_X
    if kind == "conjecture":
        w *= 1.2
    elif kind != "theorem":
        w += NODE_H * 0.8
    return Box(lines, int(math.ceil(max(w, 64))), kind=kind)


def layout_graph(
    boxes: list[Box],
    edges: list[tuple[int, int, str]],
    groups: list[str] | None = None,
    *,
    aspect: float = ASPECT,
    engine: str | None = None,
) -> Drawing:
    """Lay out nodes (`boxes`) and `edges` (source, target, kind; `uses` sets the layers, a user above what it
    uses): each connected part layered on its own, unconnected nodes in blocks by `groups`, all packed to `aspect`."""
    n = len(boxes)
    engine = engine or ("dot" if shutil.which("dot") else "igraph")
    parts, singles = _parts(n, edges)
    xs, ys = [0.0] * n, [0.0] * n
    routes: list[list[float] | None] = [None] * len(edges)
    blocks: list[_Block] = []
    big = [p for p in parts if engine == "dot" and len(p) <= DOT_MAX_NODES]
    done = _dot_parts(boxes, edges, big) if big else None
    used_engine = "dot" if done else "igraph"
    for part in parts:
        block = (done or {}).get(id(part)) if done else None
        if block is None:
            block = _layered_part(boxes, edges, part)
            if done is not None and len(part) > 1:
                used_engine = "dot+igraph"
        blocks.append(block)
    by_group: dict[str, list[int]] = {}
    for i in singles:
        by_group.setdefault((groups[i] if groups else "") or "", []).append(i)
    for name in sorted(by_group):
        blocks.append(_grid_block(boxes, by_group[name], name, aspect))
    offsets = _pack([(b.w, b.h) for b in blocks], aspect)
    captions = []
    for block, (ox, oy) in zip(blocks, offsets):
        for i, (x, y) in block.pos.items():
            xs[i], ys[i] = x + ox, y + oy
        for e, pts in block.routes.items():
            routes[e] = [v + (ox if k % 2 == 0 else oy) for k, v in enumerate(pts)]
        if block.caption:
            captions.append({"text": block.caption, "x": round(ox, 1), "y": round(oy, 1)})
    bounds = _bounds(boxes, xs, ys, routes) if n else (0.0, 0.0, 0.0, 0.0)
    return Drawing("igraph" if used_engine == "igraph" else used_engine, xs, ys, routes, captions, bounds)


@dataclass
class _Block:
    w: float
    h: float
    pos: dict[int, tuple[float, float]]
    routes: dict[int, list[float]] = field(default_factory=dict)
    caption: str = ""


def _parts(n: int, edges: list[tuple[int, int, str]]) -> tuple[list[list[int]], list[int]]:
    parent = list(range(n))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for s, t, _ in edges:
        if s != t:
            parent[find(s)] = find(t)
    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(find(i), []).append(i)
    parts = sorted((m for m in members.values() if len(m) > 1), key=len, reverse=True)
    singles = [m[0] for m in members.values() if len(m) == 1]
    return parts, singles


def _levels(part: list[int], edges: list[tuple[int, int, str]]) -> dict[int, int]:
    """Layer of each node from the bottom: one above the highest node it uses, then pulled up under its lowest user."""
    inside = set(part)
    uses: dict[int, list[int]] = {i: [] for i in part}
    users: dict[int, list[int]] = {i: [] for i in part}
    for s, t, kind in edges:
        if kind in LAYERED_KINDS and s in inside and t in inside and s != t:
            uses[s].append(t)
            users[t].append(s)
    level: dict[int, int] = {}
    state: dict[int, int] = {}
    for root in part:
        if root in level:
            continue
        stack = [(root, 0)]
        state[root] = 1
        while stack:
            node, k = stack[-1]
            if k < len(uses[node]):
                stack[-1] = (node, k + 1)
                nxt = uses[node][k]
                if nxt not in state:
                    state[nxt] = 1
                    stack.append((nxt, 0))
            else:
                level[node] = max((level[t] + 1 for t in uses[node] if t in level), default=0)
                state[node] = 2
                stack.pop()
    for node in sorted(part, key=lambda i: -level[i]):
        above = [level[s] for s in users[node] if level[s] > level[node]]
        if above and min(above) - 1 > level[node]:
            level[node] = min(above) - 1
    return level


def _layered_part(boxes: list[Box], edges: list[tuple[int, int, str]], part: list[int]) -> _Block:
    import igraph

    level = _levels(part, edges)
    top = max(level.values())
    local = {g: k for k, g in enumerate(part)}
    tall = max(boxes[i].h for i in part)
    row = tall + LAYER_GAP
    inside = set(part)
    layer = [top - level[i] for i in part]
    links: list[tuple[int, int]] = []
    chains: list[tuple[int, int, int, list[int]]] = []  # edge, source, target, dummy vertices from source to target
    for e, (s, t, _) in enumerate(edges):
        if s not in inside or t not in inside or s == t or level[s] == level[t]:
            continue
        a, b = top - level[s], top - level[t]
        step = 1 if b > a else -1
        dummies = []
        prev = local[s]
        for k in range(a + step, b, step):
            dummies.append(len(layer))
            layer.append(k)
            links.append((prev, dummies[-1]) if step > 0 else (dummies[-1], prev))
            prev = dummies[-1]
        links.append((prev, local[t]) if step > 0 else (local[t], prev))
        chains.append((e, s, t, dummies))
    graph = igraph.Graph(n=len(layer), directed=True)
    graph.add_edges(links)
    coords = graph.layout_sugiyama(layers=layer, hgap=1, vgap=1, maxiter=25).coords
    rows: dict[int, list[tuple[float, float, int]]] = {}
    for v, k in enumerate(layer):
        rows.setdefault(k, []).append((coords[v][0], float(boxes[part[v]].w) if v < len(part) else 0.0, v))
    where: dict[int, float] = {}
    for items in rows.values():
        items.sort(key=lambda item: item[0])
        gaps = [(a[1] + b[1]) / 2 + (NODE_GAP if a[1] and b[1] else BEND_GAP) for a, b in zip(items, items[1:])]
        where.update((item[2], x) for item, x in zip(items, _spread([x * UNIT for x, _, _ in items], gaps)))
    x0 = min(where[v] - (boxes[part[v]].w / 2 if v < len(part) else 0) for v in where)
    pos = {g: (where[k] - x0, (top - level[g]) * row + tall / 2) for g, k in local.items()}
    routes: dict[int, list[float]] = {}
    for e, s, t, dummies in chains:
        pts = [(where[v] - x0, layer[v] * row + tall / 2) for v in dummies]
        routes[e] = _vertical_curve(pos[s], boxes[s].h / 2, pos[t], boxes[t].h / 2, pts, tall / 2)
    for e, (s, t, _) in enumerate(edges):
        if s in inside and t in inside and s != t and level[s] == level[t]:
            routes[e] = _arc(pos[s], pos[t], boxes[s].h / 2)
    right = max(where[v] - x0 + (boxes[part[v]].w / 2 if v < len(part) else 0) for v in where)
    return _Block(right, top * row + tall + LAYER_GAP * 0.5, pos, routes)


def _spread(want: list[float], gaps: list[float]) -> list[float]:
    """Positions in order, each at least `gaps[i]` after the previous, as close as possible (least squares) to `want`:
    isotonic regression of the wanted positions less the gaps before them (pool adjacent violators)."""
    offsets = [0.0]
    for g in gaps:
        offsets.append(offsets[-1] + g)
    pools: list[list[float]] = []  # [mean, count]
    for w, off in zip(want, offsets):
        pools.append([w - off, 1])
        while len(pools) > 1 and pools[-2][0] > pools[-1][0]:
            m2, c2 = pools.pop()
            m1, c1 = pools[-1]
            pools[-1] = [(m1 * c1 + m2 * c2) / (c1 + c2), c1 + c2]
    out: list[float] = []
    for mean, count in pools:
        out += [mean] * int(count)
    return [y + off for y, off in zip(out, offsets)]


def _vertical_curve(a: tuple[float, float], a_half: float, b: tuple[float, float], b_half: float,
                    bends: list[tuple[float, float]], row_half: float) -> list[float]:
    """A route from the box at `a` to the box at `b` (half-heights given) through `bends`: straight down (or up)
    across each layer it passes, and S-shaped in the free gaps between layers."""
    sign = 1 if b[1] > a[1] else -1
    out = [a[0], a[1] + sign * a_half]
    stops = [(x, y - sign * row_half, y + sign * row_half) for x, y in bends] + [(b[0], b[1] - sign * b_half, None)]
    for x, enter, leave in stops:
        x1, y1 = out[-2], out[-1]
        mid = (enter - y1) / 2
        out += [x1, y1 + mid, x, enter - mid, x, enter]
        if leave is not None:
            out += [x, enter, x, leave, x, leave]
    return out


def _arc(a: tuple[float, float], b: tuple[float, float], half: float) -> list[float]:
    """A route between two boxes of one layer that rises into the gap above the layer and comes back down."""
    top = a[1] - half
    rise = LAYER_GAP * 0.6
    return [a[0], top, a[0], top - rise, b[0], top - rise, b[0], top]


_DOT_SHAPES = {"conjecture": "ellipse", "theorem": "box", "lemma": "hexagon", "definition": "parallelogram", "assumption": "trapezium"}


def _dot_parts(boxes: list[Box], edges: list[tuple[int, int, str]], parts: list[list[int]]) -> dict[int, _Block] | None:
    """Lay out `parts` with Graphviz's `dot` in one run; None when dot fails or takes too long."""
    chunks = []
    for part in parts:
        inside = set(part)
        lines = [
            "digraph G {",
            f'graph [rankdir=TB, nodesep={NODE_GAP / 72:.3f}, ranksep={LAYER_GAP / 72:.3f}, splines=spline];',
            'node [fixedsize=true, label=""];',
            "edge [dir=none];",
        ]
        for i in part:
            shape = _DOT_SHAPES.get(boxes[i].kind, "box")
            lines.append(f"n{i} [width={boxes[i].w / 72:.3f}, height={boxes[i].h / 72:.3f}, shape={shape}];")
        for e, (s, t, kind) in enumerate(edges):
            if s in inside and t in inside and s != t:
                extra = "" if kind in LAYERED_KINDS else ", constraint=false"
                lines.append(f'n{s} -> n{t} [id="e{e}"{extra}];')
        lines.append("}")
        chunks.append("\n".join(lines))
    try:
        proc = subprocess.run(["dot", "-Tjson0"], input="\n".join(chunks), capture_output=True, text=True, timeout=DOT_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    decoder = json.JSONDecoder()
    text, k = proc.stdout, 0
    out: dict[int, _Block] = {}
    for part in parts:
        while k < len(text) and text[k].isspace():
            k += 1
        try:
            doc, k = decoder.raw_decode(text, k)
        except ValueError:
            return None
        out[id(part)] = _dot_block(doc)
    return out


def _dot_block(doc: dict) -> _Block:
    x0, y0, x1, y1 = (float(v) for v in doc["bb"].split(","))
    pos: dict[int, tuple[float, float]] = {}
    for obj in doc.get("objects") or []:
        px, py = (float(v) for v in obj["pos"].split(","))
        pos[int(obj["name"][1:])] = (px - x0, y1 - py)
    routes: dict[int, list[float]] = {}
    for edge in doc.get("edges") or []:
        pts = [p for p in edge.get("pos", "").split() if not p.startswith(("e,", "s,"))]
        flat: list[float] = []
        for p in pts:
            px, py = (float(v) for v in p.split(","))
            flat += [px - x0, y1 - py]
        if len(flat) >= 8:
            routes[int(edge["id"][1:])] = flat
    return _Block(x1 - x0, y1 - y0, pos, routes)


def _grid_block(boxes: list[Box], members: list[int], name: str, aspect: float) -> _Block:
    cols = max(1, min(len(members), round(math.sqrt(len(members) * aspect * boxes[members[0]].h / 200))))
    width = max(boxes[i].w for i in members)
    tall = max(boxes[i].h for i in members)
    cap = 26 if name else 0
    pos = {}
    for k, i in enumerate(members):
        r, c = divmod(k, cols)
        pos[i] = (c * (width + NODE_GAP) + width / 2, cap + r * (tall + NODE_GAP) + tall / 2)
    rows = math.ceil(len(members) / cols)
    caption = f"{name} · {len(members)} unconnected" if name else ""
    return _Block(cols * (width + NODE_GAP) - NODE_GAP, cap + rows * (tall + NODE_GAP) - NODE_GAP, pos, caption=caption)


def _pack(sizes: list[tuple[float, float]], aspect: float) -> list[tuple[float, float]]:
    """Top-left corners for blocks of `sizes`, packed so the whole fits a view of `aspect` at the largest scale."""
    if not sizes:
        return []
    import rpack

    grain = 8
    padded = [(int(math.ceil((w + PART_GAP) / grain)), int(math.ceil((h + PART_GAP) / grain))) for w, h in sizes]
    widest = max(w for w, _ in padded)
    tallest = max(h for _, h in padded)
    area = sum(w * h for w, h in padded)
    grow = 1.0
    spots = None
    while spots is None and grow < 8:
        height = math.sqrt(area / aspect) * grow
        try:
            spots = rpack.pack(padded, max_width=max(int(height * aspect), widest), max_height=max(int(height), tallest))
        except rpack.PackingImpossibleError:
            grow *= 1.05
    if spots is None:
        spots = rpack.pack(padded)
    return [(float(x * grain), float(y * grain)) for x, y in spots]


def _bounds(boxes: list[Box], xs: list[float], ys: list[float], routes: Iterable[list[float] | None]) -> tuple[float, float, float, float]:
    x0 = min(x - b.w / 2 for x, b in zip(xs, boxes))
    x1 = max(x + b.w / 2 for x, b in zip(xs, boxes))
    y0 = min(y - b.h / 2 for y, b in zip(ys, boxes)) - 30
    y1 = max(y + b.h / 2 for y, b in zip(ys, boxes))
    for r in routes:
        if r:
            x0, x1 = min(x0, min(r[0::2])), max(x1, max(r[0::2]))
            y0, y1 = min(y0, min(r[1::2])), max(y1, max(r[1::2]))
    return (x0, y0, x1, y1)
