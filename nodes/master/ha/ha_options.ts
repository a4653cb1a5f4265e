/**
 * Settings of etcd-based high availability, and the etcd keys of a cluster.
 * Every key spate writes lives under `/spate/<cluster-id>/`, so masters with
 * another cluster id never see, join or fence this cluster's election.
 *
 * @example
 * ```ts
 * import { haKeys, resolveEtcdHaOptions } from "./ha_options.ts";
 * const o = resolveEtcdHaOptions({ endpoints: ["http://127.0.0.1:2379"] });
 * o.clusterId; // "default"
 * o.sessionTtlMs; // 3000
 * haKeys("prod").leaderPrefix; // "/spate/prod/leader/"
 * ```
 * @module
 */

export { HA_MODES, type HaMode } from "../../../core/config/options.ts";
import { clusterIdError } from "../../protocol/ha_keys.ts";
export { clusterIdError, type HaKeys, haKeys, parseEtcdEndpoints } from "../../protocol/ha_keys.ts";

/** The cluster id when none is given. */
export const DEFAULT_CLUSTER_ID = "default";
/** The session (lease) TTL when none is given: how long a dead leader keeps leadership. */
export const DEFAULT_SESSION_TTL_MS = 3_000;
/** The shortest session TTL: etcd counts lease TTLs in whole seconds. */
export const MIN_SESSION_TTL_MS = 1_000;
/** The longest session TTL accepted. */
export const MAX_SESSION_TTL_MS = 600_000;

/** How a master reaches etcd and which election it joins. */
export interface EtcdHaOptions {
  /** Client URLs of the etcd members (`http://host:2379`). */
  readonly endpoints: readonly string[];
  /** The cluster this master belongs to (letters, digits, `.`, `_`, `-`). */
  readonly clusterId: string;
  /** TTL of the leader's lease, a multiple of 1000 ms (etcd counts seconds). */
  readonly sessionTtlMs: number;
  /** First delay after a failed etcd call; it doubles per failure up to `retryMaxMs`. */
  readonly retryInitialMs: number;
  /** Largest delay between retries of a failed etcd call. */
  readonly retryMaxMs: number;
  /** Deadline of one etcd call (default: a third of the session TTL). */
  readonly requestTimeoutMs: number;
}

/**
 * Fills in defaults and checks every setting; throws with what to change.
 *
 * @example
 * ```ts
 * import { resolveEtcdHaOptions } from "./ha_options.ts";
 * resolveEtcdHaOptions({ endpoints: ["http://e:2379"], sessionTtlMs: 6000 }).requestTimeoutMs; // 2000
 * ```
 */
export function resolveEtcdHaOptions(
  options: Partial<EtcdHaOptions> & Pick<EtcdHaOptions, "endpoints">,
): EtcdHaOptions {
  const clusterId = options.clusterId ?? DEFAULT_CLUSTER_ID;
  const idError = clusterIdError(clusterId);
  if (idError) throw new Error(idError);
  if (options.endpoints.length === 0) throw new Error("HA on etcd needs at least one endpoint");
  const sessionTtlMs = options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
  if (
    !Number.isInteger(sessionTtlMs) || sessionTtlMs % 1000 !== 0 ||
    sessionTtlMs < MIN_SESSION_TTL_MS || sessionTtlMs > MAX_SESSION_TTL_MS
  ) {
    throw new Error(
      `session TTL ${sessionTtlMs} ms is not valid: give whole seconds from ` +
        `${MIN_SESSION_TTL_MS} to ${MAX_SESSION_TTL_MS} ms (etcd leases count seconds)`,
    );
  }
  const retryInitialMs = options.retryInitialMs ?? 250;
  const retryMaxMs = options.retryMaxMs ?? 4_000;
  if (!(retryInitialMs > 0 && retryMaxMs >= retryInitialMs)) {
    throw new Error(`retry delays ${retryInitialMs}..${retryMaxMs} ms: need 0 < initial <= max`);
  }
  const requestTimeoutMs = options.requestTimeoutMs ?? Math.floor(sessionTtlMs / 3);
  if (!(requestTimeoutMs > 0)) {
    throw new Error(`request timeout ${requestTimeoutMs} ms must be > 0`);
  }
  return {
    endpoints: [...options.endpoints],
    clusterId,
    sessionTtlMs,
    retryInitialMs,
    retryMaxMs,
    requestTimeoutMs,
  };
}
