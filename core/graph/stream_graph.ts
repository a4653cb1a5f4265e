/**
 * StreamGraph: one node per physical transformation, edges carrying the
 * partitioner (after Flink's StreamGraphGenerator). Parallelism, slot sharing
 * groups and default partitioners are resolved here.
 * @module
 */

import type { CheckpointTuning } from "./job_plan.ts";
import type { CheckpointMode, RuntimeMode, StateBackendKind } from "../config/options.ts";
import type { SourceSpec } from "../connectors/source_reader.ts";
import type { KeySelector } from "../api/functions.ts";
import type { ChainingStrategy, PartitionerSpec, Transformation } from "./transformation.ts";
import type { OperatorFactory } from "../operators/stream_operator.ts";

/** The slot sharing group of operators that name none. */
export const DEFAULT_SLOT_SHARING_GROUP = "default";

export interface StreamNode {
  readonly id: number;
  readonly kind: "source" | "operator" | "sink";
  readonly name: string;
  readonly uid: string;
  readonly parallelism: number;
  readonly chaining: ChainingStrategy;
  readonly slotSharingGroup: string;
  readonly source?: SourceSpec<unknown>;
  readonly factory?: OperatorFactory;
  readonly keySelector?: KeySelector<unknown, unknown>;
  /** Key of the second input (keyed two-input operators). */
  readonly keySelector2?: KeySelector<unknown, unknown>;
  /** True for operators with two inputs (connect, joins): never chained to their inputs. */
  readonly twoInput: boolean;
  readonly collectId?: number;
  readonly inEdges: StreamEdge[];
  readonly outEdges: StreamEdge[];
}

export interface StreamEdge {
  readonly id: number;
  readonly source: number;
  readonly target: number;
  readonly partitioner: PartitionerSpec;
  /** Which input of the target the edge feeds: 0, or 1 for a two-input operator's second. */
  readonly inputIndex: 0 | 1;
  /** Set when the edge carries the source node's side output of this name. */
  readonly sideTag?: string;
}

/** Job-wide settings the graph carries to the runtime. */
export interface GraphSettings {
  readonly defaultParallelism: number;
  readonly maxParallelism: number;
  readonly bufferTimeoutMs: number;
  readonly chainingEnabled: boolean;
  /** Resolved runtime mode: true = batch (final results only). */
  readonly batch: boolean;
  /** Checkpoint interval (0: checkpointing off). */
  readonly checkpointIntervalMs: number;
  readonly checkpointMode: CheckpointMode;
  /** Absolute root of checkpoints (default: the master's). */
  readonly checkpointDir?: string;
  readonly retainedCheckpoints?: number;
  /** Where keyed state lives: the heap (default) or local disk beyond the slot's memory. */
  readonly stateBackend?: StateBackendKind;
  /** Checkpoint timeout, min pause, max concurrent, tolerable failures. */
  readonly checkpointConfig?: CheckpointTuning;
}

export interface StreamGraph {
  readonly settings: GraphSettings;
  /** Nodes in creation order (sources before their consumers). */
  readonly nodes: StreamNode[];
  readonly edges: StreamEdge[];
  /** True when every source is bounded. */
  readonly bounded: boolean;
  /** The mode the job asked for (`settings.batch` is what it resolved to). */
  readonly runtimeMode: RuntimeMode;
}

/** A graph that cannot run as built (a job error, reported before execution). */
export class GraphError extends Error {
  override readonly name = "GraphError";
}

interface InputRef {
  node: number;
  partitioner?: PartitionerSpec;
  sideTag?: string;
}

