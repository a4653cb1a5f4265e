/**
 * What the CheckpointCoordinator asks its caller to do, and the completed
 * checkpoint it hands over for the metadata.
 * @module
 */

import type { CheckpointKind } from "./checkpoint_stats.ts";

/** A checkpoint every task acknowledged: what the caller writes as metadata. */
export interface CompletedCheckpoint {
  readonly id: number;
  readonly kind: CheckpointKind;
  readonly triggerTimestampMs: number;
  readonly completionTimestampMs: number;
  readonly durationMs: number;
  /** State handle of each task that acknowledged, by task id. */
  readonly handles: ReadonlyMap<string, unknown>;
  /** Tasks that had finished and so did not acknowledge. */
  readonly finishedTasks: readonly string[];
  /** The parent of the savepoint's own directory, when one was given. */
  readonly targetDir?: string;
}

/** What the caller must do, in order. */
export type CheckpointEffect =
  /** Send `triggerCheckpoint` to these sources. */
  | {
    readonly type: "trigger";
    readonly checkpointId: number;
    readonly timestampMs: number;
    readonly kind: CheckpointKind;
    readonly sources: readonly string[];
    readonly targetDir?: string;
  }
  /** Write the metadata (atomically); if that fails call `completionFailed`, skip the notify. */
  | { readonly type: "complete"; readonly checkpoint: CompletedCheckpoint }
  /** Send `notifyCheckpointComplete` to every task (two-phase commit sinks commit). */
  | { readonly type: "notifyComplete"; readonly checkpointId: number }
  /** Send `abortCheckpoint` to every task and discard the checkpoint's partial data. */
  | { readonly type: "abort"; readonly checkpointId: number; readonly reason: string }
  /** Fail the job (then fail over: `reset`, restore, `setTasks`). */
  | { readonly type: "failJob"; readonly reason: string };
