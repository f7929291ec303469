// Lays a tree out off the main thread, so a 50,000-person tree never freezes the page.
import { layout } from "./tree-layout.js";

self.onmessage = (message) => {
  const started = performance.now();
  const { nodes, edges, edgeKinds, bounds, work } = layout(message.data.persons, message.data.options);
  const ms = performance.now() - started;
  self.postMessage({ layout: { nodes, edges, edgeKinds, bounds, work }, ms }, [edges.buffer, edgeKinds.buffer]);
};
