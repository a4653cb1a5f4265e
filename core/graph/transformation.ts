/**
 * Transformations: what the DataStream API records as the user builds a job.
 * Physical ones (source, operator, sink) become StreamGraph nodes; virtual
 * ones (union, partition, side output) only shape the edges between them.
 * @module
 */

import type { KeySelector, Partitioner } from "../api/functions.ts";
import type { SourceSpec } from "../connectors/source_reader.ts";
import type { OperatorFactory } from "../operators/stream_operator.ts";

/** How records are routed from one operator's subtasks to the next's. */
export type PartitionerKind =
  | "forward"
  | "rebalance"
  | "rescale"
  | "shuffle"
  | "broadcast"
  | "global"
  | "hash"
  | "custom";

/** A partitioner as the graph records it. */
export interface PartitionerSpec {
  readonly kind: PartitionerKind;
  readonly keySelector?: KeySelector<unknown, unknown>;
  readonly custom?: Partitioner<unknown>;
}

/** Chaining preference of an operator (after Flink's ChainingStrategy). */
export type ChainingStrategy = "always" | "never" | "head";

interface TransformationBase {
  readonly id: number;
  name: string;
  uid?: string;
  /** Parallelism set by the user; undefined = the environment's default. */
  parallelism?: number;
  chaining: ChainingStrategy;
  slotSharingGroup?: string;
}

/** A source of records. */
export interface SourceTransformation extends TransformationBase {
  readonly kind: "source";
  readonly source: SourceSpec<unknown>;
}

/**
 * An operator with one logical input (a union feeds it several streams), or
 * two (connect, joins): `input2` then feeds `processElement2`.
 */
export interface OperatorTransformation extends TransformationBase {
  readonly kind: "operator" | "sink";
  readonly input: Transformation;
  readonly input2?: Transformation;
  readonly factory: OperatorFactory;
  /** Key of input records, for operators with keyed state. */
  readonly keySelector?: KeySelector<unknown, unknown>;
  /** Key of the second input's records (keyed two-input operators). */
  readonly keySelector2?: KeySelector<unknown, unknown>;
  /** For collect sinks: the id the client matches results by. */
  readonly collectId?: number;
}

/** Merges streams of the same type. */
export interface UnionTransformation extends TransformationBase {
  readonly kind: "union";
  readonly inputs: readonly Transformation[];
}

/** Sets how records reach the next operator. */
export interface PartitionTransformation extends TransformationBase {
  readonly kind: "partition";
  readonly input: Transformation;
  readonly partitioner: PartitionerSpec;
}

/** Selects the records an operator emitted to the side output `tag`. */
export interface SideOutputTransformation extends TransformationBase {
  readonly kind: "sideOutput";
  readonly input: Transformation;
  readonly tag: string;
}

export type Transformation =
  | SourceTransformation
  | OperatorTransformation
  | UnionTransformation
  | PartitionTransformation
  | SideOutputTransformation;
