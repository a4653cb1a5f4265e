/**
 * How many records a source emits before its slot's event loop takes a turn.
 *
 * A source task runs its chained operators inside `pollNext`, and nothing
 * else in the slot runs until it returns: not checkpoint triggers, not
 * timers, not the continuation of a checkpoint's asynchronous write, not the
 * other task sharing the slot. A fixed count of records is no bound on that
 * time: 2,048 records through a map costing 30 us each held a slot for
 * ~100 ms, and every await in a checkpoint's write then waited that long
 * (a checkpoint took ~1 s, against ~10 ms once the source had ended).
 *
 * So the batch adapts to a time slice. It starts small (the first batch
 * comes before any measure of the chain's cost), shrinks in proportion when a full
 * batch overran the slice and doubles, up to its maximum, while a full batch
 * takes under half of it. A batch the source did not fill (it ran dry, or a
 * rate limit paused it) says nothing about the cost of a record and leaves
 * the size alone. One clock read per batch; nothing per record.
 * @module
 */

/** The first batch's size, at most: four doublings reach the usual maximum. */
const FIRST_BATCH_RECORDS = 128;

export class SourceBatchSize {
  /** Records the next `pollNext` may emit. */
  records: number;

  /**
   * @param maxRecords the largest batch (the size a cheap chain runs at)
   * @param sliceMs the time a batch should take at most
   */
  constructor(private readonly maxRecords: number, private readonly sliceMs: number) {
    if (!Number.isInteger(maxRecords) || maxRecords < 1) {
      throw new RangeError(`a source batch must be at least 1 record, got ${maxRecords}`);
    }
    if (!(sliceMs > 0)) throw new RangeError(`a source slice must be > 0 ms, got ${sliceMs}`);
    this.records = Math.min(maxRecords, FIRST_BATCH_RECORDS);
  }

  /** Adapts the size after a batch that emitted `emitted` records in `elapsedMs`. */
  update(emitted: number, elapsedMs: number): void {
    if (emitted < this.records) return;
    if (elapsedMs > this.sliceMs) {
      this.records = Math.max(1, Math.floor(this.records * this.sliceMs / elapsedMs));
    } else if (elapsedMs < this.sliceMs / 2 && this.records < this.maxRecords) {
      this.records = Math.min(this.maxRecords, this.records * 2);
    }
  }
}
