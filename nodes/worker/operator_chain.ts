/**
 * OperatorChain: the operators of one vertex, wired so each calls the next
 * directly (Flink's OperatorChain + ChainingOutput); watermarks and side
 * outputs take the same paths. An exception thrown by a user function is
 * tagged with the operator it came from, once, so the task reports the
 * operator that failed rather than the head of the chain.
 * @module
 */

import type { SourceReader } from "../../core/connectors/source_reader.ts";
import type { JobVertex } from "../../core/graph/job_graph.ts";
import type { StreamEdge, StreamGraph, StreamNode } from "../../core/graph/stream_graph.ts";
import type {
  Backpressure,
  OperatorContext,
  Output,
  RecordTimestamp,
  StreamOperator,
} from "../../core/operators/stream_operator.ts";
import type { ProcessingTimeService } from "../../core/time/processing_time.ts";
import { InternalTimerService } from "../../core/time/timer_service.ts";
import { DiskStateBackend } from "../../core/state/disk_state_backend.ts";
import { HeapStateBackend } from "../../core/state/heap_state_backend.ts";
import type {
  KeyedStateBackend,
  KeyedStateBackendOptions,
} from "../../core/state/keyed_state_backend.ts";
import { keyGroupRangeForSubtask } from "../../core/state/key_groups.ts";
import { OperatorStateStore } from "../../core/state/operator_state.ts";

const origin = new WeakMap<object, string>();

/** Attaches the operator name to an error unless an inner operator already did. */
export function tagError(e: unknown, operatorName: string): Error {
  const error = e instanceof Error ? e : new Error(String(e));
  if (!origin.has(error)) origin.set(error, operatorName);
  return error;
}

/** The operator an error was tagged with. */
export function errorOperator(e: unknown): string | undefined {
  return e instanceof Error ? origin.get(e) : undefined;
}

/**
 * The input of a chained operator, as the Output of the operator before it:
 * records, watermarks and status become calls on the operator (its second
 * input when `second`).
 */
class ChainedInput implements Output<unknown> {
  constructor(
    private readonly op: StreamOperator<unknown, unknown>,
    private readonly name: string,
    private readonly second = false,
  ) {}
  collect(record: unknown): void {
    try {
      if (this.second) this.op.processElement2!(record);
      else this.op.processElement(record);
    } catch (e) {
      throw tagError(e, this.name);
    }
  }
  /** The operator before has no side output edge here: dropped. */
  collectSide(): void {}
  emitWatermark(watermark: number): void {
    try {
      if (this.second) this.op.processWatermark2!(watermark);
      else this.op.processWatermark(watermark);
    } catch (e) {
      throw tagError(e, this.name);
    }
  }
  emitWatermarkStatus(idle: boolean): void {
    try {
      if (this.second) this.op.processWatermarkStatus2!(idle);
      else this.op.processWatermarkStatus(idle);
    } catch (e) {
      throw tagError(e, this.name);
    }
  }
}

/** An operator's outputs: its main output edges, and its side output edges by tag. */
class OperatorOutput implements Output<unknown> {
  private readonly all: Output<unknown>[];
  constructor(
    private readonly main: Output<unknown>[],
    private readonly sides: Map<string, Output<unknown>[]>,
  ) {
    this.all = [...main, ...[...sides.values()].flat()];
  }
  collect(record: unknown): void {
    const main = this.main;
    for (let i = 0; i < main.length; i++) main[i].collect(record);
  }
  collectSide(tag: string, record: unknown): void {
    const outs = this.sides.get(tag);
    if (outs !== undefined) { for (const o of outs) o.collect(record); }
  }
  emitWatermark(watermark: number): void {
    for (const o of this.all) o.emitWatermark(watermark);
  }
  emitWatermarkStatus(idle: boolean): void {
    for (const o of this.all) o.emitWatermarkStatus(idle);
  }
}

/** What the chain needs from its task. */
export interface ChainEnvironment {
  readonly subtaskIndex: number;
  /** The job's id. */
  readonly jobId?: string;
  readonly batch: boolean;
  /** True when the job takes checkpoints. */
  readonly checkpointing: boolean;
  /** The slot's managed memory (shared by the chain's keyed operators on the disk backend). */
  readonly managedMemoryBytes: number;
  /** Where the disk backend spills. */
  readonly spillDirectory: string;
  /** The network writers of the job edges leaving node `nodeId`, with their StreamEdge ids. */
  writersOf(nodeId: number): { edgeId: number; output: Output<unknown> }[];
  /** The task's current record timestamp. */
  readonly timestamp: RecordTimestamp;
  /** The task's clock and timers. */
  readonly processingTime: ProcessingTimeService;
  sendToClient(sinkId: number, records: unknown[]): void;
  /** The task's brake, for operators that wait on an external system. */
  readonly backpressure?: Backpressure;
}

export class OperatorChain {
  /** Operators in chain order (head first), with their state; the source node has none. */
  readonly operators: {
    node: StreamNode;
    op: StreamOperator<unknown, unknown>;
    ctx: OperatorContext;
  }[] = [];
  readonly source: SourceReader<unknown> | undefined;
  readonly sourceNode: StreamNode | undefined;
  /** Where the head's input goes: the head operator, or the source's output. */
  readonly headOutput: Output<unknown>;
  /** The head's inputs by input index (two entries for a two-input head). */
  readonly headInputs: Output<unknown>[];
  readonly head: StreamNode;
  readonly subtaskIndex: number;

