/**
 * The contexts the window operator hands to triggers and window functions:
 * one instance each per operator, reused for every call, pointed at the
 * current window. Trigger state and window state are keyed state in the
 * window's namespace.
 * @module
 */

import type { OutputTag } from "../api/functions.ts";
import type { KeyedStateStore } from "../api/keyed_state_store.ts";
import { type ValueState, ValueStateDescriptor } from "../api/state.ts";
import type { Window } from "../api/window.ts";
import type { ProcessWindowContext } from "../api/window_functions.ts";
import type { KeyedStateBackend } from "../state/keyed_state_backend.ts";
import type { InternalTimerService } from "../time/timer_service.ts";
import { GlobalWindow } from "../windows/time_window.ts";
import type { OnMergeContext } from "../windows/triggers.ts";
import type { Output } from "./stream_operator.ts";

const TRIGGER_STATE_PREFIX = "window-trigger:";
const WINDOW_STATE_PREFIX = "window-state:";

/**
 * The trigger's view of the current key and window, one instance reused for
 * every call: its state handles set the window's namespace on each access.
 */
export class WindowTriggerContext implements OnMergeContext {
  window: Window = GlobalWindow.get();
  /** The windows being merged into `window` (during onMerge only). */
  merged: readonly Window[] = [];
  private readonly states = new Map<string, ValueState<unknown>>();

  constructor(
    private readonly backend: KeyedStateBackend,
    private readonly timers: InternalTimerService,
    private readonly time: { now(): number },
  ) {}

  get currentWatermark(): number {
    return this.timers.currentWatermark;
  }
  get currentProcessingTime(): number {
    return this.time.now();
  }
  registerEventTimeTimer(timeMs: number): void {
    this.timers.registerEventTimeTimer(this.window.key, timeMs);
  }
  registerProcessingTimeTimer(timeMs: number): void {
    this.timers.registerProcessingTimeTimer(this.window.key, timeMs);
  }
  deleteEventTimeTimer(timeMs: number): void {
    this.timers.deleteEventTimeTimer(this.window.key, timeMs);
  }
  deleteProcessingTimeTimer(timeMs: number): void {
    this.timers.deleteProcessingTimeTimer(this.window.key, timeMs);
  }

  getState<V>(name: string): ValueState<V> {
    let s = this.states.get(name);
    if (s === undefined) {
      const handle = this.backend.getState(new ValueStateDescriptor(TRIGGER_STATE_PREFIX + name));
      const inWindow = () => this.backend.setCurrentNamespace(this.window.key);
      s = {
        value: () => (inWindow(), handle.value()),
        update: (v) => (inWindow(), handle.update(v)),
        clear: () => (inWindow(), handle.clear()),
      };
      this.states.set(name, s);
    }
    return s as ValueState<V>;
  }

  mergeState<V>(name: string, combine: (a: V, b: V) => V): void {
    const state = this.getState<V>(name);
    const target = this.window;
    let acc: V | undefined;
    for (const m of this.merged) {
      this.window = m;
      const v = state.value();
      if (v !== undefined) acc = acc === undefined ? v : combine(acc, v);
    }
    this.window = target;
    if (acc === undefined) return;
    const own = state.value();
    state.update(own === undefined ? acc : combine(own, acc));
  }
}

/** What window functions see; reused for every firing. */
export class WindowFunctionContext implements ProcessWindowContext<Window> {
  window: Window = GlobalWindow.get();
  private readonly windowStore: KeyedStateStore;

  constructor(
    private readonly global: KeyedStateStore,
    backend: KeyedStateBackend,
    private readonly watermark: () => number,
    private readonly out: Output<unknown>,
    private readonly time: { now(): number },
  ) {
    this.windowStore = windowScopedStore(
      global,
      backend,
      () => WINDOW_STATE_PREFIX + this.window.key,
    );
  }

  currentProcessingTime(): number {
    return this.time.now();
  }
  currentWatermark(): number {
    return this.watermark();
  }
  windowState(): KeyedStateStore {
    return this.windowStore;
  }
  globalState(): KeyedStateStore {
    return this.global;
  }
  output<X>(tag: OutputTag<X>, value: X): void {
    this.out.collectSide(tag.id, value);
  }
}

/**
 * State handles of `global` whose every call runs in the namespace
 * `namespace()` (the firing window), then returns to the key's own state.
 */
function windowScopedStore(
  global: KeyedStateStore,
  backend: KeyedStateBackend,
  namespace: () => string,
): KeyedStateStore {
  const scoped = <H extends object>(handle: H): H =>
    new Proxy(handle, {
      get(target, prop) {
        const v = Reflect.get(target, prop);
        if (typeof v !== "function") return v;
        return (...args: unknown[]) => {
          backend.setCurrentNamespace(namespace());
          try {
            return v.apply(target, args);
          } finally {
            backend.setCurrentNamespace(undefined);
          }
        };
      },
    });
  return {
    getState: (d) => scoped(global.getState(d)),
    getListState: (d) => scoped(global.getListState(d)),
    getMapState: (d) => scoped(global.getMapState(d)),
    getReducingState: (d) => scoped(global.getReducingState(d)),
    getAggregatingState: (d) => scoped(global.getAggregatingState(d)),
  };
}
