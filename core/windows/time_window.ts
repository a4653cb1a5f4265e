/**
 * Windows (after Flink's org.apache.flink.streaming.api.windowing.windows):
 * {@linkcode TimeWindow}, a half-open interval of time, and
 * {@linkcode GlobalWindow}, the one window holding every element of a key.
 * Windows are compared by value; `key` names one in maps and state namespaces.
 * @module
 */

import type { Window } from "../api/window.ts";

/** A window as plain data (for snapshots kept in keyed state). */
export interface TimeWindowData {
  readonly start: number;
  readonly end: number;
}

/** Called with the windows to merge and the window they merge into. */
export type MergeCallback<W> = (toBeMerged: W[], mergeResult: W) => void;

/**
 * The interval [start, end) of time, in milliseconds.
 *
 * @example
 * ```ts
 * import { TimeWindow } from "./time_window.ts";
 * const w = new TimeWindow(0, 5_000);
 * w.maxTimestamp(); // 4999
 * w.intersects(new TimeWindow(5_000, 10_000)); // true: adjacent windows merge
 * ```
 */
export class TimeWindow implements Window {
  readonly start: number;
  readonly end: number;

  /** The key, made at its first use (a session element's own window is mostly merged away unused). */
  #key: string | undefined;

  /** `key`, when given, must be the window's key (a timer's namespace): it is then not made again. */
  constructor(start: number, end: number, key?: string) {
    if (!Number.isFinite(start) || !Number.isFinite(end) || start >= end) {
      throw new RangeError(`a time window needs finite start < end, got [${start}, ${end})`);
    }
    // `+ 0` turns -0 into 0, so equal windows also have equal keys.
    this.start = start + 0;
    this.end = end + 0;
    this.#key = key;
  }

  /** The window of plain data `data` (`data` itself when it is a TimeWindow). */
  static from(data: TimeWindowData): TimeWindow {
    return data instanceof TimeWindow ? data : new TimeWindow(data.start, data.end);
  }

  /**
   * `start:end`, made once per window object: the window operator names state and
   * timers by it per record, and the same string object hashes once. Not an own
   * property, so a window stored in state or encoded is plain `{ start, end }`.
   */
  get key(): string {
    return this.#key ??= `${this.start}:${this.end}`;
  }

  /** `end - 1`: the end is exclusive. */
  maxTimestamp(): number {
    return this.end - 1;
  }

  /** True when the windows overlap or touch (Flink merges adjacent sessions). */
  intersects(other: TimeWindow): boolean {
    return this.start <= other.end && this.end >= other.start;
  }

  /** The smallest window containing both. */
  cover(other: TimeWindow): TimeWindow {
    return new TimeWindow(Math.min(this.start, other.start), Math.max(this.end, other.end));
  }

  equals(other: TimeWindow): boolean {
    return this.start === other.start && this.end === other.end;
  }

  /** The window as plain data. */
  toData(): TimeWindowData {
    return { start: this.start, end: this.end };
  }

  toString(): string {
    return `[${this.start}, ${this.end})`;
  }

  /**
   * Merges intersecting windows (Flink's TimeWindow.mergeWindows): sorts them by
   * start, grows a merge while the next window intersects it, and calls
   * `callback` for each merge of two or more distinct windows, in start order.
   *
   * @example
   * ```ts
   * import { TimeWindow } from "./time_window.ts";
   * TimeWindow.mergeWindows(
   *   [new TimeWindow(1, 6), new TimeWindow(10, 15), new TimeWindow(3, 8)],
   *   (merged, result) => console.log(merged.map(String), "->", String(result)),
   * ); // ["[1, 6)", "[3, 8)"] -> [1, 8)
   * ```
   */
  static mergeWindows(windows: readonly TimeWindow[], callback: MergeCallback<TimeWindow>): void {
    const sorted = [...windows].sort((a, b) => a.start - b.start);
    let cover: TimeWindow | undefined;
    let group = new Map<string, TimeWindow>();
    const flush = () => {
      if (cover !== undefined && group.size > 1) callback([...group.values()], cover);
    };
    for (const w of sorted) {
      if (cover !== undefined && cover.intersects(w)) {
        cover = cover.cover(w);
      } else {
        flush();
        cover = w;
        group = new Map();
      }
      group.set(w.key, w);
    }
    flush();
  }
}

/**
 * The single window of `GlobalWindows`: it never ends, so only a
 * custom trigger fires it.
 *
 * @example
 * ```ts
 * import { GlobalWindow } from "./time_window.ts";
 * GlobalWindow.get() === GlobalWindow.get(); // true
 * ```
 */
export class GlobalWindow implements Window {
  static readonly #instance = new GlobalWindow();

  private constructor() {}

  /** The one instance. */
  static get(): GlobalWindow {
    return GlobalWindow.#instance;
  }

  get key(): string {
    return "global";
  }

  /** The largest safe integer: no watermark passes it. */
  maxTimestamp(): number {
    return Number.MAX_SAFE_INTEGER;
  }

  toString(): string {
    return "GlobalWindow";
  }
}

/**
 * The start of the window of size `windowSize` (shifted by `offset`) that holds
 * `timestamp`; exactly Flink's TimeWindow.getWindowStartWithOffset, including
 * for negative timestamps (whose remainder is negative).
 *
 * @example
 * ```ts
 * import { getWindowStartWithOffset } from "./time_window.ts";
 * getWindowStartWithOffset(7_300, 0, 5_000); // 5000
 * getWindowStartWithOffset(7_300, 1_000, 5_000); // 6000
 * getWindowStartWithOffset(-1, 0, 5_000); // -5000
 * ```
 */
export function getWindowStartWithOffset(
  timestamp: number,
  offset: number,
  windowSize: number,
): number {
  const remainder = (timestamp - offset) % windowSize;
  const start = remainder < 0 ? timestamp - (remainder + windowSize) : timestamp - remainder;
  return start + 0;
}
