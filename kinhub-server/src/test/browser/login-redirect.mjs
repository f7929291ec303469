// Logs in with a password on /login?next=<next> in headless Chromium and reports where the page went.
// Usage: node login-redirect.mjs <chromium> <base url> <login> <password> <next>...
// Prints one JSON line: {results: [{next, landedOn}], ok}.
import { chromium } from "playwright-core";

const [executablePath, base, login, password, ...nexts] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
const result = { results: [], ok: true };
try {
  for (const next of nexts) {
    const context = await browser.newContext();
    const page = await context.newPage();
    // nothing outside the server is reachable here: record where the page tries to go instead of going there
    await page.route((url) => !url.href.startsWith(base), (route) => route.fulfill({ status: 200, body: "outside" }));
    await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
    await page.fill("input[name=login]", login);
    await page.fill("input[name=password]", password);
    await page.click("#password-form button[type=submit]");
    await page.waitForURL((url) => !url.pathname.startsWith("/login"), { timeout: 15000 });
    result.results.push({ next, landedOn: page.url() });
    await context.close();
  }
} catch (e) {
  result.ok = false;
  result.error = String(e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
