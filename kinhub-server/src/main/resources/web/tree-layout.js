// Family-tree layout in linear time. Pure: no DOM, so Node's test runner and a Web Worker can import it.
//
// 1. Family units. Every person is placed exactly once, in a unit: a person plus the spouses placed beside
//    them. A unit's children are the children of any of its members; each child starts a unit of its own one
//    row below. Spouses who have parents in the tree are placed in their parents' unit instead, and their
//    marriage is drawn as an extra edge; the same for a child whose other parent sits in another unit.
//    Roots are the people without parents (married-in spouses excepted), taken eldest first, so the result
//    does not depend on the order of the input.
// 2. Tidy tree. The units form a forest under one virtual root, laid out with the linear-time version of
//    Walker's algorithm by Buchheim, Jünger and Leipert (2002): subtrees are pushed apart just as far as their
//    contours need (threads make the contour walk linear), and every unit is centred exactly over its first and
//    last child. Separation depends on the widths of the two neighbours, so couples take the room they need.
//
// Orders. "western" (default): siblings eldest first from left to right, the husband left of his wife.
// "chinese": the order of traditional Chinese genealogies, written right to left: siblings eldest first from
// right to left, and the husband on the senior side, to the right of his wife (男左女右 as the couple faces
// the viewer).
//
// Collapsed branches (`options.collapsed`: person ids): the unit of a collapsed person keeps its place, the
// units below it are left out, and so is their work in step 2 (`hiddenBelow` counts the persons left out).
//
// Speed of the first layout (a fresh page: the JIT has seen none of this code): everything runs on integer
// indices and typed arrays (a 50,000-person tree allocates a few dozen arrays, not hundreds of thousands of
// objects); ids are looked up in a dense table when they are decimal numbers close together (as the API
// sends them), not in a Map of strings; and step 2 runs on units renumbered breadth first, so a unit's
// children are consecutive numbers and its parent, children and left sibling are array reads in two flat
// loops, with no helper calls and no stack. Every elementary step increments `work`, so tests can check
// linear growth without timing anything.

export const BOX_WIDTH = 168;
export const BOX_HEIGHT = 52;
export const SPOUSE_GAP = 14;
export const SIBLING_GAP = 26;
export const COUSIN_GAP = 52;
export const ROW_GAP = 70;
export const ROW_HEIGHT = BOX_HEIGHT + ROW_GAP;

/** Edge kinds in `edgeKinds`: a couple side by side, parent(s) → child in the same subtree, anything else. */
export const COUPLE = 0, CHILD = 1, EXTRA = 2;

/** Numeric ids in numeric order, others after them in string order. */
function compareIds(persons, numeric, a, b) {
  const na = numeric[a], nb = numeric[b];
  if (na === na && nb === nb) return na - nb; // both numeric (NaN !== NaN)
  if (na === na) return -1;
  if (nb === nb) return 1;
  const ia = persons[a].id, ib = persons[b].id;
  return ia < ib ? -1 : ia > ib ? 1 : 0;
}

/** The first run of four digits in the birth date ("about 1900-05" → 1900), or +∞. */
function birthYear(p) {
  const d = p.birthDate;
  if (!d) return Number.POSITIVE_INFINITY;
  let run = 0;
  for (let i = 0; i < d.length; i++) {
    const c = d.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++run === 4 && !(i + 1 < d.length && d.charCodeAt(i + 1) >= 48 && d.charCodeAt(i + 1) <= 57)) {
        return (d.charCodeAt(i - 3) - 48) * 1000 + (d.charCodeAt(i - 2) - 48) * 100 + (d.charCodeAt(i - 1) - 48) * 10 + c - 48;
      }
    } else {
      run = 0;
    }
  }
  return Number.POSITIVE_INFINITY;
}

const UNKNOWN_YEAR = 10000;

/** A decimal id of at most 15 digits as a number, else NaN. */
function numericId(id) {
  if (typeof id !== "string" || id.length === 0 || id.length > 15) return Number.NaN;
  let v = 0;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    v = v * 10 + c;
  }
  return v;
}

