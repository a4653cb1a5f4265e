/**
 * Test helpers: a fake window operator for one key that drives a trigger the
 * way the real one will (per-window state, deduplicated timers fired in time
 * order as the watermark or processing time advances), with calls as data and
 * results as short strings, so a trigger test reads as a table.
 * @module
 */

import assert from "node:assert/strict";
import type { ValueState } from "../api/state.ts";
import type { Window } from "../api/window.ts";
import { MIN_WATERMARK } from "../time/watermark.ts";
import type { OnMergeContext, Trigger, TriggerResult } from "./triggers.ts";

type TimerKind = "event" | "processing";

/** One call, as data. */
export type TriggerStep<T, W extends Window> =
  | readonly ["element", T, number, W] // element, timestamp, window
  | readonly ["watermark", number] // fires the due event-time timers
  | readonly ["processingTime", number] // fires the due processing-time timers
  | readonly ["merge", W, readonly W[]] // onMerge of the result, then clear of the merged
  | readonly ["clear", W]
  | readonly ["timers"] // lists the registered timers
  | readonly ["state", W]; // lists the window's trigger state

/** Drives one trigger for one key. */
export class TriggerHarness<T, W extends Window> {
  watermark = MIN_WATERMARK;
  processingTime = 0;
  readonly state = new Map<string, Map<string, unknown>>();
  readonly timers = new Map<string, { kind: TimerKind; time: number; window: W }>();

  constructor(readonly trigger: Trigger<T, W>) {}

  apply(step: TriggerStep<T, W>): string[] {
    switch (step[0]) {
      case "element": {
        const [, element, timestamp, window] = step;
        const result = this.trigger.onElement(element, timestamp, window, this.context(window));
        return show(result, `${window}`);
      }
      case "watermark":
        this.watermark = step[1];
        return this.fireDue("event", step[1]);
      case "processingTime":
        this.processingTime = step[1];
        return this.fireDue("processing", step[1]);
      case "merge":
        this.trigger.onMerge!(step[1], this.context(step[1], step[2]));
        for (const w of step[2]) this.trigger.clear(w, this.context(w));
        return [];
      case "clear":
        this.trigger.clear(step[1], this.context(step[1]));
        return [];
      case "timers":
        return [...this.timers.values()]
          .sort((a, b) => a.time - b.time)
          .map((t) => `${t.kind} ${t.window} @${t.time}`);
      case "state":
        return [...(this.state.get(step[1].key) ?? [])].map(([k, v]) => `${k}=${v}`);
    }
  }

  /** Fires timers of `kind` up to `time`, earliest first, including ones registered meanwhile. */
  private fireDue(kind: TimerKind, time: number): string[] {
    const out: string[] = [];
    for (;;) {
      const due = [...this.timers.entries()]
        .filter(([, t]) => t.kind === kind && t.time <= time)
        .sort(([, a], [, b]) => a.time - b.time)[0];
      if (due === undefined) return out;
      const [id, timer] = due;
      this.timers.delete(id);
      const ctx = this.context(timer.window);
      const result = kind === "event"
        ? this.trigger.onEventTime(timer.time, timer.window, ctx)
        : this.trigger.onProcessingTime(timer.time, timer.window, ctx);
      out.push(...show(result, `${timer.window} @${timer.time}`));
    }
  }

  private context(window: W, merged: readonly W[] = []): OnMergeContext {
    return new FakeContext(this, window, merged);
  }
}

/** The operator's side of the trigger calls for one window. */
class FakeContext<W extends Window> implements OnMergeContext {
  constructor(
    private readonly h: {
      watermark: number;
      processingTime: number;
      readonly state: Map<string, Map<string, unknown>>;
      readonly timers: Map<string, { kind: TimerKind; time: number; window: W }>;
    },
    private readonly window: W,
    private readonly merged: readonly W[],
  ) {}

  get currentWatermark(): number {
    return this.h.watermark;
  }

  get currentProcessingTime(): number {
    return this.h.processingTime;
  }

  registerEventTimeTimer(time: number): void {
    this.h.timers.set(this.timerId("event", time), { kind: "event", time, window: this.window });
  }

  registerProcessingTimeTimer(time: number): void {
    const timer = { kind: "processing" as const, time, window: this.window };
    this.h.timers.set(this.timerId("processing", time), timer);
  }

  deleteEventTimeTimer(time: number): void {
    this.h.timers.delete(this.timerId("event", time));
  }

  deleteProcessingTimeTimer(time: number): void {
    this.h.timers.delete(this.timerId("processing", time));
  }

  getState<V>(name: string): ValueState<V> {
    const store = this.store(this.window);
    return {
      value: () => store.get(name) as V | undefined,
      update: (v: V) => store.set(name, v),
      clear: () => store.delete(name),
    };
  }

  mergeState<V>(name: string, combine: (a: V, b: V) => V): void {
    const target = this.store(this.window);
    let acc = target.get(name) as V | undefined;
    for (const w of this.merged) {
      const v = this.store(w).get(name) as V | undefined;
      if (v !== undefined) acc = acc === undefined ? v : combine(acc, v);
    }
    if (acc !== undefined) target.set(name, acc);
  }

  private timerId(kind: TimerKind, time: number): string {
    return `${kind} ${this.window.key} ${time}`;
  }

  private store(w: Window): Map<string, unknown> {
    let s = this.h.state.get(w.key);
    if (s === undefined) this.h.state.set(w.key, s = new Map());
    return s;
  }
}

function show(result: TriggerResult, where: string): string[] {
  return result.name === "CONTINUE" ? [] : [`${result.name} ${where}`];
}

/** Feeds the steps to a fresh harness and checks each step's output. */
export function script<T, W extends Window>(
  trigger: Trigger<T, W>,
  steps: readonly (readonly [TriggerStep<T, W>, string[]])[],
): TriggerHarness<T, W> {
  const harness = new TriggerHarness(trigger);
  for (const [step, expected] of steps) {
    assert.deepEqual(harness.apply(step), expected, `after ${JSON.stringify(step)}`);
  }
  return harness;
}
