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
import {
  type OperatorStateSnapshot,
  redistributeOperatorState,
} from "../../core/state/operator_state.ts";
import type { OperatorChain } from "./operator_chain.ts";

/** One operator's part of a task's state file. */
export interface OperatorSnapshot {
  readonly keyed?: KeyedStateSnapshot;
  readonly operator?: OperatorStateSnapshot;
  /** The source reader's position (source operators). */
  readonly source?: unknown;
}

/** What a task writes for one checkpoint. */
export interface TaskStateSnapshot {
  readonly version: 1;
  readonly checkpointId: number;
  readonly vertexId: number;
  readonly subtaskIndex: number;
  /** Operator uid -> its state. */
  readonly operators: Record<string, OperatorSnapshot>;
}

/** Where a task finds its state when it is restored: operator uid -> the files holding it. */
export interface TaskRestore {
  readonly checkpointId: number;
  readonly files: Record<string, StateFileHandle[]>;
}

/** Where a task writes its state: the checkpoint's directory. */
export type CheckpointDirOf = (checkpointId: number) => string;

/**
 * Phase one, between two records: runs the operators' snapshot hooks and
 * captures every state. Returns phase two, which converts and writes the
 * captured state (asynchronously, while records flow) and returns the file.
 */
export async function captureChainState(
  chain: OperatorChain,
  checkpointId: number,
): Promise<() => Promise<TaskStateSnapshot>> {
  for (const { op } of chain.operators) await op.snapshotState?.(checkpointId);
  const keyed = new Map<string, Promise<KeyedStateSnapshot>>();
  const operators: Record<string, OperatorSnapshot> = {};
  for (const { node, ctx } of chain.operators) {
    if (ctx.keyedBackend !== undefined) {
      keyed.set(node.uid, ctx.keyedBackend.snapshot(checkpointId));
    }
    const operator = ctx.operatorState.snapshot(checkpointId);
    if (operator.states.length > 0) operators[node.uid] = { operator };
  }
  if (chain.source?.snapshotState && chain.sourceNode) {
    operators[chain.sourceNode.uid] = { source: chain.source.snapshotState() };
  }
  return async () => {
    for (const [uid, snapshot] of keyed) {
      const k = await snapshot;
      if (k.keyGroups.length > 0) operators[uid] = { ...operators[uid], keyed: k };
    }
    return {
      version: 1,
      checkpointId,
      vertexId: chain.vertex.id,
      subtaskIndex: chain.subtaskIndex,
      operators,
    };
  };
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
 * resumes from them after it opens), or undefined when there are none.
 */
export async function restoreChainState(
  chain: OperatorChain,
  restore: TaskRestore,
): Promise<unknown[] | undefined> {
  const files = new Map<string, Promise<TaskStateSnapshot>>();
  const read = (h: StateFileHandle) => {
    let f = files.get(h.path);
    if (f === undefined) {
      files.set(h.path, f = readStateFile(h).then((x) => checkTaskState(x, h.path)));
    }
    return f;
  };
  const partsOf = async (uid: string) => {
    const handles = restore.files[uid] ?? [];
    const snapshots = await Promise.all(handles.map(read));
    return snapshots.sort((a, b) => a.subtaskIndex - b.subtaskIndex).map((s) => s.operators[uid])
      .filter((p) => p !== undefined);
  };
  for (const { node, ctx } of chain.operators) {
    const parts = await partsOf(node.uid);
    const keyed = parts.flatMap((p) => p.keyed ? [p.keyed] : []);
    if (keyed.length > 0) {
      if (ctx.keyedBackend === undefined) {
        throw new Error(`operator '${node.name}' (uid ${node.uid}) has keyed state but no key`);
      }
      ctx.keyedBackend.restore(keyed);
    }
    const operator = parts.flatMap((p) => p.operator ? [p.operator] : []);
    if (operator.length > 0) {
      ctx.operatorState.restore(
        redistributeOperatorState(operator, node.parallelism, chain.subtaskIndex),
      );
    }
  }
  if (chain.sourceNode === undefined) return undefined;
  const sources = (await partsOf(chain.sourceNode.uid)).filter((p) => "source" in p);
  return sources.length > 0 ? sources.map((p) => p.source) : undefined;
}

function checkTaskState(x: unknown, path: string): TaskStateSnapshot {
  const s = x as TaskStateSnapshot;
  if (s === null || typeof s !== "object" || s.version !== 1 || typeof s.operators !== "object") {
    throw new Error(`${path} is not a task state file of a known version`);
  }
  return s;
}
