// The family-tree viewer (/families/{id}/tree): canvas layers, a tile cache per zoom level, sprites, a
// spatial grid for culling, level of detail, a minimap, search, details, and window.kinhubTree for tests and
// benchmarks (API.md, "Web pages").
import { api, ApiError } from "./api.js";
import { t, has, problemMessage } from "./i18n.js";
import { startPage } from "./page.js";
import { layout as layoutHere, BOX_WIDTH, BOX_HEIGHT, COUPLE, EXTRA } from "./tree-layout.js";

const familyId = decodeURIComponent(location.pathname.split("/")[2] || "");
const treeEl = document.getElementById("tree");
const minimapEl = document.getElementById("minimap");
const detailsEl = document.getElementById("details");
const progressEl = document.getElementById("progress");
const searchEl = document.getElementById("search");
const searchStatus = document.getElementById("search-status");

let resolveReady;
let rejectReady;
const ready = new Promise((resolve, reject) => { resolveReady = resolve; rejectReady = reject; });
ready.catch(() => {});

const TILE = 512; // tile edge in CSS pixels
const ZOOM_STEP = 1.25; // scale = ZOOM_STEP ** level
const MIN_LEVEL = -40;
const MAX_LEVEL = 6;
const COLORS = {
  male: { fill: "#dde9f7", stroke: "#5b7fa8" },
  female: { fill: "#f8e0e8", stroke: "#b0647e" },
  unknown: { fill: "#ecece6", stroke: "#8a8a80" },
};

// ---- state -----------------------------------------------------------------------------------------------
let persons = [];
const personById = new Map();
const childrenOf = new Map();
let laid = null; // the layout: node k is person ids[k] at (x[k], y[k]); edges, edgeKinds, bounds
let nodeIndex = new Map(); // id → node index
let nodePerson = []; // node index → person
let grid = null;
const camera = { level: 0, scale: 1, tx: 0, ty: 0 };
let dpr = window.devicePixelRatio || 1;
let width = 0;
let height = 0;
let selectedId = null;
let hoverId = null;
let order = "western";
const overlayHooks = []; // (ctx) => void, drawn over the selection (tree-relationship.js)
const detailsHooks = []; // (id, detailsEl) => void, after the details panel is filled

// ---- layers ------------------------------------------------------------------------------------------------
function layer(parent, name) {
  const canvas = document.createElement("canvas");
  canvas.className = name;
  parent.appendChild(canvas);
  return canvas;
}
const base = layer(treeEl, "tree-layer");
const overlay = layer(treeEl, "overlay-layer");
const miniBase = layer(minimapEl, "minimap-layer");
const miniView = layer(minimapEl, "minimap-viewport-layer");
const baseCtx = base.getContext("2d", { alpha: false });
const overlayCtx = overlay.getContext("2d");
const miniBaseCtx = miniBase.getContext("2d");
const miniViewCtx = miniView.getContext("2d");

function sizeCanvas(canvas, w, h) {
  canvas.width = Math.max(1, Math.round(w * dpr));
  canvas.height = Math.max(1, Math.round(h * dpr));
  canvas.style.width = `${w}px`;
  canvas.style.height = `${h}px`;
}

function resize() {
  const newDpr = window.devicePixelRatio || 1;
  if (newDpr !== dpr) {
    dpr = newDpr;
    tiles.clear();
    sprites.clear();
  }
  width = treeEl.clientWidth;
  height = treeEl.clientHeight;
  sizeCanvas(base, width, height);
  sizeCanvas(overlay, width, height);
  sizeCanvas(miniBase, minimapEl.clientWidth, minimapEl.clientHeight);
  sizeCanvas(miniView, minimapEl.clientWidth, minimapEl.clientHeight);
  if (laid) {
    drawMinimapBase();
    requestDraw();
  }
}

// ---- spatial index: a uniform grid over world coordinates ---------------------------------------------------
const CELL_W = 2048;
const CELL_H = 1024;

