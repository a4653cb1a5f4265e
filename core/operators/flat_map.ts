/** FlatMap operator: one record in, any number out. @module */

import type { FlatMapFunction } from "../api/functions.ts";
import { AbstractUdfStreamOperator } from "./udf_operator.ts";

export class FlatMapOperator<T, R> extends AbstractUdfStreamOperator<T, R, FlatMapFunction<T, R>> {
  processElement(record: T): void {
    // The output is the collector: no wrapper object per record.
    this.userFunction(record, this.output);
  }
}
