/**
 * InputGate: the consumer end of every channel feeding a task. Buffers are
 * taken in arrival order; each taken buffer, once processed, returns one
 * credit to its producer, so at most `creditsPerChannel` buffers per channel
 * are ever queued here.
 * @module
 */

import type { ChannelEndpoint, NetworkSettings } from "./channel.ts";

/** A buffer taken from the gate. */
export interface InputBuffer {
  readonly channel: number;
  readonly data: ArrayBuffer;
  readonly records: number;
}

export class InputGate {
  private readonly queue: InputBuffer[] = [];
  private readonly queuedPerChannel: number[];
  private openChannels: number;
  private waiter: (() => void) | undefined;
  maxQueuedPerChannel = 0;
  /** Set when a channel's transport failed; the task fails with it. */
  error: Error | undefined;
  bytesIn = 0;

  constructor(
    private readonly endpoints: ChannelEndpoint[],
    private readonly settings: NetworkSettings,
  ) {
    this.queuedPerChannel = new Array(endpoints.length).fill(0);
    this.openChannels = endpoints.length;
  }

  /** Starts listening and grants the initial credit on every channel. */
  start(): void {
    this.endpoints.forEach((endpoint, channel) => {
      endpoint.onMessage((m) => {
        if (m.t === "buffer") {
          const queued = ++this.queuedPerChannel[channel];
          if (queued > this.maxQueuedPerChannel) this.maxQueuedPerChannel = queued;
          this.bytesIn += m.data.byteLength;
          this.queue.push({ channel, data: m.data, records: m.records });
        } else if (m.t === "end") {
          this.openChannels--;
        } else if (m.t === "error") {
          this.error ??= new Error(`input channel ${channel} failed: ${m.message}`);
        }
        this.wake();
      });
      endpoint.send({ t: "credit", n: this.settings.creditsPerChannel });
    });
  }

  /** The next buffer, or undefined when none is queued. */
  poll(): InputBuffer | undefined {
    return this.queue.shift();
  }

  /** The buffer has been processed: its slot is free, give the producer a credit. */
  release(buffer: InputBuffer): void {
    this.queuedPerChannel[buffer.channel]--;
    this.endpoints[buffer.channel].send({ t: "credit", n: 1 });
  }

  /** True once every channel has ended and every buffer was taken. */
  get finished(): boolean {
    return this.openChannels === 0 && this.queue.length === 0;
  }

  /** Resolves when a buffer or an end marker arrives. */
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
    for (const e of this.endpoints) e.close();
  }
}
