/**
 * A task's end of the data plane: one RecordWriter per output edge (its
 * channels, partitioner and credits) and one InputGate over every input
 * channel, wired from the task's deployment, and the counters they keep.
 * @module
 */

import type { JobPlan } from "../../core/graph/job_plan.ts";
import type { TaskMetrics } from "../../core/graph/job_result.ts";
import { channelSelector } from "../../core/graph/partitioners.ts";
import type { RecordTimestamp } from "../../core/operators/stream_operator.ts";
import { RecordBatchEncoder } from "../../core/serde/record_batch.ts";
import { type ChannelEndpoint, messagePortEndpoint } from "./network/channel.ts";
import { slotDataPlane } from "./network/direct_channels.ts";
import { RELAY_PATH } from "../rpc/data_relay.ts";
import type { InSlotChannels } from "./network/in_slot_channel.ts";
import { useClientTls } from "../rpc/tls/client_tls.ts";
import { InputGate } from "./network/input_gate.ts";
import { gateCredits } from "./network/gate_credits.ts";
import type { OutputAvailability } from "./network/output_availability.ts";
import { OutputChannel } from "./network/output_channel.ts";
import { RecordWriter } from "./network/record_writer.ts";
import type { ChannelPort, TaskDescriptor } from "./slot_protocol.ts";

/** A task's data plane: its writers, its input gate, and which input each channel feeds. */
export interface TaskNetwork {
  /** Job edge id -> the writer that feeds it. */
  readonly writers: Map<number, RecordWriter>;
  /** Every input channel, or none for a source task. */
  readonly gate: InputGate | undefined;
  /** Gate channel -> input index of the chain head. */
  readonly inputOfChannel: number[];
}

/** Wires the writers and the input gate of the task `descriptor` deploys. */
export function wireTaskNetwork(
  descriptor: TaskDescriptor,
  plan: JobPlan,
  availability: OutputAvailability,
  timestamp: RecordTimestamp,
  inSlot: InSlotChannels,
): TaskNetwork {
  const network = descriptor.network;
  const encoder = new RecordBatchEncoder();
  const writers = new Map<number, RecordWriter>();
  for (const out of descriptor.outputs) {
    const edge = plan.jobGraph.edges.find((e) => e.id === out.edgeId)!;
    const channels = out.ports.map((p) =>
      new OutputChannel(
        endpointOf(p, "producer", inSlot, descriptor),
        encoder,
        network,
        availability,
      )
    );
    const selector = channelSelector(
      plan.streamGraph.edges[edge.id].partitioner,
      channels.length,
      plan.streamGraph.settings.maxParallelism,
      descriptor.subtaskIndex,
    );
    writers.set(
      edge.id,
      new RecordWriter(channels, selector, network.bufferTimeoutMs === 0, timestamp),
    );
  }
  const inputOfChannel: number[] = [];
  for (const input of descriptor.inputs) {
    const index = plan.streamGraph.edges[input.edgeId].inputIndex;
    for (const _ of input.ports) inputOfChannel.push(index);
  }
  const inputPorts = descriptor.inputs.flatMap((i) => i.ports);
  let gate: InputGate | undefined;
  if (inputPorts.length > 0) {
    const remote = descriptor.inputs.flatMap((i) => i.remote);
    const endpoints = inputPorts.map((p) => endpointOf(p, "consumer", inSlot, descriptor));
    gate = new InputGate(
      endpoints,
      network,
      gateCredits(
        endpoints.map((e, i) => e.inSlot ? "inSlot" : remote[i] ? "remote" : "otherSlot"),
        network,
      ),
    );
  }
  return { writers, gate, inputOfChannel };
}

/** The data-plane counters of a task's metrics (records in and backpressure the task counts). */
export function networkMetrics(
  { writers, gate }: TaskNetwork,
): Omit<TaskMetrics, "recordsIn" | "backpressuredMs"> {
  let recordsOut = 0, bytesOut = 0, buffersOut = 0, maxBacklog = 0;
  for (const w of writers.values()) {
    recordsOut += w.recordsOut;
    for (const c of w.channels) {
      bytesOut += c.bytesOut;
      buffersOut += c.buffersOut;
      maxBacklog = Math.max(maxBacklog, c.maxBacklog);
    }
  }
  return {
    recordsOut,
    bytesIn: gate?.bytesIn ?? 0,
    bytesOut,
    buffersOut,
    maxInputQueueBuffers: gate?.maxQueuedPerChannel ?? 0,
    maxOutputBacklogBuffers: maxBacklog,
  };
}

/**
 * The endpoint of a channel port: a MessagePort, this slot's end of an
 * in-slot channel, or a direct stream to or from another process's slot.
 */
function endpointOf(
  port: ChannelPort,
  side: "producer" | "consumer",
  inSlot: InSlotChannels,
  descriptor: TaskDescriptor,
): ChannelEndpoint {
  if (port instanceof MessagePort) return messagePortEndpoint(port);
  if ("inSlot" in port) return inSlot.claim(port.inSlot, side);
  const listen = descriptor.dataListen;
  if (listen === undefined) throw new Error("a direct channel needs the slot's data listener");
  if (listen.clientTls !== undefined) useClientTls(listen.clientTls);
  const plane = slotDataPlane();
  plane.configure(listen);
  if ("directChannel" in port) return plane.producer(port.directChannel, port.announce, listen);
  if ("dialChannel" in port) return plane.dialingProducer(port.dialChannel, port.dial, listen);
  if ("acceptChannel" in port) {
    return plane.acceptingConsumer(port.acceptChannel, port.announce, listen);
  }
  if ("relayChannel" in port) return plane.consumer(port.relayChannel, port.relay, RELAY_PATH);
  return plane.consumer(port.remoteChannel, port.workerAddress);
}
