/**
 * BlobStore: content-addressed files (job bundles) on the master's disk. The
 * key is the SHA-256 of the bytes, so a worker can check what it fetched.
 * @module
 */

import { OPTIONS } from "../../core/config/options.ts";

const KEY = /^[0-9a-f]{64}$/;

/** The SHA-256 of `bytes` as hex. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Whether `key` has the shape of a blob key. */
export function isBlobKey(key: string): boolean {
  return KEY.test(key);
}

export class BlobStore {
  constructor(readonly dir: string, readonly maxBlobBytes: number = OPTIONS.maxBlobBytes.default) {
    Deno.mkdirSync(dir, { recursive: true });
  }

  /** Stores `bytes`; returns their key. Writing is atomic (temp file + rename). */
  async put(bytes: Uint8Array): Promise<string> {
    if (bytes.length > this.maxBlobBytes) {
      throw new RangeError(
        `blob of ${bytes.length} bytes exceeds the limit of ${this.maxBlobBytes}`,
      );
    }
    const key = await sha256Hex(bytes);
    const path = `${this.dir}/${key}`;
    const tmp = `${path}.${crypto.randomUUID()}.tmp`;
    await Deno.writeFile(tmp, bytes);
    await Deno.rename(tmp, path);
    return key;
  }

  /** The bytes of `key`, or undefined. */
  async get(key: string): Promise<Uint8Array | undefined> {
    if (!isBlobKey(key)) return undefined;
    try {
      return await Deno.readFile(`${this.dir}/${key}`);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return undefined;
      throw e;
    }
  }
}
