// Real-browser journeys of editing on the tree canvas (tree-edit.js). Args: chromium baseUrl familyId ownerToken adminToken
// memberToken shotsDir. The family (made by TreeEditBrowserTest): Grandpa + Grandma → Father (+ Mother) → Son; Grandpa → Aunt.
// Prints one JSON line with what it saw; exits non-zero on any failed check.
import { chromium } from "playwright-core";

const [executablePath, baseUrl, familyId, ownerToken, adminToken, memberToken, shots] = process.argv.slice(2);
const checks = {};
function check(name, ok, detail) {
  checks[name] = detail ?? ok;
  if (!ok) throw new Error(`check failed: ${name}: ${JSON.stringify(detail)}`);
}

const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });
const errors = [];

async function open(token, language = "en") {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(([t, l]) => { sessionStorage.setItem("kinhub.token", t); localStorage.setItem("kinhub.lang", l); },
    [token, language]);
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.goto(`${baseUrl}/families/${familyId}/tree`);
  await ready(page);
  return page;
}

async function ready(page) {
  await page.waitForFunction(() => window.kinhubTree && window.kinhubTree.ready);
  await page.evaluate(() => window.kinhubTree.ready);
  await page.waitForFunction(() => window.kinhubTree.edit, null, { timeout: 20000 });
}

/** Selects a person by name (the page's search) and waits for the panel. */
async function pick(page, name) {
  const id = await page.evaluate((n) => window.kinhubTree.search(n), name);
  await page.waitForFunction(() => !document.getElementById("details").hidden);
  return id;
}

const idle = (page) => page.evaluate(() => window.kinhubTree.edit.idle());
const named = (page, name) => page.evaluate((n) => window.kinhubTree.edit.personsNamed(n), name);
const server = (page, path) => page.evaluate(async (p) => {
  const r = await fetch(p, { headers: { Authorization: `Bearer ${sessionStorage.getItem("kinhub.token")}` } });
  return { status: r.status, body: await r.json().catch(() => null) };
}, path);
const tree = async (page) => (await server(page, `/api/v1/families/${familyId}/tree`)).body.persons;
const byName = (persons, name) => persons.find((p) => p.name === name);

async function editForm(page, name, fill, extra) {
  await pick(page, name);
  await page.click(".tree-edit .edit-open");
  await page.waitForSelector(".tree-edit form.edit-form input[name=name]");
  for (const [field, value] of Object.entries(fill)) await page.fill(`.tree-edit form.edit-form [name=${field}]`, value);
  if (extra) await extra();
}
const save = (page) => page.click(".tree-edit form.edit-form button[type=submit]");

