/**
 * The results of `executeAndCollect()`, after Flink's CloseableIterator: the
 * job is submitted when the results are first read (iterated, `toArray()`,
 * awaited, or `result`), so a stream that is never read never runs, and the
 * job runner reports it instead of exiting as if the job had run.
 * @module
 */

import type { JobExecutionResult } from "../graph/job_result.ts";
import { AsyncBatchQueue } from "./async_queue.ts";

/**
 * Results of `executeAndCollect`: read them once, as they arrive with
 * `for await`, or all at the end with `toArray()` or `await`.
 *
 * @example
 * ```ts
 * import { StreamExecutionEnvironment } from "spate";
 * const env = StreamExecutionEnvironment.getExecutionEnvironment();
 * const squares: number[] = await env.fromSequence(1, 5).map((x) => x * x).executeAndCollect();
 * ```
 */
export interface CollectedStream<T> extends AsyncIterable<T>, PromiseLike<T[]> {
  /** Runs the job and returns every record (the same array on each call). */
  toArray(): Promise<T[]>;
  /** Runs the job if not yet running; resolves when it finishes (rejects when it fails). */
  readonly result: Promise<JobExecutionResult>;
}

/** Collected streams not read yet: the job runner reports them when the job module ends. */
export type UnreadCollects = Set<{ readonly jobName: string }>;

/** The error of a job module that left collected streams unread. */
export function unreadCollectsMessage(unread: UnreadCollects): string {
  const names = [...unread].map((s) => `executeAndCollect("${s.jobName}")`).join(", ");
  return `the results of ${names} were never read, so the job did not run: read them with ` +
    "`for await (const x of stream)`, `await stream.toArray()` or `await stream` " +
    "(use execute() and a sink to run a job without collecting its results)";
}

/** @internal A collected stream that submits its job on the first read. */
export class LazyCollectedStream<T> implements CollectedStream<T> {
  readonly #queue = new AsyncBatchQueue<T>();
  #result: Promise<JobExecutionResult> | undefined;
  #all: Promise<T[]> | undefined;
  #iterated = false;

  constructor(
    readonly jobName: string,
    private readonly submit: (onBatch: (records: T[]) => void) => Promise<JobExecutionResult>,
    private readonly unread: UnreadCollects,
  ) {
    unread.add(this);
  }

  get result(): Promise<JobExecutionResult> {
    if (this.#result === undefined) {
      this.unread.delete(this);
      const queue = this.#queue;
      this.#result = this.submit((records) => queue.push(records));
      this.#result.then(() => queue.close(), (e) => queue.fail(e));
    }
    return this.#result;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.#iterated) {
      throw new Error(
        `the results of executeAndCollect("${this.jobName}") can be read once: ` +
          "keep the array of toArray() to use them again",
      );
    }
    this.#iterated = true;
    void this.result;
    return this.#queue[Symbol.asyncIterator]();
  }

  toArray(): Promise<T[]> {
    this.#all ??= (async () => {
      const all: T[] = [];
      for await (const x of this) all.push(x);
      return all;
    })();
    return this.#all;
  }

  /** `await stream` runs the job and gives every record, as `toArray()` does. */
  then<R1 = T[], R2 = never>(
    onfulfilled?: ((value: T[]) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.toArray().then(onfulfilled, onrejected);
  }
}

/** @internal The collected stream of a module imported only for its plan: it never runs. */
export function plannedOnly<T>(): CollectedStream<T> {
  const never = new Promise<never>(() => {});
  return {
    result: never,
    toArray: () => never,
    then: (f, r) => never.then(f, r),
    [Symbol.asyncIterator]: () => ({ next: () => never }),
  };
}
