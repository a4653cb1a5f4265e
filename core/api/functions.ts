/**
 * User function types of the DataStream API. Each may be a plain function or,
 * for the rich variants, an object with `open`/`close` lifecycle hooks.
 * @module
 */

import type { KeyedStateStore } from "./keyed_state_store.ts";
import type { ListState, ListStateDescriptor, MapState, MapStateDescriptor } from "./state.ts";

/** Receives the records a function emits. */
export interface Collector<T> {
  /** Emits one record downstream. */
  collect(record: T): void;
}

/**
 * Facts about the running subtask, handed to `open` of rich functions, and
 * its state: keyed state (keyed operators only: elsewhere the getters throw)
 * and operator state.
 */
export interface RuntimeContext extends KeyedStateStore {
  /** Name of the operator this function runs in. */
  readonly operatorName: string;
  /** Index of this parallel subtask, 0-based. */
  readonly subtaskIndex: number;
  /** Parallelism of the operator. */
  readonly parallelism: number;
  /** This subtask's operator (non-keyed) state, restored before `open`. */
  getOperatorStateStore(): OperatorStateAccess;
}

/** Operator state: lists split or unioned on restore, and broadcast maps (Flink's OperatorStateStore). */
export interface OperatorStateAccess {
  /** On restore at another parallelism, the elements of all old subtasks are split evenly. */
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  /** On restore, every subtask gets the elements of all old subtasks. */
  getUnionListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  /** A map every subtask holds the same copy of. */
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V>;
}

/** Lifecycle hooks shared by rich functions. */
export interface RichFunction {
  /** Called once per subtask before the first record (after state was restored). */
  open?(ctx: RuntimeContext): void | Promise<void>;
  /** Called once per subtask after the last record. */
  close?(): void | Promise<void>;
  /**
   * A checkpoint barrier reached this function: put what belongs to the
   * checkpoint into operator state now (Flink's CheckpointedFunction).
   */
  snapshotState?(checkpointId: number): void | Promise<void>;
  /** The checkpoint completed everywhere: commit what it covers (two-phase commit). */
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
}

/** A one-to-one transformation. */
export type MapFunction<T, R> = (value: T) => R;
/** A one-to-many transformation. */
export type FlatMapFunction<T, R> = (value: T, out: Collector<R>) => void;
/** A predicate; records for which it returns false are dropped. */
export type FilterFunction<T> = (value: T) => boolean;
/** Combines two values of the same key into one. */
export type ReduceFunction<T> = (a: T, b: T) => T;
/** Extracts the key of a record. */
export type KeySelector<T, K> = (value: T) => K;
/** Picks the target channel of a record, given the number of channels. */
export type Partitioner<K> = (key: K, numPartitions: number) => number;

/**
 * Names a side output and the type of its records: a process function emits
 * to it with `ctx.output(tag, value)`, and `getSideOutput(tag)` reads it.
 *
 * @example
 * ```ts
 * import { OutputTag } from "./functions.ts";
 * const late = new OutputTag<{ id: string }>("late-events");
 * ```
 */
export class OutputTag<T> {
  /** Carries T for type inference only. */
  declare readonly _type?: T;
  constructor(readonly id: string) {
    if (typeof id !== "string" || id.length === 0) {
      throw new TypeError("an OutputTag needs a non-empty id");
    }
  }
}

/** Time and timers of a process function (timers on keyed streams only). */
export interface TimerService {
  /** The task's processing time in ms. */
  currentProcessingTime(): number;
  /** The operator's watermark (-Infinity before the first). */
  currentWatermark(): number;
  /** Calls `onTimer` for the current key once the watermark reaches `timeMs`. */
  registerEventTimeTimer(timeMs: number): void;
  /** Calls `onTimer` for the current key once processing time reaches `timeMs`. */
  registerProcessingTimeTimer(timeMs: number): void;
  deleteEventTimeTimer(timeMs: number): void;
  deleteProcessingTimeTimer(timeMs: number): void;
}

/** Context of one `processElement` call of a ProcessFunction. */
export interface ProcessContext {
  /** Index of this parallel subtask. */
  readonly subtaskIndex: number;
  /** Event timestamp of the current record (undefined when it has none). */
  timestamp(): number | undefined;
  /** Emits `value` to the side output `tag`. */
  output<X>(tag: OutputTag<X>, value: X): void;
  /** Time, and timers on keyed streams. */
  timerService(): TimerService;
}

/** Context of one `processElement` call of a KeyedProcessFunction. */
export interface KeyedProcessContext<K> extends ProcessContext {
  /** Key of the record being processed. */
  getCurrentKey(): K;
}

/** Which clock a timer belongs to. */
export type TimeDomain = "event_time" | "processing_time";

/** Context of an `onTimer` call: the timer's key is the current key. */
export interface OnTimerContext<K> extends KeyedProcessContext<K> {
  /** The clock of the timer that fired. */
  timeDomain(): TimeDomain;
}

/** A low-level function over each record of a (non-keyed) stream. */
export interface ProcessFunction<T, R> extends RichFunction {
  /** Handles one record; emits any number of results through `out`. */
  processElement(value: T, ctx: ProcessContext, out: Collector<R>): void;
  /** Called once when the input is exhausted (bounded streams). */
  endInput?(out: Collector<R>): void;
}

/** A low-level function over each record of a keyed stream, with keyed state. */
export interface KeyedProcessFunction<K, T, R> extends RichFunction {
  /** Handles one record; state accessed here is scoped to the record's key. */
  processElement(value: T, ctx: KeyedProcessContext<K>, out: Collector<R>): void;
  /** A timer registered through `ctx.timerService()` fired (event time: the watermark passed it). */
  onTimer?(timestamp: number, ctx: OnTimerContext<K>, out: Collector<R>): void;
  /** Called once when the input is exhausted (bounded streams). */
  endInput?(out: Collector<R>): void;
}

/** A user sink: a function called per record, or an object with lifecycle hooks. */
export type SinkFunction<T> = ((value: T) => void) | RichSinkFunction<T>;

/** A sink with lifecycle hooks. */
export interface RichSinkFunction<T> extends RichFunction {
  /** Writes one record. */
  invoke(value: T): void;
}
