/**
 * ExecutionGraph: the JobGraph's vertices times their parallelism, each
 * subtask with its state, slot and latest metrics. Plain data driven by the
 * JobScheduler; every state change goes through the legal transition table.
 * @module
 */

import type { TaskFailure, TaskMetrics, VertexMetrics } from "../../core/graph/job_result.ts";
import type { JobGraph } from "../../core/graph/job_graph.ts";
import type { VertexProgress } from "../protocol/client.ts";
import {
  checkExecutionTransition,
  type ExecutionState,
  isTerminalExecutionState,
} from "../protocol/job_status.ts";
import type { SlotGrant } from "../protocol/resource_manager.ts";
import type { EdgeDetails, VertexDetails } from "../protocol/rest.ts";
import { assignSlots } from "./slot_assignment.ts";

/** One subtask of the job in the current attempt; its state changes through the graph. */
export interface ExecutionVertex {
  readonly vertexId: number;
  readonly subtaskIndex: number;
  readonly state: ExecutionState;
  readonly slot: SlotGrant | undefined;
  /** The latest counters the task reported. */
  metrics: TaskMetrics | undefined;
  readonly failure: TaskFailure | undefined;
}

type MutableVertex = { -readonly [K in keyof ExecutionVertex]: ExecutionVertex[K] };

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

/**
 * The subtasks of a job: its JobGraph's vertices times their parallelism.
 *
 * @example
 * ```ts
 * import { ExecutionGraph } from "./execution_graph.ts";
 * const graph = new ExecutionGraph({
 *   jobName: "one",
 *   vertices: [{
 *     id: 1,
 *     name: "Source",
 *     nodeIds: [1],
 *     operatorUids: ["src"],
 *     parallelism: 1,
 *     slotSharingGroup: "default",
 *     inputs: [],
 *     outputs: [],
 *   }],
 *   edges: [],
 * });
 * graph.transition(1, 0, "SCHEDULED");
 * console.assert(graph.get(1, 0)?.state === "SCHEDULED");
 * // graph.transition(1, 0, "FINISHED") throws: SCHEDULED -> FINISHED is illegal
 * ```
 */
export class ExecutionGraph {
  private readonly vertices = new Map<string, MutableVertex>();

  constructor(readonly jobGraph: JobGraph) {
    this.reset();
  }

  /** Fresh subtasks (CREATED, no slot) for a new attempt. */
  reset(): void {
    this.vertices.clear();
    for (const v of this.jobGraph.vertices) {
      for (let i = 0; i < v.parallelism; i++) {
        this.vertices.set(`${v.id}/${i}`, {
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

  /** Every subtask, vertex by vertex. */
  get subtasks(): Iterable<ExecutionVertex> {
    return this.vertices.values();
  }

  /** Subtask `subtaskIndex` of vertex `vertexId`, if the job has it. */
  get(vertexId: number, subtaskIndex: number): ExecutionVertex | undefined {
    return this.vertices.get(`${vertexId}/${subtaskIndex}`);
  }

  /**
   * Moves a subtask to `to` (recording the failure that made it FAILED).
   * Throws an IllegalTransitionError naming both states if the table forbids it.
   */
  transition(vertexId: number, subtaskIndex: number, to: ExecutionState, failure?: TaskFailure) {
    const s = this.vertices.get(`${vertexId}/${subtaskIndex}`);
    if (s === undefined) throw new RangeError(`no subtask ${vertexId}/${subtaskIndex}`);
    checkExecutionTransition(s.state, to, `subtask ${vertexId}/${subtaskIndex}`);
    s.state = to;
    if (failure !== undefined) s.failure = failure;
  }

  /**
   * Gives each subtask its slot among `grants` (slot sharing, see
   * `assignSlots`) and makes it SCHEDULED.
   */
  schedule(grants: readonly SlotGrant[]): void {
    const slotOf = assignSlots(this.jobGraph, grants.length);
    for (const s of this.vertices.values()) {
      this.transition(s.vertexId, s.subtaskIndex, "SCHEDULED");
      s.slot = grants[slotOf.get(`${s.vertexId}/${s.subtaskIndex}`)!];
    }
  }

  /** Moves every subtask that has not ended to `to` (CANCELED, or DEPLOYING after `schedule`). */
  transitionAll(to: ExecutionState): void {
    for (const s of this.vertices.values()) {
      if (!isTerminalExecutionState(s.state)) this.transition(s.vertexId, s.subtaskIndex, to);
    }
  }

  /** True when every subtask is in `state`. */
  allIn(state: ExecutionState): boolean {
    for (const s of this.vertices.values()) if (s.state !== state) return false;
    return true;
  }

  /** Whether a subtask that has not ended runs on `workerId` (losing it fails the attempt). */
  usesWorker(workerId: string): boolean {
    for (const s of this.vertices.values()) {
      if (s.slot?.workerId === workerId && !isTerminalExecutionState(s.state)) return true;
    }
    return false;
  }

  /** Per-vertex metrics: sums of counters, maxima of the limits, the lowest watermark. */
  vertexMetrics(): VertexMetrics[] {
    return this.jobGraph.vertices.map((v) => {
      const m: VertexMetrics = {
        id: v.id,
        name: v.name,
        parallelism: v.parallelism,
        ...ZERO_METRICS,
      };
      // The vertex's watermark is its slowest subtask's: none while one has none.
      let watermark = Number.POSITIVE_INFINITY;
      for (let i = 0; i < v.parallelism; i++) {
        const t = this.get(v.id, i)!.metrics;
        watermark = Math.min(watermark, t?.watermarkMs ?? Number.NEGATIVE_INFINITY);
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
      if (Number.isFinite(watermark)) m.watermarkMs = watermark;
      return m;
    });
  }

  /** Records in and out per vertex: the client's progress line. */
  progress(): VertexProgress[] {
    return this.vertexMetrics().map((v) => ({
      name: v.name,
      recordsIn: v.recordsIn,
      recordsOut: v.recordsOut,
      backpressuredMs: v.backpressuredMs,
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
        const s = this.get(v.id, i)!;
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
