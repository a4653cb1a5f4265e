/**
 * The thin etcd v3 adapter of the HA services: the few calls leader election
 * and fenced writes need, each with a deadline, failing with an
 * {@linkcode EtcdError} whose message is one line.
 *
 * Built on the npm client `etcd3` (gRPC through `@grpc/grpc-js` over
 * `node:http2`), verified under Deno 2.9.6 against etcd 3.4: leases, keepalive,
 * transactions, watches, and recovery after etcd is stopped, frozen and
 * restarted. Its own fault handling is switched off (`noop` policies): with
 * the defaults a circuit breaker kept failing every call for 5 s after etcd
 * was back, and retries hid the failures from the election's own capped
 * backoff. Watches keep `etcd3`'s reconnection (from the last seen revision)
 * with a short backoff.
 *
 * @example
 * ```ts ignore
 * import { EtcdClient } from "./etcd_client.ts";
 * const etcd = new EtcdClient({ endpoints: ["http://127.0.0.1:2379"], requestTimeoutMs: 1000 });
 * const { leaseId } = await etcd.grantLease(3000);
 * await etcd.putIfAbsent("/spate/default/leader/x", "http://m1:8081", leaseId);
 * etcd.close();
 * ```
 * @module
 */

import { Buffer } from "node:buffer";
import { Etcd3, EtcdLeaseInvalidError, type IKeyValue, type IRequestOp, type Watcher } from "etcd3";
import { ExponentialBackoff, noop } from "cockatiel";

/** One key as etcd stores it (revisions are etcd's global, increasing revision numbers). */
export interface KeyValue {
  readonly key: string;
  readonly value: string;
  readonly createRevision: number;
  readonly modRevision: number;
  /** The lease id the key is attached to ("0": none). */
  readonly lease: string;
}

/** A write of a fenced transaction. */
export type WriteOp =
  | { readonly type: "put"; readonly key: string; readonly value: string }
  | { readonly type: "delete"; readonly key: string };

/** What went wrong with an etcd call: etcd did not answer, the lease is gone, or anything else. */
export type EtcdErrorKind = "unavailable" | "leaseNotFound" | "other";

/** A failed etcd call; its message is one line naming the call and the endpoints. */
export class EtcdError extends Error {
  /** Prefer the adapter's methods, which throw it. */
  constructor(
    readonly op: string,
    readonly kind: EtcdErrorKind,
    readonly endpoints: readonly string[],
    cause: unknown,
  ) {
    super(`etcd ${op} at ${endpoints.join(",")} failed: ${firstLine(cause)}`);
    this.name = "EtcdError";
  }
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  // grpc-js appends an empty "Resolution note:" to connection errors.
  return text.split("\n")[0].replace(/\s*Resolution note:\s*$/, "").slice(0, 200);
}

function kindOf(e: unknown): EtcdErrorKind {
  if (e instanceof EtcdLeaseInvalidError) return "leaseNotFound";
  const name = e instanceof Error ? e.constructor.name : "";
  return /Unavailable|DeadlineExceeded|Cancelled|ClientClosed|Timeout/.test(name) ||
      /UNAVAILABLE|DEADLINE_EXCEEDED|ECONNREFUSED|timed out/.test(firstLine(e))
    ? "unavailable"
    : "other";
}

/** Parses an etcd revision (an int64 sent as a string) that must fit a safe integer. */
function revision(value: string | number | undefined): number {
  const n = Number(value ?? 0);
  if (!Number.isSafeInteger(n)) throw new Error(`etcd revision ${value} exceeds 2^53`);
  return n;
}

function toKeyValue(kv: IKeyValue): KeyValue {
  return {
    key: kv.key.toString(),
    value: kv.value.toString(),
    createRevision: revision(kv.create_revision),
    modRevision: revision(kv.mod_revision),
    lease: String(kv.lease ?? "0"),
  };
}

/** The end of the key range that holds every key starting with `prefix`. */
function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

/** Where etcd runs and how long one call may take. */
export interface EtcdClientOptions {
  /** Client URLs of the etcd members, e.g. `["http://127.0.0.1:2379"]`. */
  readonly endpoints: readonly string[];
  /** The deadline of one call. */
  readonly requestTimeoutMs: number;
}

/** A running watch of a key prefix. */
export interface EtcdWatch {
  /** Stops the watch. */
  cancel(): Promise<void>;
}

/** The etcd calls of the HA services (see the module doc). */
export class EtcdClient {
  readonly endpoints: readonly string[];
  private readonly client: Etcd3;
  private readonly requestTimeoutMs: number;

  /** Connects lazily: the first call dials. */
  constructor(options: EtcdClientOptions) {
    if (options.endpoints.length === 0) throw new Error("etcd: no endpoint given");
    this.endpoints = options.endpoints;
    this.requestTimeoutMs = options.requestTimeoutMs;
    this.client = new Etcd3({
      hosts: [...options.endpoints],
      faultHandling: {
        host: () => noop,
        global: noop,
        // etcd3 types this as a backoff state but calls `.next()` on it for
        // the first delay, which a state also has.
        watchBackoff: new ExponentialBackoff({
          initialDelay: 100,
          maxDelay: Math.max(100, options.requestTimeoutMs),
        }).next(),
      },
    });
  }

