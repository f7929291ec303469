// Laying the tree out (in a Web Worker when possible) and applying changes: relayout() and applyTreeChange(),
// the hooks tree-state.js documents.
import { state, dom, indexPersons, indexSearch } from "./tree-state.js";
import { t } from "./i18n.js";
import { layout as layoutHere } from "./tree-layout.js";
import { buildGrid, clearTiles, drawMinimapBase, requestDraw } from "./tree-render.js";
import { select } from "./tree-panel.js";
import { shownPersons, countBadges } from "./tree-view.js";

// ---- loading and layout ---------------------------------------------------------------------------------------
export function progress(text) {
  dom.progress.textContent = text;
  dom.progress.hidden = !text;
}

/** Up to this many persons shown, the layout runs right here: a few milliseconds even on a cold JIT, less than
 *  starting a worker, handing it the persons and asking the layout cache would take. A collapsed start of a large
 *  tree is such a layout; the whole of it goes to the worker. */
export const MAIN_THREAD_MAX = 2000;

/** Lays the tree out in a Web Worker (the page stays responsive), kept for later layouts (e.g. another order). */
let worker = null;
function startWorker() {
  worker = worker || new Worker("/assets/tree-worker.js", { type: "module" });
  return worker;
}

/** Starts the layout worker ahead of need (after the first draw), so a later large layout (expand all) does not
 *  wait for its start-up. */
export function warmWorker() {
  try {
    startWorker();
  } catch {
    // no workers here: layouts run on the main thread
  }
}

function layoutInWorker(list) {
  return new Promise((resolve, reject) => {
    try {
      startWorker();
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
    worker.postMessage({ persons: list, options: { order: state.order } });
  });
}

// One layout at a time: the worker answers one request at a time, so a layout asked for while another runs waits
// for it, and several asked for meanwhile share one run on the latest state. A run overtaken by a waiting one is not
// installed (its persons may be gone already); the waiting run installs the newer layout right after.
let running = null;
let waiting = null;

/** Lays out the persons of the current view; resolves once a layout of a state at least this new is installed. */
export function runLayout() {
  if (!running) {
    running = layoutOnce().finally(() => {
      running = null;
    });
    return running;
  }
  if (!waiting) {
    waiting = running
      .catch(() => {})
      .then(() => {
        waiting = null;
        return runLayout();
      });
  }
  return waiting;
}

function layoutHereNow(list) {
  const { ids, x, y, generation, edges, edgeKinds, bounds, work } = layoutHere(list, { order: state.order });
  return { layout: { ids, x, y, generation, edges, edgeKinds, bounds, work }, source: "main" };
}

// layoutMs is the wait for the layout: from choosing the persons the view shows to their positions in hand,
// whichever way they came (here; or the worker's round trip, its start-up, the hand-over of the persons and
// its cache included). The frame the progress note is given to be painted before a long layout is not counted.
// layoutSteps tells where that time went (shownMs: choosing the persons; workerMs: the worker's own time), and
// badgeMs: counting the badges' hidden persons, after the layout and before the draw (not layout: not in layoutMs).
async function layoutOnce() {
  const started = performance.now();
  const list = shownPersons();
  const shownMs = performance.now() - started;
  let result;
  let paused = 0;
  if (list.length <= MAIN_THREAD_MAX) {
    result = layoutHereNow(list);
  } else {
    progress(t("tree.layingOut", { count: list.length.toLocaleString() }));
    const before = performance.now();
    await new Promise((r) => requestAnimationFrame(() => r()));
    paused = performance.now() - before;
    try {
      result = await layoutInWorker(list);
    } catch {
      result = layoutHereNow(list);
    }
  }
  const ms = performance.now() - started - paused;
  if (waiting) {
    return; // overtaken: the waiting run lays out the newer state and installs that
  }
  const counting = performance.now();
  countBadges();
  const badgeMs = performance.now() - counting;
  state.laid = result.layout;
  window.kinhubTree.layoutMs = ms;
  window.kinhubTree.layoutSteps = { persons: list.length, shownMs, source: result.source, workerMs: result.ms ?? null, badgeMs };
  state.nodeIndex = new Map();
  state.nodePerson = new Array(state.laid.ids.length);
  for (let i = 0; i < state.laid.ids.length; i++) {
    state.nodeIndex.set(state.laid.ids[i], i);
    state.nodePerson[i] = state.personById.get(state.laid.ids[i]);
  }
  clearTiles();
  buildGrid();
  drawMinimapBase();
  progress("");
}

/** Lays the tree out again (in `newOrder` if given: "western" or "chinese") and redraws; resolves to the layout's ms. */
export async function relayout(newOrder) {
  if (newOrder) {
    state.order = newOrder;
    dom.order.value = newOrder;
  }
  await runLayout();
  requestDraw();
  return window.kinhubTree.layoutMs;
}

/**
 * Applies a change to the tree: `upsert` persons (added or replaced by id), `remove` ids, the tree's new `version`;
 * then lays out again and redraws. Resolves once laid out.
 */
export async function applyTreeChange({ upsert = [], remove = [], version } = {}) {
  const gone = new Set(remove);
  const byId = new Map(upsert.map((p) => [p.id, p]));
  const next = [];
  for (const p of state.persons) {
    if (gone.has(p.id)) continue;
    next.push(byId.has(p.id) ? byId.get(p.id) : p);
    byId.delete(p.id);
  }
  for (const p of byId.values()) next.push(p);
  state.persons = next;
  if (version !== undefined) state.version = version;
  indexPersons();
  indexSearch();
  if (state.selectedId != null && !state.personById.has(state.selectedId)) select(null);
  await relayout();
  if (state.selectedId != null) select(state.selectedId, false);
}
