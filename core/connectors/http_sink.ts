/**
 * HTTP sink: POSTs records in batches (a JSON array body) to a URL.
 *
 * A batch is sent when it holds `batchSize` records or its first record waited
 * `lingerMs`; up to `maxInFlightRequests` batches are on the wire at once, and
 * while more wait the sink holds its task's input (backpressure). A
 * request that fails with a 5xx or 429 status, a connection error or a timeout
 * is retried after a backoff that doubles from `initialBackoffMs` up to
 * `maxBackoffMs`, at most `maxRetries` times. A batch that still fails (or gets
 * another 4xx status, which retrying cannot fix) goes to the dead-letter side
 * output as one `DeadLetter` per record when the sink has a dead-letter tag,
 * and fails the job otherwise: no record is dropped silently.
 *
 * At-least-once: at a checkpoint barrier the sink sends what it buffered and
 * waits for every request before the barrier passes, so a completed checkpoint
 * covers only delivered (or dead-lettered) records. After a failure the job
 * replays from the last checkpoint, and the server may receive records again.
 *
 * Header values (credentials) are never logged nor put in error messages.
 * @module
 */

import type { OutputTag } from "../api/functions.ts";
import { AbstractStreamOperator } from "../operators/stream_operator.ts";
import type { Sink } from "./file_sink.ts";

/** What the dead-letter side output carries for each record the sink gave up on. */
export interface DeadLetter<T> {
  readonly record: T;
  /** Why: the last status (`503 Service Unavailable`) or connection error. */
  readonly error: string;
  /** Requests made for the record's batch. */
  readonly attempts: number;
}

/** The sink's settings, as the builder collected them. */
export interface HttpSinkConfig {
  readonly url: string;
  readonly method: "POST" | "PUT";
  readonly batchSize: number;
  readonly lingerMs: number;
  readonly maxRetries: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly requestTimeoutMs: number;
  readonly maxInFlightRequests: number;
  readonly maxBufferedRecords: number;
  /** Header values given directly. */
  readonly headers: Readonly<Record<string, string>>;
  /** Header values read in the slot from environment variables: header name -> [variable, prefix]. */
  readonly envHeaders: Readonly<Record<string, readonly [string, string]>>;
  readonly deadLetterTag?: string;
}

export const HTTP_SINK_DEFAULTS = {
  method: "POST",
  batchSize: 500,
  lingerMs: 200,
  maxRetries: 5,
  initialBackoffMs: 100,
  maxBackoffMs: 10_000,
  requestTimeoutMs: 30_000,
  maxInFlightRequests: 4,
  maxBufferedRecords: 100_000,
} as const;

/**
 * Builder of the HTTP sink.
 *
 * @example
 * ```ts
 * import { HttpSink, OutputTag, StreamExecutionEnvironment, type DeadLetter } from "spate";
 * const env = StreamExecutionEnvironment.getExecutionEnvironment().enableCheckpointing(1000);
 * const failed = new OutputTag<DeadLetter<{ id: number }>>("http-dead-letters");
 * const sink = HttpSink.builder<{ id: number }>()
 *   .url("https://api.example.com/events")
 *   .batchSize(200)
 *   .maxRetries(8)
 *   .headerFromEnv("Authorization", "API_TOKEN", "Bearer ")
 *   .deadLetterOutput(failed)
 *   .build();
 * env.fromElements({ id: 1 }).sinkTo(sink).getSideOutput(failed).print();
 * ```
 */
export class HttpSink<T> {
  private config: { -readonly [K in keyof HttpSinkConfig]: HttpSinkConfig[K] } = {
    url: "",
    ...HTTP_SINK_DEFAULTS,
    headers: {},
    envHeaders: {},
  };

  private constructor() {}

  static builder<T>(): HttpSink<T> {
    return new HttpSink<T>();
  }

