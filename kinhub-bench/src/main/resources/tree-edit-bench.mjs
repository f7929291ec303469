// Drives headless Chromium through "add child" on the tree page (tree-edit.js): selects the person in the middle of the
// view, then clicks the panel's "+ Child" button, each time reading window.kinhubTree.edit.lastAddMs (from the click
// event's timestamp to the frame that draws the new box) and waiting until the server has answered.
// Args: chromium baseUrl token familyId rounds warmup. Prints one JSON line, then "done".
import { chromium } from "playwright-core";

const [executablePath, baseUrl, token, familyId, roundsArg, warmupArg] = process.argv.slice(2);
const rounds = Number(roundsArg);
const warmup = Number(warmupArg);
const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  await context.addInitScript((t) => sessionStorage.setItem("kinhub.token", t), token);
  const page = await context.newPage();
  page.on("pageerror", (e) => console.error(`page error: ${e}`));
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") console.error(`console: ${m.text()}`); });
  await page.goto(`${baseUrl}/families/${familyId}/tree`);
  await page.waitForFunction(() => window.kinhubTree && window.kinhubTree.ready, null, { timeout: 120000 });
  const persons = await page.evaluate(() => window.kinhubTree.ready);
  await page.waitForFunction(() => window.kinhubTree.edit && window.kinhubTree.edit.may.create, null, { timeout: 60000 });
  // click the person nearest the middle of the view, as a user would
  const target = await page.evaluate(async (fid) => {
    const tree = await (await fetch(`/api/v1/families/${fid}/tree`, { headers: { Authorization: `Bearer ${sessionStorage.getItem("kinhub.token")}` } })).json();
    const box = document.getElementById("tree").getBoundingClientRect();
    let best = null;
    for (const p of tree.persons) {
      const c = window.kinhubTree.centerOf(p.id);
      if (!c) continue;
      const d = Math.hypot(c.x - box.width / 2, c.y - box.height / 2);
      if (!best || d < best.d) best = { d, x: box.left + c.x, y: box.top + c.y };
    }
    return best;
  }, familyId);
  await page.mouse.click(target.x, target.y);
  await page.waitForSelector(".tree-edit [data-add=child]", { timeout: 10000 });
  const anchor = await page.evaluate(() => window.kinhubTree.selected());
  const addMs = [];
  const placedMs = [];
  for (let r = 0; r < warmup + rounds; r++) {
    await page.fill(".tree-edit input[name=newName]", `Bench child ${r}`);
    const before = await page.evaluate(() => window.kinhubTree.edit.addTimes.length);
    await page.click(".tree-edit [data-add=child]");
    await page.waitForFunction((n) => window.kinhubTree.edit.addTimes.length > n, before, { timeout: 30000 }).catch(async (e) => {
      console.error(JSON.stringify(await page.evaluate(() => ({ selected: window.kinhubTree.selected(), times: window.kinhubTree.edit.addTimes,
        notice: document.querySelector(".edit-notice")?.textContent, progress: document.getElementById("progress").textContent }))));
      throw e;
    });
    const ms = await page.evaluate(() => window.kinhubTree.edit.lastAddMs);
    const drawn = await page.evaluate(() => window.kinhubTree.edit.lastAddDrawn);
    if (!drawn) throw new Error(`round ${r}: the new box is not in the layout`);
    await page.evaluate(() => window.kinhubTree.edit.idle());
    if (r >= warmup) {
      addMs.push(ms);
      placedMs.push(await page.evaluate(() => window.kinhubTree.edit.lastPlacedMs));
    }
  }
  const stored = await page.evaluate(async (fid) => (await (await fetch(`/api/v1/families/${fid}/tree`,
    { headers: { Authorization: `Bearer ${sessionStorage.getItem("kinhub.token")}` } })).json()).persons.length, familyId);
  console.log(JSON.stringify({ persons, anchor, addMs, placedMs, stored, layoutMs: await page.evaluate(() => window.kinhubTree.layoutMs) }));
  await context.close();
} finally {
  await browser.close();
}
console.log("done");
