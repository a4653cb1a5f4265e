/**
 * The errors a request to the master is answered with, by domain: the
 * caller's (a bad request, an unknown job, a job in a state that does not
 * allow the request), an operation that failed for an operating reason (a
 * savepoint aborted or not writable), and everything else, which is internal
 * (a bug: answered 500 and logged with its stack).
 *
 * Actors reply with these; the REST layer maps them to HTTP statuses by their
 * `name`, which survives an RPC connection (a RemoteError keeps it).
 * @module
 */

/** A request that is malformed or out of bounds: HTTP 400. */
export class InvalidRequestError extends Error {
  override readonly name: string = "InvalidRequestError";
}

/** A request body over its limit: HTTP 413. */
export class PayloadTooLargeError extends Error {
  override readonly name = "PayloadTooLargeError";
}

/** A request the cluster's limits refuse for now (too many jobs): HTTP 429. */
export class LimitReachedError extends Error {
  override readonly name = "LimitReachedError";
}

/** A job id that the dispatcher does not know: HTTP 404. */
export class UnknownJobError extends Error {
  override readonly name = "UnknownJobError";
}

/** A vertex, task manager or savepoint trigger that does not exist: HTTP 404. */
export class NotFoundError extends Error {
  override readonly name = "NotFoundError";
}

/**
 * The job cannot do what was asked in its current state (cancel a FINISHED
 * job, a savepoint of a job that is not running): HTTP 409.
 */
export class JobConflictError extends Error {
  override readonly name = "JobConflictError";
}

/**
 * An operation the request started failed for an operating reason, not a bug
 * (a task declined the savepoint, its directory cannot be written): HTTP 500,
 * logged as one line without a stack.
 */
export class OperationFailedError extends Error {
  override readonly name = "OperationFailedError";
}

/** The HTTP status of each error that is not internal, by error name. */
export const ERROR_STATUS = {
  InvalidRequestError: 400,
  UnknownJobError: 404,
  NotFoundError: 404,
  JobConflictError: 409,
  PayloadTooLargeError: 413,
  LimitReachedError: 429,
  OperationFailedError: 500,
  /** An actor did not answer in time (the master is overloaded): try again. */
  AskTimeoutError: 503,
} as const;

/** An HTTP status that a request error is answered with. */
export type ErrorStatus = typeof ERROR_STATUS[keyof typeof ERROR_STATUS];

/**
 * The HTTP status of an error that is the caller's or an operating one;
 * undefined for an internal error (a bug), which is answered 500 with its stack logged.
 *
 * @example
 * ```ts
 * import { errorStatus, JobConflictError } from "./errors.ts";
 * console.assert(errorStatus(new JobConflictError("job 1 is FINISHED")) === 409);
 * console.assert(errorStatus(new TypeError("x is undefined")) === undefined);
 * ```
 */
export function errorStatus(error: Error): ErrorStatus | undefined {
  return Object.hasOwn(ERROR_STATUS, error.name)
    ? ERROR_STATUS[error.name as keyof typeof ERROR_STATUS]
    : undefined;
}
