/**
 * Storage locations: a local (or shared) directory path, or an object store
 * URI `s3://bucket/prefix`. Both join with `/`, so `${root}/${jobId}/chk-3`
 * is a location whatever the root is.
 *
 * @example
 * ```ts
 * import { isS3Location, parseS3Location, resolveLocation } from "./location.ts";
 * isS3Location("s3://spate/checkpoints"); // true
 * parseS3Location("s3://spate/checkpoints/job-1"); // { bucket: "spate", key: "checkpoints/job-1" }
 * resolveLocation("chk", "/home/me"); // "/home/me/chk"
 * ```
 * @module
 */

import { resolve } from "node:path";

/** The scheme of object store locations. */
export const S3_SCHEME = "s3://";

/** The longest location accepted (S3 keys are at most 1024 bytes). */
export const MAX_LOCATION_LENGTH = 4096;

/** A bucket and a key (or key prefix) in it. */
export interface S3Location {
  readonly bucket: string;
  /** The key without a leading `/`; "" for the bucket's root. */
  readonly key: string;
}

/** Whether `location` is an object store URI (`s3://...`). */
export function isS3Location(location: string): boolean {
  return location.startsWith(S3_SCHEME);
}

/**
 * The bucket and key of `s3://bucket/key`. Throws a TypeError naming the
 * location and the rule it breaks (bucket names: 3 to 63 lower-case letters,
 * digits, dots and hyphens; keys: no empty segment, no `.` or `..`).
 */
export function parseS3Location(location: string): S3Location {
  if (!isS3Location(location)) {
    throw new TypeError(`not an S3 location (s3://bucket/prefix): '${location}'`);
  }
  const rest = location.slice(S3_SCHEME.length);
  const slash = rest.indexOf("/");
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const key = slash < 0 ? "" : rest.slice(slash + 1).replace(/\/+$/, "");
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new TypeError(
      `bad bucket name '${bucket}' in '${location}': a bucket name has 3 to 63 lower-case ` +
        `letters, digits, dots or hyphens (write s3://bucket/prefix)`,
    );
  }
  if (key !== "" && key.split("/").some((s) => s === "" || s === "." || s === "..")) {
    throw new TypeError(`bad key in '${location}': empty, '.' or '..' path segment`);
  }
  return { bucket, key };
}

/** Whether `location` names a place independent of the working directory. */
export function isAbsoluteLocation(location: string): boolean {
  return location.startsWith("/") || isS3Location(location);
}

/** `location`, a relative path resolved against `cwd`; S3 URIs and absolute paths unchanged. */
export function resolveLocation(location: string, cwd: string = Deno.cwd()): string {
  return isS3Location(location) ? location : resolve(cwd, location);
}

/**
 * Why `location` cannot be a storage location given to the master (checkpoint
 * root, savepoint): undefined when it can. `what` names it in the message.
 */
export function locationProblem(location: string, what: string): string | undefined {
  if (location.length > MAX_LOCATION_LENGTH) {
    return `${what} is longer than ${MAX_LOCATION_LENGTH} characters`;
  }
  if (location.includes("\0")) return `${what} contains a NUL character`;
  if (isS3Location(location)) {
    try {
      parseS3Location(location);
      return undefined;
    } catch (e) {
      return `${what}: ${(e as Error).message}`;
    }
  }
  if (!location.startsWith("/")) {
    return `${what} must be an absolute path or s3://bucket/prefix, got '${location}'`;
  }
  // A request names its directory as it is: no climbing out of it.
  if (location.split("/").includes("..")) {
    return `${what} must not contain a '..' segment, got '${location}'`;
  }
  return undefined;
}
