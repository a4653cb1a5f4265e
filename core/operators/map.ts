/** Map operator: one record in, one record out. @module */

import type { MapFunction } from "../api/functions.ts";
import { AbstractUdfStreamOperator } from "./udf_operator.ts";

export class MapOperator<T, R> extends AbstractUdfStreamOperator<T, R, MapFunction<T, R>> {
  processElement(record: T): void {
    this.output.collect(this.userFunction(record));
  }
}
