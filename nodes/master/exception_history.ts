/**
 * A job's exception history (Flink's ExceptionHistoryEntry): one entry per
 * failure that restarted or failed the job, newest first, bounded. The
 * JobMaster records each new failure cause its scheduler reports.
 * @module
 */

import type { TaskFailure } from "../../core/graph/job_result.ts";
import type { ExceptionEntry, JobExceptionsResponse } from "../protocol/rest.ts";
import { OPTIONS } from "../../core/config/options.ts";

/**
 * The failures of one job.
 *
 * @example
 * ```ts
 * import { ExceptionHistory } from "./exception_history.ts";
 * const h = new ExceptionHistory(2);
 * h.record({ operatorName: "Map", vertexName: "Map", subtaskIndex: 1, message: "boom" }, 0, 5);
 * console.assert(h.response().rootException?.exception === "boom");
 * ```
 */
export class ExceptionHistory {
  private readonly entries: ExceptionEntry[] = [];
  private dropped = false;

  /** `limit`: most entries kept (older ones are dropped and `truncated` set). */
  constructor(private readonly limit: number = OPTIONS.maxExceptionHistory.default) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`exception history limit must be a positive integer, got ${limit}`);
    }
  }

  /** A failure of `attempt`, on `worker` if a subtask failed there. */
  record(failure: TaskFailure, attempt: number, timestamp: number, worker?: string): void {
    this.entries.unshift({
      timestamp,
      attempt,
      operator: failure.operatorName,
      vertex: failure.vertexName,
      ...(failure.subtaskIndex >= 0 ? { subtask: failure.subtaskIndex } : {}),
      ...(worker === undefined ? {} : { worker }),
      exception: failure.message,
      ...(failure.stack === undefined ? {} : { stacktrace: failure.stack }),
    });
    if (this.entries.length > this.limit) {
      this.entries.length = this.limit;
      this.dropped = true;
    }
  }

  response(): JobExceptionsResponse {
    return {
      ...(this.entries.length > 0 ? { rootException: this.entries[0] } : {}),
      history: [...this.entries],
      truncated: this.dropped,
    };
  }
}
