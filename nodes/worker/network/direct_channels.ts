/**
 * The direct data plane: a slot serves the channels its tasks produce on a
 * listener of its own (HTTP/2, cleartext or TLS like its worker's data
 * server), and a consuming slot dials it, so a buffer crosses no main thread.
 * A consumer first asks the producer's worker (`/data/v1/partition`, as the
 * relay does); a producer slot that serves the channel itself has told its
 * worker where, and the worker answers with a `redirect` frame to that
 * address. The frames and the credit protocol are the relay's.
 *
 * When the producer's worker accepts no connections (`--no-inbound`), the
 * master routes the channel the other way (see `dialed_channels.ts`): the
 * consumer's slot listens and the producer dials it (`/data/v1/push`), or
 * both dial a relay. Every stream a slot accepts proves the cluster secret
 * (when the cluster has one), opens within the first-frame deadline, and
 * counts against its peer's open-stream limit, as on the worker's data port.
 * @module
 */

import { Logger } from "../../../core/log/logger.ts";
import {
  DEFAULT_MAX_FRAME_BYTES,
  type Frame,
  FRAME_VERSION,
  FrameStream,
  readFrames,
} from "../../rpc/frames.ts";
import type { H2Response } from "../../rpc/h2_client.ts";
import { type HttpListener, listenHttp } from "../../rpc/tls/http_listener.ts";
import { ClusterSecret } from "../../rpc/auth/cluster_secret.ts";
import { PeerGate } from "../../rpc/auth/peer_gate.ts";
import { CHALLENGE_PATH } from "../../rpc/auth/peer_proof.ts";
import { PeerStreamLimit, type StreamLimits } from "../../rpc/peer_stream_limit.ts";
import { OPTIONS } from "../../../core/config/options.ts";
import { dialDataStream } from "./data_dial.ts";
import type { ClientTls, ServerTls } from "../../rpc/tls/tls_material.ts";
import type { ChannelEndpoint, ChannelMessage } from "./channel.ts";
import {
  channelMessageOf,
  creditFrameCount,
  readSubscription,
  writeChannelMessage,
} from "./channel_frames.ts";
import { DEFAULT_STREAM_LIMITS } from "../../rpc/peer_stream_limit.ts";
import {
  AcceptingConsumer,
  dialForProducer,
  type ProducerDial,
  PUSH_PATH,
} from "./dialed_channels.ts";

const LOG = new Logger("data");

const AUTH_DEFAULTS = {
  authFailureLimit: OPTIONS.authFailureLimit.default,
  authFailureWindowMs: OPTIONS.authFailureWindowMs.default,
};

const DEFAULT_SLOT_LIMITS: SlotStreamLimits = {
  ...DEFAULT_STREAM_LIMITS,
  partitionRequestTimeoutMs: 30_000,
};

/** How buffers reach another process (`--data-plane`). */
export type { DataPlane } from "../../../core/config/option_spec.ts";

/** Path of a data stream, on a worker's server and on a slot's. */
export const PARTITION_PATH = "/data/v1/partition";

/** The bounds of the streams a slot accepts (its worker's). */
export interface SlotStreamLimits extends StreamLimits {
  /** How long a listening consumer waits for its producer to dial. */
  readonly partitionRequestTimeoutMs: number;
}

/** Where and how a slot listens for direct data streams: its worker's host and TLS. */
export interface SlotDataListen {
  /** The address bound (the worker's `--host`). */
  readonly hostname: string;
  /** The host peers dial (the host of the worker's data address). */
  readonly advertisedHost: string;
  readonly tls?: ServerTls;
  /** What the slot's own dials verify servers with (and present, with mutual TLS). */
  readonly clientTls?: ClientTls;
  /** The cluster secret's key (see `ClusterSecret.key`): proven on dials, asked on accepts. */
  readonly secretKey?: CryptoKey;
  /** Bounds of accepted streams (default: the options' defaults). */
  readonly limits?: SlotStreamLimits;
  /** Failed proofs a peer may make (default: the options' defaults). */
  readonly authFailureLimit?: number;
  readonly authFailureWindowMs?: number;
}

