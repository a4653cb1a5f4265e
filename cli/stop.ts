/** `spate stop JOB [--drain] [--dir D]`: stops a job with a savepoint (Flink's `flink stop`). @module */

import { resolveLocation } from "../core/fs/location.ts";
import { parseFlags } from "./flags.ts";
import { withCluster } from "./jobs.ts";
import { UsageError } from "./usage.ts";

/** Runs `spate stop`; prints the savepoint's directory; returns the exit code. */
export async function stopCommand(args: string[]): Promise<number> {
  const { values: v, positionals } = parseFlags("stop", args, 1);
  if (positionals.length !== 1) {
    throw new UsageError("spate stop: missing the job id (spate stop <job-id>)");
  }
  const jobId = positionals[0];
  return await withCluster(v, async (client) => {
    const location = await client.stop(jobId, {
      targetDirectory: v.savepointDir === undefined ? undefined : resolveLocation(v.savepointDir),
      drain: v.drain === true,
    });
    console.log(`Savepoint completed: ${location}`);
    console.log(`job ${jobId} stopped${v.drain ? " (drained)" : ""}: it ends FINISHED`);
    return 0;
  });
}
