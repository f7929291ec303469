// The family-tree viewer (/families/{id}/tree): the entry that wires the modules together — tree-state.js (the state
// object and the hooks), tree-render.js (drawing), tree-input.js (pan, zoom, keyboard, pointer, search),
// tree-panel.js (the selected person's panel), tree-layout-run.js (layout and changes) — and window.kinhubTree for
// tests and benchmarks (API.md, "Web pages").
import { api, ApiError } from "./api.js";
import { t, problemMessage } from "./i18n.js";
import { startPage } from "./page.js";
import { BOX_WIDTH, BOX_HEIGHT } from "./tree-layout.js";
import { state, dom, ZOOM_STEP, MIN_LEVEL, indexPersons, indexSearch } from "./tree-state.js";
import { baseCtx, resize, centerOn, setLevel, query, drawCached, drawNaive, drawOverlay, drawMinimapViewport, requestDraw,
  markers, scene, animationStats } from "./tree-render.js";
import { select } from "./tree-panel.js";
import { findMatches, nextMatch } from "./tree-input.js";
import { progress, runLayout, relayout, warmWorker } from "./tree-layout-run.js";
import { VIEWS, autoCollapse, viewFromUrl, mountViewControls, setView, toggleCollapse, expandAll } from "./tree-view.js";

let resolveReady;
let rejectReady;
const ready = new Promise((resolve, reject) => { resolveReady = resolve; rejectReady = reject; });
ready.catch(() => {});

async function load() {
  if (!(await startPage({ namespaces: ["tree"] }))) return;
  try {
    const family = await api("GET", `/api/v1/families/${encodeURIComponent(state.familyId)}`);
    document.getElementById("family-name").textContent = family.name;
    document.title = `${family.name} · Kinhub`;
    progress(t("tree.loading"));
    const tree = await api("GET", `/api/v1/families/${encodeURIComponent(state.familyId)}/tree`);
    state.persons = tree.persons;
    state.version = tree.version ?? null;
    indexPersons();
    indexSearch();
    if (!state.persons.length) {
      progress(t("tree.empty"));
      resize();
      resolveReady(0);
      return;
    }
    try {
      state.me = (await api("GET", `/api/v1/families/${encodeURIComponent(state.familyId)}/me`)).personId ?? null;
    } catch {
      state.me = null;
    }
    if (!state.personById.has(state.me)) state.me = null;
    state.view = viewFromUrl();
    if (state.view.mode === "all") autoCollapse();
    mountViewControls();
    resize();
    await runLayout();
    state.camera.level = -1;
    state.camera.scale = ZOOM_STEP ** state.camera.level;
    centerOn(state.view.personId ?? state.laid.ids[0]); // the focus, or the eldest root line
    drawCached();
    drawOverlay();
    drawMinimapViewport();
    resolveReady(state.persons.length);
    if (state.laid.ids.length < state.persons.length) setTimeout(warmWorker, 0); // for expanding later
  } catch (e) {
    if (e?.redirecting) return;
    progress(e instanceof ApiError ? problemMessage(e.problem) : t("tree.failed"));
    rejectReady(e);
  }
}

// ---- the hook for tests and benchmarks ---------------------------------------------------------------------------
function benchmark({ redraws = 1000, mode = "cached" } = {}) {
  return ready.then(() => {
    const camera = state.camera;
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

function centerOf(id) {
  if (!state.laid || !state.nodeIndex.has(id)) return null;
  const k = state.nodeIndex.get(id);
  const { camera } = state;
  return { x: (state.laid.x[k] + BOX_WIDTH / 2) * camera.scale + camera.tx, y: (state.laid.y[k] + BOX_HEIGHT / 2) * camera.scale + camera.ty };
}

window.kinhubTree = {
  ready,
  layoutMs: null,
  /** Where the last layout's time went: {persons, shownMs, source: "main" | "computed" | "cache", workerMs}, and
   *  badgeMs: the badges counted after it (not part of layoutMs). */
  layoutSteps: null,
  benchmark,
  search(name) {
    findMatches(name);
    return nextMatch();
  },
  /** The benchmark view (like the original viewer's): the whole tree in the viewport. */
  overview() {
    const { camera, width, height } = state;
    const b = state.laid.bounds;
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
  selected: () => state.selectedId,
  centerOf,
  /** Shows `view` ("all", "descendants", "ancestors", "hourglass") around a person; resolves once drawn. */
  focus(personId, view = "descendants", { depth } = {}) {
    if (!VIEWS.includes(view)) return Promise.reject(new Error(`unknown view ${view}`));
    return ready.then(() => setView({ mode: view, personId, depth: depth ?? null }));
  },
  /** The ids the current view lays out (collapsed branches excluded). */
  visibleIds: () => (state.laid ? Array.from(state.laid.ids) : []),
  /** Collapses or expands a person's branch; resolves once drawn. */
  toggleCollapse: (id) => ready.then(() => toggleCollapse(id)),
  expandAll: () => ready.then(() => expandAll()),
  /** Collapsed persons shown with their badge's number: [[id, hidden count], ...]. */
  badges: () => [...state.hiddenCount.entries()],
  view: () => ({ ...state.view }),
  viewport: () => ({ width: state.width, height: state.height, scale: state.camera.scale,
    x: -state.camera.tx / state.camera.scale, y: -state.camera.ty / state.camera.scale }),
  /**
   * The "also in…" markers drawn now: [{ near (the relative it sits under), personId (where a click jumps),
   * targets (every person its too-long links lead to), kinds, text, at: {x, y} (centre, CSS pixels), size }].
   */
  markers,
  /** Centres a person (laid out in the current view) without selecting them. */
  centerOn: (id) => {
    if (state.nodeIndex.has(id)) centerOn(id);
  },
  /** Sets the zoom level (0: scale 1), keeping the viewport's centre. */
  zoomTo: (level) => setLevel(level, state.width / 2, state.height / 2),
  /** The view-switch animation: progress (0..1, null when none), positions drawn ({id: {x, y, alpha}}, centres in
   *  CSS pixels), intermediate frames drawn so far, and clock(fn) to drive it from a test (null: real time). */
  animation: {
    progress: () => (state.anim ? state.anim.t : null),
    positions: () => Object.fromEntries(scene()),
    frames: () => animationStats.frames,
    clock: (fn) => {
      state.clock = typeof fn === "function" ? fn : null;
    },
  },
};

load();

// relationship finder, 世 rows and change history live in their own module (tree-relationship.js)
import("./tree-relationship.js")
  .then((m) => m.mountRelationship({ familyId: state.familyId, ready, personById: state.personById, select, requestDraw,
    overlayHooks: state.hooks.overlays, detailsHooks: state.hooks.panelSections, centerOf, dpr: () => state.dpr,
    scale: () => state.camera.scale, boxSize: { w: BOX_WIDTH, h: BOX_HEIGHT }, header: dom.tree.ownerDocument.querySelector(".tree-header") }))
  .catch((e) => console.warn("relationship finder not loaded", e));

// editing on the canvas, for those the permission check allows (tree-edit.js)
ready.then(() => import("./tree-edit.js"))
  .then((m) => m.mountEditing({ centerOf, boxSize: { w: BOX_WIDTH, h: BOX_HEIGHT } }))
  .catch((e) => console.warn("editing not loaded", e));
