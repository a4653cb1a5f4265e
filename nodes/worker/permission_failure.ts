/**
 * A task failure caused by the job's sandbox, told as such: which operator
 * needed which permission on what, and how to declare it.
 * @module
 */

import type { TaskFailure } from "../../core/graph/job_result.ts";

/** Deno's wording of a denied permission: `Requires read access to "/etc/passwd", run again ...`. */
const REQUIRES = /Requires (\w+) access to "?([^",]*)"?/;
/** Deno's advice, which names a flag of `deno`, not of `spate run`. */
const DENO_ADVICE = /, run again with the --allow-\w+ flag\.?/;

/**
 * `failure` with its message naming the operator and the permission when
 * `error` (or one of its causes) is a denied permission; else `failure` as it is.
 *
 * @example
 * ```ts
 * import { permissionFailure } from "./permission_failure.ts";
 * const e = new Deno.errors.NotCapable('Requires read access to "/etc/passwd"');
 * const f = { operatorName: "Map", vertexName: "Map", subtaskIndex: 0, message: e.message };
 * permissionFailure(e, f).message; // "operator 'Map' needs read access to /etc/passwd: ..."
 * ```
 */
export function permissionFailure(error: unknown, failure: TaskFailure): TaskFailure {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const m = REQUIRES.exec(e.message);
    if (m === null) continue;
    const [, kind, target] = m;
    const what = target === "" ? "" : ` to ${target}`;
    return {
      ...failure,
      message: `operator '${failure.operatorName}' needs ${kind} access${what}: ${e.name}: ` +
        `${e.message.replace(DENO_ADVICE, "")}; the job's sandbox lacks it: declare it with ` +
        `spate run --allow-${kind}=${target || "..."} (within the cluster's --job-permissions-max)`,
    };
  }
  return failure;
}
