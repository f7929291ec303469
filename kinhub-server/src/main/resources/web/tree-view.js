// Focus views (whole family, descendants, ancestors, hourglass around one person, with a depth), collapsed
// branches, and the URL that carries them (?view=descendants&person=123&depth=3; back and forward work).
// Which persons a view shows is decided here; tree-layout.js lays out only those.
import { state, dom } from "./tree-state.js";
import { t } from "./i18n.js";
import { relayout } from "./tree-layout-run.js";
import { requestDraw, scene, animateFrom } from "./tree-render.js";
import { registerPanelSection } from "./tree-state.js";
import { BOX_WIDTH, BOX_HEIGHT } from "./tree-layout.js";

export const VIEWS = ["all", "descendants", "ancestors", "hourglass"];
/** A whole-family view of more persons than this starts collapsed (autoCollapse). */
const AUTO_COLLAPSE_OVER = 400;
/** At most this many persons shown at the start of a collapsed whole-family view (unless the founders alone are more). */
export const START_BUDGET = 300;

const known = (id) => id != null && state.personById.has(id);
const NONE = new Set();

/** Whether person `id` is hidden by a collapse: a child is shown only if none of its parents is collapsed (so a
 *  married-in spouse, who is never collapsed, does not show the children of a collapsed husband or wife). */
function parentCollapsed(id, collapsed) {
  if (!collapsed.size) return false;
  const p = state.personById.get(id);
  return collapsed.has(p.fatherId) || collapsed.has(p.motherId);
}

/** Descendants of `from` (itself included) down to `depth` generations (null: all); collapsed persons' children skipped. */
function descendants(from, depth, collapsed) {
  const seen = new Set([from]);
  let frontier = [from];
  for (let d = 0; frontier.length && (depth == null || d < depth); d++) {
    const next = [];
    for (const id of frontier) {
      if (collapsed.has(id)) continue;
      for (const c of state.childrenOf.get(id) || []) if (!seen.has(c)) { seen.add(c); next.push(c); }
    }
    frontier = next;
  }
  return seen;
}

function ancestors(from, depth) {
  const seen = new Set([from]);
  let frontier = [from];
  for (let d = 0; frontier.length && (depth == null || d < depth); d++) {
    const next = [];
    for (const id of frontier) {
      const p = state.personById.get(id);
      for (const parent of [p.fatherId, p.motherId]) if (known(parent) && !seen.has(parent)) { seen.add(parent); next.push(parent); }
    }
    frontier = next;
  }
  return seen;
}

const spousesOf = (id) => (state.personById.get(id).spouseIds || []).filter(known);

function withSpouses(set) {
  const out = new Set(set);
  for (const id of set) for (const s of spousesOf(id)) out.add(s);
  return out;
}

const EMPTY = [];

/** Everyone reachable from `starts` through spouses and children (children of collapsed persons skipped); `seen`
 *  is filled in place. (No arrays made per person: this runs over the whole tree on a fresh page's cold JIT.) */
function reach(starts, seen, collapsed) {
  const stack = [];
  for (const id of starts) if (!seen.has(id)) { seen.add(id); stack.push(id); }
  const byId = state.personById;
  const anyCollapsed = collapsed.size > 0;
  while (stack.length) {
    const id = stack.pop();
    const spouses = byId.get(id).spouseIds || EMPTY;
    for (let i = 0; i < spouses.length; i++) {
      const s = spouses[i];
      if (!seen.has(s) && byId.has(s)) { seen.add(s); stack.push(s); }
    }
    if (anyCollapsed && collapsed.has(id)) continue;
    const kids = state.childrenOf.get(id) || EMPTY;
    for (let i = 0; i < kids.length; i++) {
      const c = kids[i];
      if (!seen.has(c) && !(anyCollapsed && parentCollapsed(c, collapsed))) { seen.add(c); stack.push(c); }
    }
  }
  return seen;
}

/** The founders the whole family grows from, as the layout takes them: persons without parents in the tree who
 *  are not married to someone who has (a married-in spouse is shown beside that partner), then anyone not
 *  reachable from those (odd data). Cached per state.persons. */
