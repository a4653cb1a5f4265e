/**
 * The data relay: where two workers that accept no connections (`--no-inbound`)
 * meet. The producer of a channel dials in with a `publish` stream (data
 * frames up, credit frames down) and its consumer with a `subscribe` stream
 * (credits up, data down); the relay pairs them by channel id and copies
 * each side's frames to the other as they come. It keeps no buffers of its
 * own beyond the streams': the producer sends only against the consumer's
 * credits, so flow control stays end to end, and one stream per direction
 * keeps barriers and watermarks in order with the data. The master serves
 * it, and so does a worker started with `--relay`.
 * @module
 */

import { Logger } from "../../core/log/logger.ts";
import { type Frame, FRAME_VERSION, FrameStream, readFrames } from "./frames.ts";
import { PeerStreamLimit, type StreamLimits } from "./peer_stream_limit.ts";

const LOG = new Logger("relay");

/** Path of a relayed data stream on the master's server or a `--relay` worker's data server. */
export const RELAY_PATH = "/data/v1/relay";

/** The limits of a relay. */
export interface DataRelaySettings extends StreamLimits {
  readonly maxFrameBytes: number;
  /** How long one end of a channel waits at the relay for the other. */
  readonly partitionRequestTimeoutMs: number;
}

/** Longest channel id the relay accepts (ids are far shorter; see `channelIdOf`). */
const MAX_CHANNEL_ID_CHARS = 256;

type Side = "publish" | "subscribe";

/** One end of a channel at the relay: its incoming frames and its outgoing stream. */
interface Half {
  readonly side: Side;
  readonly frames: AsyncGenerator<Frame>;
  readonly out: FrameStream;
  /** Resolves with the other end once it arrives. */
  readonly partner: Promise<Half>;
  /** This end sent its last frame (`end` from a producer). */
  finished: boolean;
}

interface Waiting {
  readonly half: Half;
  readonly meet: (other: Half) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * Pairs the two ends of each relayed channel and copies frames between them.
 *
 * @example
 * ```ts
 * import { DataRelay } from "./data_relay.ts";
 * const relay = new DataRelay({
 *   maxFrameBytes: 1 << 20,
 *   partitionRequestTimeoutMs: 1000,
 *   firstFrameTimeoutMs: 1000,
 *   maxStreamsPerPeer: 8,
 * });
 * const res = relay.serve(new Request("http://relay/data/v1/relay", { method: "POST" }), {}, "p");
 * console.assert(res.status === 400); // no streaming body
 * ```
 */
export class DataRelay {
  private readonly waiting = new Map<string, Waiting>();
  private readonly perPeer: PeerStreamLimit;
  /** Channels paired so far (for tests and logs). */
  paired = 0;

  constructor(private readonly settings: DataRelaySettings) {
    this.perPeer = new PeerStreamLimit(settings.maxStreamsPerPeer);
  }

  /**
   * Serves one end's stream; `headers` go on the response (the relay's proof
   * of the cluster secret), `peer` is the dialer's address (for its stream limit).
   */
  serve(req: Request, headers: Record<string, string>, peer: string): Response {
    if (req.body === null) {
      return new Response("a relayed data stream needs a streaming body\n", { status: 400 });
    }
    const release = this.perPeer.open(peer);
    if (release === undefined) return this.perPeer.refusal(peer, "relayed data");
    const out = new FrameStream(this.settings.maxFrameBytes);
    const frames = readFrames(req.body, this.settings.maxFrameBytes);
    this.relay(frames, out).catch((e) => {
      LOG.warn(`closing a relayed stream from ${peer}: ${(e as Error).message}`);
      out.fail((e as Error).message);
    }).finally(release);
    return new Response(out.readable, {
      headers: { "content-type": "application/cbor-seq", ...headers },
    });
  }

  /** Reads the first frame, waits for the other end, then copies this end's frames to it. */
  private async relay(frames: AsyncGenerator<Frame>, out: FrameStream): Promise<void> {
    const { side, channel } = await this.firstFrame(frames);
    const half = this.meet(channel, side, frames, out);
    const other = await half.partner;
    try {
      for await (const f of frames) {
        if (f.t === "buffer" && f.data instanceof Uint8Array && typeof f.records === "number") {
          other.out.writeBuffer(f.data, f.records);
        } else {
          other.out.write(f);
        }
        if (f.t === "end" || f.t === "error") break;
      }
    } catch (e) {
      // A consumer's stream may break once its producer's end went through.
      if (!other.finished) throw e;
    }
    half.finished = true;
    if (side === "publish" || other.finished) {
      other.out.close();
    } else {
      // The consumer went away: the producer's stream has no reader left.
      other.out.fail(`the consumer of channel ${channel} left the relay`);
    }
  }

  /** The first frame: `publish` or `subscribe` naming a channel, within the deadline. */
  private async firstFrame(
    frames: AsyncGenerator<Frame>,
  ): Promise<{ side: Side; channel: string }> {
    const ms = this.settings.firstFrameTimeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no publish or subscribe frame within ${ms} ms`)),
        ms,
      );
    });
    try {
      const first = await Promise.race([frames.next(), late]);
      const f = first.done ? undefined : first.value;
      if (
        f === undefined || (f.t !== "publish" && f.t !== "subscribe") ||
        typeof f.channel !== "string" || f.channel.length > MAX_CHANNEL_ID_CHARS
      ) {
        throw new Error(
          "a relayed stream must start with a publish or subscribe frame naming its channel",
        );
      }
      return { side: f.t, channel: f.channel };
    } finally {
      clearTimeout(timer);
    }
  }

  /** This end of `channel`, paired with the other once both arrived (or failed after the wait). */
  private meet(channel: string, side: Side, frames: AsyncGenerator<Frame>, out: FrameStream): Half {
    const there = this.waiting.get(channel);
    if (there !== undefined) {
      if (there.half.side === side) {
        throw new Error(`channel ${channel} already has its ${side} end at this relay`);
      }
      this.waiting.delete(channel);
      clearTimeout(there.timer);
      const half: Half = {
        side,
        frames,
        out,
        partner: Promise.resolve(there.half),
        finished: false,
      };
      there.meet(half);
      if (this.paired++ === 0) {
        LOG.info(`relaying data between nodes that accept no connections (first: ${channel})`);
      }
      return half;
    }
    let meet!: (other: Half) => void;
    let fail!: (e: Error) => void;
    const partner = new Promise<Half>((resolve, reject) => {
      meet = resolve;
      fail = reject;
    });
    const ms = this.settings.partitionRequestTimeoutMs;
    const other = side === "publish" ? "consumer" : "producer";
    const timer = setTimeout(() => {
      if (this.waiting.get(channel)?.half === half) this.waiting.delete(channel);
      fail(new Error(`no ${other} of channel ${channel} reached the relay within ${ms} ms`));
    }, ms);
    const half: Half = { side, frames, out, partner, finished: false };
    this.waiting.set(channel, { half, meet, timer });
    return half;
  }

  /** Fails every end still waiting for its partner (shutdown). */
  close(): void {
    for (const [channel, w] of this.waiting) {
      clearTimeout(w.timer);
      w.half.out.fail(`the relay closed before the other end of channel ${channel} arrived`);
    }
    this.waiting.clear();
  }
}

/** The frame that opens a relayed stream (exported for the dialers). */
export function relayOpenFrame(side: Side, channel: string): Frame {
  return { v: FRAME_VERSION, t: side, channel };
}
