/** The errors of the client SDK: each says what failed and what to check. @module */

/** No master could be reached (or none answered in time); `lost`: a watch lost its master. */
export class MasterUnreachableError extends Error {
  override readonly name = "MasterUnreachableError";
  constructor(readonly masters: readonly string[], cause: unknown, readonly lost = false) {
    super(
      lost
        ? `lost the connection to the master at ${masters.join(",")}: ${reason(cause)}`
        : `cannot reach the master at ${masters.join(",")}: ${reason(cause)} (is it running? ` +
          "check the masters given to connect())",
      { cause },
    );
  }
}

/** The words of the statuses a master answers. */
const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: "bad request",
  401: "unauthorized",
  403: "forbidden",
  404: "not found",
  409: "conflict",
  413: "payload too large",
  429: "too many requests",
  503: "unavailable",
};

/** The master refused the call: `status` is the HTTP status, `errors` its reasons. */
export class SpateHttpError extends Error {
  override readonly name: string = "SpateHttpError";
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly errors: readonly string[],
  ) {
    const reason = errors.join("; ") || "no reason given";
    const text = STATUS_TEXT[status];
    // "HTTP 401 unauthorized: why", whether or not the master's reason names the status.
    super(
      text === undefined || reason.startsWith(`${text}:`)
        ? `${method} ${path}: HTTP ${status} ${reason}`
        : `${method} ${path}: HTTP ${status} ${text}: ${reason}`,
    );
  }
}

/** The token is missing, not valid (401) or lacks the role the call needs (403). */
export class SpateAuthError extends SpateHttpError {
  override readonly name = "SpateAuthError";
}

/** A savepoint (or a stop with one) was started but did not complete: `message` says why. */
export class SavepointFailedError extends Error {
  override readonly name = "SavepointFailedError";
  constructor(readonly jobId: string, failure: string) {
    super(failure);
  }
}

/** A job failed, or was cancelled while a caller waited for its end. */
export class JobFailedError extends Error {
  override readonly name = "JobFailedError";
  constructor(readonly jobId: string, readonly state: string, message: string) {
    super(`job ${jobId} ${state}: ${message}`);
  }
}

/** The innermost message of `e` and its causes, in a few words for a connection failure. */
export function reason(e: unknown): string {
  const messages: string[] = [];
  for (let x = e; x instanceof Error; x = x.cause) {
    const code = (x as { code?: unknown }).code;
    messages.push(typeof code === "string" ? `${x.message} (${code})` : x.message);
  }
  const all = messages.join(" ");
  if (/refused/i.test(all)) return "connection refused";
  if (/ENOTFOUND|EAI_AGAIN/i.test(all)) return "unknown host";
  if (/CONNECT_TIMEOUT|ETIMEDOUT|timed? ?out/i.test(all)) return "connection timed out";
  if (/certificate|self[- ]signed|CERT_|UNABLE_TO_VERIFY/i.test(all)) {
    return `TLS: ${messages.at(-1)} (give the cluster's CA to connect({ ca }))`;
  }
  return messages.at(-1) ?? String(e);
}
