/**
 * BlobStore: content-addressed files (job bundles) on the master's disk. The
 * key is the SHA-256 of the bytes (see `nodes/protocol/blob.ts`), so a worker
 * can check what it fetched.
 * @module
 */

import { OPTIONS } from "../../core/config/options.ts";
import { isBlobKey, sha256Hex } from "../protocol/blob.ts";
import { InvalidRequestError } from "../protocol/errors.ts";

/** Job bundles by content hash, in directory `dir`. */
export class BlobStore {
  constructor(readonly dir: string, readonly maxBlobBytes: number = OPTIONS.maxBlobBytes.default) {
    Deno.mkdirSync(dir, { recursive: true });
  }

  /** Stores `bytes`; returns their key. Writing is atomic (temp file + rename). */
  async put(bytes: Uint8Array): Promise<string> {
    if (bytes.length > this.maxBlobBytes) {
      throw new InvalidRequestError(
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
