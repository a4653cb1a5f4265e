/** FlatMap operator: one record in, any number out. @module */

import type { FlatMapFunction } from "../api/functions.ts";
import { AbstractStreamOperator } from "./stream_operator.ts";

export class FlatMapOperator<T, R> extends AbstractStreamOperator<T, R> {
  constructor(private readonly fn: FlatMapFunction<T, R>) {
    super();
  }
  processElement(record: T): void {
    // The output is the collector: no wrapper object per record.
    this.fn(record, this.output);
  }
}
