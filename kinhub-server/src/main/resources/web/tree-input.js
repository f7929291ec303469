// The tree page's input: search, pointer (pan, pinch, click to select, hover), wheel, keyboard, zoom buttons,
// minimap, order selector. See tree-state.js for the state and hooks.
import { state, dom, ZOOM_STEP, fold } from "./tree-state.js";
import { t } from "./i18n.js";
import { setLevel, pan, personAt, badgeUnder, markerUnder, requestDraw, resize } from "./tree-render.js";
import { toggleCollapse } from "./tree-view.js";
import { select } from "./tree-panel.js";
import { relayout } from "./tree-layout-run.js";

// ---- search ---------------------------------------------------------------------------------------------------

export function findMatches(text) {
  const q = fold(text.trim());
  state.search.matches = q ? state.search.folded.filter((f) => f.name.includes(q)).map((f) => f.id) : [];
  state.search.at = -1;
  dom.searchStatus.textContent = q ? (state.search.matches.length ? t("tree.search.found", { count: state.search.matches.length }) : t("tree.search.none")) : "";
}

export function nextMatch() {
  if (!state.search.matches.length) return null;
  state.search.at = (state.search.at + 1) % state.search.matches.length;
  select(state.search.matches[state.search.at], true);
  dom.searchStatus.textContent = t("tree.search.position", { at: state.search.at + 1, count: state.search.matches.length });
  return state.search.matches[state.search.at];
}

// ---- input ----------------------------------------------------------------------------------------------------
const pointers = new Map();
let dragStart = null;
let pinch = null;

dom.tree.addEventListener("pointerdown", (e) => {
  dom.tree.setPointerCapture(e.pointerId);
  pointers.set(e.pointerId, { x: e.offsetX, y: e.offsetY });
  if (pointers.size === 1) dragStart = { x: e.offsetX, y: e.offsetY, moved: 0 };
  if (pointers.size === 2) {
    const [a, b] = [...pointers.values()];
    pinch = { distance: Math.hypot(a.x - b.x, a.y - b.y), level: state.camera.level };
  }
  dom.tree.focus({ preventScroll: true });
});
dom.tree.addEventListener("pointermove", (e) => {
  if (!state.laid) return;
  const before = pointers.get(e.pointerId);
  if (!before) {
    const marker = markerUnder(e.offsetX, e.offsetY); // over a marker: its relative's long links show
    const id = personAt(e.offsetX, e.offsetY) ?? marker?.near ?? null;
    dom.tree.classList.toggle("over-marker", marker != null);
    if (id !== state.hoverId) {
      state.hoverId = id;
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
  dom.tree.classList.add("dragging");
  pan(dx, dy);
});
function release(e) {
  pointers.delete(e.pointerId);
  if (pointers.size < 2) pinch = null;
  dom.tree.classList.remove("dragging");
  if (e.type === "pointerup" && dragStart && dragStart.moved < 5 && pointers.size === 0 && state.laid) {
    const badge = badgeUnder(e.offsetX, e.offsetY);
    const marker = badge == null ? markerUnder(e.offsetX, e.offsetY) : null;
    if (badge != null) toggleCollapse(badge);
    else if (marker) select(marker.target, true); // "also in…": jump there
    else select(personAt(e.offsetX, e.offsetY), false);
  }
  if (pointers.size === 0) dragStart = null;
}
dom.tree.addEventListener("pointerup", release);
dom.tree.addEventListener("pointercancel", release);
dom.tree.addEventListener("pointerleave", () => {
  if (state.hoverId != null) {
    state.hoverId = null;
    requestDraw();
  }
});

let wheelDelta = 0;
dom.tree.addEventListener("wheel", (e) => {
  e.preventDefault();
  wheelDelta += e.deltaMode === 1 ? e.deltaY * 33 : e.deltaY;
  const steps = Math.trunc(wheelDelta / 100) || (Math.abs(e.deltaY) >= 50 ? Math.sign(wheelDelta) : 0);
  if (steps) {
    wheelDelta = 0;
    setLevel(state.camera.level - steps, e.offsetX, e.offsetY);
  }
}, { passive: false });

document.addEventListener("keydown", (e) => {
  if (!state.laid || (e.target === dom.search && e.key !== "Escape")) return;
  const step = 120;
  const actions = {
    ArrowLeft: () => pan(step, 0), ArrowRight: () => pan(-step, 0), ArrowUp: () => pan(0, step), ArrowDown: () => pan(0, -step),
    "+": () => setLevel(state.camera.level + 1, state.width / 2, state.height / 2), "=": () => setLevel(state.camera.level + 1, state.width / 2, state.height / 2),
    "-": () => setLevel(state.camera.level - 1, state.width / 2, state.height / 2), Escape: () => select(null),
  };
  if (actions[e.key]) {
    e.preventDefault();
    actions[e.key]();
  }
});
document.getElementById("zoom-in").addEventListener("click", () => setLevel(state.camera.level + 1, state.width / 2, state.height / 2));
document.getElementById("zoom-out").addEventListener("click", () => setLevel(state.camera.level - 1, state.width / 2, state.height / 2));

function minimapMove(e) {
  const wx = (e.offsetX - state.mini.ox) / state.mini.scale;
  const wy = (e.offsetY - state.mini.oy) / state.mini.scale;
  state.camera.tx = state.width / 2 - wx * state.camera.scale;
  state.camera.ty = state.height / 2 - wy * state.camera.scale;
  requestDraw();
}
dom.minimap.addEventListener("pointerdown", (e) => {
  if (!state.laid) return;
  dom.minimap.setPointerCapture(e.pointerId);
  minimapMove(e);
});
dom.minimap.addEventListener("pointermove", (e) => {
  if (state.laid && dom.minimap.hasPointerCapture(e.pointerId)) minimapMove(e);
});

let searchTimer = null;
dom.search.addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => findMatches(dom.search.value), 120);
});
dom.search.addEventListener("keydown", (e) => {
  if (e.key === "Enter") {
    e.preventDefault();
    clearTimeout(searchTimer);
    if (state.search.at === -1) findMatches(dom.search.value);
    nextMatch();
  }
});

dom.order.addEventListener("change", (e) => relayout(e.target.value));

new ResizeObserver(() => resize()).observe(dom.tree);
