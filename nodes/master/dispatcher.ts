/**
 * Dispatcher: accepts jobs and runs one JobMaster (a supervised child) per
 * job; keeps the list of jobs for the REST API and tells JobMasters about lost
 * workers.
 * @module
 */

import { Actor, type ActorRef, DeferredReply, replyError } from "../rpc/actor.ts";
import { checkMessage, InvalidMessageError } from "../rpc/message_schema.ts";
import {
  DISPATCHER_SCHEMA,
  type DispatcherMessage,
  type DispatcherReplies,
} from "../protocol/dispatcher.ts";
import { UnknownJobError } from "../protocol/errors.ts";
import { newJobId } from "../protocol/ids.ts";
import { askJobMaster, type JobMasterMessage } from "../protocol/job_master.ts";
import type { JobState } from "../protocol/job_status.ts";
import type { ResourceManagerMessage } from "../protocol/resource_manager.ts";
import { validateSubmission } from "./rest/validate_submission.ts";
import { JobMaster } from "./job_master.ts";

interface JobEntry {
  readonly jobId: string;
  readonly name: string;
  readonly startTime: number;
  state: JobState;
  endTime: number;
  readonly master: ActorRef<JobMasterMessage>;
}

/** Most ended jobs remembered for the REST API. */
export const MAX_ENDED_JOBS = 1000;

/** How long a savepoint request waits for the savepoint (its own timeout is the checkpoint timeout). */
export const SAVEPOINT_ASK_TIMEOUT_MS = 15 * 60_000;

/** Accepts jobs and runs one JobMaster per job. */
export class Dispatcher extends Actor<DispatcherMessage> {
  private readonly jobs = new Map<string, JobEntry>();

  constructor(private readonly resourceManager: () => ActorRef<ResourceManagerMessage>) {
    super();
  }

  receive(m: DispatcherMessage): unknown {
    const invalid = checkMessage(DISPATCHER_SCHEMA, m);
    if (invalid !== undefined) return replyError(new InvalidMessageError(invalid));
    switch (m.type) {
      case "submitJob": {
        const jobId = newJobId();
        const { client } = m;
        let submission;
        try {
          submission = validateSubmission(m.submission, { allowUrlModules: true });
        } catch (e) {
          return replyError(e as Error);
        }
        const master = this.context.spawn(
          `job-${jobId}`,
          () => new JobMaster(jobId, submission, this.resourceManager(), client),
        );
        this.jobs.set(jobId, {
          jobId,
          name: submission.jobName,
          startTime: Date.now(),
          state: "RUNNING",
          endTime: -1,
          master,
        });
        return { jobId } satisfies DispatcherReplies["submitJob"];
      }
      case "listJobs": {
        const jobs: DispatcherReplies["listJobs"] = [];
        for (const { master: _, ...job } of this.jobs.values()) jobs.push(job);
        return jobs;
      }
      case "jobDetails": {
        const job = this.jobs.get(m.jobId);
        if (job === undefined) return replyError(new UnknownJobError(`no job ${m.jobId}`));
        return new DeferredReply(askJobMaster(job.master, { type: "details" }));
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
            { type: "triggerSavepoint", targetDir: m.targetDir, cancel: m.cancel },
            SAVEPOINT_ASK_TIMEOUT_MS,
          ),
        );
      }
      case "jobEnded": {
        const job = this.jobs.get(m.jobId);
        if (job !== undefined) {
          job.state = m.state;
          job.endTime = Date.now();
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
