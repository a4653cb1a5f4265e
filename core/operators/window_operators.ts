/**
 * Which window operator runs a window spec: the aligned one (tumbling and
 * sliding windows in slice tables), the session one (sessions in a session
 * table), or the general one (any assigner, trigger and evictor, on keyed
 * state and timers).
 * @module
 */

import { AlignedWindowOperator, sliceShapeOf } from "./aligned_window_operator.ts";
import { isSessionTableSpec, SessionWindowOperator } from "./session_window_operator.ts";
import { WindowOperator, type WindowOperatorSpec } from "./window_operator.ts";

/** The window operator for `spec`: a specialized one where it applies. */
export function windowOperatorFor(spec: WindowOperatorSpec): WindowOperator {
  const shape = sliceShapeOf(spec);
  if (shape !== undefined) return new AlignedWindowOperator(spec, shape);
  if (isSessionTableSpec(spec)) return new SessionWindowOperator(spec);
  return new WindowOperator(spec);
}
