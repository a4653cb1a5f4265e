/**
 * How a TaskDeployment from a JobMaster becomes the TaskDescriptor its slot
 * runs: the module resolved to a URL, each channel turned into a port (or an
 * in-slot channel id), the network limits resolved against the worker's
 * defaults.
 * @module
 */

import type { ChannelDeployment, TaskDeployment } from "../protocol/deployment.ts";
import { attemptIdOf } from "../protocol/ids.ts";
import type { NetworkEnvironment } from "./network/network_environment.ts";
import { resolveNetworkSettings } from "./network/network_settings.ts";
import type { TaskDescriptor } from "./slot_protocol.ts";

/** What the worker adds to a deployment. */
export interface SlotDeploymentOptions {
  /** Where the disk state backend spills (default: the system temp dir). */
  readonly spillDirectory?: string;
}

/**
 * The descriptor of `task` for its slot, its job module at `jobModuleUrl`;
 * channels to other slots or processes get their ports from `net`.
 */
export function taskDescriptor(
  task: TaskDeployment,
  jobModuleUrl: string,
  net: NetworkEnvironment,
  options: SlotDeploymentOptions = {},
): TaskDescriptor {
  /**
   * Both ends in this task's slot: records are handed over in the slot, not posted.
   * The worker must match too: workers sharing a process (`spate local`) each have a slot 0.
   */
  const inSlot = (c: ChannelDeployment) =>
    c.peer.workerId === task.workerId && c.peer.slotIndex === task.slotIndex;
  return {
    taskId: task.taskId,
    job: {
      attemptId: attemptIdOf(task.job.jobId, task.attempt),
      jobModuleUrl,
      args: task.job.args,
      defaults: task.job.defaults,
      fingerprint: task.job.fingerprint,
    },
    vertexId: task.vertexId,
    subtaskIndex: task.subtaskIndex,
    inputs: task.inputs.map((i) => ({
      edgeId: i.edgeId,
      ports: i.channels.map((c) => inSlot(c) ? { inSlot: c.channelId } : net.consumerPort(c)),
      remote: i.channels.map((c) => c.peer.processId !== net.processId),
    })),
    outputs: task.outputs.map((o) => ({
      edgeId: o.edgeId,
      ports: o.channels.map((c) => inSlot(c) ? { inSlot: c.channelId } : net.producerPort(c)),
    })),
    network: resolveNetworkSettings(task.network, task.bufferTimeoutMs),
    managedMemoryBytes: task.managedMemoryBytes,
    checkpointMode: task.checkpointMode,
    checkpointDir: task.checkpointDir,
    checkpointIntervalMs: task.checkpointIntervalMs,
    spillDirectory: options.spillDirectory,
    restore: task.restore,
  };
}
