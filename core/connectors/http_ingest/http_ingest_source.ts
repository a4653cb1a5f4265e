/**
 * HttpIngestSource: records POSTed to `/ingest/NAME` on the workers that run
 * the source's readers (or to the master, which forwards them to one).
 *
 * Guarantee with the default `ack=checkpoint` and checkpointing:
 * at-least-once from the client's view. A request is answered 200 only once
 * the checkpoint that covers all its records completed, so an acknowledged
 * record is durable; a request whose reader fails or restarts first is
 * answered 503 (or its connection drops with a killed worker) and the client
 * sends it again. Duplicates occur when a request's records were in a
 * checkpoint but its answer was lost (the worker died between the checkpoint's
 * completion and the answer, or the client timed out), and in
 * non-transactional sinks for records emitted after the last completed
 * checkpoint of a failed attempt. A client that puts an idempotency key in
 * each record (an `id` field) lets the job remove them: `keyBy(r => r.id)`
 * with a "seen" flag in keyed state.
 * Without checkpointing a request is answered once its records were emitted.
 * `?ack=received` answers once the reader queued the records: at-most-once,
 * a failure loses what was queued or in flight.
 *
 * Limits (per reader, builder methods): body size (413), records queued
 * (429 with Retry-After), requests held unanswered (429), wait for the
 * checkpoint (504).
 * @module
 */

import type { RecordOutput } from "../../operators/stream_operator.ts";
import type { Availability, SourceContext, SourceReader, SourceSpec } from "../source_reader.ts";
import { IngestBodyError, parseIngestBody } from "./ingest_body.ts";
import type { IngestCommand, IngestLimits, IngestReply } from "./ingest_protocol.ts";

/** Turns a record's JSON value into the stream's record; a throw answers the request 400. */
export type IngestDeserializer<T> = (value: unknown) => T;

/** The limits a builder starts with. */
export const DEFAULT_INGEST_LIMITS: IngestLimits = {
  maxBodyBytes: 4 * 1024 * 1024,
  maxQueuedRecords: 100_000,
  maxPendingRequests: 1024,
  ackTimeoutMs: 120_000,
  retryAfterS: 1,
};

/** Longest a poll waits for a request while nothing is queued. */
const IDLE_WAIT_MS = 20;
/** Emitted records kept at the buffer's head before it is compacted. */
const COMPACT_AFTER_RECORDS = 4096;
/** Names a URL path segment carries without escaping. */
const NAME_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Builds an HTTP ingest source.
 *
 * @example
 * ```ts ignore
 * const orders = HttpIngestSource.builder()
 *   .name("orders") // POST /ingest/orders
 *   .deserializer((v) => v as { id: string; amount: number })
 *   .build();
 * env.fromSource(orders, WatermarkStrategy.noWatermarks(), "orders");
 * ```
 */
export class HttpIngestSourceBuilder<T> {
  private sourceName: string | undefined;
  private limits: IngestLimits = DEFAULT_INGEST_LIMITS;
  private deserialize: IngestDeserializer<unknown> = (v) => v;

  /** The NAME of `POST /ingest/NAME` (letters, digits, `.`, `_`, `-`). Required. */
  name(name: string): this {
    if (typeof name !== "string" || !NAME_PATTERN.test(name)) {
      throw new TypeError(
        `HttpIngestSource name '${name}' is not valid: 1-128 letters, digits, '.', '_' or '-'`,
      );
    }
    this.sourceName = name;
    return this;
  }
  /** Turns each record's JSON value into a record (default: the value itself). */
  deserializer<U>(fn: IngestDeserializer<U>): HttpIngestSourceBuilder<U> {
    const self = this as unknown as HttpIngestSourceBuilder<U>;
    self.deserialize = fn as IngestDeserializer<unknown>;
    return self;
  }
  /** Largest request body (default 4 MiB); beyond: 413. */
  maxBodyBytes(bytes: number): this {
    return this.limit("maxBodyBytes", bytes);
  }
  /** Records a reader queues before it refuses requests with 429 (default 100,000). */
  maxQueuedRecords(n: number): this {
    return this.limit("maxQueuedRecords", n);
  }
  /** Requests a reader holds unanswered before it refuses more with 429 (default 1024). */
  maxPendingRequests(n: number): this {
    return this.limit("maxPendingRequests", n);
  }
  /** How long a request waits for its checkpoint before a 504 (default 120 s). */
  ackTimeoutMs(ms: number): this {
    return this.limit("ackTimeoutMs", ms);
  }
  /** The Retry-After of a 429 or 503, in seconds (default 1). */
  retryAfterSeconds(s: number): this {
    return this.limit("retryAfterS", s);
  }

  private limit(key: keyof IngestLimits, n: number): this {
    if (!Number.isInteger(n) || n <= 0) {
      throw new RangeError(`HttpIngestSource ${key} must be a positive integer, got ${n}`);
    }
    this.limits = { ...this.limits, [key]: n };
    return this;
  }

  /** The source; fails here when the configuration is incomplete. */
  build(): SourceSpec<T> {
    const name = this.sourceName;
    if (name === undefined) throw new TypeError("HttpIngestSource needs name(NAME)");
    const limits = this.limits;
    const deserialize = this.deserialize as IngestDeserializer<T>;
    return {
      bounded: false,
      createReader: () => new HttpIngestReader<T>(name, limits, deserialize),
    };
  }
}

/** Entry point: `HttpIngestSource.builder()...build()`. */
export const HttpIngestSource = {
  builder(): HttpIngestSourceBuilder<unknown> {
    return new HttpIngestSourceBuilder<unknown>();
  },
};

/** A request waiting for its records to be emitted. */
interface Queued {
  readonly id: number;
  /** The count of records received up to its last one. */
  readonly end: number;
  readonly records: number;
}