/** The rank of `id` (-1 when absent): from the dense table `slot` (ids minId + k) or, when ids are not dense
 *  decimal numbers, from `map`. */
function find(id, slot, minId, map) {
  if (id == null) return -1;
  if (map !== null) {
    const r = map.get(id);
    return r === undefined ? -1 : r;
  }
  if (typeof id !== "string" || (id.length > 1 && id.charCodeAt(0) === 48)) return -1;
  const k = numericId(id) - minId;
  return k >= 0 && k < slot.length ? slot[k] : -1; // NaN fails both tests
}

// The layout runs as a chain of small functions, one pass each, over the arrays of one state object.

/** Birth years and numeric ids; whether the ids can index a dense table. */
function readPersons(s) {
  const persons = s.persons, n = s.n, year = s.year, numeric = s.numeric;
  let minId = Infinity, maxId = -Infinity, allNumeric = true, canonical = true;
  for (let i = 0; i < n; i++) {
    const p = persons[i];
    const id = p.id;
    const v = numericId(id);
    numeric[i] = v;
    if (v !== v) {
      allNumeric = false;
    } else {
      if (v < minId) minId = v;
      if (v > maxId) maxId = v;
      if (id.length > 1 && id.charCodeAt(0) === 48) canonical = false;
    }
    const y = birthYear(p);
    year[i] = y >= 0 && y < UNKNOWN_YEAR ? y : UNKNOWN_YEAR;
  }
  s.minId = minId;
  s.allNumeric = allNumeric;
  s.dense = n > 0 && allNumeric && canonical && maxId - minId < 4 * n + 1024;
  s.tableSize = s.dense ? maxId - minId + 1 : 0;
}

/** Ranks: by id (the API sends persons in id order, so this is usually a check), then a stable counting sort
 *  by birth year; no comparator runs for the common case. */
function rankPersons(s) {
  const persons = s.persons, n = s.n, year = s.year, numeric = s.numeric;
  const byId = new Int32Array(n);
  for (let i = 0; i < n; i++) byId[i] = i;
  let inIdOrder = true;
  if (s.allNumeric) {
    for (let i = 1; i < n; i++) {
      if (numeric[i - 1] > numeric[i]) {
        inIdOrder = false;
        break;
      }
    }
  } else {
    for (let i = 1; i < n && inIdOrder; i++) inIdOrder = compareIds(persons, numeric, i - 1, i) <= 0;
  }
  if (!inIdOrder) byId.sort((a, b) => compareIds(persons, numeric, a, b));
  const yearCount = new Int32Array(UNKNOWN_YEAR + 2);
  for (let i = 0; i < n; i++) yearCount[year[i] + 1]++;
  for (let y = 1; y < yearCount.length; y++) yearCount[y] += yearCount[y - 1];
  const order = s.order;
  for (let k = 0; k < n; k++) {
    const i = byId[k];
    order[yearCount[year[i]]++] = i;
  }
}

/** id → rank: a table indexed by id - minId when the ids are canonical decimals close together, else a Map
 *  (for an id given twice the later rank wins, in both). */
function indexIds(s) {
  const n = s.n, order = s.order;
  if (s.dense) {
    const slot = new Int32Array(s.tableSize).fill(-1), numeric = s.numeric, minId = s.minId;
    for (let r = 0; r < n; r++) slot[numeric[order[r]] - minId] = r;
    s.slot = slot;
  } else {
    const map = new Map(), persons = s.persons;
    for (let r = 0; r < n; r++) map.set(persons[order[r]].id, r);
    s.map = map;
  }
}

