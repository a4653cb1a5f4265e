/**
 * Drives one operator the way a task does, in this thread, through the
 * runtime's own wiring: the operator is the head of a real OperatorChain
 * (nodes/worker/operator_chain.ts), which builds its context (key group range
 * of the subtask, heap or disk keyed backend, timer service, operator state,
 * checkpointing flag) and calls it through the chain's input (errors tagged
 * with the operator, as in a task). Processing time is a manual clock (tests
 * never sleep). Everything the operator emits is recorded in order: records
 * with their timestamps, side outputs, watermarks and status. `snapshot()`
 * takes state the way a task does (captureChainState, written to a state
 * file) and `open(snapshot)` restores it through restoreChainState, with
 * rescaling: snapshots of several old subtasks restore into this subtask's
 * key groups and its share of operator state.
 * @module
 */

import type { JobVertex } from "../../core/graph/job_graph.ts";
import type { StreamGraph, StreamNode } from "../../core/graph/stream_graph.ts";
import type { StateBackendKind } from "../../core/config/option_spec.ts";
import type { StateFileHandle } from "../../core/checkpoint/checkpoint_storage.ts";
import {
  type OperatorContext,
  type Output,
  RecordTimestamp,
  type StreamOperator,
} from "../../core/operators/stream_operator.ts";
import { SnapshotArena } from "../../core/state/snapshot_arena.ts";
import { ManualProcessingTimeService } from "../../core/time/processing_time.ts";
import {
  captureChainState,
  restoreChainState,
  writeTaskState,
} from "../../nodes/worker/chain_state.ts";
import { OperatorChain } from "../../nodes/worker/operator_chain.ts";
import type { OperatorSnapshot } from "../../nodes/protocol/task_state.ts";

/** One thing the operator emitted. */
export type Emitted =
  | { kind: "record"; value: unknown; timestamp: number | undefined }
  | { kind: "side"; tag: string; value: unknown; timestamp: number | undefined }
  | { kind: "watermark"; watermark: number }
  | { kind: "status"; idle: boolean };

/** A harness snapshot: the state file one subtask wrote for one checkpoint. */
export interface HarnessSnapshot {
  readonly checkpointId: number;
  readonly file: StateFileHandle;
  /** What the file holds for the operator (to inspect; restoring reads the file). */
  readonly state: OperatorSnapshot;
}

export interface HarnessOptions {
  /** Makes the operator keyed: a keyed backend and timers. */
  readonly keyed?: boolean;
  readonly processingTime?: number;
  readonly maxParallelism?: number;
  /** This subtask's index (default 0): its key group range and share of operator state. */
  readonly subtaskIndex?: number;
  /** The operator's parallelism (default 1). */
  readonly parallelism?: number;
  /** Where keyed state lives (default heap); "disk" spills to a temporary directory. */
  readonly stateBackend?: StateBackendKind;
  /** Managed memory of the slot, for the disk backend (default 64 MiB). */
  readonly managedMemoryBytes?: number;
  /** Whether the job takes checkpoints (default false), as operators see it in their context. */
  readonly checkpointing?: boolean;
  readonly batch?: boolean;
}

/** The operator's uid in every harness, so one harness restores another's snapshot. */
const UID = "op-under-test";
const NODE_ID = 1;
let checkpointIds = 0;
let stateRoot: string | undefined;

function stateDirectory(): string {
  stateRoot ??= Deno.makeTempDirSync({ prefix: "spate-harness-" });
  return stateRoot;
}

globalThis.addEventListener("unload", () => {
  if (stateRoot !== undefined) Deno.removeSync(stateRoot, { recursive: true });
});

/** A graph of one node, the operator, whose single output edge goes to the harness. */
function graphOf(op: StreamOperator<unknown, unknown>, options: HarnessOptions): StreamGraph {
  const parallelism = options.parallelism ?? 1;
  const node: StreamNode = {
    id: NODE_ID,
    kind: "operator",
    name: "op under test",
    uid: UID,
    parallelism,
    chaining: "always",
    slotSharingGroup: "default",
    factory: () => op,
    keySelector: options.keyed ? (record: unknown) => record : undefined,
    twoInput: op.processElement2 !== undefined,
    inEdges: [],
    outEdges: [{
      id: 0,
      source: NODE_ID,
      target: 2,
      partitioner: { kind: "forward" },
      inputIndex: 0,
    }],
  };
  return {
    settings: {
      defaultParallelism: parallelism,
      maxParallelism: options.maxParallelism ?? 128,
      bufferTimeoutMs: 0,
      chainingEnabled: true,
      batch: options.batch ?? false,
      checkpointIntervalMs: options.checkpointing ? 1_000 : 0,
      checkpointMode: "exactly_once",
      stateBackend: options.stateBackend ?? "heap",
    },
    nodes: [node],
    edges: node.outEdges,
    bounded: false,
    runtimeMode: options.batch ? "batch" : "streaming",
  };
}

export class OperatorHarness<IN, OUT> {
  readonly emitted: Emitted[] = [];
  readonly time: ManualProcessingTimeService;
  readonly timestamp = new RecordTimestamp();
  /** The chain the operator heads, as a task builds it. */
  readonly chain: OperatorChain;
  readonly ctx: OperatorContext;
  private readonly arena = new SnapshotArena();
  private spillDirectory?: string;

