/**
 * Which snapshot a job (re)starts from: after a failure, the newest retained
 * checkpoint whose files are all intact (corrupt ones are reported and
 * skipped); at the first start, the savepoint it was submitted with, checked
 * against the job's operator uids.
 * @module
 */

import {
  type CheckpointMetadata,
  findLatestValid,
  type StateFileHandle,
  subdirectories,
  validateCheckpoint,
} from "../../core/checkpoint/checkpoint_storage.ts";
import type { JobGraph } from "../../core/graph/job_graph.ts";
import type { JobSubmission } from "../protocol/dispatcher.ts";
import type { TaskRestore } from "../protocol/task_state.ts";

/** What each task restores from a snapshot: the files holding each operator uid's state. */
export function restoreFrom(metadata: CheckpointMetadata): TaskRestore {
  const files: Record<string, StateFileHandle[]> = {};
  for (const t of Object.values(metadata.tasks)) {
    if (t.file === undefined) continue;
    for (const uid of t.operators) (files[uid] ??= []).push(t.file);
  }
  return { checkpointId: metadata.checkpointId, files };
}

/** The newest intact checkpoint of a job under `root`; `onSkip` hears of each corrupt one. */
export async function latestCheckpointRestore(
  root: string,
  jobId: string,
  onSkip: (checkpointId: number, reason: string) => void,
): Promise<TaskRestore | undefined> {
  const found = await findLatestValid(root, jobId, onSkip);
  return found === undefined ? undefined : restoreFrom(found.metadata);
}

/**
 * The savepoint (or retained checkpoint) at `from.path`. Throws, naming the
 * uids, when it holds state of operators the job does not have, unless
 * `from.allowNonRestoredState`; and, naming the source, when a source that
 * cannot be rescaled would resume at another parallelism than it was saved at.
 */
export async function savepointRestore(
  from: NonNullable<JobSubmission["restoreFrom"]>,
  jobGraph: JobGraph,
): Promise<TaskRestore> {
  let metadata;
  try {
    metadata = await validateCheckpoint(from.path);
  } catch (e) {
    const inside = await savepointsIn(from.path);
    throw new Error(
      `cannot restore from ${from.path}: ` +
        (inside.length === 0
          ? (e as Error).message
          : `it is not a savepoint but the directory of ${inside.length} savepoint(s): ` +
            `name one, such as ${from.path}/${inside[0]}`),
    );
  }
  const uids = new Set(jobGraph.vertices.flatMap((v) => v.operatorUids ?? []));
  const stateUids = new Set(Object.values(metadata.tasks).flatMap((t) => t.operators));
  const unmatched = [...stateUids].filter((u) => !uids.has(u));
  if (unmatched.length > 0 && !from.allowNonRestoredState) {
    throw new Error(
      `cannot restore from ${from.path}: it holds state of operator(s) ${
        unmatched.map((u) => `'${u}'`).join(", ")
      } that match no operator of this job (operators: ${[...uids].join(", ")}); give ` +
        `the operators the same .uid(), or pass --allow-non-restored-state to drop that state`,
    );
  }
  checkSourceParallelism(from.path, metadata, jobGraph);
  return restoreFrom(metadata);
}

/** The `savepoint-*` directories in `dir` (a `--dir` given to `spate savepoint`), by name. */
async function savepointsIn(dir: string): Promise<string[]> {
  return await subdirectories(dir, "savepoint-").catch(() => []);
}

/** Throws when a non-rescalable source of `jobGraph` has another parallelism than in `metadata`. */
function checkSourceParallelism(path: string, metadata: CheckpointMetadata, jobGraph: JobGraph) {
  const tasks = Object.values(metadata.tasks);
  for (const v of jobGraph.vertices) {
    if (v.nonRescalableSource === undefined) continue;
    const uid = v.operatorUids[0];
    const saved = tasks.filter((t) => t.operators.includes(uid)).length;
    if (saved === 0 || saved === v.parallelism) continue;
    throw new Error(
      `cannot restore from ${path}: source '${v.nonRescalableSource}' (uid '${uid}') resumes ` +
        `only at the parallelism it was saved at: ${saved} in the savepoint, ${v.parallelism} ` +
        `in this job; run the source at parallelism ${saved} (-p ${saved}, or ` +
        `.setParallelism(${saved}) on it)`,
    );
  }
}
