/**
 * Open-stream bounds of a server's RPC and data endpoints. A stream costs
 * the server memory and a reader for as long as it stays open, so a peer that
 * opens streams and sends nothing valid could otherwise exhaust it: each
 * peer address may hold a bounded number open at once, and an accepted
 * stream must send its first valid frame within a deadline.
 * @module
 */

import { OPTIONS } from "../../core/config/options.ts";

/** The bounds of accepted streams; defaults from the option registry. */
export interface StreamLimits {
  /** How long an accepted stream may take to send its first valid frame. */
  readonly firstFrameTimeoutMs: number;
  /** Streams one peer address may hold open at once. */
  readonly maxStreamsPerPeer: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  firstFrameTimeoutMs: OPTIONS.firstFrameTimeoutMs.default,
  maxStreamsPerPeer: OPTIONS.maxStreamsPerPeer.default,
};

/** `given` over the defaults; an absent or undefined field keeps its default. */
export function streamLimits(given: Partial<StreamLimits> = {}): StreamLimits {
  return {
    firstFrameTimeoutMs: given.firstFrameTimeoutMs ?? DEFAULT_STREAM_LIMITS.firstFrameTimeoutMs,
    maxStreamsPerPeer: given.maxStreamsPerPeer ?? DEFAULT_STREAM_LIMITS.maxStreamsPerPeer,
  };
}

/**
 * Counts the open streams of each peer address.
 *
 * @example
 * ```ts
 * import { PeerStreamLimit } from "./peer_stream_limit.ts";
 * const limit = new PeerStreamLimit(1);
 * const release = limit.open("10.0.0.1");
 * console.assert(release !== undefined && limit.open("10.0.0.1") === undefined);
 * release!();
 * console.assert(limit.open("10.0.0.1") !== undefined);
 * ```
 */
export class PeerStreamLimit {
  private readonly open_ = new Map<string, number>();

  constructor(readonly maxPerPeer: number) {}

  /** Counts one more stream of `peer`: its release function, or undefined when at the limit. */
  open(peer: string): (() => void) | undefined {
    const n = this.open_.get(peer) ?? 0;
    if (n >= this.maxPerPeer) return undefined;
    this.open_.set(peer, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open_.get(peer) ?? 1) - 1;
      if (left === 0) this.open_.delete(peer);
      else this.open_.set(peer, left);
    };
  }

  /** Streams `peer` holds open now. */
  openOf(peer: string): number {
    return this.open_.get(peer) ?? 0;
  }

  /** The answer to a stream beyond the limit. */
  refusal(peer: string, what: string): Response {
    return new Response(
      `too many open ${what} streams from ${peer} (limit ${this.maxPerPeer})\n`,
      { status: 429 },
    );
  }
}
