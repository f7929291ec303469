// Real-browser check of the tree page's "also in…" markers and the positional view-switch animation.
// Args: chromium baseUrl token screenshotsDir gedcomFile... (each file gets a family of its own). Prints one JSON line; exits non-zero on any failed check.
//
// Which persons get a marker is computed here, independently of the page's marker code: the layout's units (which
// persons share a row unit, which unit a child hangs under; tree-layout.js's documented output) and GET /tree tell
// which links are cross-links (spouses in different units; a parent not in the unit its child hangs under), and the
// boxes' positions (window.kinhubTree.centerOf) tell which of them are longer than 0.9 × the viewport's short side.
// The relative at a long link's far end (the spouse at either end; the parent placed elsewhere) gets one marker
// listing every person its long links lead to.
import { chromium } from "playwright-core";
import { join } from "node:path";
import { readFile } from "node:fs/promises";

const [executablePath, baseUrl, token, shots, ...gedcoms] = process.argv.slice(2);
const checks = {};
function check(name, ok, detail) {
  checks[name] = ok ? true : detail;
  if (!ok) throw new Error(`check failed: ${name}: ${JSON.stringify(detail).slice(0, 2000)}`);
}
const BOX_WIDTH = 168, BOX_HEIGHT = 52; // tree-layout.js
const frames = (page, n = 2) => page.evaluate((k) => new Promise((r) => {
  const step = (i) => (i ? requestAnimationFrame(() => step(i - 1)) : r());
  step(k);
}), n);

