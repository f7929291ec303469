// Property tests of the tree layout (src/main/resources/web/tree-layout.js) on generated family trees and,
// when KINHUB_TREE_FIXTURES names a folder of GET /tree documents, on real ones. Run: node --test <this file>
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { layout, BOX_WIDTH, SPOUSE_GAP, ROW_HEIGHT } from "../../main/resources/web/tree-layout.js";
import { layout as referenceLayout } from "./tree-layout-reference.mjs";
import { layoutKey } from "../../main/resources/web/tree-layout-cache.js";

function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A clan: a few founding couples, generations of children, spouses from outside and from other branches,
 *  second marriages, single parents and people with no links at all. */
export function generate(size, seed) {
  const random = prng(seed);
  const persons = [];
  const add = (gender, year, fatherId = null, motherId = null) => {
    const p = { id: String(persons.length + 1), name: `P${persons.length + 1}`, gender, birthDate: String(year), fatherId, motherId, spouseIds: [] };
    persons.push(p);
    return p;
  };
  const marry = (a, b) => { a.spouseIds.push(b.id); b.spouseIds.push(a.id); };
  let couples = [];
  const founders = 1 + Math.floor(random() * 3);
  for (let f = 0; f < founders && persons.length < size - 1; f++) {
    const h = add("male", 1500), w = add("female", 1502);
    marry(h, w);
    couples.push([h, w, 1500]);
  }
  const unmarried = [];
  while (persons.length < size && couples.length) {
    const next = [];
    for (const [h, w, year] of couples) {
      const count = Math.floor(random() * 5);
      for (let c = 0; c < count && persons.length < size; c++) {
        const single = random() < 0.05;
        const child = add(random() < 0.5 ? "male" : "female", year + 20 + Math.floor(random() * 20),
          h && !(single && random() < 0.5) ? h.id : null, w && !single ? w.id : null);
        const roll = random();
        if (roll < 0.6 && persons.length < size) {
          const spouse = add(child.gender === "male" ? "female" : "male", year + 20 + Math.floor(random() * 20));
          marry(child, spouse);
          next.push(child.gender === "male" ? [child, spouse, year + 25] : [spouse, child, year + 25]);
          if (random() < 0.05 && persons.length < size) { // a second marriage
            const second = add(spouse.gender, year + 30);
            marry(child, second);
            next.push(child.gender === "male" ? [child, second, year + 30] : [second, child, year + 30]);
          }
        } else if (roll < 0.7 && unmarried.length) { // marriage across branches
          const other = unmarried.splice(Math.floor(random() * unmarried.length), 1)[0];
          if (other.gender !== child.gender && other.id !== child.fatherId && other.id !== child.motherId) {
            marry(child, other);
            next.push(child.gender === "male" ? [child, other, year + 25] : [other, child, year + 25]);
          }
        } else {
          unmarried.push(child);
        }
      }
    }
    couples = next;
    if (!couples.length && persons.length < size) {
      const h = add("male", 1600), w = add("female", 1601);
      marry(h, w);
      couples = [[h, w, 1600]];
    }
  }
  while (persons.length < size) add("unknown", 1700); // isolated people
  return persons;
}

