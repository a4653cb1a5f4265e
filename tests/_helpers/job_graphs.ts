/** Hand-built JobGraphs and slot grants for the master's unit tests. @module */

import type { JobEdge, JobGraph, JobVertex } from "../../core/graph/job_graph.ts";
import type { ActorRef } from "../../nodes/rpc/actor.ts";
import type { SlotGrant } from "../../nodes/protocol/resource_manager.ts";
import type { TaskExecutorMessage } from "../../nodes/protocol/task_executor.ts";

const EDGE: JobEdge = {
  id: 3,
  sourceVertex: 1,
  targetVertex: 2,
  sourceNode: 1,
  partitioner: "rebalance",
  inputIndex: 0,
};

function vertex(
  id: number,
  name: string,
  parallelism: number,
  inputs: JobEdge[],
  outputs: JobEdge[],
): JobVertex {
  return {
    id,
    name,
    nodeIds: [id],
    operatorUids: [name],
    parallelism,
    slotSharingGroup: "default",
    inputs,
    outputs,
  };
}

/** Source (vertex 1, parallelism 1) -rebalance-> Sink (vertex 2, parallelism 2): two slots. */
export const TWO_STEP_JOB: JobGraph = {
  jobName: "two-step",
  vertices: [vertex(1, "Source", 1, [], [EDGE]), vertex(2, "Sink", 2, [EDGE], [])],
  edges: [EDGE],
};

/**
 * Slot 0 of worker `workerId`. The TaskExecutor ref is a name only: whoever
 * uses it in a test must not send to it.
 */
export function slotGrant(workerId: string, slotIndex = 0): SlotGrant {
  return {
    workerId,
    slotIndex,
    processId: `p-${workerId}`,
    dataAddress: `http://${workerId}`,
    managedMemoryBytes: 1024,
    taskExecutor: { path: `/user/${workerId}` } as ActorRef<TaskExecutorMessage>,
  };
}
