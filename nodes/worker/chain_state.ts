/**
 * The state of one task's operator chain in a checkpoint: taking it (in two
 * phases, so records keep flowing while it is written) and restoring it, with
 * rescaling. State is filed by operator uid, so a job restored at another
 * parallelism or with another chaining finds its state again.
 * @module
 */

import {
  readStateFile,
  type StateFileHandle,
  writeStateFile,
} from "../../core/checkpoint/checkpoint_storage.ts";
import type { KeyedStateSnapshot } from "../../core/state/keyed_state_backend.ts";
import type { SnapshotArena } from "../../core/state/snapshot_arena.ts";
import { redistributeOperatorState } from "../../core/state/operator_state.ts";
import type {
  OperatorContext,
  RawKeyGroup,
  StreamOperator,
} from "../../core/operators/stream_operator.ts";
import type {
  InFlightBuffer,
  OperatorSnapshot,
  TaskRestore,
  TaskStateSnapshot,
} from "../protocol/task_state.ts";
import type { OperatorChain } from "./operator_chain.ts";

/** What a restored chain resumes from besides its operators' state. */
export interface RestoredInputs {
  /** Positions of every old source subtask, or undefined when none. */
  readonly sources?: unknown[];
  /** Input buffers to process before any new input (unaligned checkpoints). */
  readonly inFlight: InFlightBuffer[];
}

/** Where a task writes its state: the checkpoint's directory. */
export type CheckpointDirOf = (checkpointId: number) => string;

/** A chain's captured state: assembled into the task's snapshot, then released once written. */
export interface CapturedChainState {
  /** The task's snapshot, with the unaligned in-flight data if any. */
  assemble(inFlight?: InFlightBuffer[]): TaskStateSnapshot;
  /** The encoded keyed state may be overwritten after this (once the snapshot is written). */
  release(): void;
}

/**
 * Phase one, between two records: runs the operators' snapshot hooks and
 * captures every state (keyed state encoded at once, into `arena`). Returns
 * phase two, which assembles the task's snapshot for writing while records
 * flow.
 */
export async function captureChainState(
  chain: OperatorChain,
  checkpointId: number,
  arena: SnapshotArena,
): Promise<CapturedChainState> {
  for (const { op } of chain.operators) await op.snapshotState?.(checkpointId);
  const operators: Record<string, OperatorSnapshot> = {};
  // Encoded now: no copy-on-write for the rest of the interval (measured far cheaper).
  const { result: keyed, release } = arena.encodeAll((encode) => {
    const keyed = new Map<string, KeyedStateSnapshot>();
    for (const { node, ctx } of chain.operators) {
      if (ctx.keyedBackend !== undefined) {
        keyed.set(node.uid, ctx.keyedBackend.snapshotEncoded(checkpointId, encode));
      }
    }
    return keyed;
  });
  for (const { node, op, ctx } of chain.operators) {
    const operator = ctx.operatorState.snapshot(checkpointId);
    if (operator.states.length > 0) operators[node.uid] = { operator };
    const timers = ctx.timerService?.snapshot() ?? [];
    if (timers.length > 0) operators[node.uid] = { ...operators[node.uid], timers };
    const rawKeyed = op.snapshotRawKeyed?.() ?? [];
    if (rawKeyed.length > 0) operators[node.uid] = { ...operators[node.uid], rawKeyed };
  }
  if (chain.source?.snapshotState && chain.sourceNode) {
    operators[chain.sourceNode.uid] = { source: chain.source.snapshotState(checkpointId) };
  }
  const assemble = (inFlight?: InFlightBuffer[]): TaskStateSnapshot => {
    for (const [uid, k] of keyed) {
      if (k.keyGroups.length > 0) operators[uid] = { ...operators[uid], keyed: k };
    }
    if (inFlight !== undefined && inFlight.length > 0) {
      const head = chain.head.uid;
      operators[head] = { ...operators[head], inFlight };
    }
    return {
      version: 1,
      checkpointId,
      vertexId: chain.vertex.id,
      subtaskIndex: chain.subtaskIndex,
      parallelism: chain.vertex.parallelism,
      operators,
    };
  };
  return { assemble, release };
}

