/**
 * OperatorChain: the operators of one vertex, wired so each calls the next
 * directly (Flink's OperatorChain + ChainingOutput). An exception thrown by a
 * user function is tagged with the operator it came from, once, so the task
 * reports the operator that failed rather than the head of the chain.
 * @module
 */

import type { SourceReader } from "../../core/connectors/source_reader.ts";
import type { JobVertex } from "../../core/graph/job_graph.ts";
import type { StreamGraph, StreamNode } from "../../core/graph/stream_graph.ts";
import type {
  OperatorContext,
  Output,
  StreamOperator,
} from "../../core/operators/stream_operator.ts";
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

class ChainingOutput implements Output<unknown> {
  constructor(
    private readonly op: StreamOperator<unknown, unknown>,
    private readonly name: string,
  ) {}
  collect(record: unknown): void {
    try {
      this.op.processElement(record);
    } catch (e) {
      throw tagError(e, this.name);
    }
  }
}

class BroadcastingOutput implements Output<unknown> {
  constructor(private readonly outputs: Output<unknown>[]) {}
  collect(record: unknown): void {
    for (const o of this.outputs) o.collect(record);
  }
}

const DISCARD: Output<unknown> = { collect() {} };

/** What the chain needs from its task. */
export interface ChainEnvironment {
  readonly subtaskIndex: number;
  readonly batch: boolean;
  /** True when the job takes checkpoints. */
  readonly checkpointing: boolean;
  /** The slot's managed memory (shared by the chain's keyed operators on the disk backend). */
  readonly managedMemoryBytes: number;
  /** Where the disk backend spills. */
  readonly spillDirectory: string;
  /** The network writers of the job edges leaving node `nodeId`. */
  writersOf(nodeId: number): Output<unknown>[];
  sendToClient(sinkId: number, records: unknown[]): void;
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
      const outs: Output<unknown>[] = [];
      for (const e of n.outEdges) {
        if (inChain.has(e.target) && vertex.nodeIds.indexOf(e.target) > 0) {
          outs.push(new ChainingOutput(ops.get(e.target)!, nodes.get(e.target)!.name));
        }
      }
      outs.push(...env.writersOf(n.id));
      return outs.length === 0
        ? DISCARD
        : outs.length === 1
        ? outs[0]
        : new BroadcastingOutput(outs);
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
    } else {
      this.headOutput = new ChainingOutput(ops.get(this.head.id)!, this.head.name);
    }
  }

  private operatorContext(
    n: StreamNode,
    graph: StreamGraph,
    env: ChainEnvironment,
  ): OperatorContext {
    const maxParallelism = graph.settings.maxParallelism;
    const keyGroupRange = keyGroupRangeForSubtask(maxParallelism, n.parallelism, env.subtaskIndex);
    return {
      operatorName: n.name,
      subtaskIndex: env.subtaskIndex,
      parallelism: n.parallelism,
      maxParallelism,
      batch: env.batch,
      keyedBackend: n.keySelector
        ? this.keyedBackend(graph, env, { maxParallelism, keyGroupRange })
        : undefined,
      operatorState: new OperatorStateStore(),
      checkpointing: env.checkpointing,
      sendToClient: (id, records) => env.sendToClient(id, records),
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
