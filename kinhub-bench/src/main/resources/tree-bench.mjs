// Drives headless Chromium through the tree page's benchmark hook (window.kinhubTree, API.md "Web pages").
// Args: chromium baseUrl token trees.json redraws rounds. Prints one JSON line per tree, then "done".
// Per round, for each tree:
//  - cold: a fresh page creates a fresh layout worker and lays the tree out with the cache off (the bare
//    layout on a cold JIT: nothing has run before in that worker);
//  - page: a fresh browser context (empty IndexedDB) opens the tree page: its first layout as shipped (a large
//    tree starts collapsed), where that time went (window.kinhubTree.layoutSteps), page ready; then expandAll():
//    the whole tree laid out (cache miss) and drawn; then the same tree laid out again in another order by the
//    now warm worker;
//  - cached: a second tree page in that same context (a fresh page; the whole tree's layout is in the cache
//    now), page ready, expandAll() (cache hit); then cached and naive redraws of the whole tree, and of a focus
//    view when the page has one.
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";

const [executablePath, baseUrl, token, treesFile, redrawsArg, roundsArg] = process.argv.slice(2);
const trees = JSON.parse(readFileSync(treesFile, "utf8"));
const redraws = Number(redrawsArg);
const rounds = Number(roundsArg);
const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });

async function openTree(context, tree) {
  const page = await context.newPage();
  const opened = Date.now();
  await page.goto(`${baseUrl}/families/${tree.id}/tree`);
  await page.waitForFunction(() => window.kinhubTree && window.kinhubTree.ready, null, { timeout: 300000 });
  await page.evaluate(() => window.kinhubTree.ready);
  return { page, readyMs: Date.now() - opened, layoutMs: await page.evaluate(() => window.kinhubTree.layoutMs),
    steps: await page.evaluate(() => window.kinhubTree.layoutSteps ?? null),
    shown: await page.evaluate(() => (window.kinhubTree.visibleIds ? window.kinhubTree.visibleIds().length : null)) };
}

async function redrawsOf(page, result, key) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  result[key].cached.push(await page.evaluate((n) => window.kinhubTree.benchmark({ redraws: n, mode: "cached" }), redraws));
  // naive redraws of big trees take long: measure fewer and scale to the same count (reported as such)
  const naiveRedraws = Math.min(redraws, Math.max(20, Math.round(4e5 / Math.max(1, result[key].view.visible))));
  result[key].naiveRedraws = naiveRedraws;
  const naiveMs = await page.evaluate((n) => window.kinhubTree.benchmark({ redraws: n, mode: "naive" }), naiveRedraws);
  result[key].naive.push((naiveMs * redraws) / naiveRedraws);
}

try {
  for (const tree of trees) {
    const result = { label: tree.label, persons: tree.persons, coldMs: [], layoutMs: [], readyMs: [], relayoutMs: [],
      cachedLayoutMs: [], cachedReadyMs: [], sources: [], shown: [], steps: [], expandedMs: [], expandedSteps: [],
      expandedCachedMs: [], whole: { cached: [], naive: [], view: null }, focus: { cached: [], naive: [], view: null, skipped: null } };
    for (let r = 0; r < rounds; r++) {
      // cold: the bare layout in a fresh worker of a fresh page, cache off
      {
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto(`${baseUrl}/openapi.json`);
        const answer = await page.evaluate(async ([family, t]) => {
          const tree = await (await fetch(`/api/v1/families/${family}/tree`, { headers: { Authorization: `Bearer ${t}` } })).json();
          const worker = new Worker("/assets/tree-worker.js", { type: "module" });
          return await new Promise((resolve, reject) => {
            worker.onmessage = (m) => resolve({ ms: m.data.computeMs ?? m.data.ms, source: m.data.source });
            worker.onerror = (e) => reject(new Error(e.message));
            worker.postMessage({ persons: tree.persons, options: { order: "western", cache: false } });
          });
        }, [tree.id, token]);
        result.coldMs.push(answer.ms);
        await context.close();
      }
      // page: a fresh context, so an empty layout cache
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
      await context.addInitScript((t) => sessionStorage.setItem("kinhub.token", t), token);
      const first = await openTree(context, tree);
      result.layoutMs.push(first.layoutMs);
      result.readyMs.push(first.readyMs);
      result.shown.push(first.shown);
      result.steps.push(first.steps);
      // a large tree opens collapsed: expand it (the whole tree, laid out in the page's worker) before the rest
      if (await first.page.evaluate(() => typeof window.kinhubTree.expandAll === "function")) {
        await first.page.evaluate(() => window.kinhubTree.expandAll());
        result.expandedMs.push(await first.page.evaluate(() => window.kinhubTree.layoutMs));
        result.expandedSteps.push(await first.page.evaluate(() => window.kinhubTree.layoutSteps ?? null));
      }
      result.relayoutMs.push(await first.page.evaluate(() => window.kinhubTree.relayout("chinese")));
      await first.page.evaluate(() => window.kinhubTree.relayout("western"));
      // let the worker store the western layout before the page goes (it stores after answering)
      await first.page.waitForTimeout(tree.persons > 20000 ? 3000 : 1000);
      await first.page.close();
      // cached: a fresh page in the same context
      const second = await openTree(context, tree);
      result.cachedLayoutMs.push(second.layoutMs);
      result.cachedReadyMs.push(second.readyMs);
      if (await second.page.evaluate(() => typeof window.kinhubTree.expandAll === "function")) {
        await second.page.evaluate(() => window.kinhubTree.expandAll());
        result.expandedCachedMs.push(await second.page.evaluate(() => window.kinhubTree.layoutMs));
      }
      result.whole.view = await second.page.evaluate(() => window.kinhubTree.overview());
      await redrawsOf(second.page, result, "whole");
      const hasFocus = await second.page.evaluate(() => typeof window.kinhubTree.focus === "function");
      if (hasFocus) {
        // a focus view around the eldest root line's first person (descendants), as treeview's page offers
        try {
          result.focus.view = await second.page.evaluate(async () => {
            // descendants of the first root of the whole tree (API.md: focus(personId, view, {depth}))
            const root = window.kinhubTree.visibleIds()[0];
            await window.kinhubTree.focus(root, "descendants");
            return { person: root, visible: window.kinhubTree.visibleIds().length };
          });
          await redrawsOf(second.page, result, "focus");
        } catch (e) {
          result.focus.skipped = `window.kinhubTree.focus failed: ${String(e.message || e).slice(0, 200)}`;
        }
      } else {
        result.focus.skipped = "window.kinhubTree.focus is not on this page (focus views not merged yet)";
      }
      await context.close();
    }
    console.log(JSON.stringify(result));
  }
} finally {
  await browser.close();
}
console.log("done");
