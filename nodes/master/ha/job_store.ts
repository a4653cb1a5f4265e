/**
 * The durable job store of a cluster with high availability, in etcd: one
 * key per non-terminal job (its submission, job graph and module's blob key
 * included) and one per job for its latest completed checkpoint id. Writes
 * go through a {@linkcode FencedWriter}, so a deposed leader's writes fail;
 * a new leader reads every job back with {@linkcode readStoredJobs}.
 *
 * @example
 * ```ts ignore
 * import { EtcdJobStore, readStoredJobs } from "./job_store.ts";
 * const store = new EtcdJobStore(new FencedWriter(etcd, "prod", leadership));
 * await store.add({ jobId, submission, submittedAtMs: Date.now() });
 * await store.checkpointCompleted(jobId, 7);
 * (await readStoredJobs(etcd, "prod"))[0].latestCheckpointId; // 7
 * ```
 * @module
 */

import type { DurableJobs, StoredJob } from "../durable_jobs.ts";
import type { EtcdClient } from "./etcd_client.ts";
import type { FencedWriter } from "./fenced_writer.ts";
import { haKeys } from "./ha_options.ts";

/** The etcd keys of the job store of cluster `clusterId`. */
export function jobStoreKeys(clusterId: string): { jobs: string; checkpoints: string } {
  const root = haKeys(clusterId).root;
  return { jobs: `${root}jobs/`, checkpoints: `${root}checkpoints/` };
}

/** The job store as the current leader writes it. */
export class EtcdJobStore implements DurableJobs {
  private readonly keys: { jobs: string; checkpoints: string };

  constructor(private readonly writer: FencedWriter) {
    this.keys = jobStoreKeys(writer.clusterId);
  }

  /** Stores the job; a FencingError once this leader is deposed. */
  add(job: StoredJob): Promise<void> {
    const { latestCheckpointId: _, ...record } = job;
    return this.writer.put(`${this.keys.jobs}${job.jobId}`, JSON.stringify(record));
  }

  /** Records the job's latest completed checkpoint id. */
  checkpointCompleted(jobId: string, checkpointId: number): Promise<void> {
    return this.writer.put(`${this.keys.checkpoints}${jobId}`, String(checkpointId));
  }

  /** Removes the job and its checkpoint pointer, in one transaction. */
  remove(jobId: string): Promise<void> {
    return this.writer.write([
      { type: "delete", key: `${this.keys.jobs}${jobId}` },
      { type: "delete", key: `${this.keys.checkpoints}${jobId}` },
    ]);
  }
}

/** Every stored (non-terminal) job of cluster `clusterId`, oldest first. */
export async function readStoredJobs(etcd: EtcdClient, clusterId: string): Promise<StoredJob[]> {
  const keys = jobStoreKeys(clusterId);
  const [jobs, checkpoints] = await Promise.all([
    etcd.range(keys.jobs),
    etcd.range(keys.checkpoints),
  ]);
  const latest = new Map(
    checkpoints.kvs.map((kv) => [kv.key.slice(keys.checkpoints.length), Number(kv.value)]),
  );
  return jobs.kvs.map((kv) => {
    let record: StoredJob;
    try {
      record = JSON.parse(kv.value);
    } catch (e) {
      throw new Error(
        `stored job ${kv.key} is not JSON (${(e as Error).message}): delete the key with ` +
          `etcdctl del ${kv.key} to drop the job`,
      );
    }
    const id = latest.get(record.jobId);
    return id === undefined ? record : { ...record, latestCheckpointId: id };
  });
}
