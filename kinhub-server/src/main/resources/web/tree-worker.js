// Lays a tree out off the main thread, so a 50,000-person tree never freezes the page.
import { layout } from "./tree-layout.js";

self.onmessage = (message) => {
  const started = performance.now();
  const { ids, x, y, generation, edges, edgeKinds, bounds, work } = layout(message.data.persons, message.data.options);
  const ms = performance.now() - started;
  self.postMessage({ layout: { ids, x, y, generation, edges, edgeKinds, bounds, work }, ms },
    [x.buffer, y.buffer, generation.buffer, edges.buffer, edgeKinds.buffer]);
};
