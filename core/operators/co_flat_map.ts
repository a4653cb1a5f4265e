/**
 * Co-flat-map operator: a CoFlatMapFunction over two connected streams, any
 * number of records out per record in; keyed like the co-map operator.
 * @module
 */

import type { CoFlatMapFunction } from "../api/co_functions.ts";
import type { KeySelectors } from "./co_map.ts";
import { AbstractTwoInputStreamOperator } from "./two_input_operator.ts";

/**
 * Hands the records of input 1 to `flatMap1` and those of input 2 to
 * `flatMap2`, with the operator's output as their collector.
 *
 * @example
 * ```ts
 * import { CoFlatMapOperator } from "./co_flat_map.ts";
 * const op = new CoFlatMapOperator<string, string, string>({
 *   flatMap1: (line, out) => line.split(" ").forEach((w) => out.collect(w)),
 *   flatMap2: (word, out) => out.collect(word),
 * });
 * ```
 */
export class CoFlatMapOperator<IN1, IN2, R>
  extends AbstractTwoInputStreamOperator<IN1, IN2, R, CoFlatMapFunction<IN1, IN2, R>> {
  constructor(fn: CoFlatMapFunction<IN1, IN2, R>, private readonly keys?: KeySelectors<IN1, IN2>) {
    super(fn);
  }
  processElement(record: IN1): void {
    if (this.keys !== undefined) this.ctx.keyedBackend!.setCurrentKey(this.keys[0](record));
    this.userFunction.flatMap1(record, this.output);
  }
  processElement2(record: IN2): void {
    if (this.keys !== undefined) this.ctx.keyedBackend!.setCurrentKey(this.keys[1](record));
    this.userFunction.flatMap2(record, this.output);
  }
}
