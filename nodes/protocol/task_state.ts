/**
 * A task's state in checkpoints, as the task writes it, the JobMaster
 * records it and a restored task reads it back. Types only: taking and
 * restoring the state is the worker's (`nodes/worker/chain_state.ts`).
 * @module
 */

import type { StateFileHandle } from "../../core/checkpoint/checkpoint_storage.ts";
import type { RawKeyGroup } from "../../core/operators/stream_operator.ts";
import type { KeyedStateSnapshot } from "../../core/state/keyed_state_backend.ts";
import type { OperatorStateSnapshot } from "../../core/state/operator_state.ts";
import type { TimerGroupSnapshot } from "../../core/time/timer_service.ts";

/** An input buffer that was in flight at an unaligned checkpoint (replayed on restore). */
export interface InFlightBuffer {
  readonly channel: number;
  readonly records: number;
  readonly data: Uint8Array;
}

/** One operator's part of a task's state file. */
export interface OperatorSnapshot {
  readonly keyed?: KeyedStateSnapshot;
  /** Per-key timers, by key group (keyed operators). */
  readonly timers?: TimerGroupSnapshot[];
  /** Keyed state an operator keeps itself, by key group (keyed operators). */
  readonly rawKeyed?: RawKeyGroup[];
  readonly operator?: OperatorStateSnapshot;
  /** The source reader's position (source operators). */
  readonly source?: unknown;
  /** Unaligned checkpoints: the chain head's in-flight input, in the order it was taken. */
  readonly inFlight?: InFlightBuffer[];
}

/** What a task writes for one checkpoint. */
export interface TaskStateSnapshot {
  readonly version: 1;
  readonly checkpointId: number;
  readonly vertexId: number;
  readonly subtaskIndex: number;
  /** The vertex's parallelism when the snapshot was taken. */
  readonly parallelism: number;
  /** Operator uid -> its state. */
  readonly operators: Record<string, OperatorSnapshot>;
}

/** Where a task finds its state when it is restored: operator uid -> the files holding it. */
export interface TaskRestore {
  readonly checkpointId: number;
  readonly files: Record<string, StateFileHandle[]>;
}

/** What a task hands the JobMaster for one checkpoint. */
export interface TaskCheckpointHandle {
  /** The task's state file; absent when the task has no state. */
  readonly file?: StateFileHandle;
  /** Uids of the operators whose state is in the file. */
  readonly operators: string[];
  /** Time from the first to the last barrier of the checkpoint at this task. */
  readonly alignmentDurationMs: number;
  /** Time the task stopped processing to capture its state. */
  readonly syncDurationMs: number;
  /** Time spent converting and writing the state while records flowed. */
  readonly asyncDurationMs: number;
  /** Bytes of in-flight input stored with the state (unaligned checkpoints). */
  readonly inFlightBytes: number;
}