/** Parents, gender and child counts by rank; returns the number of spouse ids. */
function readLinks(s) {
  const persons = s.persons, n = s.n, order = s.order, slot = s.slot, minId = s.minId, map = s.map;
  const father = s.father, mother = s.mother, male = s.male, childCount = s.childCount;
  let spouseTotal = 0;
  for (let r = 0; r < n; r++) {
    const p = persons[order[r]];
    const f = find(p.fatherId, slot, minId, map);
    let m = find(p.motherId, slot, minId, map);
    if (m === f) m = -1;
    father[r] = f;
    mother[r] = m;
    male[r] = p.gender === "male" ? 1 : 0;
    if (f >= 0) childCount[f]++;
    if (m >= 0) childCount[m]++;
    const ids = p.spouseIds;
    if (ids) spouseTotal += ids.length;
  }
  s.work += n;
  return spouseTotal;
}

/** Children of each person, eldest first (compressed rows: kids[kidStart[r] .. kidStart[r + 1])). */
function listChildren(s) {
  const n = s.n, father = s.father, mother = s.mother, childCount = s.childCount, kidStart = s.kidStart;
  for (let r = 0; r < n; r++) kidStart[r + 1] = kidStart[r] + childCount[r];
  const kids = new Int32Array(kidStart[n]);
  const fill = kidStart.slice(0, n);
  for (let r = 0; r < n; r++) {
    if (father[r] >= 0) kids[fill[father[r]]++] = r;
    if (mother[r] >= 0) kids[fill[mother[r]]++] = r;
  }
  s.kids = kids;
  s.work += n;
}

/** Spouses of each person, eldest first, without repeats (spouses[spouseStart[r] .. spouseStart[r + 1])). */
function listSpouses(s, total) {
  const persons = s.persons, n = s.n, order = s.order, slot = s.slot, minId = s.minId, map = s.map, spouseStart = s.spouseStart;
  const buffer = new Int32Array(total);
  let top = 0;
  for (let r = 0; r < n; r++) {
    const ids = persons[order[r]].spouseIds;
    const start = top;
    if (ids) {
      for (let i = 0; i < ids.length; i++) {
        const q = find(ids[i], slot, minId, map);
        if (q >= 0 && q !== r) buffer[top++] = q;
      }
    }
    if (top - start > 1) {
      buffer.subarray(start, top).sort();
      let w = start + 1;
      for (let i = start + 1; i < top; i++) if (buffer[i] !== buffer[w - 1]) buffer[w++] = buffer[i];
      top = w;
    }
    spouseStart[r + 1] = top;
  }
  s.spouses = buffer.subarray(0, top);
  s.work += total;
}

/** Makes unit u of person r and the unanchored spouses not yet placed, husband and wife in the chosen order. */
function makeUnit(s, r, parent) {
  const members = s.members, unitOf = s.unitOf, spouses = s.spouses, spouseStart = s.spouseStart, male = s.male;
  const u = s.units++;
  const start = s.memberTop;
  let top = start;
  members[top++] = r;
  unitOf[r] = u;
  for (let k = spouseStart[r]; k < spouseStart[r + 1]; k++) {
    const q = spouses[k];
    if (unitOf[q] < 0 && s.father[q] < 0 && s.mother[q] < 0) {
      members[top++] = q;
      unitOf[q] = u;
    }
  }
  s.memberTop = top;
  const count = top - start;
  s.work += count;
  if (count === 2) {
    // husband beside wife: men first in the western order, to the right in the chinese one
    const a = members[start], b = members[start + 1];
    if ((male[b] === 1 && male[a] === 0) !== s.chinese) {
      members[start] = b;
      members[start + 1] = a;
    }
  } else if (count > 2) {
    const slice = Array.from(members.subarray(start, top));
    const head = slice[0];
    const arranged = male[head] ? slice : [...slice.slice(1).filter((m) => male[m]), head, ...slice.slice(1).filter((m) => !male[m])];
    if (s.chinese) arranged.reverse();
    members.set(arranged, start);
  }
  s.memberStart[u] = start;
  s.memberCount[u] = count;
  s.unitParent[u] = parent;
  s.unitDepth[u] = parent < 0 ? 0 : s.unitDepth[parent] + 1;
  s.unitWidth[u] = count * BOX_WIDTH + (count - 1) * SPOUSE_GAP;
  s.childUnits[u] = 0;
  if (parent < 0) s.rootUnits[s.rootCount++] = u;
  return u;
}

