/**
 * The base of operators that wrap a user function (after Flink's
 * AbstractUdfStreamOperator): the lifecycle hooks of a rich function (`open`
 * with its RuntimeContext, `close`, `snapshotState`,
 * `notifyCheckpointComplete`) are called here, once for every such operator.
 * Subclasses call the function itself per record, directly.
 * @module
 */

import type { RichFunction, RuntimeContext } from "../api/functions.ts";
import type { KeyedStateBackend } from "../state/keyed_state_backend.ts";
import { AbstractStreamOperator } from "./stream_operator.ts";

/**
 * An operator around the user function `F`: a plain function (map, filter,
 * reduce), which has no lifecycle, or an object whose optional RichFunction
 * hooks this base calls. A subclass that prepares something in `open` does it
 * before calling `super.open()`, so the function's `open` finds it ready.
 *
 * @example
 * ```ts
 * import { AbstractUdfStreamOperator } from "./udf_operator.ts";
 * import type { RichFunction } from "../api/functions.ts";
 * interface Tokenizer extends RichFunction {
 *   tokens(line: string): string[];
 * }
 * class TokenizeOperator extends AbstractUdfStreamOperator<string, string, Tokenizer> {
 *   processElement(line: string): void {
 *     for (const t of this.userFunction.tokens(line)) this.output.collect(t);
 *   }
 * }
 * const op = new TokenizeOperator({ tokens: (line) => line.split(" ") });
 * ```
 */
export abstract class AbstractUdfStreamOperator<IN, OUT, F>
  extends AbstractStreamOperator<IN, OUT> {
  /** The function's lifecycle hooks: undefined for a plain function. */
  private readonly rich: RichFunction | undefined;

  constructor(protected readonly userFunction: F) {
    super();
    this.rich = typeof userFunction === "object" && userFunction !== null
      ? userFunction as RichFunction
      : undefined;
  }

  /** Opens the user function with its RuntimeContext (after state was restored). */
  override open(): void | Promise<void> {
    return this.rich?.open?.(this.runtimeContext());
  }
  override close(): void | Promise<void> {
    return this.rich?.close?.();
  }
  override snapshotState(checkpointId: number): void | Promise<void> {
    return this.rich?.snapshotState?.(checkpointId);
  }
  override notifyCheckpointComplete(checkpointId: number): void | Promise<void> {
    return this.rich?.notifyCheckpointComplete?.(checkpointId);
  }

  /** The RuntimeContext handed to the function's `open` (and to window functions' state). */
  protected runtimeContext(): RuntimeContext {
    const ctx = this.ctx;
    const keyed = (): KeyedStateBackend => {
      if (ctx.keyedBackend === undefined) {
        throw new Error(
          `operator '${ctx.operatorName}' is not keyed: keyed state needs a keyBy() before it`,
        );
      }
      return ctx.keyedBackend;
    };
    return {
      operatorName: ctx.operatorName,
      subtaskIndex: ctx.subtaskIndex,
      parallelism: ctx.parallelism,
      getState: (d) => keyed().getState(d),
      getListState: (d) => keyed().getListState(d),
      getMapState: (d) => keyed().getMapState(d),
      getReducingState: (d) => keyed().getReducingState(d),
      getAggregatingState: (d) => keyed().getAggregatingState(d),
      getOperatorStateStore: () => ctx.operatorState,
    };
  }
}
