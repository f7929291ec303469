// Real-browser check of "/" and the tree page. Args: chromium baseUrl token gedcomFile searchName screenshotsDir.
// Prints one JSON line with what it saw; exits non-zero on any failed check.
import { chromium } from "playwright-core";
import { join } from "node:path";

const [executablePath, baseUrl, token, gedcomFile, searchName, shots] = process.argv.slice(2);
const checks = {};
function check(name, ok, detail) {
  checks[name] = detail ?? ok;
  if (!ok) throw new Error(`check failed: ${name}: ${JSON.stringify(detail)}`);
}

const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });
let exit = 0;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 2 });
  await context.addInitScript((t) => sessionStorage.setItem("kinhub.token", t), token);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });

  // "/": create a family, import the GEDCOM file through the page
  await page.goto(`${baseUrl}/`);
  await page.fill("#family-name", "Browser test family");
  await page.click("#create-family button[type=submit]");
  const item = page.locator("li.family", { hasText: "Browser test family" });
  await item.waitFor();
  await item.locator("input.gedcom-file").setInputFiles(gedcomFile);
  await item.locator("button.import-button").click();
  await item.locator(".import-result.done").waitFor({ timeout: 120000 });
  const imported = await item.locator(".import-result").textContent();
  check("imported", /^Imported \d+ persons/.test(imported), imported);
  await page.screenshot({ path: join(shots, "home.png") });

  // the tree page
  await item.locator("a.tree-link").click();
  await page.waitForURL(/\/families\/[^/]+\/tree$/);
  await page.waitForFunction(() => window.kinhubTree && window.kinhubTree.ready);
  const persons = await page.evaluate(() => window.kinhubTree.ready);
  check("persons", persons > 0, persons);
  const layoutMs = await page.evaluate(() => window.kinhubTree.layoutMs);
  check("layoutMs", typeof layoutMs === "number" && layoutMs >= 0, layoutMs);
  await page.waitForTimeout(300);

  // the canvas is not blank: several distinct colours among sampled pixels
  const colours = await page.evaluate(() => {
    const canvas = document.querySelector("#tree canvas.tree-layer");
    const c = canvas.getContext("2d");
    const seen = new Set();
    for (let x = 0; x < canvas.width; x += Math.floor(canvas.width / 60)) {
      for (let y = 0; y < canvas.height; y += Math.floor(canvas.height / 40)) {
        const d = c.getImageData(x, y, 1, 1).data;
        seen.add(`${d[0]},${d[1]},${d[2]}`);
      }
    }
    return seen.size;
  });
  check("treeColours", colours >= 3, colours);

  // the minimap has its base drawn and a viewport rectangle on its own layer
  const minimap = await page.evaluate(() => {
    const count = (selector) => {
      const canvas = document.querySelector(selector);
      const d = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n;
    };
    return { base: count("#minimap canvas.minimap-layer"), viewport: count("#minimap canvas.minimap-viewport-layer") };
  });
  check("minimapViewport", minimap.viewport > 0 && minimap.base > 0, minimap);

  // search: the person is selected and centred
  await page.fill("#search", searchName);
  await page.press("#search", "Enter");
  await page.waitForFunction(() => window.kinhubTree.selected() !== null);
  await page.waitForTimeout(200);
  const found = await page.evaluate(() => {
    const id = window.kinhubTree.selected();
    const at = window.kinhubTree.centerOf(id);
    const v = window.kinhubTree.viewport();
    return { id, at, center: { x: v.width / 2, y: v.height / 2 } };
  });
  const off = Math.hypot(found.at.x - found.center.x, found.at.y - found.center.y);
  check("searchCentred", off < 3, { ...found, off });
  const detailsAfterSearch = await page.locator("#details h2").textContent();
  check("searchDetails", detailsAfterSearch.toLowerCase().includes(searchName.toLowerCase().split(" ")[0]), detailsAfterSearch);

  // click: clear the selection, then click the person in the middle of the canvas
  await page.keyboard.press("Escape");
  await page.locator("#details").waitFor({ state: "hidden" });
  const box = await page.locator("#tree").boundingBox();
  await page.mouse.click(box.x + found.center.x, box.y + found.center.y);
  await page.locator("#details").waitFor({ state: "visible" });
  const clicked = await page.locator("#details h2").textContent();
  check("clickDetails", clicked === detailsAfterSearch, clicked);
  check("clickSelected", (await page.evaluate(() => window.kinhubTree.selected())) === found.id, found.id);
  await page.screenshot({ path: join(shots, "tree.png") });

  // drag pans, the wheel zooms, arrows move
  const before = await page.evaluate(() => window.kinhubTree.viewport());
  await page.mouse.move(box.x + 300, box.y + 300);
  await page.mouse.down();
  await page.mouse.move(box.x + 420, box.y + 360, { steps: 5 });
  await page.mouse.up();
  await page.mouse.wheel(0, 300);
  await page.waitForTimeout(100);
  const after = await page.evaluate(() => window.kinhubTree.viewport());
  check("panZoom", after.scale < before.scale && after.x !== before.x, { before, after });
  await page.screenshot({ path: join(shots, "tree-zoomed-out.png") });

  // a few redraws through the benchmark hook, both modes
  const cachedMs = await page.evaluate(() => window.kinhubTree.benchmark({ redraws: 20, mode: "cached" }));
  const naiveMs = await page.evaluate(() => window.kinhubTree.benchmark({ redraws: 20, mode: "naive" }));
  check("benchmark", cachedMs >= 0 && naiveMs >= 0, { cachedMs, naiveMs });
  check("noErrors", errors.length === 0, errors);
  console.log(JSON.stringify({ ok: true, ...checks }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: String(e), ...checks }));
  exit = 1;
} finally {
  await browser.close();
}
process.exit(exit);
