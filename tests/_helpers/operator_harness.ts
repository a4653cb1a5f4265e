/**
 * Drives one operator the way a task does, in this thread: the real keyed
 * heap backend, timer service, operator state and record timestamp, with
 * processing time on a manual clock (tests never sleep). Everything the
 * operator emits is recorded in order: records with their timestamps, side
 * outputs, watermarks and status. `snapshot()` and `restoredFrom()` take and
 * restore keyed state and timers as a checkpoint does.
 * @module
 */

import {
  type OperatorContext,
  type Output,
  RecordTimestamp,
  type StreamOperator,
} from "../../core/operators/stream_operator.ts";
import { HeapStateBackend } from "../../core/state/heap_state_backend.ts";
import type { KeyedStateSnapshot } from "../../core/state/keyed_state_backend.ts";
import { OperatorStateStore } from "../../core/state/operator_state.ts";
import { ManualProcessingTimeService } from "../../core/time/processing_time.ts";
import { InternalTimerService, type TimerGroupSnapshot } from "../../core/time/timer_service.ts";

/** One thing the operator emitted. */
export type Emitted =
  | { kind: "record"; value: unknown; timestamp: number | undefined }
  | { kind: "side"; tag: string; value: unknown; timestamp: number | undefined }
  | { kind: "watermark"; watermark: number }
  | { kind: "status"; idle: boolean };

/** What a harness snapshot holds (keyed state and timers). */
export interface HarnessSnapshot {
  readonly keyed?: KeyedStateSnapshot;
  readonly timers: TimerGroupSnapshot[];
}

export interface HarnessOptions {
  /** Makes the operator keyed: a heap backend and timers. */
  readonly keyed?: boolean;
  readonly processingTime?: number;
  readonly maxParallelism?: number;
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
      ? new HeapStateBackend({ maxParallelism: options.maxParallelism ?? 128 })
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

  /** Opens the operator (after an optional restore). */
  async open(restore?: HarnessSnapshot): Promise<this> {
    if (restore?.keyed) this.ctx.keyedBackend!.restore([restore.keyed]);
    if (restore && restore.timers.length > 0) this.ctx.timerService!.restore([restore.timers]);
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

  /** Moves processing time to `time`, firing due timers. */
  advanceProcessingTime(time: number): this {
    this.time.advanceTo(time);
    return this;
  }

  endInput(): this {
    this.op.endInput();
    return this;
  }

  /** Keyed state and timers as a checkpoint would take them. */
  async snapshot(): Promise<HarnessSnapshot> {
    await this.op.snapshotState?.(++checkpointIds);
    return {
      keyed: this.ctx.keyedBackend?.snapshotEncoded(checkpointIds),
      timers: this.ctx.timerService?.snapshot() ?? [],
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

  /** Forgets what was emitted so far. */
  clear(): this {
    this.emitted.length = 0;
    return this;
  }
}
