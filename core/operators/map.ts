/** Map operator: one record in, one record out. @module */

import type { MapFunction } from "../api/functions.ts";
import { AbstractStreamOperator } from "./stream_operator.ts";

export class MapOperator<T, R> extends AbstractStreamOperator<T, R> {
  constructor(private readonly fn: MapFunction<T, R>) {
    super();
  }
  processElement(record: T): void {
    this.output.collect(this.fn(record));
  }
}
