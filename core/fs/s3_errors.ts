/**
 * S3 client failures as {@linkcode StorageError}s that name the bucket and key
 * and say what to do: a missing bucket, refused credentials, an unreachable
 * endpoint. The secret key is never part of a message.
 *
 * @example
 * ```ts
 * import { s3StorageError } from "./s3_errors.ts";
 * const e = Object.assign(new Error("The specified bucket does not exist"), { name: "NoSuchBucket" });
 * s3StorageError(e, "write", "s3://spate/chk/_metadata", "endpoint http://127.0.0.1:9000").message;
 * // "cannot write s3://spate/chk/_metadata: bucket 'spate' does not exist at endpoint ..."
 * ```
 * @module
 */

import { StorageError } from "./errors.ts";
import { parseS3Location } from "./location.ts";

/** Error names (S3 codes) that mean the credentials were refused. */
const REFUSED = new Set([
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "AccessDenied",
  "Forbidden",
  "InvalidToken",
  "ExpiredToken",
  "InvalidClientTokenId",
]);

/** Node and fetch error codes that mean the endpoint was not reached. */
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "TimeoutError",
  "RequestTimeout",
]);

/**
 * `e`, thrown by the S3 client during `operation` on `location`, as a
 * StorageError; `where` describes the store (endpoint, region, access key id).
 */
export function s3StorageError(
  e: unknown,
  operation: string,
  location: string,
  where: string,
): StorageError {
  const err = e as { name?: string; code?: string; message?: string; $metadata?: unknown };
  const name = err?.name ?? "Error";
  const code = err?.code ?? name;
  const status = (err?.$metadata as { httpStatusCode?: number } | undefined)?.httpStatusCode;
  const detail = `${code}: ${err?.message ?? String(e)}`;
  const what = `cannot ${operation} ${location}`;
  let bucket = "?";
  try {
    bucket = parseS3Location(location).bucket;
  } catch { /* a malformed location is named as given */ }
  let message;
  if (name === "NoSuchBucket") {
    message = `${what}: bucket '${bucket}' does not exist at ${where}; create it ` +
      `(aws s3 mb s3://${bucket}) or fix the location`;
  } else if (REFUSED.has(name) || status === 403) {
    message = `${what}: the store refused the credentials (${detail}; ${where}); check ` +
      `--s3-access-key and --s3-secret-key or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ` +
      `and that this key may use bucket '${bucket}'`;
  } else if (UNREACHABLE.has(code) || UNREACHABLE.has(name) || isConnectionError(e)) {
    message = `${what}: cannot reach the S3 store (${detail}; ${where}); check --s3-endpoint ` +
      `or AWS_ENDPOINT_URL_S3 and that the store runs and is reachable from this host`;
  } else {
    message = `${what}: ${detail} (${where}${status === undefined ? "" : `, HTTP ${status}`})`;
  }
  return new StorageError(message, { cause: e });
}

/** A fetch or socket failure below HTTP (no response came). */
function isConnectionError(e: unknown): boolean {
  const cause = (e as { cause?: { code?: string } })?.cause;
  return cause?.code !== undefined && UNREACHABLE.has(cause.code);
}
