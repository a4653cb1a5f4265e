/**
 * The window operator (after Flink's WindowOperator and
 * EvictingWindowOperator): per key, it assigns each element to windows, folds
 * it into each window's contents, asks the trigger whether to fire or purge,
 * and drops a window's state once the watermark passes its end plus the
 * allowed lateness. Contents, trigger state and the session (merging) window
 * set are keyed state in the window's namespace, and trigger and cleanup
 * timers are per-key timers named by the window: all of it is checkpointed
 * and rescaled by key group like any keyed state. A fired window emits with
 * its max timestamp as the record timestamp.
 * @module
 */

import type { Collector, OutputTag, RichFunction } from "../api/functions.ts";
import type { ProcessWindowContext } from "../api/window_functions.ts";
import type { KeyedStateBackend } from "../state/keyed_state_backend.ts";
import { type ValueState, ValueStateDescriptor } from "../api/state.ts";
import type { InternalTimerService, Timer } from "../time/timer_service.ts";
import type { Evictor, EvictorContext, TimestampedValue } from "../windows/evictors.ts";
import {
  type MergeFunction,
  MergingWindowSet,
  type MergingWindowSetSnapshot,
} from "../windows/merging_window_set.ts";
import { GlobalWindow, TimeWindow } from "../windows/time_window.ts";
import type { Window } from "../api/window.ts";
import type { Trigger } from "../windows/triggers.ts";
import {
  isMergingWindowAssigner,
  type WindowAssigner,
  type WindowAssignerContext,
} from "../windows/window_assigners.ts";
import {
  evictingContents,
  foldElements,
  type ListContents,
  type WindowContents,
  windowContents,
  type WindowFold,
} from "./window_contents.ts";
import { AbstractUdfStreamOperator } from "./udf_operator.ts";
import { WindowFunctionContext, WindowTriggerContext } from "./window_contexts.ts";

/** The function a firing window is evaluated with, as the operator calls it. */
export interface InternalWindowFunction {
  /** The user function whose lifecycle hooks the operator forwards. */
  readonly rich?: RichFunction;
  /** `input` is the folded value (reduce, aggregate) or the elements (list). */
  process(
    key: unknown,
    input: unknown,
    ctx: ProcessWindowContext<Window>,
    out: Collector<unknown>,
  ): void;
  /** The window is dropped. */
  clear?(ctx: ProcessWindowContext<Window>): void;
}

/** Everything a window operator is built from. */
export interface WindowOperatorSpec {
  readonly assigner: WindowAssigner<unknown, Window>;
  readonly trigger: Trigger<unknown, Window>;
  readonly keySelector: (record: unknown) => unknown;
  readonly fold: WindowFold;
  readonly fn: InternalWindowFunction;
  readonly evictor?: Evictor<unknown, Window>;
  /** Event time a window is kept after its end for late elements (event-time windows). */
  readonly allowedLatenessMs: number;
  /** Where elements too late for every window go (dropped when unset). */
  readonly lateDataTag?: OutputTag<unknown>;
  /**
   * What of a late record goes to the side output (default: the record);
   * undefined drops it. Two-phase aggregation sends the element a partial carries.
   */
  readonly lateValueOf?: (record: unknown) => unknown;
}

const MERGING_WINDOWS = new ValueStateDescriptor<MergingWindowSetSnapshot>("window-merging-set");

/** The window a timer names (its namespace is the window's key, kept as the new window's). */
function windowOfKey(key: string): Window {
  if (key === GlobalWindow.get().key) return GlobalWindow.get();
  const sep = key.indexOf(":");
  return new TimeWindow(Number(key.slice(0, sep)), Number(key.slice(sep + 1)), key);
}

