/**
 * The master cannot be reached, or the connection to it was lost: an
 * operating error the CLI reports in one line (exit code 3), never a stack.
 * @module
 */

import { tlsFailure } from "../rpc/tls/tls_errors.ts";

/**
 * The client could not talk to the master at `masterUrl`.
 *
 * @example
 * ```ts
 * import { MasterUnreachableError } from "./master_unreachable.ts";
 * const e = new MasterUnreachableError("http://127.0.0.1:8081", new TypeError("fetch failed"));
 * e.message;
 * // "cannot reach the master at http://127.0.0.1:8081: fetch failed (is it running? check
 * // --master or $SPATE_MASTER)"
 * ```
 */
export class MasterUnreachableError extends Error {
  override readonly name = "MasterUnreachableError";
  constructor(readonly masterUrl: string, cause: unknown, lost = false) {
    // A TLS failure says what to fix itself; "is it running?" would mislead.
    const tls = tlsFailure(cause, masterUrl);
    super(
      lost
        ? `lost the connection to the master at ${masterUrl}: ${tls ?? connectReason(cause)}`
        : tls !== undefined
        ? `cannot talk to the master at ${masterUrl}: ${tls}`
        : `cannot reach the master at ${masterUrl}: ${connectReason(cause)} ` +
          `(is it running? check --master or $SPATE_MASTER)`,
      { cause },
    );
  }
}

/**
 * Why a connection failed, in a few words: "connection refused", "unknown
 * host", or the innermost message of the error and its causes.
 *
 * @example
 * ```ts
 * import { connectReason } from "./master_unreachable.ts";
 * connectReason(new Error("tcp connect error: Connection refused (os error 111)"));
 * // "connection refused"
 * ```
 */
export function connectReason(e: unknown): string {
  const messages: string[] = [];
  for (let x = e; x instanceof Error; x = x.cause) messages.push(x.message);
  const all = messages.join(" ");
  if (/refused/i.test(all)) return "connection refused";
  if (/ENOTFOUND|dns error|lookup address|Name or service not known/i.test(all)) {
    return "unknown host";
  }
  if (/ETIMEDOUT|timed out/i.test(all)) return "connection timed out";
  return messages.at(-1) ?? String(e);
}
