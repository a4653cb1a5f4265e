/**
 * The direct data plane: a slot serves the channels its tasks produce on a
 * listener of its own (HTTP/2, cleartext or TLS like its worker's data
 * server), and a consuming slot dials it, so a buffer crosses no main thread.
 * A consumer first asks the producer's worker (`/data/v1/partition`, as the
 * relay does); a producer slot that serves the channel itself has told its
 * worker where, and the worker answers with a `redirect` frame to that
 * address. The frames and the credit protocol are the relay's.
 * @module
 */

import { Logger } from "../../../core/log/logger.ts";
import {
  DEFAULT_MAX_FRAME_BYTES,
  FRAME_VERSION,
  FrameStream,
  readFrames,
} from "../../rpc/frames.ts";
import { type H2Response, postStream } from "../../rpc/h2_client.ts";
import { type HttpListener, listenHttp } from "../../rpc/tls/http_listener.ts";
import type { ClientTls, ServerTls } from "../../rpc/tls/tls_material.ts";
import type { ChannelEndpoint, ChannelMessage } from "./channel.ts";
import {
  channelMessageOf,
  creditFrameCount,
  readSubscription,
  writeChannelMessage,
} from "./channel_frames.ts";
import { DEFAULT_STREAM_LIMITS } from "../../rpc/peer_stream_limit.ts";

const LOG = new Logger("data");

/** How buffers reach another process (`--data-plane`). */
export type { DataPlane } from "../../../core/config/option_spec.ts";

/** Path of a data stream, on a worker's server and on a slot's. */
export const PARTITION_PATH = "/data/v1/partition";

/** Where and how a slot listens for direct data streams: its worker's host and TLS. */
export interface SlotDataListen {
  /** The address bound (the worker's `--host`). */
  readonly hostname: string;
  /** The host peers dial (the host of the worker's data address). */
  readonly advertisedHost: string;
  readonly tls?: ServerTls;
  /** What the slot's own dials verify servers with (and present, with mutual TLS). */
  readonly clientTls?: ClientTls;
}

/** A producer slot's word to its worker: "consumers of this channel dial me at `address`". */
export interface DirectProducerAnnouncement {
  readonly t: "direct";
  readonly address: string;
}

/** The producer's end of a direct channel: messages queue until its consumer connects. */
class DirectProducer implements ChannelEndpoint {
  private out: FrameStream | undefined;
  private pending: ChannelMessage[] = [];
  private handler: ((m: ChannelMessage) => void) | undefined;
  private creditsBeforeHandler = 0;
  ended = false;

  send(message: ChannelMessage): void {
    if (this.out === undefined) {
      this.pending.push(message);
      return;
    }
    writeChannelMessage(this.out, message);
    if (message.t === "end") {
      this.ended = true;
      this.out.close();
    }
  }

  onMessage(handler: (message: ChannelMessage) => void): void {
    this.handler = handler;
    if (this.creditsBeforeHandler > 0) handler({ t: "credit", n: this.creditsBeforeHandler });
    this.creditsBeforeHandler = 0;
  }

  /** The consumer subscribed: what queued goes out first, in order. */
  attach(out: FrameStream): void {
    this.out = out;
    for (const m of this.pending.splice(0)) this.send(m);
  }

  credit(n: number): void {
    if (this.handler === undefined) this.creditsBeforeHandler += n;
    else this.handler({ t: "credit", n });
  }

  close(): void {
    this.out?.close();
  }
}

/** The consumer's end of a direct channel: dials the producer's worker, then its slot. */
class DirectConsumer implements ChannelEndpoint {
  private out: FrameStream;
  private response: H2Response | undefined;
  private handler: ((m: ChannelMessage) => void) | undefined;
  private readonly early: ChannelMessage[] = [];
  /** Credits given so far: a redirected stream starts with all of them. */
  private creditsGiven = 0;
  private closed = false;

  constructor(
    private readonly channelId: string,
    private readonly workerAddress: string,
    private readonly maxFrameBytes: number,
  ) {
    this.out = this.subscribe();
    this.run().catch((e) => {
      if (!this.closed) {
        this.deliver({
          t: "error",
          message: `channel ${channelId} from ${workerAddress}: ${(e as Error).message}`,
        });
      }
    }).finally(() => this.out.close());
  }

  send(message: ChannelMessage): void {
    if (message.t !== "credit") throw new Error(`a consumer does not send '${message.t}'`);
    this.creditsGiven += message.n;
    this.out.write({ v: FRAME_VERSION, t: "credit", n: message.n });
  }

  onMessage(handler: (message: ChannelMessage) => void): void {
    this.handler = handler;
    for (const m of this.early.splice(0)) handler(m);
  }

  close(): void {
    this.closed = true;
    this.response?.cancel();
    this.out.close();
  }

  private subscribe(): FrameStream {
    const out = new FrameStream(this.maxFrameBytes);
    out.write({ v: FRAME_VERSION, t: "subscribe", channel: this.channelId });
    if (this.creditsGiven > 0) out.write({ v: FRAME_VERSION, t: "credit", n: this.creditsGiven });
    return out;
  }

