/**
 * A JobFollower hears a job submitted through the SDK route on the client's
 * behalf, on the master: it keeps the job's events for server-sent event
 * streams (replayed to a late subscriber) and its collected records for
 * `GET /jobs/:id/collect`, both bounded.
 * @module
 */

import type { JobExecutionResult, TaskFailure } from "../../core/graph/job_result.ts";
import type { ClientMessage } from "../protocol/client.ts";
import type { JobState } from "../protocol/job_status.ts";
import type { JobEvent } from "../protocol/sdk.ts";
import { Actor } from "../rpc/actor.ts";

/** Most events a follower keeps for replay (progress events replace each other). */
export const MAX_FOLLOWER_EVENTS = 10_000;

/** What the follower knows of its job; subscribers hear every later event. */
export class JobFollower extends Actor<ClientMessage> {
  readonly events: JobEvent[] = [];
  readonly records = new Map<number, unknown[]>();
  state: JobState = "CREATED";
  ended = false;
  truncated = false;
  result?: JobExecutionResult;
  failure?: TaskFailure;
  private collected = 0;
  private readonly subscribers = new Set<(e: JobEvent) => void>();

  constructor(private readonly maxCollectRecords: number) {
    super();
  }

  /** Calls `listener` with every event so far and every later one; returns the unsubscriber. */
  subscribe(listener: (e: JobEvent) => void): () => void {
    for (const e of this.events) listener(e);
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  receive(m: ClientMessage): void {
    if (m.type === "collect") {
      const room = this.maxCollectRecords - this.collected;
      const kept = m.records.length <= room ? m.records : m.records.slice(0, Math.max(0, room));
      if (kept.length < m.records.length) this.truncated = true;
      this.collected += kept.length;
      let list = this.records.get(m.collectId);
      if (list === undefined) this.records.set(m.collectId, list = []);
      for (const r of kept) list.push(r);
      return;
    }
    if (m.type === "jobStatus") this.state = m.state;
    if (m.type === "jobFinished") {
      this.result = m.result;
      this.state = m.result.state;
      this.ended = true;
    }
    if (m.type === "jobFailed") {
      this.failure = m.failure;
      this.state = "FAILED";
      this.ended = true;
    }
    if (m.type === "jobStatus" && m.state === "CANCELED") this.ended = true;
    const last = this.events.at(-1);
    if (m.type === "progress" && last?.type === "progress") this.events.pop();
    if (this.events.length < MAX_FOLLOWER_EVENTS) this.events.push(m);
    for (const s of this.subscribers) s(m);
  }
}