  constructor(readonly op: StreamOperator<IN, OUT>, options: HarnessOptions = {}) {
    this.time = new ManualProcessingTimeService(options.processingTime ?? 0);
    const ts = this.timestamp;
    const emitted = this.emitted;
    const output: Output<unknown> = {
      collect: (value) => emitted.push({ kind: "record", value, timestamp: ts.get() }),
      collectSide: (tag, value) => emitted.push({ kind: "side", tag, value, timestamp: ts.get() }),
      emitWatermark: (watermark) => emitted.push({ kind: "watermark", watermark }),
      emitWatermarkStatus: (idle) => emitted.push({ kind: "status", idle }),
    };
    const graph = graphOf(op as StreamOperator<unknown, unknown>, options);
    const parallelism = options.parallelism ?? 1;
    const vertex: JobVertex = {
      id: NODE_ID,
      name: "op under test",
      nodeIds: [NODE_ID],
      operatorUids: [UID],
      parallelism,
      slotSharingGroup: "default",
      inputs: [],
      outputs: [],
    };
    // Created only when the disk backend asks for it.
    const spill = () =>
      this.spillDirectory ??= Deno.makeTempDirSync({ prefix: "spate-harness-spill-" });
    this.chain = new OperatorChain(graph, vertex, {
      subtaskIndex: options.subtaskIndex ?? 0,
      batch: options.batch ?? false,
      checkpointing: options.checkpointing ?? false,
      managedMemoryBytes: options.managedMemoryBytes ?? 64 * 1024 * 1024,
      get spillDirectory() {
        return spill();
      },
      writersOf: (nodeId) => nodeId === NODE_ID ? [{ edgeId: 0, output }] : [],
      timestamp: this.timestamp,
      processingTime: this.time,
      sendToClient() {},
    });
    this.ctx = this.chain.operators[0].ctx;
  }

  /** Opens the operator, after restoring the snapshots of one or several old subtasks. */
  async open(restore?: HarnessSnapshot | HarnessSnapshot[]): Promise<this> {
    const all = restore === undefined ? [] : Array.isArray(restore) ? restore : [restore];
    if (all.length > 0) {
      await restoreChainState(this.chain, {
        checkpointId: all[0].checkpointId,
        files: { [UID]: all.map((s) => s.file) },
      });
    }
    await this.chain.open();
    return this;
  }

  /** A record with event timestamp `timestamp` (undefined: none). */
  element(record: IN, timestamp?: number): this {
    this.timestamp.value = timestamp ?? Number.NaN;
    this.chain.headInputs[0].collect(record);
    return this;
  }

  /** A record of the second input (two-input operators). */
  element2(record: unknown, timestamp?: number): this {
    this.timestamp.value = timestamp ?? Number.NaN;
    this.chain.headInputs[1].collect(record);
    return this;
  }

  watermark(watermark: number): this {
    this.chain.headInputs[0].emitWatermark(watermark);
    return this;
  }

  watermark2(watermark: number): this {
    this.chain.headInputs[1].emitWatermark(watermark);
    return this;
  }

  /** The first input turned idle (`true`) or active again. */
  status(idle: boolean): this {
    this.chain.headInputs[0].emitWatermarkStatus(idle);
    return this;
  }

  /** The second input turned idle or active again (two-input operators). */
  status2(idle: boolean): this {
    this.chain.headInputs[1].emitWatermarkStatus(idle);
    return this;
  }

  /** Moves processing time to `time`, firing due timers. */
  advanceProcessingTime(time: number): this {
    this.time.advanceTo(time);
    return this;
  }

  endInput(): this {
    this.chain.endInput();
    return this;
  }

  /** This subtask's state as a checkpoint takes it, written to a state file. */
  async snapshot(): Promise<HarnessSnapshot> {
    const checkpointId = ++checkpointIds;
    const captured = await captureChainState(this.chain, checkpointId, this.arena);
    const dir = `${stateDirectory()}/chk-${checkpointId}`;
    await Deno.mkdir(dir, { recursive: true });
    try {
      const task = captured.assemble();
      const file = await writeTaskState(dir, task);
      return { checkpointId, file, state: task.operators[UID] ?? {} };
    } finally {
      captured.release();
    }
  }

  /** Frees the operator's state (the disk backend's files). */
  dispose(): void {
    this.chain.dispose();
    if (this.spillDirectory !== undefined) {
      Deno.removeSync(this.spillDirectory, { recursive: true });
      this.spillDirectory = undefined;
    }
  }

  /** The main output's records, in order. */
  records(): OUT[] {
    return this.emitted.flatMap((e) => e.kind === "record" ? [e.value as OUT] : []);
  }

  /** The main output's records with their timestamps. */
  timestamped(): [OUT, number | undefined][] {
    return this.emitted.flatMap((e) =>
      e.kind === "record" ? [[e.value as OUT, e.timestamp] as [OUT, number | undefined]] : []
    );
  }

  /** The records of side output `tag`. */
  side(tag: string): unknown[] {
    return this.emitted.flatMap((e) => e.kind === "side" && e.tag === tag ? [e.value] : []);
  }

  watermarks(): number[] {
    return this.emitted.flatMap((e) => e.kind === "watermark" ? [e.watermark] : []);
  }

  /** Watermarks and idle status in the order they left: numbers, "idle" and "active". */
  progress(): (number | "idle" | "active")[] {
    const out: (number | "idle" | "active")[] = [];
    for (const e of this.emitted) {
      if (e.kind === "watermark") out.push(e.watermark);
      else if (e.kind === "status") out.push(e.idle ? "idle" : "active");
    }
    return out;
  }

  /** Forgets what was emitted so far. */
  clear(): this {
    this.emitted.length = 0;
    return this;
  }
}
