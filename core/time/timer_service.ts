/**
 * Per-key timers of a keyed operator, in event time and processing time
 * (after Flink's InternalTimerService). A timer is (timestamp, key,
 * namespace); registering it twice keeps one. Event-time timers fire when the
 * watermark reaches them, processing-time timers when the task's clock does;
 * before each firing the backend's current key is set to the timer's key.
 * Timers are keyed state: a snapshot files them by key group, and a restore
 * keeps those of the backend's key group range (rescaling).
 * @module
 */

import type { KeyedStateBackend } from "../state/keyed_state_backend.ts";
import { type StateKey, stateKeyOf } from "../state/keyed_state_backend.ts";
import type { ProcessingTimeService, ScheduledTimer } from "./processing_time.ts";
import { MIN_WATERMARK } from "./watermark.ts";
import { TimerHeap } from "./_timer_heap.ts";

/** A timer as its owner sees it when it fires. */
export interface Timer {
  readonly timestamp: number;
  readonly key: unknown;
  /** What the timer is for within the key (a window, or "" for KeyedProcessFunction). */
  readonly namespace: string;
}

/** The operator a timer service fires into. */
export interface Triggerable {
  onEventTime(timer: Timer): void;
  onProcessingTime(timer: Timer): void;
}

/** `[timestamp, key, namespace]` */
export type TimerTuple = readonly [number, unknown, string];

/** The timers of one key group. */
export interface TimerGroupSnapshot {
  readonly keyGroup: number;
  readonly eventTime: readonly TimerTuple[];
  readonly processingTime: readonly TimerTuple[];
}

interface Entry extends Timer {
  readonly keyGroup: number;
  readonly seq: number;
  /** False once deleted or fired: its heap slot is then stale. */
  live: boolean;
}

/** The timers at one timestamp: namespace -> state key -> timer. */
type TimersAt = Map<string, Map<StateKey, Entry>>;

/** Where the index files a timestamp (see `KeyedTimerQueue.slotOf`). */
type Slot = number | string;

/**
 * Timers of one time domain: deduplicated by (timestamp, namespace, key),
 * ordered by timestamp. Dedup is a lookup through nested maps rather than a
 * string id per call: the window operator registers a timer per element, and
 * building and hashing an id string each time dominated its cost. A
 * timestamp with one timer holds it directly: process functions often have
 * one timer per timestamp (an auction's expiry), and two maps per timer were
 * most of their registration cost.
 */
class KeyedTimerQueue {
  private readonly index = new Map<Slot, Entry | TimersAt>();
  /** The first timestamp filed by offset (-1: none yet). */
  private base = -1;
  /** Ordered by (timestamp, seq): timers of one timestamp fire in the order they were added. */
  private readonly heap = new TimerHeap<Entry>();
  private seq = 0;
  /** The timer added last (a window's trigger and cleanup timer are one, added twice in a row). */
  private last: Entry | undefined;
  /** Number of live timers. */
  size = 0;

  /** The earliest live timestamp, or Infinity. */
  peekTime(): number {
    this.dropStale();
    return this.heap.peekTime();
  }

  add(timestamp: number, key: unknown, namespace: string, keyGroup: number): void {
    const last = this.last;
    if (
      last !== undefined && last.live && last.timestamp === timestamp && last.key === key &&
      last.namespace === namespace
    ) return; // the same timer again: no lookup
    const slot = this.slotOf(timestamp);
    const at = this.index.get(slot);
    if (at === undefined) {
      this.index.set(slot, this.newEntry(timestamp, key, namespace, keyGroup));
      return;
    }
    const k = stateKeyOf(key);
    let byKey: Map<StateKey, Entry> | undefined;
    if (at instanceof Map) {
      byKey = at.get(namespace);
      if (byKey === undefined) at.set(namespace, byKey = new Map());
      const existing = byKey.get(k);
      if (existing !== undefined) {
        this.last = existing;
        return;
      }
    } else {
      if (at.namespace === namespace && stateKeyOf(at.key) === k) {
        this.last = at;
        return;
      }
      // A second timer at this timestamp: from one timer to the nested maps.
      const timers: TimersAt = new Map([[at.namespace, new Map([[stateKeyOf(at.key), at]])]]);
      this.index.set(slot, timers);
      byKey = timers.get(namespace);
      if (byKey === undefined) timers.set(namespace, byKey = new Map());
    }
    byKey.set(k, this.newEntry(timestamp, key, namespace, keyGroup));
  }