function buildGrid() {
  const cells = new Map();
  const key = (cx, cy) => cx * 1048576 + cy;
  const put = (cx, cy, value) => {
    const k = key(cx, cy);
    let list = cells.get(k);
    if (!list) cells.set(k, (list = []));
    list.push(value);
  };
  for (let i = 0; i < laid.ids.length; i++) {
    const x = laid.x[i], y = laid.y[i];
    for (let cx = Math.floor(x / CELL_W); cx <= Math.floor((x + BOX_WIDTH) / CELL_W); cx++) {
      for (let cy = Math.floor(y / CELL_H); cy <= Math.floor((y + BOX_HEIGHT) / CELL_H); cy++) put(cx, cy, i);
    }
  }
  // edges go into the cells their bounding box covers; very long ones are kept aside and always considered
  const longEdges = [];
  const e = laid.edges;
  for (let s = 0; s < laid.edgeKinds.length; s++) {
    const x1 = Math.min(e[4 * s], e[4 * s + 2]), x2 = Math.max(e[4 * s], e[4 * s + 2]);
    const y1 = Math.min(e[4 * s + 1], e[4 * s + 3]), y2 = Math.max(e[4 * s + 1], e[4 * s + 3]);
    const cx1 = Math.floor(x1 / CELL_W), cx2 = Math.floor(x2 / CELL_W), cy1 = Math.floor(y1 / CELL_H), cy2 = Math.floor(y2 / CELL_H);
    if ((cx2 - cx1 + 1) * (cy2 - cy1 + 1) > 64) {
      longEdges.push(s);
      continue;
    }
    for (let cx = cx1; cx <= cx2; cx++) for (let cy = cy1; cy <= cy2; cy++) put(cx, cy, -1 - s);
  }
  grid = { cells, key, longEdges };
}

/** Node indices and edge indices intersecting a world rectangle (each once). */
function query(x1, y1, x2, y2) {
  const nodes = [];
  const edges = [];
  const seen = new Set();
  for (let cx = Math.floor(x1 / CELL_W); cx <= Math.floor(x2 / CELL_W); cx++) {
    for (let cy = Math.floor(y1 / CELL_H); cy <= Math.floor(y2 / CELL_H); cy++) {
      const list = grid.cells.get(grid.key(cx, cy));
      if (!list) continue;
      for (const v of list) {
        if (seen.has(v)) continue;
        seen.add(v);
        if (v >= 0) {
          const x = laid.x[v], y = laid.y[v];
          if (x <= x2 && x + BOX_WIDTH >= x1 && y <= y2 && y + BOX_HEIGHT >= y1) nodes.push(v);
        } else {
          edges.push(-1 - v);
        }
      }
    }
  }
  for (const s of grid.longEdges) edges.push(s);
  return { nodes, edges };
}

// ---- drawing -------------------------------------------------------------------------------------------------
const sprites = new Map(); // `${level}:${gender}:${variant}` → canvas

/** The box of one gender at one zoom level, drawn once and stamped with drawImage afterwards. */
function sprite(gender, variant) {
  const k = `${camera.level}:${gender}:${variant}`;
  let s = sprites.get(k);
  if (s) return s;
  const w = Math.max(1, Math.ceil(BOX_WIDTH * camera.scale * dpr));
  const h = Math.max(1, Math.ceil(BOX_HEIGHT * camera.scale * dpr));
  s = document.createElement("canvas");
  s.width = w + 2;
  s.height = h + 2;
  const c = s.getContext("2d");
  boxPath(c, 1, 1, w, h, Math.min(8 * camera.scale * dpr, h / 3));
  c.fillStyle = COLORS[gender].fill;
  c.fill();
  c.lineWidth = Math.max(1, 1.2 * camera.scale * dpr);
  c.strokeStyle = COLORS[gender].stroke;
  c.stroke();
  sprites.set(k, s);
  return s;
}

