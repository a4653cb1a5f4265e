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
import type { Sink } from "./file_sink.ts";
import { HttpSinkOperator } from "./http_sink_operator.ts";

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
