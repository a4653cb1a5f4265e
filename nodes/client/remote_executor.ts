/**
 * Submitting to a remote master: bundle the job, upload the bundle to the
 * master's blob store, open an RPC connection, and follow the job from a
 * JobClient actor in this process.
 * @module
 */

import type { JobExecutor, JobPlan } from "../../core/graph/job_plan.ts";
import type { JobExecutionResult } from "../../core/graph/job_result.ts";
import type { CollectListener } from "../../core/graph/job_plan.ts";
import type { DispatcherMessage, JobSubmission } from "../protocol/dispatcher.ts";
import { BLOBS_PATH, type BlobUploadResponse, type ErrorResponse } from "../protocol/rest.ts";
import { ActorSystem } from "../rpc/actor_system.ts";
import { dialConnection } from "../rpc/transport_http2.ts";
import { bundleJob } from "./bundle.ts";
import { ClusterExecutor, type JobListener } from "./cluster_executor.ts";
import { MasterUnreachableError } from "./master_unreachable.ts";

/** Where and how a RemoteExecutor submits. */
export interface RemoteExecutorOptions extends JobListener {
  readonly masterUrl: string;
  readonly restartStrategy?: string;
  readonly restoreFrom?: JobSubmission["restoreFrom"];
  readonly slotTimeoutMs?: number;
  readonly detached?: boolean;
  /** deno.json whose import map the bundler uses. */
  readonly configPath?: string;
}

/** Uploads bytes to the master's blob store; returns the key. */
export async function uploadBlob(masterUrl: string, bytes: Uint8Array): Promise<string> {
  let res: Response;
  try {
    res = await fetch(new URL(BLOBS_PATH, masterUrl), {
      method: "PUT",
      body: bytes as Uint8Array<ArrayBuffer>,
    });
  } catch (e) {
    throw new MasterUnreachableError(masterUrl, e);
  }
  const body: BlobUploadResponse | ErrorResponse = await res.json();
  if (!res.ok || !("key" in body)) {
    throw new Error(`upload to ${masterUrl} failed: ${JSON.stringify(body)}`);
  }
  return body.key;
}

/** Runs plans on the cluster of the master at `masterUrl`. */
export class RemoteExecutor implements JobExecutor {
  constructor(private readonly options: RemoteExecutorOptions) {}

  async execute(plan: JobPlan, onCollect?: CollectListener): Promise<JobExecutionResult> {
    const o = this.options;
    const system = new ActorSystem("client");
    let conn;
    try {
      conn = await dialConnection(o.masterUrl, system);
    } catch (e) {
      await system.shutdown();
      throw new MasterUnreachableError(o.masterUrl, e);
    }
    try {
      const executor = new ClusterExecutor({
        ...o,
        system,
        dispatcher: conn.refFor<DispatcherMessage>("/user/dispatcher"),
        moduleSource: async (p: JobPlan) => ({
          kind: "blob",
          key: await uploadBlob(o.masterUrl, await bundleJob(p.jobModuleUrl, o.configPath)),
        }),
      });
      const lost = new Promise<never>((_, reject) =>
        conn.onClose((reason) =>
          reject(new MasterUnreachableError(o.masterUrl, new Error(reason), true))
        )
      );
      lost.catch(() => {}); // the connection also closes when we are done
      return await Promise.race([executor.execute(plan, onCollect), lost]);
    } finally {
      conn.close();
      await system.shutdown();
    }
  }
}