/** Grows the units below `start`, depth first: each unit's unplaced children, eldest first, become its child units. */
function grow(s, start) {
  const members = s.members, memberStart = s.memberStart, memberCount = s.memberCount, kidStart = s.kidStart, kids = s.kids;
  const unitOf = s.unitOf, claimed = s.claimed, pending = s.pending, stack = s.stack;
  let top = 0, work = 0;
  stack[top++] = start;
  while (top > 0) {
    const u = stack[--top];
    let count = 0;
    const end = memberStart[u] + memberCount[u];
    for (let m = memberStart[u]; m < end; m++) {
      const r = members[m];
      for (let k = kidStart[r]; k < kidStart[r + 1]; k++) {
        const c = kids[k];
        work++;
        if (unitOf[c] < 0 && claimed[c] === 0) {
          claimed[c] = 1;
          pending[count++] = c;
        }
      }
    }
    if (memberCount[u] > 1 && count > 1) pending.subarray(0, count).sort();
    if (s.chinese && count > 1) pending.subarray(0, count).reverse();
    const first = s.units;
    s.firstChild[u] = first;
    s.childUnits[u] = count;
    for (let i = 0; i < count; i++) makeUnit(s, pending[i], u);
    for (let c = s.units - 1; c >= first; c--) stack[top++] = c;
  }
  s.work += work;
}

/** Roots: no parents in the tree, and not married to someone who has (those are placed beside that spouse);
 *  then whatever is left: married-in spouses whose partner's line has no root of its own. */
function makeUnits(s) {
  const n = s.n, father = s.father, mother = s.mother, unitOf = s.unitOf, spouses = s.spouses, spouseStart = s.spouseStart;
  for (let r = 0; r < n; r++) {
    if (unitOf[r] >= 0 || father[r] >= 0 || mother[r] >= 0) continue;
    let marriedIn = false;
    for (let k = spouseStart[r]; k < spouseStart[r + 1] && !marriedIn; k++) marriedIn = father[spouses[k]] >= 0 || mother[spouses[k]] >= 0;
    if (!marriedIn) grow(s, makeUnit(s, r, -1));
  }
  for (let r = 0; r < n; r++) if (unitOf[r] < 0) grow(s, makeUnit(s, r, -1));
  if (s.chinese) s.rootUnits.subarray(0, s.rootCount).reverse();
  s.work += 2 * n;
}

/** Collapsed branches: the units of collapsed persons keep their place and lose their children. */
function fold(s, collapsed) {
  for (const id of collapsed) {
    const r = find(id, s.slot, s.minId, s.map);
    if (r >= 0) {
      s.folded[s.unitOf[r]] = 1;
      s.anyFolded = true;
    }
  }
}

/** Numbers the shown units breadth first: v = 0 is the virtual root; unit unitAt[v] has parent up[v] and
 *  children kidFirst[v] .. + kidCount[v] (consecutive), its left sibling is v - 1 unless v is its parent's
 *  kidFirst, and every parent is numbered below its children. Returns the count, virtual root included. */
function renumber(s) {
  const units = s.units, unitAt = s.unitAt, vOf = s.vOf, up = s.up, kidFirst = s.kidFirst, kidCount = s.kidCount, wide = s.wide;
  const unitWidth = s.unitWidth, folded = s.folded, childUnits = s.childUnits, firstChild = s.firstChild, rootUnits = s.rootUnits;
  up[0] = -1;
  kidFirst[0] = 1;
  kidCount[0] = s.rootCount;
  let size = 1;
  for (let i = 0; i < s.rootCount; i++) {
    unitAt[size] = rootUnits[i];
    up[size++] = 0;
  }
  for (let v = 1; v < size; v++) {
    const u = unitAt[v];
    vOf[u] = v;
    wide[v] = unitWidth[u];
    kidFirst[v] = size;
    const count = folded[u] === 1 ? 0 : childUnits[u];
    kidCount[v] = count;
    const first = firstChild[u];
    for (let i = 0; i < count; i++) {
      unitAt[size] = first + i;
      up[size++] = v;
    }
  }
  s.work += units;
  return size;
}

