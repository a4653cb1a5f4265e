/**
 * Dispatcher: accepts jobs and runs one JobMaster (a supervised child) per
 * job; keeps the list of jobs for the REST API and tells JobMasters about lost
 * workers.
 * @module
 */

import { Logger } from "../../core/log/logger.ts";
import { Actor, type ActorRef, DeferredReply, replyError } from "../rpc/actor.ts";
import { checkMessage, InvalidMessageError } from "../rpc/message_schema.ts";
import {
  DISPATCHER_SCHEMA,
  type DispatcherMessage,
  type DispatcherReplies,
} from "../protocol/dispatcher.ts";
import { LimitReachedError, UnknownJobError } from "../protocol/errors.ts";
import { OPTIONS } from "../../core/config/options.ts";
import { newJobId } from "../protocol/ids.ts";
import { askJobMaster, type JobMasterMessage } from "../protocol/job_master.ts";
import type { JobState } from "../protocol/job_status.ts";
import type { ResourceManagerMessage } from "../protocol/resource_manager.ts";
import { InvalidSubmissionError, validateSubmission } from "./rest/validate_submission.ts";
import {
  formatPermissions,
  type JobPermissions,
  permissionExcess,
} from "../../core/config/job_permissions.ts";
import { JobMaster } from "./job_master.ts";
import type { DurableJobs, StoredJob } from "./durable_jobs.ts";
import type { JobSubmission } from "../protocol/dispatcher.ts";
import type { ClientMessage } from "../protocol/client.ts";

/** With high availability: where jobs are recorded, and the jobs a new leader resumes. */
export interface DispatcherDurability {
  readonly store: DurableJobs;
  readonly recovered: readonly StoredJob[];
}

interface JobEntry {
  readonly jobId: string;
  readonly name: string;
  readonly startTime: number;
  state: JobState;
  endTime: number;
  readonly master: ActorRef<JobMasterMessage>;
}

const LOG = new Logger("dispatcher");
/** The JobMaster message that answers each read-only job query. */
const JOB_MASTER_ASKS = {
  jobDetails: "details",
  jobPlan: "plan",
  jobExceptions: "exceptions",
} as const;

/** Most ended jobs remembered for the REST API. */
export const MAX_ENDED_JOBS = 1000;

/** How long a savepoint request waits for the savepoint (its own timeout is the checkpoint timeout). */
export const SAVEPOINT_ASK_TIMEOUT_MS = 15 * 60_000;

/** Accepts jobs and runs one JobMaster per job. */
export class Dispatcher extends Actor<DispatcherMessage> {
  private readonly jobs = new Map<string, JobEntry>();

  constructor(
    private readonly resourceManager: () => ActorRef<ResourceManagerMessage>,
    private readonly durable?: DispatcherDurability,
    private readonly maxJobs: number = OPTIONS.maxJobs.default,
    /**
     * The most a job may ask for (`--job-permissions-max`); undefined only for a
     * program's embedded cluster, whose jobs may then run with its permissions.
     */
    private readonly jobPermissionsMax?: JobPermissions,
    /** The client of a job this (new) leader resumes: its follower, which clients find here. */
    private readonly resumedClient?: (jobId: string) => ActorRef<ClientMessage>,
  ) {
    super();
  }

  override preStart(): void {
    for (const job of this.durable?.recovered ?? []) {
      const latest = job.latestCheckpointId ?? 0;
      LOG.info(
        `resuming job ${job.jobId} (${job.submission.jobName}) from ` +
          (latest > 0 ? `checkpoint ${latest}` : "its start: no checkpoint completed"),
      );
      this.startJob(job.jobId, job.submission, this.resumedClient?.(job.jobId), latest);
    }
  }

  /** Spawns the JobMaster of a job (recovered: the newest checkpoint id known). */
  private startJob(
    jobId: string,
    submission: JobSubmission,
    client: ActorRef<ClientMessage> | undefined,
    recoveredFromCheckpointId?: number,
  ): ActorRef<JobMasterMessage> {
    const store = this.durable?.store;
    const master = this.context.spawn(
      `job-${jobId}`,
      () =>
        new JobMaster(jobId, submission, this.resourceManager(), client, {
          recoveredFromCheckpointId,
          // A checkpoint the job store refuses (a deposed leader) fails: no task commits it.
          onCheckpointCompleted: store && ((id) => store.checkpointCompleted(jobId, id)),
        }),
    );
    this.jobs.set(jobId, {
      jobId,
      name: submission.jobName,
      startTime: Date.now(),
      state: "CREATED",
      endTime: -1,
      master,
    });
    return master;
  }

