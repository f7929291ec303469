// Real-browser check of the tree page's focus views, collapsed branches and URL state.
// Args: chromium baseUrl token gedcomFile screenshotsDir [name]. Prints one JSON line; exits non-zero on any failed check.
// What each view shows is computed here, independently, from GET /tree:
//   descendants(p, d) = p, its descendants down to d generations (children of collapsed persons skipped), and their spouses;
//   ancestors(p, d) = p and its ancestors up to d generations; hourglass(p, d) = the union of both;
//   whole family = everyone reachable from the founders (persons without parents who did not marry someone with
//   parents; then anyone unreachable from them) through spouses and children, a child skipped when a parent is collapsed.
// The start of a tree of more than 400 persons: the founders are generation 0, a child is one more than the first of its
// parents reached, a spouse without parents is in its partner's; as many whole generations as keep the persons within
// 300 are shown, and the persons with children in the last of them or a later one are collapsed.
import { chromium } from "playwright-core";
import { join } from "node:path";

const [executablePath, baseUrl, token, gedcomFile, shots, name = "tree"] = process.argv.slice(2);
const START_BUDGET = 300;
const began = Date.now();
const phases = {};
const phase = (name) => { phases[name] = Date.now() - began; };
const checks = {};
function check(name, ok, detail) {
  checks[name] = ok ? true : detail;
  if (!ok) throw new Error(`check failed: ${name}: ${JSON.stringify(detail).slice(0, 2000)}`);
}
const sameSet = (a, b) => a.length === b.size && a.every((x) => b.has(x));
const diff = (a, b) => {
  const got = new Set(a);
  return { extra: a.filter((x) => !b.has(x)).slice(0, 10), missing: [...b].filter((x) => !got.has(x)).slice(0, 10), got: a.length, want: b.size };
};