function boxPath(c, x, y, w, h, r) {
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
 * as (world − origin) · scale · dpr. `fresh`: build every box from a path (the naive mode) instead of sprites.
 */
function drawWorld(c, originX, originY, wx1, wy1, wx2, wy2, fresh) {
  const s = camera.scale * dpr;
  const hit = query(wx1, wy1, wx2, wy2);
  const e = laid.edges;
  c.lineWidth = Math.max(1, 1.3 * s);
  for (const kind of [0, 1, 2]) {
    c.beginPath();
    c.strokeStyle = kind === EXTRA ? "#c49a4a" : kind === COUPLE ? "#8d7f9f" : "#9aa3ad";
    c.setLineDash(kind === EXTRA ? [6 * s, 4 * s] : []);
    for (const i of hit.edges) {
      if (laid.edgeKinds[i] !== kind) continue;
      c.moveTo((e[4 * i] - originX) * s, (e[4 * i + 1] - originY) * s);
      c.lineTo((e[4 * i + 2] - originX) * s, (e[4 * i + 3] - originY) * s);
    }
    c.stroke();
  }
  c.setLineDash([]);
  drawNodes(c, hit.nodes, originX, originY, fresh);
}

/**
 * Draws persons. Level of detail: no dates below 34 device pixels of box height, no text below 22, a plain
 * dot below 3. `fresh` (the naive mode) draws everything like the original viewer: a path, a fill, a stroke and
 * the texts for every person, at any zoom.
 */
function drawNodes(c, indices, originX, originY, fresh) {
  const s = camera.scale * dpr;
  const h = BOX_HEIGHT * s;
  const w = BOX_WIDTH * s;
  const text = fresh || h >= 22;
  const dates = fresh || h >= 34;
  const fontPx = Math.max(1, Math.min(14 * s, h * (dates ? 0.3 : 0.45)));
  const maxChars = Math.max(1, Math.floor((w - 12 * s) / (fontPx * 0.55)));
  if (h < 3 && !fresh) { // far away: a dot per person
    for (const i of indices) {
      c.fillStyle = (COLORS[nodePerson[i].gender] || COLORS.unknown).stroke;
      c.fillRect((laid.x[i] - originX) * s, (laid.y[i] - originY) * s, Math.max(1, w), Math.max(1, h));
    }
    return;
  }
  for (const i of indices) {
    const p = nodePerson[i];
    const colors = COLORS[p.gender] || COLORS.unknown;
    const x = (laid.x[i] - originX) * s;
    const y = (laid.y[i] - originY) * s;
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
function tileBudget() {
  return Math.max(24, Math.floor(256e6 / (TILE * TILE * dpr * dpr * 4)));
}

function tile(i, j) {
  const k = `${camera.level}:${i}:${j}`;
  let t = tiles.get(k);
  if (t) {
    tiles.delete(k);
    tiles.set(k, t);
    return t;
  }
  t = document.createElement("canvas");
  t.width = Math.ceil(TILE * dpr);
  t.height = Math.ceil(TILE * dpr);
  const c = t.getContext("2d");
  const size = TILE / camera.scale;
  const wx = i * size;
  const wy = j * size;
  drawWorld(c, wx, wy, wx, wy, wx + size, wy + size, false);
  tiles.set(k, t);
  while (tiles.size > tileBudget()) tiles.delete(tiles.keys().next().value);
  return t;
}

/** One full viewport redraw from the tile cache: a pan is only drawImage calls. */
function drawCached() {
  baseCtx.setTransform(1, 0, 0, 1, 0, 0);
  baseCtx.fillStyle = "#fbfbf8";
  baseCtx.fillRect(0, 0, base.width, base.height);
  const i1 = Math.floor(-camera.tx / TILE), i2 = Math.floor((width - camera.tx) / TILE);
  const j1 = Math.floor(-camera.ty / TILE), j2 = Math.floor((height - camera.ty) / TILE);
  for (let i = i1; i <= i2; i++) {
    for (let j = j1; j <= j2; j++) {
      baseCtx.drawImage(tile(i, j), Math.round((i * TILE + camera.tx) * dpr), Math.round((j * TILE + camera.ty) * dpr));
    }
  }
}

/** One full viewport redraw the way the original viewer did it: every visible person from scratch. */
function drawNaive() {
  baseCtx.setTransform(1, 0, 0, 1, 0, 0);
  baseCtx.fillStyle = "#fbfbf8";
  baseCtx.fillRect(0, 0, base.width, base.height);
  const s = camera.scale;
  const wx1 = -camera.tx / s, wy1 = -camera.ty / s, wx2 = (width - camera.tx) / s, wy2 = (height - camera.ty) / s;
  const visible = [];
  for (let i = 0; i < laid.ids.length; i++) {
    const x = laid.x[i], y = laid.y[i];
    if (x <= wx2 && x + BOX_WIDTH >= wx1 && y <= wy2 && y + BOX_HEIGHT >= wy1) visible.push(i);
  }
  const e = laid.edges;
  baseCtx.strokeStyle = "#9aa3ad";
  baseCtx.lineWidth = Math.max(1, 1.3 * s * dpr);
  for (let i = 0; i < laid.edgeKinds.length; i++) {
    const x1 = e[4 * i], y1 = e[4 * i + 1], x2 = e[4 * i + 2], y2 = e[4 * i + 3];
    if (Math.max(x1, x2) < wx1 || Math.min(x1, x2) > wx2 || Math.max(y1, y2) < wy1 || Math.min(y1, y2) > wy2) continue;
    baseCtx.beginPath();
    baseCtx.moveTo((x1 - wx1) * s * dpr, (y1 - wy1) * s * dpr);
    baseCtx.lineTo((x2 - wx1) * s * dpr, (y2 - wy1) * s * dpr);
    baseCtx.stroke();
  }
  drawNodes(baseCtx, visible, wx1, wy1, true);
}

function drawOverlay() {
  overlayCtx.setTransform(1, 0, 0, 1, 0, 0);
  overlayCtx.clearRect(0, 0, overlay.width, overlay.height);
  for (const [id, color, line] of [[hoverId, "rgba(42,111,78,.45)", 2], [selectedId, "#2a6f4e", 3]]) {
    if (id == null || !nodeIndex.has(id)) continue;
    const k = nodeIndex.get(id);
    const s = camera.scale * dpr;
    overlayCtx.lineWidth = line * dpr;
    overlayCtx.strokeStyle = color;
    boxPath(overlayCtx, (laid.x[k] * camera.scale + camera.tx) * dpr - 2 * dpr, (laid.y[k] * camera.scale + camera.ty) * dpr - 2 * dpr,
      BOX_WIDTH * s + 4 * dpr, BOX_HEIGHT * s + 4 * dpr, Math.min(10 * s, 8 * dpr));
    overlayCtx.stroke();
  }
  for (const hook of overlayHooks) hook(overlayCtx);
}

// ---- minimap: a base layer drawn once per layout, a viewport layer drawn on every move --------------------------
let mini = { scale: 1, ox: 0, oy: 0 };
function drawMinimapBase() {
  const w = minimapEl.clientWidth, h = minimapEl.clientHeight;
  const b = laid.bounds;
  const bw = Math.max(1, b.maxX - b.minX), bh = Math.max(1, b.maxY - b.minY);
  const scale = Math.min((w - 8) / bw, (h - 8) / bh);
  mini = { scale, ox: (w - bw * scale) / 2 - b.minX * scale, oy: (h - bh * scale) / 2 - b.minY * scale };
  miniBaseCtx.setTransform(dpr, 0, 0, dpr, 0, 0);
  miniBaseCtx.fillStyle = "#fff";
  miniBaseCtx.fillRect(0, 0, w, h);
  const w1 = Math.max(1, BOX_WIDTH * scale), h1 = Math.max(1, BOX_HEIGHT * scale);
  for (let i = 0; i < laid.ids.length; i++) {
    miniBaseCtx.fillStyle = (COLORS[nodePerson[i].gender] || COLORS.unknown).stroke;
    miniBaseCtx.fillRect(laid.x[i] * scale + mini.ox, laid.y[i] * scale + mini.oy, w1, h1);
  }
}

function drawMinimapViewport() {
  miniViewCtx.setTransform(dpr, 0, 0, dpr, 0, 0);
  miniViewCtx.clearRect(0, 0, minimapEl.clientWidth, minimapEl.clientHeight);
  const x = (-camera.tx / camera.scale) * mini.scale + mini.ox;
  const y = (-camera.ty / camera.scale) * mini.scale + mini.oy;
  const w = Math.max(3, (width / camera.scale) * mini.scale);
  const h = Math.max(3, (height / camera.scale) * mini.scale);
  miniViewCtx.fillStyle = "rgba(42,111,78,.12)";
  miniViewCtx.fillRect(x, y, w, h);
  miniViewCtx.lineWidth = 1.5;
  miniViewCtx.strokeStyle = "#2a6f4e";
  miniViewCtx.strokeRect(x, y, w, h);
}

let drawQueued = false;
function requestDraw() {
  if (drawQueued || !laid) return;
  drawQueued = true;
  requestAnimationFrame(() => {
    drawQueued = false;
    drawCached();
    drawOverlay();
    drawMinimapViewport();
  });
}

// ---- camera -------------------------------------------------------------------------------------------------
function setLevel(level, anchorX, anchorY) {
  level = Math.max(MIN_LEVEL, Math.min(MAX_LEVEL, level));
  if (level === camera.level) return;
  const scale = ZOOM_STEP ** level;
  camera.tx = anchorX - ((anchorX - camera.tx) * scale) / camera.scale;
  camera.ty = anchorY - ((anchorY - camera.ty) * scale) / camera.scale;
  camera.level = level;
  camera.scale = scale;
  requestDraw();
}

function centerOn(id) {
  const k = nodeIndex.get(id);
  camera.tx = width / 2 - (laid.x[k] + BOX_WIDTH / 2) * camera.scale;
  camera.ty = height / 2 - (laid.y[k] + BOX_HEIGHT / 2) * camera.scale;
  requestDraw();
}

function pan(dx, dy) {
  camera.tx += dx;
  camera.ty += dy;
  requestDraw();
}

/** The person under a point of the tree element, if any. */
function personAt(px, py) {
  const wx = (px - camera.tx) / camera.scale;
  const wy = (py - camera.ty) / camera.scale;
  for (const i of query(wx, wy, wx, wy).nodes) {
    if (wx >= laid.x[i] && wx <= laid.x[i] + BOX_WIDTH && wy >= laid.y[i] && wy <= laid.y[i] + BOX_HEIGHT) return laid.ids[i];
  }
  return null;
}

// ---- selection and details ------------------------------------------------------------------------------------
function select(id, center) {
  selectedId = id;
  if (id != null && center) centerOn(id);
  showDetails(id);
  requestDraw();
}

function relativeButton(id) {
  const p = personById.get(id);
  const b = document.createElement("button");
  b.type = "button";
  b.className = "relative";
  b.textContent = p ? p.name : id;
  b.addEventListener("click", () => select(id, true));
  return b;
}

function showDetails(id) {
  detailsEl.replaceChildren();
  if (id == null) {
    detailsEl.hidden = true;
    return;
  }
  const p = personById.get(id);
  const close = document.createElement("button");
  close.type = "button";
  close.className = "secondary close";
  close.textContent = "×";
  close.title = t("tree.details.close");
  close.setAttribute("aria-label", close.title);
  close.addEventListener("click", () => select(null));
  const title = document.createElement("h2");
  title.textContent = p.name;
  const list = document.createElement("dl");
  const row = (label, content) => {
    if (content == null || content === "" || (Array.isArray(content) && !content.length)) return;
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    if (Array.isArray(content)) dd.append(...content);
    else dd.textContent = content;
    list.append(dt, dd);
  };
  row(t("tree.details.gender"), p.gender && has(`tree.gender.${p.gender}`) ? t(`tree.gender.${p.gender}`) : p.gender);
  row(t("tree.details.born"), [p.birthDate, p.birthPlace].filter(Boolean).join(", "));
  row(t("tree.details.died"), [p.deathDate, p.deathPlace].filter(Boolean).join(", "));
  row(t("tree.details.parents"), [p.fatherId, p.motherId].filter((x) => personById.has(x)).map(relativeButton));
  row(t("tree.details.spouses"), (p.spouseIds || []).filter((x) => personById.has(x)).map(relativeButton));
  row(t("tree.details.children"), (childrenOf.get(id) || []).map(relativeButton));
  detailsEl.append(close, title, list);
  detailsEl.hidden = false;
  for (const hook of detailsHooks) hook(id, detailsEl);
}

// ---- search ---------------------------------------------------------------------------------------------------
const fold = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
let folded = [];
let matches = [];
let matchAt = -1;

function findMatches(text) {
  const q = fold(text.trim());
  matches = q ? folded.filter((f) => f.name.includes(q)).map((f) => f.id) : [];
  matchAt = -1;
  searchStatus.textContent = q ? (matches.length ? t("tree.search.found", { count: matches.length }) : t("tree.search.none")) : "";
}

function nextMatch() {
  if (!matches.length) return null;
  matchAt = (matchAt + 1) % matches.length;
  select(matches[matchAt], true);
  searchStatus.textContent = t("tree.search.position", { at: matchAt + 1, count: matches.length });
  return matches[matchAt];
}

// ---- input ----------------------------------------------------------------------------------------------------
const pointers = new Map();
let dragStart = null;
let pinch = null;

treeEl.addEventListener("pointerdown", (e) => {
  treeEl.setPointerCapture(e.pointerId);
  pointers.set(e.pointerId, { x: e.offsetX, y: e.offsetY });
  if (pointers.size === 1) dragStart = { x: e.offsetX, y: e.offsetY, moved: 0 };
  if (pointers.size === 2) {
    const [a, b] = [...pointers.values()];
    pinch = { distance: Math.hypot(a.x - b.x, a.y - b.y), level: camera.level };
  }
  treeEl.focus({ preventScroll: true });
});
treeEl.addEventListener("pointermove", (e) => {
  if (!laid) return;
  const before = pointers.get(e.pointerId);
  if (!before) {
    const id = personAt(e.offsetX, e.offsetY);
    if (id !== hoverId) {
      hoverId = id;
      requestDraw();
    }
    return;
  }
  pointers.set(e.pointerId, { x: e.offsetX, y: e.offsetY });
  if (pointers.size === 2 && pinch) {
    const [a, b] = [...pointers.values()];
    const distance = Math.hypot(a.x - b.x, a.y - b.y);
    const steps = Math.round(Math.log(distance / pinch.distance) / Math.log(ZOOM_STEP));
    setLevel(pinch.level + steps, (a.x + b.x) / 2, (a.y + b.y) / 2);
    return;
  }
  const dx = e.offsetX - before.x, dy = e.offsetY - before.y;
  if (dragStart) dragStart.moved += Math.abs(dx) + Math.abs(dy);
  treeEl.classList.add("dragging");
  pan(dx, dy);
});
function release(e) {
  pointers.delete(e.pointerId);
  if (pointers.size < 2) pinch = null;
  treeEl.classList.remove("dragging");
  if (e.type === "pointerup" && dragStart && dragStart.moved < 5 && pointers.size === 0 && laid) {
    select(personAt(e.offsetX, e.offsetY), false);
  }
  if (pointers.size === 0) dragStart = null;
}
treeEl.addEventListener("pointerup", release);
treeEl.addEventListener("pointercancel", release);
treeEl.addEventListener("pointerleave", () => {
  if (hoverId != null) {
    hoverId = null;
    requestDraw();
  }
});

let wheelDelta = 0;
treeEl.addEventListener("wheel", (e) => {
  e.preventDefault();
  wheelDelta += e.deltaMode === 1 ? e.deltaY * 33 : e.deltaY;
  const steps = Math.trunc(wheelDelta / 100) || (Math.abs(e.deltaY) >= 50 ? Math.sign(wheelDelta) : 0);
  if (steps) {
    wheelDelta = 0;
    setLevel(camera.level - steps, e.offsetX, e.offsetY);
  }
}, { passive: false });

document.addEventListener("keydown", (e) => {
  if (!laid || (e.target === searchEl && e.key !== "Escape")) return;
  const step = 120;
  const actions = {
    ArrowLeft: () => pan(step, 0), ArrowRight: () => pan(-step, 0), ArrowUp: () => pan(0, step), ArrowDown: () => pan(0, -step),
    "+": () => setLevel(camera.level + 1, width / 2, height / 2), "=": () => setLevel(camera.level + 1, width / 2, height / 2),
    "-": () => setLevel(camera.level - 1, width / 2, height / 2), Escape: () => select(null),
  };
  if (actions[e.key]) {
    e.preventDefault();
    actions[e.key]();
  }
});
document.getElementById("zoom-in").addEventListener("click", () => setLevel(camera.level + 1, width / 2, height / 2));
document.getElementById("zoom-out").addEventListener("click", () => setLevel(camera.level - 1, width / 2, height / 2));

function minimapMove(e) {
  const wx = (e.offsetX - mini.ox) / mini.scale;
  const wy = (e.offsetY - mini.oy) / mini.scale;
  camera.tx = width / 2 - wx * camera.scale;
  camera.ty = height / 2 - wy * camera.scale;
  requestDraw();
}
minimapEl.addEventListener("pointerdown", (e) => {
  if (!laid) return;
  minimapEl.setPointerCapture(e.pointerId);
  minimapMove(e);
});
minimapEl.addEventListener("pointermove", (e) => {
  if (laid && minimapEl.hasPointerCapture(e.pointerId)) minimapMove(e);
});

let searchTimer = null;
searchEl.addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => findMatches(searchEl.value), 120);
});
searchEl.addEventListener("keydown", (e) => {
  if (e.key === "Enter") {
    e.preventDefault();
    clearTimeout(searchTimer);
    if (matchAt === -1) findMatches(searchEl.value);
    nextMatch();
  }
});

