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
  var FONT = "14px system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif";
  var NODE_H = 30;

  // ---------- data ----------
  var nodes = (DATA.nodes || []).filter(function (n) { return n && typeof n.id === "string"; });
  var byId = new Map();
  nodes.forEach(function (n) {
    n.kind = n.kind || "conjecture";
    n.status = n.status || n.recorded_status || "informal";
    n.tags = Array.isArray(n.tags) ? n.tags : [];
    n.title = n.title || n.id;
    n.area = n.area || "";
    byId.set(n.id, n);
  });
  var edges = (DATA.edges || []).filter(function (e) { return e && byId.has(e.source) && byId.has(e.target); });
  var outEdges = new Map(), inEdges = new Map();
  nodes.forEach(function (n) { outEdges.set(n.id, []); inEdges.set(n.id, []); });
  edges.forEach(function (e, i) {
    e.kind = e.kind || "uses";
    e._i = i;
    outEdges.get(e.source).push(e);
    inEdges.get(e.target).push(e);
  });

  var measure = document.createElement("canvas").getContext("2d");
  measure.font = FONT;
  nodes.forEach(function (n) {
    var label = n.title.length > 30 ? n.title.slice(0, 28) + "…" : n.title;
    n._label = label;
    var slant = n.kind === "conjecture" ? 0 : (n.kind === "theorem" ? 0 : NODE_H * 0.8);
    var w = Math.ceil(measure.measureText(label).width) + 24 + slant;
    if (n.kind === "conjecture") w = Math.ceil(w * 1.18);
    n._w = Math.max(w, 60);
    n._top = typeof n.rank === "number" && n.rank >= 1 && n.rank <= TOP_RANK;
  });

  // ---------- view state (mirrored in the URL fragment) ----------
  var state = { focus: null, dir: "down", depth: null, filters: emptyFilters(), node: null };
  function emptyFilters() { var f = {}; FACETS.forEach(function (k) { f[k] = new Set(); }); return f; }

  function parseHash(hash) {
    var out = { focus: null, dir: "down", depth: null, filters: emptyFilters(), node: null, problems: [] };
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

  // Layer assignment on the drawn `uses` subgraph: a node sits one layer above the highest node it
  // uses (longest path), then nodes are lowered to just under their lowest user to keep rows short.
  function assignLevels(ids) {
    var inView = new Set(ids);
    var level = new Map(), mark = new Map();
    function uses(id) { return outEdges.get(id).filter(function (e) { return e.kind === "uses" && inView.has(e.target); }); }
    function users(id) { return inEdges.get(id).filter(function (e) { return e.kind === "uses" && inView.has(e.source); }); }
    ids.forEach(function (root) {
      if (level.has(root)) return;
      var stack = [[root, 0]];
      mark.set(root, 1);
      while (stack.length) {
        var top = stack[stack.length - 1];
        var out = uses(top[0]);
        if (top[1] < out.length) {
          var t = out[top[1]++].target;
          if (!mark.has(t)) { mark.set(t, 1); stack.push([t, 0]); } // mark 1 = on stack: a cycle edge is ignored
        } else {
          var lv = 0;
          out.forEach(function (e) { if (level.has(e.target)) lv = Math.max(lv, level.get(e.target) + 1); });
          level.set(top[0], lv);
          mark.set(top[0], 2);
          stack.pop();
        }
      }
    });
    var order = ids.slice().sort(function (a, b) { return level.get(b) - level.get(a); });
    order.forEach(function (id) {
      var us = users(id);
      if (!us.length) return;
      var lowest = Infinity;
      us.forEach(function (e) { lowest = Math.min(lowest, level.get(e.source)); });
      if (lowest - 1 > level.get(id)) level.set(id, lowest - 1);
    });
    return level;
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
          if (!network || network.getScale() > 0.3) {
            ctx.fillStyle = "#000000";
            ctx.font = FONT;
            ctx.textAlign = "center";
            ctx.textBaseline = "middle";
            ctx.fillText(n._label, x, y + 1);
          }
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
            ctx.font = "bold 11px system-ui, sans-serif";
            ctx.textAlign = "center";
            ctx.textBaseline = "middle";
            ctx.fillText(String(n.rank), bx, by + 1);
          }
        },
        nodeDimensions: { width: n._w, height: NODE_H }
      };
    };
  }

  var container = document.getElementById("graph");
  var drawn = [];
  var drawnSet = new Set();
  var api = window.wbGraph = {
    ready: false, data: DATA, layouts: 0, lastLayoutMs: null,
    drawnIds: function () { return drawn.slice(); },
    position: function (id) {
      if (!network || !drawnSet.has(id)) return null;
      var p = network.canvasToDOM(network.getPositions([id])[id]);
      var r = container.getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    },
    centre: function () {
      var r = container.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    },
    state: function () {
      var f = {};
      FACETS.forEach(function (k) { f[k] = Array.from(state.filters[k]).sort(); });
      return { focus: state.focus, dir: state.dir, depth: state.depth, filters: f, node: state.node };
    },
    select: function (id) { selectNode(id, { centre: true }); },
    setView: function (hash) { applyState(parseHash(hash), true); }
  };

  function layout(keepCamera) {
    var t0 = performance.now();
    api.ready = false;
    document.body.removeAttribute("data-ready");
    drawn = visibleIds();
    drawnSet = new Set(drawn);
    var levels = assignLevels(drawn);
    var visNodes = drawn.map(function (id) {
      var n = byId.get(id);
      return {
        id: id, shape: "custom", ctxRenderer: renderer(n), level: levels.get(id),
        title: n.title + "\n" + n.id + " · " + n.kind + " · " + n.status + (n._top ? " · #" + n.rank + " in wb next" : "")
      };
    });
    var visEdges = [];
    drawn.forEach(function (id) {
      outEdges.get(id).forEach(function (e) {
        if (!drawnSet.has(e.target)) return;
        var style = EDGE[e.kind] || EDGE.uses;
        visEdges.push({
          id: "e" + e._i, from: e.source, to: e.target, color: { color: style.color, highlight: "#000000", hover: style.color },
          width: style.width, dashes: style.dashes, arrows: style.arrows, title: e.source + " " + (style.text.split(":")[0]) + " " + e.target
        });
      });
    });
    var big = drawn.length > 600;
    var widest = 60;
    drawn.forEach(function (id) { widest = Math.max(widest, byId.get(id)._w); });
    var options = {
      autoResize: true,
      physics: { enabled: false, stabilization: { enabled: false, fit: false } },
      layout: {
        hierarchical: {
          enabled: true, direction: "DU", levelSeparation: 110, nodeSpacing: widest + 40, treeSpacing: widest + 80,
          edgeMinimization: !big, blockShifting: !big, parentCentralization: !big
        }
      },
      edges: {
        smooth: visEdges.length > 1200 ? false : { enabled: true, type: "cubicBezier", forceDirection: "vertical", roundness: 0.45 },
        selectionWidth: 1.5, hoverWidth: 0.5
      },
      nodes: { shape: "custom" },
      interaction: {
        hover: !big, tooltipDelay: 250, multiselect: false, navigationButtons: false, keyboard: false,
        hideEdgesOnDrag: visEdges.length > 2000, hideEdgesOnZoom: visEdges.length > 2000
      }
    };
    var data = { nodes: visNodes, edges: visEdges };
    if (!network) {
      network = new vis.Network(container, data, options);
      api.network = network;
      network.on("click", onClick);
      network.on("dragStart", function () { autoFit = false; });
      network.on("zoom", function () { autoFit = false; });
      // until the reader moves the view, keep the whole drawing fitted when the window or panel resizes
      if (window.ResizeObserver) new ResizeObserver(function () {
        if (!autoFit) return;
        network.setSize("100%", "100%");
        fitView(false);
      }).observe(container);
      network.on("afterDrawing", onDrawn);
    } else {
      // empty first: changed layout options would otherwise lay out the old drawing once more
      network.setData({ nodes: [], edges: [] });
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
  // vis-network's fit() measures custom shapes by their default size, not their drawn width: fit by hand.
  function fitView(animate) {
    if (!drawn.length) return;
    var pos = network.getPositions(drawn);
    var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    drawn.forEach(function (id) {
      var p = pos[id], half = byId.get(id)._w / 2;
      minX = Math.min(minX, p.x - half); maxX = Math.max(maxX, p.x + half);
      minY = Math.min(minY, p.y - NODE_H / 2 - 12); maxY = Math.max(maxY, p.y + NODE_H / 2);
    });
    var w = container.clientWidth || 800, hgt = container.clientHeight || 600;
    var scale = Math.min(w / (maxX - minX + 40), hgt / (maxY - minY + 40), 1.5);
    autoFit = true;
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
    if (params.nodes && params.nodes.length) selectNode(params.nodes[0], { centre: false });
  }

  // ---------- applying a view ----------
  function applyState(next, relayout) {
    var changedView = next.focus !== state.focus || next.dir !== state.dir || next.depth !== state.depth ||
      FACETS.some(function (k) { return !sameSet(next.filters[k], state.filters[k]); });
    state.focus = next.focus;
    state.dir = next.dir;
    state.depth = next.depth;
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
    state.filters = emptyFilters();
    syncControls();
    layout(false);
    writeHash();
  }

  function selectNode(id, opts) {
    if (!byId.has(id)) return;
    if (opts.reveal && !drawnSet.has(id)) {
      clearView();
      notice("Focus and filters were cleared to show " + id + ".");
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

    panel.appendChild(h("h3", { text: "Formal statement" }));
    if (n.formal && typeof n.formal === "object") {
      panel.appendChild(dl([["Module", n.formal.module], ["Declaration", n.formal.decl], ["File", n.formal.file]]));
      if (n.formal.lean) panel.appendChild(h("pre", null, h("code", { text: n.formal.lean })));
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