const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });
let exit = 0;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  await context.addInitScript((t) => sessionStorage.setItem("kinhub.token", t), token);
  // records the longest line segment any canvas draws (device pixels), so "no long line" can be checked
  await context.addInitScript(() => {
    const proto = CanvasRenderingContext2D.prototype;
    const moveTo = proto.moveTo, lineTo = proto.lineTo;
    window.__lines = { max: 0 };
    proto.moveTo = function (x, y) { this.__at = [x, y]; return moveTo.call(this, x, y); };
    proto.lineTo = function (x, y) {
      if (this.__at) window.__lines.max = Math.max(window.__lines.max, Math.hypot(x - this.__at[0], y - this.__at[1]));
      this.__at = [x, y];
      return lineTo.call(this, x, y);
    };
  });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });

  await page.goto(`${baseUrl}/`);
  await page.fill("#family-name", "Views family");
  await page.click("#create-family button[type=submit]");
  const item = page.locator("li.family", { hasText: "Views family" });
  await item.waitFor();
  await item.locator("input.gedcom-file").setInputFiles(gedcomFile);
  await item.locator("button.import-button").click();
  await item.locator(".import-result.done").waitFor({ timeout: 120000 });
  phase("imported");
  await item.locator("a.tree-link").click();
  await page.waitForURL(/\/families\/[^/]+\/tree$/);
  await page.waitForFunction(() => window.kinhubTree && window.kinhubTree.ready);
  await page.evaluate(() => window.kinhubTree.ready);
  const treeUrl = page.url();
  phase("treeReady");

  const tree = await page.evaluate(async (t) => {
    const id = location.pathname.split("/")[2];
    const r = await fetch(`/api/v1/families/${id}/tree`, { headers: { Authorization: `Bearer ${t}` } });
    return r.json();
  }, token);
  const byId = new Map(tree.persons.map((p) => [p.id, p]));
  const kids = new Map();
  for (const p of tree.persons) for (const parent of [p.fatherId, p.motherId]) {
    if (parent == null || !byId.has(parent)) continue;
    if (!kids.has(parent)) kids.set(parent, []);
    kids.get(parent).push(p.id);
  }
  const spouses = (id) => (byId.get(id).spouseIds || []).filter((s) => byId.has(s));
  function descendants(p, depth, collapsed) {
    const out = new Set([p]);
    let level = [p];
    for (let d = 0; level.length && (depth == null || d < depth); d++) {
      level = level.filter((x) => !collapsed.has(x)).flatMap((x) => kids.get(x) || []).filter((c) => !out.has(c));
      level = [...new Set(level)];
      level.forEach((c) => out.add(c));
    }
    for (const x of [...out]) spouses(x).forEach((s) => out.add(s));
    return out;
  }
  function ancestors(p, depth) {
    const out = new Set([p]);
    let level = [p];
    for (let d = 0; level.length && (depth == null || d < depth); d++) {
      level = level.flatMap((x) => [byId.get(x).fatherId, byId.get(x).motherId]).filter((a) => a != null && byId.has(a) && !out.has(a));
      level = [...new Set(level)];
      level.forEach((a) => out.add(a));
    }
    return out;
  }
  const hasParents = (id) => byId.has(byId.get(id).fatherId) || byId.has(byId.get(id).motherId);
  function spread(starts, collapsed, out = new Set()) {
    const todo = starts.filter((x) => !out.has(x));
    todo.forEach((x) => out.add(x));
    while (todo.length) {
      const x = todo.pop();
      const open = collapsed.has(x) ? [] : (kids.get(x) || []).filter((c) => !collapsed.has(byId.get(c).fatherId) && !collapsed.has(byId.get(c).motherId));
      for (const n of [...spouses(x), ...open]) if (!out.has(n)) { out.add(n); todo.push(n); }
    }
    return out;
  }
  const roots = tree.persons.filter((p) => !hasParents(p.id) && !spouses(p.id).some(hasParents)).map((p) => p.id);
  const reached = spread(roots, new Set());
  for (const p of tree.persons) if (!reached.has(p.id)) { roots.push(p.id); spread([p.id], new Set(), reached); }
  const whole = (collapsed) => spread(roots, collapsed);
  let floor = 0; // the persons shown with everything below the founders collapsed
  function startCollapsed() {
    if (tree.persons.length <= 400) return new Set();
    const gen = new Map(roots.map((r) => [r, 0]));
    let level = [...roots];
    const levels = [];
    while (level.length) {
      for (let i = 0; i < level.length; i++) for (const s of spouses(level[i])) if (!hasParents(s) && !gen.has(s)) { gen.set(s, gen.get(level[i])); level.push(s); }
      levels.push(level);
      const g = levels.length;
      level = [...new Set(level.flatMap((x) => kids.get(x) || []))].filter((c) => !gen.has(c));
      level.forEach((c) => gen.set(c, g));
    }
    const from = (g) => new Set(tree.persons.map((p) => p.id).filter((x) => !(gen.get(x) < g) && (kids.get(x) || []).length));
    let chosen = from(0);
    floor = whole(chosen).size;
    for (let g = 1; g < levels.length && whole(from(g)).size <= START_BUDGET; g++) chosen = from(g);
    return chosen;
  }
  // each hidden person counted once, under the first collapsed person shown (tree order) it is reached from through
  // children and spouses
  function expectedBadges(collapsed, shown) {
    const open = whole(new Set());
    const claimed = new Set();
    const out = [];
    for (const p of tree.persons) {
      if (!collapsed.has(p.id) || !shown.has(p.id)) continue;
      const todo = [p.id];
      let n = 0;
      while (todo.length) {
        const x = todo.pop();
        for (const y of [...(kids.get(x) || []), ...spouses(x)]) if (open.has(y) && !shown.has(y) && !claimed.has(y)) { claimed.add(y); n++; todo.push(y); }
      }
      if (n) out.push([p.id, n]);
    }
    return out;
  }
  const visible = () => page.evaluate(() => window.kinhubTree.visibleIds());
  const badges = () => page.evaluate(() => window.kinhubTree.badges());

  // the whole family of a large tree starts collapsed to its founders and first generations; the badges add up to the
  // persons hidden
  const start = await visible();
  const startBadges = await badges();
  const collapsed = startCollapsed();
  const expected = whole(collapsed);
  if (tree.persons.length > 400) {
    check("startsCollapsed", startBadges.length > 0 && start.length < tree.persons.length, { badges: startBadges.length, shown: start.length });
    check("startIsReadable", start.length <= Math.max(START_BUDGET, floor), { shown: start.length });
  }
  check("wholeFamilyCollapsed", sameSet(start, expected), diff(start, expected));
  const shownSize = expected.size;
  const badgeSum = startBadges.reduce((a, [, n]) => a + n, 0);
  check("badgesAddUpToTheHidden", badgeSum === tree.persons.length - shownSize, { badgeSum, hidden: tree.persons.length - shownSize });
  const reveal = (id) => {
    const rest = new Set(collapsed);
    rest.delete(id);
    spouses(id).forEach((s) => rest.delete(s));
    return whole(rest).size - shownSize;
  };
  const wantBadges = expectedBadges(collapsed, expected);
  check("badgeIsHiddenCount", JSON.stringify([...startBadges].sort()) === JSON.stringify([...wantBadges].sort()),
    { got: startBadges.slice(0, 5), want: wantBadges.slice(0, 5), gotCount: startBadges.length, wantCount: wantBadges.length });
  if (startBadges.length) {
    const [id] = startBadges[0];
    await page.evaluate((x) => window.kinhubTree.toggleCollapse(x), id);
    const opened = await visible();
    check("expandOneBranch", opened.length === shownSize + reveal(id), { got: opened.length, want: shownSize + reveal(id) });
  }
  await page.screenshot({ path: join(shots, `${name}-collapsed.png`) });
  phase("startChecked");
  await page.evaluate(() => window.kinhubTree.expandAll());
  const all = await visible();
  check("expandAll", sameSet(all, new Set(tree.persons.map((p) => p.id))), diff(all, new Set(tree.persons.map((p) => p.id))));

  // a focus person: the one with the most descendants within two generations
  let focus = null, best = -1;
  for (const p of tree.persons) {
    const n = descendants(p.id, 2, new Set()).size + ancestors(p.id, 2).size;
    if (n > best) { best = n; focus = p.id; }
  }
  const none = new Set();
  const cases = [
    ["descendants", 2, descendants(focus, 2, none)],
    ["descendants", null, descendants(focus, null, none)],
    ["ancestors", 3, ancestors(focus, 3)],
    ["hourglass", 2, new Set([...descendants(focus, 2, none), ...ancestors(focus, 2)])],
  ];
  for (const [view, depth, want] of cases) {
    await page.evaluate(() => { window.__lines.max = 0; });
    await page.evaluate(([id, v, d]) => window.kinhubTree.focus(id, v, d == null ? {} : { depth: d }), [focus, view, depth]);
    const got = await visible();
    check(`${view}${depth ?? ""}`, sameSet(got, want), diff(got, want));
    const url = new URL(page.url());
    check(`${view}${depth ?? ""}Url`, url.searchParams.get("view") === view && url.searchParams.get("person") === String(focus)
      && (url.searchParams.get("depth") ?? null) === (depth == null ? null : String(depth)), page.url());
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const lines = await page.evaluate(() => ({ max: window.__lines.max, limit: Math.min(innerWidth, innerHeight) * devicePixelRatio,
      selected: window.kinhubTree.selected() }));
    check(`${view}${depth ?? ""}NoLongLines`, lines.selected !== null || lines.max <= lines.limit, lines);
  }
  await page.screenshot({ path: join(shots, `${name}-hourglass.png`) });

  // collapse a child's branch in a descendants view: the badge counts exactly the persons that left the view
  await page.evaluate((id) => window.kinhubTree.focus(id, "descendants", {}), focus);
  const child = (kids.get(focus) || []).find((c) => (kids.get(c) || []).length);
  if (child != null) {
    const before = await visible();
    await page.evaluate((id) => window.kinhubTree.toggleCollapse(id), child);
    const after = await visible();
    const badge = (await badges()).find(([id]) => id === child);
    const want = descendants(focus, null, new Set([child]));
    check("collapseInFocus", sameSet(after, want), diff(after, want));
    check("collapseBadge", badge && badge[1] === before.length - after.length, { badge, before: before.length, after: after.length });
    await page.evaluate((id) => window.kinhubTree.toggleCollapse(id), child);
    check("expandInFocus", (await visible()).length === before.length, before.length);
  }

  phase("focusViews");
  // back button and a shared URL
  await page.evaluate((id) => window.kinhubTree.focus(id, "descendants", { depth: 1 }), focus);
  await page.evaluate((id) => window.kinhubTree.focus(id, "ancestors", { depth: 2 }), focus);
  await page.goBack();
  await page.waitForFunction(() => new URL(location.href).searchParams.get("view") === "descendants");
  await page.waitForFunction((n) => window.kinhubTree.view().mode === "descendants" && window.kinhubTree.visibleIds().length === n,
    descendants(focus, 1, none).size, { timeout: 20000 });
  const back = await visible();
  check("backButton", sameSet(back, descendants(focus, 1, none)), diff(back, descendants(focus, 1, none)));
  const shared = page.url();
  const other = await context.newPage();
  other.on("pageerror", (e) => errors.push(String(e)));
  await other.goto(shared);
  await other.waitForFunction(() => window.kinhubTree && window.kinhubTree.ready);
  await other.evaluate(() => window.kinhubTree.ready);
  const opened = await other.evaluate(() => window.kinhubTree.visibleIds());
  check("sharedUrl", sameSet(opened, descendants(focus, 1, none)), diff(opened, descendants(focus, 1, none)));
  check("sharedUrlView", (await other.locator("#view-mode").inputValue()) === "descendants", await other.locator("#view-mode").inputValue());
  await page.goForward();
  await page.waitForFunction((n) => window.kinhubTree.view().mode === "ancestors" && window.kinhubTree.visibleIds().length === n,
    ancestors(focus, 2).size, { timeout: 20000 });
  const forward = await visible();
  check("forwardButton", sameSet(forward, ancestors(focus, 2)) && treeUrl.split("?")[0] === page.url().split("?")[0],
    diff(forward, ancestors(focus, 2)));
  check("noErrors", errors.length === 0, errors);
  phase("done");
  console.log(JSON.stringify({ ok: true, phases, persons: tree.persons.length, startShown: start.length, startBadges: startBadges.length, ...checks }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: String(e), ...checks }));
  exit = 1;
} finally {
  await browser.close();
}
process.exit(exit);
