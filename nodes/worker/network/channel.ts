/**
 * One channel of an exchange: the link from a producer subtask to a consumer
 * subtask. Buffers flow downstream, credits upstream (credit-based flow
 * control: a producer sends a buffer only against a credit the consumer gave).
 * @module
 */

import { OPTIONS } from "../../../core/config/options.ts";

/** The in-band events: they travel in order with the buffers and need no credit. */
export type ChannelEvent = Extract<
  ChannelMessage,
  { t: "barrier" | "cancelBarrier" | "end" | "watermark" | "status" }
>;

/** A message on a channel. */
export type ChannelMessage =
  /** A batch of `records` records: CBOR-encoded, or as they are within one slot. */
  | { t: "buffer"; data: ArrayBuffer | RecordArray; records: number }
  /**
   * End of partition: the producer will send nothing more. `suspend`: it was
   * stopped by a savepoint without drain, so event time does not advance to
   * the end (no window fires for it) and operators are not told the input ended.
   */
  | { t: "end"; suspend?: true }
  /** Checkpoint barrier `id`: everything before it belongs to the checkpoint. */
  | { t: "barrier"; id: number; timestampMs: number; savepoint: boolean }
  /** Checkpoint `id` was abandoned upstream (cancel-checkpoint marker). */
  | { t: "cancelBarrier"; id: number }
  /** Event time reached `ts` on this channel. */
  | { t: "watermark"; ts: number }
  /** The producer turned idle (its watermarks stop counting) or active again. */
  | { t: "status"; idle: boolean }
  /** The consumer can take `n` more buffers. */
  | { t: "credit"; n: number }
  /** The transport failed (a remote producer went away): the consuming task fails. */
  | { t: "error"; message: string };

/** Records handed over within one slot (by reference, not encoded), with their timestamps. */
export interface RecordArray {
  readonly values: unknown[];
  readonly timestamps: Float64Array | undefined;
}

/** True for a batch handed over within one slot. */
export function isRecordArray(data: ArrayBuffer | RecordArray): data is RecordArray {
  return !(data instanceof ArrayBuffer);
}

/**
 * One end of a channel: a MessagePort inside a process (HTTP/2 streams
 * across), or an in-slot pair that passes records by reference (`inSlot`).
 */
export interface ChannelEndpoint {
  readonly inSlot?: boolean;
  send(message: ChannelMessage, transfer?: Transferable[]): void;
  onMessage(handler: (message: ChannelMessage) => void): void;
  close(): void;
}

/** A channel end over a MessagePort, with transferable buffers. */
export function messagePortEndpoint(port: MessagePort): ChannelEndpoint {
  return {
    send: (message, transfer) => port.postMessage(message, transfer ?? []),
    onMessage: (handler) => {
      port.onmessage = (e: MessageEvent<ChannelMessage>) => handler(e.data);
    },
    close: () => port.close(),
  };
}

/** Limits of a task's data path (the network stack and the source loop); every one is a named setting. */
export interface NetworkSettings {
  /** Target size of a record buffer. */
  readonly bufferSizeBytes: number;
  /** A partly filled buffer is sent after this long; 0 sends after every record. */
  readonly bufferTimeoutMs: number;
  /** Buffers a consumer accepts per channel before it returns credit. */
  readonly creditsPerChannel: number;
  /**
   * Buffers in flight into one task over all its channels between slots of a
   * worker: a channel gets `creditsPerGate / channels` (at least
   * `MIN_CREDITS_PER_CHANNEL`, at most `creditsPerChannel`), so what a
   * worker's slots buffer grows with the number of tasks, not with the
   * square of the parallelism (every consumer has a channel from every producer).
   */
  readonly creditsPerGate: number;
  /**
   * The same for a channel from another process. Its credit round trip crosses
   * two relays and an HTTP/2 stream (milliseconds, not microseconds), so it
   * needs a larger window to keep the stream busy (bandwidth x delay).
   */
  readonly creditsPerRemoteChannel: number;
  /** Buffers a producer queues per channel, beyond credit, before it stops. */
  readonly backlogBuffersPerChannel: number;
  /**
   * Records per batch on a channel within one slot. Its records travel as the
   * objects themselves, so everything in flight is live on the slot's heap:
   * a deep queue keeps records alive across young-generation collections,
   * which then copy and promote them (measured on Nexmark q4: 1024 x 32 in
   * flight spent twice the scavenge time of 256 x 4, and ran 15-35% slower).
   */
  readonly inSlotBatchRecords: number;
  /** Batches in flight per channel within one slot (see `inSlotBatchRecords`). */
  readonly creditsPerInSlotChannel: number;
  /**
   * About the longest a task runs before its slot's event loop takes a turn
   * (checkpoint triggers, timers, asynchronous state writes and the slot's
   * other tasks wait for it): a source's batch shrinks when its chain is
   * costly (see `../source_batch.ts`), and a task with inputs yields between
   * two buffers once the slice has passed.
   */
  readonly taskSliceMs: number;
}

/** The network defaults: the options registry's, and the backlog (internal). */
export const DEFAULT_NETWORK_SETTINGS: NetworkSettings = {
  bufferSizeBytes: OPTIONS.bufferSizeBytes.default,
  bufferTimeoutMs: OPTIONS.bufferTimeoutMs.default,
  creditsPerChannel: OPTIONS.creditsPerChannel.default,
  creditsPerGate: OPTIONS.creditsPerGate.default,
  creditsPerRemoteChannel: OPTIONS.creditsPerRemoteChannel.default,
  backlogBuffersPerChannel: 4,
  inSlotBatchRecords: OPTIONS.inSlotBatchRecords.default,
  creditsPerInSlotChannel: OPTIONS.creditsPerInSlotChannel.default,
  taskSliceMs: OPTIONS.taskSliceMs.default,
};
