"""The page's precomputed views: the whole graph, and above a size an overview of groups that each open on their own."""

from __future__ import annotations

from collections import Counter

from workbench.page.layout import NODE_H, Box, layout_graph, node_box

OVERVIEW_ABOVE = 60
CARD_W, CARD_H = 290, 132


def page_views(nodes: list[dict], edges: list[dict], *, engine: str | None = None) -> dict:
    """Node labels and boxes, the drawing of the whole graph and, for more than OVERVIEW_ABOVE nodes, the overview."""
    boxes = [node_box(str(n.get("title") or n.get("id")), str(n.get("kind") or "conjecture")) for n in nodes]
    index = {n.get("id"): i for i, n in enumerate(nodes)}
    triples = [(index.get(e.get("source")), index.get(e.get("target")), str(e.get("kind") or "uses")) for e in edges]
    valid = [k for k, (s, t, _) in enumerate(triples) if s is not None and t is not None]
    areas = [str(n.get("area") or "") for n in nodes]
    whole = layout_graph(boxes, [triples[k] for k in valid], areas, engine=engine)
    out = {
        "node_h": NODE_H,
        "labels": [b.lines for b in boxes],
        "widths": [b.w for b in boxes],
        "engine": whole.engine,
        "all": _with_edge_ids(whole.to_json(), valid),
        "overview": None,
    }
    if len(nodes) > OVERVIEW_ABOVE:
        out["overview"] = _overview(nodes, boxes, triples, valid, engine)
    return out


def _with_edge_ids(drawing: dict, edge_ids: list[int]) -> dict:
    routes = drawing.pop("routes")
    drawing["routes"] = {str(edge_ids[k]): r for k, r in enumerate(routes) if r is not None}
    return drawing


def _overview(nodes: list[dict], boxes: list[Box], triples: list, valid: list[int], engine: str | None) -> dict:
    facet = "area" if len({n.get("area") or "" for n in nodes}) > 1 else "status"
    keys = [str(n.get(facet) or "") for n in nodes]
    sizes = Counter(keys)
    names = sorted(sizes, key=lambda k: (-sizes[k], k))
    slot = {name: g for g, name in enumerate(names)}
    groups = []
    for name in names:
        members = [i for i, k in enumerate(keys) if k == name]
        local = {i: j for j, i in enumerate(members)}
        inner = [k for k in valid if triples[k][0] in local and triples[k][1] in local]
        drawing = layout_graph([boxes[i] for i in members], [(local[triples[k][0]], local[triples[k][1]], triples[k][2]) for k in inner],
                               engine=engine)
        statuses = Counter(str(nodes[i].get("status") or "informal") for i in members)
        ranked = sorted((nodes[i]["rank"], i) for i in members if isinstance(nodes[i].get("rank"), int))
        groups.append({
            "name": name,
            "members": members,
            "statuses": dict(statuses),
            "top": [i for _, i in ranked[:3]],
            "drawing": _with_edge_ids(drawing.to_json(), inner),
        })
    rests_on: dict[int, Counter] = {g: Counter() for g in range(len(names))}
    for k in valid:
        s, t, kind = triples[k]
        if kind == "uses" and keys[s] != keys[t]:
            rests_on[slot[keys[s]]][keys[t]] += 1
    for g, group in enumerate(groups):
        group["rests_on"] = rests_on[g].most_common(2)
    cards = [Box([name or "(none)"], CARD_W, CARD_H) for name in names]
    drawing = layout_graph(cards, [], engine=engine).to_json()
    drawing.pop("routes")
    return {"facet": facet, "groups": groups, "card": [CARD_W, CARD_H], "drawing": drawing}