function founders() {
  if (state.foundersOf === state.persons) return state.founders;
  const hasParents = (id) => known(state.personById.get(id).fatherId) || known(state.personById.get(id).motherId);
  const roots = [];
  for (const p of state.persons) if (!hasParents(p.id) && !spousesOf(p.id).some(hasParents)) roots.push(p.id);
  const seen = reach(roots, new Set(), NONE);
  if (seen.size < state.persons.length) for (const p of state.persons) if (!seen.has(p.id)) { roots.push(p.id); reach([p.id], seen, NONE); }
  state.foundersOf = state.persons;
  state.founders = roots;
  return roots;
}

/** The ids the current view shows with `collapsed` branches hidden. */
function viewIds(collapsed) {
  const { mode, personId, depth } = state.view;
  if (mode === "all" || !known(personId)) return reach(founders(), new Set(), collapsed);
  const down = mode === "descendants" || mode === "hourglass" ? withSpouses(descendants(personId, depth, collapsed)) : new Set();
  const up = mode === "ancestors" || mode === "hourglass" ? ancestors(personId, depth) : new Set();
  return new Set([...down, ...up, personId]);
}

/** The ids the current view shows (collapsed branches excluded). */
export function shownIds() {
  return viewIds(state.collapsed);
}

let lastShown = null;

/** The persons to lay out: all of them untouched, or the shown ones with links to persons not shown dropped. */
export function shownPersons() {
  const ids = shownIds();
  lastShown = ids;
  if (ids.size === state.persons.length) return state.persons;
  const out = [];
  for (const p of state.persons) {
    if (!ids.has(p.id)) continue;
    out.push({ ...p, fatherId: ids.has(p.fatherId) ? p.fatherId : null, motherId: ids.has(p.motherId) ? p.motherId : null,
      spouseIds: (p.spouseIds || []).filter((s) => ids.has(s)) });
  }
  return out;
}

/** Counts the badges of the persons shownPersons() last chose (state.hiddenCount). */
export function countBadges() {
  state.hiddenCount = hiddenCounts(lastShown || shownIds());
}

/** For each collapsed person shown, the number on its badge: every person the collapses hide (in this view
 *  with nothing collapsed, not in it now) is counted once, under the first collapsed person shown (in tree
 *  order) it descends from or married into; so the badges add up to the persons hidden. Linear in the view. */
function hiddenCounts(shown) {
  const counts = new Map();
  if (!state.collapsed.size) return counts;
  // with nothing collapsed the whole family is everyone (founders() makes it so): no need to walk it
  const open = state.view.mode === "all" || !known(state.view.personId) ? null : viewIds(NONE);
  if ((open ? open.size : state.persons.length) === shown.size) return counts;
  const claimed = new Set();
  for (const p of state.persons) {
    const id = p.id;
    if (!state.collapsed.has(id) || !shown.has(id)) continue;
    let n = 0;
    const stack = [id];
    const take = (y) => {
      if ((open === null || open.has(y)) && !shown.has(y) && !claimed.has(y) && state.personById.has(y)) {
        claimed.add(y);
        n++;
        stack.push(y);
      }
    };
    while (stack.length) {
      const x = stack.pop();
      const kids = state.childrenOf.get(x) || EMPTY;
      for (let i = 0; i < kids.length; i++) take(kids[i]);
      const spouses = state.personById.get(x).spouseIds || EMPTY;
      for (let i = 0; i < spouses.length; i++) take(spouses[i]);
    }
    if (n) counts.set(id, n);
  }
  return counts;
}

/**
 * Collapses, on a large tree's first whole-family view, to a readable start: the founders (generation 0) and as
 * many whole generations below them as keep the persons shown within START_BUDGET (a spouse without parents is
 * in the partner's generation): every person with children of the last generation shown or a later one (shown,
 * say, as someone's spouse) is collapsed, so expanding a branch shows its next generation.
 */
