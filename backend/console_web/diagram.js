// The state diagram of the workflow table, drawn as SVG from GET /api/v1/console/workflow
// (no library: the network is closed). The main path (draft → approved) is the top row;
// every other state sits below, under the main-path states it connects to. The current
// state is filled, states the application went through are tinted.

const NS = "http://www.w3.org/2000/svg";
const BOX_W = 150, BOX_H = 50, COL = 178, ROW = 130, PAD = 16;
const FIT = 9;  // labels longer than this many characters are squeezed into the box
const ACTOR_COLORS = { user: "#1f6feb", provider: "#d97706", bureau: "#8250df", clock: "#6b7280", system: "#6b7280" };

function el(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Columns and rows: main path in row 0; others under the mean column of their main-path neighbours. */
function layout(graph) {
  const pos = {};
  graph.main_path.forEach((name, i) => { pos[name] = { col: i, row: 0 }; });
  const taken = new Set(graph.main_path.map((_, i) => `${i},0`));
  for (const st of graph.states) {
    if (pos[st.name]) continue;
    const cols = graph.transitions.flatMap((t) => [t.source === st.name ? t.target : null, t.target === st.name ? t.source : null])
      .filter((n) => n && pos[n] && pos[n].row === 0).map((n) => pos[n].col);
    let col = cols.length ? Math.round(cols.reduce((a, b) => a + b, 0) / cols.length) : 0;
    let row = 1;
    while (taken.has(`${col},${row}`)) { col += 1; if (col >= graph.main_path.length) { col = 0; row += 1; } }
    taken.add(`${col},${row}`);
    pos[st.name] = { col, row };
  }
  return pos;
}

const centre = (p) => ({ x: PAD + p.col * COL + BOX_W / 2, y: PAD + p.row * ROW + BOX_H / 2 });

/** Where the line from a box's centre towards (dx, dy) leaves the box. */
function edgePoint(c, dx, dy) {
  const sx = dx ? (BOX_W / 2) / Math.abs(dx) : Infinity;
  const sy = dy ? (BOX_H / 2) / Math.abs(dy) : Infinity;
  const s = Math.min(sx, sy);
  return { x: c.x + dx * s, y: c.y + dy * s };
}

export function drawDiagram(container, graph, current, visited) {
  if (!graph) return;
  const pos = layout(graph);
  const cols = Math.max(...Object.values(pos).map((p) => p.col)) + 1;
  const rows = Math.max(...Object.values(pos).map((p) => p.row)) + 1;
  const width = PAD * 2 + (cols - 1) * COL + BOX_W;
  const height = PAD * 2 + (rows - 1) * ROW + BOX_H;
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, class: "state-diagram", role: "img", "aria-label": "状态图" });
  const defs = el("defs");
  for (const [actor, color] of Object.entries(ACTOR_COLORS)) {
    const marker = el("marker", { id: `arrow-${actor}`, viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" });
    marker.append(el("path", { d: "M0,0 L10,5 L0,10 z", fill: color }));
    defs.append(marker);
  }
  svg.append(defs);
  const pairs = new Set(graph.transitions.map((t) => `${t.source}>${t.target}`));
  for (const t of graph.transitions) {
    const a = centre(pos[t.source]), b = centre(pos[t.target]);
    const dx = b.x - a.x, dy = b.y - a.y, len = Math.hypot(dx, dy) || 1;
    // a pair of opposite moves, or a long jump along a row, bends so the lines stay apart
    const bend = (pairs.has(`${t.target}>${t.source}`) ? 22 : 0) + (dy === 0 && Math.abs(dx) > COL ? 34 : 0);
    const nx = -dy / len, ny = dx / len;
    const mid = { x: (a.x + b.x) / 2 + nx * bend, y: (a.y + b.y) / 2 + ny * bend };
    const start = edgePoint(a, mid.x - a.x, mid.y - a.y), end = edgePoint(b, mid.x - b.x, mid.y - b.y);
    const actor = t.actors[0];
    const active = t.source === current || t.target === current;
    const path = el("path", {
      d: `M${start.x},${start.y} Q${mid.x},${mid.y} ${end.x},${end.y}`, fill: "none",
      stroke: ACTOR_COLORS[actor] || "#888", "stroke-width": active ? "2.2" : "1.3", opacity: active ? "1" : "0.55",
      "marker-end": `url(#arrow-${actor})`,
    });
    path.append(el("title", {}, `${t.actions.join(" / ")}（${t.actors.join("、")}）`));
    svg.append(path);
  }
  const zh = Object.fromEntries(graph.states.map((s) => [s.name, s]));
  for (const [name, p] of Object.entries(pos)) {
    const x = PAD + p.col * COL, y = PAD + p.row * ROW;
    const cls = name === current ? "node node_current" : visited.has(name) ? "node node_visited" : "node";
    const g = el("g", { class: cls, "data-node": name });
    g.append(el("rect", { x, y, width: BOX_W, height: BOX_H, rx: zh[name]?.terminal ? 22 : 8 }));
    const label = zh[name]?.zh || name;
    const squeeze = label.length > FIT ? { textLength: BOX_W - 12, lengthAdjust: "spacingAndGlyphs" } : {};
    g.append(el("text", { x: x + BOX_W / 2, y: y + 21, "text-anchor": "middle", class: "node-zh", ...squeeze }, label));
    g.append(el("text", { x: x + BOX_W / 2, y: y + 39, "text-anchor": "middle", class: "node-name" }, name));
    svg.append(g);
  }
  const legend = document.createElement("div");
  legend.className = "legend";
  legend.innerHTML = Object.entries({ user: "用户", provider: "腾讯云初审", bureau: "管局", clock: "时钟" })
    .map(([k, v]) => `<span><i style="background:${ACTOR_COLORS[k]}"></i>${v}</span>`).join("");
  container.replaceChildren(svg, legend);
}
