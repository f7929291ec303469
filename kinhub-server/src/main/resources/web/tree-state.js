// The tree page's one explicit state object and the hooks other modules use.
//
// Hooks (for modules that extend the page, e.g. editing on the canvas):
// - registerPanelSection(fn): fn(id, panelEl, person) runs each time the selected person's panel is filled;
//   append your own section (actions, forms) to panelEl. (tree-panel.js)
// - registerOverlay(fn): fn(ctx) draws over the tree after the selection outline, on every redraw.
// - applyTreeChange(change): change = { upsert?: [person], remove?: [id], version? }; updates state.persons and
//   the indexes, lays out again and redraws; resolves once drawn. (tree.js wires it; see tree-layout-run.js)
// - relayout(): lays out state.persons again (current view, order, collapsed branches) and redraws.
// - requestDraw(): redraws on the next animation frame without a new layout. (tree-render.js)
// - select(id, center): selects a person (null clears) and fills the panel. (tree-panel.js)
// Everything mutable lives in `state`; modules read and write it, nothing else is module-level state.
export const TILE = 512; // tile edge in CSS pixels
export const ZOOM_STEP = 1.25; // scale = ZOOM_STEP ** level
export const MIN_LEVEL = -40;
export const MAX_LEVEL = 6;
export const COLORS = {
  male: { fill: "#dde9f7", stroke: "#5b7fa8" },
  female: { fill: "#f8e0e8", stroke: "#b0647e" },
  unknown: { fill: "#ecece6", stroke: "#8a8a80" },
};

export const dom = {
  tree: document.getElementById("tree"),
  minimap: document.getElementById("minimap"),
  details: document.getElementById("details"),
  progress: document.getElementById("progress"),
  search: document.getElementById("search"),
  searchStatus: document.getElementById("search-status"),
  order: document.getElementById("order"),
};

export const state = {
  familyId: decodeURIComponent(location.pathname.split("/")[2] || ""),
  version: null, // the tree's version from GET /tree
  persons: [], // every person of the family
  personById: new Map(),
  childrenOf: new Map(), // parent id → child ids
  laid: null, // the layout: node k is person ids[k] at (x[k], y[k]); edges, edgeKinds, bounds
  nodeIndex: new Map(), // id → node index
  nodePerson: [], // node index → person
  grid: null, // spatial index over the layout
  camera: { level: 0, scale: 1, tx: 0, ty: 0 },
  dpr: window.devicePixelRatio || 1,
  width: 0,
  height: 0,
  selectedId: null,
  hoverId: null,
  order: "western",
  view: { mode: "all", personId: null, depth: null }, // focus view (tree-view.js)
  collapsed: new Set(), // ids whose descendants are hidden (tree-view.js)
  founders: [], // the roots of the whole-family view, computed for the persons array foundersOf (tree-view.js)
  foundersOf: null,
  hiddenCount: new Map(), // collapsed id → how many persons its collapse hides
  mini: { scale: 1, ox: 0, oy: 0 }, // minimap transform
  me: null, // the caller's own person, if linked
  search: { folded: [], matches: [], at: -1 },
  far: { byNode: new Map() }, // node index → its cross-links to far-away places (tree-render.js, the "also in…" markers)
  anim: null, // the running view-switch animation (tree-render.js), null when none
  clock: null, // the animation's clock (ms); null: performance.now (tests may set their own)
  hooks: { overlays: [], panelSections: [], afterLayout: [] },
};

/** Adds a section to the selected person's panel: fn(id, panelEl, person). */
export function registerPanelSection(fn) {
  state.hooks.panelSections.push(fn);
}

/** Draws over the tree on every redraw: fn(ctx) with ctx in device pixels. */
export function registerOverlay(fn) {
  state.hooks.overlays.push(fn);
}

/** Rebuilds personById and childrenOf from state.persons. */
export function indexPersons() {
  state.personById.clear();
  state.childrenOf.clear();
  for (const p of state.persons) state.personById.set(p.id, p);
  for (const p of state.persons) {
    for (const parent of [p.fatherId, p.motherId]) {
      if (parent == null) continue;
      if (!state.childrenOf.has(parent)) state.childrenOf.set(parent, []);
      state.childrenOf.get(parent).push(p.id);
    }
  }
}

const fold = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
export { fold };

/** Rebuilds the search index (names folded to lower case without accents). */
export function indexSearch() {
  state.search.folded = state.persons.map((p) => ({ id: p.id, name: fold(p.name) }));
}
