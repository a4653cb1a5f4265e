/**
 * Where a cluster with high availability keeps its election in etcd, shared
 * by the masters (who campaign) and by workers and clients (who find the
 * leader there with `--etcd`). Every key spate writes lives under
 * `/spate/<cluster-id>/`, so masters with another cluster id never see, join
 * or fence this cluster's election.
 *
 * @example
 * ```ts
 * import { haKeys } from "./ha_keys.ts";
 * haKeys("prod").leaderPrefix; // "/spate/prod/leader/"
 * ```
 * @module
 */

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
 * import { parseEtcdEndpoints } from "./ha_keys.ts";
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
