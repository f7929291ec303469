// The tree page's relationship finder (pick two persons, or "me", see the path highlighted and what one calls the
// other), 世 rows (generation labels beside the tree), and each person's change history with revert.
// tree.js mounts it with a few hooks; everything else lives here.
import { api, ApiError } from "./api.js";
import { loadI18n, t, lang, problemMessage } from "./i18n.js";

const el = (tag, className, text) => {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text != null) e.textContent = text;
  return e;
};

function stylesheet() {
  if (document.querySelector("link[data-genealogy]")) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = "/assets/genealogy.css";
  link.dataset.genealogy = "";
  document.head.append(link);
}

function message(e) {
  return e instanceof ApiError ? problemMessage(e.problem) : t("genealogy.error");
}

/** Mounts the finder; `hooks` come from tree.js (see its last lines). */
export async function mountRelationship(hooks) {
  const { familyId, ready, personById, select, requestDraw, overlayHooks, detailsHooks, centerOf, dpr, scale, boxSize, header } = hooks;
  await loadI18n(["genealogy"]).catch(() => {});
  stylesheet();
  const base = `/api/v1/families/${encodeURIComponent(familyId)}`;
  const state = { from: null, to: null, answer: null, rows: false, me: null };
  try {
    state.me = (await api("GET", `${base}/me`)).personId;
  } catch {
    state.me = null;
  }

  // ---- the panel
  const panel = el("section", "kin-panel");
  panel.setAttribute("aria-live", "polite");
  panel.id = "relationship";
  const fromLabel = el("span", "kin-end");
  const toLabel = el("span", "kin-end");
  const find = el("button", "kin-find", t("genealogy.find"));
  find.type = "button";
  const clear = el("button", "secondary", t("genealogy.clear"));
  clear.type = "button";
  const result = el("div", "kin-result");
  const nameOf = (id) => (id == null ? t("genealogy.none") : personById.get(id)?.name ?? id);
  function render() {
    fromLabel.textContent = `${t("genealogy.from")}: ${nameOf(state.from)}`;
    toLabel.textContent = `${t("genealogy.to")}: ${nameOf(state.to)}`;
    find.disabled = state.from == null || state.to == null;
  }
  let lastFind = Promise.resolve();
  find.onclickDone = () => { find.click(); return lastFind; };
  find.addEventListener("click", () => { lastFind = findNow(); });
  async function findNow() {
    result.textContent = t("genealogy.finding");
    try {
      const a = await api("GET", `${base}/relationship?from=${encodeURIComponent(state.from)}&to=${encodeURIComponent(state.to)}`);
      state.answer = a;
      const term = lang() === "zh-CN" ? a.term.zh : a.term.en;
      result.replaceChildren(el("strong", "kin-term", t("genealogy.calls", { from: nameOf(a.from), to: nameOf(a.to), term })),
        el("div", "kin-steps", a.steps.map((s) => t(`genealogy.step.${s}`)).join(" → ")));
    } catch (e) {
      state.answer = null;
      result.textContent = e instanceof ApiError && e.code === "not_related" ? t("genealogy.notRelated") : message(e);
    }
    requestDraw();
  }
  clear.addEventListener("click", () => {
    state.from = state.to = state.answer = null;
    result.textContent = "";
    render();
    requestDraw();
  });
  const rows = el("label", "kin-rows");
  const rowsBox = document.createElement("input");
  rowsBox.type = "checkbox";
  rowsBox.name = "generationRows";
  rowsBox.addEventListener("change", () => {
    state.rows = rowsBox.checked;
    requestDraw();
  });
  rows.append(rowsBox, el("span", null, t("genealogy.rows")));
  panel.append(el("h2", null, t("genealogy.relationship")), fromLabel, toLabel, find, clear, result);
  header.append(rows);
  document.body.append(panel);
  render();

  // ---- the path and 世 rows on the overlay
  overlayHooks.push((ctx) => {
    const ratio = dpr();
    if (state.answer) {
      ctx.save();
      ctx.strokeStyle = "#c0392b";
      ctx.lineWidth = 3 * ratio;
      ctx.beginPath();
      let first = true;
      for (const id of state.answer.path) {
        const c = centerOf(id);
        if (!c) continue;
        if (first) ctx.moveTo(c.x * ratio, c.y * ratio);
        else ctx.lineTo(c.x * ratio, c.y * ratio);
        first = false;
      }
      ctx.stroke();
      const s = scale() * ratio;
      for (const id of state.answer.path) {
        const c = centerOf(id);
        if (!c) continue;
        ctx.strokeRect(c.x * ratio - (boxSize.w * s) / 2 - 3 * ratio, c.y * ratio - (boxSize.h * s) / 2 - 3 * ratio,
          boxSize.w * s + 6 * ratio, boxSize.h * s + 6 * ratio);
      }
      ctx.restore();
    }
    if (state.rows) {
      // one label per generation at the mean height of its persons on screen
      const sums = new Map();
      for (const p of personById.values()) {
        if (p.generation == null) continue;
        const c = centerOf(p.id);
        if (!c) continue;
        const acc = sums.get(p.generation) || [0, 0];
        acc[0] += c.y;
        acc[1] += 1;
        sums.set(p.generation, acc);
      }
      ctx.save();
      ctx.font = `${13 * ratio}px sans-serif`;
      ctx.fillStyle = "#7a5c2e";
      for (const [generation, [sum, n]] of sums) {
        const y = (sum / n) * ratio;
        ctx.fillText(t("genealogy.generation", { n: generation }), 8 * ratio, y);
        ctx.fillRect(0, y + 4 * ratio, 60 * ratio, 1);
      }
      ctx.restore();
    }
  });

  // ---- the details panel: pick as from/to, link "me", the history
  detailsHooks.push((id, details) => {
    const box = el("div", "kin-details");
    const asFrom = el("button", "secondary", t("genealogy.setFrom"));
    asFrom.type = "button";
    asFrom.addEventListener("click", () => { state.from = id; render(); });
    const asTo = el("button", "secondary", t("genealogy.setTo"));
    asTo.type = "button";
    asTo.addEventListener("click", () => { state.to = id; render(); });
    box.append(asFrom, asTo);
    if (state.me != null && state.me !== id) {
      const fromMe = el("button", "secondary", t("genealogy.fromMe"));
      fromMe.type = "button";
      fromMe.addEventListener("click", () => { state.from = state.me; state.to = id; render(); find.click(); });
      box.append(fromMe);
    }
    const thisIsMe = el("button", "secondary", state.me === id ? t("genealogy.isMe") : t("genealogy.thisIsMe"));
    thisIsMe.type = "button";
    thisIsMe.disabled = state.me === id;
    thisIsMe.addEventListener("click", async () => {
      try {
        state.me = (await api("PUT", `${base}/me`, { personId: id })).personId;
        thisIsMe.textContent = t("genealogy.isMe");
        thisIsMe.disabled = true;
      } catch (e) {
        thisIsMe.textContent = message(e);
      }
    });
    box.append(thisIsMe);
    const p = personById.get(id);
    if (p && p.generation != null) {
      box.append(el("p", "kin-generation", t("genealogy.generation", { n: p.generation })
        + (p.generationName ? ` · ${p.generationName}${p.generationNameMatches === false ? ` (${t("genealogy.mismatch")})` : ""}` : "")));
    }
    const history = el("div", "kin-history");
    history.append(el("h3", null, t("genealogy.history")));
    box.append(history);
    details.append(box);
    loadHistory(id, history);
  });

  async function loadHistory(id, container) {
    try {
      const page = await api("GET", `${base}/changes?personId=${encodeURIComponent(id)}&limit=10`);
      if (!page.changes.length) container.append(el("p", "muted", t("genealogy.noHistory")));
      const list = el("ul", "kin-changes");
      for (const c of page.changes) {
        const item = el("li", null, `${t(`genealogy.kind.${c.kind}`)} · ${c.by ? c.by.displayName : "—"} · ${c.at.replace("T", " ").replace("Z", " UTC")}`);
        const changed = Object.keys({ ...(c.before || {}), ...(c.after || {}) })
          .filter((k) => JSON.stringify((c.before || {})[k]) !== JSON.stringify((c.after || {})[k]));
        if (changed.length && c.before && c.after) item.append(el("div", "kin-diff", changed.join(", ")));
        const revert = el("button", "secondary", t("genealogy.revert"));
        revert.type = "button";
        revert.addEventListener("click", async () => {
          try {
            await api("POST", `${base}/changes/${encodeURIComponent(c.id)}/revert`, {});
            revert.textContent = t("genealogy.reverted");
            revert.disabled = true;
          } catch (e) {
            revert.textContent = message(e);
          }
        });
        item.append(revert);
        list.append(item);
      }
      container.append(list);
    } catch (e) {
      // visitors have no history to see
      container.append(el("p", "muted", e instanceof ApiError && e.status === 403 ? t("genealogy.historyMembersOnly") : message(e)));
    }
  }

  // for tests: pick the two persons and ask, as the buttons do; resolves once the answer (or error) is shown
  if (window.kinhubTree) {
    window.kinhubTree.relationship = {
      async between(from, to) {
        state.from = from;
        state.to = to;
        render();
        await find.onclickDone();
        return { answer: state.answer, text: result.textContent };
      },
      panelText: () => panel.textContent,
    };
  }
  await ready.catch(() => {});
  requestDraw();
  return { state, select };
}