const decoder = new TextDecoder();

/** One subtask's share of the requests. */
export class HttpIngestReader<T> implements SourceReader<T> {
  private port: MessagePort | undefined;
  private checkpointing = false;
  private failure: Error | undefined;
  private buffer: T[] = [];
  private head = 0;
  /** Records received and emitted since open (absolute counts). */
  private received = 0;
  private emitted = 0;
  /** Requests answered at checkpoint, in arrival order, whose records are not all emitted. */
  private queued: Queued[] = [];
  /** Requests whose records are all emitted, not yet in a checkpoint. */
  private emittedRequests: { id: number; records: number }[] = [];
  /** Requests per taken checkpoint, answered when it completes. */
  private readonly pending = new Map<number, { id: number; records: number }[]>();
  private wake: (() => void) | undefined;

  constructor(
    private readonly name: string,
    private readonly limits: IngestLimits,
    private readonly deserialize: IngestDeserializer<T>,
  ) {}

  open(ctx: SourceContext): void {
    if (ctx.ingest === undefined) {
      throw new Error(
        `HttpIngestSource '${this.name}' runs only in a worker's slot (a worker serves /ingest)`,
      );
    }
    this.checkpointing = ctx.checkpointing === true;
    this.port = ctx.ingest.register({
      name: this.name,
      subtaskIndex: ctx.subtaskIndex,
      limits: this.limits,
    });
    this.port.onmessage = (e: MessageEvent<IngestCommand>) => this.onCommand(e.data);
  }

  private onCommand(cmd: IngestCommand): void {
    if (cmd.type === "refused") {
      this.failure ??= new Error(`HttpIngestSource '${this.name}': ${cmd.reason}`);
      this.wake?.();
      return;
    }
    const n = this.accept(cmd.id, cmd.body);
    if (n === 0) return;
    if (cmd.ack === "received") this.reply(cmd.id, 200, n);
    else this.queued.push({ id: cmd.id, end: this.received, records: n });
    this.wake?.();
  }

  /** Queues the body's records; answers a bad or unwelcome body at once (and returns 0). */
  private accept(id: number, body: Uint8Array): number {
    let values: unknown[], lines: number[] | undefined;
    try {
      ({ values, lines } = parseIngestBody(decoder.decode(body)));
    } catch (e) {
      if (!(e instanceof IngestBodyError)) throw e;
      this.reply(id, 400, 0, e.message);
      return 0;
    }
    const queued = this.received - this.emitted;
    if (values.length > this.limits.maxQueuedRecords) {
      this.reply(
        id,
        413,
        0,
        `${values.length} records exceed the queue of ${this.limits.maxQueuedRecords} ` +
          "(HttpIngestSource maxQueuedRecords): send smaller batches",
      );
      return 0;
    }
    if (queued + values.length > this.limits.maxQueuedRecords) {
      this.reply(id, 429, 0, `${queued} records queued (maxQueuedRecords): retry later`);
      return 0;
    }
    const records = new Array<T>(values.length);
    let i = 0;
    try {
      for (; i < values.length; i++) records[i] = this.deserialize(values[i]);
    } catch (e) {
      const where = lines === undefined ? `record ${i + 1}` : `line ${lines[i]}`;
      this.reply(id, 400, 0, `${where}: cannot deserialize: ${(e as Error).message}`);
      return 0;
    }
    for (i = 0; i < records.length; i++) this.buffer.push(records[i]);
    this.received += records.length;
    return records.length;
  }

  private reply(id: number, status: number, records: number, message?: string): void {
    this.port?.postMessage({ type: "reply", id, status, records, message } satisfies IngestReply);
  }

  async pollNext(
    output: RecordOutput<T>,
    gate: Availability,
    maxRecords: number,
  ): Promise<boolean> {
    if (this.failure !== undefined) throw this.failure;
    if (this.head === this.buffer.length) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, IDLE_WAIT_MS);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    const end = Math.min(this.buffer.length, this.head + maxRecords);
    let i = this.head;
    while (i < end && gate.available) output.collect(this.buffer[i++]);
    this.emitted += i - this.head;
    this.head = i;
    if (this.head === this.buffer.length || this.head > COMPACT_AFTER_RECORDS) {
      this.buffer = this.buffer.slice(this.head);
      this.head = 0;
    }
    this.settleEmitted();
    return true;
  }

  /** Requests whose records are all emitted wait for a checkpoint (or are answered, without). */
  private settleEmitted(): void {
    let done = 0;
    while (done < this.queued.length && this.queued[done].end <= this.emitted) done++;
    if (done === 0) return;
    for (let k = 0; k < done; k++) {
      const q = this.queued[k];
      if (this.checkpointing) this.emittedRequests.push({ id: q.id, records: q.records });
      else this.reply(q.id, 200, q.records);
    }
    this.queued = this.queued.slice(done);
  }

  /** The position is the clients' (they send again what was not answered): only which requests this checkpoint covers. */
  snapshotState(checkpointId: number): null {
    if (this.emittedRequests.length > 0) {
      this.pending.set(checkpointId, this.emittedRequests);
      this.emittedRequests = [];
    }
    return null;
  }

  restoreState(): void {
    // Nothing to restore: unanswered requests failed with the previous attempt and are sent again.
  }

  notifyCheckpointComplete(checkpointId: number): void {
    for (const [id, requests] of this.pending) {
      if (id > checkpointId) continue;
      for (const r of requests) this.reply(r.id, 200, r.records);
      this.pending.delete(id);
    }
  }

  close(): void {
    const port = this.port;
    this.port = undefined;
    port?.postMessage({ type: "closed", reason: "the reader closed" } satisfies IngestReply);
    port?.close();
  }
}