/** Buchheim–Jünger–Leipert's first walk, bottom up: a parent places its children left to right, each
 *  apportioned against its left siblings (as in the paper, where each child's subtree is finished just
 *  before), then executes the shifts. Returns the work done. */
function firstWalk(size, up, kidFirst, kidCount, wide, prelim, mod, shift, change, midpoint, thread, ancestor) {
  let work = 0;
  for (let p = size - 1; p >= 0; p--) {
    const count = kidCount[p];
    if (count === 0) continue;
    const first = kidFirst[p], last = first + count - 1;
    prelim[first] = kidCount[first] > 0 ? midpoint[first] : 0;
    let defaultAncestor = first;
    for (let v = first + 1; v <= last; v++) {
      work++;
      const w = v - 1;
      prelim[v] = prelim[w] + (wide[w] + wide[v]) / 2 + SIBLING_GAP;
      if (kidCount[v] > 0) mod[v] = prelim[v] - midpoint[v];
      // apportion(v): walk the right contour of the left siblings against the left contour of v
      let vip = v, vop = v, vim = w, vom = first;
      let sip = mod[vip], sop = mod[vop], sim = mod[vim], som = mod[vom];
      let right = kidCount[vim] > 0 ? kidFirst[vim] + kidCount[vim] - 1 : thread[vim];
      let left = kidCount[vip] > 0 ? kidFirst[vip] : thread[vip];
      while (right >= 0 && left >= 0) {
        work++;
        vim = right;
        vip = left;
        vom = kidCount[vom] > 0 ? kidFirst[vom] : thread[vom];
        vop = kidCount[vop] > 0 ? kidFirst[vop] + kidCount[vop] - 1 : thread[vop];
        ancestor[vop] = v;
        const amount = prelim[vim] + sim - (prelim[vip] + sip) + ((wide[vim] + wide[vip]) / 2 + (up[vim] === up[vip] ? SIBLING_GAP : COUSIN_GAP));
        if (amount > 0) {
          // move the subtree of v right, spreading the move over the siblings in between
          const a = ancestor[vim];
          const wm = up[a] === p ? a : defaultAncestor;
          const subtrees = v - wm;
          change[v] -= amount / subtrees;
          shift[v] += amount;
          change[wm] += amount / subtrees;
          prelim[v] += amount;
          mod[v] += amount;
          sip += amount;
          sop += amount;
        }
        sim += mod[vim];
        sip += mod[vip];
        som += mod[vom];
        sop += mod[vop];
        right = kidCount[vim] > 0 ? kidFirst[vim] + kidCount[vim] - 1 : thread[vim];
        left = kidCount[vip] > 0 ? kidFirst[vip] : thread[vip];
      }
      if (right >= 0 && (kidCount[vop] > 0 ? kidFirst[vop] + kidCount[vop] - 1 : thread[vop]) < 0) {
        thread[vop] = right;
        mod[vop] += sim - sop;
      }
      if (left >= 0 && (kidCount[vom] > 0 ? kidFirst[vom] : thread[vom]) < 0) {
        thread[vom] = left;
        mod[vom] += sip - som;
        defaultAncestor = v;
      }
    }
    // execute the shifts, right to left
    let sum = 0, c = 0;
    for (let k = last; k >= first; k--) {
      prelim[k] += sum;
      mod[k] += sum;
      c += change[k];
      sum += shift[k] + c;
      work++;
    }
    midpoint[p] = (prelim[first] + prelim[last]) / 2;
  }
  prelim[0] = kidCount[0] > 0 ? midpoint[0] : 0;
  return work;
}

