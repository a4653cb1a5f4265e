/**
 * Drives one operator the way a task does, in this thread: the real keyed
 * heap backend, timer service, operator state and record timestamp, with
 * processing time on a manual clock (tests never sleep). Everything the
 * operator emits is recorded in order: records with their timestamps, side
 * outputs, watermarks and status. `snapshot()` and `open(snapshot)` take and
 * restore keyed state, timers and operator state as a checkpoint does.
 * @module
 */

import {
  type OperatorContext,
  type Output,
  type RawKeyGroup,
  RecordTimestamp,
  type StreamOperator,
} from "../../core/operators/stream_operator.ts";
import { HeapStateBackend } from "../../core/state/heap_state_backend.ts";
import type { KeyedStateSnapshot } from "../../core/state/keyed_state_backend.ts";
import type { KeyGroupRange } from "../../core/state/key_groups.ts";
import { type OperatorStateSnapshot, OperatorStateStore } from "../../core/state/operator_state.ts";
import { ManualProcessingTimeService } from "../../core/time/processing_time.ts";
import { InternalTimerService, type TimerGroupSnapshot } from "../../core/time/timer_service.ts";

/** One thing the operator emitted. */
export type Emitted =
  | { kind: "record"; value: unknown; timestamp: number | undefined }
  | { kind: "side"; tag: string; value: unknown; timestamp: number | undefined }
  | { kind: "watermark"; watermark: number }
  | { kind: "status"; idle: boolean };

/** What a harness snapshot holds (keyed state, timers, raw keyed and operator state). */
export interface HarnessSnapshot {
  readonly keyed?: KeyedStateSnapshot;
  readonly timers: TimerGroupSnapshot[];
  readonly rawKeyed?: RawKeyGroup[];
  readonly operator?: OperatorStateSnapshot;
}

export interface HarnessOptions {
  /** Makes the operator keyed: a heap backend and timers. */
  readonly keyed?: boolean;
  readonly processingTime?: number;
  readonly maxParallelism?: number;
  /** The key groups of a keyed operator (default: all), to restore as one of several subtasks. */
  readonly keyGroupRange?: KeyGroupRange;
  readonly batch?: boolean;
}

let checkpointIds = 0;

export class OperatorHarness<IN, OUT> {
  readonly emitted: Emitted[] = [];
  readonly time: ManualProcessingTimeService;
  readonly timestamp = new RecordTimestamp();
  readonly ctx: OperatorContext;

  constructor(readonly op: StreamOperator<IN, OUT>, options: HarnessOptions = {}) {
    this.time = new ManualProcessingTimeService(options.processingTime ?? 0);
    const backend = options.keyed
      ? new HeapStateBackend({
        maxParallelism: options.maxParallelism ?? 128,
        keyGroupRange: options.keyGroupRange,
      })
      : undefined;
    this.ctx = {
      operatorName: "op under test",
      subtaskIndex: 0,
      parallelism: 1,
      maxParallelism: options.maxParallelism ?? 128,
      batch: options.batch ?? false,
      keyedBackend: backend,
      operatorState: new OperatorStateStore(),
      checkpointing: false,
      sendToClient() {},
      timestamp: this.timestamp,
      processingTime: this.time,
      timerService: backend && new InternalTimerService(backend, this.time),
    };
    const ts = this.timestamp;
    const emitted = this.emitted;
    const output: Output<OUT> = {
      collect: (value) => emitted.push({ kind: "record", value, timestamp: ts.get() }),
      collectSide: (tag, value) => emitted.push({ kind: "side", tag, value, timestamp: ts.get() }),
      emitWatermark: (watermark) => emitted.push({ kind: "watermark", watermark }),
      emitWatermarkStatus: (idle) => emitted.push({ kind: "status", idle }),
    };
    op.setup(this.ctx, output as Output<unknown> as Output<OUT>);
  }

