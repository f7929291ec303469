// The journeys a family takes through the web pages, in headless Chromium against a real node.
// Usage: node web-journeys.mjs <chromium> <base url> <screenshot dir> <journey>
//   journeys: invite (sign up, create a family, invite, a second person signs up through the link and joins),
//             sms (SMS-code login with the code from the dev outbox), password (a password change sends the other
//             context to /login), kick (logging out another session from /account does the same),
//             chinese (every page in zh-CN without an English word; the switch to English persists)
// Prints one JSON line: {ok, journey, checks: {...}, error?}; exits non-zero on a failed check.
import { chromium } from "playwright-core";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const [executablePath, base, shots, journey, bundleDir] = process.argv.slice(2);
const checks = {};
function check(name, ok, detail) {
  checks[name] = detail ?? ok;
  if (!ok) throw new Error(`check failed: ${name}: ${JSON.stringify(detail)}`);
}
const unique = () => Math.random().toString(36).slice(2, 10);
const PASSWORD = "quiet river lantern 47";

const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
const pageErrors = [];

async function newPage(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 }, ...options });
  const page = await context.newPage();
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("dialog", (d) => d.accept());
  return page;
}

const shot = (page, name) => page.screenshot({ path: join(shots, `web-${name}.png`), fullPage: true });
const ready = (page) => page.waitForFunction(() => document.documentElement.classList.contains("ready"));

async function signUp(page, login, displayName, password = PASSWORD) {
  if (!new URL(page.url()).pathname.startsWith("/signup")) await page.goto(`${base}/signup`);
  await ready(page);
  await page.fill("input[name=login]", login);
  await page.fill("input[name=displayName]", displayName);
  await page.fill("input[name=password]", password);
  await page.click("#signup-form button[type=submit]");
}

async function logIn(page, login, password = PASSWORD) {
  await page.goto(`${base}/login`);
  await ready(page);
  await page.fill("#password-form input[name=login]", login);
  await page.fill("#password-form input[name=password]", password);
  await page.click("#password-form button[type=submit]");
  await page.waitForURL(`${base}/`);
  await ready(page);
}

/** No part of the page is wider than a 375 px screen. */
async function fitsNarrowScreen(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
}

async function createFamily(page, name) {
  await page.fill("#family-name", name);
  await page.click("#create-family button[type=submit]");
  const item = page.locator("li.family", { hasText: name });
  await item.waitFor();
  return item;
}

/**
 * Waits until `page` is sent to /login?next=…: first for up to 3 s by itself (the live channel pushes a revoked
 * session), else after `action` (the next action meets the ended session). Returns whether it was pushed.
 */
async function sentToLogin(page, action) {
  const atLogin = /\/login\?next=/;
  const pushed = await page.waitForURL(atLogin, { timeout: 3000 }).then(() => true, () => false);
  if (!pushed) {
    try {
      await action();
    } catch {
      // the push may land during the action, which then finds its element gone
    }
    await page.waitForURL(atLogin);
  }
  return pushed;
}

