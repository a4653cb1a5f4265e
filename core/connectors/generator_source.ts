/**
 * Generator sources: record i of a deterministic sequence is `fn(i)`. A
 * bounded generator splits its index range into contiguous shares, one per
 * subtask; its checkpointed position is the ranges still to emit, which a
 * restored job (at any parallelism) redistributes. `fromSequence` is the
 * identity generator.
 * @module
 */

import type { RecordOutput } from "../operators/stream_operator.ts";
import type { Availability, SourceContext, SourceReader, SourceSpec } from "./source_reader.ts";

/** The share [start, end) of `count` indices owned by `subtask` of `parallelism`. */
export function shareOf(count: number, parallelism: number, subtask: number): [number, number] {
  const start = Math.floor(count * subtask / parallelism);
  return [start, Math.floor(count * (subtask + 1) / parallelism)];
}

/** Index ranges [from, to) to emit, in order. */
type Ranges = [number, number][];

/** Subtask `index`'s share of the union of `ranges`, split evenly by count. */
export function redistributeRanges(ranges: Ranges, parallelism: number, index: number): Ranges {
  const sorted = ranges.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const total = sorted.reduce((s, [a, b]) => s + b - a, 0);
  const [from, to] = shareOf(total, parallelism, index);
  const mine: Ranges = [];
  let offset = 0;
  for (const [a, b] of sorted) {
    const lo = Math.max(a, a + from - offset), hi = Math.min(b, a + to - offset);
    if (hi > lo) mine.push([lo, hi]);
    offset += b - a;
  }
  return mine;
}

/** Generator options. */
export interface GeneratorOptions {
  /** Records per second over all subtasks (default: as fast as possible). */
  readonly recordsPerSecond?: number;
}

/** Paces a subtask to a rate: how many records it may emit now, or how long to wait. */
class RateLimiter {
  private startMs = performance.now();
  private emitted = 0;
  constructor(private readonly perSecond: number) {}
  allowance(): number {
    return Math.floor((performance.now() - this.startMs) * this.perSecond / 1000) - this.emitted;
  }
  consumed(n: number): void {
    this.emitted += n;
  }
  /** A wait until at least one more record is allowed (at least a few ms: no busy loop). */
  pause(): Promise<boolean> {
    const ms = Math.max(5, 1000 / this.perSecond);
    return new Promise((resolve) => setTimeout(() => resolve(true), ms));
  }
}

/** This subtask's limiter: its share of the rate, if the generator has one. */
function rateLimiterFor(options: GeneratorOptions, ctx: SourceContext): RateLimiter | undefined {
  const rate = options.recordsPerSecond;
  return rate === undefined ? undefined : new RateLimiter(rate / ctx.parallelism);
}

class BoundedGeneratorReader<T> implements SourceReader<T> {
  private ranges: Ranges = [];
  private ctx!: SourceContext;
  private limiter: RateLimiter | undefined;

  constructor(
    private readonly count: number,
    private readonly fn: (index: number) => T,
    private readonly options: GeneratorOptions,
  ) {}

  open(ctx: SourceContext): void {
    this.ranges = [shareOf(this.count, ctx.parallelism, ctx.subtaskIndex)];
    this.ctx = ctx;
    this.limiter = rateLimiterFor(this.options, ctx);
  }

  pollNext(
    output: RecordOutput<T>,
    gate: Availability,
    maxRecords: number,
  ): boolean | Promise<boolean> {
    const fn = this.fn, limiter = this.limiter;
    let budget = maxRecords;
    if (limiter !== undefined && this.ranges.length > 0) {
      const allowed = limiter.allowance();
      if (allowed <= 0) return limiter.pause();
      budget = Math.min(budget, allowed);
    }
    const granted = budget;
    let more = false;
    while (this.ranges.length > 0) {
      const r = this.ranges[0];
      while (budget > 0 && r[0] < r[1] && gate.available) {
        output.collect(fn(r[0]++));
        budget--;
      }
      if (r[0] < r[1]) {
        more = true;
        break;
      }
      this.ranges.shift();
    }
    // Only what was emitted: records held back by backpressure stay allowed.
    limiter?.consumed(granted - budget);
    return more;
  }
  snapshotState(): Ranges {
    return this.ranges.map(([a, b]) => [a, b]);
  }
  restoreState(states: readonly unknown[]): void {
    const all = (states as Ranges[]).flat();
    this.ranges = redistributeRanges(all, this.ctx.parallelism, this.ctx.subtaskIndex);
  }
  close(): void {}
}

/** Unbounded: subtasks interleave indices (i, i + p, i + 2p, ...). */
class UnboundedGeneratorReader<T> implements SourceReader<T> {
  private next = 0;
  private step = 1;
  private ctx!: SourceContext;
  private limiter: RateLimiter | undefined;

  constructor(
    private readonly fn: (index: number) => T,
    private readonly options: GeneratorOptions,
  ) {}

  open(ctx: SourceContext): void {
    this.ctx = ctx;
    this.next = ctx.subtaskIndex;
    this.step = ctx.parallelism;
    this.limiter = rateLimiterFor(this.options, ctx);
  }
  pollNext(
    output: RecordOutput<T>,
    gate: Availability,
    maxRecords: number,
  ): boolean | Promise<boolean> {
    const fn = this.fn, step = this.step, limiter = this.limiter;
    let budget = maxRecords;
    if (limiter !== undefined) {
      const allowed = limiter.allowance();
      if (allowed <= 0) return limiter.pause();
      budget = Math.min(budget, allowed);
    }
    const granted = budget;
    for (; budget > 0 && gate.available; budget--) {
      output.collect(fn(this.next));
      this.next += step;
    }
    limiter?.consumed(granted - budget);
    return true;
  }
  snapshotState(): number {
    return this.next;
  }
  restoreState(states: readonly unknown[]): void {
    if (states.length !== this.ctx.parallelism) {
      throw new Error(
        `an unbounded generator resumes only at its old parallelism (${states.length}), not ${this.ctx.parallelism}`,
      );
    }
    this.next = states[this.ctx.subtaskIndex] as number;
  }
  close(): void {}
}

/** A source of `count` records `fn(0) .. fn(count - 1)`; `Infinity` runs forever. */
export function generatorSource<T>(
  count: number,
  fn: (index: number) => T,
  options: GeneratorOptions = {},
): SourceSpec<T> {
  if (!(count >= 0)) throw new RangeError(`generator count must be >= 0, got ${count}`);
  const rate = options.recordsPerSecond;
  if (rate !== undefined && !(rate > 0 && Number.isFinite(rate))) {
    throw new RangeError(`recordsPerSecond must be a positive number, got ${rate}`);
  }
  const bounded = Number.isFinite(count);
  return {
    bounded,
    // An unbounded subtask's position is an index of its own interleaving.
    rescalable: bounded,
    createReader: () =>
      bounded
        ? new BoundedGeneratorReader(count, fn, options)
        : new UnboundedGeneratorReader(fn, options),
  };
}
