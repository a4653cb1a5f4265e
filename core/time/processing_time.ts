/**
 * Processing time for operators: the task's clock and its timers. Timers fire
 * on the task's thread between two records (the task runs them from its
 * mailbox loop), never inside another operator call. Tests drive a
 * {@linkcode ManualProcessingTimeService} instead of sleeping.
 * @module
 */

import { MinHeap } from "./_min_heap.ts";

/** A registered processing-time callback. */
export interface ScheduledTimer {
  /** Removes the callback; a no-op once it ran. */
  cancel(): void;
}

/** The clock and timers of one task. */
export interface ProcessingTimeService {
  /** The current processing time in ms. */
  now(): number;
  /**
   * Calls `callback(time)` once `now() >= time`, between two records; or
   * `callback(Infinity)` when processing time ends (a batch job's end of input).
   */
  registerTimer(time: number, callback: (time: number) => void): ScheduledTimer;
}

interface Entry {
  readonly time: number;
  readonly seq: number;
  readonly callback: (time: number) => void;
  cancelled: boolean;
}

/**
 * Timers ordered by time (then registration order), fired by `fireDue(now)`.
 * The task's and the manual service share it.
 */
export class TimerQueue {
  private readonly heap = new MinHeap<Entry>((a, b) =>
    a.time < b.time || (a.time === b.time && a.seq < b.seq)
  );
  private seq = 0;

  get size(): number {
    return this.heap.size;
  }

  /** The earliest pending time, or Infinity. */
  get nextTime(): number {
    return this.heap.peek()?.time ?? Infinity;
  }

  add(time: number, callback: (time: number) => void): ScheduledTimer {
    const entry: Entry = { time, seq: this.seq++, callback, cancelled: false };
    this.heap.push(entry);
    return { cancel: () => (entry.cancelled = true) };
  }

  /**
   * The end of processing time: runs every pending callback in time order,
   * each called with Infinity (time has passed them all); callbacks they
   * register stay pending (a timer that re-arms itself would run forever).
   */
  fireAllPending(): void {
    const pending: Entry[] = [];
    while (this.heap.size > 0) pending.push(this.heap.pop()!);
    for (const e of pending) if (!e.cancelled) e.callback(Infinity);
  }

  /** Runs every callback due at `now` (including ones they register that are due too). */
  fireDue(now: number): void {
    while (this.heap.size > 0 && this.nextTime <= now) {
      const e = this.heap.pop()!;
      if (!e.cancelled) e.callback(e.time);
    }
  }
}

/**
 * Processing time that moves only when a test says so.
 *
 * @example
 * ```ts
 * import { ManualProcessingTimeService } from "./processing_time.ts";
 * const time = new ManualProcessingTimeService(0);
 * const fired: number[] = [];
 * time.registerTimer(100, (t) => fired.push(t));
 * time.advanceTo(150); // fired: [100]
 * ```
 */
export class ManualProcessingTimeService implements ProcessingTimeService {
  private readonly queue = new TimerQueue();
  constructor(private current = 0) {}
  now(): number {
    return this.current;
  }
  registerTimer(time: number, callback: (time: number) => void): ScheduledTimer {
    return this.queue.add(time, callback);
  }
  /** Moves the clock to `time` and fires what is due. */
  advanceTo(time: number): void {
    if (time < this.current) throw new RangeError(`processing time cannot go back to ${time}`);
    this.current = time;
    this.queue.fireDue(time);
  }
}

/**
 * The task's processing time: the wall clock (`Date.now`), and a single OS
 * timer armed for the earliest callback. When it goes off, `onDue` wakes the
 * task, whose loop calls `fireDue()` at its next turn.
 */
export class TaskProcessingTimeService implements ProcessingTimeService {
  private readonly queue = new TimerQueue();
  private armedFor = Infinity;
  private handle: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    private readonly onDue: () => void,
    private readonly clock: () => number = Date.now,
  ) {}

  now(): number {
    return this.clock();
  }

  registerTimer(time: number, callback: (time: number) => void): ScheduledTimer {
    const timer = this.queue.add(time, callback);
    this.arm();
    return timer;
  }

  /** True when a callback is due now. */
  get due(): boolean {
    return this.queue.nextTime <= this.clock();
  }

  /** Runs every pending callback whatever its time (end of input in batch mode). */
  fireAllPending(): void {
    this.queue.fireAllPending();
    this.arm();
  }

  /** Runs the due callbacks; the task calls it between records. */
  fireDue(): void {
    if (this.queue.nextTime <= this.clock()) this.queue.fireDue(this.clock());
    this.arm();
  }

  /** Stops the OS timer; nothing fires any more. */
  close(): void {
    this.closed = true;
    clearTimeout(this.handle);
  }

  private arm(): void {
    const next = this.queue.nextTime;
    if (this.closed || next === Infinity || next >= this.armedFor) return;
    clearTimeout(this.handle);
    this.armedFor = next;
    this.handle = setTimeout(() => {
      this.armedFor = Infinity;
      this.handle = undefined;
      this.onDue();
    }, Math.max(0, next - this.clock()));
  }
}
