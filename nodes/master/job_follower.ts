/**
 * A JobFollower hears a job on the client's behalf, on the master (a job
 * submitted through the REST API, or resumed by a new leader): it keeps the
 * job's events and collected record batches in one numbered log, replayed to
 * a late subscriber from where it left off (server-sent events' Last-Event-ID),
 * and the records for `GET /jobs/:id/collect`, both bounded. A subscriber
 * that listens hears every record, beyond the bound too (`spate run` prints
 * them all); the log keeps the first --max-collect-records.
 * @module
 */

import type { JobExecutionResult, TaskFailure } from "../../core/graph/job_result.ts";
import type { ClientMessage } from "../protocol/client.ts";
import type { JobState } from "../protocol/job_status.ts";
import type { JobEvent } from "../protocol/sdk.ts";
import { Actor } from "../rpc/actor.ts";

/** Most events a follower keeps for replay, collected batches aside (progress events replace each other). */
export const MAX_FOLLOWER_EVENTS = 10_000;

/** One entry of the log: its number (from 1) and the message. */
export interface FollowedEntry {
  readonly seq: number;
  readonly message: ClientMessage;
}

const isEnd = (m: ClientMessage) =>
  m.type === "jobFinished" || m.type === "jobFailed" ||
  (m.type === "jobStatus" && m.state === "CANCELED");

/** What the follower knows of its job; subscribers hear every later entry. */
export class JobFollower extends Actor<ClientMessage> {
  /** Tells this follower's numbering from another's (a new leader's follower starts again). */
  readonly epoch = crypto.randomUUID().slice(0, 8);
  private readonly log: FollowedEntry[] = [];
  private seq = 0;
  private events = 0;
  state: JobState = "CREATED";
  ended = false;
  truncated = false;
  result?: JobExecutionResult;
  failure?: TaskFailure;
  private collected = 0;
  private readonly subscribers = new Set<(e: FollowedEntry) => void>();
  /** Told when this follower stops (its master stops leading): their streams end. */
  private readonly closers = new Set<() => void>();

  constructor(private readonly maxCollectRecords: number) {
    super();
  }

  /**
   * Calls `listener` with every entry after `after` (0: all) and every later
   * one, and `closed` if the follower stops first (its master no longer
   * leads: the subscriber's client must find the new leader); returns the
   * unsubscriber.
   */
  subscribe(listener: (e: FollowedEntry) => void, after = 0, closed?: () => void): () => void {
    for (const e of this.log) if (e.seq > after) listener(e);
    this.subscribers.add(listener);
    if (closed !== undefined) this.closers.add(closed);
    return () => {
      this.subscribers.delete(listener);
      if (closed !== undefined) this.closers.delete(closed);
    };
  }

  override postStop(): void {
    const closers = [...this.closers];
    this.closers.clear();
    this.subscribers.clear();
    for (const close of closers) close();
  }

  /** The collected records by collect id, in arrival order. */
  records(): Record<string, unknown[]> {
    const out: Record<string, unknown[]> = {};
    for (const { message: m } of this.log) {
      if (m.type !== "collect") continue;
      const list = out[m.collectId] ??= [];
      for (const r of m.records) list.push(r);
    }
    return out;
  }

  receive(m: ClientMessage): void {
    if (m.type === "collect") {
      const room = this.maxCollectRecords - this.collected;
      const kept = m.records.length <= room ? m.records : m.records.slice(0, Math.max(0, room));
      if (kept.length < m.records.length) this.truncated = true;
      this.collected += kept.length;
      // Subscribers hear every record; only --max-collect-records are kept for replay and collect.
      const live = { type: "collect" as const, collectId: m.collectId, records: m.records };
      if (kept.length === m.records.length) return this.append(live);
      const entry = { seq: ++this.seq, message: live };
      if (kept.length > 0) this.log.push({ ...entry, message: { ...live, records: kept } });
      for (const sub of this.subscribers) sub(entry);
      return;
    }
    if (m.type === "jobStatus") this.state = m.state;
    if (m.type === "jobFinished") {
      this.result = m.result;
      this.state = m.result.state;
    }
    if (m.type === "jobFailed") {
      this.failure = m.failure;
      this.state = "FAILED";
    }
    if (isEnd(m)) this.ended = true;
    const last = this.log.at(-1);
    if (m.type === "progress" && last?.message.type === "progress") {
      this.log.pop();
      this.events--;
    }
    // The end is always kept: a late subscriber must see the job end.
    if (this.events >= MAX_FOLLOWER_EVENTS && !isEnd(m)) return;
    this.events++;
    this.append(m);
  }

  private append(message: ClientMessage): void {
    const entry = { seq: ++this.seq, message };
    this.log.push(entry);
    for (const s of this.subscribers) s(entry);
  }
}

/** Whether `m` ends its job's story (nothing follows it). */
export function endsJob(m: ClientMessage | JobEvent): boolean {
  return isEnd(m as ClientMessage);
}
