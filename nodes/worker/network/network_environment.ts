/**
 * NetworkEnvironment: the channels of one process. A channel whose two ends
 * live in this process is a MessageChannel between two slots; a channel to
 * another process is a MessagePort bridged by this (main) thread to an HTTP/2
 * stream, so all slots share one connection per peer process. The credit
 * protocol runs end to end between the slots; the bridge only relays. With
 * the direct data plane (`--data-plane direct`, see `direct_channels.ts`) the
 * slots own their streams: this thread only redirects a consumer to the
 * producer's slot.
 * @module
 */

import { Logger } from "../../../core/log/logger.ts";
import {
  DEFAULT_MAX_FRAME_BYTES,
  FRAME_VERSION,
  FrameStream,
  readFrames,
} from "../../rpc/frames.ts";
import {
  DEFAULT_STREAM_LIMITS,
  PeerStreamLimit,
  type StreamLimits,
} from "../../rpc/peer_stream_limit.ts";
import { postStream } from "../../rpc/h2_client.ts";
import type { ClusterSecret } from "../../rpc/auth/cluster_secret.ts";
import { PROOF_HEADERS, provePeer } from "../../rpc/auth/peer_proof.ts";
import type { ChannelDeployment } from "../../protocol/deployment.ts";
import { isChannelOfJob } from "../../protocol/ids.ts";
import type { ChannelMessage } from "./channel.ts";
import {
  channelMessageOf,
  creditFrameCount,
  readSubscription,
  writeChannelMessage,
} from "./channel_frames.ts";
import {
  type DataPlane,
  type DirectProducerAnnouncement,
  PARTITION_PATH,
  type SlotDataListen,
} from "./direct_channels.ts";

const LOG = new Logger("data");

/** Path of the data-plane stream on a worker's server. */
export { PARTITION_PATH } from "./direct_channels.ts";

export interface NetworkEnvironmentSettings extends StreamLimits {
  /** How long a producer waits for its consumer to connect (and vice versa). */
  readonly partitionRequestTimeoutMs: number;
  readonly maxFrameBytes: number;
}

export const DEFAULT_NETWORK_ENVIRONMENT_SETTINGS: NetworkEnvironmentSettings = {
  partitionRequestTimeoutMs: 30_000,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  ...DEFAULT_STREAM_LIMITS,
};

interface Outgoing {
  port?: MessagePort;
  waiters: ((port: MessagePort) => void)[];
}

/** The channels of one process: in-memory pairs and relays to HTTP/2 streams. */
export class NetworkEnvironment {
  /** Equal ids mean "same process": such channels stay in memory. */
  readonly processId = crypto.randomUUID();
  /** Base URL of this process's data server; empty when it has none. */
  dataAddress = "";
  /** The cluster secret that streams to other processes prove (and that they prove back). */
  secret: ClusterSecret | undefined;
  /** How buffers reach other processes: relayed by this thread, or direct between slots. */
  dataPlane: DataPlane = "relay";
  /** Where a slot listens for its direct data streams (the data server's host and TLS). */
  slotListen: SlotDataListen | undefined;
  /** The master this worker registered with: the relay of channel routes that name none. */
  masterAddress = "";
  /** False with `--no-inbound`: peers cannot dial this worker, so it dials them. */
  acceptsInbound = true;
  /** True with `--relay`: this worker's data server relays for unreachable workers. */
  relays = false;
  private readonly local = new Map<string, MessageChannel>();
  private readonly outgoing = new Map<string, Outgoing>();
  private readonly bridges = new Set<FrameStream>();
  private readonly perPeer: PeerStreamLimit;

  constructor(
    readonly settings: NetworkEnvironmentSettings = DEFAULT_NETWORK_ENVIRONMENT_SETTINGS,
  ) {
    this.perPeer = new PeerStreamLimit(settings.maxStreamsPerPeer);
  }

  /** The port a producer slot writes a channel into. */
  producerPort(ch: ChannelDeployment): MessagePort {
    if (ch.peer.processId === this.processId) return this.localPair(ch.channelId, "producer");
    return this.announcePort(ch);
  }

  /**
   * The port on which the slot serving `ch` (its producer, or its consumer
   * when the producer dials) tells this thread where it listens, for the
   * redirect of the peer that dials this worker for the channel.
   */
  announcePort(ch: ChannelDeployment): MessagePort {
    const { port1, port2 } = new MessageChannel();
    const entry = this.outgoing.get(ch.channelId) ?? { waiters: [] };
    entry.port = port2;
    this.outgoing.set(ch.channelId, entry);
    for (const w of entry.waiters.splice(0)) w(port2);
    return port1;
  }

