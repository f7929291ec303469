// The tree page's drawing: canvas layers, a tile cache per zoom level, sprites, a spatial grid for culling,
// level of detail, the minimap, and the camera (see tree-state.js for the state and hooks).
import { state, dom, TILE, ZOOM_STEP, MIN_LEVEL, MAX_LEVEL, COLORS } from "./tree-state.js";
import { BOX_WIDTH, BOX_HEIGHT, COUPLE, EXTRA } from "./tree-layout.js";

// ---- layers ------------------------------------------------------------------------------------------------
function layer(parent, name) {
  const canvas = document.createElement("canvas");
  canvas.className = name;
  parent.appendChild(canvas);
  return canvas;
}
const base = layer(dom.tree, "tree-layer");
const overlay = layer(dom.tree, "overlay-layer");
const miniBase = layer(dom.minimap, "minimap-layer");
const miniView = layer(dom.minimap, "minimap-viewport-layer");
export const baseCtx = base.getContext("2d", { alpha: false });
const overlayCtx = overlay.getContext("2d");
const miniBaseCtx = miniBase.getContext("2d");
const miniViewCtx = miniView.getContext("2d");

function sizeCanvas(canvas, w, h) {
  canvas.width = Math.max(1, Math.round(w * state.dpr));
  canvas.height = Math.max(1, Math.round(h * state.dpr));
  canvas.style.width = `${w}px`;
  canvas.style.height = `${h}px`;
}

export function resize() {
  const newDpr = window.devicePixelRatio || 1;
  if (newDpr !== state.dpr) {
    state.dpr = newDpr;
    tiles.clear();
    sprites.clear();
  }
  state.width = dom.tree.clientWidth;
  state.height = dom.tree.clientHeight;
  sizeCanvas(base, state.width, state.height);
  sizeCanvas(overlay, state.width, state.height);
  sizeCanvas(miniBase, dom.minimap.clientWidth, dom.minimap.clientHeight);
  sizeCanvas(miniView, dom.minimap.clientWidth, dom.minimap.clientHeight);
  if (state.laid) {
    drawMinimapBase();
    requestDraw();
  }
}

// ---- spatial index: a uniform state.grid over world coordinates ---------------------------------------------------
const CELL_W = 2048;
const CELL_H = 1024;

export function buildGrid() {
  const cells = new Map();
  const key = (cx, cy) => cx * 1048576 + cy;
  const put = (cx, cy, value) => {
    const k = key(cx, cy);
    let list = cells.get(k);
    if (!list) cells.set(k, (list = []));
    list.push(value);
  };
  for (let i = 0; i < state.laid.ids.length; i++) {
    const x = state.laid.x[i], y = state.laid.y[i];
    for (let cx = Math.floor(x / CELL_W); cx <= Math.floor((x + BOX_WIDTH) / CELL_W); cx++) {
      for (let cy = Math.floor(y / CELL_H); cy <= Math.floor((y + BOX_HEIGHT) / CELL_H); cy++) put(cx, cy, i);
    }
  }
  // edges go into the cells their bounding box covers; very long ones are kept aside and always considered
  const longEdges = [];
  const e = state.laid.edges;
  for (let s = 0; s < state.laid.edgeKinds.length; s++) {
    const x1 = Math.min(e[4 * s], e[4 * s + 2]), x2 = Math.max(e[4 * s], e[4 * s + 2]);
    const y1 = Math.min(e[4 * s + 1], e[4 * s + 3]), y2 = Math.max(e[4 * s + 1], e[4 * s + 3]);
    const cx1 = Math.floor(x1 / CELL_W), cx2 = Math.floor(x2 / CELL_W), cy1 = Math.floor(y1 / CELL_H), cy2 = Math.floor(y2 / CELL_H);
    if ((cx2 - cx1 + 1) * (cy2 - cy1 + 1) > 64) {
      longEdges.push(s);
      continue;
    }
    for (let cx = cx1; cx <= cx2; cx++) for (let cy = cy1; cy <= cy2; cy++) put(cx, cy, -1 - s);
  }
  state.grid = { cells, key, longEdges };
}

