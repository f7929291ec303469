// Page weight and time to interactive of Kinhub pages in headless Chromium.
// Usage: node page-bench.mjs <chromium> <base url> <token> <rounds> <name>=<path>[:anonymous]...
// Per page, one JSON line: {name, path, files: [{url, bytes, gzip}], bytes, gzip, interactiveMs: [...]}
// "Interactive": the page's language is loaded and its header drawn (html.ready), and its main content is there
// (for /families/{id}: the members; for /login: the password form, which is usable at html.ready).
import { chromium } from "playwright-core";
import { gzipSync } from "node:zlib";

const [executablePath, base, token, roundsText, ...pages] = process.argv.slice(2);
const rounds = Number(roundsText);
const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
// what "interactive" means per page (a function evaluated in the page: the page's CSP forbids evaluating strings)
const interactive = (kind) => {
  if (!document.documentElement.classList.contains("ready")) return false;
  if (kind === "family" && (document.getElementById("family-page").hidden || !document.querySelector("li.member"))) return false;
  return performance.now();
};

for (const spec of pages) {
  const [name, rest] = spec.split("=");
  const [path, anonymous] = rest.split(":");
  const files = new Map();
  const interactiveMs = [];
  for (let round = 0; round < rounds + 1; round++) {
    // a fresh context each time: nothing cached, like a first visit
    const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    if (!anonymous) await context.addInitScript((t) => sessionStorage.setItem("kinhub.token", t), token);
    const page = await context.newPage();
    if (round === 0) {
      page.on("response", async (response) => {
        const url = new URL(response.url());
        const type = response.headers()["content-type"] || "";
        if (!/text\/html|javascript|text\/css|application\/json/.test(type) || url.pathname.startsWith("/api/")) return;
        try {
          const body = await response.body();
          files.set(url.pathname, { url: url.pathname, bytes: body.length, gzip: gzipSync(body, { level: 6 }).length });
        } catch {
          // a redirected or aborted response has no body
        }
      });
    }
    await page.goto(`${base}${path}`, { waitUntil: "commit" });
    const handle = await page.waitForFunction(interactive, name, { polling: "raf", timeout: 30000 });
    const ms = await handle.jsonValue();
    if (round > 0) interactiveMs.push(ms); // round 0 warms the node's asset cache and collects the files
    else await page.waitForLoadState("networkidle");
    await context.close();
  }
  const list = [...files.values()].sort((a, b) => a.url.localeCompare(b.url));
  console.log(JSON.stringify({ name, path, files: list, bytes: list.reduce((s, f) => s + f.bytes, 0),
    gzip: list.reduce((s, f) => s + f.gzip, 0), interactiveMs }));
}
await browser.close();
