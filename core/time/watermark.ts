/**
 * Event time (after Flink's `org.apache.flink.api.common.eventtime`): records
 * carry timestamps in ms, and watermarks flow with them. A watermark `t` says
 * that event time has reached `t`: no more records with a timestamp <= `t` are
 * expected, so windows and timers up to `t` may fire. Plain types, no clock:
 * the runtime drives generators and passes every time in.
 * @module
 */

/** A watermark: a point in event time, in ms. */
export type Watermark = number;

/** The watermark before any is known: nothing is complete yet. */
export const MIN_WATERMARK: Watermark = Number.NEGATIVE_INFINITY;

/** The watermark at the end of input: every timestamp is complete. */
export const MAX_WATERMARK: Watermark = Number.POSITIVE_INFINITY;

/**
 * Where a {@linkcode WatermarkGenerator} sends its watermarks and idleness.
 *
 * @example
 * ```ts
 * import type { WatermarkOutput } from "./watermark.ts";
 * const log: string[] = [];
 * const output: WatermarkOutput = {
 *   emitWatermark: (watermark) => log.push(`watermark ${watermark}`),
 *   markIdle: () => log.push("idle"),
 *   markActive: () => log.push("active"),
 * };
 * output.emitWatermark(42); // log: ["watermark 42"]
 * ```
 */
export interface WatermarkOutput {
  /** Event time reached `watermark`; the output ignores a watermark not above the last one. */
  emitWatermark(watermark: Watermark): void;
  /** No events for now: downstream stops waiting for this stream's watermarks. */
  markIdle(): void;
  /** Events again: downstream waits for this stream's watermarks again. */
  markActive(): void;
}

/**
 * Makes watermarks from the timestamps of one stream's events. A periodic
 * generator emits in `onPeriodicEmit` (the runtime calls it at an interval);
 * a punctuated one emits in `onEvent`, when an event carries the information.
 *
 * @example
 * ```ts
 * import type { WatermarkGenerator, WatermarkOutput } from "./watermark.ts";
 * // Punctuated: events flagged `end` close everything up to their timestamp.
 * class EndMarkers implements WatermarkGenerator<{ end: boolean }> {
 *   onEvent(event: { end: boolean }, timestamp: number, output: WatermarkOutput): void {
 *     if (event.end) output.emitWatermark(timestamp);
 *   }
 *   onPeriodicEmit(): void {}
 * }
 * ```
 */
export interface WatermarkGenerator<T> {
  /** Called for every event, with the timestamp the assigner gave it. */
  onEvent(event: T, timestamp: number, output: WatermarkOutput): void;
  /** Called at the runtime's watermark interval. */
  onPeriodicEmit(output: WatermarkOutput): void;
}

/**
 * Gives an event its timestamp in ms. `recordTimestamp` is the timestamp the
 * record already carries (from the source), or `undefined` when it has none.
 *
 * @example
 * ```ts
 * import type { TimestampAssigner } from "./watermark.ts";
 * const byField: TimestampAssigner<{ atMs: number }> = (event) => event.atMs;
 * byField({ atMs: 1_000 }, undefined); // 1000
 * ```
 */
export type TimestampAssigner<T> = (event: T, recordTimestamp: number | undefined) => number;
