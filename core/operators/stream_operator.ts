/**
 * The operator contract of the runtime. Operators of one chain call each other
 * directly through `Output.collect`; the last operator of a chain writes into the
 * network. All methods run on the task's single thread, never re-entrantly.
 * @module
 */

import type { KeyedStateBackend } from "../state/keyed_state_backend.ts";
import type { OperatorStateStore } from "../state/operator_state.ts";
import type { ProcessingTimeService } from "../time/processing_time.ts";
import type { InternalTimerService } from "../time/timer_service.ts";

/** Where a source or a user function emits records. */
export interface RecordOutput<T> {
  collect(record: T): void;
}

/**
 * Where an operator emits: records (stamped with the task's current record
 * timestamp), records of a side output, and watermarks and idle status,
 * which go to every output (side outputs included).
 */
export interface Output<T> extends RecordOutput<T> {
  /** Emits `record` to the side output named `tag` (dropped when nothing reads it). */
  collectSide(tag: string, record: unknown): void;
  emitWatermark(watermark: number): void;
  /** `true`: this stream is idle (downstream stops waiting for its watermarks). */
  emitWatermarkStatus(idle: boolean): void;
}

/** No timestamp: the value of {@linkcode RecordTimestamp} for records without one. */
export const NO_TIMESTAMP = Number.NaN;

/**
 * The event timestamp of the record being processed, one per task and shared
 * by its chain: the task sets it for each input record, an operator that
 * emits with another timestamp (windows, timers, assigners) sets it before it
 * emits, and the network writer reads it. A cell rather than a record
 * wrapper, so no object is made per record.
 */
export class RecordTimestamp {
  value = NO_TIMESTAMP;
  /** The timestamp, or undefined when the record has none. */
  get(): number | undefined {
    const v = this.value;
    return v === v ? v : undefined;
  }
}

/** What the task gives each operator. */
export interface OperatorContext {
  readonly operatorName: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** The job's id (stable across restarts; names external transactions); absent in unit harnesses. */
  readonly jobId?: string;
  /** True when the job runs in batch mode (final results only). */
  readonly batch: boolean;
  /** Keyed state of this operator (keyed operators only), restored before `open`. */
  readonly keyedBackend?: KeyedStateBackend;
  /** Operator (non-keyed) state of this operator, restored before `open`. */
  readonly operatorState: OperatorStateStore;
  /** True when the job takes checkpoints (two-phase commit sinks hold output back until one completes). */
  readonly checkpointing: boolean;
  /** Sends a batch of records back to the submitting client (collect sinks). */
  sendToClient(sinkId: number, records: unknown[]): void;
  /** The current record's timestamp (shared by the chain). */
  readonly timestamp: RecordTimestamp;
  /** The task's clock and processing-time callbacks. */
  readonly processingTime: ProcessingTimeService;
  /** Per-key timers (keyed operators only), restored before `open`. */
  readonly timerService?: InternalTimerService;
  /** Holds the task's input while the operator cannot take more (absent outside a task). */
  readonly backpressure?: Backpressure;
}

/**
 * An operator's brake on its task: between `block()` and the matching
 * `unblock()` the task polls no source and reads no input (as when a network
 * output is full), e.g. while a sink waits for its external system.
 */
export interface Backpressure {
  block(): void;
  unblock(): void;
}

/** One key group's raw keyed state (see `StreamOperator.snapshotRawKeyed`). */
export interface RawKeyGroup {
  readonly keyGroup: number;
  readonly data: unknown;
}

/** A runtime operator; one instance per subtask. */
export interface StreamOperator<IN, OUT> {
  setup(ctx: OperatorContext, output: Output<OUT>): void;
  open(): void | Promise<void>;
  processElement(record: IN): void;
  /** Records of the second input (two-input operators only; the chain head). */
  processElement2?(record: unknown): void;
  /** The input's watermark advanced (the task's valve combined its channels). */
  processWatermark(watermark: number): void;
  /** The second input's watermark advanced (two-input operators only). */
  processWatermark2?(watermark: number): void;
  /** The input turned idle (`true`) or active again. */
  processWatermarkStatus(idle: boolean): void;
  /** The second input turned idle or active again (two-input operators only). */
  processWatermarkStatus2?(idle: boolean): void;
  /** All input consumed (bounded input); the operator may emit final records. */
  endInput(): void;
  /** Periodic hook from the task's buffer-timeout flusher (sinks flush here). */
  flush?(): void;
  /**
   * A checkpoint barrier passed this operator: put what belongs to the
   * checkpoint into `ctx.operatorState` now (keyed state is snapshotted by the
   * task). Runs between two records.
   */
  snapshotState?(checkpointId: number): void | Promise<void>;
  /**
   * Keyed state the operator keeps itself rather than in its keyed backend
   * (Flink's raw keyed state), filed by key group: taken right after
   * `snapshotState`, plain data the operator will not change afterwards.
   */
  snapshotRawKeyed?(): RawKeyGroup[];
  /** The raw keyed state of this subtask's key groups, before `open` (any old parallelism). */
  restoreRawKeyed?(groups: readonly RawKeyGroup[]): void;
  /** Checkpoint `checkpointId` is complete everywhere (two-phase commit: commit now). */
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  close(): void | Promise<void>;
}

/** Builds a fresh operator instance in the slot. */
export type OperatorFactory = () => StreamOperator<unknown, unknown>;

/**
 * Defaults for operators: keeps the subclasses to what they do. Operators
 * around a user function extend `AbstractUdfStreamOperator`
 * (`udf_operator.ts`), which adds the function's lifecycle.
 */
export abstract class AbstractStreamOperator<IN, OUT> implements StreamOperator<IN, OUT> {
  protected ctx!: OperatorContext;
  protected output!: Output<OUT>;

  setup(ctx: OperatorContext, output: Output<OUT>): void {
    this.ctx = ctx;
    this.output = output;
  }
  open(): void | Promise<void> {}
  abstract processElement(record: IN): void;
  endInput(): void {}
  close(): void | Promise<void> {}

  /** Fires the due event-time timers (keyed operators), then forwards the watermark. */
  processWatermark(watermark: number): void {
    this.ctx.timerService?.advanceWatermark(watermark);
    this.output.emitWatermark(watermark);
  }
  processWatermarkStatus(idle: boolean): void {
    this.output.emitWatermarkStatus(idle);
  }

  /** Nothing to put into operator state by default. */
  snapshotState(_checkpointId: number): void | Promise<void> {}
  notifyCheckpointComplete(_checkpointId: number): void | Promise<void> {}
}
