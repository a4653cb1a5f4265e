/**
 * Where a worker or a client finds the masters of a cluster: a fixed list of
 * URLs (`--master A,B`), or the election of a cluster with high availability
 * in etcd (`--etcd URLS --cluster-id ID`), read through etcd's JSON gateway
 * (`POST /v3/kv/range`) so that neither needs an etcd client library. The
 * candidates' keys hold their URLs; the oldest key (lowest create revision)
 * is the leader's, so it comes first.
 *
 * @example
 * ```ts
 * import { etcdMasters, fixedMasters } from "./master_discovery.ts";
 * const fixed = fixedMasters(["http://a:8081", "http://b:8081"]);
 * const found = etcdMasters(["http://127.0.0.1:2379"], "prod");
 * found.description; // "the masters of cluster 'prod' in etcd http://127.0.0.1:2379"
 * ```
 * @module
 */

import { haKeys } from "./ha_keys.ts";

/** Where the masters of a cluster are. */
export interface MasterSource {
  /** What it is, for messages. */
  readonly description: string;
  /** Whether the list can change (several masters, or etcd): a client then follows a failover. */
  readonly following: boolean;
  /** Whether the first of `masters()` is known to lead (etcd), not just a guess. */
  readonly leaderFirst: boolean;
  /** The masters to try, the leader (or the likeliest one) first; throws when it cannot tell. */
  masters(): Promise<string[]>;
}

/** A fixed list of master URLs. */
export function fixedMasters(urls: readonly string[]): MasterSource {
  if (urls.length === 0) throw new Error("a master list needs at least one URL");
  const list = [...urls];
  return {
    description: list.join(","),
    following: list.length > 1,
    leaderFirst: false,
    masters: () => Promise.resolve([...list]),
  };
}

/** A source as it is; a fixed list for URLs. */
export function masterSource(m: string | readonly string[] | MasterSource): MasterSource {
  if (typeof m === "string") return fixedMasters([m]);
  return "masters" in m ? m : fixedMasters(m);
}

/** How long one etcd endpoint may take to answer a discovery read. */
export const DISCOVERY_TIMEOUT_MS = 2_000;

/** The candidates of cluster `clusterId`'s election in etcd at `endpoints`, the leader first. */
export function etcdMasters(
  endpoints: readonly string[],
  clusterId: string,
  timeoutMs = DISCOVERY_TIMEOUT_MS,
): MasterSource {
  const prefix = haKeys(clusterId).leaderPrefix;
  const body = JSON.stringify({
    key: base64(prefix),
    range_end: base64(prefixEnd(prefix)),
    sort_order: "ASCEND",
    sort_target: "CREATE",
  });
  const description = `the masters of cluster '${clusterId}' in etcd ${endpoints.join(",")}`;
  return {
    description,
    following: true,
    leaderFirst: true,
    async masters() {
      const failures: string[] = [];
      for (const endpoint of endpoints) {
        try {
          const res = await fetch(new URL("/v3/kv/range", endpoint), {
            method: "POST",
            body,
            signal: AbortSignal.timeout(timeoutMs),
          });
          if (!res.ok) throw new Error(`HTTP ${res.status} ${(await res.text()).trim()}`);
          const { kvs = [] } = await res.json() as { kvs?: { value?: string }[] };
          const urls = [...new Set(kvs.map((kv) => unbase64(kv.value ?? "")))];
          if (urls.length === 0) {
            throw new Error(`no master campaigns in cluster '${clusterId}' yet`);
          }
          return urls;
        } catch (e) {
          failures.push(`${endpoint}: ${(e as Error).message}`);
        }
      }
      throw new Error(`cannot find ${description} (${failures.join("; ")})`);
    },
  };
}

/** The smallest key after every key that starts with `prefix` (etcd's range end). */
function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

function base64(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

function unbase64(b64: string): string {
  return new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
}
