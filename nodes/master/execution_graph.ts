/**
 * ExecutionGraph: the JobGraph's vertices times their parallelism, each
 * subtask with its state, attempt, slot and latest metrics. Plain data: the
 * JobMaster drives it.
 * @module
 */

import type { TaskFailure, TaskMetrics, VertexMetrics } from "../../core/graph/job_result.ts";
import type { JobGraph } from "../../core/graph/job_graph.ts";
import type { VertexProgress } from "../protocol/client.ts";
import type { ExecutionState } from "../protocol/job_status.ts";
import type { SlotGrant } from "../protocol/resource_manager.ts";
import type { EdgeDetails, VertexDetails } from "../protocol/rest.ts";

/** One subtask of the job in the current attempt. */
export interface ExecutionVertex {
  readonly vertexId: number;
  readonly subtaskIndex: number;
  state: ExecutionState;
  slot: SlotGrant | undefined;
  metrics: TaskMetrics | undefined;
  failure: TaskFailure | undefined;
}

const ZERO_METRICS: TaskMetrics = {
  recordsIn: 0,
  recordsOut: 0,
  bytesIn: 0,
  bytesOut: 0,
  buffersOut: 0,
  maxInputQueueBuffers: 0,
  maxOutputBacklogBuffers: 0,
  backpressuredMs: 0,
};

/** The subtasks of a job: its JobGraph's vertices times their parallelism. */
export class ExecutionGraph {
  readonly subtasks = new Map<string, ExecutionVertex>();

  constructor(readonly jobGraph: JobGraph) {
    this.reset();
  }

  /** Fresh subtasks for a new attempt. */
  reset(): void {
    this.subtasks.clear();
    for (const v of this.jobGraph.vertices) {
      for (let i = 0; i < v.parallelism; i++) {
        this.subtasks.set(`${v.id}/${i}`, {
          vertexId: v.id,
          subtaskIndex: i,
          state: "CREATED",
          slot: undefined,
          metrics: undefined,
          failure: undefined,
        });
      }
    }
  }

  /** Subtask `subtaskIndex` of vertex `vertexId`. */
  get(vertexId: number, subtaskIndex: number): ExecutionVertex {
    return this.subtasks.get(`${vertexId}/${subtaskIndex}`)!;
  }

  /** True when every subtask finished. */
  allFinished(): boolean {
    for (const s of this.subtasks.values()) if (s.state !== "FINISHED") return false;
    return true;
  }

  /** Whether any subtask runs on `workerId`. */
  usesWorker(workerId: string): boolean {
    for (const s of this.subtasks.values()) if (s.slot?.workerId === workerId) return true;
    return false;
  }

  /** Per-vertex metrics: sums of counters, maxima of the limits. */
  vertexMetrics(): VertexMetrics[] {
    return this.jobGraph.vertices.map((v) => {
      const m: VertexMetrics = {
        id: v.id,
        name: v.name,
        parallelism: v.parallelism,
        ...ZERO_METRICS,
      };
      for (let i = 0; i < v.parallelism; i++) {
        const t = this.get(v.id, i).metrics;
        if (t === undefined) continue;
        m.recordsIn += t.recordsIn;
        m.recordsOut += t.recordsOut;
        m.bytesIn += t.bytesIn;
        m.bytesOut += t.bytesOut;
        m.buffersOut += t.buffersOut ?? 0;
        m.maxInputQueueBuffers = Math.max(m.maxInputQueueBuffers, t.maxInputQueueBuffers);
        m.maxOutputBacklogBuffers = Math.max(m.maxOutputBacklogBuffers, t.maxOutputBacklogBuffers);
        m.backpressuredMs = Math.max(m.backpressuredMs, t.backpressuredMs);
      }
      return m;
    });
  }

  /** Records in and out per vertex: the client's progress line. */
  progress(): VertexProgress[] {
    return this.vertexMetrics().map((v) => ({
      name: v.name,
      recordsIn: v.recordsIn,
      recordsOut: v.recordsOut,
    }));
  }

  /** The job edges, for the REST API. */
  edgeDetails(): EdgeDetails[] {
    return this.jobGraph.edges.map((e) => ({
      source: e.sourceVertex,
      target: e.targetVertex,
      partitioner: e.partitioner,
    }));
  }

  /** The vertices with their subtasks, for the REST API. */
  details(): VertexDetails[] {
    const metrics = this.vertexMetrics();
    return this.jobGraph.vertices.map((v, k) => ({
      ...metrics[k],
      subtasks: Array.from({ length: v.parallelism }, (_, i) => {
        const s = this.get(v.id, i);
        return {
          subtask: i,
          state: s.state,
          worker: s.slot?.workerId,
          slot: s.slot?.slotIndex,
          managedMemoryBytes: s.slot?.managedMemoryBytes,
          metrics: s.metrics ?? ZERO_METRICS,
          failure: s.failure?.message,
        };
      }),
    }));
  }
}
