/**
 * Idleness detection around a watermark generator (after Flink's
 * WatermarksWithIdleness): a source split that gets no events would hold back
 * the watermark of every task downstream; marked idle, it is left out until
 * events arrive again.
 * @module
 */

import { requireMs } from "./_durations.ts";
import type { WatermarkGenerator, WatermarkOutput } from "./watermark.ts";

/**
 * Wraps `generator`: at a periodic emit, once no event arrived for more than
 * `idleTimeoutMs` of `clock`, it calls `output.markIdle()` (once) instead of
 * the wrapped emit; the next event calls `output.markActive()` first.
 *
 * The clock is read at periodic emits only, never per event: the countdown
 * starts at the first emit that saw no event since the one before. So the
 * stream turns idle no sooner than `idleTimeoutMs` after its last event, and
 * at most three watermark intervals later than that.
 *
 * @example
 * ```ts
 * import { BoundedOutOfOrdernessWatermarks } from "./bounded_out_of_orderness_watermarks.ts";
 * import { WatermarksWithIdleness } from "./watermarks_with_idleness.ts";
 * let nowMs = 0;
 * const inner = new BoundedOutOfOrdernessWatermarks<string>(0);
 * const generator = new WatermarksWithIdleness(inner, 1_000, () => nowMs);
 * const output = { emitWatermark() {}, markIdle: () => console.log("idle"), markActive() {} };
 * generator.onPeriodicEmit(output); // no event yet: the countdown starts at 0
 * nowMs = 1_001;
 * generator.onPeriodicEmit(output); // idle
 * ```
 */
export class WatermarksWithIdleness<T> implements WatermarkGenerator<T> {
  /** Time without events (in `clock` ms) after which the stream is idle. */
  readonly idleTimeoutMs: number;
  private sawEvent = false;
  private quietSinceMs: number | undefined;
  private idle = false;

  /** `clock` gives ms; throws a RangeError unless `idleTimeoutMs` is an integer >= 1. */
  constructor(
    private readonly generator: WatermarkGenerator<T>,
    idleTimeoutMs: number,
    private readonly clock: () => number,
  ) {
    this.idleTimeoutMs = requireMs("idleTimeoutMs", idleTimeoutMs, 1);
  }

  /** Marks the stream active again if it was idle, then passes the event on. */
  onEvent(event: T, timestamp: number, output: WatermarkOutput): void {
    if (this.idle) {
      this.idle = false;
      output.markActive();
    }
    this.sawEvent = true;
    this.generator.onEvent(event, timestamp, output);
  }

  /** Marks the stream idle after the timeout; otherwise lets the wrapped generator emit. */
  onPeriodicEmit(output: WatermarkOutput): void {
    if (!this.quietTooLong()) {
      this.generator.onPeriodicEmit(output);
    } else if (!this.idle) {
      this.idle = true;
      output.markIdle();
    }
  }

  private quietTooLong(): boolean {
    if (this.sawEvent) {
      this.sawEvent = false;
      this.quietSinceMs = undefined;
      return false;
    }
    const nowMs = this.clock();
    if (this.quietSinceMs === undefined) {
      this.quietSinceMs = nowMs;
      return false;
    }
    return nowMs - this.quietSinceMs > this.idleTimeoutMs;
  }
}
