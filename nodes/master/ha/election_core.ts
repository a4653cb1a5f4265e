/**
 * The leader election as a deterministic state machine (no I/O, no clock): the
 * caller feeds it events with explicit times and performs the effects each
 * returns; {@linkcode ElectionCore.nextWakeMs} says when to call
 * {@linkcode ElectionCore.tick} next.
 *
 * The recipe is etcd's own election (`concurrency.Election`): a candidate grants
 * a lease, creates the key `<prefix><lease id>` attached to it, and leads when
 * its key is the oldest under the prefix (smallest create revision). A key
 * leaves when its lease ends (the process died, was cut off, resigned), and the
 * next oldest candidate leads. Every candidate (and observer) watches the
 * prefix and reads it again on each change.
 *
 * Fencing token: the leader key's create revision. etcd revisions only grow,
 * so a newer term always has a larger token (a lease id has no order), and
 * one transaction can check that the key still exists with that revision,
 * which is exactly "this term still holds": see `fenced_writer.ts`.
 *
 * A leader that cannot renew its lease steps down by itself once the TTL has
 * passed since its last confirmed renewal (`lost`), even though etcd may still
 * hold the lease. If etcd later confirms the lease and the key is still the
 * oldest, it leads again with the same token: no other leader can have existed
 * meanwhile, since keys created later are younger.
 *
 * @example
 * ```ts
 * import { ElectionCore } from "./election_core.ts";
 * const core = new ElectionCore({
 *   prefix: "/spate/default/leader/", url: "http://m1:8081", sessionTtlMs: 3000,
 *   retryInitialMs: 250, retryMaxMs: 4000,
 * });
 * core.campaign(0); // [{ type: "grantLease", ttlMs: 3000 }]
 * core.leaseGranted(5, "7", 3000); // [{ type: "register", key: "/spate/default/leader/7", ... }]
 * core.registered(9, "7", 42); // [{ type: "read" }]
 * core.read(12, 42, [{ key: "/spate/default/leader/7", value: "http://m1:8081", createRevision: 42 }]);
 * // [leaderChanged (http://m1:8081, 42), elected (token 42), watch from 43]
 * ```
 * @module
 */

/** A candidate key as read from etcd. */
export interface Candidate {
  readonly key: string;
  /** The candidate's URL. */
  readonly value: string;
  readonly createRevision: number;
}

/** Who leads, as observers see it. */
export interface LeaderInfo {
  readonly url: string;
  /** The term's fencing token (the leader key's create revision). */
  readonly token: number;
}

/** This candidate's term: what a fenced write checks. */
export interface Leadership extends LeaderInfo {
  /** The leader key (`<prefix><lease id>`). */
  readonly key: string;
}

/** What the caller must do. */
export type ElectionEffect =
  | { readonly type: "grantLease"; readonly ttlMs: number }
  | {
    readonly type: "register";
    readonly key: string;
    readonly value: string;
    readonly leaseId: string;
  }
  /** Read every key under the prefix, then call `read` (or `failed("read")`). */
  | { readonly type: "read" }
  /** (Re)start the watch of the prefix from this revision; its changes call `changed`. */
  | { readonly type: "watch"; readonly fromRevision: number }
  | { readonly type: "keepAlive"; readonly leaseId: string }
  /** Revoke the lease (best effort: the election no longer needs it). */
  | { readonly type: "revoke"; readonly leaseId: string }
  | { readonly type: "elected"; readonly leadership: Leadership }
  | { readonly type: "lost"; readonly reason: string }
  /** The leader observers see changed (undefined: none). */
  | { readonly type: "leaderChanged"; readonly leader: LeaderInfo | undefined }
  | { readonly type: "log"; readonly line: string };

/** Longest pause before a failed lease renewal is tried again. */
export const KEEPALIVE_RETRY_MAX_MS = 1_000;

/** The etcd calls whose failures back off. */
export type ElectionOp = "grant" | "register" | "read";

/** Settings of the state machine. */
export interface ElectionCoreOptions {
  /** The candidate keys' prefix, ending with `/`. */
  readonly prefix: string;
  /** This candidate's URL (the leader key's value). */
  readonly url: string;
  readonly sessionTtlMs: number;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
}

interface Lease {
  readonly id: string;
  readonly ttlMs: number;
  /** Until when etcd has confirmed the lease (send time of the renewal + TTL). */
  confirmedUntilMs: number;
  nextKeepAliveMs: number;
  /** Send time of the keepalive in flight. */
  keepAliveSentMs?: number;
  /** The candidate key once created, with its create revision. */
  key?: string;
  createRevision?: number;
}

/** See the module doc. */
export class ElectionCore {
  private campaigning = false;
  private closed = false;
  private lease: Lease | undefined;
  private opInFlight: ElectionOp | undefined;
  private opSentMs = 0;
  private failures = 0;
  private retryAtMs = 0;
  private needRead = false;
  private watching = false;
  private leader: LeaderInfo | undefined;
  private leadership: Leadership | undefined;
  private candidateUrls: readonly string[] = [];