/** Second walk, top down: x = prelim + the sum of the ancestors' mods. */
function secondWalk(size, up, prelim, mod, x) {
  const acc = new Float64Array(size);
  acc[0] = -prelim[0];
  for (let v = 1; v < size; v++) {
    const p = up[v];
    acc[v] = acc[p] + mod[p];
    x[v] = prelim[v] + acc[v];
  }
  return size;
}

/** Node k: person ids[k] at (x[k], y[k]), in the order the units were made; nodeX/nodeY by rank for the edges. */
function place(s, x, out) {
  const units = s.units, vOf = s.vOf, unitWidth = s.unitWidth, unitDepth = s.unitDepth, memberStart = s.memberStart;
  const memberCount = s.memberCount, members = s.members, nodeX = s.nodeX, nodeY = s.nodeY, visible = s.visible;
  const persons = s.persons, order = s.order, folded = s.folded, below = s.below;
  const ids = out.ids, outX = out.x, outY = out.y, generation = out.generation, hiddenBelow = out.hiddenBelow;
  let minX = Infinity, maxX = -Infinity, maxDepth = 0;
  let k = 0;
  for (let u = 0; u < units; u++) {
    const v = vOf[u];
    if (v < 0) continue;
    const unitWide = unitWidth[u];
    let left = x[v] - unitWide / 2;
    const depth = unitDepth[u];
    const y = depth * ROW_HEIGHT;
    if (depth > maxDepth) maxDepth = depth;
    if (left < minX) minX = left;
    if (left + unitWide > maxX) maxX = left + unitWide;
    const hidden = below !== null && folded[u] === 1 ? below[u] - memberCount[u] : 0;
    const end = memberStart[u] + memberCount[u];
    for (let m = memberStart[u]; m < end; m++) {
      const r = members[m];
      nodeX[r] = left;
      nodeY[r] = y;
      visible[r] = 1;
      ids[k] = persons[order[r]].id;
      outX[k] = left;
      outY[k] = y;
      hiddenBelow[k] = hidden;
      generation[k++] = depth;
      left += BOX_WIDTH + SPOUSE_GAP;
    }
  }
  s.work += k;
  return k ? { minX, minY: 0, maxX, maxY: maxDepth * ROW_HEIGHT + BOX_HEIGHT } : { minX: 0, minY: 0, maxX: 0, maxY: 0 };
}

const HALF_HEIGHT = BOX_HEIGHT / 2, HALF_WIDTH = BOX_WIDTH / 2;

/** Edges as line segments (x1, y1, x2, y2) in one flat array, with their kinds; at most one per couple member,
 *  three for a child's connector plus two for parents elsewhere, one per marriage. */
