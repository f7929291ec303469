// Drives headless Chromium through the tree page's benchmark hook (window.kinhubTree, API.md "Web pages").
// Args: chromium baseUrl token trees.json redraws rounds. Prints one JSON line per tree, then "done".
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";

const [executablePath, baseUrl, token, treesFile, redrawsArg, roundsArg] = process.argv.slice(2);
const trees = JSON.parse(readFileSync(treesFile, "utf8"));
const redraws = Number(redrawsArg);
const rounds = Number(roundsArg);
const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });
try {
  for (const tree of trees) {
    const result = { label: tree.label, persons: tree.persons, readyMs: [], layoutMs: [], relayoutMs: [], cached: [], naive: [], view: null };
    for (let r = 0; r < rounds; r++) {
      // a fresh page per round: each round lays the tree out anew
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
      await context.addInitScript((t) => sessionStorage.setItem("kinhub.token", t), token);
      const page = await context.newPage();
      const opened = Date.now();
      await page.goto(`${baseUrl}/families/${tree.id}/tree`);
      await page.waitForFunction(() => window.kinhubTree && window.kinhubTree.ready, null, { timeout: 120000 });
      await page.evaluate(() => window.kinhubTree.ready);
      result.readyMs.push(Date.now() - opened);
      result.layoutMs.push(await page.evaluate(() => window.kinhubTree.layoutMs));
      // the same tree laid out again by the same (now warm) worker: another order, then back
      await page.evaluate(() => window.kinhubTree.relayout("chinese"));
      result.relayoutMs.push(await page.evaluate(() => window.kinhubTree.relayout("western")));
      result.view = await page.evaluate(() => window.kinhubTree.overview());
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      result.cached.push(await page.evaluate((n) => window.kinhubTree.benchmark({ redraws: n, mode: "cached" }), redraws));
      // naive redraws of big trees take long: measure fewer and scale to the same count (reported as such)
      const naiveRedraws = Math.min(redraws, Math.max(20, Math.round(4e5 / Math.max(1, result.view.visible))));
      result.naiveRedraws = naiveRedraws;
      const naiveMs = await page.evaluate((n) => window.kinhubTree.benchmark({ redraws: n, mode: "naive" }), naiveRedraws);
      result.naive.push((naiveMs * redraws) / naiveRedraws);
      await context.close();
    }
    console.log(JSON.stringify(result));
  }
} finally {
  await browser.close();
}
console.log("done");