export class WindowOperator
  extends AbstractUdfStreamOperator<unknown, unknown, RichFunction | undefined> {
  protected backend!: KeyedStateBackend;
  protected timers!: InternalTimerService;
  private contents!: WindowContents;
  private triggerCtx!: WindowTriggerContext;
  protected windowCtx!: WindowFunctionContext;
  private mergingSets: ValueState<MergingWindowSetSnapshot> | undefined;
  /** The current key's merging windows (one object, loaded with each key's state value). */
  private mergingSet: MergingWindowSet | undefined;
  protected readonly assignerCtx: WindowAssignerContext;
  private readonly merging: boolean;
  private readonly eventTime: boolean;
  /** Elements dropped as too late for every window (no side output set). */
  numLateRecordsDropped = 0;

  constructor(protected readonly spec: WindowOperatorSpec) {
    super(spec.fn.rich);
    this.merging = isMergingWindowAssigner(spec.assigner);
    this.eventTime = spec.assigner.isEventTime;
    if (this.merging && !spec.trigger.canMerge) {
      throw new Error(`trigger ${spec.trigger} cannot merge: session windows need one that can`);
    }
    if (this.merging && spec.fold.kind === "aggregate" && spec.fold.fn.merge === undefined) {
      throw new Error(
        "session windows merge their accumulators: the AggregateFunction needs a merge method",
      );
    }
    const now = () => this.ctx.processingTime.now();
    this.assignerCtx = {
      get currentProcessingTime() {
        return now();
      },
    };
  }

  override open(): void | Promise<void> {
    const backend = this.ctx.keyedBackend;
    const timers = this.ctx.timerService;
    if (backend === undefined || timers === undefined) {
      throw new Error(`operator '${this.ctx.operatorName}': windows need a keyed stream`);
    }
    this.backend = backend;
    this.timers = timers;
    this.contents = this.spec.evictor === undefined
      ? windowContents(backend, this.spec.fold)
      : evictingContents(backend);
    this.triggerCtx = new WindowTriggerContext(backend, timers, this.ctx.processingTime);
    this.windowCtx = new WindowFunctionContext(
      this.runtimeContext(),
      backend,
      () => this.currentWatermark,
      this.output,
      this.ctx.processingTime,
    );
    if (this.merging) {
      this.mergingSets = backend.getState(MERGING_WINDOWS);
      this.mergingSet = new MergingWindowSet(this.spec.assigner as never);
    }
    timers.setTriggerable({
      onEventTime: (t) => this.onTimer(t, true),
      onProcessingTime: (t) => this.onTimer(t, false),
    });
    return super.open();
  }

  /** The watermark the operator last received. */
  get currentWatermark(): number {
    return this.timers.currentWatermark;
  }

  processElement(record: unknown): void {
    const spec = this.spec;
    const key = spec.keySelector(record);
    this.backend.setCurrentKey(key);
    const timestamp = this.ctx.timestamp.value;
    const windows = spec.assigner.assignWindows(record, timestamp, this.assignerCtx);
    const skipped = this.merging
      ? this.addToMergingWindows(key, record, timestamp, windows)
      : this.addToWindows(key, record, timestamp, windows);
    if (skipped && this.isElementLate(timestamp)) {
      this.ctx.timestamp.value = timestamp;
      this.sideOutputLate(record);
    }
  }

  /** Sends a record too late for every window to the late side output, or counts it dropped. */
  protected sideOutputLate(record: unknown): void {
    const spec = this.spec;
    const value = spec.lateValueOf === undefined ? record : spec.lateValueOf(record);
    if (spec.lateDataTag === undefined || value === undefined) this.numLateRecordsDropped++;
    else this.output.collectSide(spec.lateDataTag.id, value);
  }

  /** Returns true when every window was late (the element went nowhere). */
  private addToWindows(key: unknown, record: unknown, ts: number, windows: Window[]): boolean {
    let skipped = true;
    for (const window of windows) {
      if (this.isWindowLate(window)) continue;
      skipped = false;
      this.backend.setCurrentNamespace(window.key);
      this.contents.add(record, ts);
      this.onElementInWindow(key, record, ts, window, window);
    }
    return skipped;
  }

  private addToMergingWindows(
    key: unknown,
    record: unknown,
    ts: number,
    windows: Window[],
  ): boolean {
    const set = this.loadMergingSet();
    let skipped = true;
    for (const window of windows as TimeWindow[]) {
      const actual = set.addWindow(window, this.mergeWindows);
      if (this.isWindowLate(actual)) {
        set.retireWindow(actual);
        continue;
      }
      skipped = false;
      const stateWindow = set.getStateWindow(actual)!;
      this.backend.setCurrentNamespace(stateWindow.key);
      this.contents.add(record, ts);
      this.onElementInWindow(key, record, ts, actual, stateWindow);
    }
    this.saveMergingSet(set);
    return skipped;
  }

  /** Called by the merging window set for each merge (made once: it runs per element). */
  private readonly mergeWindows: MergeFunction = (result, merged, stateResult, mergedStates) => {
    if (
      this.eventTime && result.maxTimestamp() + this.spec.allowedLatenessMs <= this.currentWatermark
    ) {
      throw new Error(
        `merging made window ${result} end before the watermark ${this.currentWatermark}`,
      );
    }
    const tc = this.triggerCtx;
    tc.window = result;
    tc.merged = merged;
    this.spec.trigger.onMerge!(result, tc);
    tc.merged = [];
    for (const m of merged) {
      tc.window = m;
      this.spec.trigger.clear(m, tc);
      this.deleteCleanupTimer(m);
    }
    // A window that grew keeps its state window: no contents move.
    if (mergedStates.length > 0) {
      this.contents.merge(stateResult.key, mergedStates.map((w) => w.key));
    }
  };

  /** Runs the trigger for an element added to `window` (contents in `stateWindow`). */
  private onElementInWindow(
    key: unknown,
    record: unknown,
    ts: number,
    window: Window,
    stateWindow: Window,
  ): void {
    this.triggerCtx.window = window;
    const result = this.spec.trigger.onElement(record, ts, window, this.triggerCtx);
    if (result.fire) this.fire(key, window, stateWindow);
    if (result.purge) {
      this.backend.setCurrentNamespace(stateWindow.key);
      this.contents.clear();
    }
    this.registerCleanupTimer(window);
  }

  private onTimer(timer: Timer, eventTime: boolean): void {
    const window = windowOfKey(timer.namespace);
    let stateWindow = window;
    let set: MergingWindowSet | undefined;
    if (this.merging) {
      set = this.loadMergingSet();
      const sw = set.getStateWindow(window as TimeWindow);
      // A timer of a window merged into another since: nothing of it is left.
      if (sw === undefined) return;
      stateWindow = sw;
    }
    const tc = this.triggerCtx;
    tc.window = window;
    const trigger = this.spec.trigger;
    const result = eventTime
      ? trigger.onEventTime(timer.timestamp, window, tc)
      : trigger.onProcessingTime(timer.timestamp, window, tc);
    if (result.fire) this.fire(timer.key, window, stateWindow);
    if (result.purge) {
      this.backend.setCurrentNamespace(stateWindow.key);
      this.contents.clear();
    }
    if (eventTime === this.eventTime && timer.timestamp === this.cleanupTime(window)) {
      this.clearAllState(window, stateWindow, set);
    }
    if (set !== undefined) this.saveMergingSet(set);
  }

  /** Evaluates the window function on the window's contents (if any). */
  private fire(key: unknown, window: Window, stateWindow: Window): void {
    this.backend.setCurrentNamespace(stateWindow.key);
    const contents = this.contents.get();
    if (contents === undefined) return;
    const evictor = this.spec.evictor;
    if (evictor === undefined) {
      this.emit(key, window, contents);
      return;
    }
    const elements = contents as TimestampedValue<unknown>[];
    const ectx = this.evictorContext();
    evictor.evictBefore(elements, elements.length, window, ectx);
    const input = foldElements(this.spec.fold, elements.map((e) => e.value));
    if (input !== undefined) this.emit(key, window, input);
    evictor.evictAfter(elements, elements.length, window, ectx);
    this.backend.setCurrentNamespace(stateWindow.key);
    (this.contents as ListContents).update(elements);
  }

  protected emit(key: unknown, window: Window, input: unknown): void {
    this.backend.setCurrentNamespace(undefined);
    this.ctx.timestamp.value = window.maxTimestamp();
    this.windowCtx.window = window;
    this.spec.fn.process(key, input, this.windowCtx, this.output);
  }

  /**
   * Emits the contents of a window an operator keeping its own tables fired,
   * then clears the function's window state: the general operator's firing
   * and cleanup of one window, for key `key` (the function's keyed state is the key's).
   */
  protected emitWindow(key: unknown, input: unknown, window: Window): void {
    this.backend.setCurrentKey(key);
    this.emit(key, window, input);
    const clear = this.spec.fn.clear;
    if (clear !== undefined) {
      this.windowCtx.window = window;
      clear.call(this.spec.fn, this.windowCtx);
    }
  }

  private evictorContext(): EvictorContext {
    return {
      currentProcessingTime: this.ctx.processingTime.now(),
      currentWatermark: this.currentWatermark,
    };
  }

  /** Drops everything of `window`: contents, trigger state, the function's window state. */
  private clearAllState(window: Window, stateWindow: Window, set?: MergingWindowSet): void {
    this.backend.setCurrentNamespace(stateWindow.key);
    this.contents.clear();
    this.triggerCtx.window = window;
    this.spec.trigger.clear(window, this.triggerCtx);
    this.backend.setCurrentNamespace(undefined);
    if (this.spec.fn.clear !== undefined) {
      this.windowCtx.window = window;
      this.spec.fn.clear(this.windowCtx);
    }
    set?.retireWindow(window as TimeWindow);
  }

  /** The time `window`'s state is dropped: its end plus the allowed lateness (event time). */
  private cleanupTime(window: Window): number {
    const max = window.maxTimestamp();
    if (!this.eventTime) return max;
    const t = max + this.spec.allowedLatenessMs;
    return t >= Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : t;
  }

  private registerCleanupTimer(window: Window): void {
    const t = this.cleanupTime(window);
    // The global window never ends: its state stays until a trigger purges it.
    if (t >= Number.MAX_SAFE_INTEGER) return;
    if (this.eventTime) this.timers.registerEventTimeTimer(window.key, t);
    else this.timers.registerProcessingTimeTimer(window.key, t);
  }

  private deleteCleanupTimer(window: Window): void {
    const t = this.cleanupTime(window);
    if (t >= Number.MAX_SAFE_INTEGER) return;
    if (this.eventTime) this.timers.deleteEventTimeTimer(window.key, t);
    else this.timers.deleteProcessingTimeTimer(window.key, t);
  }

  /** An event-time window whose cleanup time the watermark passed takes no more elements. */
  private isWindowLate(window: Window): boolean {
    return this.eventTime && this.cleanupTime(window) <= this.currentWatermark;
  }

  private isElementLate(timestamp: number): boolean {
    return this.eventTime && timestamp + this.spec.allowedLatenessMs <= this.currentWatermark;
  }

  private loadMergingSet(): MergingWindowSet {
    this.backend.setCurrentNamespace(undefined);
    return this.mergingSet!.load(this.mergingSets!.value() ?? []);
  }

  private saveMergingSet(set: MergingWindowSet): void {
    this.backend.setCurrentNamespace(undefined);
    if (set.size === 0) this.mergingSets!.clear();
    else this.mergingSets!.update(set.snapshot());
  }
}
