/**
 * The window operator for event-time session windows (static or dynamic
 * gaps) with the default event-time trigger, no evictor and no allowed
 * lateness: sessions live in a {@linkcode SessionTable} rather than in
 * per-key state namespaced by window with a merging window set and a timer
 * per session, so an element costs a map lookup and a bisection, and a
 * watermark fires every session it passed in one pass.
 *
 * Results, their order, late-element handling and the window function's
 * context are those of the general {@linkcode WindowOperator}. The table is
 * checkpointed as raw keyed state, filed by key group, so it rescales like
 * keyed state. With the disk (spilling) state backend, or when restored
 * from a checkpoint of the general operator, this operator runs as the
 * general one.
 * @module
 */

import { EventTimeTrigger } from "../windows/event_time_trigger.ts";
import { EventTimeSessionWindows } from "../windows/session_windows.ts";
import { type SessionGroupSnapshot, SessionTable } from "./session_table.ts";
import { TabledWindowOperator } from "./tabled_window_operator.ts";
import type { WindowOperatorSpec } from "./window_operator.ts";

/** Whether the session operator can run `spec` (else the general one does). */
export function isSessionTableSpec(spec: WindowOperatorSpec): boolean {
  return spec.evictor === undefined && spec.allowedLatenessMs === 0 &&
    spec.trigger instanceof EventTimeTrigger && spec.assigner instanceof EventTimeSessionWindows;
}

export class SessionWindowOperator
  extends TabledWindowOperator<SessionGroupSnapshot, SessionTable> {
  constructor(spec: WindowOperatorSpec) {
    super(spec, "sessions");
  }

  protected makeTable(keyGroupOf: (key: unknown) => number): SessionTable {
    return new SessionTable(this.spec.fold, keyGroupOf);
  }

  override processElement(record: unknown): void {
    const table = this.table;
    if (table === undefined) return super.processElement(record);
    const spec = this.spec;
    const timestamp = this.ctx.timestamp.value;
    const end = (spec.assigner as EventTimeSessionWindows<unknown>).sessionEnd(record, timestamp);
    if (!table.add(spec.keySelector(record), record, timestamp, end)) {
      // Its own session is late and it joined none: with no allowed lateness, it is late.
      this.ctx.timestamp.value = timestamp;
      this.sideOutputLate(record);
    }
  }
}
