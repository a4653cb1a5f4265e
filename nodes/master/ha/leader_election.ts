/**
 * LeaderElection: a master's campaign for leadership of its cluster on etcd,
 * after Flink's LeaderElectionService (and LeaderRetrievalService for the
 * observers). The decisions are {@linkcode ElectionCore}'s; this class only
 * performs its effects with an {@linkcode EtcdClient}, keeps one timer, and
 * tells listeners.
 *
 * @example
 * ```ts ignore
 * import { LeaderElection } from "./leader_election.ts";
 * const election = new LeaderElection({
 *   endpoints: ["http://127.0.0.1:2379"], clusterId: "prod", url: "http://m1:8081",
 * });
 * election.on("elected", (l) => console.log(`leading, fencing token ${l.token}`));
 * election.on("lost", (reason) => console.log(`leadership lost: ${reason}`));
 * election.on("leaderChanged", (l) => console.log(`leader: ${l?.url ?? "none"}`));
 * election.campaign();
 * // ...
 * await election.close();
 * ```
 * @module
 */

import { Logger } from "../../../core/log/logger.ts";
import {
  ElectionCore,
  type ElectionCore as Core,
  type ElectionEffect,
  type LeaderInfo,
  type Leadership,
} from "./election_core.ts";
import { EtcdClient, EtcdError, type EtcdWatch } from "./etcd_client.ts";
import { type EtcdHaOptions, haKeys, resolveEtcdHaOptions } from "./ha_options.ts";

/** What a LeaderElection tells its listeners. */
export interface LeaderElectionEvents {
  /** This candidate leads; `leadership.token` fences its writes. */
  elected: (leadership: Leadership) => void;
  /** This candidate no longer leads (resigned, closed, lease ended or unconfirmed). */
  lost: (reason: string) => void;
  /** The cluster's leader changed (undefined: none right now). */
  leaderChanged: (leader: LeaderInfo | undefined) => void;
}

/** A LeaderElection's settings: the HA options (defaults filled in) and who this candidate is. */
export type LeaderElectionOptions =
  & Partial<EtcdHaOptions>
  & Pick<EtcdHaOptions, "endpoints">
  & {
    /** This candidate's URL: the leader key's value, what observers are told. */
    readonly url: string;
    /** Where error lines go (default: stderr with a `[ha]` prefix). */
    readonly log?: (line: string) => void;
    /** An etcd client to share (default: one of its own, closed by `close`). */
    readonly etcd?: EtcdClient;
  };

type Listeners = { [K in keyof LeaderElectionEvents]: Set<LeaderElectionEvents[K]> };

/** See the module doc. */
const HA_LOG = new Logger("ha");

export class LeaderElection {
  /** The resolved HA settings. */
  readonly options: EtcdHaOptions;
  /** The etcd client this election uses (for fenced writes by the leader). */
  readonly etcd: EtcdClient;
  private readonly ownsClient: boolean;
  private readonly core: Core;
  private readonly log: (line: string) => void;
  private readonly listeners: Listeners = {
    elected: new Set(),
    lost: new Set(),
    leaderChanged: new Set(),
  };
  private watch: EtcdWatch | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  /** Calls in flight, awaited by `close`. */
  private readonly pending = new Set<Promise<void>>();

  constructor(options: LeaderElectionOptions) {
    this.options = resolveEtcdHaOptions(options);
    this.ownsClient = options.etcd === undefined;
    this.etcd = options.etcd ?? new EtcdClient(this.options);
    this.log = options.log ?? ((line) => HA_LOG.info(line));
    this.core = new ElectionCore({
      prefix: haKeys(this.options.clusterId).leaderPrefix,
      url: options.url,
      sessionTtlMs: this.options.sessionTtlMs,
      retryInitialMs: this.options.retryInitialMs,
      retryMaxMs: this.options.retryMaxMs,
    });
  }

  /** This candidate's term while it leads. */
  get leadership(): Leadership | undefined {
    return this.core.currentLeadership;
  }

  /** The cluster's leader as last read. */
  get leader(): LeaderInfo | undefined {
    return this.core.currentLeader;
  }