  /** Where batches go (http or https). */
  url(url: string): this {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new TypeError(`HttpSink: '${url}' is not a URL`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new TypeError(`HttpSink: the URL must be http or https, got ${parsed.protocol}`);
    }
    this.config.url = url;
    return this;
  }
  /** POST (default) or PUT. */
  method(method: "POST" | "PUT"): this {
    if (method !== "POST" && method !== "PUT") {
      throw new TypeError(`HttpSink: method must be POST or PUT, got ${method}`);
    }
    this.config.method = method;
    return this;
  }
  /** Records per request (default 500). */
  batchSize(n: number): this {
    return this.set("batchSize", n, 1);
  }
  /** Longest a record waits for its batch to fill, in ms (default 200). */
  lingerMs(ms: number): this {
    return this.set("lingerMs", ms, 0);
  }
  /** Retries of a failed request (5xx, 429, connection error, timeout; default 5). */
  maxRetries(n: number): this {
    return this.set("maxRetries", n, 0);
  }
  /** First backoff, doubled after each retry up to `maxBackoffMs` (defaults 100 and 10000). */
  backoff(initialMs: number, maxMs: number): this {
    this.set("initialBackoffMs", initialMs, 0);
    this.set("maxBackoffMs", maxMs, initialMs);
    return this;
  }
  /** Time after which a request is abandoned and retried (default 30000 ms). */
  requestTimeoutMs(ms: number): this {
    return this.set("requestTimeoutMs", ms, 1);
  }
  /** Requests on the wire at once per subtask (default 4). */
  maxInFlightRequests(n: number): this {
    return this.set("maxInFlightRequests", n, 1);
  }
  /**
   * Records a subtask may hold unsent (default 100000), a safety limit: the
   * sink holds its task's input while batches wait, so only records already
   * on their way in (a network buffer's worth) add up; more fails the job.
   */
  maxBufferedRecords(n: number): this {
    return this.set("maxBufferedRecords", n, 1);
  }
  /** A header sent with every request (its value is never logged). */
  header(name: string, value: string): this {
    this.checkHeaderName(name);
    this.config.headers = { ...this.config.headers, [name]: String(value) };
    return this;
  }
  /**
   * A header whose value is `prefix` + the environment variable `variable`,
   * read in the slot when the sink starts (declare it: `--allow-env=VARIABLE`).
   */
  headerFromEnv(name: string, variable: string, prefix = ""): this {
    this.checkHeaderName(name);
    if (typeof variable !== "string" || variable === "") {
      throw new TypeError("HttpSink.headerFromEnv needs a variable name");
    }
    this.config.envHeaders = { ...this.config.envHeaders, [name]: [variable, prefix] };
    return this;
  }
  /** Sends records the sink gives up on to this side output (read it with `getSideOutput`). */
  deadLetterOutput(tag: OutputTag<DeadLetter<T>>): this {
    this.config.deadLetterTag = tag.id;
    return this;
  }

  build(): Sink {
    const config: HttpSinkConfig = { ...this.config };
    if (config.url === "") throw new TypeError("HttpSink: set the url");
    const u = new URL(config.url);
    const port = u.port !== "" ? u.port : u.protocol === "https:" ? "443" : "80";
    const env = Object.values(config.envHeaders).map(([variable]) => variable);
    return {
      name: `Sink: HTTP ${u.origin}${u.pathname}`,
      createOperator: () => new HttpSinkOperator<T>(config),
      permissions: { net: [`${u.hostname}:${port}`], ...(env.length > 0 ? { env } : {}) },
    };
  }

  private set(key: keyof typeof HTTP_SINK_DEFAULTS, n: number, min: number): this {
    if (!Number.isInteger(n) || n < min) {
      throw new RangeError(`HttpSink: ${key} must be an integer >= ${min}, got ${n}`);
    }
    (this.config as Record<string, unknown>)[key] = n;
    return this;
  }

  private checkHeaderName(name: string): void {
    if (typeof name !== "string" || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw new TypeError(`HttpSink: '${name}' is not a header name`);
    }
  }
}

/** Bounds of the period of the sink's linger and dead-letter timer. */
const MIN_TICK_MS = 10;
const MAX_TICK_MS = 100;

