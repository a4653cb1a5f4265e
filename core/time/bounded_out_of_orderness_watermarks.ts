/**
 * The periodic watermark generator for streams whose events arrive at most a
 * fixed time out of order (after Flink's BoundedOutOfOrdernessWatermarks).
 * @module
 */

import { requireMs } from "./_durations.ts";
import { MIN_WATERMARK, type WatermarkGenerator, type WatermarkOutput } from "./watermark.ts";

/**
 * Assumes no event is more than `maxOutOfOrdernessMs` behind the highest
 * timestamp seen, and emits that highest timestamp - `maxOutOfOrdernessMs` - 1
 * at every periodic emit (unchanged ones too: the output drops repeats). The
 * - 1 because a watermark `t` closes `t` itself, and an event exactly
 * `maxOutOfOrdernessMs` late is still on time. Before any event it emits
 * {@linkcode MIN_WATERMARK}.
 *
 * @example
 * ```ts
 * import { BoundedOutOfOrdernessWatermarks } from "./bounded_out_of_orderness_watermarks.ts";
 * const generator = new BoundedOutOfOrdernessWatermarks<string>(3);
 * const output = { emitWatermark: console.log, markIdle() {}, markActive() {} };
 * generator.onEvent("a", 10, output);
 * generator.onEvent("b", 5, output);
 * generator.onPeriodicEmit(output); // emits 6
 * ```
 */
export class BoundedOutOfOrdernessWatermarks<T> implements WatermarkGenerator<T> {
  /** How late (in ms behind the highest timestamp) an event may be and still be on time. */
  readonly maxOutOfOrdernessMs: number;
  private maxTimestamp = MIN_WATERMARK;

  /** Throws a RangeError unless `maxOutOfOrdernessMs` is an integer >= 0. */
  constructor(maxOutOfOrdernessMs: number) {
    this.maxOutOfOrdernessMs = requireMs("maxOutOfOrdernessMs", maxOutOfOrdernessMs, 0);
  }

  /** Remembers the highest timestamp; emits nothing (this generator is periodic). */
  onEvent(_event: T, timestamp: number, _output: WatermarkOutput): void {
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
  }

  /** Emits the highest timestamp seen - `maxOutOfOrdernessMs` - 1. */
  onPeriodicEmit(output: WatermarkOutput): void {
    output.emitWatermark(this.maxTimestamp - this.maxOutOfOrdernessMs - 1);
  }
}
