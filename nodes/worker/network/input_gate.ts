/**
 * InputGate: the consumer end of every channel feeding a task. Each channel
 * has its own queue; the task takes items round-robin from the channels that
 * are not blocked (a channel is blocked while barrier alignment holds its
 * data back). Each processed buffer returns one credit to its producer, so at
 * most `creditsPerChannel` buffers per channel are ever queued here. Events
 * (barriers, cancel markers, end of partition) travel in order with the data
 * and need no credit, except checkpoint barriers with priority (unaligned
 * checkpoints): those overtake their channel's queued buffers, which the
 * barrier names so the task can store them as in-flight data.
 * @module
 */

import type {
  ChannelEndpoint,
  ChannelEvent,
  ChannelMessage,
  NetworkSettings,
  RecordArray,
} from "./channel.ts";

/** A buffer taken from the gate. */
export interface InputBuffer {
  readonly kind: "buffer";
  readonly channel: number;
  readonly data: ArrayBuffer | RecordArray;
  readonly records: number;
}

/** An event taken from the gate, in order with its channel's buffers. */
export interface InputEvent {
  readonly kind: "event";
  readonly channel: number;
  readonly event: ChannelEvent;
  /** A priority barrier: the buffers it overtook (still queued, processed after it). */
  readonly overtaken?: readonly InputBuffer[];
}

export type InputItem = InputBuffer | InputEvent;

export class InputGate {
  private readonly queues: InputItem[][];
  /** Priority barriers, taken before anything else. */
  private readonly priority: InputEvent[] = [];
  /** When set, checkpoint barriers (not savepoints) overtake queued buffers. */
  priorityBarriers = false;
  private readonly blocked: boolean[];
  private readonly queuedBuffers: number[];
  /** Credits of processed buffers not yet sent, per channel, and how many go at once. */
  private readonly unsentCredits: number[];
  private readonly creditBatch: number[];
  private creditFlushQueued = false;
  private closed = false;
  private next = 0;
  private queuedItems = 0;
  private openChannels: number;
  private waiter: (() => void) | undefined;
  maxQueuedPerChannel = 0;
  /** Set when a channel's transport failed; the task fails with it. */
  error: Error | undefined;
  bytesIn = 0;

  /** `credits[i]`: the buffers channel i may have in flight (default: creditsPerChannel). */
  constructor(
    private readonly endpoints: ChannelEndpoint[],
    settings: NetworkSettings,
    private readonly credits: number[] = endpoints.map(() => settings.creditsPerChannel),
  ) {
    this.queues = endpoints.map(() => []);
    this.blocked = endpoints.map(() => false);
    this.queuedBuffers = endpoints.map(() => 0);
    this.unsentCredits = endpoints.map(() => 0);
    this.creditBatch = credits.map((n) => Math.max(1, Math.floor(n / 4)));
    this.openChannels = endpoints.length;
  }

  get channels(): number {
    return this.endpoints.length;
  }

  /** Starts listening and grants the initial credit on every channel. */
  start(): void {
    this.endpoints.forEach((endpoint, channel) => {
      endpoint.onMessage((m) => this.onMessage(channel, m));
      endpoint.send({ t: "credit", n: this.credits[channel] });
    });
  }

  private onMessage(channel: number, m: ChannelMessage): void {
    switch (m.t) {
      case "buffer": {
        const queued = ++this.queuedBuffers[channel];
        if (queued > this.maxQueuedPerChannel) this.maxQueuedPerChannel = queued;
        if (m.data instanceof ArrayBuffer) this.bytesIn += m.data.byteLength;
        this.push(channel, { kind: "buffer", channel, data: m.data, records: m.records });
        break;
      }
      case "barrier":
        if (this.priorityBarriers && !m.savepoint && !this.queues[channel].some(isControlEvent)) {
          const overtaken = this.queues[channel].filter((i): i is InputBuffer =>
            i.kind === "buffer"
          );
          this.priority.push({ kind: "event", channel, event: m, overtaken });
          this.queuedItems++;
          break;
        }
        this.push(channel, { kind: "event", channel, event: m });
        break;
      case "end":
      case "cancelBarrier":
      case "watermark":
      case "status":
        this.push(channel, { kind: "event", channel, event: m });
        break;
      case "error":
        this.error ??= new Error(`input channel ${channel} failed: ${m.message}`);
        break;
      default:
        return;
    }
    this.wake();
  }

  private push(channel: number, item: InputItem): void {
    this.queues[channel].push(item);
    this.queuedItems++;
  }

  /** The next item from an unblocked channel, or undefined when none is ready. */
  poll(): InputItem | undefined {
    if (this.queuedItems === 0) return undefined;
    if (this.priority.length > 0) {
      this.queuedItems--;
      return this.priority.shift();
    }
    const n = this.queues.length;
    for (let k = 0; k < n; k++) {
      const c = (this.next + k) % n;
      if (this.blocked[c] || this.queues[c].length === 0) continue;
      this.next = (c + 1) % n;
      const item = this.queues[c].shift()!;
      this.queuedItems--;
      if (item.kind === "event" && item.event.t === "end") this.openChannels--;
      return item;
    }
    return undefined;
  }

  /** Holds a channel's items back (barrier alignment). */
  block(channel: number): void {
    this.blocked[channel] = true;
  }

  /** Releases every held channel. */
  unblockAll(): void {
    this.blocked.fill(false);
    this.wake();
  }

  /**
   * The buffer has been processed: its slot is free, give the producer a
   * credit. Credits of one turn of the task go as one message per channel
   * (each costs a frame and a write on a remote channel), at the latest when
   * the task next awaits; a quarter of a channel's credits go at once, so a
   * producer never waits on a batch.
   */
  release(buffer: InputBuffer): void {
    const c = buffer.channel;
    this.queuedBuffers[c]--;
    const unsent = ++this.unsentCredits[c];
    if (unsent >= this.creditBatch[c]) {
      this.unsentCredits[c] = 0;
      this.endpoints[c].send({ t: "credit", n: unsent });
    } else if (!this.creditFlushQueued) {
      this.creditFlushQueued = true;
      queueMicrotask(this.flushCredits);
    }
  }

  private readonly flushCredits = (): void => {
    this.creditFlushQueued = false;
    if (this.closed) return;
    const unsent = this.unsentCredits;
    for (let c = 0; c < unsent.length; c++) {
      if (unsent[c] === 0) continue;
      this.endpoints[c].send({ t: "credit", n: unsent[c] });
      unsent[c] = 0;
    }
  };

  /** True once every channel's end was taken. */
  get finished(): boolean {
    return this.openChannels === 0;
  }

  /** Resolves when an item arrives (or on wake). */
  whenAvailable(): Promise<void> {
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** Wakes a waiter (also used on cancellation). */
  wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  close(): void {
    this.closed = true;
    for (const e of this.endpoints) e.close();
  }
}

/** Events a priority barrier must not overtake (watermarks and status it may). */
const isControlEvent = (item: InputItem) =>
  item.kind === "event" && item.event.t !== "watermark" && item.event.t !== "status";