function relayout(newOrder) {
  order = newOrder;
  document.getElementById("order").value = newOrder;
  return runLayout().then(() => {
    requestDraw();
    return window.kinhubTree.layoutMs;
  });
}
document.getElementById("order").addEventListener("change", (e) => relayout(e.target.value));

new ResizeObserver(() => resize()).observe(treeEl);

// ---- loading and layout ---------------------------------------------------------------------------------------
function progress(text) {
  progressEl.textContent = text;
  progressEl.hidden = !text;
}

/** Lays the tree out in a Web Worker (the page stays responsive), kept for later layouts (e.g. another order). */
let worker = null;
function layoutInWorker(list) {
  return new Promise((resolve, reject) => {
    try {
      worker = worker || new Worker("/assets/tree-worker.js", { type: "module" });
    } catch (e) {
      reject(e);
      return;
    }
    worker.onmessage = (m) => resolve(m.data);
    worker.onerror = (e) => {
      worker.terminate();
      worker = null;
      reject(e);
    };
    worker.postMessage({ persons: list, options: { order } });
  });
}

async function runLayout() {
  progress(t("tree.layingOut", { count: persons.length.toLocaleString() }));
  await new Promise((r) => requestAnimationFrame(() => r()));
  let result;
  try {
    result = await layoutInWorker(persons);
  } catch {
    const started = performance.now();
    const { ids, x, y, generation, edges, edgeKinds, bounds, work } = layoutHere(persons, { order });
    result = { layout: { ids, x, y, generation, edges, edgeKinds, bounds, work }, ms: performance.now() - started };
  }
  laid = result.layout;
  window.kinhubTree.layoutMs = result.ms;
  nodeIndex = new Map();
  nodePerson = new Array(laid.ids.length);
  for (let i = 0; i < laid.ids.length; i++) {
    nodeIndex.set(laid.ids[i], i);
    nodePerson[i] = personById.get(laid.ids[i]);
  }
  tiles.clear();
  buildGrid();
  drawMinimapBase();
  progress("");
}

