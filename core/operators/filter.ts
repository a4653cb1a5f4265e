/** Filter operator: keeps the records the predicate accepts. @module */

import type { FilterFunction } from "../api/functions.ts";
import { AbstractUdfStreamOperator } from "./udf_operator.ts";

export class FilterOperator<T> extends AbstractUdfStreamOperator<T, T, FilterFunction<T>> {
  processElement(record: T): void {
    if (this.userFunction(record)) this.output.collect(record);
  }
}
