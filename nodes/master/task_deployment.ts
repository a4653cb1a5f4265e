/**
 * The deployment of one subtask of an attempt: its channels (one per
 * producer or consumer subtask the partitioner connects it to, each with the
 * peer's location), its slot, its checkpoint settings, and the network limits
 * the job overrides (the worker resolves them against its defaults).
 * @module
 */

import { consumersOf, producersOf } from "../../core/graph/partitioners.ts";
import { OPTIONS } from "../../core/config/options.ts";
import type { ActorRef } from "../rpc/actor.ts";
import type {
  ChannelDeployment,
  ChannelRoute,
  PeerLocation,
  TaskDeployment,
} from "../protocol/deployment.ts";
import type { JobSubmission } from "../protocol/dispatcher.ts";
import type { SlotGrant } from "../protocol/resource_manager.ts";
import { channelIdOf, taskIdOf } from "../protocol/ids.ts";
import type { JobMasterMessage } from "../protocol/job_master.ts";
import type { TaskRestore } from "../protocol/task_state.ts";
import type { ExecutionGraph } from "./execution_graph.ts";

/** What every deployment of one attempt shares. */
export interface AttemptContext {
  readonly jobId: string;
  readonly attempt: number;
  readonly submission: JobSubmission;
  /** Subtasks with their granted slots. */
  readonly graph: ExecutionGraph;
  /** The job's checkpoint directory (absent for batch jobs). */
  readonly checkpointDir: string | undefined;
  readonly restore: TaskRestore | undefined;
  readonly jobMaster: ActorRef<JobMasterMessage>;
}

/** What the TaskExecutor running subtask `subtask` of vertex `vertexId` needs. */
export function taskDeployment(
  a: AttemptContext,
  vertexId: number,
  subtask: number,
): TaskDeployment {
  const s = a.submission;
  const job = s.jobGraph;
  const vertex = job.vertices.find((v) => v.id === vertexId)!;
  const parallelism = (id: number) => job.vertices.find((v) => v.id === id)!.parallelism;
  const location = (v: number, i: number): PeerLocation => {
    const slot = a.graph.get(v, i)!.slot!;
    return {
      processId: slot.processId,
      dataAddress: slot.dataAddress,
      workerId: slot.workerId,
      slotIndex: slot.slotIndex,
    };
  };
  const channelId = (edgeId: number, producer: number, consumer: number) =>
    channelIdOf(a.jobId, a.attempt, edgeId, producer, consumer);
  /** Who dials for the channel from producer (v, i) to consumer (w, j). */
  const route = (v: number, i: number, w: number, j: number) =>
    channelRoute(a.graph.get(v, i)!.slot!, a.graph.get(w, j)!.slot!);
  const inputs = vertex.inputs.map((e) => {
    const producers = producersOf(
      e.partitioner,
      parallelism(e.sourceVertex),
      vertex.parallelism,
      subtask,
    );
    const channels: ChannelDeployment[] = producers.map((i) => ({
      channelId: channelId(e.id, i, subtask),
      peer: location(e.sourceVertex, i),
      ...route(e.sourceVertex, i, vertexId, subtask),
    }));
    return { edgeId: e.id, channels };
  });
  const outputs = vertex.outputs.map((e) => {
    const consumers = consumersOf(
      e.partitioner,
      vertex.parallelism,
      parallelism(e.targetVertex),
      subtask,
    );
    const channels: ChannelDeployment[] = consumers.map((j) => ({
      channelId: channelId(e.id, subtask, j),
      peer: location(e.targetVertex, j),
      ...route(vertexId, subtask, e.targetVertex, j),
    }));
    return { edgeId: e.id, channels };
  });
  const slot = a.graph.get(vertexId, subtask)!.slot!;
  return {
    taskId: taskIdOf(a.jobId, vertexId, subtask),
    attempt: a.attempt,
    job: { jobId: a.jobId, jobName: s.jobName, ...s.job },
    vertexId,
    subtaskIndex: subtask,
    workerId: slot.workerId,
    slotIndex: slot.slotIndex,
    managedMemoryBytes: slot.managedMemoryBytes,
    checkpointMode: s.checkpointMode ?? OPTIONS.checkpointMode.default,
    checkpointDir: a.checkpointDir,
    checkpointIntervalMs: s.checkpointIntervalMs ?? OPTIONS.checkpointIntervalMs.default,
    restore: a.restore,
    inputs,
    outputs,
    network: s.network ?? {},
    bufferTimeoutMs: s.bufferTimeoutMs,
    jobMaster: a.jobMaster,
  };
}

/**
 * Who dials between the slots of a channel's producer and consumer: the
 * consumer when the producer's worker accepts connections, else the producer
 * when the consumer's does, else both dial the relay (the consumer's grant
 * names it; both ends read the same grant). Nothing for the usual case.
 */
export function channelRoute(
  producer: SlotGrant,
  consumer: SlotGrant,
): { route?: ChannelRoute } {
  if (producer.processId === consumer.processId || producer.inbound !== false) return {};
  if (consumer.inbound !== false) return { route: { dial: "producer" } };
  return { route: { dial: "relay", relay: consumer.relayAddress ?? "" } };
}