  private newEntry(timestamp: number, key: unknown, namespace: string, keyGroup: number): Entry {
    const e: Entry = { timestamp, key, namespace, keyGroup, seq: this.seq++, live: true };
    this.last = e;
    this.heap.push(e, timestamp, e.seq);
    this.size++;
    return e;
  }

  delete(timestamp: number, key: unknown, namespace: string): void {
    const at = this.index.get(this.slotOf(timestamp));
    if (at === undefined) return;
    const k = stateKeyOf(key);
    const e = at instanceof Map
      ? at.get(namespace)?.get(k)
      : at.namespace === namespace && stateKeyOf(at.key) === k
      ? at
      : undefined;
    if (e !== undefined) this.unindex(e); // its heap entry turns stale
  }

  /** The latest finite timestamp of a timer (stale ones included), or -Infinity. */
  maxFiniteTime(): number {
    return this.heap.maxFiniteTime();
  }

  /** Removes and returns the earliest live timer if it is due at `time`. */
  pollDue(time: number): Entry | undefined {
    if (this.peekTime() > time || this.heap.size === 0) return undefined;
    const e = this.heap.pop()!;
    this.unindex(e);
    return e;
  }

  /** The live timers, in no particular order. */
  *entries(): Iterable<Entry> {
    for (const at of this.index.values()) {
      if (!(at instanceof Map)) yield at;
      else for (const byKey of at.values()) yield* byKey.values();
    }
  }

  private unindex(e: Entry): void {
    e.live = false;
    this.size--;
    const slot = this.slotOf(e.timestamp);
    const at = this.index.get(slot)!;
    if (!(at instanceof Map)) {
      this.index.delete(slot);
      return;
    }
    const byKey = at.get(e.namespace)!;
    byKey.delete(stateKeyOf(e.key));
    if (byKey.size === 0) {
      at.delete(e.namespace);
      if (at.size === 0) this.index.delete(slot);
    }
  }

  /**
   * The index key of a timestamp: its offset from the first one filed, for
   * the usual epoch milliseconds. Those are beyond V8's small integers, and a
   * map keyed by them took twice as long per lookup (boxed, hashed as
   * doubles); offsets within ~24 days are small integers. Other timestamps
   * (negative, fractional, infinite) are filed as strings, which no offset
   * can equal.
   */
  private slotOf(timestamp: number): Slot {
    if (!(timestamp >= 0 && Number.isSafeInteger(timestamp))) return String(timestamp);
    if (this.base < 0) this.base = timestamp;
    return timestamp - this.base;
  }

  private dropStale(): void {
    const heap = this.heap;
    for (let top = heap.peek(); top && !top.live; top = heap.peek()) heap.pop();
  }
}

/**
 * The timers of one keyed operator subtask.
 *
 * @example
 * ```ts
 * import { HeapStateBackend } from "../state/heap_state_backend.ts";
 * import { ManualProcessingTimeService } from "./processing_time.ts";
 * import { InternalTimerService } from "./timer_service.ts";
 * const backend = new HeapStateBackend({});
 * const timers = new InternalTimerService(backend, new ManualProcessingTimeService());
 * const fired: number[] = [];
 * timers.setTriggerable({
 *   onEventTime: (t) => fired.push(t.timestamp),
 *   onProcessingTime: () => {},
 * });
 * backend.setCurrentKey("a");
 * timers.registerEventTimeTimer("", 10);
 * timers.advanceWatermark(10); // fired: [10]
 * ```
 */
export class InternalTimerService {
  private readonly eventTime = new KeyedTimerQueue();
  private readonly processingTime = new KeyedTimerQueue();
  private triggerable: Triggerable | undefined;
  private scheduled: ScheduledTimer | undefined;
  private scheduledAt = Infinity;
  /** The last watermark this operator received. */
  currentWatermark = MIN_WATERMARK;

  constructor(
    private readonly backend: KeyedStateBackend,
    private readonly time: ProcessingTimeService,
  ) {}

