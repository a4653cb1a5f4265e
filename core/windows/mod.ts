/**
 * The window core of spate (after Flink's org.apache.flink.streaming.api.windowing):
 * windows, window assigners, the merging window set of session windows,
 * triggers and evictors. All of it is deterministic logic: the window operator
 * passes watermarks and processing times in, and keeps the state and timers.
 *
 * @example
 * ```ts
 * import { CountEvictor, PurgingTrigger, SlidingEventTimeWindows, TimeWindow } from "./mod.ts";
 * const assigner = SlidingEventTimeWindows.of(60_000, 10_000);
 * const windows: TimeWindow[] = assigner.assignWindows("e", 65_000, { currentProcessingTime: 0 });
 * const trigger = PurgingTrigger.of(assigner.defaultTrigger());
 * const evictor = CountEvictor.of(1_000);
 * ```
 * @module
 */

export * from "./time_window.ts";
export * from "./window_assigners.ts";
export * from "./tumbling_windows.ts";
export * from "./sliding_windows.ts";
export * from "./session_windows.ts";
export * from "./global_windows.ts";
export * from "./merging_window_set.ts";
export * from "./triggers.ts";
export * from "./event_time_trigger.ts";
export * from "./processing_time_trigger.ts";
export * from "./count_trigger.ts";
export * from "./continuous_triggers.ts";
export * from "./purging_trigger.ts";
export * from "./never_trigger.ts";
export * from "./evictors.ts";
