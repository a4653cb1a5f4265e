/**
 * Submitting to a remote master: bundle the job, upload the bundle to the
 * master's blob store, open an RPC connection, and follow the job from a
 * JobClient actor in this process.
 * @module
 */

import type { JobExecutor, JobPlan } from "../../core/graph/job_plan.ts";
import type { JobExecutionResult } from "../../core/graph/job_result.ts";
import type { CollectListener } from "../../core/graph/job_plan.ts";
import {
  askDispatcher,
  type DispatcherMessage,
  type JobSubmission,
} from "../protocol/dispatcher.ts";
import type { ClientMessage } from "../protocol/client.ts";
import { UnknownJobError } from "../protocol/errors.ts";
import type { ActorRef } from "../rpc/actor.ts";
import type { RemoteConnection } from "../rpc/remote_connection.ts";
import { BLOBS_PATH, type BlobUploadResponse, type ErrorResponse } from "../protocol/rest.ts";
import { ActorSystem } from "../rpc/actor_system.ts";
import { dialConnection } from "../rpc/transport_http2.ts";
import { type MasterSource, masterSource } from "../protocol/master_discovery.ts";
import { nodeFetch } from "../rpc/tls/client_tls.ts";
import { ClusterExecutor, type JobListener } from "./cluster_executor.ts";
import { MasterUnreachableError } from "./master_unreachable.ts";

/** Where and how a RemoteExecutor submits. */
export interface RemoteExecutorOptions extends JobListener {
  /** The master's URL, or every master of a cluster with high availability. */
  readonly masterUrl: string | readonly string[] | MasterSource;
  readonly restartStrategy?: string;
  readonly restoreFrom?: JobSubmission["restoreFrom"];
  readonly slotTimeoutMs?: number;
  /** How long one dial to a master may take (default DEFAULT_CONNECT_TIMEOUT_MS). */
  readonly connectTimeoutMs?: number;
  readonly detached?: boolean;
  /** Bundles the job module (`spate` external) into the bytes the cluster's slots load. */
  readonly bundle: (moduleUrl: string) => Promise<Uint8Array>;
  /** Uploads a bundle to the master's blob store; returns its key (default: uploadBlob). */
  readonly upload?: (master: string, bytes: Uint8Array) => Promise<string>;
  /** Bearer token for a master that asks for one. */
  readonly token?: string;
}

/** Uploads bytes to the master's blob store; returns the key. */
export async function uploadBlob(
  masterUrl: string,
  bytes: Uint8Array,
  token?: string,
): Promise<string> {
  let res: Response;
  try {
    res = await nodeFetch(new URL(BLOBS_PATH, masterUrl), {
      method: "PUT",
      body: bytes as Uint8Array<ArrayBuffer>,
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
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

/** How long a client looks for the leader after its master went away, with several masters. */
export const FOLLOW_LEADER_TIMEOUT_MS = 60_000;
/** Pause between rounds over the masters while no leader accepts. */
const FOLLOW_RETRY_MS = 200;

/** An RPC connection to the first of `masters` that accepts one (a standby refuses). */
async function dialLeader(
  source: MasterSource,
  system: ActorSystem,
  timeoutMs: number,
  connectTimeoutMs: number | undefined,
  token: string | undefined,
): Promise<{ conn: RemoteConnection; master: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let failure: unknown;
    let masters: string[] = [];
    try {
      masters = await source.masters();
    } catch (e) {
      failure ??= e;
    }
    for (const master of masters) {
      try {
        const conn = await dialConnection(master, system, {
          connectTimeoutMs,
          kind: "client",
          token,
        });
        return { conn, master };
      } catch (e) {
        failure ??= e;
      }
    }
    if (Date.now() >= deadline) throw new MasterUnreachableError(source.description, failure);
    await new Promise((r) => setTimeout(r, FOLLOW_RETRY_MS));
  }
}

/** Resolves with the reason once `conn` closes. */
function closed(conn: RemoteConnection): Promise<string> {
  return new Promise((resolve) => conn.onClose((reason) => resolve(reason)));
}

/** Runs plans on the cluster of the master at `masterUrl` (or of the leader among several). */
export class RemoteExecutor implements JobExecutor {
  constructor(private readonly options: RemoteExecutorOptions) {}

  async execute(plan: JobPlan, onCollect?: CollectListener): Promise<JobExecutionResult> {
    const o = this.options;
    const masters = masterSource(o.masterUrl);
    const system = new ActorSystem("client");
    // One master: one attempt, as ever; several: wait for a leader.
    const dialTimeoutMs = masters.following ? FOLLOW_LEADER_TIMEOUT_MS : 0;
    let at: { conn: RemoteConnection; master: string };
    try {
      at = await dialLeader(masters, system, dialTimeoutMs, o.connectTimeoutMs, o.token);
    } catch (e) {
      await system.shutdown();
      throw e;
    }
    let submitted: { jobId: string; client: ActorRef<ClientMessage> } | undefined;
    try {
      const executor = new ClusterExecutor({
        ...o,
        system,
        dispatcher: at.conn.refFor<DispatcherMessage>("/user/dispatcher"),
        moduleSource: async (p: JobPlan) => ({
          kind: "blob",
          key: await (o.upload ?? ((m, b) => uploadBlob(m, b, o.token)))(
            at.master,
            await o.bundle(p.jobModuleUrl),
          ),
        }),
        onSubmitted: (jobId, client) => submitted = { jobId, client },
      });
      const result = executor.execute(plan, onCollect).then((r) => ({ result: r }));
      for (;;) {
        const next = await Promise.race([result, closed(at.conn).then((lost) => ({ lost }))]);
        if ("result" in next) return next.result;
        if (submitted === undefined || !masters.following) {
          throw new MasterUnreachableError(at.master, new Error(next.lost), true);
        }
        at = await this.follow(masters, system, submitted);
      }
    } finally {
      at.conn.close();
      await system.shutdown();
    }
  }

  /** Finds the new leader and follows the job there (it resumes the job under the same id). */
  private async follow(
    masters: MasterSource,
    system: ActorSystem,
    job: { jobId: string; client: ActorRef<ClientMessage> },
  ): Promise<{ conn: RemoteConnection; master: string }> {
    const deadline = Date.now() + FOLLOW_LEADER_TIMEOUT_MS;
    let failure: unknown;
    while (Date.now() < deadline) {
      const at = await dialLeader(
        masters,
        system,
        Math.max(0, deadline - Date.now()),
        this.options.connectTimeoutMs,
        this.options.token,
      );
      try {
        const dispatcher = at.conn.refFor<DispatcherMessage>("/user/dispatcher");
        await askDispatcher(dispatcher, { type: "attachClient", ...job });
        return at;
      } catch (e) {
        at.conn.close();
        if (e instanceof UnknownJobError) {
          throw new Error(
            `the master at ${at.master} leads now but does not know job ${job.jobId}: it was ` +
              "not in the job store; submit it again",
          );
        }
        failure = e;
        await new Promise((r) => setTimeout(r, FOLLOW_RETRY_MS));
      }
    }
    throw new MasterUnreachableError(masters.description, failure, true);
  }
}