  /** The port a consumer slot reads a channel from. */
  consumerPort(ch: ChannelDeployment): MessagePort {
    if (ch.peer.processId === this.processId) return this.localPair(ch.channelId, "consumer");
    const { port1, port2 } = new MessageChannel();
    this.bridgeFromRemote(ch, port2);
    return port1;
  }

  /** Drops what is left of a job's channels (after it ended or was cancelled). */
  releaseJob(jobId: string): void {
    for (const [id, ch] of this.local) {
      if (isChannelOfJob(id, jobId)) {
        ch.port1.close();
        ch.port2.close();
        this.local.delete(id);
      }
    }
    for (const [id, o] of this.outgoing) {
      if (isChannelOfJob(id, jobId)) {
        o.port?.close();
        this.outgoing.delete(id);
      }
    }
  }

  close(): void {
    for (const b of this.bridges) b.close();
  }

  private localPair(channelId: string, end: "producer" | "consumer"): MessagePort {
    let ch = this.local.get(channelId);
    if (ch === undefined) {
      ch = new MessageChannel();
      this.local.set(channelId, ch);
      return end === "producer" ? ch.port1 : ch.port2;
    }
    this.local.delete(channelId); // both ends handed out
    return end === "producer" ? ch.port1 : ch.port2;
  }

  /** Consumer side: opens a stream to the producer's process and relays both ways. */
  private bridgeFromRemote(ch: ChannelDeployment, port: MessagePort): void {
    const out = new FrameStream(this.settings.maxFrameBytes);
    this.bridges.add(out);
    out.write({ v: FRAME_VERSION, t: "subscribe", channel: ch.channelId });
    port.onmessage = (e: MessageEvent<ChannelMessage>) => {
      if (e.data.t === "credit") out.write({ v: FRAME_VERSION, t: "credit", n: e.data.n });
    };
    const fail = (message: string) =>
      port.postMessage({ t: "error", message } satisfies ChannelMessage);
    (async () => {
      const peer = ch.peer.dataAddress;
      const proof = this.secret && await provePeer(peer, this.secret, "data");
      const res = await postStream(peer, PARTITION_PATH, out.readable, proof?.headers);
      if (res.status !== 200) {
        res.cancel();
        throw new Error(`HTTP ${res.status}`);
      }
      await proof?.checkServer(String(res.headers[PROOF_HEADERS.serverProof]));
      for await (const f of readFrames(res.body, this.settings.maxFrameBytes)) {
        if (f.t === "redirect") {
          throw new Error(
            "the producer's worker runs the direct data plane and this one the relay: " +
              "start every worker with the same --data-plane",
          );
        }
        const { message, transfer } = channelMessageOf(f);
        port.postMessage(message, transfer === undefined ? [] : [transfer]);
        if (message.t === "end") return;
      }
      throw new Error("the producer closed the stream before the end of the partition");
    })().catch((e) =>
      fail(`channel ${ch.channelId} from ${ch.peer.dataAddress}: ${(e as Error).message}`)
    )
      .finally(() => {
        out.close();
        this.bridges.delete(out);
      });
  }

