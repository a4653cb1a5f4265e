/**
 * Renders a job's graphs for people (`spate plan`) and for tools (`--json`).
 * @module
 */

import type { JobGraph } from "./job_graph.ts";
import { requiredSlots } from "./job_graph.ts";
import type { StreamGraph } from "./stream_graph.ts";

/** A JSON-ready description of the JobGraph (functions left out). */
export function planToJson(stream: StreamGraph, job: JobGraph, fingerprint: string): unknown {
  const nodes = new Map(stream.nodes.map((n) => [n.id, n]));
  return {
    jobName: job.jobName,
    fingerprint,
    mode: stream.settings.batch ? "batch" : "streaming",
    maxParallelism: stream.settings.maxParallelism,
    bufferTimeoutMs: stream.settings.bufferTimeoutMs,
    slotsRequired: requiredSlots(job),
    vertices: job.vertices.map((v) => ({
      id: v.id,
      name: v.name,
      parallelism: v.parallelism,
      slotSharingGroup: v.slotSharingGroup,
      operators: v.nodeIds.map((id) => {
        const n = nodes.get(id)!;
        return { id, name: n.name, uid: n.uid, kind: n.kind };
      }),
    })),
    edges: job.edges.map((e) => ({
      source: e.sourceVertex,
      target: e.targetVertex,
      partitioner: e.partitioner,
    })),
  };
}

/** The JobGraph as readable text, one block per vertex. */
export function planToText(stream: StreamGraph, job: JobGraph, fingerprint: string): string {
  const nodes = new Map(stream.nodes.map((n) => [n.id, n]));
  const mode = stream.settings.batch ? "batch" : "streaming";
  const lines = [
    `Job '${job.jobName}' (${mode} mode, ${job.vertices.length} vertices, ` +
    `${requiredSlots(job)} slots, max parallelism ${stream.settings.maxParallelism}, ` +
    `fingerprint ${fingerprint})`,
  ];
  for (const v of job.vertices) {
    lines.push(
      `  [${v.id}] ${v.name}  parallelism=${v.parallelism} slotSharingGroup=${v.slotSharingGroup}`,
    );
    for (const id of v.nodeIds) {
      const n = nodes.get(id)!;
      lines.push(`        ${n.kind} ${id}: ${n.name} (uid ${n.uid})`);
    }
    for (const e of v.outputs) {
      lines.push(`      -> [${e.targetVertex}] ${e.partitioner.toUpperCase()}`);
    }
  }
  return lines.join("\n");
}