function shuffle(list, seed) {
  const random = prng(seed);
  const copy = [...list];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** Every invariant the layout promises. */
function checkInvariants(persons, result, label, resolvedChildren = false) {
  const { nodes, units } = result;
  const byId = new Map(persons.map((p) => [p.id, p]));
  const at = new Map();
  for (const node of nodes) {
    assert.ok(!at.has(node.id), `${label}: ${node.id} placed twice`);
    at.set(node.id, node);
  }
  assert.equal(at.size, persons.length, `${label}: every person placed once`);

  // no two boxes overlap (rows are the generations)
  const rows = new Map();
  for (const node of nodes) {
    if (!rows.has(node.y)) rows.set(node.y, []);
    rows.get(node.y).push(node);
  }
  for (const row of rows.values()) {
    row.sort((a, b) => a.x - b.x);
    for (let i = 1; i < row.length; i++) {
      assert.ok(row[i].x >= row[i - 1].x + row[i - 1].width - 1e-6, `${label}: ${row[i - 1].id} and ${row[i].id} overlap`);
    }
  }

  for (const unit of units) {
    // spouses side by side on one row
    for (let i = 1; i < unit.members.length; i++) {
      const a = at.get(unit.members[i - 1]), b = at.get(unit.members[i]);
      assert.equal(b.y, a.y, `${label}: couple on one row`);
      assert.ok(Math.abs(b.x - (a.x + BOX_WIDTH + SPOUSE_GAP)) < 1e-6, `${label}: ${a.id} and ${b.id} adjacent`);
    }
    // parents centred over their children, children one row below
    if (unit.children.length) {
      const unitAt = (c) => (resolvedChildren ? c : units[c]);
      const first = unitAt(unit.children[0]), last = unitAt(unit.children[unit.children.length - 1]);
      assert.ok(Math.abs(unit.center - (first.center + last.center) / 2) < 1e-6, `${label}: unit of ${unit.members[0]} centred`);
      for (const c of unit.children.map(unitAt)) {
        assert.equal(c.generation, unit.generation + 1);
        const child = c.members.map((id) => byId.get(id))
          .find((p) => unit.members.includes(p.fatherId) || unit.members.includes(p.motherId));
        assert.ok(child, `${label}: unit of ${c.members[0]} hangs under a parent`);
        const parents = [child.fatherId, child.motherId].filter((id) => unit.members.includes(id));
        for (const id of parents) assert.equal(at.get(child.id).y, at.get(id).y + ROW_HEIGHT);
      }
    }
  }
  // a spouse without parents in the tree and with one marriage sits beside that spouse
  for (const p of persons) {
    const spouses = (p.spouseIds || []).filter((id) => byId.has(id));
    const anchored = byId.has(p.fatherId) || byId.has(p.motherId);
    if (!anchored && spouses.length === 1) {
      const other = byId.get(spouses[0]);
      const otherSpouses = (other.spouseIds || []).filter((id) => byId.has(id));
      if (otherSpouses.length === 1 && (byId.has(other.fatherId) || byId.has(other.motherId))) {
        const a = at.get(p.id), b = at.get(other.id);
        assert.equal(a.y, b.y, `${label}: ${p.id} beside spouse ${other.id}`);
        assert.ok(Math.abs(Math.abs(a.x - b.x) - (BOX_WIDTH + SPOUSE_GAP)) < 1e-6, `${label}: ${p.id} adjacent to ${other.id}`);
      }
    }
  }
}

function samePositions(a, b) {
  const pos = new Map(a.nodes.map((n) => [n.id, `${n.x},${n.y}`]));
  for (const n of b.nodes) assert.equal(`${n.x},${n.y}`, pos.get(n.id), `position of ${n.id}`);
}

test("generated trees: invariants hold for sizes 1 to 5000", () => {
  for (const [size, seed] of [[1, 1], [2, 2], [7, 3], [40, 4], [300, 5], [1000, 6], [5000, 7]]) {
    const persons = generate(size, seed);
    checkInvariants(persons, layout(persons), `size ${size}`);
    checkInvariants(persons, layout(persons, { order: "chinese" }), `size ${size} chinese`);
  }
});

test("many small random trees", () => {
  for (let seed = 100; seed < 400; seed++) {
    const persons = generate(1 + (seed % 60), seed);
    checkInvariants(persons, layout(persons), `seed ${seed}`);
  }
});

test("the same tree in any input order gives the same layout", () => {
  const persons = generate(2000, 11);
  const reference = layout(persons);
  for (const seed of [1, 2, 3]) samePositions(reference, layout(shuffle(persons, seed)));
});

test("work grows linearly with the number of persons", () => {
  const ratios = [1000, 4000, 16000, 50000].map((n) => layout(generate(n, 21)).work / n);
  const min = Math.min(...ratios), max = Math.max(...ratios);
  assert.ok(max / min < 1.3, `work per person ${ratios.map((r) => r.toFixed(1)).join(", ")}`);
  assert.ok(max < 40, `work per person ${max}`);
});

test("a deep line of 20,000 generations does not overflow the stack", () => {
  const persons = [];
  for (let i = 1; i <= 20000; i++) persons.push({ id: String(i), name: `G${i}`, gender: "male", fatherId: i > 1 ? String(i - 1) : null, spouseIds: [] });
  const result = layout(persons);
  checkInvariants(persons, result, "deep line");
  assert.equal(result.bounds.maxY, 19999 * ROW_HEIGHT + result.nodes[0].height);
});

test("western and chinese orders", () => {
  const persons = [
    { id: "1", name: "Father", gender: "male", spouseIds: ["2"] },
    { id: "2", name: "Mother", gender: "female", spouseIds: ["1"] },
    { id: "3", name: "Eldest", gender: "male", birthDate: "1900", fatherId: "1", motherId: "2", spouseIds: [] },
    { id: "4", name: "Youngest", gender: "female", birthDate: "1905", fatherId: "1", motherId: "2", spouseIds: [] },
  ];
  const x = (result, id) => result.nodes.find((n) => n.id === id).x;
  const western = layout(persons);
  assert.ok(x(western, "1") < x(western, "2"), "husband left of wife");
  assert.ok(x(western, "3") < x(western, "4"), "eldest on the left");
  const chinese = layout(persons, { order: "chinese" });
  assert.ok(x(chinese, "1") > x(chinese, "2"), "husband right of wife");
  assert.ok(x(chinese, "3") > x(chinese, "4"), "eldest on the right");
});

/** The page's layout gives exactly the reference layout's nodes and edges (same order, same bits). */
function sameAsReference(persons, options, label) {
  const fast = layout(persons, options), reference = referenceLayout(persons, options);
  assert.deepEqual(fast.ids, reference.ids, `${label}: node order`);
  assert.deepEqual(Array.from(fast.x), Array.from(reference.x), `${label}: x`);
  assert.deepEqual(Array.from(fast.y), Array.from(reference.y), `${label}: y`);
  assert.deepEqual(Array.from(fast.generation), Array.from(reference.generation), `${label}: generation`);
  assert.deepEqual(Array.from(fast.edges), Array.from(reference.edges), `${label}: edges`);
  assert.deepEqual(Array.from(fast.edgeKinds), Array.from(reference.edgeKinds), `${label}: edge kinds`);
  assert.deepEqual(fast.bounds, reference.bounds, `${label}: bounds`);
}

test("the layout equals the reference layout on generated trees, any input order, both orders", () => {
  for (const [size, seed] of [[0, 1], [1, 1], [2, 2], [7, 3], [40, 4], [300, 5], [1000, 6], [5000, 7]]) {
    const persons = generate(size, seed);
    for (const order of ["western", "chinese"]) {
      sameAsReference(persons, { order }, `size ${size} ${order}`);
      sameAsReference(shuffle(persons, seed), { order }, `size ${size} ${order} shuffled`);
    }
  }
  for (let seed = 400; seed < 600; seed++) sameAsReference(generate(1 + (seed % 80), seed), {}, `seed ${seed}`);
});

test("ids that are not dense decimals (names, leading zeros, far apart) give the reference layout", () => {
  const renamed = (persons, rename) => persons.map((p) => ({ ...p, id: rename(p.id), fatherId: p.fatherId && rename(p.fatherId),
    motherId: p.motherId && rename(p.motherId), spouseIds: p.spouseIds.map(rename) }));
  const persons = generate(600, 9);
  for (const [label, rename] of [["letters", (id) => `I${id}`], ["leading zeros", (id) => id.padStart(6, "0")],
    ["far apart", (id) => String(Number(id) * 100003)], ["mixed", (id) => (Number(id) % 3 ? id : `x${id}`)]]) {
    sameAsReference(renamed(persons, rename), {}, label);
  }
  // links to persons not in the list, a mother who is also the father, a spouse listed twice or being oneself
  const odd = generate(200, 10).map((p, i) => ({ ...p, fatherId: i % 17 === 5 ? "999999" : p.fatherId,
    motherId: i % 19 === 3 ? p.fatherId : p.motherId, spouseIds: i % 13 === 1 ? [...p.spouseIds, ...p.spouseIds, p.id, "0042"] : p.spouseIds }));
  sameAsReference(odd, {}, "odd links");
});

/** Persons below the units of `collapsed` (their unit's descendants in the unit tree). */
function hiddenBy(result, collapsed) {
  const units = result.units;
  const unitOf = new Map();
  units.forEach((u, i) => u.members.forEach((id) => unitOf.set(id, i)));
  const hidden = new Set();
  const walk = (u) => { for (const c of referenceChildren[u]) { units[c].members.forEach((id) => hidden.add(id)); walk(c); } };
  const referenceChildren = units.map(() => []);
  units.forEach((u, i) => { if (u.parent >= 0) referenceChildren[u.parent].push(i); });
  for (const id of collapsed) walk(unitOf.get(id));
  return hidden;
}

test("collapsed branches: their descendants are left out, everything shown keeps the invariants, less work", () => {
  const persons = generate(3000, 12);
  const full = layout(persons);
  const withChildren = full.units.filter((u) => u.children.length > 0);
  for (const [label, picks] of [["one", [withChildren[3]]], ["several", withChildren.filter((_, i) => i % 7 === 2)], ["a root", [withChildren[0]]]]) {
    const collapsed = picks.map((u) => u.members[u.members.length - 1]);
    const result = layout(persons, { collapsed: new Set(collapsed) });
    const hidden = hiddenBy(full, collapsed);
    assert.ok(hidden.size > 0, `${label}: something to hide`);
    assert.equal(result.hidden, hidden.size, `${label}: hidden count`);
    assert.equal(result.ids.length, persons.length - hidden.size, `${label}: shown count`);
    for (const id of result.ids) assert.ok(!hidden.has(id), `${label}: ${id} is below a collapsed person`);
    const shownPersons = persons.filter((p) => !hidden.has(p.id));
    const shownIds = new Set(shownPersons.map((p) => p.id));
    // the shown part: no overlaps, parents above children, couples adjacent, units centred over shown children
    const allUnits = result.units;
    checkInvariants(shownPersons, { nodes: result.nodes, units: allUnits.filter((u) => !u.hidden).map((u) => ({ ...u,
      children: u.children.map((c) => allUnits[c]) })) }, label, true);
    // no edge reaches a hidden person: every edge end lies on a shown box or a connector between shown ones
    assert.ok(result.edges.length < full.edges.length, `${label}: fewer edges`);
    assert.ok(result.work < full.work, `${label}: less work`);
    // the badge counts
    let badge = 0;
    const counted = new Set();
    for (let k = 0; k < result.ids.length; k++) {
      if (result.hiddenBelow[k] > 0 && !counted.has(result.ids[k])) {
        const unit = allUnits.find((u) => u.members.includes(result.ids[k]));
        unit.members.forEach((id) => counted.add(id));
        badge += result.hiddenBelow[k];
      }
    }
    assert.equal(badge, hidden.size, `${label}: badges add up`);
    const placed = new Set(result.ids);
    assert.ok([...shownIds].every((id) => placed.has(id)), `${label}: everyone else shown`);
  }
  // collapsing nobody (or an unknown id) is the full layout
  sameAsReference(persons, { collapsed: [] }, "collapsed: []");
  const unknown = layout(persons, { collapsed: ["no-such-person"] });
  assert.deepEqual(Array.from(unknown.x), Array.from(full.x));
  // the same input gives the same layout
  const again = layout(persons, { collapsed: [withChildren[5].members[0]] });
  const once = layout(persons, { collapsed: [withChildren[5].members[0]] });
  assert.deepEqual(Array.from(again.x), Array.from(once.x));
  assert.deepEqual(Array.from(again.edges), Array.from(once.edges));
});

test("the cache key changes with everything the layout reads, and only with that", () => {
  const persons = generate(400, 13);
  const key = layoutKey(persons, { order: "western" });
  assert.equal(layoutKey(structuredClone(persons), { order: "western" }), key, "same input, same key");
  assert.equal(layoutKey(persons, {}), key, "western is the default");
  assert.notEqual(layoutKey(persons, { order: "chinese" }), key, "order");
  assert.notEqual(layoutKey(persons, { collapsed: ["5"] }), key, "collapsed");
  assert.equal(layoutKey(persons, { collapsed: ["5", "9"] }), layoutKey(persons, { collapsed: new Set(["9", "5"]) }), "collapsed is a set");
  const random = prng(14);
  const edits = {
    id: (p) => { p.id = `${p.id}0`; },
    fatherId: (p) => { p.fatherId = p.fatherId ? null : "1"; },
    motherId: (p) => { p.motherId = p.motherId ? null : "2"; },
    gender: (p) => { p.gender = p.gender === "male" ? "female" : "male"; },
    birthDate: (p) => { p.birthDate = p.birthDate ? null : "1700"; },
    spouseIds: (p) => { p.spouseIds = p.spouseIds.length ? p.spouseIds.slice(1) : ["3"]; },
    private: (p) => { delete p.gender; delete p.birthDate; p.private = true; },
  };
  for (let round = 0; round < 200; round++) {
    const changed = structuredClone(persons);
    const person = changed[Math.floor(random() * changed.length)];
    const [field, edit] = Object.entries(edits)[round % Object.keys(edits).length];
    const before = JSON.stringify(person);
    edit(person);
    if (JSON.stringify(person) === before) continue;
    const sameLayout = JSON.stringify(Array.from(layout(changed).x)) === JSON.stringify(Array.from(layout(persons).x))
      && JSON.stringify(layout(changed).ids) === JSON.stringify(layout(persons).ids);
    // a changed key whenever the layout changes (the other way round is allowed: a key may change for nothing)
    if (!sameLayout) assert.notEqual(layoutKey(changed), key, `${field} of ${person.id}: the layout changed, the key did not`);
    if (field !== "private") assert.notEqual(layoutKey(changed), key, `${field} of ${person.id}`);
  }
  const renamed = structuredClone(persons);
  renamed[7].name = "Someone Else";
  renamed[8].deathPlace = "Elsewhere";
  assert.equal(layoutKey(renamed), key, "names and places do not move anyone");
});

test("trees of real GEDCOM files (KINHUB_TREE_FIXTURES)", { skip: !process.env.KINHUB_TREE_FIXTURES && "KINHUB_TREE_FIXTURES not set" }, () => {
  const dir = process.env.KINHUB_TREE_FIXTURES;
  const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
  assert.ok(files.length > 0, `no tree documents in ${dir}`);
  for (const file of files) {
    const persons = JSON.parse(readFileSync(join(dir, file), "utf8")).persons;
    const result = layout(persons);
    checkInvariants(persons, result, file);
    checkInvariants(persons, layout(persons, { order: "chinese" }), `${file} chinese`);
    samePositions(result, layout(shuffle(persons, 5)));
    sameAsReference(persons, {}, file);
    sameAsReference(persons, { order: "chinese" }, `${file} chinese`);
    console.log(`${file}: ${persons.length} persons, ${result.units.length} units, work/person ${(result.work / persons.length).toFixed(1)}`);
  }
});