export function autoCollapse() {
  if (state.persons.length <= AUTO_COLLAPSE_OVER) return;
  const level = new Map();
  const levels = [];
  let frontier = [];
  const add = (id, g, list) => {
    if (level.has(id)) return;
    level.set(id, g);
    list.push(id);
  };
  for (const id of founders()) add(id, 0, frontier);
  for (let g = 0; frontier.length; g++) {
    const next = [];
    for (let i = 0; i < frontier.length; i++) {
      const id = frontier[i];
      for (const s of spousesOf(id)) {
        const sp = state.personById.get(s);
        if (!known(sp.fatherId) && !known(sp.motherId)) add(s, g, frontier); // married in: same generation
      }
      for (const c of state.childrenOf.get(id) || []) if (known(c)) add(c, g + 1, next);
    }
    levels.push(frontier);
    frontier = next;
  }
  // collapsed from generation g on: every person with children of generation g or later (or of none: odd data)
  const collapseFrom = (g) => {
    const out = new Set();
    for (const p of state.persons) if (!(level.get(p.id) < g) && (state.childrenOf.get(p.id) || []).length) out.add(p.id);
    return out;
  };
  let chosen = collapseFrom(0);
  for (let g = 1; g < levels.length; g++) {
    const next = collapseFrom(g);
    if (reach(founders(), new Set(), next).size > START_BUDGET) break;
    chosen = next;
  }
  for (const id of chosen) state.collapsed.add(id);
}

/** The collapse badge under a collapsed person's box, in world coordinates (null if none). */
export function badgeAt(id) {
  const n = state.hiddenCount.get(id);
  if (!n || !state.nodeIndex.has(id)) return null;
  const k = state.nodeIndex.get(id);
  return { x: state.laid.x[k] + BOX_WIDTH / 2, y: state.laid.y[k] + BOX_HEIGHT + 10, r: 11, count: n };
}

function urlFor(view) {
  const params = new URLSearchParams(location.search);
  for (const k of ["view", "person", "depth"]) params.delete(k);
  if (view.mode !== "all") {
    params.set("view", view.mode);
    params.set("person", String(view.personId));
    if (view.depth != null) params.set("depth", String(view.depth));
  }
  const q = params.toString();
  return `${location.pathname}${q ? `?${q}` : ""}`;
}

/** The view the URL names, if valid. */
export function viewFromUrl() {
  const params = new URLSearchParams(location.search);
  const mode = params.get("view");
  if (!VIEWS.includes(mode) || mode === "all") return { mode: "all", personId: null, depth: null };
  const raw = params.get("person");
  const personId = [...state.personById.keys()].find((k) => String(k) === raw) ?? null;
  const depth = /^\d{1,3}$/.test(params.get("depth") || "") ? Number(params.get("depth")) : null;
  return personId == null ? { mode: "all", personId: null, depth: null } : { mode, personId, depth };
}

/** Screen position a person keeps across a change of view (or null: centre it afterwards). */
function anchorOf(id) {
  if (!state.laid || !state.nodeIndex.has(id)) return null;
  const drawn = state.anim ? scene().get(id) : null; // mid-animation: where it is drawn, not where it is going
  if (drawn) return { x: drawn.x, y: drawn.y };
  const k = state.nodeIndex.get(id);
  return { x: (state.laid.x[k] + BOX_WIDTH / 2) * state.camera.scale + state.camera.tx,
    y: (state.laid.y[k] + BOX_HEIGHT / 2) * state.camera.scale + state.camera.ty };
}

/** Keeps `id` at `at` on screen (or centres it), sliding there over a few frames. */
function place(id, at) {
  if (!state.nodeIndex.has(id)) return Promise.resolve();
  const k = state.nodeIndex.get(id);
  const target = at || { x: state.width / 2, y: state.height / 2 };
  const tx = target.x - (state.laid.x[k] + BOX_WIDTH / 2) * state.camera.scale;
  const ty = target.y - (state.laid.y[k] + BOX_HEIGHT / 2) * state.camera.scale;
  state.camera.tx = tx;
  state.camera.ty = ty;
  requestDraw();
  return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
}

/**
 * Switches to a view and lays out again; `push`: record it in the history. Resolves once the first frame is drawn:
 * persons move from where they are drawn (mid-animation too) to their new places, the focus person staying put.
 */
