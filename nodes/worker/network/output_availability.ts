/**
 * Whether a task's outputs can take records: false while any channel's backlog
 * is full. Sources stop emitting and tasks stop taking input until it clears.
 * @module
 */

import type { Availability } from "../../../core/connectors/source_reader.ts";

export class OutputAvailability implements Availability {
  private blocked = 0;
  private waiter: (() => void) | undefined;
  private waiting: Promise<void> | undefined;

  get available(): boolean {
    return this.blocked === 0;
  }
  /** A channel's backlog became full. */
  block(): void {
    this.blocked++;
  }
  /** A channel's backlog has room again. */
  unblock(): void {
    if (--this.blocked === 0) this.wake();
  }
  /** Resolves when every channel has room (at once if it has now). */
  whenAvailable(): Promise<void> {
    if (this.blocked === 0) return Promise.resolve();
    return this.waiting ??= new Promise((resolve) => (this.waiter = resolve));
  }
  /** Wakes a waiter without a state change (cancellation). */
  wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    this.waiting = undefined;
    w?.();
  }
}