function connect(s) {
  const n = s.n, units = s.units, vOf = s.vOf, memberStart = s.memberStart, memberCount = s.memberCount, members = s.members;
  const nodeX = s.nodeX, nodeY = s.nodeY, visible = s.visible, father = s.father, mother = s.mother, unitOf = s.unitOf;
  const unitParent = s.unitParent, spouses = s.spouses, spouseStart = s.spouseStart;
  const capacity = 6 * n + spouses.length;
  const segments = new Float64Array(4 * capacity);
  const kinds = new Uint8Array(capacity);
  let edgeCount = 0, o = 0;
  for (let u = 0; u < units; u++) {
    if (vOf[u] < 0) continue;
    const end = memberStart[u] + memberCount[u];
    for (let m = memberStart[u] + 1; m < end; m++) {
      const a = members[m - 1];
      segments[o++] = nodeX[a] + BOX_WIDTH;
      segments[o++] = nodeY[a] + HALF_HEIGHT;
      segments[o++] = nodeX[a] + BOX_WIDTH + SPOUSE_GAP;
      segments[o++] = nodeY[a] + HALF_HEIGHT;
      kinds[edgeCount++] = COUPLE;
    }
  }
  for (let r = 0; r < n; r++) {
    const f = father[r], m = mother[r];
    if ((f < 0 && m < 0) || visible[r] === 0) continue;
    const home = unitParent[unitOf[r]];
    const fHome = f >= 0 && unitOf[f] === home;
    const mHome = m >= 0 && unitOf[m] === home;
    const cx = nodeX[r] + HALF_WIDTH;
    const topY = nodeY[r];
    const mid = topY - ROW_GAP / 2;
    if (fHome || mHome) {
      let from, fromY;
      if (fHome && mHome) {
        from = (Math.min(nodeX[f], nodeX[m]) + Math.max(nodeX[f], nodeX[m]) + BOX_WIDTH) / 2;
        fromY = nodeY[f] + HALF_HEIGHT;
      } else {
        const q = fHome ? f : m;
        from = nodeX[q] + HALF_WIDTH;
        fromY = nodeY[q] + BOX_HEIGHT;
      }
      segments[o++] = from;
      segments[o++] = fromY;
      segments[o++] = from;
      segments[o++] = mid;
      segments[o++] = from;
      segments[o++] = mid;
      segments[o++] = cx;
      segments[o++] = mid;
      segments[o++] = cx;
      segments[o++] = mid;
      segments[o++] = cx;
      segments[o++] = topY;
      kinds[edgeCount++] = CHILD;
      kinds[edgeCount++] = CHILD;
      kinds[edgeCount++] = CHILD;
    }
    if (f >= 0 && unitOf[f] !== home && visible[f] === 1) {
      segments[o++] = nodeX[f] + HALF_WIDTH;
      segments[o++] = nodeY[f] + BOX_HEIGHT;
      segments[o++] = cx;
      segments[o++] = topY;
      kinds[edgeCount++] = EXTRA;
    }
    if (m >= 0 && unitOf[m] !== home && visible[m] === 1) {
      segments[o++] = nodeX[m] + HALF_WIDTH;
      segments[o++] = nodeY[m] + BOX_HEIGHT;
      segments[o++] = cx;
      segments[o++] = topY;
      kinds[edgeCount++] = EXTRA;
    }
  }
  for (let r = 0; r < n; r++) {
    if (visible[r] === 0) continue;
    for (let k = spouseStart[r]; k < spouseStart[r + 1]; k++) {
      const q = spouses[k];
      if (r < q && unitOf[q] !== unitOf[r] && visible[q] === 1) {
        segments[o++] = nodeX[r] + HALF_WIDTH;
        segments[o++] = nodeY[r] + HALF_HEIGHT;
        segments[o++] = nodeX[q] + HALF_WIDTH;
        segments[o++] = nodeY[q] + HALF_HEIGHT;
        kinds[edgeCount++] = EXTRA;
      }
    }
  }
  s.work += n + spouses.length;
  return { edges: segments.slice(0, o), edgeKinds: kinds.slice(0, edgeCount) };
}

