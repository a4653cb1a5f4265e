/**
 * Fingerprint of a StreamGraph's shape: topology, names, uids, parallelism and
 * partitioners. The client sends it with the job; each slot rebuilds the graph
 * by importing the job module and refuses to run if its fingerprint differs.
 * @module
 */

import type { StreamGraph } from "./stream_graph.ts";

function fnv1a64(text: string): string {
  // Two 32-bit FNV-1a lanes with different seeds: 64 bits without BigInt.
  let a = 0x811c9dc5, b = 0xcbf29ce4;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

/** A short stable hash of the graph's shape. */
export function graphFingerprint(graph: StreamGraph): string {
  const shape = {
    s: graph.settings,
    n: graph.nodes.map((
      n,
    ) => [n.id, n.kind, n.name, n.uid, n.parallelism, n.chaining, n.slotSharingGroup]),
    // A second input's edge says so: swapping the inputs of a connect changes the shape.
    e: graph.edges.map((e) =>
      e.inputIndex === 0
        ? [e.source, e.target, e.partitioner.kind]
        : [e.source, e.target, e.partitioner.kind, e.inputIndex]
    ),
  };
  return fnv1a64(JSON.stringify(shape));
}