  /** Every candidate's URL as last read, the leader first. */
  get candidates(): readonly string[] {
    return this.core.currentCandidates;
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof LeaderElectionEvents>(event: K, fn: LeaderElectionEvents[K]): () => void {
    const set = this.listeners[event] as Set<LeaderElectionEvents[K]>;
    set.add(fn);
    return () => set.delete(fn);
  }

  /** Watches who leads without campaigning (a standby that may not lead, a client). */
  observe(): void {
    this.step((c, now) => c.observe(now));
  }

  /** Campaigns for leadership (again, after `resign`). */
  campaign(): void {
    this.step((c, now) => c.campaign(now));
  }

  /** Gives leadership up (revokes the lease) and stops campaigning; observing goes on. */
  async resign(): Promise<void> {
    this.step((c, now) => c.resign(now));
    await this.settled();
  }

  /** Resigns, stops watching and, unless shared, closes the etcd client. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.step((c) => c.close());
    this.closed = true;
    clearTimeout(this.timer);
    await this.watch?.cancel();
    this.watch = undefined;
    await this.settled();
    if (this.ownsClient) this.etcd.close();
  }

  private async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Feeds the core one event and performs its effects (after `close`, only late revokes). */
  private step(event: (core: Core, nowMs: number) => ElectionEffect[]): void {
    for (const effect of event(this.core, performance.now())) this.perform(effect);
    clearTimeout(this.timer);
    const wake = this.core.nextWakeMs();
    if (wake !== undefined && !this.closed) {
      const delay = Math.max(0, wake - performance.now());
      this.timer = setTimeout(() => this.step((c, now) => c.tick(now)), delay);
    }
  }

  /** Runs an etcd call; its outcome becomes the next event. */
  private track<T>(
    call: Promise<T>,
    ok: (core: Core, nowMs: number, value: T) => ElectionEffect[],
    fail: (core: Core, nowMs: number, e: EtcdError) => ElectionEffect[],
  ): void {
    const done = call.then(
      (value) => this.step((c, now) => ok(c, now, value)),
      (e) => this.step((c, now) => fail(c, now, asEtcdError(e, this.etcd))),
    );
    this.pending.add(done);
    done.finally(() => this.pending.delete(done));
  }

  private perform(effect: ElectionEffect): void {
    const etcd = this.etcd;
    switch (effect.type) {
      case "grantLease":
        return this.track(
          etcd.grantLease(effect.ttlMs),
          (c, now, r) => c.leaseGranted(now, r.leaseId, r.ttlMs),
          (c, now, e) => c.failed(now, "grant", e.message),
        );
      case "register":
        return this.track(
          etcd.putIfAbsent(effect.key, effect.value, effect.leaseId),
          (c, now, kv) => c.registered(now, effect.leaseId, kv.createRevision),
          (c, now, e) => c.failed(now, "register", e.message, e.kind === "leaseNotFound"),
        );
      case "read":
        return this.track(
          etcd.range(haKeys(this.options.clusterId).leaderPrefix),
          (c, now, r) => c.read(now, r.revision, r.kvs),
          (c, now, e) => c.failed(now, "read", e.message),
        );
      case "keepAlive":
        return this.track(
          etcd.keepAlive(effect.leaseId),
          (c, now, ttlMs) => c.keptAlive(now, effect.leaseId, ttlMs),
          (c, now, e) => c.keepAliveFailed(now, effect.leaseId, e.message),
        );
      case "revoke":
        return this.track(etcd.revokeLease(effect.leaseId), () => [], (_c, _now, e) => {
          this.log(`${e.message} (the lease ends by itself within its TTL)`);
          return [];
        });
      case "watch":
        void this.watch?.cancel();
        this.watch = etcd.watchPrefix(
          haKeys(this.options.clusterId).leaderPrefix,
          effect.fromRevision,
          () => this.step((c, now) => c.changed(now)),
          (e) => this.step((c, now) => c.watchFailed(now, e.message)),
        );
        return;
      case "log":
        return this.log(effect.line);
      case "elected":
        return this.emit("elected", effect.leadership);
      case "lost":
        return this.emit("lost", effect.reason);
      case "leaderChanged":
        return this.emit("leaderChanged", effect.leader);
    }
  }

  private emit<K extends keyof LeaderElectionEvents>(
    event: K,
    ...args: Parameters<LeaderElectionEvents[K]>
  ): void {
    for (const fn of this.listeners[event]) {
      try {
        (fn as (...a: Parameters<LeaderElectionEvents[K]>) => void)(...args);
      } catch (e) {
        this.log(`a '${event}' listener failed: ${(e as Error).stack ?? e}`);
      }
    }
  }
}

function asEtcdError(e: unknown, etcd: EtcdClient): EtcdError {
  return e instanceof EtcdError ? e : new EtcdError("call", "other", etcd.endpoints, e);
}
