/**
 * Channels whose producer dials, for workers that accept no connections
 * (`--no-inbound`): the connection goes the other way while data still flows
 * from producer to consumer and credits back. Either the consumer's slot
 * listens and the producer dials it (its worker redirects the producer
 * there, as a producer's worker redirects a consumer), or, when neither
 * worker accepts connections, both ends dial a relay (`nodes/rpc/data_relay.ts`)
 * that pairs them. The stream is the one a consumer would have opened, turned
 * around: the request carries the data, the response the credits.
 * @module
 */

import { Logger } from "../../../core/log/logger.ts";
import type { ClusterSecret } from "../../rpc/auth/cluster_secret.ts";
import { type Frame, FRAME_VERSION, FrameStream, readFrames } from "../../rpc/frames.ts";
import { RELAY_PATH } from "../../rpc/data_relay.ts";
import type { ChannelEndpoint, ChannelMessage } from "./channel.ts";
import { channelMessageOf, creditFrameCount } from "./channel_frames.ts";
import { dialDataStream } from "./data_dial.ts";
import type { DirectProducer } from "./direct_channels.ts";

const LOG = new Logger("data");

/** Path where a producer that dials opens its stream (a worker redirects it; a slot accepts it). */
export const PUSH_PATH = "/data/v1/push";

/**
 * The consumer's end of a channel whose producer dials this slot: credits
 * queue until the producer's stream arrives; a producer that does not come
 * within `waitMs` is an error.
 */
export class AcceptingConsumer implements ChannelEndpoint {
  private out: FrameStream | undefined;
  private handler: ((m: ChannelMessage) => void) | undefined;
  private readonly early: ChannelMessage[] = [];
  private creditsBeforeProducer = 0;
  private closed = false;
  private readonly timer: ReturnType<typeof setTimeout>;

  constructor(
    private readonly channelId: string,
    waitMs: number,
    private readonly forget: () => void,
  ) {
    this.timer = setTimeout(() => {
      this.forget();
      this.deliver({
        t: "error",
        message: `no producer of channel ${channelId} dialed this slot within ${waitMs} ms`,
      });
    }, waitMs);
  }

  send(message: ChannelMessage): void {
    if (message.t !== "credit") throw new Error(`a consumer does not send '${message.t}'`);
    if (this.out === undefined) this.creditsBeforeProducer += message.n;
    else this.out.write({ v: FRAME_VERSION, t: "credit", n: message.n });
  }

  onMessage(handler: (message: ChannelMessage) => void): void {
    this.handler = handler;
    for (const m of this.early.splice(0)) handler(m);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.forget();
    this.out?.close();
  }

  /** The producer's stream arrived: its frames in, the credits out; resolves when it ends. */
  async attach(frames: AsyncGenerator<Frame>, out: FrameStream): Promise<void> {
    clearTimeout(this.timer);
    this.out = out;
    if (this.creditsBeforeProducer > 0) {
      out.write({ v: FRAME_VERSION, t: "credit", n: this.creditsBeforeProducer });
    }
    try {
      for await (const f of frames) {
        const { message } = channelMessageOf(f);
        this.deliver(message);
        if (message.t === "end") return;
      }
      throw new Error("the producer closed the stream before the end of the partition");
    } catch (e) {
      if (!this.closed) {
        this.deliver({ t: "error", message: `channel ${this.channelId}: ${(e as Error).message}` });
      }
    } finally {
      out.close();
    }
  }

  private deliver(m: ChannelMessage): void {
    if (this.handler === undefined) this.early.push(m);
    else this.handler(m);
  }
}

/** How a producer that dials reaches its consumer. */
export type ProducerDial =
  /** Ask the consumer's worker where its slot listens, then dial the slot. */
  | { readonly via: "consumer"; readonly consumerWorker: string }
  /** Meet the consumer at the relay. */
  | { readonly via: "relay"; readonly relay: string };

/**
 * Connects `producer` (a DirectProducer: its messages queue until attached)
 * to its consumer by dialing; failures are logged, and the consumer, which
 * waits with a deadline, fails the job.
 */
export function dialForProducer(
  producer: DirectProducer,
  channelId: string,
  dial: ProducerDial,
  secret: ClusterSecret | undefined,
  maxFrameBytes: number,
): void {
  (async () => {
    const [address, path] = dial.via === "relay" ? [dial.relay, RELAY_PATH] : [
      await consumerSlotAddress(channelId, dial.consumerWorker, secret, maxFrameBytes),
      PUSH_PATH,
    ];
    const out = new FrameStream(maxFrameBytes);
    out.write({ v: FRAME_VERSION, t: "publish", channel: channelId });
    const res = await dialDataStream(address, path, out.readable, secret);
    producer.attach(out);
    for await (const f of readFrames(res.body, maxFrameBytes)) {
      if (f.t === "error") throw new Error(String(f.message));
      producer.credit(creditFrameCount(f));
    }
  })().catch((e) => {
    if (producer.ended) return; // the consumer hung up after the end of the partition
    LOG.warn(`producer of channel ${channelId} lost its consumer: ${(e as Error).message}`);
    producer.close();
  });
}

/** Asks the consumer's worker where the slot consuming `channelId` listens. */
async function consumerSlotAddress(
  channelId: string,
  consumerWorker: string,
  secret: ClusterSecret | undefined,
  maxFrameBytes: number,
): Promise<string> {
  const ask = new FrameStream(maxFrameBytes);
  ask.write({ v: FRAME_VERSION, t: "publish", channel: channelId });
  const res = await dialDataStream(consumerWorker, PUSH_PATH, ask.readable, secret);
  try {
    for await (const f of readFrames(res.body, maxFrameBytes)) {
      if (f.t === "redirect" && typeof f.address === "string") return f.address;
      if (f.t === "error") throw new Error(String(f.message));
      throw new Error(`unexpected '${f.t}' frame from ${consumerWorker}${PUSH_PATH}`);
    }
    throw new Error(`${consumerWorker} named no slot for channel ${channelId}`);
  } finally {
    res.cancel();
    ask.close();
  }
}
