/**
 * BarrierAligner: what one task does with the checkpoint barriers arriving on
 * its N input channels (after Flink's SingleCheckpointBarrierHandler and
 * CheckpointBarrierTracker). A deterministic state machine: the task feeds it
 * the events it takes from its input gate, with explicit timestamps, and
 * performs the effects each event returns, in order.
 *
 * Modes:
 * - `exactly_once` (aligned): a channel that delivered barrier n is blocked
 *   until barrier n arrived on every channel not ended; then the task forwards
 *   the barrier, snapshots, and unblocks.
 * - `at_least_once`: nothing is blocked; the snapshot follows the last barrier n.
 * - `unaligned`: the first barrier n is forwarded and the snapshot taken at once;
 *   each buffer then taken from a channel before that channel's barrier n is
 *   in-flight data the task persists with checkpoint n. Savepoints are
 *   aligned even then (they must be portable: no in-flight data).
 *
 * One checkpoint is aligned at a time: a barrier (or cancel marker) with a
 * higher id aborts the one in progress; barriers of older ids are ignored.
 * @module
 */

import type { CheckpointMode } from "../config/options.ts";

/** How a task with several inputs treats barriers: the job's checkpoint mode. */
export type AlignmentMode = CheckpointMode;

/**
 * How a stop with savepoint ends a job (Flink's SavepointType): `suspend`
 * keeps event time where it is; `drain` first advances it to the end (every
 * window and timer fires), for a job that will not be resumed.
 */
export const STOP_MODES = ["suspend", "drain"] as const;
/** A stop with savepoint's mode. */
export type StopMode = (typeof STOP_MODES)[number];

/** A checkpoint barrier as it travels in the channels. */
export interface BarrierInfo {
  readonly id: number;
  readonly timestampMs: number;
  readonly savepoint: boolean;
  /**
   * Set on the trigger of a stop with savepoint (sources only; it is not
   * forwarded): the source ends once this savepoint completed.
   */
  readonly stop?: StopMode;
}

/** What the task must do, in order. */
export type AlignerEffect =
  /** Emit the barrier on every output channel. */
  | {
    readonly type: "forwardBarrier";
    readonly checkpointId: number;
    readonly barrier: BarrierInfo;
  }
  /** Snapshot the operator state for this checkpoint (then ack when done). */
  | {
    readonly type: "triggerSnapshot";
    readonly checkpointId: number;
    readonly barrier: BarrierInfo;
    /** From the first barrier to the last (0 when unaligned). */
    readonly alignmentDurationMs: number;
  }
  /** Hold this channel's further items back. */
  | { readonly type: "block"; readonly channel: number }
  /** Release every held channel. */
  | { readonly type: "unblockAll" }
  /** Abandon this checkpoint: decline it and send a cancel marker downstream. */
  | { readonly type: "abort"; readonly checkpointId: number; readonly reason: string }
  /** The buffer just taken is in-flight data of this checkpoint: persist it (and process it). */
  | { readonly type: "persistInFlight"; readonly checkpointId: number; readonly channel: number }
  /** Unaligned: barrier n arrived on every channel, no more in-flight data; ack once persisted. */
  | {
    readonly type: "inFlightComplete";
    readonly checkpointId: number;
    readonly durationMs: number;
  };

/** The answer to a buffer taken from a channel. */
export interface BufferVerdict {
  /** True when the buffer must not be processed yet (its channel is blocked). */
  readonly hold: boolean;
  /** `persistInFlight` for unaligned in-flight data, otherwise empty. */
  readonly effects: readonly AlignerEffect[];
}

const PROCESS: BufferVerdict = Object.freeze({ hold: false, effects: Object.freeze([]) });
const HOLD: BufferVerdict = Object.freeze({ hold: true, effects: Object.freeze([]) });

/**
 * Barrier handling for one task's inputs.
 *
 * @example
 * ```ts
 * import { BarrierAligner } from "./barrier_aligner.ts";
 * const a = new BarrierAligner(2, "exactly_once");
 * const barrier = { id: 1, timestampMs: 0, savepoint: false };
 * a.onBarrier(0, barrier, 100); // [{ type: "block", channel: 0 }]
 * a.onBuffer(0).hold; // true
 * a.onBarrier(1, barrier, 130); // forwardBarrier, triggerSnapshot (alignment 30 ms), unblockAll
 * ```
 */
export class BarrierAligner {
  private readonly ended: boolean[];
  private readonly seen: boolean[];
  private current = -1;
  private pending = false;
  private barrier: BarrierInfo | undefined;
  private startMs = 0;
  private blocked = 0;
  /** The mode of the checkpoint in progress (unaligned jobs align savepoints). */
  private active: AlignmentMode;

  constructor(readonly channels: number, readonly mode: AlignmentMode) {
    if (!Number.isInteger(channels) || channels < 1) {
      throw new RangeError(`a barrier aligner needs an integer >= 1 of channels, got ${channels}`);
    }
    this.active = mode;
    this.ended = new Array(channels).fill(false);
    this.seen = new Array(channels).fill(false);
  }