/** Builds the StreamGraph of the transformations that lead to `sinks`. */
export function buildStreamGraph(
  sinks: readonly Transformation[],
  settings: Omit<GraphSettings, "batch">,
  runtimeMode: RuntimeMode,
): StreamGraph {
  if (sinks.length === 0) {
    throw new GraphError("the job defines no sink: add print(), writeAsText() or addSink()");
  }
  const order = topologicalOrder(sinks);
  const nodes = new Map<number, StreamNode>();
  const edges: StreamEdge[] = [];
  const resolved = new Map<number, InputRef[]>();
  const uids = new Set<string>();
  let bounded = true;

  for (const t of order) {
    if (t.kind === "union") {
      resolved.set(t.id, t.inputs.flatMap((i) => resolved.get(i.id)!));
      continue;
    }
    if (t.kind === "partition") {
      const refs = resolved.get(t.input.id)!.map((r) => ({ ...r, partitioner: t.partitioner }));
      resolved.set(t.id, refs);
      continue;
    }
    if (t.kind === "sideOutput") {
      const refs = resolved.get(t.input.id)!;
      if (refs.length !== 1 || refs[0].sideTag !== undefined || refs[0].partitioner) {
        throw new GraphError(
          `getSideOutput('${t.tag}') applies to an operator's output, not to a union, ` +
            `partitioning or another side output`,
        );
      }
      resolved.set(t.id, [{ node: refs[0].node, sideTag: t.tag }]);
      continue;
    }
    const inputs: (InputRef & { inputIndex: 0 | 1 })[] = t.kind === "source"
      ? []
      : resolved.get(t.input.id)!.map((r) => ({ ...r, inputIndex: 0 as const }));
    if (t.kind !== "source" && t.input2 !== undefined) {
      for (const r of resolved.get(t.input2.id)!) inputs.push({ ...r, inputIndex: 1 });
    }
    const parallelism = resolveParallelism(t, settings.defaultParallelism);
    const uid = t.uid ?? `${t.kind}-${t.id}`;
    if (uids.has(uid)) throw new GraphError(`duplicate operator uid '${uid}' (at '${t.name}')`);
    uids.add(uid);
    const node: StreamNode = {
      id: t.id,
      kind: t.kind,
      name: t.name,
      uid,
      parallelism,
      chaining: t.chaining,
      slotSharingGroup: t.slotSharingGroup ?? inheritGroup(inputs, nodes),
      source: t.kind === "source" ? t.source : undefined,
      factory: t.kind === "source" ? undefined : t.factory,
      keySelector: t.kind === "source" ? undefined : t.keySelector,
      keySelector2: t.kind === "source" ? undefined : t.keySelector2,
      twoInput: t.kind !== "source" && t.input2 !== undefined,
      collectId: t.kind === "source" ? undefined : t.collectId,
      inEdges: [],
      outEdges: [],
    };
    if (t.kind === "source" && !t.source.bounded) bounded = false;
    nodes.set(t.id, node);
    for (const ref of inputs) {
      const from = nodes.get(ref.node)!;
      const edge: StreamEdge = {
        id: edges.length,
        source: ref.node,
        target: t.id,
        partitioner: checkPartitioner(from, node, ref.partitioner),
        inputIndex: ref.inputIndex,
        ...(ref.sideTag === undefined ? {} : { sideTag: ref.sideTag }),
      };
      edges.push(edge);
      from.outEdges.push(edge);
      node.inEdges.push(edge);
    }
    resolved.set(t.id, [{ node: t.id }]);
  }
  // Automatic mode runs bounded jobs as batch, unless the job asks for checkpoints: then it
  // wants streaming's guarantees (two-phase commit sinks, restore from a checkpoint).
  const checkpointing = settings.checkpointIntervalMs > 0;
  const batch = runtimeMode === "batch" ||
    (runtimeMode === "automatic" && bounded && !checkpointing);
  if (runtimeMode === "batch" && !bounded) {
    throw new GraphError("batch mode needs bounded sources: an unbounded source is in the job");
  }
  // Batch jobs take no checkpoints (as in Flink): a failed batch job reruns from its inputs.
  const checkpointIntervalMs = batch ? 0 : settings.checkpointIntervalMs;
  return {
    settings: { ...settings, batch, checkpointIntervalMs },
    nodes: [...nodes.values()],
    edges,
    bounded,
    runtimeMode,
  };
}

function resolveParallelism(t: Transformation, defaultParallelism: number): number {
  const max = t.kind === "source" ? t.source.maxParallelism ?? Infinity : Infinity;
  const p = t.parallelism ?? Math.min(defaultParallelism, max);
  if (p > max) {
    throw new GraphError(
      `'${t.name}' is not a parallel source: its parallelism must be 1, not ${p}`,
    );
  }
  return p;
}

function inheritGroup(inputs: InputRef[], nodes: Map<number, StreamNode>): string {
  const groups = new Set(inputs.map((r) => nodes.get(r.node)!.slotSharingGroup));
  return groups.size === 1 ? [...groups][0] : DEFAULT_SLOT_SHARING_GROUP;
}

function checkPartitioner(
  from: StreamNode,
  to: StreamNode,
  p: PartitionerSpec | undefined,
): PartitionerSpec {
  if (p === undefined) {
    return { kind: from.parallelism === to.parallelism ? "forward" : "rebalance" };
  }
  if (p.kind === "forward" && from.parallelism !== to.parallelism) {
    throw new GraphError(
      `forward partitioning does not allow a change of parallelism: '${from.name}' has ` +
        `${from.parallelism}, '${to.name}' has ${to.parallelism}; use rebalance() or rescale()`,
    );
  }
  return p;
}

/** Transformations in an order where every input precedes its consumers. */
function topologicalOrder(sinks: readonly Transformation[]): Transformation[] {
  const seen = new Set<number>();
  const order: Transformation[] = [];
  const visit = (t: Transformation) => {
    if (seen.has(t.id)) return;
    seen.add(t.id);
    if (t.kind === "union") t.inputs.forEach(visit);
    else if (t.kind !== "source") {
      visit(t.input);
      if (t.kind !== "partition" && t.kind !== "sideOutput" && t.input2) visit(t.input2);
    }
    order.push(t);
  };
  // Visit in id order so node order does not depend on sink order.
  [...sinks].sort((a, b) => a.id - b.id).forEach(visit);
  return order.sort((a, b) => a.id - b.id);
}
