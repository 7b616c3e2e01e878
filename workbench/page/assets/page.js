/* Conjecture Workbench graph page: draws the JSON in #wb-graph with vis-network (inlined next to this file). */
(function () {
  "use strict";

  var DATA = JSON.parse(document.getElementById("wb-graph").textContent);
  var TOP_RANK = 10; // open targets ranked 1..TOP_RANK by `wb next` get a marker

  // Okabe–Ito colours (colour-blind safe); informal is a neutral grey.
  var STATUS = [
    ["informal", "#DDDDDD", "informal: no Lean statement yet"],
    ["formalized", "#56B4E9", "formalized: the Lean statement elaborates"],
    ["proved", "#009E73", "proved: Lean accepted a proof"],
    ["conditional", "#E69F00", "conditional: Lean accepted a proof that rests on an unproved node"],
    ["disproved", "#D55E00", "disproved: Lean accepted a proof of the negation"],
    ["broken", "#CC79A7", "broken: rests on a disproved node"],
    ["stale", "#999999", "stale: the statement changed since Lean checked the proof"],
    ["unverified", "#F0E442", "unverified: claims a settlement that no proof in the Lean project backs"]
  ];
  var STATUS_FILL = {};
  STATUS.forEach(function (s) { STATUS_FILL[s[0]] = s[1]; });
  var KINDS = [
    ["conjecture", "ellipse"], ["theorem", "rectangle"], ["lemma", "hexagon"],
    ["definition", "parallelogram"], ["assumption", "trapezoid"]
  ];
  var EDGE = {
    "uses": { color: "#555555", width: 1.3, dashes: false, arrows: { to: { enabled: true, scaleFactor: 0.6 } },
      text: "uses: A rests on B", inverse: "used by" },
    "implies": { color: "#0072B2", width: 2, dashes: [10, 5], arrows: { to: { enabled: true, scaleFactor: 0.7 } },
      text: "implies", inverse: "implied by" },
    "generalizes": { color: "#009E73", width: 2.4, dashes: [2, 5], arrows: { to: { enabled: true, scaleFactor: 0.7 } },
      text: "generalizes", inverse: "generalized by" },
    "special-case-of": { color: "#CC79A7", width: 2, dashes: [12, 4, 2, 4], arrows: { to: { enabled: true, scaleFactor: 0.7 } },
      text: "special case of", inverse: "has special case" },
    "equivalent": { color: "#000000", width: 2.5, dashes: false,
      arrows: { to: { enabled: true, scaleFactor: 0.7 }, from: { enabled: true, scaleFactor: 0.7 } },
      text: "equivalent", inverse: "equivalent to" },
    "refutes": { color: "#D55E00", width: 2, dashes: [4, 4], arrows: { to: { enabled: true, type: "bar", scaleFactor: 0.8 } },
      text: "refutes", inverse: "refuted by" }
  };
  var EDGE_ORDER = ["uses", "implies", "generalizes", "special-case-of", "equivalent", "refutes"];
  var FACETS = ["status", "kind", "area", "tag"];
  var FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif";
  var LABEL_PX = 14, LINE_PX = 17;
  // Everything is laid out in Python (workbench/page/layout.py); the page only draws.
  var VIEWS = DATA.views || { labels: [], widths: [], node_h: 48, all: { x: [], y: [], routes: {}, captions: [], bounds: [0, 0, 0, 0] }, overview: null };
  var NODE_H = VIEWS.node_h;

  // ---------- data ----------
  var nodes = [];
  var byId = new Map();
  (DATA.nodes || []).forEach(function (n, i) {
    if (!n || typeof n.id !== "string") return;
    n._i = i;
    n.kind = n.kind || "conjecture";
    n.status = n.status || n.recorded_status || "informal";
    n.tags = Array.isArray(n.tags) ? n.tags : [];
    n.title = n.title || n.id;
    n.area = n.area || "";
    nodes.push(n);
    byId.set(n.id, n);
  });
  var edges = [];
  (DATA.edges || []).forEach(function (e, i) {
    if (e && byId.has(e.source) && byId.has(e.target)) { e._i = i; edges.push(e); }
  });
  var outEdges = new Map(), inEdges = new Map();
  nodes.forEach(function (n) { outEdges.set(n.id, []); inEdges.set(n.id, []); });
  edges.forEach(function (e) {
    e.kind = e.kind || "uses";
    outEdges.get(e.source).push(e);
    inEdges.get(e.target).push(e);
  });

  var measure = document.createElement("canvas").getContext("2d");
  nodes.forEach(function (n) {
    n._lines = VIEWS.labels[n._i] || [n.title];
    n._w = VIEWS.widths[n._i] || 120;
    // the box was sized from estimated glyph widths: if this browser's font is wider, the label shrinks to fit
    measure.font = LABEL_PX + "px " + FONT_FAMILY;
    var room = n._w - 18 - (n.kind === "conjecture" ? n._w * 0.14 : (n.kind === "theorem" ? 0 : NODE_H * 0.8));
    var widest = Math.max.apply(null, n._lines.map(function (l) { return measure.measureText(l).width; }));
    n._px = widest > room ? Math.max(10, Math.floor(LABEL_PX * room / widest * 10) / 10) : LABEL_PX;
    n._top = typeof n.rank === "number" && n.rank >= 1 && n.rank <= TOP_RANK;
  });

  // ---------- view state (mirrored in the URL fragment) ----------
  var state = { focus: null, dir: "down", depth: null, filters: emptyFilters(), node: null, all: false };
  function emptyFilters() { var f = {}; FACETS.forEach(function (k) { f[k] = new Set(); }); return f; }

  function parseHash(hash) {
    var out = { focus: null, dir: "down", depth: null, filters: emptyFilters(), node: null, all: false, problems: [] };
    (hash || "").replace(/^#/, "").split("&").forEach(function (part) {
      if (!part) return;
      var eq = part.indexOf("=");
      var key = decodeSafe(eq < 0 ? part : part.slice(0, eq));
      var raw = eq < 0 ? "" : part.slice(eq + 1);
      if (key === "focus" || key === "node") {
        var id = decodeSafe(raw);
        if (byId.has(id)) out[key] = id; else if (id) out.problems.push("unknown node '" + id + "' in the link");
      } else if (key === "dir") {
        var d = decodeSafe(raw);
        if (d === "up" || d === "down") out.dir = d; else out.problems.push("dir must be up or down");
      } else if (key === "depth") {
        var v = decodeSafe(raw);
        if (/^\d+$/.test(v)) out.depth = parseInt(v, 10); else if (v !== "") out.problems.push("depth must be a whole number ≥ 0");
      } else if (key === "view") {
        out.all = decodeSafe(raw) === "all";
      } else if (FACETS.indexOf(key) >= 0) {
        raw.split(",").forEach(function (v) { v = decodeSafe(v); if (v) out.filters[key].add(v); });
      }
    });
    return out;
  }
  function decodeSafe(s) { try { return decodeURIComponent(s.replace(/\+/g, " ")); } catch (e) { return s; } }
  function enc(s) { return encodeURIComponent(s).replace(/%20/g, "+"); }

  function stateHash() {
    var parts = [];
    if (state.all && VIEWS.overview) parts.push("view=all");
    if (state.focus) {
      parts.push("focus=" + enc(state.focus), "dir=" + state.dir);
      if (state.depth !== null) parts.push("depth=" + state.depth);
    }
    FACETS.forEach(function (k) {
      if (state.filters[k].size) parts.push(k + "=" + Array.from(state.filters[k]).sort().map(enc).join(","));
    });
    if (state.node) parts.push("node=" + enc(state.node));
    return parts.join("&");
  }
  // A new focus or filter is a new history entry (Back returns to the previous view); selecting a node is not.
  var lastView = null;
  function writeHash() {
    var h = stateHash();
    var view = h.replace(/(^|&)node=[^&]*/, "");
    var url = location.pathname + location.search + (h ? "#" + h : "");
    try {
      if (lastView !== null && view !== lastView) history.pushState(null, "", url); else history.replaceState(null, "", url);
    } catch (e) { location.hash = h; }
    lastView = view;
  }

  // ---------- which nodes are drawn ----------
  function reach(start, dir, depth) {
    var seen = new Set([start]);
    var frontier = [start];
    var d = 0;
    while (frontier.length && (depth === null || d < depth)) {
      var next = [];
      frontier.forEach(function (id) {
        var list = dir === "down" ? outEdges.get(id) : inEdges.get(id);
        list.forEach(function (e) {
          if (e.kind !== "uses") return;
          var other = dir === "down" ? e.target : e.source;
          if (!seen.has(other)) { seen.add(other); next.push(other); }
        });
      });
      frontier = next;
      d += 1;
    }
    return seen;
  }
  function passesFilters(n) {
    var f = state.filters;
    if (f.status.size && !f.status.has(n.status)) return false;
    if (f.kind.size && !f.kind.has(n.kind)) return false;
    if (f.area.size && !f.area.has(n.area)) return false;
    if (f.tag.size && !n.tags.some(function (t) { return f.tag.has(t); })) return false;
    return true;
  }
  function visibleIds() {
    var base = state.focus ? reach(state.focus, state.dir, state.depth) : null;
    var out = [];
    nodes.forEach(function (n) {
      if (base && !base.has(n.id)) return;
      if (n.id === state.focus || passesFilters(n)) out.push(n.id);
    });
    return out;
  }

  // ---------- drawing ----------
  function tracePath(ctx, kind, x, y, w, h) {
    var l = x - w / 2, r = x + w / 2, t = y - h / 2, b = y + h / 2, s = h * 0.4;
    ctx.beginPath();
    if (kind === "conjecture") {
      ctx.ellipse(x, y, w / 2, h / 2, 0, 0, 2 * Math.PI);
    } else if (kind === "lemma") {
      ctx.moveTo(l, y); ctx.lineTo(l + s, t); ctx.lineTo(r - s, t); ctx.lineTo(r, y); ctx.lineTo(r - s, b); ctx.lineTo(l + s, b);
    } else if (kind === "definition") {
      ctx.moveTo(l + s, t); ctx.lineTo(r, t); ctx.lineTo(r - s, b); ctx.lineTo(l, b);
    } else if (kind === "assumption") {
      ctx.moveTo(l + s, t); ctx.lineTo(r - s, t); ctx.lineTo(r, b); ctx.lineTo(l, b);
    } else {
      ctx.rect(l, t, w, h);
    }
    ctx.closePath();
  }
  function svgShape(kind, w, h, fill) {
    var path = [];
    var fake = {
      beginPath: function () {}, closePath: function () { path.push("Z"); },
      moveTo: function (x, y) { path.push("M" + x + " " + y); }, lineTo: function (x, y) { path.push("L" + x + " " + y); },
      rect: function (x, y, ww, hh) { path.push("M" + x + " " + y + "h" + ww + "v" + hh + "h" + (-ww)); },
      ellipse: function (x, y, rx, ry) {
        path.push("M" + (x - rx) + " " + y + "a" + rx + " " + ry + " 0 1 0 " + 2 * rx + " 0a" + rx + " " + ry + " 0 1 0 " + (-2 * rx) + " 0");
      }
    };
    tracePath(fake, kind, w / 2 + 1, h / 2 + 1, w, h);
    return '<svg width="' + (w + 2) + '" height="' + (h + 2) + '" aria-hidden="true"><path d="' + path.join("") +
      '" fill="' + (fill || "#fff") + '" stroke="#333" stroke-width="1.2"/></svg>';
  }

  var network = null;
  var autoFit = true;
  function drawLabel(ctx, lines, x, y, px, bold) {
    ctx.fillStyle = "#000000";
    ctx.font = (bold ? "600 " : "") + px + "px " + FONT_FAMILY;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    var step = px * LINE_PX / LABEL_PX;
    lines.forEach(function (line, k) { ctx.fillText(line, x, y + 1 + (k - (lines.length - 1) / 2) * step); });
  }
  function renderer(n) {
    var fill = STATUS_FILL[n.status] || "#FFFFFF";
    return function (args) {
      var ctx = args.ctx, x = args.x, y = args.y, st = args.state;
      return {
        drawNode: function () {
          tracePath(ctx, n.kind, x, y, n._w, NODE_H);
          ctx.fillStyle = fill;
          ctx.fill();
          ctx.lineWidth = st.selected ? 4 : (st.hover ? 2.5 : 1.2);
          ctx.strokeStyle = st.selected ? "#000000" : "#333333";
          ctx.stroke();
          if (!network || network.getScale() * n._px > 4) drawLabel(ctx, n._lines, x, y, n._px, false);
          if (n._top) {
            var bx = x + n._w / 2 - 4, by = y - NODE_H / 2 - 2;
            ctx.beginPath();
            ctx.arc(bx, by, 10, 0, 2 * Math.PI);
            ctx.fillStyle = "#000000";
            ctx.fill();
            ctx.lineWidth = 2;
            ctx.strokeStyle = "#FFFFFF";
            ctx.stroke();
            ctx.fillStyle = "#FFFFFF";
            ctx.font = "bold 11px " + FONT_FAMILY;
            ctx.textAlign = "center";
            ctx.textBaseline = "middle";
            ctx.fillText(String(n.rank), bx, by + 1);
          }
        },
        nodeDimensions: { width: n._w, height: NODE_H }
      };
    };
  }

  // ---------- the overview: groups (areas) as cards with counts and a status bar ----------
  var OVERVIEW = VIEWS.overview;
  var groupsByName = new Map();
  if (OVERVIEW) OVERVIEW.groups.forEach(function (g, k) {
    g._k = k;
    g._ids = g.members.map(function (i) { return DATA.nodes[i] && DATA.nodes[i].id; }).filter(function (id) { return byId.has(id); });
    groupsByName.set(g.name, g);
  });
  function overviewMode() {
    return !!OVERVIEW && !state.all && !state.focus && FACETS.every(function (k) { return !state.filters[k].size; });
  }
  function cardRenderer(g) {
    var W = OVERVIEW.card[0], H = OVERVIEW.card[1];
    var order = STATUS.map(function (s) { return s[0]; });
    return function (args) {
      var ctx = args.ctx, x = args.x, y = args.y, st = args.state;
      return {
        drawNode: function () {
          var l = x - W / 2, t = y - H / 2;
          ctx.beginPath();
          ctx.rect(l, t, W, H);
          ctx.fillStyle = "#ffffff";
          ctx.fill();
          ctx.lineWidth = st.hover || st.selected ? 3 : 1.5;
          ctx.strokeStyle = "#333333";
          ctx.stroke();
          ctx.textAlign = "left";
          ctx.textBaseline = "alphabetic";
          ctx.fillStyle = "#000000";
          ctx.font = "600 17px " + FONT_FAMILY;
          ctx.fillText(g.name || "(no " + OVERVIEW.facet + ")", l + 12, t + 24, W - 24);
          ctx.font = "14px " + FONT_FAMILY;
          ctx.fillStyle = "#333333";
          ctx.fillText(g._ids.length + " node" + (g._ids.length === 1 ? "" : "s") + " · click to open", l + 12, t + 45, W - 24);
          var bx = l + 12, bw = W - 24, total = g._ids.length || 1;
          order.forEach(function (status) {
            var c = g.statuses[status] || 0;
            if (!c) return;
            var w = bw * c / total;
            ctx.fillStyle = STATUS_FILL[status];
            ctx.fillRect(bx, t + 55, w, 14);
            bx += w;
          });
          ctx.strokeStyle = "#666666";
          ctx.lineWidth = 1;
          ctx.strokeRect(l + 12, t + 55, W - 24, 14);
          ctx.font = "13px " + FONT_FAMILY;
          ctx.fillStyle = "#333333";
          if (g.rests_on.length) ctx.fillText("rests on " + g.rests_on.map(function (r) { return (r[0] || "(none)") + " (" + r[1] + ")"; }).join(", "),
            l + 12, t + 87, W - 24);
          ctx.fillStyle = "#000000";
          g.top.slice(0, 2).forEach(function (i, k) {
            var n = DATA.nodes[i];
            if (n) ctx.fillText("#" + n.rank + " next: " + n.title, l + 12, t + 106 + k * 17, W - 24);
          });
        },
        nodeDimensions: { width: W, height: H }
      };
    };
  }
  function groupTooltip(g) {
    var parts = STATUS.filter(function (s) { return g.statuses[s[0]]; }).map(function (s) { return g.statuses[s[0]] + " " + s[0]; });
    return (g.name || "(none)") + ": " + g._ids.length + " nodes\n" + parts.join(", ") +
      (g.rests_on.length ? "\nrests on " + g.rests_on.map(function (r) { return (r[0] || "(none)") + " (" + r[1] + " uses)"; }).join(", ") : "");
  }
  function openGroup(name) {
    var next = parseHash(stateHash());
    next.filters[OVERVIEW.facet] = new Set([name]);
    next.node = null;
    applyState(next, false);
  }

  var container = document.getElementById("graph");
  var drawn = [];
  var drawnSet = new Set();
  var scene = { routes: [], captions: [], boxes: [] };
  var api = window.wbGraph = {
    ready: false, data: DATA, layouts: 0, lastLayoutMs: null,
    drawnIds: function () { return drawn.slice(); },
    groups: function () { return overviewMode() && OVERVIEW ? OVERVIEW.groups.map(function (g) { return g.name; }) : []; },
    position: function (id) {
      if (!network || !(drawnSet.has(id) || (overviewMode() && groupsByName.has(id.replace(/^group:/, ""))))) return null;
      var p = network.canvasToDOM(network.getPositions([id])[id]);
      var r = container.getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    },
    centre: function () {
      var r = container.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    },
    // on-screen rectangles (CSS pixels, page coordinates) of every drawn box, and the label size in pixels
    boxes: function () {
      if (!network) return [];
      var r = container.getBoundingClientRect(), k = network.getScale();
      return scene.boxes.map(function (b) {
        var c = network.canvasToDOM({ x: b.x, y: b.y });
        return { id: b.id, left: r.left + c.x - b.w * k / 2, right: r.left + c.x + b.w * k / 2,
          top: r.top + c.y - b.h * k / 2, bottom: r.top + c.y + b.h * k / 2, labelPx: b.px * k, lines: b.lines };
      });
    },
    state: function () {
      var f = {};
      FACETS.forEach(function (k) { f[k] = Array.from(state.filters[k]).sort(); });
      return { focus: state.focus, dir: state.dir, depth: state.depth, filters: f, node: state.node, all: state.all, mode: overviewMode() ? "overview" : "nodes" };
    },
    select: function (id) { selectNode(id, { centre: true }); },
    setView: function (hash) { applyState(parseHash(hash), true); }
  };

  // The drawing a view uses: a group's own layout when exactly that group is shown, else the whole graph's.
  function currentDrawing() {
    if (OVERVIEW && !state.focus) {
      var f = state.filters[OVERVIEW.facet];
      if (f.size === 1) {
        var g = groupsByName.get(Array.from(f)[0]);
        if (g) return { d: g.drawing, slot: function (n) { return g.members.indexOf(n._i); }, whole: FACETS.every(function (k) { return k === OVERVIEW.facet || !state.filters[k].size; }) };
      }
    }
    var whole = !state.focus && FACETS.every(function (k) { return !state.filters[k].size; });
    return { d: VIEWS.all, slot: function (n) { return n._i; }, whole: whole };
  }

  function baseOptions(count) {
    return {
      autoResize: true,
      physics: { enabled: false, stabilization: { enabled: false, fit: false } },
      layout: { hierarchical: { enabled: false }, improvedLayout: false, randomSeed: 1 },
      nodes: { shape: "custom", fixed: true },
      edges: { smooth: false },
      interaction: { hover: count <= 600, tooltipDelay: 250, multiselect: false, navigationButtons: false, keyboard: false, dragNodes: false }
    };
  }

  function layout(keepCamera) {
    var t0 = performance.now();
    api.ready = false;
    document.body.removeAttribute("data-ready");
    hideTooltip();
    var visNodes = [];
    scene = { routes: [], captions: [], boxes: [] };
    if (overviewMode()) {
      drawn = [];
      drawnSet = new Set();
      var od = OVERVIEW.drawing;
      OVERVIEW.groups.forEach(function (g, k) {
        visNodes.push({ id: "group:" + g.name, x: od.x[k], y: od.y[k], shape: "custom", ctxRenderer: cardRenderer(g), title: groupTooltip(g) });
        scene.boxes.push({ id: "group:" + g.name, x: od.x[k], y: od.y[k], w: OVERVIEW.card[0], h: OVERVIEW.card[1], px: 14, lines: [g.name] });
      });
    } else {
      drawn = visibleIds();
      drawnSet = new Set(drawn);
      var pick = currentDrawing(), d = pick.d;
      var slots = new Map();
      drawn.forEach(function (id) {
        var n = byId.get(id), k = pick.slot(n);
        slots.set(id, k);
        visNodes.push({
          id: id, x: d.x[k], y: d.y[k], shape: "custom", ctxRenderer: renderer(n),
          title: n.title + "\n" + n.id + " · " + n.kind + " · " + n.status + (n._top ? " · #" + n.rank + " in wb next" : "")
        });
        scene.boxes.push({ id: id, x: d.x[k], y: d.y[k], w: n._w, h: NODE_H, px: n._px, lines: n._lines });
      });
      drawn.forEach(function (id) {
        outEdges.get(id).forEach(function (e) {
          if (!drawnSet.has(e.target)) return;
          var pts = d.routes[String(e._i)];
          if (pts) scene.routes.push({ e: e, pts: pts });
        });
      });
      if (pick.whole) scene.captions = d.captions || [];
    }
    var options = baseOptions(visNodes.length);
    var data = { nodes: visNodes, edges: [] };
    if (!network) {
      network = new vis.Network(container, data, options);
      api.network = network;
      network.on("click", onClick);
      network.on("dragStart", function () { autoFit = false; hideTooltip(); });
      network.on("dragging", hideTooltip);
      network.on("zoom", function () { autoFit = false; hideTooltip(); });
      network.on("beforeDrawing", drawBehind);
      // until the reader moves the view, keep the whole drawing fitted when the window or panel resizes
      if (window.ResizeObserver) new ResizeObserver(function () {
        if (!autoFit) return;
        network.setSize("100%", "100%");
        fitView(false);
      }).observe(container);
      network.on("afterDrawing", onDrawn);
    } else {
      network.setOptions(options);
      network.setData(data);
    }
    if (state.node && drawnSet.has(state.node)) network.selectNodes([state.node]);
    if (!keepCamera) fitView(false);
    api.layouts += 1;
    api.lastLayoutMs = performance.now() - t0;
    updateCounts();
    network.redraw();
  }

  // Edges, links between groups and captions are drawn under the nodes, along the routes computed in Python.
  function drawBehind(ctx) {
    var k = network.getScale();
    var selected = state.node && drawnSet.has(state.node) ? state.node : null;
    ctx.save();
    scene.captions.forEach(function (c) {
      if (k * 15 < 5) return;
      ctx.font = "600 15px " + FONT_FAMILY;
      ctx.fillStyle = "#5f6368";
      ctx.textAlign = "left";
      ctx.textBaseline = "top";
      ctx.fillText(c.text, c.x, c.y);
    });
    scene.routes.forEach(function (r) {
      var style = EDGE[r.e.kind] || EDGE.uses;
      var hot = selected && (r.e.source === selected || r.e.target === selected);
      var colour = hot ? "#000000" : style.color;
      strokeRoute(ctx, r.pts, colour, style.width + (hot ? 1.2 : 0), style.dashes);
      arrowHead(ctx, r.pts, colour, style.arrows.to.type === "bar", 1);
      if (style.arrows.from) arrowHead(ctx, reversedRoute(r.pts), colour, false, 1);
    });
    ctx.restore();
  }
  function strokeRoute(ctx, p, colour, width, dashes) {
    ctx.beginPath();
    ctx.moveTo(p[0], p[1]);
    for (var i = 2; i + 5 < p.length; i += 6) ctx.bezierCurveTo(p[i], p[i + 1], p[i + 2], p[i + 3], p[i + 4], p[i + 5]);
    ctx.strokeStyle = colour;
    ctx.lineWidth = width;
    ctx.setLineDash(dashes || []);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  function arrowHead(ctx, p, colour, bar, size) {
    var n = p.length, ex = p[n - 2], ey = p[n - 1], j = n - 4;
    while (j >= 0 && Math.abs(p[j] - ex) + Math.abs(p[j + 1] - ey) < 0.5) j -= 2;
    if (j < 0) return;
    var dx = ex - p[j], dy = ey - p[j + 1], len = Math.sqrt(dx * dx + dy * dy);
    dx /= len; dy /= len;
    ctx.fillStyle = colour;
    ctx.strokeStyle = colour;
    if (bar) {
      ctx.lineWidth = 3;
      ctx.beginPath();
      ctx.moveTo(ex - dy * 7 - dx * 5, ey + dx * 7 - dy * 5);
      ctx.lineTo(ex + dy * 7 - dx * 5, ey - dx * 7 - dy * 5);
      ctx.stroke();
      return;
    }
    var L = 10 * size, W = 4.5 * size;
    ctx.beginPath();
    ctx.moveTo(ex, ey);
    ctx.lineTo(ex - dx * L - dy * W, ey - dy * L + dx * W);
    ctx.lineTo(ex - dx * L + dy * W, ey - dy * L - dx * W);
    ctx.closePath();
    ctx.fill();
  }
  function reversedRoute(p) {
    var out = [];
    for (var i = p.length - 2; i >= 0; i -= 2) out.push(p[i], p[i + 1]);
    return out;
  }
  function hideTooltip() {
    document.querySelectorAll(".vis-tooltip").forEach(function (el) { el.style.visibility = "hidden"; });
  }

  // vis-network's fit() measures custom shapes by their default size, not their drawn width: fit by hand.
  function fitView(animate) {
    if (!scene.boxes.length) return;
    var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    scene.boxes.forEach(function (b) {
      minX = Math.min(minX, b.x - b.w / 2); maxX = Math.max(maxX, b.x + b.w / 2);
      minY = Math.min(minY, b.y - b.h / 2 - 12); maxY = Math.max(maxY, b.y + b.h / 2);
    });
    scene.captions.forEach(function (c) { minY = Math.min(minY, c.y); minX = Math.min(minX, c.x); });
    var w = container.clientWidth || 800, hgt = container.clientHeight || 600;
    var scale = Math.min(w / (maxX - minX + 24), hgt / (maxY - minY + 24), 1.25);
    autoFit = true;
    hideTooltip();
    network.moveTo({ position: { x: (minX + maxX) / 2, y: (minY + maxY) / 2 }, scale: scale,
      animation: animate ? { duration: 300, easingFunction: "easeInOutQuad" } : false });
  }
  api.fit = function () { fitView(false); };

  function onDrawn() {
    if (api.ready) return;
    api.ready = true;
    if (api.firstDrawnAt === undefined) api.firstDrawnAt = performance.now();
    document.body.setAttribute("data-ready", "1");
  }
  function onClick(params) {
    if (!params.nodes || !params.nodes.length) return;
    var id = params.nodes[0];
    if (typeof id === "string" && id.indexOf("group:") === 0) openGroup(id.slice(6));
    else selectNode(id, { centre: false });
  }

  // ---------- applying a view ----------
  function applyState(next, relayout) {
    var changedView = next.focus !== state.focus || next.dir !== state.dir || next.depth !== state.depth || next.all !== state.all ||
      FACETS.some(function (k) { return !sameSet(next.filters[k], state.filters[k]); });
    state.focus = next.focus;
    state.dir = next.dir;
    state.depth = next.depth;
    state.all = next.all;
    state.filters = next.filters;
    state.node = next.node || null;
    syncControls();
    if (state.node && panel.hidden) { panel.hidden = false; if (network) network.setSize("100%", "100%"); } // size the canvas before fitting
    if (changedView || relayout || !network) layout(false);
    if (next.problems && next.problems.length) notice("Ignored in the link: " + next.problems.join("; ") + ".");
    if (state.node) { showPanel(state.node); if (drawnSet.has(state.node)) network.selectNodes([state.node]); }
    else hidePanel();
    writeHash();
  }
  function sameSet(a, b) {
    if (a.size !== b.size) return false;
    var same = true;
    a.forEach(function (v) { if (!b.has(v)) same = false; });
    return same;
  }
  function setFocus(id, dir, depth) {
    state.focus = id;
    state.dir = dir;
    state.depth = depth;
    state.node = id;
    syncControls();
    layout(false);
    if (id && drawnSet.has(id)) network.selectNodes([id]);
    if (id) showPanel(id);
    writeHash();
  }
  function clearView() {
    state.focus = null;
    state.all = false;
    state.filters = emptyFilters();
    syncControls();
    layout(false);
    writeHash();
  }

  function selectNode(id, opts) {
    if (!byId.has(id)) return;
    if (opts.reveal && !drawnSet.has(id)) {
      var hadView = state.focus || FACETS.some(function (k) { return state.filters[k].size; });
      state.focus = null;
      state.filters = emptyFilters();
      if (overviewMode()) state.filters[OVERVIEW.facet].add(byId.get(id)[OVERVIEW.facet] || "");
      syncControls();
      layout(false);
      if (hadView) notice("Focus and filters were cleared to show " + id + ".");
    }
    state.node = id;
    showPanel(id);
    if (drawnSet.has(id)) {
      network.selectNodes([id]);
      if (opts.centre) centreOn(id);
    }
    writeHash();
  }
  function centreOn(id) {
    autoFit = false;
    network.setSize("100%", "100%");
    var scale = Math.max(network.getScale(), 0.9);
    network.focus(id, { scale: scale, locked: false, animation: { duration: 250, easingFunction: "easeInOutQuad" } });
  }

  // ---------- top bar ----------
  var noticeEl = document.getElementById("notice");
  var noticeTimer = null;
  function notice(text) {
    noticeEl.textContent = text;
    noticeEl.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(function () { noticeEl.hidden = true; }, 8000);
  }
  function updateCounts() {
    var el = document.getElementById("counts");
    var all = document.getElementById("show-all");
    all.hidden = !OVERVIEW;
    if (overviewMode()) {
      el.textContent = "Overview: " + nodes.length + " nodes in " + OVERVIEW.groups.length + " " + (OVERVIEW.facet === "area" ? "areas" : "statuses") + " · click one to open it";
      all.textContent = "Show all " + nodes.length + " nodes";
      return;
    }
    all.textContent = "Overview";
    el.textContent = drawn.length + " of " + nodes.length + " nodes";
    if (!drawn.length && nodes.length) notice("No node matches these filters.");
  }

  var focusInfo = document.getElementById("focus-info");
  function syncControls() {
    focusInfo.textContent = "";
    if (state.focus) {
      focusInfo.hidden = false;
      focusInfo.appendChild(document.createTextNode("Focus: " + state.focus + " — " +
        (state.dir === "down" ? "▼ what it rests on" : "▲ what builds on it") +
        (state.depth === null ? ", all depths" : ", depth " + state.depth)));
      var x = document.createElement("button");
      x.type = "button";
      x.textContent = "×";
      x.title = "Clear focus";
      x.setAttribute("aria-label", "Clear focus");
      x.addEventListener("click", function () { setFocus(null, state.dir, state.depth); });
      focusInfo.appendChild(x);
    } else {
      focusInfo.hidden = true;
    }
    filterBoxes.forEach(function (box) { box.checked = state.filters[box.dataset.facet].has(box.value); });
    var n = FACETS.reduce(function (acc, k) { return acc + state.filters[k].size; }, 0);
    document.getElementById("filters-toggle").textContent = n ? "Filters (" + n + ")" : "Filters";
  }

  // filters
  var filterBoxes = [];
  (function buildFilters() {
    var host = document.getElementById("filters");
    var counts = {};
    FACETS.forEach(function (k) { counts[k] = new Map(); });
    function bump(k, v) { if (v) counts[k].set(v, (counts[k].get(v) || 0) + 1); }
    nodes.forEach(function (n) {
      bump("status", n.status); bump("kind", n.kind); bump("area", n.area);
      n.tags.forEach(function (t) { bump("tag", t); });
    });
    var order = {
      status: STATUS.map(function (s) { return s[0]; }),
      kind: KINDS.map(function (k) { return k[0]; })
    };
    var titles = { status: "Status", kind: "Kind", area: "Area", tag: "Tag" };
    FACETS.forEach(function (k) {
      var values = order[k] ? order[k].filter(function (v) { return counts[k].has(v); }) : [];
      counts[k].forEach(function (_, v) { if (values.indexOf(v) < 0) values.push(v); });
      if (!order[k]) values.sort(function (a, b) { return (counts[k].get(b) - counts[k].get(a)) || (a < b ? -1 : 1); });
      var fs = document.createElement("fieldset");
      var lg = document.createElement("legend");
      lg.textContent = titles[k];
      fs.appendChild(lg);
      var hint = document.createElement("div");
      hint.className = "n";
      hint.textContent = "none ticked = all";
      fs.appendChild(hint);
      var opts = document.createElement("div");
      opts.className = "opts";
      values.forEach(function (v) {
        var label = document.createElement("label");
        var box = document.createElement("input");
        box.type = "checkbox";
        box.value = v;
        box.dataset.facet = k;
        box.addEventListener("change", function () {
          if (box.checked) state.filters[k].add(v); else state.filters[k].delete(v);
          syncControls();
          layout(false);
          writeHash();
        });
        filterBoxes.push(box);
        label.appendChild(box);
        if (k === "status") {
          var sw = document.createElement("span");
          sw.className = "badge";
          sw.style.background = STATUS_FILL[v] || "#fff";
          sw.textContent = v;
          label.appendChild(document.createTextNode(" "));
          label.appendChild(sw);
        } else {
          label.appendChild(document.createTextNode(" " + v));
        }
        var c = document.createElement("span");
        c.className = "n";
        c.textContent = " (" + counts[k].get(v) + ")";
        label.appendChild(c);
        opts.appendChild(label);
      });
      fs.appendChild(opts);
      host.appendChild(fs);
    });
    var toggle = document.getElementById("filters-toggle");
    toggle.addEventListener("click", function () {
      host.hidden = !host.hidden;
      toggle.setAttribute("aria-expanded", String(!host.hidden));
      if (network) network.setSize("100%", "100%");
    });
  })();

  // search
  (function buildSearch() {
    var input = document.getElementById("search");
    var list = document.getElementById("search-results");
    var results = [], active = 0;
    function find(q) {
      q = q.trim().toLowerCase();
      if (!q) return [];
      var scored = [];
      nodes.forEach(function (n) {
        var id = n.id.toLowerCase(), title = n.title.toLowerCase(), score = -1;
        if (id === q) score = 0;
        else if (id.indexOf(q) === 0) score = 1;
        else if (title.indexOf(q) === 0) score = 2;
        else if (n.tags.some(function (t) { return t.toLowerCase() === q; })) score = 3;
        else if (id.indexOf(q) >= 0) score = 4;
        else if (title.indexOf(q) >= 0) score = 5;
        else if (n.tags.some(function (t) { return t.toLowerCase().indexOf(q) >= 0; })) score = 6;
        if (score >= 0) scored.push([score, n]);
      });
      scored.sort(function (a, b) { return a[0] - b[0] || (a[1].id < b[1].id ? -1 : 1); });
      return scored.slice(0, 40).map(function (s) { return s[1]; });
    }
    function show() {
      list.textContent = "";
      if (!input.value.trim()) { list.hidden = true; return; }
      if (!results.length) {
        var li = document.createElement("li");
        li.className = "empty";
        li.textContent = "No node matches";
        list.appendChild(li);
      }
      results.forEach(function (n, i) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.dataset.nodeId = n.id;
        li.setAttribute("aria-selected", String(i === active));
        li.textContent = n.title;
        var sid = document.createElement("span");
        sid.className = "sid";
        sid.textContent = n.id + (n.tags.length ? " · " + n.tags.join(", ") : "");
        li.appendChild(sid);
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); pick(n.id); });
        list.appendChild(li);
      });
      list.hidden = false;
    }
    function pick(id) {
      list.hidden = true;
      input.blur();
      selectNode(id, { centre: true, reveal: true });
    }
    input.addEventListener("input", function () { results = find(input.value); active = 0; show(); });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown") { active = Math.min(active + 1, results.length - 1); show(); ev.preventDefault(); }
      else if (ev.key === "ArrowUp") { active = Math.max(active - 1, 0); show(); ev.preventDefault(); }
      else if (ev.key === "Enter") { if (results[active]) pick(results[active].id); ev.preventDefault(); }
      else if (ev.key === "Escape") { list.hidden = true; }
    });
    input.addEventListener("blur", function () { setTimeout(function () { list.hidden = true; }, 150); });
    input.addEventListener("focus", function () { if (results.length) show(); });
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "/" && document.activeElement !== input && !/INPUT|TEXTAREA/.test(document.activeElement.tagName)) {
        input.focus();
        ev.preventDefault();
      }
    });
  })();

  document.getElementById("fit").addEventListener("click", function () { fitView(true); });
  document.getElementById("reset").addEventListener("click", function () { clearView(); });
  document.getElementById("show-all").addEventListener("click", function () {
    if (overviewMode()) { state.all = true; syncControls(); layout(false); writeHash(); } else clearView();
  });

  // ---------- legend ----------
  (function buildLegend() {
    var el = document.getElementById("legend");
    var h = [];
    h.push('<details' + (window.innerWidth < 800 ? "" : " open") + '><summary><b>Legend</b> <span class="dir">· Layered: a result sits <b>above</b> what it rests on ' +
      "(A → B: A uses B), foundations at the bottom · click a node for details · drag to pan · scroll to zoom · <kbd>/</kbd> to search</span></summary>");
    h.push('<div class="row"><b>Status</b>');
    STATUS.forEach(function (s) {
      h.push('<span class="item" title="' + esc(s[2]) + '">' + svgShape("theorem", 22, 12, s[1]) + esc(s[0]) + "</span>");
    });
    h.push("<b>Kind</b>");
    KINDS.forEach(function (k) { h.push('<span class="item">' + svgShape(k[0], 34, 14, "#fff") + esc(k[0]) + "</span>"); });
    h.push('</div><div class="row"><b>Edges</b>');
    EDGE_ORDER.forEach(function (kind) {
      var s = EDGE[kind];
      var dash = s.dashes ? ' stroke-dasharray="' + s.dashes.join(" ") + '"' : "";
      var head = s.arrows.to.type === "bar" ? '<path d="M38 3v10" stroke="' + s.color + '" stroke-width="2.5"/>'
        : '<path d="M31 3l8 5-8 5z" fill="' + s.color + '"/>';
      var tail = s.arrows.from ? '<path d="M9 3l-8 5 8 5z" fill="' + s.color + '"/>' : "";
      h.push('<span class="item"><svg width="42" height="16" aria-hidden="true"><line x1="2" y1="8" x2="34" y2="8" stroke="' + s.color +
        '" stroke-width="' + s.width + '"' + dash + "/>" + head + tail + "</svg>" + esc(kind) + "</span>");
    });
    h.push('<span class="item"><svg width="20" height="20" aria-hidden="true"><circle cx="10" cy="10" r="8.5" fill="#000" stroke="#fff" stroke-width="1.5"/>' +
      '<text x="10" y="14" font-size="11" font-weight="bold" fill="#fff" text-anchor="middle">1</text></svg>' +
      "open target ranked 1–" + TOP_RANK + " by <code>wb next</code></span></div></details>");
    el.innerHTML = h.join("");
    el.querySelector("details").addEventListener("toggle", function () { if (network) network.setSize("100%", "100%"); });
  })();

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // ---------- details panel ----------
  var panel = document.getElementById("panel");
  function h(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k];
      else if (k === "html") e.innerHTML = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) continue;
      e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return e;
  }
  function fmtDate(s) { return s ? String(s).replace("T", " ").replace(/(\.\d+)?(Z|\+00:00)$/, " UTC") : ""; }
  function dl(rows) {
    var d = h("dl");
    rows.forEach(function (r) {
      if (r[1] === null || r[1] === undefined || r[1] === "" || (Array.isArray(r[1]) && !r[1].length)) return;
      d.appendChild(h("dt", { text: r[0] }));
      d.appendChild(typeof r[1] === "object" && r[1].nodeType ? h("dd", null, r[1]) : h("dd", { text: Array.isArray(r[1]) ? r[1].join(", ") : String(r[1]) }));
    });
    return d;
  }
  function nodeLink(id) {
    var n = byId.get(id);
    var b = h("button", { type: "button", "class": "edge-link", "data-node-id": id, title: n ? n.title : id }, n ? n.title : id);
    b.addEventListener("click", function () { selectNode(id, { centre: true }); });
    var dot = h("span", { "class": "badge", style: "background:" + ((n && STATUS_FILL[n.status]) || "#fff") + ";margin-right:6px" }, n ? n.status : "?");
    return h("span", null, dot, b, h("span", { "class": "id", text: " " + id }));
  }
  function cap(s) { return s.charAt(0).toUpperCase() + s.slice(1); }
  function safeUrl(u) { return /^https?:\/\//i.test(u || "") ? u : null; }
  function extLink(href, text) {
    return h("a", { href: href, target: "_blank", rel: "noopener noreferrer" }, text);
  }

  function showPanel(id) {
    var n = byId.get(id);
    if (!n) return;
    panel.textContent = "";
    panel.dataset.nodeId = id;
    var close = h("button", { type: "button", "class": "close", "aria-label": "Close details" }, "×");
    close.addEventListener("click", function () { state.node = null; if (network) network.unselectAll(); hidePanel(); writeHash(); });
    panel.appendChild(close);
    panel.appendChild(h("h2", { text: n.title }));
    panel.appendChild(h("div", { "class": "id", text: n.id }));
    var statusLine = h("p", null, h("span", { "class": "badge", style: "background:" + (STATUS_FILL[n.status] || "#fff") }, n.status));
    if (n.recorded_status && n.recorded_status !== n.status) statusLine.appendChild(document.createTextNode(" (recorded: " + n.recorded_status + ")"));
    if (typeof n.rank === "number") statusLine.appendChild(h("span", { text: "  · #" + n.rank + " open target in wb next" }));
    panel.appendChild(statusLine);
    if (!drawnSet.has(id)) {
      var show = h("button", { type: "button" }, "Show in graph");
      show.addEventListener("click", function () { selectNode(id, { centre: true, reveal: true }); });
      panel.appendChild(h("p", { "class": "n" }, "Not drawn in the current view. ", show));
    }
    panel.appendChild(dl([["Kind", n.kind], ["Area", n.area], ["Tags", n.tags], ["Priority", n.priority]]));

    // focus controls
    var depth = h("input", { type: "number", min: "0", step: "1", placeholder: "all", "aria-label": "Focus depth",
      value: state.focus === id && state.depth !== null ? String(state.depth) : "" });
    function depthValue() { var v = depth.value.trim(); return /^\d+$/.test(v) ? parseInt(v, 10) : null; }
    var down = h("button", { type: "button", "data-focus": "down", title: "Show only what this node rests on (ancestors)" }, "▼ What it rests on");
    var up = h("button", { type: "button", "data-focus": "up", title: "Show only what builds on this node (descendants)" }, "▲ What builds on it");
    down.addEventListener("click", function () { setFocus(id, "down", depthValue()); });
    up.addEventListener("click", function () { setFocus(id, "up", depthValue()); });
    var centre = h("button", { type: "button" }, "Centre");
    centre.addEventListener("click", function () { selectNode(id, { centre: true, reveal: true }); });
    panel.appendChild(h("div", { "class": "actions" }, "Focus:", down, up, h("label", null, "depth ", depth), centre));

    panel.appendChild(h("h3", { text: "Informal statement" }));
    panel.appendChild(h("div", { "class": "statement", html: n.informal_html || "" }));

    panel.appendChild(h("h3", { text: "Status and evidence" }));
    var why = {
      informal: "No Lean statement yet.",
      formalized: "The Lean statement elaborates; no accepted proof yet.",
      proved: "Lean accepted a proof.",
      disproved: "Lean accepted a proof of the negation.",
      conditional: "Lean accepted a proof, but Lean's axiom audit says it rests on nodes that are not proved yet:",
      broken: "It rests on a node that Lean has disproved:",
      stale: "The statement changed since Lean checked the proof; `wb audit` re-checks it.",
      unverified: "The file claims a settlement, but no proof in the Lean project matches its evidence. Not counted as settled."
    }[n.status] || "";
    panel.appendChild(h("p", { text: why }));
    if (n.status === "conditional" || n.status === "broken") {
      var ul0 = h("ul");
      var rests = (n.evidence && n.evidence.rests_on && n.evidence.rests_on.length) ? n.evidence.rests_on : null;
      var deps = rests || outEdges.get(id).filter(function (e) { return e.kind === "uses"; }).map(function (e) { return e.target; });
      deps.forEach(function (dep) {
        var t = byId.get(dep);
        if (!t) return;
        if ((n.status === "broken" && (t.status === "disproved" || t.status === "broken")) ||
            (n.status === "conditional" && t.status !== "proved")) ul0.appendChild(h("li", null, nodeLink(t.id)));
      });
      panel.appendChild(ul0);
    }
    var ev = n.evidence;
    var assumes = ev && Array.isArray(ev.assumes) ? ev.assumes : [];
    if (assumes.length) {
      panel.appendChild(h("div", { "class": "n", text: "Open assumptions: nodes the proof rests on that were not proved when Lean checked it" }));
      var ula = h("ul", { "class": "assumptions" });
      assumes.forEach(function (dep) {
        var t = byId.get(dep);
        ula.appendChild(h("li", null, t ? nodeLink(dep) : h("span", { "class": "id", text: dep + " (not in this graph)" }),
          t && t.status === "proved" ? h("span", { "class": "n", text: " — proved since" }) : null));
      });
      panel.appendChild(ula);
    }
    if (ev && typeof ev === "object") {
      panel.appendChild(dl([["Lean", ev.lean_version], ["Axioms", (ev.axioms && ev.axioms.length) ? ev.axioms : (ev.axioms ? "none" : null)],
        ["Prover", ev.prover], ["Model", ev.model], ["Checked", fmtDate(ev.checked_at)], ["Checker", ev.checker_version],
        ["Proof file", ev.proof_file], ["Rests on", (ev.rests_on && ev.rests_on.length) ? ev.rests_on : null]]));
    }
    var att = n.attempts;
    if (att && typeof att === "object" && typeof att.count === "number") {
      var txt = att.count === 0 ? "No attempts yet." : att.count + " attempt" + (att.count === 1 ? "" : "s") +
        (att.last_reasons && att.last_reasons.length ? "; last rejection reasons: " + att.last_reasons.join(", ") : "");
      panel.appendChild(h("p", null, h("b", { text: "Attempts: " }), txt));
    }

    var f = n.formal && typeof n.formal === "object" ? n.formal : null;
    if (f && f.proof_html) {
      var disproof = f.proof_kind === "disproof";
      panel.appendChild(h("h3", { text: disproof ? "Accepted disproof (a proof of the negation)" : "Accepted proof" }));
      var caveat = { stale: "Checked against an earlier statement: `wb audit` re-checks it.",
        unverified: "This block does not match the recorded evidence: not counted as settled." }[n.status];
      if (caveat) panel.appendChild(h("p", { "class": "n", text: caveat }));
      panel.appendChild(h("pre", { "class": "lean proof", html: f.proof_html }));
    }
    panel.appendChild(h("h3", { text: "Formal statement" }));
    if (f) {
      panel.appendChild(dl([["Module", f.module], ["Declaration", f.decl], ["File", f.file]]));
      if (f.declaration_html) panel.appendChild(h("pre", { "class": "lean declaration", html: f.declaration_html }));
      var file = f.file_key && DATA.files ? DATA.files[f.file_key] : null;
      if (file) panel.appendChild(h("details", { "class": "file" },
        h("summary", { text: "Whole file" + (f.file ? " " + f.file : "") + " (" + f.lines + " lines)" }),
        h("pre", { "class": "lean", html: file })));
    } else {
      panel.appendChild(h("p", { text: "Not formalized yet." }));
    }

    var notes = Array.isArray(n.notes) ? n.notes : [];
    if (notes.length) {
      panel.appendChild(h("h3", { text: "Notes (lower-trust evidence)" }));
      panel.appendChild(h("p", { "class": "n", text: "Notes never settle a node; only a Lean-checked proof does." }));
      notes.forEach(function (note) {
        var trust = note.trust || "claimed";
        var meta = [note.author, note.family ? "(" + note.family + ")" : null, note.verdict ? "verdict: " + note.verdict : null, fmtDate(note.date)]
          .filter(Boolean).join(" · ");
        panel.appendChild(h("div", { "class": "note" },
          h("div", { "class": "meta" }, h("span", { "class": "trust " + trust, text: "trust: " + trust }), meta),
          h("div", { "class": "statement", html: note.text_html || esc(note.text || "") })));
      });
    }
    var reviews = Array.isArray(n.reviews) ? n.reviews : [];
    if (reviews.length) {
      panel.appendChild(h("h3", { text: "Reviews of the formal statement" }));
      var ulr = h("ul");
      reviews.forEach(function (r) {
        ulr.appendChild(h("li", { text: (r.by || "?") + (r.date ? " on " + fmtDate(r.date) : "") + (r.comment ? ": " + r.comment : "") }));
      });
      panel.appendChild(ulr);
    }

    var sources = Array.isArray(n.sources) ? n.sources : [];
    if (sources.length) {
      panel.appendChild(h("h3", { text: "Sources" }));
      var uls = h("ul");
      sources.forEach(function (s) {
        var li = h("li", null, s.citation || "");
        if (s.arxiv) { li.appendChild(document.createTextNode(" ")); li.appendChild(extLink("https://arxiv.org/abs/" + encodeURIComponent(s.arxiv).replace(/%2F/g, "/"), "arXiv:" + s.arxiv)); }
        var u = safeUrl(s.url);
        if (u) { li.appendChild(document.createTextNode(" ")); li.appendChild(extLink(u, u)); }
        uls.appendChild(li);
      });
      panel.appendChild(uls);
    }

    panel.appendChild(h("h3", { text: "Edges" }));
    var groups = [];
    EDGE_ORDER.forEach(function (kind) {
      var outs = outEdges.get(id).filter(function (e) { return e.kind === kind; });
      var ins = inEdges.get(id).filter(function (e) { return e.kind === kind; });
      if (outs.length) groups.push([kind === "uses" ? "Uses (rests on)" : cap(kind === "equivalent" ? EDGE[kind].inverse : EDGE[kind].text),
        outs.map(function (e) { return e.target; })]);
      if (ins.length) groups.push([kind === "uses" ? "Used by (builds on it)" : cap(EDGE[kind].inverse), ins.map(function (e) { return e.source; })]);
    });
    var dangling = (DATA.edges || []).filter(function (e) { return e && ((e.source === id && !byId.has(e.target)) || (e.target === id && !byId.has(e.source))); });
    if (!groups.length && !dangling.length) panel.appendChild(h("p", { text: "No edges." }));
    groups.forEach(function (g) {
      panel.appendChild(h("div", { "class": "n", text: g[0] + " (" + g[1].length + ")" }));
      var ul = h("ul", { "class": "edges" });
      g[1].forEach(function (other) { ul.appendChild(h("li", null, nodeLink(other))); });
      panel.appendChild(ul);
    });
    dangling.forEach(function (e) { panel.appendChild(h("p", { "class": "n", text: e.source + " " + e.kind + " " + e.target + " (not in this graph)" })); });

    panel.querySelectorAll(".statement a[href]").forEach(function (a) { a.target = "_blank"; a.rel = "noopener noreferrer"; });
    var wasHidden = panel.hidden;
    panel.hidden = false;
    panel.scrollTop = 0;
    if (wasHidden && network) network.setSize("100%", "100%");
  }
  function hidePanel() {
    var wasHidden = panel.hidden;
    panel.hidden = true;
    panel.removeAttribute("data-node-id");
    if (!wasHidden && network) network.setSize("100%", "100%");
  }

  // ---------- start ----------
  function fromUrl() {
    var next = parseHash(location.hash);
    if (stateHash() !== (location.hash || "").replace(/^#/, "")) applyState(next, false);
  }
  window.addEventListener("hashchange", fromUrl);
  window.addEventListener("popstate", fromUrl);
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && !/INPUT|TEXTAREA|SELECT/.test(document.activeElement.tagName) && !panel.hidden) {
      state.node = null;
      network.unselectAll();
      hidePanel();
      writeHash();
    }
  });
  if (!nodes.length) notice("This workspace has no nodes yet: add some with `wb add`.");
  var meta = [DATA.workspace ? "workspace " + DATA.workspace : null, DATA.generated_at ? "generated " + fmtDate(DATA.generated_at) : null,
    DATA.root ? "around " + DATA.root + (DATA.depth !== null && DATA.depth !== undefined ? " (depth " + DATA.depth + ")" : "") : null];
  document.getElementById("meta").textContent = meta.filter(Boolean).join(" · ");
  var initial = parseHash(location.hash);
  applyState(initial, true);
  if (initial.node && drawnSet.has(initial.node) && network.getScale() < 0.4) centreOn(initial.node);
})();