/** Node indices and edge indices intersecting a world rectangle (each once). */
export function query(x1, y1, x2, y2) {
  const nodes = [];
  const edges = [];
  const seen = new Set();
  for (let cx = Math.floor(x1 / CELL_W); cx <= Math.floor(x2 / CELL_W); cx++) {
    for (let cy = Math.floor(y1 / CELL_H); cy <= Math.floor(y2 / CELL_H); cy++) {
      const list = state.grid.cells.get(state.grid.key(cx, cy));
      if (!list) continue;
      for (const v of list) {
        if (seen.has(v)) continue;
        seen.add(v);
        if (v >= 0) {
          const x = state.laid.x[v], y = state.laid.y[v];
          if (x <= x2 && x + BOX_WIDTH >= x1 && y <= y2 && y + BOX_HEIGHT >= y1) nodes.push(v);
        } else {
          edges.push(-1 - v);
        }
      }
    }
  }
  for (const s of state.grid.longEdges) edges.push(s);
  return { nodes, edges };
}

// ---- drawing -------------------------------------------------------------------------------------------------
const sprites = new Map(); // `${level}:${gender}:${variant}` → canvas

/** The box of one gender at one zoom level, drawn once and stamped with drawImage afterwards. */
function sprite(gender, variant) {
  const k = `${state.camera.level}:${gender}:${variant}`;
  let s = sprites.get(k);
  if (s) return s;
  const w = Math.max(1, Math.ceil(BOX_WIDTH * state.camera.scale * state.dpr));
  const h = Math.max(1, Math.ceil(BOX_HEIGHT * state.camera.scale * state.dpr));
  s = document.createElement("canvas");
  s.width = w + 2;
  s.height = h + 2;
  const c = s.getContext("2d");
  boxPath(c, 1, 1, w, h, Math.min(8 * state.camera.scale * state.dpr, h / 3));
  c.fillStyle = COLORS[gender].fill;
  c.fill();
  c.lineWidth = Math.max(1, 1.2 * state.camera.scale * state.dpr);
  c.strokeStyle = COLORS[gender].stroke;
  c.stroke();
  sprites.set(k, s);
  return s;
}

export function boxPath(c, x, y, w, h, r) {
  c.beginPath();
  c.moveTo(x + r, y);
  c.arcTo(x + w, y, x + w, y + h, r);
  c.arcTo(x + w, y + h, x, y + h, r);
  c.arcTo(x, y + h, x, y, r);
  c.arcTo(x, y, x + w, y, r);
  c.closePath();
}

function years(p) {
  const b = p.birthDate ? p.birthDate.replace(/^\((.*)\)$/, "$1") : "";
  const d = p.deathDate ? p.deathDate.replace(/^\((.*)\)$/, "$1") : "";
  return b || d ? `${b || "?"} – ${d}` : "";
}

function fit(text, maxChars) {
  return text.length <= maxChars ? text : `${text.slice(0, Math.max(1, maxChars - 1))}…`;
}

/**
 * Draws the nodes and edges inside a world rectangle onto `c`, whose transform maps world to device pixels
 * as (world − origin) · scale · state.dpr. `fresh`: build every box from a path (the naive mode) instead of sprites.
 */
export function drawWorld(c, originX, originY, wx1, wy1, wx2, wy2, fresh) {
  const s = state.camera.scale * state.dpr;
  const hit = query(wx1, wy1, wx2, wy2);
  const e = state.laid.edges;
  c.lineWidth = Math.max(1, 1.3 * s);
  for (const kind of [0, 1, 2]) {
    c.beginPath();
    c.strokeStyle = kind === EXTRA ? "#c49a4a" : kind === COUPLE ? "#8d7f9f" : "#9aa3ad";
    c.setLineDash(kind === EXTRA ? [6 * s, 4 * s] : []);
    for (const i of hit.edges) {
      if (state.laid.edgeKinds[i] !== kind) continue;
      c.moveTo((e[4 * i] - originX) * s, (e[4 * i + 1] - originY) * s);
      c.lineTo((e[4 * i + 2] - originX) * s, (e[4 * i + 3] - originY) * s);
    }
    c.stroke();
  }
  c.setLineDash([]);
  drawNodes(c, hit.nodes, originX, originY, fresh);
}

