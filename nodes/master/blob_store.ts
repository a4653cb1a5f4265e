/**
 * BlobStore: content-addressed files (job bundles) kept by the master, in a
 * directory or under an object store prefix (`s3://bucket/prefix`): the HA
 * storage that every master can reach. The key is the SHA-256 of the bytes
 * (see `nodes/protocol/blob.ts`), so a worker can check what it fetched.
 * @module
 */

import { OPTIONS } from "../../core/config/options.ts";
import { type FileSystem, fileSystemFor } from "../../core/fs/file_system.ts";
import { isBlobKey, sha256Hex } from "../protocol/blob.ts";
import { InvalidRequestError } from "../protocol/errors.ts";

/** Job bundles by content hash, in directory (or `s3://` prefix) `dir`. */
export class BlobStore {
  private readonly fs: Promise<FileSystem>;

  constructor(readonly dir: string, readonly maxBlobBytes: number = OPTIONS.maxBlobBytes.default) {
    this.fs = fileSystemFor(dir);
    this.fs.catch(() => {}); // reported by the first put or get
  }

  /** Stores `bytes`; returns their key. Writing is atomic: a blob is there whole or not at all. */
  async put(bytes: Uint8Array): Promise<string> {
    if (bytes.length > this.maxBlobBytes) {
      throw new InvalidRequestError(
        `blob of ${bytes.length} bytes exceeds the limit of ${this.maxBlobBytes}`,
      );
    }
    const key = await sha256Hex(bytes);
    await (await this.fs).write(`${this.dir}/${key}`, [bytes]);
    return key;
  }

  /** The bytes of `key`, or undefined. */
  async get(key: string): Promise<Uint8Array | undefined> {
    if (!isBlobKey(key)) return undefined;
    return await (await this.fs).read(`${this.dir}/${key}`, this.maxBlobBytes);
  }
}
