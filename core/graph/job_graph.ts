/**
 * JobGraph: StreamGraph nodes chained into vertices (after Flink's
 * StreamingJobGraphGenerator). A vertex runs as one task per subtask; records
 * pass between its chained operators by direct call.
 * @module
 */

import type { StreamEdge, StreamGraph, StreamNode } from "./stream_graph.ts";
import type { PartitionerKind } from "./transformation.ts";

/** An edge between two vertices: a network or MessagePort exchange. */
export interface JobEdge {
  /** The StreamEdge id: producers and consumers agree on channels by it. */
  readonly id: number;
  readonly sourceVertex: number;
  readonly targetVertex: number;
  /** The node of the source vertex whose output feeds this edge. */
  readonly sourceNode: number;
  readonly partitioner: PartitionerKind;
  /** Which input of the target vertex's head the edge feeds (1: a two-input operator's second). */
  readonly inputIndex: 0 | 1;
}

export interface JobVertex {
  /** Id of the chain's head node. */
  readonly id: number;
  readonly name: string;
  /** Chained nodes, head first, each after its chained predecessor. */
  readonly nodeIds: number[];
  /** Uids of the chained nodes, in the same order (state is matched by uid on restore). */
  readonly operatorUids: string[];
  readonly parallelism: number;
  readonly slotSharingGroup: string;
  /**
   * The head source's name, set when the source resumes only at the
   * parallelism its snapshot was taken at (see `SourceSpec.rescalable`).
   */
  readonly nonRescalableSource?: string;
  readonly inputs: JobEdge[];
  readonly outputs: JobEdge[];
}

export interface JobGraph {
  readonly jobName: string;
  readonly vertices: JobVertex[];
  readonly edges: JobEdge[];
}

/** Whether `edge` joins its two nodes into one chain (Flink's isChainable). */
export function isChainable(graph: StreamGraph, edge: StreamEdge): boolean {
  const from = node(graph, edge.source), to = node(graph, edge.target);
  return graph.settings.chainingEnabled &&
    edge.partitioner.kind === "forward" &&
    to.inEdges.length === 1 &&
    !to.twoInput &&
    from.parallelism === to.parallelism &&
    from.slotSharingGroup === to.slotSharingGroup &&
    from.chaining !== "never" &&
    to.chaining === "always";
}

function node(graph: StreamGraph, id: number): StreamNode {
  return graph.nodes.find((n) => n.id === id)!;
}

/** Chains the StreamGraph into a JobGraph. */
export function buildJobGraph(jobName: string, graph: StreamGraph): JobGraph {
  const vertexOf = new Map<number, number>();
  const vertices: JobVertex[] = [];
  for (const n of graph.nodes) {
    const head = n.inEdges.length !== 1 || !isChainable(graph, n.inEdges[0]);
    if (!head) continue;
    const nodeIds: number[] = [];
    const walk = (id: number) => {
      nodeIds.push(id);
      vertexOf.set(id, n.id);
      for (const e of node(graph, id).outEdges) if (isChainable(graph, e)) walk(e.target);
    };
    walk(n.id);
    vertices.push({
      id: n.id,
      name: nodeIds.map((id) => node(graph, id).name).join(" -> "),
      nodeIds,
      operatorUids: nodeIds.map((id) => node(graph, id).uid),
      parallelism: n.parallelism,
      slotSharingGroup: n.slotSharingGroup,
      ...(n.source?.rescalable === false ? { nonRescalableSource: n.name } : {}),
      inputs: [],
      outputs: [],
    });
  }
  const edges: JobEdge[] = [];
  for (const e of graph.edges) {
    if (isChainable(graph, e)) continue;
    const edge: JobEdge = {
      id: e.id,
      sourceVertex: vertexOf.get(e.source)!,
      targetVertex: vertexOf.get(e.target)!,
      sourceNode: e.source,
      partitioner: e.partitioner.kind,
      inputIndex: e.inputIndex,
    };
    edges.push(edge);
    vertices.find((v) => v.id === edge.sourceVertex)!.outputs.push(edge);
    vertices.find((v) => v.id === edge.targetVertex)!.inputs.push(edge);
  }
  return { jobName, vertices, edges };
}

/** Slots a job needs: per slot sharing group its highest parallelism, summed. */
export function requiredSlots(job: JobGraph): number {
  const perGroup = new Map<string, number>();
  for (const v of job.vertices) {
    perGroup.set(
      v.slotSharingGroup,
      Math.max(perGroup.get(v.slotSharingGroup) ?? 0, v.parallelism),
    );
  }
  let total = 0;
  for (const n of perGroup.values()) total += n;
  return total;
}
