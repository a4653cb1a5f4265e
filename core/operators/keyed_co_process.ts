/**
 * Keyed co-process operator: a KeyedCoProcessFunction over two connected
 * streams keyed alike. Each record's key comes from the selector of its own
 * input; state and timers are scoped to it. Timers fire as in the keyed
 * process operator, event-time ones when the combined watermark passes them.
 * @module
 */

import type { KeyedCoProcessFunction } from "../api/co_functions.ts";
import type { KeySelector } from "../api/functions.ts";
import type { KeyedStateBackend } from "../state/keyed_state_backend.ts";
import { FunctionContext, routeTimers } from "./function_context.ts";
import { AbstractTwoInputStreamOperator } from "./two_input_operator.ts";

/**
 * Hands each record to `processElement1` or `processElement2` with its key
 * set, and fired timers to `onTimer`.
 *
 * @example
 * ```ts
 * import { KeyedCoProcessOperator } from "./keyed_co_process.ts";
 * type Ev = { k: string; v: number };
 * const op = new KeyedCoProcessOperator<string, Ev, Ev, string>(
 *   {
 *     processElement1: (e, ctx, out) => out.collect(`${ctx.getCurrentKey()}: ${e.v}`),
 *     processElement2: (e, ctx) => ctx.timerService().registerEventTimeTimer(e.v),
 *   },
 *   (e) => e.k,
 *   (e) => e.k,
 * );
 * ```
 */
export class KeyedCoProcessOperator<K, IN1, IN2, R>
  extends AbstractTwoInputStreamOperator<IN1, IN2, R, KeyedCoProcessFunction<K, IN1, IN2, R>> {
  private backend!: KeyedStateBackend;
  private context!: FunctionContext<K>;

  constructor(
    fn: KeyedCoProcessFunction<K, IN1, IN2, R>,
    private readonly keySelector1: KeySelector<IN1, K>,
    private readonly keySelector2: KeySelector<IN2, K>,
  ) {
    super(fn);
  }
  override open(): void | Promise<void> {
    this.backend = this.ctx.keyedBackend!;
    this.context = new FunctionContext(this.ctx, this.output);
    routeTimers(this.ctx, this.userFunction, this.context, this.output);
    return super.open();
  }
  processElement(record: IN1): void {
    this.backend.setCurrentKey(this.keySelector1(record));
    this.userFunction.processElement1(record, this.context, this.output);
  }
  processElement2(record: IN2): void {
    this.backend.setCurrentKey(this.keySelector2(record));
    this.userFunction.processElement2(record, this.context, this.output);
  }
}
