/**
 * The errors of file systems: a read over its limit, and an operating failure
 * of the storage (which names the location and what to do).
 *
 * @example
 * ```ts
 * import { StorageError } from "./errors.ts";
 * const e = new StorageError("bucket 'b' does not exist: create it");
 * e.domain; // "external"
 * ```
 * @module
 */

/** Reads are bounded: nothing larger than this is read into memory (typed array limit). */
export const MAX_READ_BYTES = 2 ** 31 - 1;

/** A file is larger than a read allows. */
export class FileTooLargeError extends Error {
  override readonly name = "FileTooLargeError";
  constructor(readonly path: string, readonly bytes: number, readonly maxBytes: number) {
    super(`${path} has ${bytes} bytes, over the limit of ${maxBytes}`);
  }
}

/**
 * Storage failed for an operating reason (a missing bucket, refused
 * credentials, an unreachable endpoint): the message names the location and
 * what to do. Its domain is an external system, not the job and not spate.
 */
export class StorageError extends Error {
  override readonly name = "StorageError";
  readonly domain = "external";
}