async function load() {
  if (!(await startPage({ namespaces: ["tree"] }))) return;
  try {
    const family = await api("GET", `/api/v1/families/${encodeURIComponent(familyId)}`);
    document.getElementById("family-name").textContent = family.name;
    document.title = `${family.name} · Kinhub`;
    progress(t("tree.loading"));
    const tree = await api("GET", `/api/v1/families/${encodeURIComponent(familyId)}/tree`);
    persons = tree.persons;
    for (const p of persons) {
      personById.set(p.id, p);
      for (const parent of [p.fatherId, p.motherId]) {
        if (parent == null) continue;
        if (!childrenOf.has(parent)) childrenOf.set(parent, []);
        childrenOf.get(parent).push(p.id);
      }
    }
    folded = persons.map((p) => ({ id: p.id, name: fold(p.name) }));
    if (!persons.length) {
      progress(t("tree.empty"));
      resize();
      resolveReady(0);
      return;
    }
    resize();
    await runLayout();
    camera.level = -1;
    camera.scale = ZOOM_STEP ** camera.level;
    centerOn(laid.ids[0]); // the eldest root line
    drawCached();
    drawOverlay();
    drawMinimapViewport();
    resolveReady(persons.length);
  } catch (e) {
    if (e?.redirecting) return;
    progress(e instanceof ApiError ? problemMessage(e.problem) : t("tree.failed"));
    rejectReady(e);
  }
}

