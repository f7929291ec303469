// Lays a tree out off the main thread, so a 50,000-person tree never freezes the page. A layout computed once
// is kept in IndexedDB under a fingerprint of its input (tree-layout-cache.js), so the same tree opened again
// is not laid out at all. The answer says which it was (`source`: "cache" or "computed"), and `ms` is the time
// from the message to the layout either way (fingerprint and cache read included); storing a new layout
// happens after the answer is sent.
import { layout } from "./tree-layout.js";
import { layoutKey, cachedLayout, keepLayout } from "./tree-layout-cache.js";

const transfers = (l) => [l.x.buffer, l.y.buffer, l.generation.buffer, l.edges.buffer, l.edgeKinds.buffer, l.hiddenBelow.buffer];

self.onmessage = async (message) => {
  const started = performance.now();
  const { persons, options = {} } = message.data;
  const useCache = options.cache !== false;
  const key = useCache ? layoutKey(persons, options) : null;
  const keyMs = performance.now() - started;
  const cached = useCache ? await cachedLayout(key) : null;
  if (cached) {
    self.postMessage({ layout: cached, ms: performance.now() - started, source: "cache", keyMs }, transfers(cached));
    return;
  }
  const computing = performance.now();
  const { ids, x, y, generation, edges, edgeKinds, bounds, work, hiddenBelow, hidden } = layout(persons, options);
  const computeMs = performance.now() - computing;
  const result = { ids, x, y, generation, edges, edgeKinds, bounds, work, hiddenBelow, hidden };
  // the copy to store, taken before the arrays are handed over to the page
  const copy = useCache ? { ids, x: x.slice(), y: y.slice(), generation: generation.slice(), edges: edges.slice(), edgeKinds: edgeKinds.slice(), bounds, work,
    hiddenBelow: hiddenBelow.slice(), hidden } : null;
  self.postMessage({ layout: result, ms: performance.now() - started, source: "computed", keyMs, computeMs }, transfers(result));
  if (copy) await keepLayout(key, copy);
};