const journeys = {
  async invite() {
    const founder = await newPage();
    const founderLogin = `founder-${unique()}@example.org`;
    await signUp(founder, founderLogin, "Ada Founder");
    await founder.waitForURL(`${base}/`);
    await founder.waitForFunction(() => document.getElementById("greeting").textContent.includes("Ada Founder"));
    await shot(founder, "a1-home-after-signup");
    const item = await createFamily(founder, "The Journey family");
    await item.locator("a.family-link").click();
    await founder.waitForURL(/\/families\/\d+$/);
    const familyId = founder.url().split("/").pop();
    await founder.locator("#family-page").waitFor();
    check("founderRole", (await founder.textContent("#family-role")) === "founder", await founder.textContent("#family-role"));
    await founder.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
    await founder.click("#invite-create");
    await founder.locator("#invite-result").waitFor();
    const link = await founder.inputValue("#invite-link");
    check("link", new RegExp(`^${base}/invitations/[A-Za-z0-9_-]{22}$`).test(link), link);
    await founder.click("#invite-copy");
    const copied = await founder.evaluate(() => navigator.clipboard.readText());
    check("copied", copied === link, copied);
    await founder.waitForFunction(() => document.getElementById("invite-qr").complete
      && document.getElementById("invite-qr").naturalWidth > 0);
    check("qrImage", true);
    await founder.locator("li.invitation").first().waitFor();
    await shot(founder, "a2-family-with-invitation");

    // the invited person, on a phone, without an account
    const invited = await newPage({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    await invited.goto(link);
    await ready(invited);
    await invited.locator("#invitation-anonymous").waitFor();
    check("invitationNarrow", await fitsNarrowScreen(invited));
    await invited.click("#invitation-signup");
    await invited.waitForURL(/\/signup\?next=/);
    // a weak password is explained next to its field
    await signUp(invited, `bea-${unique()}@example.org`, "Bea Member", "password");
    await invited.waitForFunction(() => document.getElementById("password-error").textContent.length > 0);
    check("weakPassword", (await invited.textContent("#password-error")).includes("too easy to guess"),
      await invited.textContent("#password-error"));
    await shot(invited, "a3-signup-weak-password");
    await invited.fill("input[name=password]", PASSWORD);
    await invited.click("#signup-form button[type=submit]");
    await invited.waitForURL(link);
    await ready(invited);
    await invited.click("#invitation-accept");
    await invited.waitForURL(`${base}/families/${familyId}`);
    await invited.locator("#family-page").waitFor();
    const myRole = await invited.textContent("#family-role");
    check("invitedRole", myRole === "member", myRole);
    check("familyNarrow", await fitsNarrowScreen(invited));
    // a member may leave but not manage others
    check("memberActions", await invited.locator("li.member .make-admin, li.member .remove-member").count() === 0);
    check("memberMayLeave", await invited.locator("li.member .leave-family").count() === 1);
    await shot(invited, "a4-joined-family-375px");

    // the founder sees the new member and may appoint them
    await founder.reload();
    await founder.locator("li.member", { hasText: "Bea Member" }).waitFor();
    await founder.locator("li.member", { hasText: "Bea Member" }).locator(".make-admin").click();
    await founder.locator("li.member[data-role=admin]", { hasText: "Bea Member" }).waitFor();
    check("appointed", true);
    await shot(founder, "a5-member-appointed");
    return { familyId, invitedToken: await invited.evaluate(() => sessionStorage.getItem("kinhub.token")) };
  },

  async sms() {
    // a node that answers node_degraded: the QR panel says so and stops asking (another retry could not help)
    const degraded = await newPage();
    let creations = 0;
    await degraded.route(`${base}/api/v1/qr-logins`, (route) => {
      creations++;
      route.fulfill({ status: 503, contentType: "application/problem+json", body: JSON.stringify({ type: "about:blank",
        title: "Service Unavailable", status: 503, code: "node_degraded", detail: "misconfigured" }) });
    });
    await degraded.goto(`${base}/login`);
    await degraded.waitForFunction(() => document.getElementById("qr-status").classList.contains("error"));
    const degradedText = await degraded.textContent("#qr-status");
    check("nodeDegradedShown", degradedText.startsWith("This server is misconfigured; tell the operator"), degradedText);
    await degraded.waitForTimeout(5600); // the retry interval of other failures is 5 s
    check("nodeDegradedNotRetried", creations === 1, creations);
    await degraded.context().close();

    const page = await newPage({ viewport: { width: 375, height: 740 }, isMobile: true });
    const phone = `+4915${String(Math.floor(Math.random() * 1e9)).padStart(9, "0")}`;
    await page.goto(`${base}/login?next=/account`);
    await ready(page);
    check("loginNarrow", await fitsNarrowScreen(page));
    await page.fill("input[name=phone]", phone);
    await page.click("#sms-send");
    await page.waitForFunction(() => document.getElementById("sms-status").textContent.length > 0);
    // another code only after the phone's limit allows one: the button counts down
    const countdown = await page.textContent("#sms-send");
    check("countdown", /\d+/.test(countdown) && await page.isDisabled("#sms-send"), countdown);
    let code = null;
    for (let i = 0; i < 100 && !code; i++) {
      const answer = await page.request.get(`${base}/api/v1/dev/sms-outbox?phone=${encodeURIComponent(phone)}`);
      const messages = (await answer.json()).messages || [];
      code = messages.length ? /\b(\d{6})\b/.exec(messages[0].text)?.[1] : null;
      if (!code) await page.waitForTimeout(150);
    }
    check("codeDelivered", !!code, code);
    await shot(page, "b1-sms-code-sent");
    await page.fill("input[name=code]", "000000" === code ? "111111" : "000000");
    await page.click("#sms-submit");
    await page.waitForFunction(() => document.getElementById("sms-error").textContent.length > 0);
    check("wrongCode", (await page.textContent("#sms-error")).includes("wrong"), await page.textContent("#sms-error"));
    await page.fill("input[name=code]", code);
    await page.click("#sms-submit");
    await page.waitForURL(`${base}/account`);
    await page.waitForFunction(() => document.getElementById("profile-login").textContent.length > 0);
    check("loggedInAs", (await page.textContent("#profile-login")) === phone, await page.textContent("#profile-login"));
    await shot(page, "b2-sms-logged-in");
    return {};
  },

  async password() {
    const setup = await newPage();
    const login = `pw-${unique()}@example.org`;
    await signUp(setup, login, "Pat Password");
    await setup.waitForURL(`${base}/`);
    const other = await newPage();
    await logIn(other, login);
    // this context changes the password on /account
    await setup.goto(`${base}/account`);
    await ready(setup);
    await setup.fill("input[name=currentPassword]", PASSWORD);
    await setup.fill("input[name=newPassword]", "brand new lantern 58");
    await setup.click("#password-change-form button[type=submit]");
    await setup.waitForFunction(() => document.getElementById("password-change-status").textContent.length > 0);
    await shot(setup, "c1-password-changed");
    // the other context goes to the login page: at once when its live channel hears of the revocation (the feed on
    // `/` holds one), else when its next action meets the ended session
    const pushed = await sentToLogin(other, async () => {
      await other.fill("#family-name", "Never created");
      await other.click("#create-family button[type=submit]");
    });
    await ready(other);
    check("otherSentToLogin", new URL(other.url()).searchParams.get("next") === "/", other.url());
    check("revocationPushedOrMetOnNextAction", true, pushed ? "pushed by the live channel" : "met on the next action");
    await shot(other, "c2-other-context-at-login");
    // the changing context stays logged in with its new session
    await setup.goto(`${base}/`);
    await setup.waitForFunction(() => document.getElementById("greeting").textContent.includes("Pat Password"));
    check("changerStillLoggedIn", new URL(setup.url()).pathname === "/");
    return {};
  },

  async kick() {
    const mine = await newPage();
    const login = `kick-${unique()}@example.org`;
    await signUp(mine, login, "Kim Kicker");
    await mine.waitForURL(`${base}/`);
    const other = await newPage();
    await logIn(other, login);
    await mine.goto(`${base}/account`);
    await ready(mine);
    await mine.locator("li.session").nth(1).waitFor();
    check("sessions", await mine.locator("li.session").count() === 2);
    check("thisDeviceMarked", await mine.locator("li.session.current .this-device").count() === 1);
    await shot(mine, "d1-sessions");
    await mine.locator("li.session:not(.current) .session-logout").click();
    await mine.waitForFunction(() => document.querySelectorAll("li.session").length === 1);
    await shot(mine, "d2-other-session-logged-out");
    // the other context goes to the login page: at once through its live channel, else on its next action
    const pushed = await sentToLogin(other, () => other.click("#site-nav a[href='/account']"));
    const next = new URL(other.url()).searchParams.get("next");
    check("otherSentToLogin", pushed ? next === "/" : next === "/account", other.url());
    check("revocationPushedOrMetOnNextAction", true, pushed ? "pushed by the live channel" : "met on the next action");
    return {};
  },

  async chinese() {
    // the English strings the pages could show: none may appear in the Chinese pages
    const ALLOWED = /\b(Kinhub|QR|SMS|GEDCOM|Esc|English)\b/g;
    const english = new Set();
    for (const file of readdirSync(join(bundleDir, "en"))) {
      const en = JSON.parse(readFileSync(join(bundleDir, "en", file), "utf8"));
      const zh = JSON.parse(readFileSync(join(bundleDir, "zh-CN", file), "utf8"));
      for (const [key, value] of Object.entries(en)) {
        const fixed = value.replace(/\{\w+\}/g, "").trim();
        if (value !== zh[key] && /[A-Za-z]{3,}/.test(fixed.replace(ALLOWED, ""))) english.add(fixed);
      }
    }
    const page = await newPage({ locale: "zh-CN", viewport: { width: 375, height: 740 }, isMobile: true });
    const seen = {};
    async function inspect(name) {
      await ready(page);
      await page.waitForLoadState("networkidle");
      check(`${name}:lang`, await page.evaluate(() => document.documentElement.lang) === "zh-CN");
      const text = await page.evaluate(() => {
        const parts = [document.title, document.body.innerText];
        for (const e of document.querySelectorAll("[placeholder]")) if (e.placeholder) parts.push(e.placeholder);
        for (const e of document.querySelectorAll("[aria-label]")) parts.push(e.getAttribute("aria-label"));
        for (const e of document.querySelectorAll("img[alt]")) parts.push(e.alt);
        for (const e of document.querySelectorAll("[title]")) parts.push(e.title);
        // what people entered or their browsers said about themselves is theirs, not the page's
        for (const e of document.querySelectorAll(".device, #device")) parts.push(`<<${e.innerText}>>`);
        return parts.join("\n");
      });
      const userData = [...text.matchAll(/<<([^>]*)>>/g)].map((m) => m[1]);
      let rest = text.replace(/<<[^>]*>>/g, "");
      for (const data of userData) rest = rest.split(data).join("");
      rest = rest.replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, "").replace(ALLOWED, "");
      const leftovers = [...english].filter((value) => text.includes(value));
      const latin = rest.match(/[A-Za-z]{2,}/g) || [];
      seen[name] = { latin, leftovers };
      check(`${name}:noEnglish`, !latin.length && !leftovers.length, { latin, leftovers });
      check(`${name}:narrow`, await fitsNarrowScreen(page));
      await shot(page, `e-${name}-zh`);
    }
    await page.goto(`${base}/login`);
    await page.waitForFunction(() => document.getElementById("qr-status").textContent.length > 0);
    await inspect("login");
    await page.goto(`${base}/signup`);
    await inspect("signup");
    await signUp(page, `zh-${unique()}@example.org`, "李明");
    await page.waitForURL(`${base}/`);
    await page.waitForFunction(() => document.getElementById("greeting").textContent.includes("李明"));
    await inspect("home-empty");
    const item = await createFamily(page, "杭州李氏");
    await inspect("home");
    await item.locator("a.family-link").click();
    await page.locator("#family-page").waitFor();
    await page.click("#invite-create");
    await page.locator("#invite-result").waitFor();
    const link = await page.inputValue("#invite-link");
    await inspect("family");
    const familyUrl = page.url();
    await page.goto(`${familyUrl}/tree`);
    await page.waitForFunction(() => window.kinhubTree && window.kinhubTree.ready);
    await page.evaluate(() => window.kinhubTree.ready);
    await inspect("tree");
    await page.goto(`${base}/account`);
    await page.locator("li.session").first().waitFor();
    await inspect("account");
    await page.goto(link);
    await inspect("invitation");
    await page.click("#invitation-accept");
    await page.waitForFunction(() => document.getElementById("invitation-error").textContent.length > 0);
    await inspect("invitation-already-member");
    const ticket = await (await page.request.post(`${base}/api/v1/qr-logins`, { data: {} })).json();
    await page.goto(`${base}/qr/${ticket.id}`);
    await page.waitForFunction(() => !document.getElementById("confirm").disabled);
    await inspect("qr");
    // switch to English: it sticks across pages although the browser still asks for Chinese
    await page.goto(`${base}/account`);
    await ready(page);
    await Promise.all([page.waitForEvent("load"), page.selectOption("select[name=lang]", "en")]);
    await ready(page);
    check("switchedToEnglish", await page.evaluate(() => document.documentElement.lang) === "en");
    check("englishHeading", (await page.textContent("h1")) === "My account", await page.textContent("h1"));
    await page.goto(familyUrl);
    await ready(page);
    await page.locator("#family-page").waitFor();
    check("englishPersists", await page.evaluate(() => document.documentElement.lang === "en"
      && localStorage.getItem("kinhub.lang") === "en"));
    check("englishFamilyPage", (await page.textContent("#members-title")) === "Members", await page.textContent("#members-title"));
    await shot(page, "e-family-en-after-switch");
    return { pages: Object.keys(seen).length };
  },
};

let exit = 0;
const result = { journey };
try {
  Object.assign(result, await journeys[journey]());
  check("noPageErrors", pageErrors.length === 0, pageErrors);
  result.ok = true;
} catch (e) {
  result.ok = false;
  result.error = String(e?.stack || e);
  exit = 1;
} finally {
  result.checks = checks;
  await browser.close();
}
console.log(JSON.stringify(result));
process.exit(exit);
