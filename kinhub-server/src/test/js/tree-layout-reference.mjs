// The tree layout as it was before the BFS-numbered rewrite (commit 96e2bb2 of web/tree-layout.js), kept unchanged
// as the reference the property tests compare the page's layout against: same positions, same edges.
//
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
// Everything runs on integer indices and typed arrays (a 50,000-person tree allocates a few dozen arrays,
// not hundreds of thousands of objects), and every elementary step increments `work`, so tests can check
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

export function layout(persons, options = {}) {
  const chinese = options.order === "chinese";
  const n = persons.length;
  let work = 0;

  // ---- ranks: eldest first (birth year, then id); from here on a person is their rank -----------------
  const year = new Float64Array(n);
  const numeric = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const id = persons[i].id;
    year[i] = birthYear(persons[i]);
    numeric[i] = numericId(id);
  }
  // by id (the API sends persons in id order, so this is usually a check), then a stable counting sort by
  // birth year: no comparator runs for the common case
  let order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let inIdOrder = true;
  for (let i = 1; i < n && inIdOrder; i++) inIdOrder = compareIds(persons, numeric, i - 1, i) <= 0;
  if (!inIdOrder) order.sort((a, b) => compareIds(persons, numeric, a, b));
  const UNKNOWN_YEAR = 10000;
  const yearCount = new Int32Array(UNKNOWN_YEAR + 2);
  for (let i = 0; i < n; i++) {
    const y = year[i];
    year[i] = y >= 0 && y < UNKNOWN_YEAR ? y : UNKNOWN_YEAR;
    yearCount[year[i] + 1]++;
  }
  for (let y = 1; y < yearCount.length; y++) yearCount[y] += yearCount[y - 1];
  const byYear = new Int32Array(n);
  for (const i of order) byYear[yearCount[year[i]]++] = i;
  order = byYear;
  const rankOf = new Map();
  const people = new Array(n);
  for (let r = 0; r < n; r++) {
    people[r] = persons[order[r]];
    rankOf.set(people[r].id, r);
  }
  work += n;
  const rank = (id) => (id == null ? -1 : rankOf.has(id) ? rankOf.get(id) : -1);

  const father = new Int32Array(n);
  const mother = new Int32Array(n);
  const male = new Uint8Array(n);
  const childCount = new Int32Array(n + 1);
  for (let r = 0; r < n; r++) {
    const p = people[r];
    father[r] = rank(p.fatherId);
    mother[r] = rank(p.motherId);
    if (mother[r] === father[r]) mother[r] = -1;
    male[r] = p.gender === "male" ? 1 : 0;
    if (father[r] >= 0) childCount[father[r]]++;
    if (mother[r] >= 0) childCount[mother[r]]++;
    work++;
  }
  // children of each person, eldest first (compressed rows: kids[kidStart[r] .. kidStart[r + 1]))
  const kidStart = new Int32Array(n + 1);
  for (let r = 0; r < n; r++) kidStart[r + 1] = kidStart[r] + childCount[r];
  const kids = new Int32Array(kidStart[n]);
  const fill = kidStart.slice(0, n);
  for (let r = 0; r < n; r++) {
    if (father[r] >= 0) kids[fill[father[r]]++] = r;
    if (mother[r] >= 0) kids[fill[mother[r]]++] = r;
    work++;
  }
  // spouses, eldest first
  const spouseStart = new Int32Array(n + 1);
  const spouseList = [];
  for (let r = 0; r < n; r++) {
    const ids = people[r].spouseIds;
    const start = spouseList.length;
    if (ids) {
      for (const id of ids) {
        const s = rank(id);
        if (s >= 0 && s !== r) spouseList.push(s);
        work++;
      }
    }
    if (spouseList.length - start > 1) {
      const part = spouseList.splice(start).sort((a, b) => a - b);
      for (let i = 0; i < part.length; i++) if (i === 0 || part[i] !== part[i - 1]) spouseList.push(part[i]);
    }
    spouseStart[r + 1] = spouseList.length;
  }
  const spouses = Int32Array.from(spouseList);
  const anchored = (r) => father[r] >= 0 || mother[r] >= 0;

  // ---- 1. units --------------------------------------------------------------------------------------
  // unit u: members[memberStart[u] .. + memberCount[u]), children firstChild[u] .. + childUnits[u] (created
  // consecutively); the virtual root is unit -1 with its children listed in rootUnits
  const unitOf = new Int32Array(n).fill(-1);
  const members = new Int32Array(n);
  const memberStart = new Int32Array(n);
  const memberCount = new Int32Array(n);
  const unitParent = new Int32Array(n);
  const unitDepth = new Int32Array(n);
  const unitWidth = new Float64Array(n);
  const firstChild = new Int32Array(n);
  const childUnits = new Int32Array(n);
  const siblingNumber = new Int32Array(n);
  const rootUnits = [];
  let units = 0;
  let memberTop = 0;

  function makeUnit(r, parent) {
    const u = units++;
    const start = memberTop;
    members[memberTop++] = r;
    unitOf[r] = u;
    for (let k = spouseStart[r]; k < spouseStart[r + 1]; k++) {
      const s = spouses[k];
      work++;
      if (unitOf[s] < 0 && !anchored(s)) {
        members[memberTop++] = s;
        unitOf[s] = u;
      }
    }
    const count = memberTop - start;
    if (count === 2) {
      // husband beside wife: men first in the western order, to the right in the chinese one
      const a = members[start], b = members[start + 1];
      if ((male[b] === 1 && male[a] === 0) !== chinese) {
        members[start] = b;
        members[start + 1] = a;
      }
    } else if (count > 2) {
      const slice = Array.from(members.subarray(start, memberTop));
      const head = slice[0];
      const arranged = male[head] ? slice : [...slice.slice(1).filter((m) => male[m]), head, ...slice.slice(1).filter((m) => !male[m])];
      if (chinese) arranged.reverse();
      members.set(arranged, start);
    }
    memberStart[u] = start;
    memberCount[u] = count;
    unitParent[u] = parent;
    unitDepth[u] = parent < 0 ? 0 : unitDepth[parent] + 1;
    unitWidth[u] = count * BOX_WIDTH + (count - 1) * SPOUSE_GAP;
    childUnits[u] = 0;
    if (parent < 0) {
      siblingNumber[u] = rootUnits.length;
      rootUnits.push(u);
    }
    return u;
  }

  const pending = [];
  const claimed = new Uint8Array(n);
  function grow(start) {
    const stack = [start];
    while (stack.length) {
      const u = stack.pop();
      pending.length = 0;
      for (let m = memberStart[u]; m < memberStart[u] + memberCount[u]; m++) {
        const r = members[m];
        for (let k = kidStart[r]; k < kidStart[r + 1]; k++) {
          const c = kids[k];
          work++;
          if (unitOf[c] < 0 && !claimed[c]) {
            claimed[c] = 1;
            pending.push(c);
          }
        }
      }
      if (memberCount[u] > 1) pending.sort((a, b) => a - b);
      if (chinese) pending.reverse();
      firstChild[u] = units;
      childUnits[u] = pending.length;
      for (let i = 0; i < pending.length; i++) {
        const c = makeUnit(pending[i], u);
        siblingNumber[c] = i;
      }
      for (let c = units - 1; c >= firstChild[u]; c--) stack.push(c);
    }
  }

  // roots: no parents in the tree, and not married to someone who has (those are placed beside that spouse)
  const marriedIn = (r) => {
    for (let k = spouseStart[r]; k < spouseStart[r + 1]; k++) if (anchored(spouses[k])) return true;
    return false;
  };
  for (let r = 0; r < n; r++) {
    work++;
    if (unitOf[r] < 0 && !anchored(r) && !marriedIn(r)) grow(makeUnit(r, -1));
  }
  // whatever is left: married-in spouses whose partner's line has no root of its own
  for (let r = 0; r < n; r++) {
    work++;
    if (unitOf[r] < 0) grow(makeUnit(r, -1));
  }
  if (chinese) {
    rootUnits.reverse();
    rootUnits.forEach((u, i) => { siblingNumber[u] = i; });
  }

  // ---- 2. Buchheim–Jünger–Leipert on the units (index units + 1; slot 0 is the virtual root) -------------
  const size = units + 1;
  const prelim = new Float64Array(size);
  const mod = new Float64Array(size);
  const shift = new Float64Array(size);
  const change = new Float64Array(size);
  const thread = new Int32Array(size).fill(-1);
  const ancestor = new Int32Array(size);
  for (let v = 0; v < size; v++) ancestor[v] = v;
  const parentOf = (v) => (v === 0 ? -1 : unitParent[v - 1] + 1);
  const numberOf = (v) => siblingNumber[v - 1];
  const width = (v) => (v === 0 ? 0 : unitWidth[v - 1]);
  const kidCount = (v) => (v === 0 ? rootUnits.length : childUnits[v - 1]);
  const kidAt = (v, k) => (v === 0 ? rootUnits[k] + 1 : firstChild[v - 1] + k + 1);
  const separation = (a, b) => (width(a) + width(b)) / 2 + (parentOf(a) === parentOf(b) ? SIBLING_GAP : COUSIN_GAP);
  const nextLeft = (v) => (kidCount(v) ? kidAt(v, 0) : thread[v]);
  const nextRight = (v) => (kidCount(v) ? kidAt(v, kidCount(v) - 1) : thread[v]);
  const leftSibling = (v) => (v !== 0 && numberOf(v) > 0 ? kidAt(parentOf(v), numberOf(v) - 1) : -1);

  function moveSubtree(wm, wp, amount) {
    const subtrees = numberOf(wp) - numberOf(wm);
    change[wp] -= amount / subtrees;
    shift[wp] += amount;
    change[wm] += amount / subtrees;
    prelim[wp] += amount;
    mod[wp] += amount;
  }

  function executeShifts(v) {
    let s = 0, c = 0;
    for (let k = kidCount(v) - 1; k >= 0; k--) {
      const w = kidAt(v, k);
      prelim[w] += s;
      mod[w] += s;
      c += change[w];
      s += shift[w] + c;
      work++;
    }
  }

  function apportion(v, defaultAncestor) {
    const w = leftSibling(v);
    if (w < 0) return defaultAncestor;
    const parent = parentOf(v);
    let vip = v, vop = v, vim = w, vom = kidAt(parent, 0);
    let sip = mod[vip], sop = mod[vop], sim = mod[vim], som = mod[vom];
    while (nextRight(vim) >= 0 && nextLeft(vip) >= 0) {
      work++;
      vim = nextRight(vim);
      vip = nextLeft(vip);
      vom = nextLeft(vom);
      vop = nextRight(vop);
      ancestor[vop] = v;
      const amount = prelim[vim] + sim - (prelim[vip] + sip) + separation(vim, vip);
      if (amount > 0) {
        moveSubtree(parentOf(ancestor[vim]) === parent ? ancestor[vim] : defaultAncestor, v, amount);
        sip += amount;
        sop += amount;
      }
      sim += mod[vim];
      sip += mod[vip];
      som += mod[vom];
      sop += mod[vop];
    }
    if (nextRight(vim) >= 0 && nextRight(vop) < 0) {
      thread[vop] = nextRight(vim);
      mod[vop] += sim - sop;
    }
    if (nextLeft(vip) >= 0 && nextLeft(vom) < 0) {
      thread[vom] = nextLeft(vip);
      mod[vom] += sip - som;
      defaultAncestor = v;
    }
    return defaultAncestor;
  }

  // first walk: recursion unrolled onto a stack (a lineage can be thousands of generations deep); a subtree
  // is apportioned against its left siblings as soon as it is finished, as in the paper
  const frameNode = new Int32Array(size);
  const frameNext = new Int32Array(size);
  const frameAncestor = new Int32Array(size);
  let top = 0;
  frameNode[0] = 0;
  frameNext[0] = 0;
  frameAncestor[0] = -1;
  while (top >= 0) {
    const v = frameNode[top];
    work++;
    if (frameNext[top] < kidCount(v)) {
      const c = kidAt(v, frameNext[top]++);
      top++;
      frameNode[top] = c;
      frameNext[top] = 0;
      frameAncestor[top] = -1;
      continue;
    }
    top--;
    const w = leftSibling(v);
    if (!kidCount(v)) {
      prelim[v] = w >= 0 ? prelim[w] + separation(w, v) : 0;
    } else {
      executeShifts(v);
      const midpoint = (prelim[kidAt(v, 0)] + prelim[kidAt(v, kidCount(v) - 1)]) / 2;
      if (w >= 0) {
        prelim[v] = prelim[w] + separation(w, v);
        mod[v] = prelim[v] - midpoint;
      } else {
        prelim[v] = midpoint;
      }
    }
    if (top >= 0) {
      const p = frameNode[top];
      frameAncestor[top] = apportion(v, frameAncestor[top] >= 0 ? frameAncestor[top] : kidAt(p, 0));
    }
  }
  // second walk, pre-order: x = prelim + the sum of the ancestors' mods
  const x = new Float64Array(size);
  const acc = new Float64Array(size);
  const walk = [0];
  acc[0] = -prelim[0];
  while (walk.length) {
    const v = walk.pop();
    x[v] = prelim[v] + acc[v];
    for (let k = 0; k < kidCount(v); k++) {
      const c = kidAt(v, k);
      acc[c] = acc[v] + mod[v];
      walk.push(c);
      work++;
    }
  }

  // ---- output ------------------------------------------------------------------------------------------
  // node k: person ids[k] at (x[k], y[k]); nodeX/nodeY by rank for the edges below
  const nodeX = new Float64Array(n);
  const nodeY = new Float64Array(n);
  const ids = new Array(n);
  const outX = new Float64Array(n);
  const outY = new Float64Array(n);
  const generation = new Int32Array(n);
  let minX = Infinity, maxX = -Infinity, maxDepth = 0;
  let k = 0;
  for (let u = 0; u < units; u++) {
    const center = x[u + 1];
    let left = center - unitWidth[u] / 2;
    const y = unitDepth[u] * ROW_HEIGHT;
    if (unitDepth[u] > maxDepth) maxDepth = unitDepth[u];
    if (left < minX) minX = left;
    if (left + unitWidth[u] > maxX) maxX = left + unitWidth[u];
    for (let m = memberStart[u]; m < memberStart[u] + memberCount[u]; m++) {
      const r = members[m];
      nodeX[r] = left;
      nodeY[r] = y;
      ids[k] = people[r].id;
      outX[k] = left;
      outY[k] = y;
      generation[k++] = unitDepth[u];
      left += BOX_WIDTH + SPOUSE_GAP;
      work++;
    }
  }
  const bounds = n ? { minX, minY: 0, maxX, maxY: maxDepth * ROW_HEIGHT + BOX_HEIGHT } : { minX: 0, minY: 0, maxX: 0, maxY: 0 };

  // edges as line segments (x1, y1, x2, y2) in one flat array, with their kinds
  // at most: one per couple member, three for a child's connector plus two for parents elsewhere, one per marriage
  const capacity = 6 * n + spouses.length;
  const segments = new Float64Array(4 * capacity);
  const kinds = new Uint8Array(capacity);
  let edgeCount = 0;
  const segment = (kind, x1, y1, x2, y2) => {
    const o = 4 * edgeCount;
    segments[o] = x1;
    segments[o + 1] = y1;
    segments[o + 2] = x2;
    segments[o + 3] = y2;
    kinds[edgeCount++] = kind;
  };
  for (let u = 0; u < units; u++) {
    for (let m = memberStart[u] + 1; m < memberStart[u] + memberCount[u]; m++) {
      const a = members[m - 1];
      segment(COUPLE, nodeX[a] + BOX_WIDTH, nodeY[a] + BOX_HEIGHT / 2, nodeX[a] + BOX_WIDTH + SPOUSE_GAP, nodeY[a] + BOX_HEIGHT / 2);
    }
  }
  for (let r = 0; r < n; r++) {
    work++;
    const f = father[r], m = mother[r];
    if (f < 0 && m < 0) continue;
    const home = unitParent[unitOf[r]];
    const fHome = f >= 0 && unitOf[f] === home;
    const mHome = m >= 0 && unitOf[m] === home;
    const cx = nodeX[r] + BOX_WIDTH / 2;
    const topY = nodeY[r];
    const mid = topY - ROW_GAP / 2;
    if (fHome || mHome) {
      let from, fromY;
      if (fHome && mHome) {
        from = (Math.min(nodeX[f], nodeX[m]) + Math.max(nodeX[f], nodeX[m]) + BOX_WIDTH) / 2;
        fromY = nodeY[f] + BOX_HEIGHT / 2;
      } else {
        const q = fHome ? f : m;
        from = nodeX[q] + BOX_WIDTH / 2;
        fromY = nodeY[q] + BOX_HEIGHT;
      }
      segment(CHILD, from, fromY, from, mid);
      segment(CHILD, from, mid, cx, mid);
      segment(CHILD, cx, mid, cx, topY);
    }
    if (f >= 0 && unitOf[f] !== home) segment(EXTRA, nodeX[f] + BOX_WIDTH / 2, nodeY[f] + BOX_HEIGHT, cx, topY);
    if (m >= 0 && unitOf[m] !== home) segment(EXTRA, nodeX[m] + BOX_WIDTH / 2, nodeY[m] + BOX_HEIGHT, cx, topY);
  }
  for (let r = 0; r < n; r++) {
    for (let s = spouseStart[r]; s < spouseStart[r + 1]; s++) {
      const o = spouses[s];
      work++;
      if (r < o && unitOf[o] !== unitOf[r]) {
        segment(EXTRA, nodeX[r] + BOX_WIDTH / 2, nodeY[r] + BOX_HEIGHT / 2, nodeX[o] + BOX_WIDTH / 2, nodeY[o] + BOX_HEIGHT / 2);
      }
    }
  }

  // the units, for tests, built only when asked for
  const unitList = () => Array.from({ length: units }, (_, u) => ({
    members: Array.from(members.subarray(memberStart[u], memberStart[u] + memberCount[u]), (r) => people[r].id),
    generation: unitDepth[u], center: x[u + 1], width: unitWidth[u], parent: unitParent[u],
    children: Array.from({ length: childUnits[u] }, (_, i) => firstChild[u] + i),
  }));
  return {
    ids, x: outX, y: outY, generation, edges: segments.slice(0, 4 * edgeCount), edgeKinds: kinds.slice(0, edgeCount), bounds, work,
    /** The nodes as objects {id, x, y, width, height, generation} (built when asked for). */
    get nodes() {
      return ids.map((id, i) => ({ id, x: outX[i], y: outY[i], width: BOX_WIDTH, height: BOX_HEIGHT, generation: generation[i] }));
    },
    get units() { return unitList(); },
  };
}
