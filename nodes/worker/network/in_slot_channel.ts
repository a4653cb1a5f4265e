/**
 * Channels whose producer and consumer run in the same slot (one thread):
 * batches are handed over as record arrays by reference, neither encoded nor
 * posted, exactly as chained operators pass records (a keyBy between two
 * tasks of one slot, as every keyed job at parallelism 1 has, cost one CBOR
 * encode and decode per record before). Messages are delivered on the
 * microtask queue, in order and never re-entrantly, and wait for the other
 * end's handler like a MessagePort's do. Credits work as on any channel.
 * @module
 */

import type { ChannelEndpoint, ChannelMessage } from "./channel.ts";

/** One direction of a pair: a queue drained on the microtask queue into the handler. */
class Mailbox {
  private handler: ((m: ChannelMessage) => void) | undefined;
  private readonly queue: ChannelMessage[] = [];
  private scheduled = false;
  closed = false;

  post(m: ChannelMessage): void {
    if (this.closed) return;
    this.queue.push(m);
    this.schedule();
  }

  listen(handler: (m: ChannelMessage) => void): void {
    this.handler = handler;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.handler === undefined || this.queue.length === 0) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      const handler = this.handler!;
      // Messages posted while draining are delivered in this same turn, in order.
      for (let i = 0; i < this.queue.length && !this.closed; i++) handler(this.queue[i]);
      this.queue.length = 0;
    });
  }
}

function endpoint(inbox: Mailbox, outbox: Mailbox): ChannelEndpoint {
  return {
    inSlot: true,
    send: (m) => outbox.post(m),
    onMessage: (handler) => inbox.listen(handler),
    close: () => {
      inbox.closed = true;
      outbox.closed = true;
    },
  };
}

/**
 * A slot's in-slot channels by id: each end is claimed once, by its producer
 * and its consumer. A slot worker serves one attempt of one job (a restart
 * gets a fresh worker), so ends left unclaimed by a failed attempt go with it.
 */
export class InSlotChannels {
  private readonly open = new Map<
    string,
    { producer?: ChannelEndpoint; consumer?: ChannelEndpoint }
  >();

  /** The `side` end of channel `channelId` (the pair is made by whichever end comes first). */
  claim(channelId: string, side: "producer" | "consumer"): ChannelEndpoint {
    let pair = this.open.get(channelId);
    if (pair === undefined) {
      const down = new Mailbox(), up = new Mailbox();
      pair = { producer: endpoint(up, down), consumer: endpoint(down, up) };
      this.open.set(channelId, pair);
    }
    const end = pair[side];
    if (end === undefined) {
      throw new Error(`in-slot channel ${channelId}: ${side} end claimed twice`);
    }
    pair[side] = undefined;
    if (pair.producer === undefined && pair.consumer === undefined) this.open.delete(channelId);
    return end;
  }
}
