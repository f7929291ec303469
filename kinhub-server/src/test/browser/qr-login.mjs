// Drives headless Debian Chromium through a QR login across two Kinhub nodes.
// Usage: node qr-login.mjs <chromium> <nodeA base url> <nodeB base url> <phone token> <screenshot dir>
// Prints one JSON line with the outcome; exits non-zero on failure.
import { chromium } from "playwright-core";

const [executablePath, baseA, baseB, phoneToken, shots] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const result = {};
try {
  // the desktop browser on node A
  const desktop = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  const loginPage = await desktop.newPage();
  await loginPage.goto(`${baseA}/login`);
  await loginPage.waitForFunction(() => document.getElementById("qr-image").dataset.ticket);
  const ticketId = await loginPage.evaluate(() => document.getElementById("qr-image").dataset.ticket);
  await loginPage.waitForFunction(() => document.getElementById("qr-image").complete
      && document.getElementById("qr-image").naturalWidth > 0);
  result.statusBefore = await loginPage.textContent("#qr-status");
  await loginPage.screenshot({ path: `${shots}/login-page.png` });

  // the phone, logged in as another user, on node B, narrow screen
  const phone = await browser.newContext({ viewport: { width: 390, height: 780 }, isMobile: true });
  await phone.addInitScript((token) => sessionStorage.setItem("kinhub.token", token), phoneToken);
  const phonePage = await phone.newPage();
  await phonePage.goto(`${baseB}/qr/${ticketId}`);
  await phonePage.waitForSelector("#confirm:not([disabled])");
  result.phoneDevice = await phonePage.textContent("#device");
  await loginPage.waitForFunction(() => document.getElementById("qr-status").textContent.startsWith("Scanned by"));
  result.statusScanned = await loginPage.textContent("#qr-status");
  await loginPage.screenshot({ path: `${shots}/login-page-scanned.png` });
  await phonePage.screenshot({ path: `${shots}/phone-page.png` });
  await phonePage.click("#confirm");
  await phonePage.waitForFunction(() => document.getElementById("result").textContent.startsWith("Confirmed"));
  await phonePage.screenshot({ path: `${shots}/phone-page-confirmed.png` });

  // the desktop page ends up logged in: redirected home with a token in sessionStorage
  await loginPage.waitForURL(`${baseA}/`, { timeout: 15000 });
  result.token = await loginPage.evaluate(() => sessionStorage.getItem("kinhub.token"));
  await loginPage.waitForFunction(() => document.getElementById("greeting").textContent.startsWith("Welcome,"));
  result.greeting = await loginPage.textContent("#greeting");
  await loginPage.screenshot({ path: `${shots}/home-after-qr-login.png` });
  result.ok = true;
} catch (e) {
  result.ok = false;
  result.error = String(e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
