/** Filter operator: keeps the records the predicate accepts. @module */

import type { FilterFunction } from "../api/functions.ts";
import { AbstractStreamOperator } from "./stream_operator.ts";

export class FilterOperator<T> extends AbstractStreamOperator<T, T> {
  constructor(private readonly fn: FilterFunction<T>) {
    super();
  }
  processElement(record: T): void {
    if (this.fn(record)) this.output.collect(record);
  }
}