export function layout(persons, options = {}) {
  const n = persons.length;
  // every field up front: one shape for the whole run
  const s = {
    persons, n, chinese: options.order === "chinese", work: 0,
    year: new Int32Array(n), numeric: new Float64Array(n), minId: 0, allNumeric: true, dense: false, tableSize: 0,
    order: new Int32Array(n), slot: null, map: null,
    father: new Int32Array(n), mother: new Int32Array(n), male: new Uint8Array(n), childCount: new Int32Array(n + 1),
    kidStart: new Int32Array(n + 1), kids: null, spouseStart: new Int32Array(n + 1), spouses: null,
    // unit u: members[memberStart[u] .. + memberCount[u]), children firstChild[u] .. + childUnits[u] (made
    // consecutively); the virtual root's children are rootUnits[0 .. rootCount)
    unitOf: new Int32Array(n).fill(-1), members: new Int32Array(n), memberStart: new Int32Array(n), memberCount: new Int32Array(n),
    unitParent: new Int32Array(n), unitDepth: new Int32Array(n), unitWidth: new Float64Array(n), firstChild: new Int32Array(n),
    childUnits: new Int32Array(n), rootUnits: new Int32Array(n), rootCount: 0, units: 0, memberTop: 0,
    pending: new Int32Array(n), stack: new Int32Array(n), claimed: new Uint8Array(n),
    folded: null, anyFolded: false, below: null,
    unitAt: null, vOf: null, up: null, kidFirst: null, kidCount: null, wide: null,
    nodeX: new Float64Array(n), nodeY: new Float64Array(n), visible: new Uint8Array(n),
  };
  readPersons(s);
  rankPersons(s);
  indexIds(s);
  const spouseTotal = readLinks(s);
  listChildren(s);
  listSpouses(s, spouseTotal);
  makeUnits(s);
  const units = s.units;
  s.folded = new Uint8Array(units);
  if (options.collapsed) fold(s, options.collapsed);

  // ---- 2. Buchheim–Jünger–Leipert on the units, renumbered breadth first ---------------------------------
  s.unitAt = new Int32Array(units + 1);
  s.vOf = new Int32Array(units).fill(-1);
  s.up = new Int32Array(units + 1);
  s.kidFirst = new Int32Array(units + 1);
  s.kidCount = new Int32Array(units + 1);
  s.wide = new Float64Array(units + 1);
  const size = renumber(s);
  const prelim = new Float64Array(size);
  const mod = new Float64Array(size);
  const thread = new Int32Array(size).fill(-1);
  const ancestor = new Int32Array(size);
  for (let v = 0; v < size; v++) ancestor[v] = v;
  s.work += firstWalk(size, s.up, s.kidFirst, s.kidCount, s.wide, prelim, mod, new Float64Array(size), new Float64Array(size),
    new Float64Array(size), thread, ancestor);
  const x = new Float64Array(size);
  s.work += secondWalk(size, s.up, prelim, mod, x);

  // ---- output ------------------------------------------------------------------------------------------
  let shown = n;
  if (size - 1 < units) {
    shown = 0;
    for (let u = 0; u < units; u++) if (s.vOf[u] >= 0) shown += s.memberCount[u];
  }
  if (s.anyFolded) {
    // persons below each unit, for the badges of collapsed ones (children are made after their parents)
    const below = new Int32Array(units);
    for (let u = units - 1; u >= 0; u--) {
      below[u] += s.memberCount[u];
      if (s.unitParent[u] >= 0) below[s.unitParent[u]] += below[u];
    }
    s.below = below;
  }
  const out = { ids: new Array(shown), x: new Float64Array(shown), y: new Float64Array(shown), generation: new Int32Array(shown), hiddenBelow: new Int32Array(shown) };
  const bounds = place(s, x, out);
  const { edges, edgeKinds } = connect(s);

  const { ids, generation } = out;
  const outX = out.x, outY = out.y;
  const { members, memberStart, memberCount, unitDepth, unitWidth, unitParent, vOf, folded, childUnits, firstChild, order } = s;
  // the units, for tests, built only when asked for (a unit below a collapsed one: hidden, centre NaN)
  const unitList = () => Array.from({ length: units }, (_, u) => ({
    members: Array.from(members.subarray(memberStart[u], memberStart[u] + memberCount[u]), (r) => persons[order[r]].id),
    generation: unitDepth[u], center: vOf[u] >= 0 ? x[vOf[u]] : Number.NaN, width: unitWidth[u], parent: unitParent[u],
    hidden: vOf[u] < 0,
    children: folded[u] === 1 ? [] : Array.from({ length: childUnits[u] }, (_, i) => firstChild[u] + i),
  }));
  return {
    ids, x: outX, y: outY, generation, edges, edgeKinds, bounds, work: s.work,
    /** Per node: how many persons its collapsed unit hides (0 when not collapsed). */
    hiddenBelow: out.hiddenBelow,
    /** How many persons are left out below collapsed units. */
    hidden: n - shown,
    /** The nodes as objects {id, x, y, width, height, generation} (built when asked for). */
    get nodes() {
      return ids.map((id, i) => ({ id, x: outX[i], y: outY[i], width: BOX_WIDTH, height: BOX_HEIGHT, generation: generation[i] }));
    },
    get units() { return unitList(); },
  };
}
