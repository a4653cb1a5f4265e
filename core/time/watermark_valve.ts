/**
 * StatusWatermarkValve: the watermark and idle status a task with N input
 * channels forwards downstream (after Flink's StatusWatermarkValve). A
 * deterministic state machine: the task feeds it the watermarks and statuses
 * it takes from its channels and emits the effects each returns, in order.
 *
 * Rules:
 * - The output watermark is the lowest watermark of the active channels; it
 *   never goes back, and a channel's watermark below its previous one is ignored.
 * - An idle channel does not hold the output back. A channel active again
 *   with a watermark below the output counts only once it catches up (Flink:
 *   it is not yet "aligned"); its events until then are late.
 * - When every channel is idle, the output advances to the highest channel
 *   watermark (no channel will advance any more) and turns idle; it turns
 *   active when a channel does.
 * - An ended channel counts as watermark +Infinity: it never holds the output
 *   back. Only when every channel ended is the output +Infinity.
 * @module
 */

import { MAX_WATERMARK, MIN_WATERMARK, type Watermark } from "./watermark.ts";

/** What the task must emit downstream, in order. */
export type ValveEffect =
  /** Emit this watermark on every output channel. */
  | { readonly type: "watermark"; readonly watermark: Watermark }
  /** Emit the idle status: downstream stops waiting for this task's watermarks. */
  | { readonly type: "idle" }
  /** Emit the active status: downstream waits for this task's watermarks again. */
  | { readonly type: "active" };

const NONE: readonly ValveEffect[] = Object.freeze([]);

/**
 * Watermark and idle status across one task's input channels.
 *
 * @example
 * ```ts
 * import { StatusWatermarkValve } from "./watermark_valve.ts";
 * const valve = new StatusWatermarkValve(2);
 * valve.inputWatermark(0, 100); // [] (channel 1 is still at -Infinity)
 * valve.inputWatermark(1, 80); // [{ type: "watermark", watermark: 80 }]
 * valve.inputIdle(1); // [{ type: "watermark", watermark: 100 }]
 * ```
 */
export class StatusWatermarkValve {
  private readonly watermarks: number[];
  private readonly idleChannels: boolean[];
  private readonly ended: boolean[];
  private endedCount = 0;
  private output = MIN_WATERMARK;
  private outputIdle = false;

  /** A valve for `channels` input channels, all active at {@linkcode MIN_WATERMARK}. */
  constructor(readonly channels: number) {
    if (!Number.isInteger(channels) || channels < 1) {
      throw new RangeError(`a watermark valve needs an integer >= 1 of channels, got ${channels}`);
    }
    this.watermarks = new Array(channels).fill(MIN_WATERMARK);
    this.idleChannels = new Array(channels).fill(false);
    this.ended = new Array(channels).fill(false);
  }

  /** The last watermark emitted ({@linkcode MIN_WATERMARK} before any). */
  get outputWatermark(): Watermark {
    return this.output;
  }

  /** True while the output is idle (every channel not ended is idle). */
  get idle(): boolean {
    return this.outputIdle;
  }

  /** Watermark `watermark` was taken from `channel`. */
  inputWatermark(channel: number, watermark: Watermark): readonly ValveEffect[] {
    this.checkOpen(channel, "a watermark");
    if (Number.isNaN(watermark)) {
      throw new RangeError(`watermark on channel ${channel} is NaN: expected a number of ms`);
    }
    // Upstream marks itself active before it emits: a watermark on an idle channel is stale.
    if (this.idleChannels[channel] || watermark <= this.watermarks[channel]) return NONE;
    this.watermarks[channel] = watermark;
    return this.update();
  }

  /** The idle status was taken from `channel`. */
  inputIdle(channel: number): readonly ValveEffect[] {
    this.checkOpen(channel, "an idle status");
    if (this.idleChannels[channel]) return NONE;
    this.idleChannels[channel] = true;
    return this.update();
  }

  /** The active status was taken from `channel`. */
  inputActive(channel: number): readonly ValveEffect[] {
    this.checkOpen(channel, "an active status");
    if (!this.idleChannels[channel]) return NONE;
    this.idleChannels[channel] = false;
    return this.update();
  }

  /** `channel` ended (end of partition): it sends nothing more. */
  inputEnded(channel: number): readonly ValveEffect[] {
    this.check(channel);
    if (this.ended[channel]) return NONE;
    this.ended[channel] = true;
    this.endedCount++;
    return this.update();
  }

  // O(channels) per call: watermarks and statuses come at intervals, not per record.
  private update(): ValveEffect[] {
    const effects: ValveEffect[] = [];
    if (this.endedCount === this.channels) {
      // Downstream ignores the watermarks of an idle input: turn active to deliver the last one.
      this.activate(effects);
      this.advance(MAX_WATERMARK, effects);
    } else if (this.hasActiveChannel()) {
      this.activate(effects);
      this.advance(this.lowestAligned(), effects);
    } else if (!this.outputIdle) {
      this.advance(this.highestOpen(), effects);
      this.outputIdle = true;
      effects.push({ type: "idle" });
    }
    return effects;
  }

  private activate(effects: ValveEffect[]): void {
    if (!this.outputIdle) return;
    this.outputIdle = false;
    effects.push({ type: "active" });
  }

  private advance(watermark: Watermark, effects: ValveEffect[]): void {
    if (watermark <= this.output) return;
    this.output = watermark;
    effects.push({ type: "watermark", watermark });
  }

  private hasActiveChannel(): boolean {
    for (let c = 0; c < this.channels; c++) {
      if (!this.ended[c] && !this.idleChannels[c]) return true;
    }
    return false;
  }

  /**
   * The lowest watermark of the active channels that caught up with the output
   * (the output itself if none did). One behind the output is back from
   * idleness: counting it would move the output back.
   */
  private lowestAligned(): Watermark {
    let lowest: Watermark | undefined;
    for (let c = 0; c < this.channels; c++) {
      const watermark = this.watermarks[c];
      if (this.ended[c] || this.idleChannels[c] || watermark < this.output) continue;
      if (lowest === undefined || watermark < lowest) lowest = watermark;
    }
    return lowest ?? this.output;
  }

  private highestOpen(): Watermark {
    let highest = MIN_WATERMARK;
    for (let c = 0; c < this.channels; c++) {
      if (!this.ended[c] && this.watermarks[c] > highest) highest = this.watermarks[c];
    }
    return highest;
  }

  private checkOpen(channel: number, what: string): void {
    this.check(channel);
    if (this.ended[channel]) {
      throw new Error(`${what} on channel ${channel} after its end of partition`);
    }
  }

  private check(channel: number): void {
    if (!Number.isInteger(channel) || channel < 0 || channel >= this.channels) {
      throw new RangeError(`channel ${channel} out of range: this task has ${this.channels}`);
    }
  }
}
