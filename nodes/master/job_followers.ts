/**
 * The master's JobFollowers by job id: one for each job submitted through
 * the REST API, and one for each job a new leader resumes (its client
 * follows it there), bounded: the oldest ended ones go first.
 * @module
 */

import { OPTIONS } from "../../core/config/options.ts";
import type { ClientMessage } from "../protocol/client.ts";
import {
  askDispatcher,
  type DispatcherMessage,
  type JobSubmission,
} from "../protocol/dispatcher.ts";
import type { ActorRef } from "../rpc/actor.ts";
import type { ActorSystem } from "../rpc/actor_system.ts";
import { JobFollower } from "./job_follower.ts";

/** Followers kept after their jobs ended (the oldest go first). */
export const MAX_FOLLOWERS = 256;
const ASK_TIMEOUT_MS = 10_000;

/** The followers of a master's jobs. */
export class JobFollowers {
  private readonly byJob = new Map<
    string,
    { follower: JobFollower; ref: ActorRef<ClientMessage> }
  >();
  private spawned = 0;
  private readonly maxRecords: number;

  constructor(
    private readonly system: ActorSystem,
    maxCollectRecords: number = OPTIONS.maxCollectRecords.default,
  ) {
    this.maxRecords = maxCollectRecords;
  }

  /** The follower of job `jobId`, if this master has one. */
  get(jobId: string): JobFollower | undefined {
    return this.byJob.get(jobId)?.follower;
  }

  /** Submits `submission` to `dispatcher` with a new follower as its client; returns the job id. */
  async submit(
    dispatcher: ActorRef<DispatcherMessage>,
    submission: JobSubmission,
  ): Promise<string> {
    const { ref, follower } = this.spawn();
    const { jobId } = await askDispatcher(
      dispatcher,
      { type: "submitJob", submission, client: ref },
      ASK_TIMEOUT_MS,
    ).catch(async (e) => {
      await this.system.stop(ref);
      throw e;
    });
    this.keep(jobId, follower, ref);
    return jobId;
  }

  /** A new follower for job `jobId`, resumed by this master: the client of its JobMaster. */
  resumed(jobId: string): ActorRef<ClientMessage> {
    const { ref, follower } = this.spawn();
    this.keep(jobId, follower, ref);
    return ref;
  }

  private spawn(): { ref: ActorRef<ClientMessage>; follower: JobFollower } {
    let follower!: JobFollower;
    const ref = this.system.spawn(
      `job-follower-${this.spawned++}`,
      () => follower = new JobFollower(this.maxRecords),
    );
    return { ref, follower };
  }

  private keep(jobId: string, follower: JobFollower, ref: ActorRef<ClientMessage>): void {
    this.byJob.set(jobId, { follower, ref });
    for (const [id, f] of this.byJob) {
      if (this.byJob.size <= MAX_FOLLOWERS) break;
      if (!f.follower.ended) continue;
      this.byJob.delete(id);
      void this.system.stop(f.ref);
    }
  }
}
