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
import type { ChannelPort, TaskDescriptor } from "./slot_protocol.ts";

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
  const remote = (c: ChannelDeployment) => c.peer.processId !== net.processId;
  // The direct data plane proves no cluster secret yet: with one, the relay carries the data.
  const listen = net.dataPlane === "direct" && net.secret === undefined
    ? net.slotListen
    : undefined;
  const producerPort = (c: ChannelDeployment): ChannelPort =>
    listen !== undefined && remote(c)
      ? { directChannel: c.channelId, announce: net.producerPort(c) }
      : net.producerPort(c);
  const consumerPort = (c: ChannelDeployment): ChannelPort =>
    listen !== undefined && remote(c)
      ? { remoteChannel: c.channelId, workerAddress: c.peer.dataAddress }
      : net.consumerPort(c);
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
      ports: i.channels.map((c) => inSlot(c) ? { inSlot: c.channelId } : consumerPort(c)),
      remote: i.channels.map(remote),
    })),
    outputs: task.outputs.map((o) => ({
      edgeId: o.edgeId,
      ports: o.channels.map((c) => inSlot(c) ? { inSlot: c.channelId } : producerPort(c)),
    })),
    network: resolveNetworkSettings(task.network, task.bufferTimeoutMs),
    ...(listen === undefined ? {} : { dataListen: listen }),
    managedMemoryBytes: task.managedMemoryBytes,
    checkpointMode: task.checkpointMode,
    checkpointDir: task.checkpointDir,
    checkpointIntervalMs: task.checkpointIntervalMs,
    spillDirectory: options.spillDirectory,
    restore: task.restore,
  };
}

/**
 * The hosts a slot running `task` listens on and dials with the direct data
 * plane (granted to a sandboxed slot, so its job's code reaches them too):
 * its worker's data host and the hosts of every worker at the other end of
 * one of its channels, producers and consumers alike, so that the job's
 * later tasks in the slot (which usually exchange with the same workers)
 * are covered by the sandbox its first task made. None with the relay, and
 * none for a task whose channels all stay in this process.
 */
export function directDataHosts(task: TaskDeployment, net: NetworkEnvironment): string[] {
  const listen = net.dataPlane === "direct" && net.secret === undefined
    ? net.slotListen
    : undefined;
  if (listen === undefined) return [];
  const remote = [...task.inputs, ...task.outputs].flatMap((e) =>
    e.channels.filter((c) => c.peer.processId !== net.processId)
  );
  if (remote.length === 0) return [];
  const hosts = new Set([listen.hostname, listen.advertisedHost]);
  for (const c of remote) hosts.add(new URL(c.peer.dataAddress).hostname);
  return [...hosts].map((h) => h.replace(/^\[|\]$/g, ""));
}
