/**
 * An async iterable fed by a producer: the bridge from collect-sink batches to
 * the `for await` loop of a job's client code.
 * @module
 */

export class AsyncBatchQueue<T> implements AsyncIterable<T> {
  private readonly batches: T[][] = [];
  private closed = false;
  private error: unknown = undefined;
  private wake: (() => void) | undefined;

  /** Appends a batch of items. */
  push(batch: T[]): void {
    this.batches.push(batch);
    this.notify();
  }
  /** Ends the iteration after the queued items. */
  close(): void {
    this.closed = true;
    this.notify();
  }
  /** Ends the iteration with an error after the queued items. */
  fail(error: unknown): void {
    this.error = error;
    this.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const batch = this.batches.shift();
      if (batch !== undefined) {
        yield* batch;
        continue;
      }
      if (this.closed) {
        if (this.error !== undefined) throw this.error;
        return;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
