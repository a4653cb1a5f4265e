/**
 * The command line of the tests' checkpointed streaming jobs on a cluster:
 * `spate run JOB --master URL --mode streaming -p P --checkpoint-interval MS
 * [--checkpoint-dir DIR] --restart-strategy R [flags] -- [job args]`.
 * @module
 */

import { jobPath } from "./cli.ts";

/** How the job runs; each field has the tests' usual value. */
export interface StreamingRun {
  /** Default 2. */
  readonly parallelism?: number;
  /** Default 300 ms. */
  readonly checkpointMs?: number;
  /** Default: the master's default directory. */
  readonly checkpointDir?: string;
  /** Default `fixed-delay:10:200` (ten restarts, 200 ms apart). */
  readonly restart?: string;
  /** More flags of `spate run` (before `--`). */
  readonly flags?: readonly string[];
}

/** `spate run` of `tests/_jobs/<job>` on the cluster at `masterUrl`, then `jobArgs`. */
export function streamingRunArgs(
  job: string,
  masterUrl: string,
  run: StreamingRun,
  jobArgs: readonly string[],
): string[] {
  return [
    "run",
    jobPath(job),
    "--master",
    masterUrl,
    "--mode",
    "streaming",
    "-p",
    String(run.parallelism ?? 2),
    "--checkpoint-interval",
    String(run.checkpointMs ?? 300),
    ...(run.checkpointDir === undefined ? [] : ["--checkpoint-dir", run.checkpointDir]),
    "--restart-strategy",
    run.restart ?? "fixed-delay:10:200",
    ...run.flags ?? [],
    "--",
    ...jobArgs,
  ];
}
