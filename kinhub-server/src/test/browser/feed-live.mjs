// Two browser contexts: the poster posts from a family feed (web/feed.js mounted with {familyId}); the reader has
// "/" open (my feed) and must see the post appear without reloading, pushed over /ws/live.
// Usage: node feed-live.mjs <chromium> <base url> <poster token> <reader token> <family id> <text>
// Prints one JSON line: {ok, seen, reloads}.
import { chromium } from "playwright-core";

const [executablePath, base, posterToken, readerToken, familyId, text] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
const result = { ok: true };
try {
  const reader = await browser.newContext();
  await reader.addInitScript((t) => sessionStorage.setItem("kinhub.token", t), readerToken);
  const readerPage = await reader.newPage();
  let loads = 0;
  readerPage.on("load", () => { loads += 1; });
  await readerPage.goto(`${base}/`);
  await readerPage.waitForSelector("#home-feed .feed[data-live=open]", { timeout: 20000 });

  const poster = await browser.newContext();
  await poster.addInitScript((t) => sessionStorage.setItem("kinhub.token", t), posterToken);
  const posterPage = await poster.newPage();
  await posterPage.goto(`${base}/`);
  await posterPage.evaluate(async (id) => {
    const section = document.createElement("section");
    section.id = "family-feed";
    document.querySelector("main").prepend(section);
    const { mountFeed } = await import("/assets/feed.js");
    await mountFeed(section, { familyId: id });
  }, familyId);
  await posterPage.fill("#family-feed textarea[name=text]", text);
  await posterPage.click("#family-feed button[type=submit]");
  await posterPage.waitForSelector(`#family-feed article.post >> text=${text}`, { timeout: 15000 });

  await readerPage.waitForSelector(`#home-feed article.post >> text=${text}`, { timeout: 15000 });
  result.seen = true;
  result.reloads = loads - 1;
} catch (e) {
  result.ok = false;
  result.error = String(e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