/** A producer slot's word to its worker: "consumers of this channel dial me at `address`". */
export interface DirectProducerAnnouncement {
  readonly t: "direct";
  readonly address: string;
}

/** The producer's end of a direct channel: messages queue until its consumer connects. */
export class DirectProducer implements ChannelEndpoint {
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

/**
 * The consumer's end of a direct channel: dials the producer's worker, then
 * its slot (or, with `path` the relay's, the relay only).
 */
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
    private readonly secret: ClusterSecret | undefined,
    private readonly path = PARTITION_PATH,
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

  /** The stream's first frame, then the credits given so far (a redirected stream starts over). */
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
      const res = await dialDataStream(address, this.path, this.out.readable, this.secret);
      this.response = res;
      let redirect: string | undefined;
      for await (const f of readFrames(res.body, this.maxFrameBytes)) {
        const mayRedirect = hop === 0 && this.path === PARTITION_PATH;
        if (f.t === "redirect" && mayRedirect && typeof f.address === "string") {
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
  private readonly accepting = new Map<string, AcceptingConsumer>();
  private secret: ClusterSecret | undefined;
  private gate = new PeerGate(undefined, AUTH_DEFAULTS);
  private limits: SlotStreamLimits = DEFAULT_SLOT_LIMITS;
  private perPeer = new PeerStreamLimit(DEFAULT_SLOT_LIMITS.maxStreamsPerPeer);
  private configured = false;

  constructor(private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /**
   * Takes the worker's secret and limits from `listen` (its first use in
   * this slot sets them; every task of a slot comes from the same worker).
   */
  configure(listen: SlotDataListen): void {
    if (this.configured) return;
    this.configured = true;
    this.secret = listen.secretKey && ClusterSecret.fromKey(listen.secretKey);
    this.limits = listen.limits ?? DEFAULT_SLOT_LIMITS;
    this.perPeer = new PeerStreamLimit(this.limits.maxStreamsPerPeer);
    this.gate = new PeerGate(this.secret, {
      authFailureLimit: listen.authFailureLimit ?? AUTH_DEFAULTS.authFailureLimit,
      authFailureWindowMs: listen.authFailureWindowMs ?? AUTH_DEFAULTS.authFailureWindowMs,
    });
  }

  /**
   * The producer end of `channelId`, served by this slot; `announce` (the
   * port to its worker) is told the address its consumer will be sent to.
   */
  producer(channelId: string, announce: MessagePort, listen: SlotDataListen): ChannelEndpoint {
    this.configure(listen);
    const p = new DirectProducer();
    this.producers.set(channelId, p);
    this.announce(announce, listen);
    return p;
  }

  /**
   * The consumer end of `channelId`, produced in the worker at `workerAddress`
   * (or, with `path` the relay's, met at the relay at that address).
   */
  consumer(channelId: string, workerAddress: string, path = PARTITION_PATH): ChannelEndpoint {
    return new DirectConsumer(channelId, workerAddress, this.maxFrameBytes, this.secret, path);
  }

  /**
   * The consumer end of `channelId` when its producer dials (its worker
   * accepts no connections): this slot listens, `announce` tells its worker where.
   */
  acceptingConsumer(
    channelId: string,
    announce: MessagePort,
    listen: SlotDataListen,
  ): ChannelEndpoint {
    this.configure(listen);
    const wait = this.limits.partitionRequestTimeoutMs;
    const c = new AcceptingConsumer(channelId, wait, () => this.accepting.delete(channelId));
    this.accepting.set(channelId, c);
    this.announce(announce, listen);
    return c;
  }

  /** The producer end of `channelId` when it dials its consumer's slot or the relay. */
  dialingProducer(channelId: string, dial: ProducerDial, listen: SlotDataListen): ChannelEndpoint {
    this.configure(listen);
    const p = new DirectProducer();
    dialForProducer(p, channelId, dial, this.secret, this.maxFrameBytes);
    return p;
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
    this.configure(listen);
    this.listener = listenHttp(
      { hostname: listen.hostname, port: 0, tls: listen.tls, needsClientCert: () => true },
      (req, info) => this.serve(req, (info.remoteAddr as Deno.NetAddr).hostname),
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

  /** Listens, then tells the worker on `announce` where (or closes it when the listener fails). */
  private announce(announce: MessagePort, listen: SlotDataListen): void {
    this.listen(listen).then(
      (address) =>
        announce.postMessage({ t: "direct", address } satisfies DirectProducerAnnouncement),
      (e) => {
        LOG.warn(`slot data listener on ${listen.hostname}: ${(e as Error).message}`);
        announce.close();
      },
    );
  }

  /** One stream: a proof of the secret, within the peer's stream limit, then its route. */
  private async serve(req: Request, peer: string): Promise<Response> {
    const path = new URL(req.url).pathname;
    if (path === CHALLENGE_PATH && req.method === "POST") return this.gate.challenge(peer);
    if (
      (path !== PARTITION_PATH && path !== PUSH_PATH) || req.method !== "POST" || req.body === null
    ) {
      return new Response(`no route ${req.method} ${path}\n`, { status: 404 });
    }
    const admitted = await this.gate.admit(req, peer, "data", "a slot's data stream");
    if (admitted instanceof Response) return admitted;
    const release = this.perPeer.open(peer);
    if (release === undefined) return this.perPeer.refusal(peer, "data");
    const frames = readFrames(req.body, this.maxFrameBytes);
    const kind = path === PUSH_PATH ? "publish" : "subscribe";
    let channel: string;
    try {
      channel = await readSubscription(frames, this.limits.firstFrameTimeoutMs, kind);
    } catch (e) {
      release();
      return new Response(`${(e as Error).message}\n`, { status: 400 });
    }
    const out = new FrameStream(this.maxFrameBytes);
    const stream = kind === "publish"
      ? this.acceptPublisher(channel, frames, out)
      : this.serveSubscriber(channel, frames, out);
    if (stream === undefined) {
      release();
      return new Response(`no channel ${channel} in this slot\n`, { status: 404 });
    }
    stream.finally(release);
    return new Response(out.readable, {
      headers: { "content-type": "application/cbor-seq", ...admitted },
    });
  }

  /** A producer dialed in: its frames go to the waiting consumer, the consumer's credits back. */
  private acceptPublisher(
    channel: string,
    frames: AsyncGenerator<Frame>,
    out: FrameStream,
  ): Promise<void> | undefined {
    const consumer = this.accepting.get(channel);
    if (consumer === undefined) return undefined;
    this.accepting.delete(channel);
    return consumer.attach(frames, out);
  }

  /** A consumer's stream: credits in, the channel's frames out. */
  private serveSubscriber(
    channel: string,
    frames: AsyncGenerator<Frame>,
    out: FrameStream,
  ): Promise<void> | undefined {
    const producer = this.producers.get(channel);
    if (producer === undefined) return undefined;
    this.producers.delete(channel);
    producer.attach(out);
    return (async () => {
      for await (const f of frames) producer.credit(creditFrameCount(f));
    })().catch((e) => {
      if (producer.ended) return; // the consumer hung up after the end of the partition
      LOG.warn(`closing direct stream of channel ${channel}: ${(e as Error).message}`);
      out.fail((e as Error).message);
    });
  }
}

let slotPlane: SlotDataPlane | undefined;

/** This slot's direct data plane (one per Web Worker), created on first use. */
export function slotDataPlane(): SlotDataPlane {
  return slotPlane ??= new SlotDataPlane();
}