/**
 * Draws persons. Level of detail: no dates below 34 device pixels of box state.height, no text below 22, a plain
 * dot below 3. `fresh` (the naive mode) draws everything like the original viewer: a path, a fill, a stroke and
 * the texts for every person, at any zoom.
 */
export function drawNodes(c, indices, originX, originY, fresh) {
  const s = state.camera.scale * state.dpr;
  const h = BOX_HEIGHT * s;
  const w = BOX_WIDTH * s;
  const text = fresh || h >= 22;
  const dates = fresh || h >= 34;
  const fontPx = Math.max(1, Math.min(14 * s, h * (dates ? 0.3 : 0.45)));
  const maxChars = Math.max(1, Math.floor((w - 12 * s) / (fontPx * 0.55)));
  if (h < 3 && !fresh) { // far away: a dot per person
    for (const i of indices) {
      c.fillStyle = (COLORS[state.nodePerson[i].gender] || COLORS.unknown).stroke;
      c.fillRect((state.laid.x[i] - originX) * s, (state.laid.y[i] - originY) * s, Math.max(1, w), Math.max(1, h));
    }
    return;
  }
  for (const i of indices) {
    const p = state.nodePerson[i];
    const colors = COLORS[p.gender] || COLORS.unknown;
    const x = (state.laid.x[i] - originX) * s;
    const y = (state.laid.y[i] - originY) * s;
    if (fresh) {
      boxPath(c, x, y, w, h, Math.min(8 * s, h / 3));
      c.fillStyle = colors.fill;
      c.fill();
      c.lineWidth = Math.max(1, 1.2 * s);
      c.strokeStyle = colors.stroke;
      c.stroke();
    } else {
      c.drawImage(sprite(COLORS[p.gender] ? p.gender : "unknown", 0), x - 1, y - 1);
    }
    if (text) {
      c.fillStyle = "#1f2933";
      c.font = `600 ${fontPx}px system-ui, sans-serif`;
      c.textBaseline = "middle";
      c.fillText(fit(p.name, maxChars), x + 6 * s, y + (dates ? h * 0.34 : h / 2));
      if (dates) {
        const span = years(p);
        if (span) {
          c.fillStyle = "#5f6b7a";
          c.font = `${fontPx * 0.85}px system-ui, sans-serif`;
          c.fillText(fit(span, maxChars + 4), x + 6 * s, y + h * 0.7);
        }
      }
    }
  }
}

// tiles: the drawn tree cut into TILE×TILE CSS-pixel squares per zoom level, least recently used dropped first
const tiles = new Map();

/** Forgets the drawn tiles (after a new layout). */
export function clearTiles() {
  tiles.clear();
}

function tileBudget() {
  return Math.max(24, Math.floor(256e6 / (TILE * TILE * state.dpr * state.dpr * 4)));
}

function tile(i, j) {
  const k = `${state.camera.level}:${i}:${j}`;
  let t = tiles.get(k);
  if (t) {
    tiles.delete(k);
    tiles.set(k, t);
    return t;
  }
  t = document.createElement("canvas");
  t.width = Math.ceil(TILE * state.dpr);
  t.height = Math.ceil(TILE * state.dpr);
  const c = t.getContext("2d");
  const size = TILE / state.camera.scale;
  const wx = i * size;
  const wy = j * size;
  drawWorld(c, wx, wy, wx, wy, wx + size, wy + size, false);
  tiles.set(k, t);
  while (tiles.size > tileBudget()) tiles.delete(tiles.keys().next().value);
  return t;
}