const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });
let exit = 0;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  await context.addInitScript((t) => sessionStorage.setItem("kinhub.token", t), token);
  // records every line segment drawn in the cross-link colour: its length in device pixels and the canvas it went to
  await context.addInitScript(() => {
    const proto = CanvasRenderingContext2D.prototype;
    const moveTo = proto.moveTo, lineTo = proto.lineTo;
    window.__links = { tiles: 0, overlay: 0 };
    proto.moveTo = function (x, y) { this.__at = [x, y]; return moveTo.call(this, x, y); };
    proto.lineTo = function (x, y) {
      if (this.__at && this.strokeStyle === "#c49a4a") {
        const where = this.canvas.className === "overlay-layer" ? "overlay" : "tiles";
        window.__links[where] = Math.max(window.__links[where], Math.hypot(x - this.__at[0], y - this.__at[1]));
      }
      this.__at = [x, y];
      return lineTo.call(this, x, y);
    };
  });
  const errors = [];
  const summary = [];
  for (const gedcom of gedcoms) {
    const tag = gedcom.endsWith("royal92.ged") ? "royal" : "small";
    const started = Date.now();
    const ms = {};
    const page = await context.newPage();
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    // the family and its GEDCOM straight through the API (the import page has its own tests)
    const auth = { Authorization: `Bearer ${token}` };
    const created = await fetch(`${baseUrl}/api/v1/families`, { method: "POST", headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({ name: `Marks ${tag}` }) });
    check(`${tag}: family created`, created.status === 201, created.status);
    const familyId = (await created.json()).id;
    const imported = await fetch(`${baseUrl}/api/v1/families/${encodeURIComponent(familyId)}/gedcom`, { method: "POST",
      headers: { ...auth, "Content-Type": "text/plain; charset=utf-8" }, body: await readFile(gedcom) });
    check(`${tag}: GEDCOM imported`, imported.status === 200, [imported.status, (await imported.text()).slice(0, 300)]);
    await page.goto(`${baseUrl}/families/${encodeURIComponent(familyId)}/tree`);
    await page.waitForFunction(() => window.kinhubTree && window.kinhubTree.ready);
    await page.evaluate(() => window.kinhubTree.ready);
    ms.imported = Date.now() - started;
    await page.evaluate(() => window.kinhubTree.expandAll());
    await page.evaluate(() => window.kinhubTree.zoomTo(0));
    await frames(page);

    // ---- markers: exactly the far ends of the long cross-links ----------------------------------------------
    const expected = await page.evaluate(async ([t, bw, bh]) => {
      const id = location.pathname.split("/")[2];
      const tree = await (await fetch(`/api/v1/families/${id}/tree`, { headers: { Authorization: `Bearer ${t}` } })).json();
      const { layout } = await import("/assets/tree-layout.js");
      const units = layout(tree.persons, { order: "western" }).units;
      const unitOf = new Map();
      units.forEach((u, i) => u.members.forEach((m) => unitOf.set(m, i)));
      const k = window.kinhubTree;
      const { width, height, scale } = k.viewport();
      const limit = Math.min(width, height) * 0.9;
      const want = new Map();
      const unsure = [];
      const link = (near, target, a, b) => {
        const len = Math.hypot(b.x - a.x, b.y - a.y);
        if (Math.abs(len - limit) < 1) unsure.push(near, target); // too close to the limit to call
        else if (len > limit) {
          if (!want.has(near)) want.set(near, []);
          want.get(near).push(target);
        }
      };
      const byId = new Map(tree.persons.map((p) => [p.id, p]));
      for (const p of tree.persons) {
        for (const s of p.spouseIds || []) {
          if (!byId.has(s) || unitOf.get(s) === unitOf.get(p.id)) continue;
          link(p.id, s, k.centerOf(p.id), k.centerOf(s)); // listed at both ends: each end is the near one once
        }
        const home = units[unitOf.get(p.id)].parent;
        for (const parent of [p.fatherId, p.motherId]) {
          if (parent == null || !byId.has(parent) || unitOf.get(parent) === home) continue;
          const a = k.centerOf(parent), b = k.centerOf(p.id);
          link(parent, p.id, { x: a.x, y: a.y + (bh / 2) * scale }, { x: b.x, y: b.y - (bh / 2) * scale });
        }
      }
      return { want: [...want.entries()], unsure, persons: tree.persons.length, names: Object.fromEntries(tree.persons.map((p) => [p.id, p.name])) };
    }, [token, BOX_WIDTH, BOX_HEIGHT]);
    const markers = await page.evaluate(() => window.kinhubTree.markers());
    const norm = (entries) => entries.filter(([near]) => !expected.unsure.includes(near))
      .map(([near, targets]) => `${near}>${[...new Set(targets)].sort().join(",")}`).sort();
    const want = norm(expected.want);
    const got = norm(markers.map((m) => [m.near, m.targets]));
    check(`${tag}: markers are exactly the far ends of long links`, JSON.stringify(want) === JSON.stringify(got),
      { want: want.slice(0, 8), got: got.slice(0, 8), wantCount: want.length, gotCount: got.length });
    check(`${tag}: there are markers`, markers.length > 0, markers.length);
    check(`${tag}: a marker jumps to the first of its targets and names it`,
      markers.every((m) => m.personId === m.targets[0] && m.text.includes(expected.names[m.personId].trim().split(/\s+/)[0])), markers.slice(0, 3));

    // no marker overlaps a person's box
    const overlaps = await page.evaluate(([bw, bh]) => {
      const k = window.kinhubTree;
      const s = k.viewport().scale;
      const boxes = k.visibleIds().map((id) => k.centerOf(id));
      const out = [];
      for (const m of k.markers()) {
        for (const b of boxes) {
          if (Math.abs(m.at.x - b.x) < (m.size.width + bw * s) / 2 && Math.abs(m.at.y - b.y) < (m.size.height + bh * s) / 2) out.push(m.near);
        }
      }
      return out;
    }, [BOX_WIDTH, BOX_HEIGHT]);
    check(`${tag}: markers overlap no box`, overlaps.length === 0, overlaps.slice(0, 5));

    // a marker in view: no long cross-link drawn in the tiles, none on the overlay until hovered
    ms.markers = Date.now() - started;
    const m = markers.find((x) => x.kinds.includes("spouse")) || markers[0];
    await page.evaluate((id) => { window.__links.tiles = 0; window.__links.overlay = 0; window.kinhubTree.centerOn(id); }, m.near);
    await frames(page);
    const limitPx = await page.evaluate(() => Math.min(innerWidth, innerHeight) * devicePixelRatio * 0.9);
    const quiet = await page.evaluate(() => ({ ...window.__links, selected: window.kinhubTree.selected() }));
    check(`${tag}: no long link drawn while nothing is hovered or selected`,
      quiet.selected === null && quiet.tiles <= limitPx && quiet.overlay === 0, { quiet, limitPx });
    const box = await page.locator("#tree").boundingBox();
    const near = await page.evaluate((id) => window.kinhubTree.centerOf(id), m.near);
    await page.mouse.move(box.x + near.x, box.y + near.y);
    await frames(page);
    const hovered = await page.evaluate(() => ({ ...window.__links }));
    check(`${tag}: hovering a box draws its long links`, hovered.overlay > limitPx, { hovered, limitPx });
    await page.mouse.move(box.x + 5, box.y + 5);
    await frames(page);
    await page.evaluate(() => { window.__links.overlay = 0; });
    await frames(page);
    check(`${tag}: moving away hides them again`, (await page.evaluate(() => window.__links.overlay)) === 0, null);
    await page.screenshot({ path: join(shots, `tree-marker-${tag}.png`) });

    // clicking the marker selects and centres the person it stands for
    const at = (await page.evaluate(() => window.kinhubTree.markers())).find((x) => x.near === m.near).at;
    await page.mouse.click(box.x + at.x, box.y + at.y);
    await page.waitForFunction((id) => window.kinhubTree.selected() === id, m.personId, { timeout: 10000 });
    await frames(page);
    const landed = await page.evaluate((id) => ({ c: window.kinhubTree.centerOf(id), v: window.kinhubTree.viewport() }), m.personId);
    check(`${tag}: a marker click selects and centres its person`,
      Math.abs(landed.c.x - landed.v.width / 2) < 1 && Math.abs(landed.c.y - landed.v.height / 2) < 1, landed);
    const selectedLinks = await page.evaluate(() => window.__links.overlay);
    check(`${tag}: the selected person's long links are drawn`, selectedLinks > limitPx, { selectedLinks, limitPx });

    // by keyboard: the panel of the relative lists the persons its markers lead to
    await page.evaluate((id) => window.kinhubTree.centerOn(id), m.near);
    await frames(page);
    const nearNow = await page.evaluate((id) => window.kinhubTree.centerOf(id), m.near);
    await page.mouse.click(box.x + nearNow.x, box.y + nearNow.y);
    await page.waitForFunction((id) => window.kinhubTree.selected() === id, m.near, { timeout: 10000 });
    const button = page.locator("#details dd button.relative", { hasText: expected.names[m.personId] }).last();
    await button.focus();
    await page.keyboard.press("Enter");
    await page.waitForFunction((id) => window.kinhubTree.selected() === id, m.personId, { timeout: 10000 });
    checks[`${tag}: the panel's also-in button works by keyboard`] = true;
    await page.keyboard.press("Escape");

    // ---- the view switch: persons move from their old to their new places, the focus person stays put ------
    ms.clicks = Date.now() - started;
    const focus = await page.evaluate(() => {
      const ids = window.kinhubTree.visibleIds();
      return ids[Math.floor(ids.length / 2)];
    });
    const focusPick = await page.evaluate(async ([t]) => {
      const id = location.pathname.split("/")[2];
      const tree = await (await fetch(`/api/v1/families/${id}/tree`, { headers: { Authorization: `Bearer ${t}` } })).json();
      const kids = new Map();
      for (const p of tree.persons) for (const q of [p.fatherId, p.motherId]) if (q != null) kids.set(q, (kids.get(q) || 0) + 1);
      const withBoth = tree.persons.filter((p) => (kids.get(p.id) || 0) >= 2 && (p.fatherId != null || p.motherId != null));
      return withBoth.length ? withBoth[Math.floor(withBoth.length / 2)].id : null;
    }, [token]);
    const F = focusPick ?? focus;
    await page.evaluate((id) => { window.kinhubTree.centerOn(id); }, F);
    await frames(page);
    await page.evaluate(() => { window.__t = 0; window.kinhubTree.animation.clock(() => window.__t); });
    const before = await page.evaluate(() => window.kinhubTree.animation.positions());
    await page.evaluate((id) => window.kinhubTree.focus(id, "hourglass", {}), F);
    const after = await page.evaluate(() => Object.fromEntries(window.kinhubTree.visibleIds().map((id) => [id, window.kinhubTree.centerOf(id)])));
    await page.evaluate(() => { window.__t = 150; });
    await frames(page);
    const mid = await page.evaluate(() => ({ p: window.kinhubTree.animation.positions(), t: window.kinhubTree.animation.progress() }));
    check(`${tag}: mid-animation`, mid.t === 0.5, mid.t);
    const near1 = (a, b, tol = 0.75) => a && b && Math.abs(a.x - b.x) <= tol && Math.abs(a.y - b.y) <= tol;
    check(`${tag}: the focus person stays put`, near1(before[F], mid.p[F]) && near1(mid.p[F], after[F]),
      { before: before[F], mid: mid.p[F], after: after[F] });
    const wrong = [];
    let moving = 0, entering = 0, leaving = 0;
    for (const [id, a] of Object.entries(after)) {
      const b = before[id], p = mid.p[id];
      if (b) {
        const half = { x: (b.x + a.x) / 2, y: (b.y + a.y) / 2 }; // ease(0.5) = 0.5
        if (Math.hypot(a.x - b.x, a.y - b.y) > 2) moving++;
        if (!near1(p, half) || Math.abs(p.alpha - 1) > 1e-9) wrong.push({ id, b, a, p });
      } else {
        entering++;
        if (!near1(p, a) || Math.abs(p.alpha - 0.5) > 1e-9) wrong.push({ id, a, p, entering: true });
      }
    }
    for (const [id, b] of Object.entries(before)) {
      if (after[id]) continue;
      leaving++;
      const p = mid.p[id];
      if (!near1(p, b) || Math.abs(p.alpha - 0.5) > 1e-9) wrong.push({ id, b, p, leaving: true });
    }
    check(`${tag}: others are halfway, entering and leaving ones half faded`, wrong.length === 0 && moving > 0 && leaving > 0,
      { wrong: wrong.slice(0, 4), moving, entering, leaving });

    // input stays live during the animation: an arrow key pans what is drawn, and back
    await page.keyboard.press("ArrowLeft");
    await frames(page);
    const panned = await page.evaluate(() => ({ p: window.kinhubTree.animation.positions(), t: window.kinhubTree.animation.progress() }));
    check(`${tag}: panning during the animation moves what is drawn`, panned.t === 0.5
      && Object.keys(mid.p).every((id) => near1(panned.p[id], { x: mid.p[id].x + 120, y: mid.p[id].y })), panned.t);
    await page.keyboard.press("ArrowRight");
    await frames(page);

    // a new switch mid-animation starts from where things are
    await page.evaluate((id) => window.kinhubTree.focus(id, "descendants", {}), F);
    const restart = await page.evaluate(() => window.kinhubTree.animation.positions());
    const jumped = Object.entries(restart).filter(([id, p]) => mid.p[id] && mid.p[id].alpha === 1 && !near1(p, mid.p[id]));
    check(`${tag}: a switch during an animation starts from where things are`, jumped.length === 0 && near1(restart[F], before[F]),
      { jumped: jumped.slice(0, 4), focus: restart[F] });
    await page.evaluate(() => { window.__t = 1000; });
    await frames(page, 3);
    const done = await page.evaluate(() => ({ t: window.kinhubTree.animation.progress(), p: window.kinhubTree.animation.positions(),
      c: Object.fromEntries(window.kinhubTree.visibleIds().map((id) => [id, window.kinhubTree.centerOf(id)])) }));
    check(`${tag}: the animation ends on the new layout`, done.t === null
      && Object.entries(done.c).every(([id, c]) => near1(done.p[id], c, 1e-6)), done.t);
    await page.evaluate(() => window.kinhubTree.animation.clock(null));

    // reduced motion: no intermediate frame at all
    await page.emulateMedia({ reducedMotion: "reduce" });
    const framesBefore = await page.evaluate(() => window.kinhubTree.animation.frames());
    await page.evaluate((id) => window.kinhubTree.focus(id, "ancestors", {}), F);
    const instant = await page.evaluate(() => window.kinhubTree.animation.progress());
    await frames(page, 30);
    const framesAfter = await page.evaluate(() => window.kinhubTree.animation.frames());
    check(`${tag}: reduced motion draws no intermediate frame`, instant === null && framesAfter === framesBefore,
      { instant, framesBefore, framesAfter });
    await page.evaluate((id) => window.kinhubTree.focus(id, "all", {}), F);
    check(`${tag}: reduced motion, still no intermediate frame`, (await page.evaluate(() => window.kinhubTree.animation.frames())) === framesBefore, null);
    await page.emulateMedia({ reducedMotion: "no-preference" });
    ms.done = Date.now() - started;
    summary.push({ tag, persons: expected.persons, markers: markers.length, moving, entering, leaving, ms });
    await page.close();
  }
  check("noErrors", errors.length === 0, errors);
  console.log(JSON.stringify({ ok: true, summary, ...checks }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: String(e), ...checks }));
  exit = 1;
} finally {
  await browser.close();
}
process.exit(exit);