  private deadline() {
    return { deadline: Date.now() + this.requestTimeoutMs };
  }

  private async call<T>(op: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw new EtcdError(op, kindOf(e), this.endpoints, e);
    }
  }

  /** Grants a lease of `ttlMs` (etcd counts whole seconds: rounded up); returns its id and granted TTL. */
  grantLease(ttlMs: number): Promise<{ leaseId: string; ttlMs: number }> {
    return this.call("grant lease", async () => {
      const res = await this.client.leaseClient.leaseGrant(
        { TTL: Math.ceil(ttlMs / 1000) },
        this.deadline(),
      );
      return { leaseId: String(res.ID), ttlMs: Number(res.TTL) * 1000 };
    });
  }

  /** Renews a lease once; returns its TTL in ms, 0 when the lease no longer exists. */
  keepAlive(leaseId: string): Promise<number> {
    return this.call("keep lease alive", async () => {
      const stream = await this.client.leaseClient.leaseKeepAlive(this.deadline());
      try {
        const res = await new Promise<{ TTL: string }>((resolve, reject) => {
          stream.on("data", resolve);
          stream.on("error", reject);
          stream.on("end", () => reject(new Error("keepalive stream ended without an answer")));
          stream.write({ ID: leaseId });
        });
        return Math.max(0, Number(res.TTL)) * 1000;
      } finally {
        stream.end();
      }
    });
  }

  /** Revokes a lease (its keys are deleted); a lease already gone is no error. */
  revokeLease(leaseId: string): Promise<void> {
    return this.call("revoke lease", async () => {
      try {
        await this.client.leaseClient.leaseRevoke({ ID: leaseId }, this.deadline());
      } catch (e) {
        if (!(e instanceof EtcdLeaseInvalidError)) throw e;
      }
    });
  }

  /** Creates `key` attached to the lease unless it exists; returns the key as stored either way. */
  putIfAbsent(key: string, value: string, leaseId: string): Promise<KeyValue> {
    return this.call("create key", async () => {
      const k = Buffer.from(key);
      const res = await this.client.kv.txn({
        compare: [{ key: k, target: "Create", result: "Equal", create_revision: 0 }],
        success: [{ request_put: { key: k, value: Buffer.from(value), lease: leaseId } }],
        failure: [{ request_range: { key: k } }],
      }, this.deadline());
      if (res.succeeded) {
        const rev = revision(res.header.revision);
        return { key, value, createRevision: rev, modRevision: rev, lease: leaseId };
      }
      const kv = res.responses[0].response_range.kvs[0];
      if (!kv) throw new Error(`key ${key} vanished during its creation`);
      return toKeyValue(kv);
    });
  }

  /** Every key under `prefix`, oldest first (by create revision), and the store's revision. */
  range(prefix: string): Promise<{ revision: number; kvs: KeyValue[] }> {
    return this.call("read", async () => {
      const key = Buffer.from(prefix);
      const res = await this.client.kv.range({
        key,
        range_end: prefixEnd(key),
        sort_target: "Create",
        sort_order: "Ascend",
      }, this.deadline());
      return { revision: revision(res.header.revision), kvs: res.kvs.map(toKeyValue) };
    });
  }

  /** The value of one key, or undefined. */
  async get(key: string): Promise<string | undefined> {
    return await this.call("get", () => this.client.get(key).options(this.deadline()).string()) ??
      undefined;
  }

  /**
   * Applies `ops` only if `guard.key` exists with `guard.createRevision`, in one
   * transaction; returns whether it did.
   */
  writeIf(
    guard: { readonly key: string; readonly createRevision: number },
    ops: readonly WriteOp[],
  ): Promise<boolean> {
    return this.call("fenced write", async () => {
      const success: IRequestOp[] = ops.map((op) =>
        op.type === "put"
          ? { request_put: { key: Buffer.from(op.key), value: Buffer.from(op.value) } }
          : { request_delete_range: { key: Buffer.from(op.key) } }
      );
      const res = await this.client.kv.txn({
        compare: [{
          key: Buffer.from(guard.key),
          target: "Create",
          result: "Equal",
          create_revision: guard.createRevision,
        }],
        success,
      }, this.deadline());
      return res.succeeded;
    });
  }

  /**
   * Watches the keys under `prefix` from `fromRevision`; `onChange` runs after
   * each put or delete and after the watch reconnects (changes may have been
   * missed), `onError` when the watch cannot go on (then start a new one).
   * Returns at once: the watch connects, and reconnects, in the background.
   */
  watchPrefix(
    prefix: string,
    fromRevision: number,
    onChange: () => void,
    onError: (e: EtcdError) => void,
  ): EtcdWatch {
    const watcher: Watcher = this.client.watch().prefix(prefix)
      .startRevision(String(fromRevision)).watcher();
    let disconnected = false;
    watcher.on("put", onChange);
    watcher.on("delete", onChange);
    watcher.on("disconnected", () => disconnected = true);
    watcher.on("connected", () => {
      if (disconnected) onChange();
      disconnected = false;
    });
    watcher.on("error", (e) => onError(new EtcdError("watch", kindOf(e), this.endpoints, e)));
    return { cancel: () => watcher.cancel().catch(() => {}) };
  }

  /** Closes the connections; later calls fail. */
  close(): void {
    this.client.close();
  }
}