// ---- the hook for tests and benchmarks ---------------------------------------------------------------------------
function benchmark({ redraws = 1000, mode = "cached" } = {}) {
  return ready.then(() => {
    const saved = { tx: camera.tx, ty: camera.ty };
    const draw = mode === "naive" ? drawNaive : drawCached;
    const started = performance.now();
    for (let r = 0; r < redraws; r++) {
      camera.tx = saved.tx + (r % 2 ? 1 : -1); // a one-pixel pan each time: nothing can be skipped
      draw();
    }
    baseCtx.getImageData(0, 0, 1, 1); // wait for the drawing to be done
    const elapsed = performance.now() - started;
    camera.tx = saved.tx;
    camera.ty = saved.ty;
    requestDraw();
    return elapsed;
  });
}

window.kinhubTree = {
  ready,
  layoutMs: null,
  benchmark,
  search(name) {
    findMatches(name);
    return nextMatch();
  },
  /** The benchmark view (like the original viewer's): the whole tree in the viewport. */
  overview() {
    const b = laid.bounds;
    const fitLevel = Math.floor(Math.log(Math.min(width / (b.maxX - b.minX + 1), height / (b.maxY - b.minY + 1))) / Math.log(ZOOM_STEP));
    setLevel(Math.max(MIN_LEVEL, Math.min(0, fitLevel)), width / 2, height / 2);
    camera.tx = width / 2 - ((b.minX + b.maxX) / 2) * camera.scale;
    camera.ty = height / 2 - ((b.minY + b.maxY) / 2) * camera.scale;
    requestDraw();
    return { level: camera.level, scale: camera.scale, visible: query(-camera.tx / camera.scale, -camera.ty / camera.scale,
      (width - camera.tx) / camera.scale, (height - camera.ty) / camera.scale).nodes.length };
  },
  /** Lays the tree out again in `order` ("western" or "chinese"); resolves to that layout's milliseconds. */
  relayout: (newOrder) => ready.then(() => relayout(newOrder)),
  selected: () => selectedId,
  centerOf(id) {
    if (!laid || !nodeIndex.has(id)) return null;
    const k = nodeIndex.get(id);
    return { x: (laid.x[k] + BOX_WIDTH / 2) * camera.scale + camera.tx, y: (laid.y[k] + BOX_HEIGHT / 2) * camera.scale + camera.ty };
  },
  viewport: () => ({ width, height, scale: camera.scale, x: -camera.tx / camera.scale, y: -camera.ty / camera.scale }),
};

load();

// relationship finder, 世 rows and change history live in their own module (tree-relationship.js)
import("./tree-relationship.js")
  .then((m) => m.mountRelationship({ familyId, ready, personById, select, requestDraw, overlayHooks, detailsHooks,
    centerOf: window.kinhubTree.centerOf, dpr: () => dpr, scale: () => camera.scale, boxSize: { w: BOX_WIDTH, h: BOX_HEIGHT },
    header: document.querySelector(".tree-header") }))
  .catch((e) => console.warn("relationship finder not loaded", e));
