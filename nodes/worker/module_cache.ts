/**
 * Job modules for the slots: a URL as it is (same machine), or a bundle from
 * the master's blob store, fetched once per worker, checked against its
 * content hash and kept in the worker's directory.
 * @module
 */

import { pathToFileURL } from "node:url";
import { sha256Hex } from "../protocol/blob.ts";
import type { JobModuleSource } from "../protocol/deployment.ts";
import { blobPath } from "../protocol/rest.ts";
import type { ClusterSecret } from "../rpc/auth/cluster_secret.ts";
import { provePeer } from "../rpc/auth/peer_proof.ts";

/**
 * A resolver of job modules for a worker whose master is at `masterUrl`;
 * with `secret`, bundles are fetched with a proof of it (a master with
 * tokens asks for one).
 */
export function moduleCache(
  masterUrl: string | undefined | (() => string | undefined),
  dir: string,
  secret?: ClusterSecret,
) {
  const currentMaster = typeof masterUrl === "function" ? masterUrl : () => masterUrl;
  const fetched = new Map<string, Promise<string>>();
  return (source: JobModuleSource): Promise<string> => {
    if (source.kind === "url") return Promise.resolve(source.url);
    let url = fetched.get(source.key);
    if (url === undefined) {
      url = fetchBlob(currentMaster(), dir, source.key, secret);
      fetched.set(source.key, url);
      url.catch(() => fetched.delete(source.key));
    }
    return url;
  };
}

async function fetchBlob(
  masterUrl: string | undefined,
  dir: string,
  key: string,
  secret: ClusterSecret | undefined,
): Promise<string> {
  if (masterUrl === undefined) {
    throw new Error("this worker has no master to fetch job bundles from");
  }
  const proof = secret && await provePeer(masterUrl, secret, "blob");
  const res = await fetch(new URL(blobPath(key), masterUrl), { headers: proof?.headers });
  if (!res.ok) throw new Error(`blob ${key}: HTTP ${res.status} ${await res.text()}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const actual = await sha256Hex(bytes);
  if (actual !== key) throw new Error(`blob ${key} arrived with hash ${actual}`);
  await Deno.mkdir(dir, { recursive: true });
  const path = `${dir}/${key}.js`;
  await Deno.writeFile(path, bytes);
  return pathToFileURL(path).href;
}
