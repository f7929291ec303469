// Real-browser check of the tree page's relationship finder. Args: chromium baseUrl token familyId fromId toId strangerId lang.
// Prints one JSON line with what it saw; exits non-zero on any failed check.
import { chromium } from "playwright-core";

const [executablePath, baseUrl, token, familyId, fromId, toId, strangerId, language] = process.argv.slice(2);
const checks = {};
function check(name, ok, detail) {
  checks[name] = detail ?? ok;
  if (!ok) throw new Error(`check failed: ${name}: ${JSON.stringify(detail)}`);
}

const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });
let exit = 0;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(([t, l]) => { sessionStorage.setItem("kinhub.token", t); localStorage.setItem("kinhub.lang", l); },
    [token, language]);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.goto(`${baseUrl}/families/${familyId}/tree`);
  await page.waitForFunction(() => window.kinhubTree && window.kinhubTree.ready);
  await page.evaluate(() => window.kinhubTree.ready);
  await page.waitForFunction(() => window.kinhubTree.relationship, null, { timeout: 20000 });
  const cousin = await page.evaluate(([a, b]) => window.kinhubTree.relationship.between(a, b), [fromId, toId]);
  check("steps", JSON.stringify(cousin.answer?.steps) === JSON.stringify(["father", "elder_brother", "son"]), cousin.answer?.steps);
  check("term shown", cousin.text.includes(language === "zh-CN" ? "堂哥" : "cousin"), cousin.text);
  const none = await page.evaluate(([a, b]) => window.kinhubTree.relationship.between(a, b), [fromId, strangerId]);
  check("not related", none.answer === null && none.text.length > 0, none.text);
  // the family page's settings module, mounted as the family page does
  await page.evaluate(async (fid) => {
    const m = await import("/assets/family-genealogy.js");
    const div = document.createElement("div");
    div.id = "genealogy-settings";
    document.body.append(div);
    const headers = { Authorization: `Bearer ${sessionStorage.getItem("kinhub.token")}` };
    const family = await (await fetch(`/api/v1/families/${fid}`, { headers })).json();
    await m.mountGenealogySettings(div, { familyId: fid, family });
  }, familyId);
  await page.selectOption("#genealogy-settings select[name=founderPersonId]", { label: "王老" });
  await page.fill("#genealogy-settings input[name=generationPoem]", "老父明");
  // the tree page's body does not scroll, so the mounted block may lie below the fold: submit as a click would
  await page.evaluate(() => document.querySelector("#genealogy-settings button[type=submit]").click());
  // saved, and the list reloaded after the save (it is shown once before the save as well)
  await page.waitForFunction(() => /Saved|已保存/.test(document.querySelector("#genealogy-settings [role=status]").textContent)
    && document.querySelector("#genealogy-settings .mismatches li"), null, { timeout: 20000 });
  const mismatches = await page.locator("#genealogy-settings .mismatches li").allTextContents();
  check("mismatches", mismatches.length === 1 && mismatches[0].includes("王伯"), mismatches);
  check("rows toggle", await page.locator("input[name=generationRows]").count() === 1, "checkbox");
  // the browser logs every 404 answer, and "not related" is one by contract
  const unexpected = errors.filter((e) => !/status of 404/.test(e));
  check("no errors", unexpected.length === 0, unexpected);
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: String(e), checks }));
  exit = 1;
} finally {
  await browser.close();
}
if (!exit) console.log(JSON.stringify({ ok: true, checks }));
process.exit(exit);