  /** Id of the latest checkpoint seen (by barrier or cancel marker), -1 before any. */
  get checkpointId(): number {
    return this.current;
  }

  /** True while a checkpoint waits for barriers. */
  get aligning(): boolean {
    return this.pending;
  }

  /** True when the channel's items must be held back (aligned mode, after its barrier). */
  isBlocked(channel: number): boolean {
    return this.active === "exactly_once" && this.pending && this.seen[channel];
  }

  /** Barrier `barrier.id` was taken from `channel`. */
  onBarrier(channel: number, barrier: BarrierInfo, nowMs: number): AlignerEffect[] {
    this.check(channel);
    if (this.ended[channel]) {
      throw new Error(`barrier ${barrier.id} on channel ${channel} after its end of partition`);
    }
    const id = barrier.id;
    if (id < this.current || (id === this.current && !this.pending)) return [];
    const effects: AlignerEffect[] = [];
    if (id > this.current) this.start(barrier, nowMs, effects);
    if (this.seen[channel]) return effects;
    this.seen[channel] = true;
    if (this.allSeen()) {
      this.finish(nowMs, effects);
    } else if (this.active === "exactly_once") {
      this.blocked++;
      effects.push({ type: "block", channel });
    }
    return effects;
  }

  /** A buffer was taken from `channel`: may it be processed, and is it in-flight data? */
  onBuffer(channel: number): BufferVerdict {
    this.check(channel);
    if (!this.pending) return PROCESS;
    if (this.seen[channel]) return this.active === "exactly_once" ? HOLD : PROCESS;
    if (this.active !== "unaligned") return PROCESS;
    return {
      hold: false,
      effects: [{ type: "persistInFlight", checkpointId: this.current, channel }],
    };
  }

  /** `channel` ended: it needs no more barriers, which may complete the alignment. */
  onEndOfPartition(channel: number, nowMs: number): AlignerEffect[] {
    this.check(channel);
    if (this.ended[channel]) return [];
    this.ended[channel] = true;
    const effects: AlignerEffect[] = [];
    if (this.pending && this.allSeen()) this.finish(nowMs, effects);
    return effects;
  }

  /** A cancel marker for `checkpointId` arrived on `channel`: abort that checkpoint here. */
  onCancelCheckpoint(channel: number, checkpointId: number): AlignerEffect[] {
    this.check(channel);
    if (checkpointId < this.current || (checkpointId === this.current && !this.pending)) return [];
    const effects: AlignerEffect[] = [];
    if (this.pending && checkpointId > this.current) {
      this.abortCurrent(`subsumed by cancelled checkpoint ${checkpointId}`, effects);
    }
    const reason = `cancelled upstream (cancel marker on channel ${channel})`;
    if (this.pending) this.abortCurrent(reason, effects);
    else effects.push({ type: "abort", checkpointId, reason });
    this.current = checkpointId;
    return effects;
  }

  private start(barrier: BarrierInfo, nowMs: number, effects: AlignerEffect[]): void {
    if (this.pending) this.abortCurrent(`subsumed by barrier ${barrier.id}`, effects);
    this.current = barrier.id;
    this.barrier = barrier;
    this.pending = true;
    this.startMs = nowMs;
    this.seen.fill(false);
    this.active = this.mode === "unaligned" && barrier.savepoint ? "exactly_once" : this.mode;
    if (this.active === "unaligned") this.snapshot(0, effects);
  }

  private finish(nowMs: number, effects: AlignerEffect[]): void {
    this.pending = false;
    const durationMs = nowMs - this.startMs;
    if (this.active === "unaligned") {
      effects.push({ type: "inFlightComplete", checkpointId: this.current, durationMs });
    } else {
      this.snapshot(durationMs, effects);
      this.release(effects);
    }
  }

  private snapshot(alignmentDurationMs: number, effects: AlignerEffect[]): void {
    const barrier = this.barrier!;
    effects.push(
      { type: "forwardBarrier", checkpointId: barrier.id, barrier },
      { type: "triggerSnapshot", checkpointId: barrier.id, barrier, alignmentDurationMs },
    );
  }

  private abortCurrent(reason: string, effects: AlignerEffect[]): void {
    this.pending = false;
    effects.push({ type: "abort", checkpointId: this.current, reason });
    this.release(effects);
  }

  private release(effects: AlignerEffect[]): void {
    if (this.blocked === 0) return;
    this.blocked = 0;
    effects.push({ type: "unblockAll" });
  }

  private allSeen(): boolean {
    for (let c = 0; c < this.channels; c++) if (!this.seen[c] && !this.ended[c]) return false;
    return true;
  }

  private check(channel: number): void {
    if (!Number.isInteger(channel) || channel < 0 || channel >= this.channels) {
      throw new RangeError(`channel ${channel} out of range: this task has ${this.channels}`);
    }
  }
}