  constructor(private readonly options: ElectionCoreOptions) {
    if (!options.prefix.endsWith("/")) throw new Error(`prefix ${options.prefix} must end with /`);
  }

  /** This candidate's current term, if it leads. */
  get currentLeadership(): Leadership | undefined {
    return this.leadership;
  }

  /** The leader as last read (undefined: none, or not read yet). */
  get currentLeader(): LeaderInfo | undefined {
    return this.leader;
  }

  /** Every candidate's URL as last read, oldest (the leader) first. */
  get currentCandidates(): readonly string[] {
    return this.candidateUrls;
  }

  /** Starts watching who leads, without campaigning. */
  observe(nowMs: number): ElectionEffect[] {
    if (!this.watching) this.needRead = true;
    return this.plan(nowMs);
  }

  /** Starts (or resumes after `resign`) campaigning for leadership. */
  campaign(nowMs: number): ElectionEffect[] {
    this.campaigning = !this.closed;
    return this.observe(nowMs);
  }

  /** Gives leadership up and stops campaigning (observing goes on). */
  resign(nowMs: number): ElectionEffect[] {
    this.campaigning = false;
    return [...this.endSession("resigned", true), ...this.plan(nowMs)];
  }

  /** Resigns and stops everything; later results are ignored. */
  close(): ElectionEffect[] {
    this.campaigning = false;
    const effects = this.endSession("closed", true);
    this.closed = true;
    return effects;
  }

  /** Time passed: renewals due, a leadership whose lease went unconfirmed, retries due. */
  tick(nowMs: number): ElectionEffect[] {
    return this.plan(nowMs);
  }

  /** When the caller should call `tick` next, if ever. */
  nextWakeMs(): number | undefined {
    if (this.closed) return undefined;
    const times: number[] = [];
    const l = this.lease;
    if (l && l.keepAliveSentMs === undefined) times.push(l.nextKeepAliveMs);
    if (l && this.leadership) times.push(l.confirmedUntilMs);
    if (this.opInFlight === undefined && this.wantedOp() !== undefined) times.push(this.retryAtMs);
    return times.length ? Math.min(...times) : undefined;
  }

  /** `grantLease` succeeded. */
  leaseGranted(nowMs: number, leaseId: string, ttlMs: number): ElectionEffect[] {
    if (this.opInFlight !== "grant") return [];
    this.succeeded();
    if (this.closed || !this.campaigning || this.lease) return [{ type: "revoke", leaseId }];
    const sent = this.opSentMs;
    this.lease = {
      id: leaseId,
      ttlMs,
      confirmedUntilMs: sent + ttlMs,
      nextKeepAliveMs: sent + Math.floor(ttlMs / 3),
    };
    return this.plan(nowMs);
  }

  /** `register` succeeded: the candidate key exists with this create revision. */
  registered(nowMs: number, leaseId: string, createRevision: number): ElectionEffect[] {
    if (this.opInFlight !== "register") return [];
    this.succeeded();
    const l = this.lease;
    if (!l || l.id !== leaseId) return this.plan(nowMs);
    l.key = this.keyOf(leaseId);
    l.createRevision = createRevision;
    this.needRead = true;
    return this.plan(nowMs);
  }

  /** `read` succeeded: the candidates oldest first, at store revision `revision`. */
  read(nowMs: number, revision: number, candidates: readonly Candidate[]): ElectionEffect[] {
    if (this.opInFlight !== "read") return [];
    this.succeeded();
    if (this.closed) return [];
    const effects: ElectionEffect[] = [];
    this.candidateUrls = candidates.map((c) => c.value);
    const first = candidates[0];
    const leader = first ? { url: first.value, token: first.createRevision } : undefined;
    if (leader?.token !== this.leader?.token || leader?.url !== this.leader?.url) {
      this.leader = leader;
      effects.push({ type: "leaderChanged", leader });
    }
    const l = this.lease;
    if (l?.key !== undefined && l.createRevision! <= revision) {
      if (!candidates.some((c) => c.key === l.key && c.createRevision === l.createRevision)) {
        // The key is gone (its lease ended, or someone deleted it): start a new session.
        effects.push(...this.endSession("candidate key deleted in etcd", true));
      } else if (first.key === l.key && nowMs < l.confirmedUntilMs && !this.leadership) {
        this.leadership = { key: l.key, url: first.value, token: l.createRevision! };
        effects.push({ type: "elected", leadership: this.leadership });
      }
    }
    if (!this.watching) {
      this.watching = true;
      effects.push({ type: "watch", fromRevision: revision + 1 });
    }
    return [...effects, ...this.plan(nowMs)];
  }

  /** The watch saw a change (or reconnected): read again. */
  changed(nowMs: number): ElectionEffect[] {
    this.needRead = true;
    return this.plan(nowMs);
  }

  /** The watch ended with an error: read again, then watch anew. */
  watchFailed(nowMs: number, message: string): ElectionEffect[] {
    this.watching = false;
    this.needRead = true;
    return [
      { type: "log", line: `${message}; watching again after a new read` },
      ...this.plan(nowMs),
    ];
  }

