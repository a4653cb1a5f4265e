/**
 * What a master with high availability keeps of its jobs beyond its own life:
 * the interface the Dispatcher and JobMasters write through, and a job as a
 * new leader reads it back. The etcd implementation is `ha/job_store.ts`.
 * @module
 */

import type { JobSubmission } from "../protocol/dispatcher.ts";

/** A job as stored: enough to run it again without its client. */
export interface StoredJob {
  readonly jobId: string;
  readonly submission: JobSubmission;
  /** When it was first submitted (ms since the epoch). */
  readonly submittedAtMs: number;
  /** The newest completed checkpoint recorded for it, if any. */
  readonly latestCheckpointId?: number;
}

/** Where a leader records its jobs; every write fails once the leader is deposed. */
export interface DurableJobs {
  /** Records a submitted job (before its submission is acknowledged). */
  add(job: StoredJob): Promise<void>;
  /** Records that checkpoint `checkpointId` of `jobId` completed (its metadata is stored). */
  checkpointCompleted(jobId: string, checkpointId: number): Promise<void>;
  /** Forgets a job that reached a terminal state: no leader resumes it. */
  remove(jobId: string): Promise<void>;
}