/** A batch that could not be delivered, and why. */
interface Failure<T> {
  readonly records: T[];
  readonly error: string;
  readonly attempts: number;
}

/** One subtask of the HTTP sink. */
export class HttpSinkOperator<T> extends AbstractStreamOperator<T, never> {
  private buffer: T[] = [];
  private firstBufferedAt = 0;
  /** Batches waiting for a free request slot, oldest first. */
  private queued: T[][] = [];
  private inFlight = 0;
  private readonly requests = new Set<Promise<void>>();
  /** Batches given up on, emitted (or raised) on the task's thread at the next call. */
  private failures: Failure<T>[] = [];
  private headers: Record<string, string> = {};
  private closed = false;
  private inputEnded = false;
  /** True while this sink holds its task's input. */
  private braking = false;
  private readonly aborts = new Set<AbortController>();
  /** The URL without user info or query, for messages (either may hold a secret). */
  private readonly where: string;

  constructor(private readonly config: HttpSinkConfig) {
    super();
    const u = new URL(config.url);
    this.where = `${u.origin}${u.pathname}`;
  }

  override open(): void {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      ...this.config.headers,
    };
    for (const [name, [variable, prefix]] of Object.entries(this.config.envHeaders)) {
      let value: string | undefined;
      try {
        value = Deno.env.get(variable);
      } catch (e) {
        throw new Error(
          `HttpSink: cannot read the environment variable ${variable} for header ${name} ` +
            `(declare it with spate run --allow-env=${variable}): ${(e as Error).name}`,
        );
      }
      if (value === undefined) {
        throw new Error(
          `HttpSink: the environment variable ${variable} (header ${name}) is not set`,
        );
      }
      headers[name] = prefix + value;
    }
    this.headers = headers;
    this.scheduleTick();
  }

  processElement(record: T): void {
    if (this.failures.length > 0) this.drainFailures();
    if (this.buffer.length === 0) this.firstBufferedAt = this.ctx.processingTime.now();
    this.buffer.push(record);
    if (this.buffer.length >= this.config.batchSize) this.sendBuffer();
  }

  /**
   * A processing-time timer (on the task's thread, between two records):
   * sends a batch that lingered long enough and emits dead letters, also when
   * no record comes.
   */
  private tick(time: number): void {
    if (time === Infinity || this.closed) return;
    if (this.failures.length > 0) this.drainFailures();
    if (this.buffer.length > 0 && time - this.firstBufferedAt >= this.config.lingerMs) {
      this.sendBuffer();
    }
    this.scheduleTick();
  }

  private scheduleTick(): void {
    const every = Math.min(MAX_TICK_MS, Math.max(MIN_TICK_MS, this.config.lingerMs));
    const clock = this.ctx.processingTime;
    clock.registerTimer(clock.now() + every, (t) => this.tick(t));
  }

  /** The barrier waits until everything before it was delivered or dead-lettered. */
  override async snapshotState(): Promise<void> {
    await this.deliverAll();
  }

  override endInput(): void {
    this.inputEnded = true;
    this.sendBuffer();
  }

  /**
   * At the end of the input: delivers the rest. On a cancel or a failure:
   * abandons the requests (a restart replays them from the last checkpoint).
   */
  override async close(): Promise<void> {
    try {
      if (!this.closed && this.inputEnded) await this.deliverAll();
    } finally {
      this.closed = true;
      this.brake(false);
      for (const a of this.aborts) a.abort();
    }
  }

  private async deliverAll(): Promise<void> {
    this.sendBuffer();
    while (this.requests.size > 0) await Promise.all([...this.requests]);
    this.drainFailures();
  }

  private sendBuffer(): void {
    if (this.buffer.length > 0) {
      this.queued.push(this.buffer);
      this.buffer = [];
    }
    this.startQueued();
    const unsent = this.queued.length * this.config.batchSize;
    if (unsent > this.config.maxBufferedRecords) {
      throw new Error(
        `HttpSink: more than ${this.config.maxBufferedRecords} records wait for ` +
          `${this.where}: the endpoint is slower than the input (raise maxBufferedRecords ` +
          `or maxInFlightRequests)`,
      );
    }
  }

  private startQueued(): void {
    while (this.inFlight < this.config.maxInFlightRequests && this.queued.length > 0) {
      const batch = this.queued.shift()!;
      this.inFlight++;
      const p: Promise<void> = this.deliver(batch).finally(() => {
        this.inFlight--;
        this.requests.delete(p);
        if (!this.closed) this.startQueued();
      });
      this.requests.add(p);
    }
    this.brake(this.queued.length > 0);
  }

  /** Holds the task's input while batches wait for a request slot: the endpoint sets the pace. */
  private brake(on: boolean): void {
    if (on === this.braking) return;
    this.braking = on;
    if (on) this.ctx.backpressure?.block();
    else this.ctx.backpressure?.unblock();
  }

  /** Sends one batch with retries; never rejects (a batch given up on becomes a failure). */
  private async deliver(batch: T[]): Promise<void> {
    const body = JSON.stringify(batch);
    const { maxRetries, initialBackoffMs, maxBackoffMs } = this.config;
    let error = "";
    for (let attempt = 1; attempt <= maxRetries + 1; attempt++) {
      if (attempt > 1) {
        const backoff = Math.min(maxBackoffMs, initialBackoffMs * 2 ** (attempt - 2));
        await new Promise((r) => setTimeout(r, backoff));
      }
      if (this.closed) {
        error = "the sink closed before the batch was delivered";
        break;
      }
      const result = await this.request(body);
      if (result.ok) return;
      error = result.error;
      // A 4xx other than 429 is the request's fault: sending it again cannot help.
      if (!result.retry || attempt === maxRetries + 1) {
        this.failures.push({ records: batch, error, attempts: attempt });
        return;
      }
    }
    // Closed (a cancel or a failure): the restart replays the batch from the last checkpoint.
    this.failures.push({ records: batch, error, attempts: 0 });
  }

  private async request(body: string): Promise<{ ok: boolean; retry: boolean; error: string }> {
    const abort = new AbortController();
    this.aborts.add(abort);
    const timer = setTimeout(() => abort.abort(), this.config.requestTimeoutMs);
    try {
      const res = await fetch(this.config.url, {
        method: this.config.method,
        headers: this.headers,
        body,
        signal: abort.signal,
      });
      await res.body?.cancel();
      if (res.ok) return { ok: true, retry: false, error: "" };
      const error = `${res.status} ${res.statusText}`.trim();
      return { ok: false, retry: res.status >= 500 || res.status === 429, error };
    } catch (e) {
      const error = abort.signal.aborted
        ? `no response within ${this.config.requestTimeoutMs} ms`
        : describeFetchError(e as Error);
      return { ok: false, retry: true, error };
    } finally {
      clearTimeout(timer);
      this.aborts.delete(abort);
    }
  }

  /** Emits the records of failed batches as dead letters, or fails the job without a tag. */
  private drainFailures(): void {
    const failures = this.failures;
    if (failures.length === 0) return;
    this.failures = [];
    const tag = this.config.deadLetterTag;
    if (tag === undefined) {
      const f = failures[0];
      throw new Error(
        `HttpSink: ${this.config.method} ${this.where} failed after ${f.attempts} ` +
          `attempt(s): ${f.error} (${f.records.length} record(s); give the sink a ` +
          `deadLetterOutput to keep the job running)`,
      );
    }
    for (const f of failures) {
      for (const record of f.records) {
        this.output.collectSide(tag, { record, error: f.error, attempts: f.attempts });
      }
    }
  }
}

/** A fetch error with its cause (the connection error), without the URL (its query may hold a key). */
function describeFetchError(e: Error): string {
  const cause = e.cause instanceof Error ? `: ${e.cause.message}` : "";
  return `${e.name}: ${e.message}${cause}`.replace(/ for url \([^)]*\)/g, "");
}
