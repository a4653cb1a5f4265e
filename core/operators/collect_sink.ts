/**
 * Collect sink: ships records back to the submitting client in batches
 * (executeAndCollect). A batch leaves when it is full, on the task's
 * buffer-timeout flush, and at the end.
 * @module
 */

import { AbstractStreamOperator } from "./stream_operator.ts";

/** Records per batch sent to the client. */
export const COLLECT_BATCH_RECORDS = 1024;

export class CollectSinkOperator<T> extends AbstractStreamOperator<T, never> {
  private batch: T[] = [];

  constructor(private readonly sinkId: number) {
    super();
  }
  processElement(record: T): void {
    this.batch.push(record);
    if (this.batch.length >= COLLECT_BATCH_RECORDS) this.flush();
  }
  flush(): void {
    if (this.batch.length === 0) return;
    const records = this.batch;
    this.batch = [];
    this.ctx.sendToClient(this.sinkId, records);
  }
  override close(): void {
    this.flush();
  }
}
