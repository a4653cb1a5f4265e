/**
 * Blob keys: job bundles in the master's blob store are named by the SHA-256
 * of their bytes, so whoever fetches one (a worker) can check what it got.
 * @module
 */

const BLOB_KEY = /^[0-9a-f]{64}$/;

/**
 * The SHA-256 of `bytes` as lower-case hex: the key of a blob.
 *
 * @example
 * ```ts
 * import { sha256Hex } from "./blob.ts";
 * const key = await sha256Hex(new TextEncoder().encode("job"));
 * console.assert(key.length === 64);
 * ```
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Whether `key` has the shape of a blob key (64 lower-case hex digits).
 *
 * @example
 * ```ts
 * import { isBlobKey } from "./blob.ts";
 * console.assert(!isBlobKey("../etc/passwd"));
 * ```
 */
export function isBlobKey(key: string): boolean {
  return BLOB_KEY.test(key);
}
