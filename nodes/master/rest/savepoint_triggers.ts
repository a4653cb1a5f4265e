/**
 * Asynchronous savepoints (Flink's trigger/poll pattern): a request starts a
 * savepoint (or a stop with savepoint) and gets a trigger id at once; its
 * status is polled until COMPLETED with a location or a failure. The master
 * keeps a bounded number of triggers per process, oldest completed dropped first.
 * @module
 */

import type { SavepointResponse, TriggerStatusResponse } from "../../protocol/rest.ts";
import { OPTIONS } from "../../../core/config/options.ts";

interface Trigger {
  readonly jobId: string;
  status: TriggerStatusResponse;
}

/**
 * The savepoint triggers of one master.
 *
 * @example
 * ```ts
 * import { SavepointTriggers } from "./savepoint_triggers.ts";
 * const triggers = new SavepointTriggers();
 * const id = triggers.start("job1", () => Promise.resolve({ location: "/sp/savepoint-1" }));
 * console.assert(triggers.status("job1", id)?.status === "IN_PROGRESS");
 * ```
 */
export class SavepointTriggers {
  private readonly triggers = new Map<string, Trigger>();

  constructor(private readonly limit: number = OPTIONS.maxSavepointTriggers.default) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`savepoint trigger limit must be a positive integer, got ${limit}`);
    }
  }

  /** Starts `savepoint` for job `jobId`; returns its trigger id. */
  start(jobId: string, savepoint: () => Promise<SavepointResponse>): string {
    const id = crypto.randomUUID().replaceAll("-", "");
    const trigger: Trigger = { jobId, status: { status: "IN_PROGRESS" } };
    this.triggers.set(id, trigger);
    this.evict();
    savepoint().then(
      ({ location }) => trigger.status = { status: "COMPLETED", location },
      (e: Error) => trigger.status = { status: "COMPLETED", failure: e.message },
    );
    return id;
  }

  /** The status of trigger `triggerId` of job `jobId`; undefined if there is no such trigger. */
  status(jobId: string, triggerId: string): TriggerStatusResponse | undefined {
    const t = this.triggers.get(triggerId);
    return t?.jobId === jobId ? t.status : undefined;
  }

  /** Drops the oldest completed triggers beyond the limit (the oldest of all if none completed). */
  private evict(): void {
    while (this.triggers.size > this.limit) {
      let victim = this.triggers.keys().next().value!;
      for (const [id, t] of this.triggers) {
        if (t.status.status === "COMPLETED") {
          victim = id;
          break;
        }
      }
      this.triggers.delete(victim);
    }
  }
}