/** Writes a captured snapshot into the checkpoint's directory. */
export function writeTaskState(
  dir: string,
  snapshot: TaskStateSnapshot,
): Promise<StateFileHandle> {
  return writeStateFile(dir, `${snapshot.vertexId}-${snapshot.subtaskIndex}.state`, snapshot);
}

/**
 * Loads the chain's state from `restore` before the operators open: keyed
 * state by key group range, operator state redistributed over the new
 * parallelism. Returns the source positions of every old subtask (the source
 * resumes from them after it opens) and this subtask's in-flight input.
 */
export async function restoreChainState(
  chain: OperatorChain,
  restore: TaskRestore,
): Promise<RestoredInputs> {
  const files = new Map<string, Promise<TaskStateSnapshot>>();
  const read = (h: StateFileHandle) => {
    let f = files.get(h.path);
    if (f === undefined) {
      files.set(h.path, f = readStateFile(h).then((x) => checkTaskState(x, h.path)));
    }
    return f;
  };
  const snapshotsOf = async (uid: string) => {
    const snapshots = await Promise.all((restore.files[uid] ?? []).map(read));
    return snapshots.sort((a, b) => a.subtaskIndex - b.subtaskIndex);
  };
  const partsOf = async (uid: string) =>
    (await snapshotsOf(uid)).map((s) => s.operators[uid]).filter((p) => p !== undefined);
  for (const { node, op, ctx } of chain.operators) {
    const parts = await partsOf(node.uid);
    const keyed = parts.flatMap((p) => p.keyed ? [p.keyed] : []);
    if (keyed.length > 0) {
      if (ctx.keyedBackend === undefined) {
        throw new Error(`operator '${node.name}' (uid ${node.uid}) has keyed state but no key`);
      }
      ctx.keyedBackend.restore(keyed);
    }
    const timers = parts.flatMap((p) => p.timers ? [p.timers] : []);
    if (timers.length > 0) ctx.timerService!.restore(timers);
    restoreRawKeyed(node.name, op, ctx, parts.flatMap((p) => p.rawKeyed ?? []));
    const operator = parts.flatMap((p) => p.operator ? [p.operator] : []);
    if (operator.length > 0) {
      ctx.operatorState.restore(
        redistributeOperatorState(operator, node.parallelism, chain.subtaskIndex),
      );
    }
  }
  let inFlight: InFlightBuffer[] = [];
  for (const s of await snapshotsOf(chain.head.uid)) {
    const buffers = s.operators[chain.head.uid]?.inFlight ?? [];
    if (buffers.length === 0) continue;
    if (s.parallelism !== chain.vertex.parallelism) {
      throw new Error(
        `checkpoint ${restore.checkpointId} is unaligned (it holds in-flight data of ` +
          `'${chain.head.name}' at parallelism ${s.parallelism}); restore it at that ` +
          `parallelism, or rescale from a savepoint (savepoints are aligned)`,
      );
    }
    if (s.subtaskIndex === chain.subtaskIndex) inFlight = buffers;
  }
  if (chain.sourceNode === undefined) return { inFlight };
  const sources = (await partsOf(chain.sourceNode.uid)).filter((p) => "source" in p);
  return { sources: sources.length > 0 ? sources.map((p) => p.source) : undefined, inFlight };
}

/** Hands `op` the raw keyed state of its key group range. */
function restoreRawKeyed(
  name: string,
  op: StreamOperator<unknown, unknown>,
  ctx: OperatorContext,
  groups: RawKeyGroup[],
): void {
  if (groups.length === 0) return;
  if (op.restoreRawKeyed === undefined || ctx.keyedBackend === undefined) {
    throw new Error(
      `operator '${name}' has keyed state of its own in the checkpoint but cannot read it`,
    );
  }
  const { start, end } = ctx.keyedBackend.keyGroupRange;
  op.restoreRawKeyed(groups.filter((g) => g.keyGroup >= start && g.keyGroup <= end));
}

function checkTaskState(x: unknown, path: string): TaskStateSnapshot {
  const s = x as TaskStateSnapshot;
  if (s === null || typeof s !== "object" || s.version !== 1 || typeof s.operators !== "object") {
    throw new Error(`${path} is not a task state file of a known version`);
  }
  return s;
}
