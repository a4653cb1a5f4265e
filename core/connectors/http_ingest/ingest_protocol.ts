/**
 * The ingest protocol: how the HTTP endpoint of a worker (its main thread)
 * hands request bodies to the reader of an ingest source (in a slot's Web
 * Worker) over a MessagePort, and how the reader answers each one.
 * @module
 */

/** Where `POST /ingest/NAME` is served, on workers and on the master. */
export const INGEST_PREFIX = "/ingest";

/** Set on a worker's answer that no reader of the name runs there (the master asks another worker). */
export const INGEST_ABSENT_HEADER = "x-spate-ingest-absent";

/**
 * When a request is answered: `checkpoint` (default) once the checkpoint
 * that covers its records completed (at-least-once); `received` once the
 * reader queued them (at-most-once).
 */
export const INGEST_ACK_MODES = ["checkpoint", "received"] as const;
/** See {@linkcode INGEST_ACK_MODES}. */
export type IngestAckMode = typeof INGEST_ACK_MODES[number];

/** The limits of one ingest source, per reader. */
export interface IngestLimits {
  /** Largest request body; beyond: 413. */
  readonly maxBodyBytes: number;
  /** Records received but not yet emitted; a request beyond: 429. */
  readonly maxQueuedRecords: number;
  /** Requests a reader holds unanswered (mostly waiting for a checkpoint); beyond: 429. */
  readonly maxPendingRequests: number;
  /** How long a request may wait for its checkpoint; then 504 (the client retries). */
  readonly ackTimeoutMs: number;
  /** The Retry-After (seconds) of a 429 or 503. */
  readonly retryAfterS: number;
}

/** What a reader tells the endpoint when it opens. */
export interface IngestRegistration {
  /** The source's name: the NAME of `POST /ingest/NAME`. */
  readonly name: string;
  readonly subtaskIndex: number;
  readonly limits: IngestLimits;
}

/** Endpoint -> reader. */
export type IngestCommand =
  /** One request's body (its buffer transferred). */
  | { type: "batch"; id: number; body: Uint8Array; ack: IngestAckMode }
  /** The endpoint cannot serve this reader: the task fails with `reason`. */
  | { type: "refused"; reason: string };

/** Reader -> endpoint. */
export type IngestReply =
  /** The answer to request `id`: 200 with the number of records, else an error status and message. */
  | { type: "reply"; id: number; status: number; records: number; message?: string }
  /** The reader closed: requests still unanswered fail (503). */
  | { type: "closed"; reason: string };

/**
 * What a slot gives an ingest source's reader: a port to the worker's HTTP
 * endpoint. Absent where no worker serves HTTP.
 */
export interface IngestHost {
  register(registration: IngestRegistration): MessagePort;
}
