/** A bounded source over elements given in the job (non-parallel, as in Flink). @module */

import type { RecordOutput } from "../operators/stream_operator.ts";
import type { Availability, SourceReader, SourceSpec } from "./source_reader.ts";

class CollectionReader<T> implements SourceReader<T> {
  private next = 0;
  constructor(private readonly elements: readonly T[]) {}
  open(): void {}
  pollNext(output: RecordOutput<T>, gate: Availability, maxRecords: number): boolean {
    const stop = Math.min(this.elements.length, this.next + maxRecords);
    while (this.next < stop && gate.available) output.collect(this.elements[this.next++]);
    return this.next < this.elements.length;
  }
  snapshotState(): number {
    return this.next;
  }
  restoreState(states: readonly unknown[]): void {
    this.next = (states[0] as number | undefined) ?? 0;
  }
  close(): void {}
}

/** A source emitting `elements` in order. */
export function collectionSource<T>(elements: readonly T[]): SourceSpec<T> {
  return {
    bounded: true,
    maxParallelism: 1,
    createReader: () => new CollectionReader(elements),
  };
}
