/**
 * Generator sources: record i of a deterministic sequence is `fn(i)`. The
 * index range is split into contiguous shares, one per subtask, so the output
 * is the same at any parallelism. `fromSequence` is the identity generator.
 * @module
 */

import type { Output } from "../operators/stream_operator.ts";
import type { Availability, SourceContext, SourceReader, SourceSpec } from "./source_reader.ts";

/** The share [start, end) of `count` indices owned by `subtask` of `parallelism`. */
export function shareOf(count: number, parallelism: number, subtask: number): [number, number] {
  if (!Number.isFinite(count)) return [subtask, Infinity];
  const start = Math.floor(count * subtask / parallelism);
  return [start, Math.floor(count * (subtask + 1) / parallelism)];
}

class GeneratorReader<T> implements SourceReader<T> {
  private next = 0;
  private end = 0;
  private step = 1;

  constructor(private readonly count: number, private readonly fn: (index: number) => T) {}

  open(ctx: SourceContext): void {
    [this.next, this.end] = shareOf(this.count, ctx.parallelism, ctx.subtaskIndex);
    // Unbounded: subtasks interleave indices (i, i + p, i + 2p, ...).
    if (!Number.isFinite(this.count)) this.step = ctx.parallelism;
  }
  pollNext(output: Output<T>, gate: Availability, maxRecords: number): boolean {
    const fn = this.fn, step = this.step;
    let budget = maxRecords;
    while (budget-- > 0 && this.next < this.end && gate.available) {
      output.collect(fn(this.next));
      this.next += step;
    }
    return this.next < this.end;
  }
  close(): void {}
}

/** A source of `count` records `fn(0) .. fn(count - 1)`; `Infinity` runs forever. */
export function generatorSource<T>(count: number, fn: (index: number) => T): SourceSpec<T> {
  if (!(count >= 0)) throw new RangeError(`generator count must be >= 0, got ${count}`);
  return { bounded: Number.isFinite(count), createReader: () => new GeneratorReader(count, fn) };
}
