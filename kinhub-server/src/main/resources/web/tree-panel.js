// The selected person's panel: name, dates, relatives, and the sections other modules register
// (registerPanelSection in tree-state.js).
import { state, dom } from "./tree-state.js";
import { t, has } from "./i18n.js";
import { centerOn, requestDraw, farTargetsOf } from "./tree-render.js";
import { relayout } from "./tree-layout-run.js";

/** Expands the collapsed branches above a hidden person (and leaves a focus view that excludes them), then selects. */
async function revealThenSelect(id, center) {
  // its ancestors, and a married-in spouse's partner's (a child is hidden while either parent is collapsed)
  const up = [id, ...(state.personById.get(id)?.spouseIds || []).filter((s) => state.personById.has(s))];
  for (let i = 0; i < up.length && i < state.persons.length; i++) {
    const p = state.personById.get(up[i]);
    for (const parent of [p?.fatherId, p?.motherId]) {
      if (parent == null || !state.personById.has(parent) || up.includes(parent)) continue;
      state.collapsed.delete(parent);
      up.push(parent);
    }
  }
  await relayout();
  if (!state.nodeIndex.has(id) && state.view.mode !== "all") {
    const { setView } = await import("./tree-view.js");
    await setView({ mode: "all", personId: null, depth: null });
  }
  if (state.nodeIndex.has(id)) select(id, center);
}

// ---- selection and details ------------------------------------------------------------------------------------
export function select(id, center) {
  if (id != null && state.laid && !state.nodeIndex.has(id) && state.personById.has(id)) {
    return revealThenSelect(id, center); // hidden in a collapsed branch or outside the focus view
  }
  state.selectedId = id;
  if (id != null && center) centerOn(id);
  showDetails(id);
  requestDraw();
}

function relativeButton(id) {
  const p = state.personById.get(id);
  const b = document.createElement("button");
  b.type = "button";
  b.className = "relative";
  b.textContent = p ? p.name : id;
  b.addEventListener("click", () => select(id, true));
  return b;
}

function showDetails(id) {
  dom.details.replaceChildren();
  if (id == null) {
    dom.details.hidden = true;
    return;
  }
  const p = state.personById.get(id);
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
  row(t("tree.details.parents"), [p.fatherId, p.motherId].filter((x) => state.personById.has(x)).map(relativeButton));
  row(t("tree.details.spouses"), (p.spouseIds || []).filter((x) => state.personById.has(x)).map(relativeButton));
  row(t("tree.details.children"), (state.childrenOf.get(id) || []).map(relativeButton));
  row(t("tree.details.elsewhere"), farTargetsOf(id).map(relativeButton)); // the "also in…" markers, by keyboard
  dom.details.append(close, title, list);
  dom.details.hidden = false;
  for (const section of state.hooks.panelSections) section(id, dom.details, p);
}