  /**
   * Producer side: the port registered for `channelId`, once its task is
   * deployed. `signal` withdraws the wait (its consumer went away), so a
   * producer deployed later is not handed to a dead stream.
   */
  awaitProducer(channelId: string, signal?: AbortSignal): Promise<MessagePort> {
    const entry = this.outgoing.get(channelId) ?? { waiters: [] };
    this.outgoing.set(channelId, entry);
    if (entry.port !== undefined) return Promise.resolve(entry.port);
    return new Promise((resolve, reject) => {
      const withdraw = (why: Error) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", aborted);
        entry.waiters = entry.waiters.filter((w) => w !== waiter);
        // Nothing waits and nothing was deployed: forget the channel.
        if (entry.waiters.length === 0 && entry.port === undefined) {
          if (this.outgoing.get(channelId) === entry) this.outgoing.delete(channelId);
        }
        reject(why);
      };
      const timer = setTimeout(() =>
        withdraw(
          new Error(
            `no producer for channel ${channelId} after ${this.settings.partitionRequestTimeoutMs} ms`,
          ),
        ), this.settings.partitionRequestTimeoutMs);
      const aborted = () => withdraw(new Error(`the wait for channel ${channelId} was withdrawn`));
      const waiter = (port: MessagePort) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", aborted);
        resolve(port);
      };
      entry.waiters.push(waiter);
      signal?.addEventListener("abort", aborted, { once: true });
    });
  }

  /**
   * Serves one consumer's stream: `subscribe`, then credits in; buffers and
   * `end` out. `headers` go on the response (the server's proof of the
   * secret). A stream that names no well-formed channel within the first-frame
   * deadline, breaks the protocol, or ends before its producer is deployed is
   * closed with an error frame; `peer` may hold only so many open at once.
   */
  servePartition(req: Request, headers: Record<string, string> = {}, peer = "unknown"): Response {
    if (req.body === null) {
      return new Response("a partition request needs a streaming body\n", { status: 400 });
    }
    const release = this.perPeer.open(peer);
    if (release === undefined) return this.perPeer.refusal(peer, "data");
    const out = new FrameStream(this.settings.maxFrameBytes);
    const frames = readFrames(req.body, this.settings.maxFrameBytes);
    let ended = false;
    let redirected = false;
    (async () => {
      const channel = await readSubscription(frames, this.settings.firstFrameTimeoutMs);
      let port: MessagePort | undefined;
      let early = 0; // credit granted before the producer was deployed
      const gone = new AbortController();
      const producer = this.awaitProducer(channel, gone.signal).then((p) => {
        this.outgoing.delete(channel);
        port = p;
        return p;
      });
      const credits = (async () => {
        // Read on while waiting for the producer: a consumer that hangs up or
        // breaks the protocol meanwhile is answered at once, not after the wait.
        for await (const f of frames) {
          if (redirected) break; // the consumer's credits go to the producer's slot
          const n = creditFrameCount(f);
          if (port === undefined) early += n;
          else port.postMessage({ t: "credit", n } satisfies ChannelMessage);
        }
        if (port === undefined) {
          throw new Error(
            `the stream ended before the producer of channel ${channel} was deployed`,
          );
        }
      })();
      // Both are reported through the race and the final await below.
      producer.catch(() => {});
      credits.catch(() => gone.abort());
      const p = await Promise.race([producer, credits.then(() => producer)]);
      p.onmessage = (e: MessageEvent<ChannelMessage | DirectProducerAnnouncement>) => {
        const m = e.data;
        if (m.t === "direct") {
          // The producer's slot serves the channel itself: the consumer dials it there.
          ended = redirected = true;
          out.write({ v: FRAME_VERSION, t: "redirect", address: m.address });
          out.close();
          return;
        }
        writeChannelMessage(out, m);
        if (m.t === "end") {
          ended = true;
          out.close();
        }
      };
      if (early > 0) p.postMessage({ t: "credit", n: early } satisfies ChannelMessage);
      await credits;
    })().catch((e) => {
      if (ended) return; // the consumer hung up after the end of the partition
      LOG.warn(`closing a partition stream from ${peer}: ${(e as Error).message}`);
      out.fail((e as Error).message);
    }).finally(release);
    return new Response(out.readable, {
      headers: { "content-type": "application/cbor-seq", ...headers },
    });
  }

  /**
   * Answers a producer that dials this worker for a channel whose consumer
   * slot listens (`publish`): a `redirect` frame to that slot, once it has
   * told where. Same bounds as `servePartition`.
   */
  servePush(req: Request, headers: Record<string, string> = {}, peer = "unknown"): Response {
    if (req.body === null) {
      return new Response("a push request needs a streaming body\n", { status: 400 });
    }
    const release = this.perPeer.open(peer);
    if (release === undefined) return this.perPeer.refusal(peer, "data");
    const out = new FrameStream(this.settings.maxFrameBytes);
    const frames = readFrames(req.body, this.settings.maxFrameBytes);
    (async () => {
      const channel = await readSubscription(frames, this.settings.firstFrameTimeoutMs, "publish");
      const gone = new AbortController();
      // A producer that hangs up meanwhile withdraws the wait.
      (async () => {
        for await (const _ of frames) { /* nothing more is sent before the redirect */ }
      })().catch(() => {}).finally(() => gone.abort());
      const port = await this.awaitProducer(channel, gone.signal);
      this.outgoing.delete(channel);
      const ms = this.settings.partitionRequestTimeoutMs;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const address = await new Promise<string>((resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`the slot of ${channel} named no address`)), ms);
        port.onmessage = (e: MessageEvent<DirectProducerAnnouncement>) => resolve(e.data.address);
      }).finally(() => clearTimeout(timer));
      out.write({ v: FRAME_VERSION, t: "redirect", address });
      out.close();
    })().catch((e) => {
      LOG.warn(`closing a push request from ${peer}: ${(e as Error).message}`);
      out.fail((e as Error).message);
    }).finally(release);
    return new Response(out.readable, {
      headers: { "content-type": "application/cbor-seq", ...headers },
    });
  }
}
