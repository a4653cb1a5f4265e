/**
 * The job graph as `GET /api/v1/jobs/:id/plan` shows it: vertices (chains)
 * with their operators, edges with their partitioners.
 * @module
 */

import type { JobGraph, JobVertex } from "../../core/graph/job_graph.ts";
import type { JobPlanResponse, PlanOperator } from "../protocol/rest.ts";

/** The separator of chained operator names in a vertex's name (`job_graph.ts`). */
const CHAIN_SEPARATOR = " -> ";

/**
 * The plan of job `jobId`.
 *
 * @example
 * ```ts
 * import { jobPlanOf } from "./job_plan_info.ts";
 * const plan = jobPlanOf("j1", {
 *   jobName: "one",
 *   vertices: [{
 *     id: 1, name: "Source -> Map", nodeIds: [1, 2], operatorUids: ["s", "m"],
 *     parallelism: 2, slotSharingGroup: "default", inputs: [], outputs: [],
 *   }],
 *   edges: [],
 * });
 * console.assert(plan.vertices[0].operators[1].name === "Map");
 * ```
 */
export function jobPlanOf(jobId: string, graph: JobGraph): JobPlanResponse {
  return {
    jid: jobId,
    name: graph.jobName,
    vertices: graph.vertices.map((v) => ({
      id: v.id,
      name: v.name,
      parallelism: v.parallelism,
      slotSharingGroup: v.slotSharingGroup,
      operators: operatorsOf(v),
    })),
    edges: graph.edges.map((e) => ({
      source: e.sourceVertex,
      target: e.targetVertex,
      partitioner: e.partitioner,
      inputIndex: e.inputIndex,
    })),
  };
}

function operatorsOf(v: JobVertex): PlanOperator[] {
  const names = v.name.split(CHAIN_SEPARATOR);
  // A name holding the separator itself cannot be split back: the chain's name stands for each.
  const named = names.length === v.nodeIds.length;
  return v.nodeIds.map((id, i) => ({
    id,
    name: named ? names[i] : v.name,
    uid: v.operatorUids[i],
  }));
}
