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

const CLUSTER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The error for a cluster id that is not a plain name, or undefined when it is fine. */
export function clusterIdError(id: string): string | undefined {
  if (CLUSTER_ID.test(id)) return undefined;
  return `cluster id '${id}' is not valid: use 1 to 64 letters, digits, '.', '_' or '-', ` +
    "starting with a letter or digit";
}

/**
 * Parses a comma-separated list of etcd client URLs; throws naming the bad entry.
 *
 * @example
 * ```ts
 * import { parseEtcdEndpoints } from "./ha_options.ts";
 * parseEtcdEndpoints("http://a:2379, http://b:2379"); // ["http://a:2379", "http://b:2379"]
 * ```
 */
export function parseEtcdEndpoints(list: string): string[] {
  const urls = list.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (urls.length === 0) throw new Error("--etcd needs at least one URL (http://host:2379)");
  for (const u of urls) {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      throw new Error(`etcd endpoint '${u}' is not a URL: give http://host:2379`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new Error(`etcd endpoint '${u}' must start with http:// or https://`);
    }
  }
  return urls;
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

/** The etcd keys of one cluster. */
export interface HaKeys {
  /** Everything of the cluster: `/spate/<id>/`. */
  readonly root: string;
  /** The election's candidate keys (one per candidate's lease): `/spate/<id>/leader/`. */
  readonly leaderPrefix: string;
}

/** The etcd keys of cluster `clusterId` (which must be valid). */
export function haKeys(clusterId: string): HaKeys {
  const idError = clusterIdError(clusterId);
  if (idError) throw new Error(idError);
  const root = `/spate/${clusterId}/`;
  return { root, leaderPrefix: `${root}leader/` };
}
