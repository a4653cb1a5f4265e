/** Sink operator around a user SinkFunction. @module */

import type { RichSinkFunction, SinkFunction } from "../api/functions.ts";
import { AbstractUdfStreamOperator } from "./udf_operator.ts";

export class SinkOperator<T> extends AbstractUdfStreamOperator<T, never, RichSinkFunction<T>> {
  constructor(fn: SinkFunction<T>) {
    super(typeof fn === "function" ? { invoke: fn } : fn);
  }
  processElement(record: T): void {
    this.userFunction.invoke(record);
  }
}
