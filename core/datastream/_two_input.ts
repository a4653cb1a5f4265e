/**
 * Internal: the step every two-input API (connect, broadcast connect,
 * interval join) ends with: a two-input operator after both streams.
 * @module
 */

import type { OperatorFactory } from "../operators/stream_operator.ts";
import { DataStream } from "./data_stream.ts";
import type { KeySelector } from "../api/functions.ts";
import type { StreamExecutionEnvironment } from "./stream_execution_environment.ts";
import type { Transformation } from "../graph/transformation.ts";

/** A stream as a two-input operator's input: its environment and transformation. */
export interface StreamInput {
  readonly env: StreamExecutionEnvironment;
  readonly transformation: Transformation;
}

/** The stream of a new two-input operator fed by `first` and `second`. */
export function twoInputStream<R>(
  first: StreamInput,
  second: StreamInput,
  name: string,
  factory: OperatorFactory,
  keySelector1?: KeySelector<never, unknown>,
  keySelector2?: KeySelector<never, unknown>,
): DataStream<R> {
  checkSameEnvironment(first, second, name);
  const t = first.env.addTwoInputOperator(
    first.transformation,
    second.transformation,
    name,
    factory,
    keySelector1 as KeySelector<unknown, unknown> | undefined,
    keySelector2 as KeySelector<unknown, unknown> | undefined,
  );
  return new DataStream<R>(first.env, t);
}

/** Throws unless both streams were built in one environment (one job). */
export function checkSameEnvironment(first: StreamInput, second: StreamInput, what: string): void {
  if (first.env !== second.env) {
    throw new Error(
      `${what}: the two streams belong to different execution environments; ` +
        `build both from the same StreamExecutionEnvironment`,
    );
  }
}
