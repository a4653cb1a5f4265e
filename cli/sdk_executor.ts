/**
 * `spate run --master`: the job module runs here and plans its job; the plan
 * goes to the cluster through the client SDK (client/, one client code path
 * with `spate list`, `cancel`, `savepoint` and `stop`): the module bundled
 * in-process, its bundle uploaded, the plan submitted (`POST /api/v1/jobs`),
 * and the job followed over server-sent events (state changes, progress,
 * checkpoints, collected records) to its end, across a failover of the
 * master when given several.
 * @module
 */

import type { CollectListener, JobExecutor, JobPlan } from "../core/graph/job_plan.ts";
import { JobExecutionError, type JobExecutionResult } from "../core/graph/job_result.ts";
import {
  detachedResult,
  JobCanceledError,
  type JobListener,
} from "../nodes/client/cluster_executor.ts";
import { MasterUnreachableError } from "../nodes/client/master_unreachable.ts";
import type { MasterSource } from "../nodes/protocol/master_discovery.ts";
import type { JobSubmission } from "../nodes/protocol/dispatcher.ts";
import { planSubmission } from "../nodes/protocol/plan_submission.ts";
import { SpateClient } from "../client/client.ts";
import { bundleModule, cliError, sdkOptions } from "./sdk_client.ts";

/** How long a run looks for a leader, at submission and after a failover, with several masters. */
export const FOLLOW_LEADER_TIMEOUT_MS = 60_000;
/** Rounds over several masters while none leads yet (pauses double up to the SDK's 2 s). */
const LEADER_ROUNDS = 34;

/** Where and how `spate run --master` submits. */
export interface SdkExecutorOptions extends JobListener {
  readonly masters: MasterSource;
  readonly token?: string;
  readonly connectTimeoutMs?: number;
  readonly restartStrategy?: string;
  readonly restoreFrom?: JobSubmission["restoreFrom"];
  readonly slotTimeoutMs?: number;
  /** Return once the job is accepted (the result then only holds its id). */
  readonly detached?: boolean;
}

/** Runs plans on a cluster through the client SDK. */
export class SdkExecutor implements JobExecutor {
  constructor(private readonly o: SdkExecutorOptions) {}

  async execute(plan: JobPlan, onCollect?: CollectListener): Promise<JobExecutionResult> {
    const o = this.o;
    let masters: string[];
    try {
      masters = await o.masters.masters();
    } catch (e) {
      throw new MasterUnreachableError(o.masters.description, e);
    }
    // One master: one attempt, and a lost connection ends the run; several: follow the leader.
    const following = o.masters.following;
    const client = new SpateClient({
      ...sdkOptions(masters, o.token),
      rounds: following ? LEADER_ROUNDS : 1,
      failoverMs: following ? FOLLOW_LEADER_TIMEOUT_MS : 0,
      ...(o.connectTimeoutMs === undefined ? {} : { timeouts: { connectMs: o.connectTimeoutMs } }),
    });
    try {
      const bundle = await bundleModule(plan.jobModuleUrl);
      const { key } = await client.upload(bundle);
      const jobId = await client.submitGraph(planSubmission(plan, { kind: "blob", key }, o));
      if (o.detached) return detachedResult(jobId, plan.jobName);
      return await follow(client, jobId, plan.jobName, o, onCollect);
    } catch (e) {
      throw cliError(e, masters);
    } finally {
      await client.close();
    }
  }
}

/** Hands the job's events to the listener until its end; its result, or why it failed. */
async function follow(
  client: SpateClient,
  jobId: string,
  jobName: string,
  listener: JobListener,
  onCollect: CollectListener | undefined,
): Promise<JobExecutionResult> {
  for await (const e of client.watch(jobId, { records: true })) {
    switch (e.type) {
      case "jobStatus":
        listener.onStatus?.(e);
        if (e.state === "CANCELED") throw new JobCanceledError(`job '${e.jobName}' was cancelled`);
        break;
      case "progress":
        listener.onProgress?.(e);
        break;
      case "checkpointCompleted":
        listener.onCheckpoint?.(e);
        break;
      case "collect":
        onCollect?.(e.collectId, e.records);
        break;
      case "jobFinished":
        return e.result;
      case "jobFailed":
        throw new JobExecutionError(e.jobName, e.failure);
    }
  }
  throw new MasterUnreachableError(
    client.leader,
    new Error(`the event stream of job ${jobId} (${jobName}) ended before the job did`),
    true,
  );
}
