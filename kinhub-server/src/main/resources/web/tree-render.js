// The tree page's drawing: canvas layers, a tile cache per zoom level, sprites, a spatial grid for culling,
// level of detail, the minimap, the camera (see tree-state.js for the state and hooks), the "also in…" markers
// for cross-links to far-away places, and the positional animation of a view switch.
import { state, dom, TILE, ZOOM_STEP, MIN_LEVEL, MAX_LEVEL, COLORS } from "./tree-state.js";
import { t } from "./i18n.js";
import { BOX_WIDTH, BOX_HEIGHT, COUPLE, EXTRA } from "./tree-layout.js";
import { badgeAt } from "./tree-view.js";

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
  buildFarLinks();
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
 * Long links drown the tree: a cross-link (another parent or spouse placed elsewhere) longer than the viewport is
 * left out, and so is any line that long in a focus view; they are drawn again (on the overlay) while a person is selected.
 */
export function tooLong(i) {
  const e = state.laid.edges;
  const kind = state.laid.edgeKinds[i];
  if (kind !== EXTRA && state.view.mode === "all") return false;
  const len = Math.hypot(e[4 * i + 2] - e[4 * i], e[4 * i + 3] - e[4 * i + 1]) * state.camera.scale;
  return len > Math.min(state.width, state.height) * 0.9;
}

/**
 * Draws the nodes and edges inside a world rectangle onto `c`, whose transform maps world to device pixels
 * as (world − origin) · scale · state.dpr. `fresh`: build every box from a path (the naive mode) instead of sprites.
 */
export function drawWorld(c, originX, originY, wx1, wy1, wx2, wy2, fresh) {
  const hit = query(wx1, wy1, wx2, wy2);
  drawEdges(c, hit.edges, originX, originY);
  drawNodes(c, hit.nodes, originX, originY, fresh);
  drawBadges(c, hit.nodes, originX, originY);
  if (state.far.byNode.size) drawMarkers(c, originX, originY, wx1, wy1, wx2, wy2);
}

function drawEdges(c, edges, originX, originY) {
  const s = state.camera.scale * state.dpr;
  const e = state.laid.edges;
  c.lineWidth = Math.max(1, 1.3 * s);
  for (const kind of [0, 1, 2]) {
    c.beginPath();
    c.strokeStyle = kind === EXTRA ? "#c49a4a" : kind === COUPLE ? "#8d7f9f" : "#9aa3ad";
    c.setLineDash(kind === EXTRA ? [6 * s, 4 * s] : []);
    for (const i of edges) {
      if (state.laid.edgeKinds[i] !== kind) continue;
      if (tooLong(i)) continue;
      c.moveTo((e[4 * i] - originX) * s, (e[4 * i + 1] - originY) * s);
      c.lineTo((e[4 * i + 2] - originX) * s, (e[4 * i + 3] - originY) * s);
    }
    c.stroke();
  }
  c.setLineDash([]);
}

/** The "+N" badge under each collapsed person: how many persons the collapse hides (click it to expand). */
function drawBadges(c, indices, originX, originY) {
  const s = state.camera.scale * state.dpr;
  if (!state.hiddenCount.size || BOX_HEIGHT * s < 6) return;
  for (const i of indices) {
    const b = badgeAt(state.laid.ids[i]);
    if (!b) continue;
    const x = (b.x - originX) * s, y = (b.y - originY) * s, r = Math.max(2, b.r * s);
    c.beginPath();
    c.arc(x, y, r, 0, Math.PI * 2);
    c.fillStyle = "#2a6f4e";
    c.fill();
    if (r >= 6) {
      c.fillStyle = "#fff";
      c.font = `600 ${Math.max(1, r * 0.95)}px system-ui, sans-serif`;
      c.textAlign = "center";
      c.textBaseline = "middle";
      c.fillText(`+${b.count}`, x, y);
      c.textAlign = "start";
    }
  }
}