/** One full viewport redraw from the tile cache: a pan is only drawImage calls. */
export function drawCached() {
  baseCtx.setTransform(1, 0, 0, 1, 0, 0);
  baseCtx.fillStyle = "#fbfbf8";
  baseCtx.fillRect(0, 0, base.width, base.height);
  const i1 = Math.floor(-state.camera.tx / TILE), i2 = Math.floor((state.width - state.camera.tx) / TILE);
  const j1 = Math.floor(-state.camera.ty / TILE), j2 = Math.floor((state.height - state.camera.ty) / TILE);
  for (let i = i1; i <= i2; i++) {
    for (let j = j1; j <= j2; j++) {
      baseCtx.drawImage(tile(i, j), Math.round((i * TILE + state.camera.tx) * state.dpr), Math.round((j * TILE + state.camera.ty) * state.dpr));
    }
  }
}

/** One full viewport redraw the way the original viewer did it: every visible person from scratch. */
export function drawNaive() {
  baseCtx.setTransform(1, 0, 0, 1, 0, 0);
  baseCtx.fillStyle = "#fbfbf8";
  baseCtx.fillRect(0, 0, base.width, base.height);
  const s = state.camera.scale;
  const wx1 = -state.camera.tx / s, wy1 = -state.camera.ty / s, wx2 = (state.width - state.camera.tx) / s, wy2 = (state.height - state.camera.ty) / s;
  const visible = [];
  for (let i = 0; i < state.laid.ids.length; i++) {
    const x = state.laid.x[i], y = state.laid.y[i];
    if (x <= wx2 && x + BOX_WIDTH >= wx1 && y <= wy2 && y + BOX_HEIGHT >= wy1) visible.push(i);
  }
  const e = state.laid.edges;
  baseCtx.strokeStyle = "#9aa3ad";
  baseCtx.lineWidth = Math.max(1, 1.3 * s * state.dpr);
  for (let i = 0; i < state.laid.edgeKinds.length; i++) {
    const x1 = e[4 * i], y1 = e[4 * i + 1], x2 = e[4 * i + 2], y2 = e[4 * i + 3];
    if (Math.max(x1, x2) < wx1 || Math.min(x1, x2) > wx2 || Math.max(y1, y2) < wy1 || Math.min(y1, y2) > wy2) continue;
    baseCtx.beginPath();
    baseCtx.moveTo((x1 - wx1) * s * state.dpr, (y1 - wy1) * s * state.dpr);
    baseCtx.lineTo((x2 - wx1) * s * state.dpr, (y2 - wy1) * s * state.dpr);
    baseCtx.stroke();
  }
  drawNodes(baseCtx, visible, wx1, wy1, true);
}

export function drawOverlay() {
  overlayCtx.setTransform(1, 0, 0, 1, 0, 0);
  overlayCtx.clearRect(0, 0, overlay.width, overlay.height);
  for (const [id, color, line] of [[state.hoverId, "rgba(42,111,78,.45)", 2], [state.selectedId, "#2a6f4e", 3]]) {
    if (id == null || !state.nodeIndex.has(id)) continue;
    const k = state.nodeIndex.get(id);
    const s = state.camera.scale * state.dpr;
    overlayCtx.lineWidth = line * state.dpr;
    overlayCtx.strokeStyle = color;
    boxPath(overlayCtx, (state.laid.x[k] * state.camera.scale + state.camera.tx) * state.dpr - 2 * state.dpr, (state.laid.y[k] * state.camera.scale + state.camera.ty) * state.dpr - 2 * state.dpr,
      BOX_WIDTH * s + 4 * state.dpr, BOX_HEIGHT * s + 4 * state.dpr, Math.min(10 * s, 8 * state.dpr));
    overlayCtx.stroke();
  }
  for (const hook of state.hooks.overlays) hook(overlayCtx);
}

