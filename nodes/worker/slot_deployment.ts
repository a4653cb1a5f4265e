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
  /**
   * Whether slot `peer` of this worker runs in the task's Web Worker too
   * (slots sharing Web Workers, `--slot-threads`): their channels are then
   * in-thread, like those inside one slot. Default: only the task's own slot.
   */
  readonly sharesThread?: (peer: number) => boolean;
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
   * Both ends in this task's Web Worker (its slot, or a slot sharing it): records are handed
   * over in the thread, not posted. The worker must match too: workers sharing a process
   * (`spate local`) each have a slot 0.
   */
  const sharesThread = options.sharesThread ?? (() => false);
  const inSlot = (c: ChannelDeployment) =>
    c.peer.workerId === task.workerId &&
    (c.peer.slotIndex === task.slotIndex || sharesThread(c.peer.slotIndex));
  const remote = (c: ChannelDeployment) => c.peer.processId !== net.processId;
  const listen = net.dataPlane === "direct" ? net.slotListen : undefined;
  const producerPort = (c: ChannelDeployment): ChannelPort => {
    if (listen === undefined || !remote(c)) return net.producerPort(relayedByThisThread(c));
    const dial = c.route?.dial ?? "consumer";
    if (dial === "consumer") return { directChannel: c.channelId, announce: net.producerPort(c) };
    return {
      dialChannel: c.channelId,
      dial: dial === "producer"
        ? { via: "consumer", consumerWorker: c.peer.dataAddress }
        : { via: "relay", relay: relayOf(c, net) },
    };
  };
  const consumerPort = (c: ChannelDeployment): ChannelPort => {
    if (listen === undefined || !remote(c)) return net.consumerPort(relayedByThisThread(c));
    const dial = c.route?.dial ?? "consumer";
    if (dial === "producer") return { acceptChannel: c.channelId, announce: net.announcePort(c) };
    if (dial === "relay") return { relayChannel: c.channelId, relay: relayOf(c, net) };
    return { remoteChannel: c.channelId, workerAddress: c.peer.dataAddress };
  };
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
  const listen = net.dataPlane === "direct" ? net.slotListen : undefined;
  if (listen === undefined) return [];
  const remote = [...task.inputs, ...task.outputs].flatMap((e) =>
    e.channels.filter((c) => c.peer.processId !== net.processId)
  );
  if (remote.length === 0) return [];
  const hosts = new Set([listen.hostname, listen.advertisedHost]);
  for (const c of remote) {
    hosts.add(new URL(c.peer.dataAddress).hostname);
    if (c.route?.dial === "relay") hosts.add(new URL(relayOf(c, net)).hostname);
  }
  return [...hosts].map((h) => h.replace(/^\[|\]$/g, ""));
}

/** The relay of a channel routed through one: the one named, else this worker's master. */
function relayOf(c: ChannelDeployment, net: NetworkEnvironment): string {
  const relay = c.route?.dial === "relay" ? c.route.relay : "";
  if (relay !== "") return relay;
  if (net.masterAddress === "") {
    throw new Error(`channel ${c.channelId}: no master to relay through`);
  }
  return net.masterAddress;
}

/**
 * `c`, which this worker's main thread relays (`--data-plane relay`): only
 * a channel whose consumer dials its producer can be.
 */
function relayedByThisThread(c: ChannelDeployment): ChannelDeployment {
  if (c.route === undefined || c.route.dial === "consumer") return c;
  throw new Error(
    `channel ${c.channelId} joins a worker that accepts no connections (--no-inbound): ` +
      "that needs --data-plane direct on every worker",
  );
}