export async function setView(view, push = true) {
  const anchorId = view.personId ?? state.selectedId ?? state.view.personId;
  const at = anchorOf(anchorId);
  const oldLaid = state.laid;
  state.view = { mode: view.mode, personId: view.mode === "all" ? null : view.personId, depth: view.depth ?? null };
  if (push) {
    const url = urlFor(state.view);
    if (url !== `${location.pathname}${location.search}`) history.pushState({ kinhubView: state.view }, "", url);
  }
  syncControls();
  await relayout();
  const from = scene(oldLaid); // where everything is drawn now (the old layout, or mid-animation)
  const drawn = anchorId != null ? place(anchorId, at) : null;
  animateFrom(from);
  await (drawn || new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** Collapses or expands one person's branch. */
export async function toggleCollapse(id) {
  const oldLaid = state.laid;
  const at = anchorOf(id);
  if (state.collapsed.has(id)) {
    // a couple's children are shown only when both are expanded
    state.collapsed.delete(id);
    for (const s of spousesOf(id)) state.collapsed.delete(s);
  } else {
    state.collapsed.add(id);
  }
  await relayout();
  const from = scene(oldLaid);
  const drawn = place(id, at);
  animateFrom(from);
  await drawn;
}

export async function expandAll() {
  state.collapsed.clear();
  await relayout();
}

function syncControls() {
  const select = document.getElementById("view-mode");
  if (select) select.value = state.view.mode;
  const depth = document.getElementById("view-depth");
  if (depth) depth.value = state.view.depth ?? "";
}

/** The view controls in the header, the collapse action in the panel, and back/forward. */
export function mountViewControls() {
  const header = document.querySelector(".tree-header");
  const wrap = document.createElement("span");
  wrap.className = "view-controls";
  const label = document.createElement("label");
  const caption = document.createElement("span");
  caption.textContent = t("tree.view.label");
  const select = document.createElement("select");
  select.id = "view-mode";
  for (const v of VIEWS) {
    const o = document.createElement("option");
    o.value = v;
    o.textContent = t(`tree.view.${v}`);
    select.append(o);
  }
  label.append(caption, select);
  const depthLabel = document.createElement("label");
  const depthCaption = document.createElement("span");
  depthCaption.textContent = t("tree.view.depth");
  const depth = document.createElement("input");
  depth.id = "view-depth";
  depth.type = "number";
  depth.min = "1";
  depth.max = "99";
  depth.placeholder = t("tree.view.depthAll");
  depthLabel.append(depthCaption, depth);
  const me = document.createElement("button");
  me.type = "button";
  me.id = "view-me";
  me.className = "secondary";
  me.textContent = t("tree.view.me");
  me.hidden = state.me == null;
  const expand = document.createElement("button");
  expand.type = "button";
  expand.id = "expand-all";
  expand.className = "secondary";
  expand.textContent = t("tree.view.expandAll");
  wrap.append(label, depthLabel, me, expand);
  header.insertBefore(wrap, document.getElementById("site-nav"));
  const focusOn = () => state.selectedId ?? state.view.personId ?? state.me;
  const depthValue = () => (/^\d{1,2}$/.test(depth.value) && Number(depth.value) > 0 ? Number(depth.value) : null);
  select.addEventListener("change", () => {
    const id = focusOn();
    if (select.value !== "all" && id == null) {
      select.value = state.view.mode;
      dom.searchStatus.textContent = t("tree.view.pickFirst");
      return;
    }
    setView({ mode: select.value, personId: id, depth: depthValue() });
  });
  depth.addEventListener("change", () => {
    if (state.view.mode !== "all") setView({ ...state.view, depth: depthValue() });
  });
  me.addEventListener("click", () => {
    if (state.me != null) setView({ mode: state.view.mode === "all" ? "hourglass" : state.view.mode, personId: state.me, depth: depthValue() });
  });
  expand.addEventListener("click", () => expandAll());
  registerPanelSection((id, panel) => {
    if ((state.childrenOf.get(id) || []).length) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "secondary collapse-toggle";
      b.textContent = state.collapsed.has(id) ? t("tree.view.expand") : t("tree.view.collapse");
      b.addEventListener("click", () => toggleCollapse(id));
      panel.append(b);
    }
    const focus = document.createElement("span");
    focus.className = "focus-actions";
    for (const v of ["descendants", "ancestors", "hourglass"]) {
      const f = document.createElement("button");
      f.type = "button";
      f.className = "secondary";
      f.textContent = t(`tree.view.${v}`);
      f.addEventListener("click", () => setView({ mode: v, personId: id, depth: depthValue() }));
      focus.append(f);
    }
    panel.append(focus);
  });
  window.addEventListener("popstate", () => setView(viewFromUrl(), false));
  syncControls();
}