  /** The submission within the permissions cap (none declared: none); throws naming the excess. */
  private capped(submission: JobSubmission): JobSubmission {
    const max = this.jobPermissionsMax;
    if (max === undefined) return submission;
    const permissions = submission.job.permissions ?? {};
    const excess = permissionExcess(permissions, max);
    if (excess !== undefined) {
      throw new InvalidSubmissionError(
        `job '${submission.jobName}' asks for ${excess.kind} access to ${excess.value}, more ` +
          `than this cluster allows (--job-permissions-max ${formatPermissions(max)}): drop ` +
          `--allow-${excess.kind}=${excess.value} or ask the operator to allow it`,
      );
    }
    return { ...submission, job: { ...submission.job, permissions } };
  }

  receive(m: DispatcherMessage): unknown {
    const invalid = checkMessage(DISPATCHER_SCHEMA, m);
    if (invalid !== undefined) return replyError(new InvalidMessageError(invalid));
    switch (m.type) {
      case "submitJob": {
        const running = [...this.jobs.values()].filter((j) => j.endTime < 0).length;
        if (running >= this.maxJobs) {
          return replyError(
            new LimitReachedError(
              `the cluster runs ${running} jobs, the most it takes (--max-jobs ${this.maxJobs}): ` +
                "wait for one to end or cancel one",
            ),
          );
        }
        const jobId = newJobId();
        const { client } = m;
        let submission;
        try {
          submission = this.capped(validateSubmission(m.submission, { allowUrlModules: true }));
        } catch (e) {
          return replyError(e as Error);
        }
        const master = this.startJob(jobId, submission, client);
        const reply = { jobId } satisfies DispatcherReplies["submitJob"];
        const store = this.durable?.store;
        if (store === undefined) return reply;
        // Acknowledged once stored: a new leader will resume it. Not stored: not run.
        return new DeferredReply(
          store.add({ jobId, submission, submittedAtMs: Date.now() }).then(() => reply, (e) => {
            master.tell({ type: "cancel" });
            throw new Error(
              `job ${jobId} not accepted: the job store refused it (${e.message}); ` +
                "submit again to the current leader",
            );
          }),
        );
      }
      case "listJobs": {
        const jobs: DispatcherReplies["listJobs"] = [];
        for (const { master: _, ...job } of this.jobs.values()) jobs.push(job);
        return jobs;
      }
      case "jobDetails":
      case "jobPlan":
      case "jobExceptions": {
        const job = this.jobs.get(m.jobId);
        if (job === undefined) return replyError(new UnknownJobError(`no job ${m.jobId}`));
        const ask = JOB_MASTER_ASKS[m.type];
        return new DeferredReply(askJobMaster(job.master, { type: ask }));
      }
      case "cancelJob": {
        const job = this.jobs.get(m.jobId);
        if (job === undefined) return replyError(new UnknownJobError(`no job ${m.jobId}`));
        // The JobMaster answers: it knows whether its job already ended.
        return new DeferredReply(askJobMaster(job.master, { type: "cancel" }));
      }
      case "triggerSavepoint": {
        const job = this.jobs.get(m.jobId);
        if (job === undefined) return replyError(new UnknownJobError(`no job ${m.jobId}`));
        return new DeferredReply(
          askJobMaster(
            job.master,
            { type: "triggerSavepoint", targetDir: m.targetDir, cancel: m.cancel, stop: m.stop },
            SAVEPOINT_ASK_TIMEOUT_MS,
          ),
        );
      }
      case "jobStateChanged": {
        const job = this.jobs.get(m.jobId);
        if (job !== undefined && job.endTime < 0) job.state = m.state;
        return;
      }
      case "jobEnded": {
        const job = this.jobs.get(m.jobId);
        if (job !== undefined) {
          job.state = m.state;
          job.endTime = Date.now();
          this.durable?.store.remove(m.jobId).catch((e) =>
            LOG.warn(`job ${m.jobId} ended but stays in the job store: ${e.message}`)
          );
        }
        this.forgetOldJobs();
        return;
      }
      case "workerLost":
        for (const j of this.jobs.values()) if (j.endTime < 0) j.master.tell(m);
        return;
    }
  }

  private forgetOldJobs(): void {
    const ended = [...this.jobs.values()].filter((j) => j.endTime >= 0);
    for (const j of ended.slice(0, Math.max(0, ended.length - MAX_ENDED_JOBS))) {
      this.jobs.delete(j.jobId);
      this.context.stop(j.master);
    }
  }
}
