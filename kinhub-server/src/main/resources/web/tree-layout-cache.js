// A computed layout kept in the browser (IndexedDB), so opening the same tree again needs no layout at all.
//
// The key is a fingerprint of exactly what the layout reads — every person's id, parents, spouses, gender and
// birth date, in input order, plus the options — so a cached layout is by construction the layout of this
// input: an edit that changes any of it (a new tree version with another child, a moved parent) gives another
// key, and an edit that changes none of it (a renamed person) rightly keeps the layout. A visitor's redacted
// tree (private persons without dates or gender) has its own key, so a layout computed from a member's view is
// never handed to a visitor; the store holds ids and positions only, never names, and only the latest few
// layouts (MAX_ENTRIES). Without IndexedDB (private windows of some browsers, Node) nothing is cached.

const DB_NAME = "kinhub-tree-layouts";
const STORE = "layouts";
const STAMPS = "stamps"; // key → when stored, read to drop the oldest without reading the layouts themselves
export const MAX_ENTRIES = 8;

/** Two independent 32-bit FNV-1a style hashes of one string, folded into h (an Int32Array of 2). */
function mix(h, s) {
  let a = h[0], b = h[1];
  if (s == null) {
    a = Math.imul(a ^ 0x2f, 16777619);
    b = Math.imul(b ^ 0x2f, 2246822519);
  } else {
    s = String(s);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      a = Math.imul(a ^ c, 16777619);
      b = Math.imul(b ^ c, 2246822519) ^ (b >>> 15);
    }
    a = Math.imul(a ^ 0x1f, 16777619); // end of field
    b = Math.imul(b ^ 0x1f, 2246822519);
  }
  h[0] = a;
  h[1] = b;
}

/** The cache key of laying `persons` out with `options`: everything the layout depends on. */
export function layoutKey(persons, options = {}) {
  const h = new Int32Array([0x811c9dc5 | 0, 0x01000193]);
  mix(h, options.order === "chinese" ? "chinese" : "western");
  if (options.collapsed) for (const id of [...options.collapsed].map(String).sort()) mix(h, id);
  mix(h, "|");
  for (let i = 0; i < persons.length; i++) {
    const p = persons[i];
    mix(h, p.id);
    mix(h, p.fatherId);
    mix(h, p.motherId);
    mix(h, p.gender === "male" ? "m" : "");
    mix(h, p.birthDate);
    const spouses = p.spouseIds;
    if (spouses) for (let k = 0; k < spouses.length; k++) mix(h, spouses[k]);
    mix(h, "");
  }
  return `${persons.length}:${(h[0] >>> 0).toString(36)}:${(h[1] >>> 0).toString(36)}`;
}

let opening = null;
function open() {
  if (typeof indexedDB === "undefined") return Promise.resolve(null);
  opening = opening || new Promise((resolve) => {
    try {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(STORE);
        request.result.createObjectStore(STAMPS);
      };
      request.onsuccess = () => resolve(request.result.objectStoreNames.contains(STAMPS) ? request.result : null);
      request.onerror = () => resolve(null);
      request.onblocked = () => resolve(null);
    } catch {
      resolve(null);
    }
  });
  return opening;
}

/** The layout stored under `key`, or null (absent, or no IndexedDB). */
export async function cachedLayout(key) {
  const db = await open();
  if (!db) return null;
  return new Promise((resolve) => {
    try {
      const request = db.transaction(STORE, "readonly").objectStore(STORE).get(key);
      request.onsuccess = () => resolve(request.result ? request.result.layout : null);
      request.onerror = () => resolve(null);
    } catch {
      resolve(null);
    }
  });
}

/** Stores `layout` under `key` and drops all but the MAX_ENTRIES most recently stored layouts. */
export async function keepLayout(key, layout) {
  const db = await open();
  if (!db) return;
  await new Promise((resolve) => {
    try {
      const tx = db.transaction([STORE, STAMPS], "readwrite");
      const store = tx.objectStore(STORE), stamps = tx.objectStore(STAMPS);
      store.put({ layout }, key);
      stamps.put(Date.now(), key);
      const times = stamps.getAll();
      const keys = stamps.getAllKeys();
      keys.onsuccess = () => {
        const entries = times.result.map((t, i) => [keys.result[i], t]).sort((a, b) => b[1] - a[1]);
        for (const [old] of entries.slice(MAX_ENTRIES)) {
          store.delete(old);
          stamps.delete(old);
        }
      };
      tx.oncomplete = () => resolve();
      tx.onerror = () => resolve();
      tx.onabort = () => resolve();
    } catch {
      resolve();
    }
  });
}
