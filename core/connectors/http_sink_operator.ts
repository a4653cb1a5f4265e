/**
 * One subtask of the HTTP sink (`http_sink.ts` documents the behaviour):
 * batching, the bounded requests in flight, retries with backoff, the
 * dead-letter side output, and the wait for every request at a barrier.
 * @module
 */

import { AbstractStreamOperator } from "../operators/stream_operator.ts";
import type { HttpSinkConfig } from "./http_sink.ts";

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