  /** Where timers fire; set by the operator in `open`. */
  setTriggerable(triggerable: Triggerable): void {
    this.triggerable = triggerable;
    this.schedule();
  }

  currentProcessingTime(): number {
    return this.time.now();
  }

  /** Number of pending timers (both domains). */
  get size(): number {
    return this.eventTime.size + this.processingTime.size;
  }

  registerEventTimeTimer(namespace: string, timestamp: number): void {
    this.eventTime.add(timestamp, this.backend.currentKey, namespace, this.backend.currentKeyGroup);
  }

  deleteEventTimeTimer(namespace: string, timestamp: number): void {
    this.eventTime.delete(timestamp, this.backend.currentKey, namespace);
  }

  registerProcessingTimeTimer(namespace: string, timestamp: number): void {
    const b = this.backend;
    this.processingTime.add(timestamp, b.currentKey, namespace, b.currentKeyGroup);
    if (timestamp < this.scheduledAt) this.schedule();
  }

  deleteProcessingTimeTimer(namespace: string, timestamp: number): void {
    this.processingTime.delete(timestamp, this.backend.currentKey, namespace);
  }

  /** The watermark reached `watermark`: fires the event-time timers up to it, in order. */
  advanceWatermark(watermark: number): void {
    this.currentWatermark = watermark;
    const t = this.triggerable;
    if (t === undefined) return;
    for (let e = this.eventTime.pollDue(watermark); e; e = this.eventTime.pollDue(watermark)) {
      this.backend.setCurrentKey(e.key);
      t.onEventTime(e);
    }
  }

  /** The timers, filed by key group (plain data for the state file). */
  snapshot(): TimerGroupSnapshot[] {
    const groups = new Map<number, { eventTime: TimerTuple[]; processingTime: TimerTuple[] }>();
    const file = (queue: KeyedTimerQueue, domain: "eventTime" | "processingTime") => {
      for (const e of queue.entries()) {
        let g = groups.get(e.keyGroup);
        if (g === undefined) groups.set(e.keyGroup, g = { eventTime: [], processingTime: [] });
        g[domain].push([e.timestamp, e.key, e.namespace]);
      }
    };
    file(this.eventTime, "eventTime");
    file(this.processingTime, "processingTime");
    return [...groups].sort((a, b) => a[0] - b[0]).map(([keyGroup, g]) => ({ keyGroup, ...g }));
  }

  /** Adds the timers of the backend's key groups from snapshots of any old subtasks. */
  restore(snapshots: readonly (readonly TimerGroupSnapshot[])[]): void {
    const { start, end } = this.backend.keyGroupRange;
    for (const groups of snapshots) {
      for (const g of groups) {
        if (g.keyGroup < start || g.keyGroup > end) continue;
        for (const [ts, key, ns] of g.eventTime) this.eventTime.add(ts, key, ns, g.keyGroup);
        for (const [ts, key, ns] of g.processingTime) {
          this.processingTime.add(ts, key, ns, g.keyGroup);
        }
      }
    }
    this.schedule();
  }

  /** Arms one processing-time callback for the earliest processing-time timer. */
  private schedule(): void {
    const next = this.processingTime.peekTime();
    if (this.triggerable === undefined || next === this.scheduledAt) return;
    this.scheduled?.cancel();
    this.scheduledAt = next;
    this.scheduled = next === Infinity
      ? undefined
      : this.time.registerTimer(next, (at) => this.fireProcessingTime(at));
  }

  /**
   * Fires the processing-time timers due at `at` (the time the service calls
   * back for). `at` = Infinity is the end of processing time (a batch job's
   * end of input): every timer pending then fires, and those they register
   * for up to the latest of them; later ones never fire.
   */
  private fireProcessingTime(at: number): void {
    this.scheduledAt = Infinity;
    this.scheduled = undefined;
    const now = at === Infinity
      ? this.processingTime.maxFiniteTime()
      : Math.max(this.time.now(), at);
    const t = this.triggerable!;
    for (let e = this.processingTime.pollDue(now); e; e = this.processingTime.pollDue(now)) {
      this.backend.setCurrentKey(e.key);
      t.onProcessingTime(e);
    }
    this.schedule();
  }
}
