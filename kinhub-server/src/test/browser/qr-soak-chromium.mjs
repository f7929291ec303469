// QR logins through the real /login page in headless Chromium: the page on node A, scan + confirm on node B (as the
// phone app would, over HTTP), until the page has redeemed its session and moved on. Usage:
//   node qr-soak-chromium.mjs <chromium> <nodeA base url> <nodeB base url> <phone token> <rounds>
// Prints one JSON line: {client, rounds, tokens: [...], missedFrames, failures: [...]}.
import { chromium } from "playwright-core";

const [executablePath, baseA, baseB, phoneToken, roundsText] = process.argv.slice(2);
const rounds = Number(roundsText);
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});

async function phone(id, action) {
  const response = await fetch(`${baseB}/api/v1/qr-logins/${id}/${action}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${phoneToken}`, "Content-Type": "application/json" },
    body: "{}",
  });
  if (response.status !== 200) throw new Error(`${action}: HTTP ${response.status}`);
}

const result = { client: "chromium", rounds, tokens: [], missedFrames: 0, failures: [], phaseMs: {} };
let mark = Date.now();
function phase(name) {
  const now = Date.now();
  result.phaseMs[name] = (result.phaseMs[name] ?? 0) + (now - mark);
  mark = now;
}
// one page, as a user who logs in, out and in again: each round starts from a fresh /login without a token
const context = await browser.newContext();
// every visit of /login starts logged out (before the page's own scripts run)
await context.addInitScript(() => { if (location.pathname === "/login") sessionStorage.clear(); });
const page = await context.newPage();
for (let i = 0; i < rounds; i++) {
  try {
    await page.goto(`${baseA}/login`);
    phase("goto");
    await page.waitForFunction(() => document.getElementById("qr-transport").dataset.mode === "websocket"
      && document.getElementById("qr-status").textContent === "Scan with the Kinhub app", null, { timeout: 15000 });
    const id = await page.evaluate(() => document.getElementById("qr-image").dataset.ticket);
    phase("ready");
    await phone(id, "scan");
    await page.waitForFunction(() => document.getElementById("qr-status").textContent.startsWith("Scanned by"), null, { timeout: 15000 });
    phase("scanned");
    await phone(id, "confirm");
    await page.waitForURL(`${baseA}/`, { timeout: 15000 });
    phase("loggedIn");
    const token = await page.evaluate(() => sessionStorage.getItem("kinhub.token"));
    if (!token) throw new Error("no token after the redirect");
    result.tokens.push(token);
  } catch (e) {
    result.failures.push(`round ${i}: ${e}`);
  }
}
await context.close();
await browser.close();
console.log(JSON.stringify(result));
process.exit(0);
