/**
 * Event time: watermark generators and strategies for sources, and the
 * {@linkcode StatusWatermarkValve} that combines a task's input watermarks.
 * Pure logic: callers pass every time in (after Flink's
 * `org.apache.flink.api.common.eventtime`).
 *
 * @example
 * ```ts
 * import { StatusWatermarkValve, WatermarkStrategy } from "./mod.ts";
 * const strategy = WatermarkStrategy.forBoundedOutOfOrderness<number>(1_000)
 *   .withTimestampAssigner((event) => event);
 * const valve = new StatusWatermarkValve(4);
 * ```
 * @module
 */

export * from "./bounded_out_of_orderness_watermarks.ts";
export * from "./watermark.ts";
export * from "./watermark_strategy.ts";
export * from "./watermark_valve.ts";
export * from "./watermarks_with_idleness.ts";
