/**
 * The job the dashboard is shown with: `tests/_jobs/event_time_sums.ts`
 * (event-time windows and a keyed process function, with checkpoints)
 * submitted detached to a cluster. Used by the dashboard test and by
 * `deno task screenshots`.
 * @module
 */

import { jobPath, runCli } from "./cli.ts";

/** How the dashboard's job runs. */
export interface DashboardJobOptions {
  readonly parallelism: number;
  readonly checkpointIntervalMs: number;
  readonly events: number;
  readonly keys: number;
  /** Events per second per source subtask. */
  readonly rate: number;
  /** The output path of its file sink. */
  readonly out: string;
}

/** Submits the job detached to the master at `url`; its job id. */
export async function submitDashboardJob(url: string, o: DashboardJobOptions): Promise<string> {
  const submitted = await runCli([
    "run",
    jobPath("event_time_sums.ts"),
    "--master",
    url,
    "--detached",
    "-p",
    String(o.parallelism),
    "--checkpoint-interval",
    String(o.checkpointIntervalMs),
    "--",
    "--events",
    String(o.events),
    "--keys",
    String(o.keys),
    "--rate",
    String(o.rate),
    "--out",
    o.out,
  ]);
  if (submitted.code !== 0) throw new Error(`the job was not submitted:\n${submitted.stderr}`);
  return submitted.stdout.trim();
}