  /** Opens the operator (after an optional restore, of one or several old subtasks). */
  async open(restore?: HarnessSnapshot | HarnessSnapshot[]): Promise<this> {
    const all = restore === undefined ? [] : Array.isArray(restore) ? restore : [restore];
    const keyed = all.flatMap((r) => r.keyed ? [r.keyed] : []);
    if (keyed.length > 0) this.ctx.keyedBackend!.restore(keyed);
    const timers = all.map((r) => r.timers).filter((t) => t.length > 0);
    if (timers.length > 0) this.ctx.timerService!.restore(timers);
    const raw = all.flatMap((r) => r.rawKeyed ?? []);
    if (raw.length > 0) {
      const { start, end } = this.ctx.keyedBackend!.keyGroupRange;
      this.op.restoreRawKeyed!(raw.filter((g) => g.keyGroup >= start && g.keyGroup <= end));
    }
    const operator = all.flatMap((r) => r.operator?.states.length ? [r.operator] : []);
    if (operator.length > 1) throw new Error("the harness restores operator state of one subtask");
    if (operator.length === 1) this.ctx.operatorState.restore(operator[0]);
    await this.op.open();
    return this;
  }

  /** A record with event timestamp `timestamp` (undefined: none). */
  element(record: IN, timestamp?: number): this {
    this.timestamp.value = timestamp ?? Number.NaN;
    this.op.processElement(record);
    return this;
  }

  /** A record of the second input (two-input operators). */
  element2(record: unknown, timestamp?: number): this {
    this.timestamp.value = timestamp ?? Number.NaN;
    this.op.processElement2!(record);
    return this;
  }

  watermark(watermark: number): this {
    this.op.processWatermark(watermark);
    return this;
  }

  watermark2(watermark: number): this {
    this.op.processWatermark2!(watermark);
    return this;
  }

  /** The first input turned idle (`true`) or active again. */
  status(idle: boolean): this {
    this.op.processWatermarkStatus(idle);
    return this;
  }

  /** The second input turned idle or active again (two-input operators). */
  status2(idle: boolean): this {
    this.op.processWatermarkStatus2!(idle);
    return this;
  }

  /** Moves processing time to `time`, firing due timers. */
  advanceProcessingTime(time: number): this {
    this.time.advanceTo(time);
    return this;
  }

  endInput(): this {
    this.op.endInput();
    return this;
  }

  /** Keyed state, timers and operator state as a checkpoint would take them. */
  async snapshot(): Promise<HarnessSnapshot> {
    await this.op.snapshotState?.(++checkpointIds);
    return {
      keyed: this.ctx.keyedBackend?.snapshotEncoded(checkpointIds),
      timers: this.ctx.timerService?.snapshot() ?? [],
      rawKeyed: this.op.snapshotRawKeyed?.(),
      operator: this.ctx.operatorState.snapshot(checkpointIds),
    };
  }

  /** The main output's records, in order. */
  records(): OUT[] {
    return this.emitted.flatMap((e) => e.kind === "record" ? [e.value as OUT] : []);
  }

  /** The main output's records with their timestamps. */
  timestamped(): [OUT, number | undefined][] {
    return this.emitted.flatMap((e) =>
      e.kind === "record" ? [[e.value as OUT, e.timestamp] as [OUT, number | undefined]] : []
    );
  }

  /** The records of side output `tag`. */
  side(tag: string): unknown[] {
    return this.emitted.flatMap((e) => e.kind === "side" && e.tag === tag ? [e.value] : []);
  }

  watermarks(): number[] {
    return this.emitted.flatMap((e) => e.kind === "watermark" ? [e.watermark] : []);
  }

  /** Watermarks and idle status in the order they left: numbers, "idle" and "active". */
  progress(): (number | "idle" | "active")[] {
    const out: (number | "idle" | "active")[] = [];
    for (const e of this.emitted) {
      if (e.kind === "watermark") out.push(e.watermark);
      else if (e.kind === "status") out.push(e.idle ? "idle" : "active");
    }
    return out;
  }

  /** Forgets what was emitted so far. */
  clear(): this {
    this.emitted.length = 0;
    return this;
  }
}
