/**
 * Slot sharing: subtask i of every vertex in a slot sharing group goes to the
 * group's i-th slot, so one slot holds a whole pipeline; groups get disjoint
 * slots. This also co-locates subtask i of the vertices of one group.
 * @module
 */

import { type JobGraph, requiredSlots } from "../../core/graph/job_graph.ts";

/** Not enough slots for a job. */
export class NotEnoughSlotsError extends Error {
  override readonly name = "NotEnoughSlotsError";
}

/** Slot index of each subtask, keyed `vertexId/subtask`. */
export function assignSlots(job: JobGraph, freeSlots: number): Map<string, number> {
  const needed = requiredSlots(job);
  if (needed > freeSlots) {
    throw new NotEnoughSlotsError(
      `job '${job.jobName}' needs ${needed} slots, cluster has ${freeSlots} free ` +
        `(give more slots, e.g. --slots ${needed}, or lower the parallelism)`,
    );
  }
  const offsets = new Map<string, number>();
  let next = 0;
  for (const v of job.vertices) {
    if (offsets.has(v.slotSharingGroup)) continue;
    offsets.set(v.slotSharingGroup, next);
    next += Math.max(
      ...job.vertices.filter((w) => w.slotSharingGroup === v.slotSharingGroup).map((w) =>
        w.parallelism
      ),
    );
  }
  const slots = new Map<string, number>();
  for (const v of job.vertices) {
    for (let i = 0; i < v.parallelism; i++) {
      slots.set(`${v.id}/${i}`, offsets.get(v.slotSharingGroup)! + i);
    }
  }
  return slots;
}
