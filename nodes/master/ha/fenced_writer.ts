/**
 * Fenced writes: a leader's puts and deletes that etcd applies only while the
 * leader's term still holds, checked in the same transaction (the leader key
 * exists with the term's create revision, its fencing token). A deposed
 * leader, even one only cut off and still running, gets a
 * {@linkcode FencingError} and nothing is written. The job store writes
 * through this.
 *
 * @example
 * ```ts ignore
 * import { FencedWriter } from "./fenced_writer.ts";
 * election.on("elected", async (leadership) => {
 *   const store = new FencedWriter(election.etcd, "prod", leadership);
 *   await store.put("/spate/prod/jobs/j1", "{...}"); // FencingError once deposed
 * });
 * ```
 * @module
 */

import type { Leadership } from "./election_core.ts";
import type { EtcdClient, WriteOp } from "./etcd_client.ts";
import { haKeys } from "./ha_options.ts";

/** A write refused because the writer no longer leads (its term ended). */
export class FencingError extends Error {
  /** Prefer the writer's methods, which throw it. */
  constructor(readonly clusterId: string, readonly token: number, keys: readonly string[]) {
    super(
      `write of ${keys.join(", ")} rejected: this master no longer leads cluster ` +
        `'${clusterId}' (its term, fencing token ${token}, has ended); a newer leader writes instead`,
    );
    this.name = "FencingError";
  }
}

/** Puts and deletes under the cluster's keys that only the current term can make. */
export class FencedWriter {
  private readonly root: string;
  private readonly leaderPrefix: string;

  constructor(
    private readonly etcd: EtcdClient,
    readonly clusterId: string,
    readonly leadership: Leadership,
  ) {
    const keys = haKeys(clusterId);
    this.root = keys.root;
    this.leaderPrefix = keys.leaderPrefix;
    if (!leadership.key.startsWith(this.leaderPrefix)) {
      throw new Error(`leader key ${leadership.key} is not in cluster '${clusterId}'`);
    }
  }

  /** Puts `key` (under the cluster's root) if this term still holds. */
  put(key: string, value: string): Promise<void> {
    return this.write([{ type: "put", key, value }]);
  }

  /** Deletes `key` (under the cluster's root) if this term still holds. */
  delete(key: string): Promise<void> {
    return this.write([{ type: "delete", key }]);
  }

  /** Applies all of `ops` atomically if this term still holds; else throws FencingError. */
  async write(ops: readonly WriteOp[]): Promise<void> {
    for (const op of ops) {
      if (!op.key.startsWith(this.root) || op.key.startsWith(this.leaderPrefix)) {
        throw new Error(
          `fenced write to ${op.key}: keys must be under ${this.root}, outside ${this.leaderPrefix}`,
        );
      }
    }
    const applied = await this.etcd.writeIf(
      { key: this.leadership.key, createRevision: this.leadership.token },
      ops,
    );
    if (!applied) {
      throw new FencingError(this.clusterId, this.leadership.token, ops.map((o) => o.key));
    }
  }
}
