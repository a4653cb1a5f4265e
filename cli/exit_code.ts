/**
 * The exit code of a command's error (README's table: 1 the job failed or the
 * master refused a call, 2 job build errors or not enough slots, 3 the master
 * cannot be reached). main.ts loads this on the error path only.
 * @module
 */

import { GraphError } from "../core/graph/stream_graph.ts";
import { NotEnoughSlotsError } from "../nodes/master/slot_assignment.ts";
import { JobBuildError } from "../nodes/client/load_job.ts";
import { MasterUnreachableError } from "../nodes/client/master_unreachable.ts";
import { SpateHttpError } from "../client/errors.ts";

/** The exit code of `e` printed as its message alone, or undefined for a failure shown with its stack. */
export function exitCodeOf(e: unknown): number | undefined {
  if (e instanceof JobBuildError || e instanceof GraphError || e instanceof NotEnoughSlotsError) {
    return 2;
  }
  if (e instanceof MasterUnreachableError) return 3;
  // The master refused a call (a token's role, a bad submission): its reasons, no stack.
  if (e instanceof SpateHttpError) return 1;
  return undefined;
}