/**
 * Draws persons. Level of detail: no dates below 34 device pixels of box state.height, no text below 22, a plain
 * dot below 3. `fresh` (the naive mode) draws everything like the original viewer: a path, a fill, a stroke and
 * the texts for every person, at any zoom.
 */
export function drawNodes(c, indices, originX, originY, fresh) {
  const s = state.camera.scale * state.dpr;
  const paint = personPainter(c, fresh);
  for (const i of indices) paint(state.nodePerson[i], (state.laid.x[i] - originX) * s, (state.laid.y[i] - originY) * s);
}

/** A function drawing one person's box with its top left at device pixels (x, y), at the current zoom. */
function personPainter(c, fresh) {
  const s = state.camera.scale * state.dpr;
  const h = BOX_HEIGHT * s;
  const w = BOX_WIDTH * s;
  const text = fresh || h >= 22;
  const dates = fresh || h >= 34;
  const fontPx = Math.max(1, Math.min(14 * s, h * (dates ? 0.3 : 0.45)));
  const maxChars = Math.max(1, Math.floor((w - 12 * s) / (fontPx * 0.55)));
  if (h < 3 && !fresh) { // far away: a dot per person
    return (p, x, y) => {
      c.fillStyle = (COLORS[p.gender] || COLORS.unknown).stroke;
      c.fillRect(x, y, Math.max(1, w), Math.max(1, h));
    };
  }
  return (p, x, y) => {
    const colors = COLORS[p.gender] || COLORS.unknown;
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
  };
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
  if (state.selectedId != null && state.nodeIndex.has(state.selectedId)) drawLongLinksOf(state.selectedId);
  if (state.hoverId != null && state.hoverId !== state.selectedId && state.nodeIndex.has(state.hoverId)) drawLongLinksOf(state.hoverId);
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
    if (state.anim) {
      drawAnimationFrame();
      if (state.anim) requestDraw(); // the next frame of the animation
    } else {
      drawCached();
    }
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


/** While a person is selected, the long links left out of the tiles that start or end at their box. */
function drawLongLinksOf(id) {
  const k = state.nodeIndex.get(id);
  const x1 = state.laid.x[k] - 2, y1 = state.laid.y[k] - 2, x2 = x1 + BOX_WIDTH + 4, y2 = y1 + BOX_HEIGHT + 4;
  const e = state.laid.edges;
  const s = state.camera.scale * state.dpr;
  const inside = (x, y) => x >= x1 && x <= x2 && y >= y1 && y <= y2;
  overlayCtx.strokeStyle = "#c49a4a";
  overlayCtx.beginPath();
  for (let i = 0; i < state.laid.edgeKinds.length; i++) {
    if (!tooLong(i)) continue;
    if (!inside(e[4 * i], e[4 * i + 1]) && !inside(e[4 * i + 2], e[4 * i + 3])) continue;
    overlayCtx.moveTo(e[4 * i] * s + state.camera.tx * state.dpr, e[4 * i + 1] * s + state.camera.ty * state.dpr);
    overlayCtx.lineTo(e[4 * i + 2] * s + state.camera.tx * state.dpr, e[4 * i + 3] * s + state.camera.ty * state.dpr);
  }
  overlayCtx.lineWidth = 2 * state.dpr;
  overlayCtx.setLineDash([6 * state.dpr, 4 * state.dpr]);
  overlayCtx.stroke();
  overlayCtx.setLineDash([]);
}

/** The collapsed person whose badge is under a point of the tree element, if any. */
export function badgeUnder(px, py) {
  if (!state.hiddenCount.size) return null;
  const wx = (px - state.camera.tx) / state.camera.scale;
  const wy = (py - state.camera.ty) / state.camera.scale;
  for (const id of state.hiddenCount.keys()) {
    const b = badgeAt(id);
    if (b && Math.hypot(wx - b.x, wy - b.y) <= b.r + 2) return id;
  }
  return null;
}

// ---- "also in…" markers: cross-links to far-away places ------------------------------------------------------
// Every person is placed once; a cross-link (EXTRA edge: a parent placed in another family, a spouse placed with
// their own parents) can run across the whole canvas. While such a link is too long to follow (tooLong), it is
// left out of the tiles and the relative at its far end gets a compact marker "↗ Name" that jumps to the person
// the link leads to. Markers are computed after each layout from its output alone (boxes and edges), and sit in
// the free band under the box, right of the centre line (where no connector of the layout runs: child connectors
// leave a box at its centre or between spouses, the collapse badge sits on the centre line, the next row's
// connectors start ROW_GAP / 2 lower).
export const MARKER = { dx: BOX_WIDTH / 2 + 13, dy: BOX_HEIGHT + 4, w: BOX_WIDTH / 2 - 14, h: 20 };

/** Maps each EXTRA edge to the two persons it joins (by their boxes), grouped by the relative at the far end. */
function buildFarLinks() {
  const byNode = new Map();
  state.far = { byNode };
  const laid = state.laid;
  if (!laid.edgeKinds.includes(EXTRA)) return;
  const at = new Map(); // a box's top left (rounded to 1/16) → node index
  const key = (x, y) => `${Math.round(x * 16)},${Math.round(y * 16)}`;
  for (let k = 0; k < laid.ids.length; k++) at.set(key(laid.x[k], laid.y[k]), k);
  const e = laid.edges;
  const add = (near, target, edge, kind) => {
    let list = byNode.get(near);
    if (!list) byNode.set(near, (list = []));
    list.push({ edge, target, kind });
  };
  for (let i = 0; i < laid.edgeKinds.length; i++) {
    if (laid.edgeKinds[i] !== EXTRA) continue;
    const x1 = e[4 * i] - BOX_WIDTH / 2, y1 = e[4 * i + 1], x2 = e[4 * i + 2] - BOX_WIDTH / 2, y2 = e[4 * i + 3];
    const parent = at.get(key(x1, y1 - BOX_HEIGHT)), child = at.get(key(x2, y2));
    if (parent !== undefined && child !== undefined) { // a parent placed elsewhere → its child
      add(parent, child, i, "child");
      continue;
    }
    const a = at.get(key(x1, y1 - BOX_HEIGHT / 2)), b = at.get(key(x2, y2 - BOX_HEIGHT / 2));
    if (a !== undefined && b !== undefined) { // spouses placed apart: a marker at either end
      add(a, b, i, "spouse");
      add(b, a, i, "spouse");
    }
  }
  for (const list of byNode.values()) list.sort((p, q) => (p.kind === q.kind ? 0 : p.kind === "spouse" ? -1 : 1));
}

/** The node's cross-links that are too long to draw now (at this zoom), spouses first. */
function activeFar(k) {
  const list = state.far.byNode.get(k);
  if (!list) return null;
  const active = list.filter((l) => tooLong(l.edge));
  return active.length ? active : null;
}

/** "↗ Victoria +2": the first word of the name only, the marker is small (the panel has the full names). */
function markerText(active) {
  const name = state.nodePerson[active[0].target].name.trim().split(/\s+/)[0];
  return t(active.length > 1 ? "tree.marker.more" : "tree.marker.one", { name, more: active.length - 1 });
}

/** Draws the markers of the nodes whose marker band meets the world rectangle. */
function drawMarkers(c, originX, originY, wx1, wy1, wx2, wy2) {
  const s = state.camera.scale * state.dpr;
  const h = MARKER.h * s;
  if (h < 2) return;
  for (const k of query(wx1 - MARKER.dx - MARKER.w, wy1 - MARKER.dy - MARKER.h, wx2, wy2).nodes) {
    const active = activeFar(k);
    if (!active) continue;
    const x = (state.laid.x[k] + MARKER.dx - originX) * s, y = (state.laid.y[k] + MARKER.dy - originY) * s, w = MARKER.w * s;
    boxPath(c, x, y, w, h, Math.min(h / 2, 6 * s));
    c.fillStyle = "#fff4df";
    c.fill();
    c.lineWidth = Math.max(1, s);
    c.strokeStyle = "#c49a4a";
    c.stroke();
    if (h >= 9) {
      const fontPx = h * 0.5;
      c.fillStyle = "#6b4d12";
      c.font = `600 ${fontPx}px system-ui, sans-serif`;
      c.textBaseline = "middle";
      let text = markerText(active);
      for (let n = text.length - 1; n > 1 && c.measureText(text).width > w - 6 * s; n--) text = `${text.slice(0, n - 1)}…`;
      c.fillText(text, x + 4 * s, y + h / 2);
    }
  }
}

/** The marker under a point of the tree element: { near, target } ids, or null. */
export function markerUnder(px, py) {
  if (!state.laid || !state.far.byNode.size) return null;
  const wx = (px - state.camera.tx) / state.camera.scale;
  const wy = (py - state.camera.ty) / state.camera.scale;
  for (const k of query(wx - MARKER.dx - MARKER.w, wy - MARKER.dy - MARKER.h, wx, wy).nodes) {
    const mx = state.laid.x[k] + MARKER.dx, my = state.laid.y[k] + MARKER.dy;
    if (wx < mx || wx > mx + MARKER.w || wy < my || wy > my + MARKER.h) continue;
    const active = activeFar(k);
    if (active) return { near: state.laid.ids[k], target: state.laid.ids[active[0].target] };
  }
  return null;
}

/** The markers drawn now (whole layout, not only the viewport), for tests: centres in CSS pixels of the tree element. */
export function markers() {
  const out = [];
  if (!state.laid) return out;
  for (const k of state.far.byNode.keys()) {
    const active = activeFar(k);
    if (!active) continue;
    out.push({ near: state.laid.ids[k], personId: state.laid.ids[active[0].target], targets: active.map((l) => state.laid.ids[l.target]),
      kinds: active.map((l) => l.kind), text: markerText(active),
      at: { x: (state.laid.x[k] + MARKER.dx + MARKER.w / 2) * state.camera.scale + state.camera.tx,
        y: (state.laid.y[k] + MARKER.dy + MARKER.h / 2) * state.camera.scale + state.camera.ty },
      size: { width: MARKER.w * state.camera.scale, height: MARKER.h * state.camera.scale } });
  }
  return out;
}

/** Every relative a person's cross-links lead to (at any zoom), for the panel: ids. */
export function farTargetsOf(id) {
  const k = state.nodeIndex.get(id);
  const list = k === undefined ? null : state.far.byNode.get(k);
  return list ? list.map((l) => state.laid.ids[l.target]) : [];
}

// ---- the positional animation of a view switch ----------------------------------------------------------------
// Persons in both the old and the new layout move from where they were drawn to their new place, persons entering
// fade in, persons leaving fade out; the camera is already where the new view wants it (the focus person's old and
// new screen positions are the same, so it stays put). Positions are kept in the new layout's world coordinates,
// so panning and zooming during the animation work. A frame draws only the persons inside the viewport.
const DURATION = 300;
const now = () => (state.clock ? state.clock() : performance.now());
const ease = (x) => (x < 0.5 ? 4 * x * x * x : 1 - (-2 * x + 2) ** 3 / 2);
export const animationStats = { frames: 0 }; // intermediate frames drawn (tests: none under reduced motion)

/** Where each person is drawn right now (`laid`: the layout on screen): id → { x, y (centre, CSS pixels), alpha }. */
export function scene(laid = state.laid) {
  const out = new Map();
  const { scale, tx, ty } = state.camera;
  if (state.anim) {
    const e = state.anim.e;
    for (const it of state.anim.items) {
      const alpha = it.a0 + (it.a1 - it.a0) * e;
      if (alpha <= 0) continue;
      out.set(it.id, { x: (it.x0 + (it.x1 - it.x0) * e + BOX_WIDTH / 2) * scale + tx,
        y: (it.y0 + (it.y1 - it.y0) * e + BOX_HEIGHT / 2) * scale + ty, alpha });
    }
    return out;
  }
  if (!laid) return out;
  for (let k = 0; k < laid.ids.length; k++) {
    out.set(laid.ids[k], { x: (laid.x[k] + BOX_WIDTH / 2) * scale + tx, y: (laid.y[k] + BOX_HEIGHT / 2) * scale + ty, alpha: 1 });
  }
  return out;
}

/** Animates from `from` (a scene() taken before the new layout) to the layout installed now, with the current camera. */
export function animateFrom(from) {
  state.anim = null;
  const reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  if (reduced || !from || !from.size || !state.laid) {
    requestDraw();
    return;
  }
  const { scale, tx, ty } = state.camera;
  const items = [];
  const toWorld = (p) => ({ x: (p.x - tx) / scale - BOX_WIDTH / 2, y: (p.y - ty) / scale - BOX_HEIGHT / 2 });
  for (let k = 0; k < state.laid.ids.length; k++) {
    const id = state.laid.ids[k], x1 = state.laid.x[k], y1 = state.laid.y[k];
    const was = from.get(id);
    const w = was ? toWorld(was) : null;
    items.push({ id, person: state.nodePerson[k], x0: w ? w.x : x1, y0: w ? w.y : y1, x1, y1, a0: was ? was.alpha : 0, a1: 1 });
  }
  for (const [id, was] of from) {
    if (state.nodeIndex.has(id) || !state.personById.has(id)) continue;
    const w = toWorld(was);
    items.push({ id, person: state.personById.get(id), x0: w.x, y0: w.y, x1: w.x, y1: w.y, a0: was.alpha, a1: 0 });
  }
  state.anim = { start: now(), items, e: 0, t: 0 };
  requestDraw();
}

/** One frame of the animation on the base layer; ends it (back to the tiles) once its time is up. */
function drawAnimationFrame() {
  const a = state.anim;
  const tNow = Math.max(0, Math.min(1, (now() - a.start) / DURATION));
  if (tNow >= 1) {
    state.anim = null;
    drawCached();
    return;
  }
  a.t = tNow;
  a.e = ease(tNow);
  if (tNow > 0) animationStats.frames++;
  const { scale, tx, ty } = state.camera;
  const s = scale * state.dpr;
  baseCtx.setTransform(1, 0, 0, 1, 0, 0);
  baseCtx.globalAlpha = 1;
  baseCtx.fillStyle = "#fbfbf8";
  baseCtx.fillRect(0, 0, base.width, base.height);
  const wx1 = -tx / scale, wy1 = -ty / scale, wx2 = (state.width - tx) / scale, wy2 = (state.height - ty) / scale;
  baseCtx.globalAlpha = a.e * a.e; // the new view's lines fade in as the boxes reach their places
  drawEdges(baseCtx, query(wx1, wy1, wx2, wy2).edges, wx1, wy1);
  const paint = personPainter(baseCtx, false);
  for (const it of a.items) {
    const x = it.x0 + (it.x1 - it.x0) * a.e, y = it.y0 + (it.y1 - it.y0) * a.e;
    if (x > wx2 || x + BOX_WIDTH < wx1 || y > wy2 || y + BOX_HEIGHT < wy1) continue;
    const alpha = it.a0 + (it.a1 - it.a0) * a.e;
    if (alpha <= 0) continue;
    baseCtx.globalAlpha = alpha;
    paint(it.person, (x - wx1) * s, (y - wy1) * s);
  }
  baseCtx.globalAlpha = 1;
}
