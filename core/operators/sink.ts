/** Sink operator around a user SinkFunction. @module */

import type { RichFunction, RichSinkFunction, SinkFunction } from "../api/functions.ts";
import { AbstractStreamOperator } from "./stream_operator.ts";

export class SinkOperator<T> extends AbstractStreamOperator<T, never> {
  private readonly rich: RichSinkFunction<T>;

  constructor(fn: SinkFunction<T>) {
    super();
    this.rich = typeof fn === "function" ? { invoke: fn } : fn;
  }
  protected override userFunction(): RichFunction {
    return this.rich;
  }
  override async open(): Promise<void> {
    await this.rich.open?.(this.runtimeContext());
  }
  processElement(record: T): void {
    this.rich.invoke(record);
  }
  override async close(): Promise<void> {
    await this.rich.close?.();
  }
}
