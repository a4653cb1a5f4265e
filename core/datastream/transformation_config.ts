/**
 * The per-operator settings every stream and sink exposes (Flink's
 * SingleOutputStreamOperator setters). They modify the last physical
 * transformation and return `this` for chaining calls.
 * @module
 */

import type { Transformation } from "../graph/transformation.ts";

export class TransformationConfig {
  constructor(readonly transformation: Transformation) {}

  /** Names the operator (shown in plans, metrics and errors). */
  name(name: string): this {
    this.transformation.name = name;
    return this;
  }
  /** A stable id for matching state across job versions. */
  uid(uid: string): this {
    this.transformation.uid = uid;
    return this;
  }
  /** Number of parallel subtasks of this operator. */
  setParallelism(parallelism: number): this {
    if (!Number.isInteger(parallelism) || parallelism < 1) {
      throw new RangeError(`parallelism must be a positive integer, got ${parallelism}`);
    }
    this.physical("setParallelism").parallelism = parallelism;
    return this;
  }
  /** Never chain this operator to its predecessor or successor. */
  disableChaining(): this {
    this.physical("disableChaining").chaining = "never";
    return this;
  }
  /** Begin a new chain at this operator (it may still chain to its successors). */
  startNewChain(): this {
    this.physical("startNewChain").chaining = "head";
    return this;
  }
  /** Put this operator in the named slot sharing group. */
  slotSharingGroup(name: string): this {
    this.physical("slotSharingGroup").slotSharingGroup = name;
    return this;
  }

  private physical(method: string): Transformation {
    const t = this.transformation;
    if (t.kind === "union" || t.kind === "partition" || t.kind === "sideOutput") {
      throw new Error(`${method}() applies to an operator, not to a ${t.kind}`);
    }
    return t;
  }
}