  private deliver(m: ChannelMessage): void {
    if (this.handler === undefined) this.early.push(m);
    else this.handler(m);
  }

  private async run(): Promise<void> {
    let address = this.workerAddress;
    for (let hop = 0; hop < 2; hop++) {
      const res = await postStream(address, PARTITION_PATH, this.out.readable);
      this.response = res;
      if (res.status !== 200) {
        res.cancel();
        throw new Error(`HTTP ${res.status} from ${address}`);
      }
      let redirect: string | undefined;
      for await (const f of readFrames(res.body, this.maxFrameBytes)) {
        if (f.t === "redirect" && hop === 0 && typeof f.address === "string") {
          redirect = f.address;
          break;
        }
        const { message } = channelMessageOf(f);
        this.deliver(message);
        if (message.t === "end") return;
      }
      if (redirect === undefined) break;
      res.cancel();
      this.out.close();
      if (this.closed) return;
      address = redirect;
      this.out = this.subscribe();
    }
    throw new Error("the producer closed the stream before the end of the partition");
  }
}

/** The direct data streams of one slot: its listener and the channels it serves. */
export class SlotDataPlane {
  private listener: Promise<HttpListener> | undefined;
  private address: Promise<string> | undefined;
  private readonly producers = new Map<string, DirectProducer>();

  constructor(
    private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES,
    /** How long a consumer's stream may take to name its channel. */
    private readonly firstFrameTimeoutMs = DEFAULT_STREAM_LIMITS.firstFrameTimeoutMs,
  ) {}

  /**
   * The producer end of `channelId`, served by this slot; `announce` (the
   * port to its worker) is told the address its consumer will be sent to.
   */
  producer(channelId: string, announce: MessagePort, listen: SlotDataListen): ChannelEndpoint {
    const p = new DirectProducer();
    this.producers.set(channelId, p);
    this.listen(listen).then(
      (address) =>
        announce.postMessage({ t: "direct", address } satisfies DirectProducerAnnouncement),
      (e) => {
        LOG.warn(`slot data listener on ${listen.hostname}: ${(e as Error).message}`);
        announce.close();
      },
    );
    return p;
  }

  /** The consumer end of `channelId`, produced in the worker at `workerAddress`. */
  consumer(channelId: string, workerAddress: string): ChannelEndpoint {
    return new DirectConsumer(channelId, workerAddress, this.maxFrameBytes);
  }

  /** Stops listening (tests; a slot's listener otherwise ends with its Web Worker). */
  async close(): Promise<void> {
    const l = this.listener;
    this.listener = this.address = undefined;
    if (l !== undefined) await (await l).shutdown();
  }

  /** Starts this slot's listener (once); resolves with the address consumers dial. */
  listen(listen: SlotDataListen): Promise<string> {
    if (this.address !== undefined) return this.address;
    this.listener = listenHttp(
      { hostname: listen.hostname, port: 0, tls: listen.tls, needsClientCert: () => true },
      (req) => this.serve(req),
    );
    const host = listen.advertisedHost.includes(":")
      ? `[${listen.advertisedHost}]`
      : listen.advertisedHost;
    this.address = this.listener.then((l) => {
      const address = `${listen.tls === undefined ? "http" : "https"}://${host}:${l.addr.port}`;
      LOG.info(`this slot serves its channels to other processes on ${address}`);
      return address;
    });
    return this.address;
  }

  /** One consumer's stream: `subscribe`, then credits in; the channel's frames out. */
  private async serve(req: Request): Promise<Response> {
    const path = new URL(req.url).pathname;
    if (path !== PARTITION_PATH || req.method !== "POST" || req.body === null) {
      return new Response(`no route ${req.method} ${path}\n`, { status: 404 });
    }
    const frames = readFrames(req.body, this.maxFrameBytes);
    let channel: string;
    try {
      channel = await readSubscription(frames, this.firstFrameTimeoutMs);
    } catch (e) {
      return new Response(`${(e as Error).message}\n`, { status: 400 });
    }
    const producer = this.producers.get(channel);
    if (producer === undefined) {
      return new Response(`no channel ${channel} in this slot\n`, { status: 404 });
    }
    this.producers.delete(channel);
    const out = new FrameStream(this.maxFrameBytes);
    producer.attach(out);
    (async () => {
      for await (const f of frames) producer.credit(creditFrameCount(f));
    })().catch((e) => {
      if (producer.ended) return; // the consumer hung up after the end of the partition
      LOG.warn(`closing direct stream of channel ${channel}: ${(e as Error).message}`);
      out.fail((e as Error).message);
    });
    return new Response(out.readable, { headers: { "content-type": "application/cbor-seq" } });
  }
}

let slotPlane: SlotDataPlane | undefined;

/** This slot's direct data plane (one per Web Worker), created on first use. */
export function slotDataPlane(): SlotDataPlane {
  return slotPlane ??= new SlotDataPlane();
}
