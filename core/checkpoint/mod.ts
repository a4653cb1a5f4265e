/**
 * Checkpointing state machines: the job-wide {@linkcode CheckpointCoordinator}
 * and the per-task {@linkcode BarrierAligner}. Both are deterministic: callers
 * feed events with explicit timestamps and perform the effects returned.
 *
 * @example
 * ```ts
 * import { BarrierAligner, CheckpointCoordinator } from "./mod.ts";
 * const coordinator = new CheckpointCoordinator({ intervalMs: 10_000 });
 * const aligner = new BarrierAligner(3, "exactly_once");
 * ```
 * @module
 */

export * from "./barrier_aligner.ts";
export * from "./checkpoint_coordinator.ts";
export * from "./checkpoint_effects.ts";
export * from "./checkpoint_stats.ts";
export * from "./checkpoint_settings.ts";