  constructor(graph: StreamGraph, readonly vertex: JobVertex, env: ChainEnvironment) {
    this.subtaskIndex = env.subtaskIndex;
    const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
    const inChain = new Set(vertex.nodeIds);
    const ops = new Map<number, StreamOperator<unknown, unknown>>();
    // Create every operator first, then wire tail-first so outputs exist.
    for (const id of vertex.nodeIds) {
      const n = nodes.get(id)!;
      if (n.kind !== "source") ops.set(id, n.factory!());
    }
    const outputOf = (n: StreamNode): Output<unknown> => {
      const main: Output<unknown>[] = [];
      const sides = new Map<string, Output<unknown>[]>();
      const add = (edge: StreamEdge, o: Output<unknown>) => {
        if (edge.sideTag === undefined) return main.push(o);
        sides.set(edge.sideTag, [...sides.get(edge.sideTag) ?? [], o]);
      };
      for (const e of n.outEdges) {
        if (inChain.has(e.target) && vertex.nodeIds.indexOf(e.target) > 0) {
          add(e, new ChainedInput(ops.get(e.target)!, nodes.get(e.target)!.name));
        }
      }
      for (const w of env.writersOf(n.id)) add(graph.edges[w.edgeId], w.output);
      return main.length === 1 && sides.size === 0 ? main[0] : new OperatorOutput(main, sides);
    };
    for (const id of vertex.nodeIds) {
      const n = nodes.get(id)!;
      const op = ops.get(id);
      if (op === undefined) continue;
      const ctx = this.operatorContext(n, graph, env);
      op.setup(ctx, outputOf(n));
      this.operators.push({ node: n, op, ctx });
    }
    this.head = nodes.get(vertex.nodeIds[0])!;
    if (this.head.kind === "source") {
      this.sourceNode = this.head;
      this.source = this.head.source!.createReader();
      this.headOutput = outputOf(this.head);
      this.headInputs = [this.headOutput];
    } else {
      const op = ops.get(this.head.id)!;
      this.headOutput = new ChainedInput(op, this.head.name);
      this.headInputs = this.head.twoInput
        ? [this.headOutput, new ChainedInput(op, this.head.name, true)]
        : [this.headOutput];
    }
  }

  private operatorContext(
    n: StreamNode,
    graph: StreamGraph,
    env: ChainEnvironment,
  ): OperatorContext {
    const maxParallelism = graph.settings.maxParallelism;
    const keyGroupRange = keyGroupRangeForSubtask(maxParallelism, n.parallelism, env.subtaskIndex);
    const keyedBackend = n.keySelector
      ? this.keyedBackend(graph, env, { maxParallelism, keyGroupRange })
      : undefined;
    return {
      operatorName: n.name,
      subtaskIndex: env.subtaskIndex,
      parallelism: n.parallelism,
      maxParallelism,
      jobId: env.jobId,
      batch: env.batch,
      keyedBackend,
      operatorState: new OperatorStateStore(),
      checkpointing: env.checkpointing,
      sendToClient: (id, records) => env.sendToClient(id, records),
      timestamp: env.timestamp,
      processingTime: env.processingTime,
      timerService: keyedBackend && new InternalTimerService(keyedBackend, env.processingTime),
      backpressure: env.backpressure,
    };
  }

  private keyedBackend(
    graph: StreamGraph,
    env: ChainEnvironment,
    options: KeyedStateBackendOptions,
  ): KeyedStateBackend {
    if (graph.settings.stateBackend !== "disk") return new HeapStateBackend(options);
    const keyed =
      this.vertex.nodeIds.filter((id) =>
        graph.nodes.find((n) => n.id === id)?.keySelector !== undefined
      ).length;
    Deno.mkdirSync(env.spillDirectory, { recursive: true });
    return new DiskStateBackend({
      ...options,
      directory: env.spillDirectory,
      memoryBudgetBytes: Math.floor(env.managedMemoryBytes / Math.max(1, keyed)),
    });
  }

  /** Opens operators tail first, so each is ready before its input arrives. */
  async open(): Promise<void> {
    for (let i = this.operators.length - 1; i >= 0; i--) {
      const { node, op } = this.operators[i];
      try {
        await op.open();
      } catch (e) {
        throw tagError(e, node.name);
      }
    }
  }

  /** Input ended: each operator, head first, may emit final records downstream. */
  endInput(): void {
    for (const { node, op } of this.operators) {
      try {
        op.endInput();
      } catch (e) {
        throw tagError(e, node.name);
      }
    }
  }

  /** A checkpoint completed everywhere: two-phase commit operators commit. */
  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    for (const { node, op } of this.operators) {
      try {
        await op.notifyCheckpointComplete?.(checkpointId);
      } catch (e) {
        throw tagError(e, node.name);
      }
    }
    // Last: the sinks of this chain committed before the source acknowledges upstream.
    if (this.source?.notifyCheckpointComplete && this.sourceNode) {
      try {
        await this.source.notifyCheckpointComplete(checkpointId);
      } catch (e) {
        throw tagError(e, this.sourceNode.name);
      }
    }
  }

  /** The buffer-timeout tick: sinks write out what they hold. */
  flush(): void {
    for (const { op } of this.operators) op.flush?.();
  }

  async close(): Promise<void> {
    for (const { node, op } of this.operators) {
      try {
        await op.close();
      } catch (e) {
        throw tagError(e, node.name);
      }
    }
  }

  /** Frees the operators' state (the disk backend deletes its files); after close or a failure. */
  dispose(): void {
    for (const { ctx } of this.operators) ctx.keyedBackend?.dispose();
  }
}
