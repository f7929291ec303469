// Real-browser check of the tree layout cache (web/tree-layout-cache.js, used by web/tree-worker.js). Args:
// chromium baseUrl familyId ownerToken visitorToken renamePersonId parentId secretName. Everything runs in one
// browser context (one IndexedDB), the way a member and then a visitor would use one browser. Prints one JSON
// line with what it saw; exits non-zero on any failed check.
import { chromium } from "playwright-core";

const [executablePath, baseUrl, family, owner, visitor, renameId, parentId, secretName] = process.argv.slice(2);
const checks = {};
function check(name, ok, detail) {
  checks[name] = detail ?? ok;
  if (!ok) throw new Error(`check failed: ${name}: ${JSON.stringify(detail)}`);
}

const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });
let exit = 0;
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${baseUrl}/openapi.json`); // any page of the origin that lays nothing out itself
  await page.evaluate((family) => {
    window.api = async (method, path, token, body) => {
      const r = await fetch(path, { method, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: body ? JSON.stringify(body) : undefined });
      if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
      return r.status === 204 ? null : r.json();
    };
    window.stored = async () => (await indexedDB.databases()).some((d) => d.name === "kinhub-tree-layouts") ? new Promise((resolve) => {
      const open = indexedDB.open("kinhub-tree-layouts");
      open.onsuccess = () => {
        const db = open.result;
        if (!db.objectStoreNames.contains("layouts")) { db.close(); resolve([]); return; }
        const all = db.transaction("layouts").objectStore("layouts").getAll();
        all.onsuccess = () => { db.close(); resolve(all.result); };
      };
      open.onerror = () => resolve([]);
    }) : [];
    // the tree as `token` sees it, laid out by a fresh worker (as a fresh page would), next to the layout computed
    // here directly; waits until the worker has stored what it computed
    window.run = async (token) => {
      const tree = await window.api("GET", `/api/v1/families/${family}/tree`, token);
      const before = (await window.stored()).length;
      const worker = new Worker("/assets/tree-worker.js", { type: "module" });
      const answer = await new Promise((resolve, reject) => {
        worker.onmessage = (m) => resolve(m.data);
        worker.onerror = (e) => reject(new Error(e.message));
        worker.postMessage({ persons: tree.persons, options: { order: "western" } });
      });
      if (answer.source === "computed") {
        for (let i = 0; i < 200 && (await window.stored()).length === before; i++) await new Promise((r) => setTimeout(r, 50));
      }
      worker.terminate();
      const { layout } = await import("/assets/tree-layout.js");
      const direct = layout(tree.persons, { order: "western" });
      const same = JSON.stringify([answer.layout.ids, Array.from(answer.layout.x), Array.from(answer.layout.y), Array.from(answer.layout.edges)])
        === JSON.stringify([direct.ids, Array.from(direct.x), Array.from(direct.y), Array.from(direct.edges)]);
      return { source: answer.source, version: tree.version, same, persons: tree.persons.length,
        privatePersons: tree.persons.filter((p) => p.private).length };
    };
  }, family);

  const first = await page.evaluate((t) => window.run(t), owner);
  check("first layout is computed", first.source === "computed" && first.same, first);
  const again = await page.evaluate((t) => window.run(t), owner);
  check("the same tree again comes from the cache, identical", again.source === "cache" && again.same && again.version === first.version, again);

  // an edit that moves nothing (a new name): a new version, and whatever is served equals a fresh layout
  await page.evaluate(([f, id, t]) => window.api("PATCH", `/api/v1/families/${f}/persons/${id}`, t, { name: "Renamed Person" }), [family, renameId, owner]);
  const renamed = await page.evaluate((t) => window.run(t), owner);
  check("after a rename the layout served is the layout of the new tree", renamed.version > again.version && renamed.same, renamed);

  // an edit that changes the layout (a new child): computed anew, then cached
  await page.evaluate(([f, p, t]) => window.api("POST", `/api/v1/families/${f}/persons`, t, { name: "New Child", gender: "female", fatherId: p }),
    [family, parentId, owner]);
  const edited = await page.evaluate((t) => window.run(t), owner);
  check("after adding a child the layout is computed anew", edited.source === "computed" && edited.same && edited.version > renamed.version
    && edited.persons === first.persons + 1, edited);
  const editedAgain = await page.evaluate((t) => window.run(t), owner);
  check("then cached", editedAgain.source === "cache" && editedAgain.same, editedAgain);

  // a visitor in the same browser: the redacted tree has its own layout, never the member's
  const visiting = await page.evaluate((t) => window.run(t), visitor);
  check("the visitor's tree is redacted", visiting.privatePersons > 0, visiting);
  check("the visitor's layout is computed from the visitor's tree, not taken from the member's", visiting.source === "computed" && visiting.same, visiting);
  const visitingAgain = await page.evaluate((t) => window.run(t), visitor);
  check("the visitor's layout is cached for the visitor", visitingAgain.source === "cache" && visitingAgain.same, visitingAgain);
  const member = await page.evaluate((t) => window.run(t), owner);
  check("the member still gets the member's layout", member.source === "cache" && member.same, member);

  // the store holds ids and positions, no names
  const stored = await page.evaluate(() => window.stored().then((all) => JSON.stringify(all)));
  const fields = await page.evaluate(() => window.stored().then((all) => [...new Set(all.flatMap((e) => Object.keys(e.layout)))].sort()));
  check("no names in the store", stored.length > 0 && !stored.includes(secretName) && !stored.includes("Renamed Person"), fields);
  check("no page errors", errors.length === 0, errors);
} catch (e) {
  console.error(e);
  exit = 1;
} finally {
  await browser.close();
}
console.log(JSON.stringify({ ok: exit === 0, checks }));
process.exit(exit);