  /** `keepAlive` answered: the lease's remaining TTL, 0 when etcd no longer has it. */
  keptAlive(nowMs: number, leaseId: string, ttlMs: number): ElectionEffect[] {
    const l = this.lease;
    if (!l || l.id !== leaseId || l.keepAliveSentMs === undefined) return [];
    const sent = l.keepAliveSentMs;
    l.keepAliveSentMs = undefined;
    if (ttlMs <= 0) {
      return [...this.endSession("lease expired in etcd", false), ...this.plan(nowMs)];
    }
    l.confirmedUntilMs = sent + ttlMs;
    l.nextKeepAliveMs = sent + Math.floor(l.ttlMs / 3);
    // Confirmed again after it had lapsed: read, to lead again if the key is still the oldest.
    if (l.key !== undefined && !this.leadership) this.needRead = true;
    return this.plan(nowMs);
  }

  /**
   * `keepAlive` failed: one line, and the next try at the usual interval but
   * within KEEPALIVE_RETRY_MAX_MS (with a long TTL, a leader must renew soon
   * after etcd is back, not a third of the TTL later).
   */
  keepAliveFailed(nowMs: number, leaseId: string, message: string): ElectionEffect[] {
    const l = this.lease;
    if (!l || l.id !== leaseId || l.keepAliveSentMs === undefined) return [];
    l.keepAliveSentMs = undefined;
    const delayMs = Math.min(Math.floor(l.ttlMs / 3), KEEPALIVE_RETRY_MAX_MS);
    l.nextKeepAliveMs = nowMs + delayMs;
    return [{ type: "log", line: `${message}; next try in ${delayMs} ms` }, ...this.plan(nowMs)];
  }

  /**
   * An etcd call failed. `leaseGone`: etcd said the lease no longer exists
   * (start a new session); otherwise retry after a capped exponential backoff.
   */
  failed(nowMs: number, op: ElectionOp, message: string, leaseGone = false): ElectionEffect[] {
    if (this.opInFlight !== op) return [];
    this.opInFlight = undefined;
    if (this.closed) return [];
    if (leaseGone) {
      return [...this.endSession("lease expired in etcd", false), ...this.plan(nowMs)];
    }
    this.failures++;
    const delayMs = Math.min(
      this.options.retryMaxMs,
      this.options.retryInitialMs * 2 ** Math.min(this.failures - 1, 30),
    );
    this.retryAtMs = nowMs + delayMs;
    return [
      { type: "log", line: `${message}; retry ${this.failures} in ${delayMs} ms` },
      ...this.plan(nowMs),
    ];
  }

  private keyOf(leaseId: string): string {
    return `${this.options.prefix}${BigInt(leaseId).toString(16)}`;
  }

  private succeeded(): void {
    this.opInFlight = undefined;
    this.failures = 0;
    this.retryAtMs = 0;
  }

  /** Drops the session (lease and key): announces `lost` if it led; revokes if asked. */
  private endSession(reason: string, revoke: boolean): ElectionEffect[] {
    const effects: ElectionEffect[] = [];
    if (this.leadership) effects.push({ type: "lost", reason });
    this.leadership = undefined;
    if (this.lease && revoke && !this.closed) {
      effects.push({ type: "revoke", leaseId: this.lease.id });
    }
    // A register in flight belongs to the old lease; its answer is then ignored.
    if (this.lease && this.opInFlight === "register") this.opInFlight = undefined;
    this.lease = undefined;
    return effects;
  }

  private wantedOp(): ElectionOp | undefined {
    if (this.closed) return undefined;
    if (this.campaigning && !this.lease) return "grant";
    if (this.campaigning && this.lease?.key === undefined) return "register";
    if (this.needRead) return "read";
    return undefined;
  }

  private plan(nowMs: number): ElectionEffect[] {
    if (this.closed) return [];
    const effects: ElectionEffect[] = [];
    const l = this.lease;
    if (this.leadership && l && nowMs >= l.confirmedUntilMs) {
      this.leadership = undefined;
      effects.push({
        type: "lost",
        reason: `lease not renewed within its ${l.ttlMs} ms TTL (etcd unreachable?)`,
      });
    }
    if (l && l.keepAliveSentMs === undefined && nowMs >= l.nextKeepAliveMs) {
      l.keepAliveSentMs = nowMs;
      effects.push({ type: "keepAlive", leaseId: l.id });
    }
    const op = this.opInFlight === undefined && nowMs >= this.retryAtMs
      ? this.wantedOp()
      : undefined;
    if (op === undefined) return effects;
    this.opInFlight = op;
    this.opSentMs = nowMs;
    if (op === "grant") effects.push({ type: "grantLease", ttlMs: this.options.sessionTtlMs });
    if (op === "register") {
      effects.push({
        type: "register",
        key: this.keyOf(l!.id),
        value: this.options.url,
        leaseId: l!.id,
      });
    }
    if (op === "read") {
      this.needRead = false;
      effects.push({ type: "read" });
    }
    return effects;
  }
}
