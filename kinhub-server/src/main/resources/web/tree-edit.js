// Editing on the tree canvas (issue 17, part 4), for those the permission check allows: from a person's panel add a
// father, mother, spouse, child or sibling, edit facts and parent links, delete with the cascade choice.
//
// Every edit is optimistic: it changes the local tree (the new box is drawn at once) and joins a queue that sends the
// edits one at a time. Changes of existing persons go with If-Match: the tree's ETag (docs/api.md, "Tree"); when
// someone else changed the tree meanwhile the server answers 412, this module reads the tree again and redoes the
// edit when the fields it changes are still as the editor saw them (a merge), or shows both sides and lets the editor
// choose (a conflict): a concurrent edit is never lost silently. Every answer carries the tree's new version; one
// that is not ours + 1 means others edited too, and the tree is read again and merged.
import { ApiError, token } from "./api.js";
import { loadI18n, t, problemMessage } from "./i18n.js";
import { state, registerPanelSection, registerOverlay } from "./tree-state.js";
import { applyTreeChange } from "./tree-layout-run.js";
import { requestDraw } from "./tree-render.js";
import { select } from "./tree-panel.js";

const FIELDS = ["name", "surname", "gender", "birthDate", "birthPlace", "deathDate", "deathPlace", "notes", "deceased", "fatherId", "motherId"];
const POLL_MS = 15000;
const MAX_RETRIES = 3;

