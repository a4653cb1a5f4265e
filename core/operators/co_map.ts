/**
 * Co-map operator: a CoMapFunction over two connected streams, one record
 * out per record in. On keyed connected streams it scopes keyed state to
 * each record's key, by the selector of the input the record came on.
 * @module
 */

import type { CoMapFunction } from "../api/co_functions.ts";
import type { KeySelector } from "../api/functions.ts";
import { AbstractTwoInputStreamOperator } from "./two_input_operator.ts";

/** The key selectors of a keyed two-input operator: input 1's, then input 2's. */
export type KeySelectors<IN1, IN2> = readonly [
  KeySelector<IN1, unknown>,
  KeySelector<IN2, unknown>,
];

/**
 * Applies `map1` to the records of input 1 and `map2` to those of input 2.
 *
 * @example
 * ```ts
 * import { CoMapOperator } from "./co_map.ts";
 * const op = new CoMapOperator<number, string, string>({
 *   map1: (n) => `n=${n}`,
 *   map2: (s) => `s=${s}`,
 * });
 * ```
 */
export class CoMapOperator<IN1, IN2, R>
  extends AbstractTwoInputStreamOperator<IN1, IN2, R, CoMapFunction<IN1, IN2, R>> {
  constructor(fn: CoMapFunction<IN1, IN2, R>, private readonly keys?: KeySelectors<IN1, IN2>) {
    super(fn);
  }
  processElement(record: IN1): void {
    if (this.keys !== undefined) this.ctx.keyedBackend!.setCurrentKey(this.keys[0](record));
    this.output.collect(this.userFunction.map1(record));
  }
  processElement2(record: IN2): void {
    if (this.keys !== undefined) this.ctx.keyedBackend!.setCurrentKey(this.keys[1](record));
    this.output.collect(this.userFunction.map2(record));
  }
}