// ---- minimap: a base layer drawn once per layout, a viewport layer drawn on every move --------------------------
export function drawMinimapBase() {
  const w = dom.minimap.clientWidth, h = dom.minimap.clientHeight;
  const b = state.laid.bounds;
  const bw = Math.max(1, b.maxX - b.minX), bh = Math.max(1, b.maxY - b.minY);
  const scale = Math.min((w - 8) / bw, (h - 8) / bh);
  state.mini = { scale, ox: (w - bw * scale) / 2 - b.minX * scale, oy: (h - bh * scale) / 2 - b.minY * scale };
  miniBaseCtx.setTransform(state.dpr, 0, 0, state.dpr, 0, 0);
  miniBaseCtx.fillStyle = "#fff";
  miniBaseCtx.fillRect(0, 0, w, h);
  const w1 = Math.max(1, BOX_WIDTH * scale), h1 = Math.max(1, BOX_HEIGHT * scale);
  for (let i = 0; i < state.laid.ids.length; i++) {
    miniBaseCtx.fillStyle = (COLORS[state.nodePerson[i].gender] || COLORS.unknown).stroke;
    miniBaseCtx.fillRect(state.laid.x[i] * scale + state.mini.ox, state.laid.y[i] * scale + state.mini.oy, w1, h1);
  }
}

export function drawMinimapViewport() {
  miniViewCtx.setTransform(state.dpr, 0, 0, state.dpr, 0, 0);
  miniViewCtx.clearRect(0, 0, dom.minimap.clientWidth, dom.minimap.clientHeight);
  const x = (-state.camera.tx / state.camera.scale) * state.mini.scale + state.mini.ox;
  const y = (-state.camera.ty / state.camera.scale) * state.mini.scale + state.mini.oy;
  const w = Math.max(3, (state.width / state.camera.scale) * state.mini.scale);
  const h = Math.max(3, (state.height / state.camera.scale) * state.mini.scale);
  miniViewCtx.fillStyle = "rgba(42,111,78,.12)";
  miniViewCtx.fillRect(x, y, w, h);
  miniViewCtx.lineWidth = 1.5;
  miniViewCtx.strokeStyle = "#2a6f4e";
  miniViewCtx.strokeRect(x, y, w, h);
}

let drawQueued = false;
export function requestDraw() {
  if (drawQueued || !state.laid) return;
  drawQueued = true;
  requestAnimationFrame(() => {
    drawQueued = false;
    drawCached();
    drawOverlay();
    drawMinimapViewport();
  });
}

// ---- state.camera -------------------------------------------------------------------------------------------------
export function setLevel(level, anchorX, anchorY) {
  level = Math.max(MIN_LEVEL, Math.min(MAX_LEVEL, level));
  if (level === state.camera.level) return;
  const scale = ZOOM_STEP ** level;
  state.camera.tx = anchorX - ((anchorX - state.camera.tx) * scale) / state.camera.scale;
  state.camera.ty = anchorY - ((anchorY - state.camera.ty) * scale) / state.camera.scale;
  state.camera.level = level;
  state.camera.scale = scale;
  requestDraw();
}

export function centerOn(id) {
  const k = state.nodeIndex.get(id);
  state.camera.tx = state.width / 2 - (state.laid.x[k] + BOX_WIDTH / 2) * state.camera.scale;
  state.camera.ty = state.height / 2 - (state.laid.y[k] + BOX_HEIGHT / 2) * state.camera.scale;
  requestDraw();
}

export function pan(dx, dy) {
  state.camera.tx += dx;
  state.camera.ty += dy;
  requestDraw();
}

/** The person under a point of the tree element, if any. */
export function personAt(px, py) {
  const wx = (px - state.camera.tx) / state.camera.scale;
  const wy = (py - state.camera.ty) / state.camera.scale;
  for (const i of query(wx, wy, wx, wy).nodes) {
    if (wx >= state.laid.x[i] && wx <= state.laid.x[i] + BOX_WIDTH && wy >= state.laid.y[i] && wy <= state.laid.y[i] + BOX_HEIGHT) return state.laid.ids[i];
  }
  return null;
}