const el = (tag, className, text) => {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text != null) e.textContent = text;
  return e;
};
const button = (text, className, onClick) => {
  const b = el("button", className, text);
  b.type = "button";
  if (onClick) b.addEventListener("click", onClick);
  return b;
};
const fold = (s) => (s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
const same = (a, b) => (a ?? null) === (b ?? null) || JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** A request that keeps the answer's ETag (api.js keeps only the body). */
async function call(method, path, body, headers = {}) {
  const h = { ...headers };
  if (token()) h.Authorization = `Bearer ${token()}`;
  if (body !== undefined) h["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = response.status === 304 ? "" : await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok && response.status !== 304) throw new ApiError(response.status, data, response.headers.get("Retry-After"));
  return { status: response.status, data, etag: response.headers.get("ETag") };
}

const versionOf = (etag) => {
  const m = /"tree-[0-9]+-([0-9]+)"$/.exec(etag || "");
  return m ? Number(m[1]) : null;
};

/**
 * The tree page as this module uses it, over tree-state.js and its hooks. `apply(changes)` takes a list of
 * `{add: person}`, `{update: id, fields}` and `{remove: id}`, and `replaceAll(persons, version)` the whole tree; both
 * go through applyTreeChange one at a time (one layout worker), keep the selected person where it was on screen, and
 * resolve once drawn.
 */
function pageHost({ centerOf, boxSize }) {
  let chain = Promise.resolve();
  function serial(change) {
    const run = async () => {
      const anchor = state.selectedId;
      const before = anchor != null ? centerOf(anchor) : null;
      await applyTreeChange(change());
      const after = anchor != null && state.selectedId === anchor ? centerOf(anchor) : null;
      if (before && after) {
        state.camera.tx += before.x - after.x;
        state.camera.ty += before.y - after.y;
      }
      requestDraw();
      await new Promise((r) => requestAnimationFrame(() => r())); // the frame requestDraw asked for has been drawn
    };
    chain = chain.then(run, run);
    return chain;
  }
  const notice = document.createElement("div");
  notice.hidden = true;
  document.body.append(notice);
  return {
    familyId: state.familyId,
    api: window.kinhubTree,
    notice,
    boxSize,
    version: () => state.version,
    persons: () => state.persons,
    person: (id) => state.personById.get(id),
    children: (id) => state.childrenOf.get(id) || [],
    select: (id) => select(id, false),
    selected: () => state.selectedId,
    requestDraw,
    addOverlay: registerOverlay,
    dpr: () => state.dpr,
    scale: () => state.camera.scale,
    addPanelSection: (fn) => registerPanelSection((id, panel) => fn(id, panel)),
    refreshPanel: () => select(state.selectedId != null && state.personById.has(state.selectedId) ? state.selectedId : null, false),
    apply: (changes) => serial(() => {
      const touched = new Map();
      const removed = new Set();
      for (const c of changes) {
        if (c.add) {
          touched.set(c.add.id, c.add);
          removed.delete(c.add.id);
        } else if (c.remove != null) {
          removed.add(c.remove);
          touched.delete(c.remove);
        } else if (c.update != null && !removed.has(c.update)) {
          const current = touched.get(c.update) ?? state.personById.get(c.update);
          if (current) touched.set(c.update, { ...current, ...c.fields });
        }
      }
      return { upsert: [...touched.values()], remove: [...removed] };
    }),
    replaceAll: (list, version) => serial(() => {
      const kept = new Set(list.map((p) => p.id));
      return { upsert: list, remove: state.persons.filter((p) => !kept.has(p.id)).map((p) => p.id), version };
    }),
  };
}

/** Mounts editing on the tree page (tree.js calls it once the tree is drawn, with its `centerOf` and box size). */
export async function mountEditing(page) {
  const host = pageHost(page);
  const base = `/api/v1/families/${encodeURIComponent(host.familyId)}`;
  const perms = [`family:person:create:${host.familyId}`, `family:person:edit:${host.familyId}`, `family:person:delete:${host.familyId}`];
  let may = { create: false, edit: false, delete: false };
  try {
    const { data } = await call("POST", "/api/v1/permission-checks", { permissions: perms });
    may = { create: !!data.results[perms[0]], edit: !!data.results[perms[1]], delete: !!data.results[perms[2]] };
  } catch {
    // no answer: no editing controls (the server would refuse anyway)
  }
  const edit = { may, lastAddMs: null, addTimes: [], personsNamed: (name) => host.persons().filter((p) => p.name === name).map((p) => p.id) };
  if (!may.create && !may.edit && !may.delete) {
    host.api.edit = edit;
    return edit;
  }
  await loadI18n(["treeedit"]).catch(() => {});
  stylesheet();

  let version = host.version();
  let tempSeq = 0;
  const realIdOf = new Map(); // temporary id → the id the server gave
  const queue = [];
  let running = null;
  let idleWaiters = [];
  const etag = (v = version) => `"tree-${host.familyId}-${v}"`;
  const real = (id) => (id != null && realIdOf.has(id) ? realIdOf.get(id) : id);
  const isTemp = (id) => typeof id === "string" && id.startsWith("new-");
  const nameOf = (id) => host.person(id)?.name ?? String(id);
  /** Shows the selected person's panel anew, unless the editor is busy in one of its forms. */
  const refreshPanel = () => host.refreshPanel(); // an open form stays (see the panel section)

  // ---- messages ----------------------------------------------------------------------------------------------
  const notice = host.notice;
  notice.classList.add("edit-notice");
  notice.setAttribute("role", "status");
  notice.setAttribute("aria-live", "polite");
  function say(text, kind = "info") {
    notice.replaceChildren(el("span", "", text), button("×", "secondary edit-dismiss", () => say("")));
    notice.dataset.kind = kind;
    notice.hidden = !text;
  }
  say("");

  // ---- the queue -------------------------------------------------------------------------------------------------
  /** Queues an operation after applying its local effect; resolves when the server has answered (or it was dropped). */
  function submit(op) {
    return new Promise((resolve) => {
      queue.push({ op, resolve });
      pump();
    });
  }
  function pump() {
    if (running || !queue.length) {
      if (!running && !queue.length) {
        const waiters = idleWaiters;
        idleWaiters = [];
        waiters.forEach((w) => w());
      }
      return;
    }
    const item = queue.shift();
    running = run(item.op).catch((e) => console.warn("edit failed", e)).then((outcome) => {
      running = null;
      item.resolve(outcome);
      pump();
    });
  }

  /** Sends one operation; on 412 reads the tree again and retries while the edit still applies. */
  async function run(op) {
    for (let attempt = 0; ; attempt++) {
      try {
        const answers = await op.send();
        await settle(answers, op);
        return "done";
      } catch (e) {
        if (e instanceof ApiError && e.status === 412 && attempt < MAX_RETRIES) {
          await refresh(false);
          const clash = op.clash ? await op.clash() : null;
          if (!clash) { // nothing the edit changes was touched by others: redo it on the tree just read
            op.ifVersion = version;
            continue;
          }
          return conflict(op, clash);
        }
        if (!(e instanceof ApiError)) console.warn("edit failed", e);
        await refresh(false, true); // the local tree shows what the server holds again (the edit is undone)
        say(explain(e, op), "error");
        return "failed";
      }
    }
  }

  /** After the server accepted an operation: our version + 1 per edit, or others edited too (read and merge). */
  async function settle(answers, op) {
    let expected = version;
    let others = false;
    for (const a of answers) {
      const v = versionOf(a.etag);
      if (v == null) continue;
      expected += 1;
      if (v !== expected) others = true;
      expected = v;
    }
    version = expected;
    if (op.confirmed) await op.confirmed(answers);
    if (others) await refresh(true, true); // our version is already the newest: read it in full
  }

  /** Reads the tree again (If-None-Match) and shows it with the edits still queued applied on top. */
  async function refresh(announce, force = false) {
    let answer;
    try {
      answer = await call("GET", `${base}/tree`, undefined, force ? {} : { "If-None-Match": etag() });
    } catch {
      return false;
    }
    if (answer.status === 304 || !answer.data) return false;
    const before = new Map(host.persons().filter((p) => !isTemp(p.id)).map((p) => [p.id, p]));
    const list = answer.data.persons;
    version = answer.data.version;
    let changed = 0;
    for (const p of list) {
      const old = before.get(p.id);
      before.delete(p.id);
      if (!old || FIELDS.some((f) => f !== "notes" && f !== "deceased" && !same(old[f], p[f])) || !same(old.spouseIds, p.spouseIds)) changed++;
    }
    changed += before.size;
    const pendingLocal = [running, ...queue.map((q) => q.op)].filter(Boolean);
    await host.replaceAll(list, version);
    for (const op of queue.map((q) => q.op)) if (op.local) await host.apply(op.local());
    if (announce && changed) say(t("treeedit.merged", { count: changed }));
    if (!pendingLocal.length) refreshPanel();
    return true;
  }

  function explain(e, op) {
    if (e instanceof ApiError && e.code === "cycle" && op.parentLink) {
      const { child, parent, role } = op.parentLink;
      if (parent === child) return t("treeedit.cycle.self", { name: nameOf(child) });
      return t("treeedit.cycle", { parent: nameOf(parent), child: nameOf(child), role: t(`treeedit.role.${role}`) });
    }
    if (e instanceof ApiError && e.code === "has_children") return t("treeedit.hasChildren", { name: op.label ?? "" });
    return e instanceof ApiError ? problemMessage(e.problem) : t("treeedit.failed");
  }

  /** Shows both sides of a clash; the editor keeps theirs (the edit is dropped) or applies theirs over it. */
  function conflict(op, clash) {
    return new Promise((resolve) => {
      const box = el("div", "edit-conflict");
      box.append(el("p", "", clash.message));
      if (clash.rows?.length) {
        const table = el("table", "edit-diff");
        const head = el("tr");
        head.append(el("th", "", ""), el("th", "", t("treeedit.conflict.theirs")), el("th", "", t("treeedit.conflict.mine")));
        table.append(head);
        for (const r of clash.rows) {
          const tr = el("tr");
          tr.append(el("th", "", r.label), el("td", "theirs", r.theirs ?? "—"), el("td", "mine", r.mine ?? "—"));
          table.append(tr);
        }
        box.append(table);
      }
      const keep = button(t("treeedit.conflict.keepTheirs"), "secondary edit-keep-theirs", () => {
        notice.hidden = true;
        resolve("kept theirs");
      });
      const mine = button(t("treeedit.conflict.useMine"), "edit-use-mine", async () => {
        notice.hidden = true;
        if (op.local) await host.apply(op.local());
        op.ifVersion = version; // over theirs, knowingly
        try {
          const answers = await op.send();
          await settle(answers, op);
          resolve("used mine");
        } catch (e) {
          await refresh(false, true);
          say(explain(e, op), "error");
          resolve("failed");
        }
      });
      const actions = el("div", "edit-actions");
      actions.append(keep, mine);
      box.append(actions);
      notice.replaceChildren(box);
      notice.dataset.kind = "conflict";
      notice.hidden = false;
    });
  }

  // ---- operations ------------------------------------------------------------------------------------------------
  const emptyPerson = (id, fields) => ({ id, name: "", surname: null, gender: "unknown", birthDate: null, birthPlace: null,
    deathDate: null, deathPlace: null, fatherId: null, motherId: null, spouseIds: [], generation: null, ...fields });

  /** Local changes that swap a temporary id for the server's everywhere. */
  function swapId(tempId, person) {
    const changes = [{ remove: tempId }, { add: { ...emptyPerson(person.id, {}), ...person, childrenIds: undefined } }];
    for (const p of host.persons()) {
      const fields = {};
      if (p.fatherId === tempId) fields.fatherId = person.id;
      if (p.motherId === tempId) fields.motherId = person.id;
      if ((p.spouseIds || []).includes(tempId)) fields.spouseIds = p.spouseIds.map((s) => (s === tempId ? person.id : s));
      if (Object.keys(fields).length) changes.push({ update: p.id, fields });
    }
    return changes;
  }

  /** Adds a relative of `anchorId`: the box is drawn at once, the server asked afterwards. */
  async function addRelative(anchorId, kind, { name, gender, otherParent, clickedAt } = {}) {
    const anchor = host.person(anchorId);
    if (!anchor) return null;
    const id = `new-${++tempSeq}`;
    const fields = { name: (name || "").trim() || t("treeedit.unnamed"), gender: gender || "unknown" };
    const changes = [];
    let link = null; // an existing person who gets the new one as a parent
    if (kind === "child") {
      const slot = anchor.gender === "female" ? "motherId" : "fatherId";
      fields[slot] = anchorId;
      if (otherParent && host.person(otherParent)) fields[slot === "fatherId" ? "motherId" : "fatherId"] = otherParent;
    } else if (kind === "sibling") {
      fields.fatherId = anchor.fatherId ?? null;
      fields.motherId = anchor.motherId ?? null;
    } else if (kind === "spouse") {
      fields.spouseIds = [anchorId];
      if (!gender || gender === "unknown") fields.gender = anchor.gender === "male" ? "female" : anchor.gender === "female" ? "male" : "unknown";
      changes.push({ update: anchorId, fields: { spouseIds: [...(anchor.spouseIds || []), id] } });
    } else if (kind === "father" || kind === "mother") {
      fields.gender = kind === "father" ? "male" : "female";
      const partner = kind === "father" ? anchor.motherId : anchor.fatherId;
      if (partner != null && host.person(partner)) {
        fields.spouseIds = [partner];
        changes.push({ update: partner, fields: { spouseIds: [...(host.person(partner).spouseIds || []), id] } });
      }
      link = { child: anchorId, slot: `${kind}Id` };
      changes.push({ update: anchorId, fields: { [`${kind}Id`]: id } });
    }
    changes.unshift({ add: emptyPerson(id, fields) });
    // the box is drawn at once beside its relative (the next frame), and moves to its place once the tree is laid out
    provisional.set(id, { anchorId, kind, name: fields.name, gender: fields.gender });
    host.requestDraw();
    requestAnimationFrame(() => {
      if (clickedAt == null) return;
      edit.lastAddMs = performance.now() - clickedAt;
      edit.lastAddDrawn = host.api.centerOf?.(anchorId) != null; // drawn beside a person who is on the canvas
      edit.addTimes.push(edit.lastAddMs);
    });
    // the tree is changed and laid out after that frame: the click's frame does not wait for it
    const drawn = new Promise((r) => requestAnimationFrame(r)).then(() => host.apply(changes)).then(() => {
      provisional.delete(id);
      host.requestDraw();
      refreshPanel();
      if (clickedAt != null) edit.lastPlacedMs = performance.now() - clickedAt;
    });
    const op = {
      label: fields.name,
      ifVersion: version, // the tree the editor saw when clicking
      local: () => [{ add: emptyPerson(id, fields) }],
      async send() {
        const body = { name: fields.name, gender: fields.gender };
        for (const f of ["fatherId", "motherId"]) if (fields[f] != null) body[f] = real(fields[f]);
        if (fields.spouseIds) body.spouseIds = fields.spouseIds.map(real);
        const answers = [];
        if (!realIdOf.has(id)) {
          const created = await call("POST", `${base}/persons`, body);
          realIdOf.set(id, created.data.id);
          answers.push(created);
          op.created = created.data;
        }
        if (link) {
          // against the tree the editor saw (the one our create made when nobody else edited in between): a parent
          // set by someone else meanwhile is never replaced silently
          const madeByUs = answers.length && versionOf(answers[0].etag) === op.ifVersion + 1;
          const linked = await call("PATCH", `${base}/persons/${encodeURIComponent(real(link.child))}`, { [link.slot]: realIdOf.get(id) },
            { "If-Match": madeByUs ? answers[0].etag : etag(op.ifVersion) });
          answers.push(linked);
        }
        return answers;
      },
      async confirmed(answers) {
        const changes = swapId(id, op.created);
        if (link) changes.push({ update: real(link.child), fields: { [link.slot]: realIdOf.get(id) } });
        await host.apply(changes);
      },
      async clash() {
        if (!link) return null;
        const now = host.person(real(link.child));
        if (!now) return { message: t("treeedit.conflict.gone", { name: nameOf(link.child) }) };
        if (now[link.slot] == null || now[link.slot] === realIdOf.get(id)) return null;
        return {
          message: t("treeedit.conflict.parent", { name: now.name, role: t(`treeedit.role.${link.slot === "fatherId" ? "father" : "mother"}`) }),
          rows: [{ label: t(`treeedit.field.${link.slot}`), theirs: nameOf(now[link.slot]), mine: fields.name }],
        };
      },
    };
    submit(op).then((outcome) => {
      if (outcome === "kept theirs" && realIdOf.has(id)) say(t("treeedit.conflict.unlinked", { name: fields.name }));
      refreshPanel();
    });
    await drawn;
    return id;
  }

  /** Changes fields of a person (only those that differ from `seen`, the values the form started from). */
  function update(personId, changes, seen, seenVersion = version) {
    const fields = {};
    for (const [k, v] of Object.entries(changes)) if (!same(v, seen[k])) fields[k] = v;
    if (!Object.keys(fields).length) return Promise.resolve("unchanged");
    const local = {};
    for (const [k, v] of Object.entries(fields)) if (k !== "notes" && k !== "deceased") local[k] = v;
    const wouldCycle = ["fatherId", "motherId"].some((f) => fields[f] != null && descends(fields[f], personId));
    const parentField = ["fatherId", "motherId"].find((f) => f in fields && fields[f] != null);
    const op = {
      ifVersion: seenVersion,
      local: () => (wouldCycle ? [] : [{ update: personId, fields: local }]),
      parentLink: parentField ? { child: personId, parent: fields[parentField], role: parentField === "fatherId" ? "father" : "mother" } : null,
      async send() {
        const body = {};
        for (const [k, v] of Object.entries(fields)) body[k] = k === "fatherId" || k === "motherId" ? real(v) : v;
        return [await call("PATCH", `${base}/persons/${encodeURIComponent(real(personId))}`, body, { "If-Match": etag(op.ifVersion) })];
      },
      async confirmed(answers) {
        const now = answers[0].data;
        const fields = {};
        for (const k of FIELDS) if (k !== "notes" && k !== "deceased" && k in now) fields[k] = now[k];
        fields.spouseIds = now.spouseIds;
        await host.apply([{ update: real(personId), fields }]);
      },
      async clash() {
        const now = await call("GET", `${base}/persons/${encodeURIComponent(real(personId))}`).then((a) => a.data, () => null);
        if (!now) return { message: t("treeedit.conflict.gone", { name: nameOf(personId) }) };
        const rows = [];
        for (const k of Object.keys(fields)) {
          if (same(now[k], seen[k]) || same(now[k], fields[k])) continue;
          const show = (v) => (k === "fatherId" || k === "motherId" ? (v == null ? null : nameOf(v)) : v == null ? null : String(v));
          rows.push({ label: t(`treeedit.field.${k}`), theirs: show(now[k]), mine: show(fields[k]) });
        }
        return rows.length ? { message: t("treeedit.conflict.changed", { name: now.name }), rows } : null;
      },
    };
    const drawn = wouldCycle ? Promise.resolve() : host.apply(op.local()).then(refreshPanel);
    const done = submit(op).then((outcome) => {
      refreshPanel();
      return outcome;
    });
    return drawn.then(() => done);
  }

  /** Whether `id` is `ancestorId` or descends from them in the local tree (a parent link from them would cycle). */
  function descends(id, ancestorId) {
    const seen = new Set();
    const stack = [id];
    while (stack.length) {
      const x = stack.pop();
      if (x === ancestorId) return true;
      if (x == null || seen.has(x)) continue;
      seen.add(x);
      const p = host.person(x);
      if (p) stack.push(p.fatherId, p.motherId);
    }
    return false;
  }

  /** Deletes a person (`detach`: their children stay, without this parent). */
  function remove(personId, detach, seenVersion = version) {
    const gone = host.person(personId);
    if (!gone) return Promise.resolve("gone");
    const seen = { ...gone, children: host.children(personId).slice().sort() };
    const local = () => {
      const changes = [{ remove: personId }];
      for (const p of host.persons()) {
        const fields = {};
        if (p.fatherId === personId) fields.fatherId = null;
        if (p.motherId === personId) fields.motherId = null;
        if ((p.spouseIds || []).includes(personId)) fields.spouseIds = p.spouseIds.filter((s) => s !== personId);
        if (Object.keys(fields).length) changes.push({ update: p.id, fields });
      }
      return changes;
    };
    const op = {
      label: gone.name,
      ifVersion: seenVersion,
      local,
      async confirmed() {
        if (host.person(real(personId))) await host.apply(local()); // shown again by a read of the tree in between
      },
      async send() {
        return [await call("DELETE", `${base}/persons/${encodeURIComponent(real(personId))}${detach ? "?cascade=false" : ""}`, undefined,
          { "If-Match": etag(op.ifVersion) })];
      },
      async clash() {
        const now = host.person(real(personId));
        if (!now) return null; // deleted by someone else too: nothing is lost
        const rows = [];
        for (const k of ["name", "surname", "gender", "birthDate", "birthPlace", "deathDate", "deathPlace", "fatherId", "motherId"]) {
          if (!same(now[k], seen[k])) rows.push({ label: t(`treeedit.field.${k}`), theirs: now[k] == null ? null : String(k.endsWith("Id") ? nameOf(now[k]) : now[k]), mine: t("treeedit.deleted") });
        }
        const children = host.children(now.id).slice().sort();
        if (!same(children, seen.children)) rows.push({ label: t("treeedit.children"), theirs: String(children.length), mine: t("treeedit.deleted") });
        return rows.length ? { message: t("treeedit.conflict.changedBeforeDelete", { name: now.name }), rows } : null;
      },
    };
    if (host.selected() === personId) host.select(null);
    return host.apply(local()).then(() => {
      refreshPanel();
      return submit(op);
    });
  }

  // ---- new boxes before their layout --------------------------------------------------------------------------------
  const provisional = new Map(); // temporary id → { anchorId, kind, name, gender }
  const OFFSETS = { child: [0, 1.9], sibling: [1.15, 0], spouse: [1.15, 0], father: [-0.6, -1.9], mother: [0.6, -1.9] };
  const COLORS = { male: ["#dde9f7", "#5b7fa8"], female: ["#f8e0e8", "#b0647e"], unknown: ["#ecece6", "#8a8a80"] };
  host.addOverlay((ctx) => {
    const dpr = host.dpr();
    const s = host.scale();
    for (const [id, box] of provisional) {
      if (host.api.centerOf(id)) continue; // laid out already
      const c = host.api.centerOf(box.anchorId);
      if (!c) continue;
      const [ox, oy] = OFFSETS[box.kind];
      const w = host.boxSize.w * s;
      const h = host.boxSize.h * s;
      const x = (c.x - w / 2 + ox * w) * dpr;
      const y = (c.y - h / 2 + oy * h) * dpr;
      const [fill, stroke] = COLORS[box.gender] || COLORS.unknown;
      ctx.save();
      ctx.fillStyle = fill;
      ctx.strokeStyle = stroke;
      ctx.lineWidth = Math.max(1, 1.5 * s * dpr);
      ctx.setLineDash([5 * dpr, 3 * dpr]);
      ctx.fillRect(x, y, w * dpr, h * dpr);
      ctx.strokeRect(x, y, w * dpr, h * dpr);
      if (h >= 14) {
        ctx.fillStyle = "#1f2933";
        ctx.font = `600 ${Math.min(14 * s, h * 0.4) * dpr}px system-ui, sans-serif`;
        ctx.textBaseline = "middle";
        ctx.fillText(box.name, x + 6 * s * dpr, y + (h * dpr) / 2, (w - 12 * s) * dpr);
      }
      ctx.restore();
    }
  });

  // ---- the panel section ---------------------------------------------------------------------------------------------
  host.addPanelSection((id, panel) => {
    const p = host.person(id);
    if (!p) return;
    if (open && open.personId !== id) open = null;
    const section = el("section", "tree-edit");
    section.dataset.person = id;
    section.append(el("h3", "", t("treeedit.title")));
    if (isTemp(id)) {
      section.append(el("p", "muted", t("treeedit.saving")));
      panel.append(section);
      return;
    }
    if (may.create) section.append(addForm(p));
    const actions = el("div", "edit-actions");
    if (may.edit) actions.append(button(t("treeedit.editDetails"), "secondary edit-open", () => openForm(p, section)));
    if (may.delete) actions.append(button(t("treeedit.delete"), "danger secondary edit-delete", () => confirmDelete(p, section)));
    section.append(actions);
    if (open) section.append(open.element); // a form being filled in survives the panel being drawn anew
    panel.append(section);
  });
  let open = null; // { personId, element }: the edit form or delete question that is open
  const keepOpen = (personId, element) => {
    open = { personId, element };
  };
  const closeOpen = (element) => {
    element.remove();
    if (open?.element === element) open = null;
  };

  function addForm(p) {
    const box = el("div", "edit-add");
    const name = el("input");
    name.name = "newName";
    name.placeholder = t("treeedit.newName");
    name.setAttribute("aria-label", t("treeedit.newName"));
    name.autocomplete = "off";
    const gender = el("select");
    gender.name = "newGender";
    gender.setAttribute("aria-label", t("treeedit.field.gender"));
    for (const g of ["unknown", "male", "female"]) {
      const o = el("option", "", t(`treeedit.gender.${g}`));
      o.value = g;
      gender.append(o);
    }
    box.append(name, gender);
    let other = null;
    const spouses = (p.spouseIds || []).filter((s) => host.person(s));
    if (spouses.length) {
      other = el("select");
      other.name = "otherParent";
      other.setAttribute("aria-label", t("treeedit.otherParent"));
      const none = el("option", "", t("treeedit.otherParent.none"));
      none.value = "";
      other.append(none);
      for (const s of spouses) {
        const o = el("option", "", t("treeedit.otherParent.with", { name: nameOf(s) }));
        o.value = s;
        other.append(o);
      }
      other.value = spouses[0];
      box.append(other);
    }
    const buttons = el("div", "edit-add-buttons");
    const kinds = ["father", "mother", "spouse", "child", "sibling"];
    for (const kind of kinds) {
      const b = button(t(`treeedit.add.${kind}`), "secondary edit-add-button", (e) => {
        const clickedAt = e.timeStamp || performance.now();
        addRelative(p.id, kind, { name: name.value, gender: gender.value, otherParent: other?.value || null, clickedAt });
        name.value = "";
      });
      b.dataset.add = kind;
      const blocked = (kind === "father" && p.fatherId != null) || (kind === "mother" && p.motherId != null)
        || (kind === "sibling" && p.fatherId == null && p.motherId == null) || ((kind === "father" || kind === "mother") && !may.edit);
      if (blocked) {
        b.disabled = true;
        b.title = t(`treeedit.add.${kind}.blocked`);
      }
      buttons.append(b);
    }
    box.append(buttons);
    return box;
  }

  function confirmDelete(p, section) {
    section.querySelector(".edit-confirm")?.remove();
    section.querySelector(".edit-form")?.remove();
    const box = el("div", "edit-confirm");
    keepOpen(p.id, box);
    const children = host.children(p.id);
    const seenVersion = version;
    const cancel = button(t("treeedit.cancel"), "secondary edit-cancel", () => closeOpen(box));
    if (children.length) {
      box.append(el("p", "", t("treeedit.delete.withChildren", { name: p.name, count: children.length })));
      box.append(button(t("treeedit.delete.detach", { name: p.name }), "danger edit-delete-detach", () => { closeOpen(box); remove(p.id, true, seenVersion); }), cancel);
    } else {
      box.append(el("p", "", t("treeedit.delete.confirm", { name: p.name })));
      box.append(button(t("treeedit.delete"), "danger edit-delete-confirm", () => { closeOpen(box); remove(p.id, false, seenVersion); }), cancel);
    }
    section.append(box);
  }

  async function openForm(p, section) {
    section.querySelector(".edit-form")?.remove();
    section.querySelector(".edit-confirm")?.remove();
    const form = el("form", "edit-form");
    form.noValidate = true;
    keepOpen(p.id, form);
    section.append(form);
    let seen;
    const seenVersion = version;
    try {
      seen = (await call("GET", `${base}/persons/${encodeURIComponent(p.id)}`)).data;
    } catch (e) {
      form.append(el("p", "error", explain(e, {})));
      return;
    }
    const inputs = {};
    const field = (key, type = "text") => {
      const label = el("label", "", t(`treeedit.field.${key}`));
      let input;
      if (type === "gender") {
        input = el("select");
        for (const g of ["unknown", "male", "female"]) {
          const o = el("option", "", t(`treeedit.gender.${g}`));
          o.value = g;
          input.append(o);
        }
        input.value = seen.gender || "unknown";
      } else if (type === "textarea") {
        input = el("textarea");
        input.rows = 3;
        input.value = seen[key] ?? "";
      } else if (type === "checkbox") {
        input = el("input");
        input.type = "checkbox";
        input.checked = !!seen[key];
        label.classList.add("inline");
      } else {
        input = el("input");
        input.value = seen[key] ?? "";
      }
      input.name = key;
      label.append(input);
      form.append(label);
      inputs[key] = input;
    };
    field("name");
    field("surname");
    field("gender", "gender");
    field("birthDate");
    field("birthPlace");
    field("deathDate");
    field("deathPlace");
    field("deceased", "checkbox");
    field("notes", "textarea");
    const parents = { fatherId: seen.fatherId ?? null, motherId: seen.motherId ?? null };
    for (const slot of ["fatherId", "motherId"]) form.append(picker(slot, parents, p.id));
    const status = el("p", "error edit-form-status");
    const save = el("button", "edit-save", t("treeedit.save"));
    save.type = "submit";
    const cancel = button(t("treeedit.cancel"), "secondary edit-cancel", () => closeOpen(form));
    const actions = el("div", "edit-actions");
    actions.append(save, cancel);
    form.append(actions, status);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const changes = {};
      for (const k of ["name", "surname", "birthDate", "birthPlace", "deathDate", "deathPlace", "notes"]) {
        const v = inputs[k].value.trim();
        changes[k] = v === "" ? null : v;
      }
      if (!changes.name) {
        status.textContent = t("treeedit.nameRequired");
        return;
      }
      changes.gender = inputs.gender.value;
      changes.deceased = inputs.deceased.checked;
      Object.assign(changes, parents);
      closeOpen(form);
      update(p.id, changes, seen, seenVersion);
    });
    inputs.name.focus();
  }

  /** A search-as-you-type choice of an existing person for a parent slot. */
  function picker(slot, parents, personId) {
    const box = el("div", `edit-picker edit-picker-${slot}`);
    const label = el("label", "", t(`treeedit.field.${slot}`));
    const current = el("span", "edit-picked");
    const clear = button(t("treeedit.clear"), "secondary edit-clear", () => {
      parents[slot] = null;
      show();
    });
    const query = el("input");
    query.type = "search";
    query.name = `${slot}Query`;
    query.placeholder = t("treeedit.findPerson");
    query.autocomplete = "off";
    const results = el("div", "edit-picks");
    function show() {
      current.textContent = parents[slot] == null ? t("treeedit.nobody") : nameOf(parents[slot]);
      clear.hidden = parents[slot] == null;
    }
    query.addEventListener("input", () => {
      results.replaceChildren();
      const q = fold(query.value.trim());
      if (!q) return;
      let shown = 0;
      for (const other of host.persons()) {
        if (other.id === personId || isTemp(other.id) || !fold(other.name).includes(q)) continue;
        const years = [other.birthDate, other.deathDate].filter(Boolean).join(" – ");
        results.append(button(years ? `${other.name} (${years})` : other.name, "secondary edit-pick", () => {
          parents[slot] = other.id;
          query.value = "";
          results.replaceChildren();
          show();
        }));
        if (++shown >= 8) break;
      }
    });
    show();
    label.append(current, clear, query);
    box.append(label, results);
    return box;
  }

  // ---- others' edits while the page is open ----------------------------------------------------------------------------
  setInterval(() => {
    if (document.visibilityState === "visible" && !running && !queue.length) refresh(true);
  }, POLL_MS);

  Object.assign(edit, {
    addRelative: (anchorId, kind, options) => addRelative(anchorId, kind, { ...options, clickedAt: performance.now() }),
    update: (personId, changes) => call("GET", `${base}/persons/${encodeURIComponent(personId)}`).then((a) => update(personId, changes, a.data)),
    remove,
    /** Resolves once every queued edit has been answered. */
    idle: () => (running || queue.length ? new Promise((r) => idleWaiters.push(r)) : Promise.resolve()),
    version: () => version,
    refresh: () => refresh(true),
  });
  host.api.edit = edit; // complete: tests and benchmarks wait for it
  refreshPanel();
  return edit;
}

function stylesheet() {
  if (document.querySelector("link[data-tree-edit]")) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = "/assets/tree-edit.css";
  link.dataset.treeEdit = "";
  document.head.append(link);
}