let exit = 0;
try {
  // ---- add child: the box is there before the server has answered, and after a reload ---------------------------------
  const owner = await open(ownerToken);
  check("editor sees controls", await owner.evaluate(() => window.kinhubTree.edit.may.create && window.kinhubTree.edit.may.delete), "may");
  const father = await pick(owner, "Father");
  let release;
  const held = new Promise((r) => { release = r; });
  await owner.route(`**/api/v1/families/${familyId}/persons`, async (route) => {
    if (route.request().method() === "POST") await held; // the server's answer comes late
    await route.continue();
  });
  await owner.fill(".tree-edit input[name=newName]", "Baby");
  await owner.click(".tree-edit [data-add=child]");
  await owner.waitForFunction(() => window.kinhubTree.edit.lastAddDrawn === true, null, { timeout: 5000 }); // beside Father
  await owner.waitForFunction(() => window.kinhubTree.edit.personsNamed("Baby").some((id) => window.kinhubTree.centerOf(id)),
    null, { timeout: 10000 }); // and laid out in its place, all while the server's answer is held back
  const early = await owner.evaluate(() => {
    const ids = window.kinhubTree.edit.personsNamed("Baby");
    return { ids, drawn: ids.length === 1 && window.kinhubTree.centerOf(ids[0]) != null };
  });
  check("new child drawn before the server answers", early.drawn && early.ids[0].startsWith("new-"), early);
  release();
  await idle(owner);
  await owner.unroute(`**/api/v1/families/${familyId}/persons`);
  const baby = byName(await tree(owner), "Baby");
  check("child stored with both parents", baby && baby.fatherId === father && baby.motherId != null, baby);
  const afterIdle = await named(owner, "Baby");
  check("temporary id replaced", afterIdle.length === 1 && afterIdle[0] === baby.id, afterIdle);
  await owner.reload();
  await ready(owner);
  check("child there after reload", (await named(owner, "Baby")).length === 1, "reloaded");
  await owner.screenshot({ path: `${shots}/tree-edit-added.png` });

  // ---- concurrent edits: merged, or the conflict shown ---------------------------------------------------------------------
  const a = owner;
  const b = await open(adminToken);
  // (1) A renames Grandpa; B, on the old tree, adds a grandchild: both survive, and B's page shows A's change
  await editForm(a, "Grandpa", { name: "Grandpa Joe" });
  await save(a);
  await idle(a);
  await pick(b, "Son");
  await b.fill(".tree-edit input[name=newName]", "Grandchild");
  await b.click(".tree-edit [data-add=child]");
  await idle(b);
  check("B's page shows A's rename", (await named(b, "Grandpa Joe")).length === 1, await named(b, "Grandpa"));
  check("B told of the merge", await b.locator(".edit-notice").isVisible(), await b.locator(".edit-notice").textContent());
  let persons = await tree(a);
  check("both edits stored", byName(persons, "Grandpa Joe") && byName(persons, "Grandchild"), persons.map((p) => p.name));
  // (2) A and B edit the same field of Aunt at once: the second saver sees both values and chooses
  await editForm(a, "Aunt", { birthPlace: "London" });
  await editForm(b, "Aunt", { birthPlace: "Paris" });
  await save(b);
  await idle(b);
  await save(a);
  await a.waitForSelector(".edit-conflict", { timeout: 10000 });
  const conflict = await a.locator(".edit-conflict").textContent();
  check("conflict shows both values", conflict.includes("Paris") && conflict.includes("London") && conflict.includes("Aunt"), conflict);
  await a.screenshot({ path: `${shots}/tree-edit-conflict.png` });
  await a.click(".edit-conflict .edit-keep-theirs");
  await idle(a);
  check("theirs kept", byName(await tree(a), "Aunt").birthPlace === "Paris", byName(await tree(a), "Aunt"));
  const local = await a.evaluate(() => window.kinhubTree.edit.personsNamed("Aunt"));
  check("A's page shows theirs", local.length === 1, local);
  // (3) A edits Aunt's surname, then B (on an older tree) renames Son: a 412, read again, redone: both survive
  await editForm(a, "Aunt", { surname: "Smith" });
  await save(a);
  await idle(a);
  await editForm(b, "Son", { name: "Sonny" });
  await save(b);
  await idle(b);
  persons = await tree(a);
  check("unrelated concurrent edits both stored", byName(persons, "Aunt").surname === "Smith" && byName(persons, "Sonny"),
    persons.map((p) => [p.name, p.surname]));
  check("no conflict for unrelated edits", (await b.locator(".edit-conflict").count()) === 0, "none");
  await b.context().close();

  // ---- 409 cycle, explained in both languages --------------------------------------------------------------------------
  for (const [language, words] of [["en", ["own ancestor", "Grandpa Joe", "Sonny"]], ["zh-CN", ["祖先", "Grandpa Joe", "Sonny"]]]) {
    const page = await open(ownerToken, language);
    await editForm(page, "Grandpa Joe", {}, async () => {
      await page.fill(".tree-edit .edit-picker-fatherId input[type=search]", "Sonny");
      await page.click(".tree-edit .edit-picker-fatherId .edit-pick");
    });
    await save(page);
    await idle(page);
    await page.waitForSelector(".edit-notice[data-kind=error]");
    const text = await page.locator(".edit-notice").textContent();
    check(`cycle explained (${language})`, words.every((w) => text.includes(w)), text);
    const grandpa = byName(await tree(page), "Grandpa Joe");
    check(`cycle changed nothing (${language})`, grandpa.fatherId == null, grandpa);
    await page.screenshot({ path: `${shots}/tree-edit-cycle-${language}.png` });
    await page.context().close();
  }

  // ---- a member (read-only role) sees no edit controls, and the server refuses anyway ---------------------------------------
  const viewer = await open(memberToken);
  await pick(viewer, "Sonny");
  check("viewer may not edit", await viewer.evaluate(() => !window.kinhubTree.edit.may.create && !window.kinhubTree.edit.may.edit
    && !window.kinhubTree.edit.may.delete), "may");
  check("viewer sees no edit controls", (await viewer.locator(".tree-edit, [data-add], .edit-open, .edit-delete").count()) === 0, "none");
  const refused = await viewer.evaluate(async (fid) => (await fetch(`/api/v1/families/${fid}/persons`, { method: "POST",
    headers: { Authorization: `Bearer ${sessionStorage.getItem("kinhub.token")}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name: "Intruder" }) })).status, familyId);
  check("server refuses the viewer", refused === 403, refused);
  await viewer.context().close();

  // ---- delete with the cascade choice: the parent goes at once, the children stay ---------------------------------------
  const editor = await open(ownerToken);
  await pick(editor, "Father");
  await editor.click(".tree-edit .edit-delete");
  const question = await editor.locator(".edit-confirm").textContent();
  check("delete offers to keep the children", /2 child/.test(question) && (await editor.locator(".edit-delete-detach").count()) === 1, question);
  await editor.click(".edit-delete-detach");
  check("deleted at once", (await named(editor, "Father")).length === 0, "gone");
  await idle(editor);
  await editor.reload();
  await ready(editor);
  persons = await tree(editor);
  check("deleted, children kept without that parent", !byName(persons, "Father") && byName(persons, "Sonny")?.fatherId == null
    && byName(persons, "Baby")?.fatherId == null, persons.map((p) => [p.name, p.fatherId]));
  check("page agrees after reload", (await named(editor, "Father")).length === 0 && (await named(editor, "Sonny")).length === 1, "ok");
  await editor.context().close();

  check("no script errors", errors.filter((e) => !/status of (403|409|412)/.test(e)).length === 0, errors);
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: String(e), checks, errors }));
  exit = 1;
} finally {
  await browser.close();
}
if (!exit) console.log(JSON.stringify({ ok: true, checks }));
process.exit(exit);
