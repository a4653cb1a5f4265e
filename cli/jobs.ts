/**
 * `spate list`, `spate cancel` and `spate savepoint`: jobs of a cluster,
 * through the client SDK (`spate stop` and `spate savepoint --dispose`:
 * stop.ts, dispose.ts).
 * @module
 */

import { resolveLocation } from "../core/fs/location.ts";
import type { OptionValues } from "../core/config/options.ts";
import { MasterUnreachableError } from "../nodes/client/master_unreachable.ts";
import { SpateClient } from "../client/client.ts";
import { SavepointFailedError, SpateHttpError } from "../client/errors.ts";
import { cliError, sdkOptions } from "./sdk_client.ts";
import { masterSourceFlags, parseFlags } from "./flags.ts";
import { configureClientTls } from "./tls_flags.ts";
import { UsageError } from "./usage.ts";
import { tokenFlag } from "./auth_flags.ts";
import { disposeSavepoint } from "./dispose.ts";

/**
 * Runs `call` with an SDK client of the masters `--master` or `--etcd` name;
 * a refusal or a failed savepoint is printed (exit code 2 for an unknown
 * job, else 1), an unreachable master is the CLI's error (exit code 3).
 */
export async function withCluster(
  v: OptionValues,
  call: (client: SpateClient) => Promise<number>,
): Promise<number> {
  const masters = await mastersOf(v);
  const client = new SpateClient(sdkOptions(masters, tokenFlag(v)));
  try {
    return await call(client);
  } catch (e) {
    if (e instanceof SpateHttpError) {
      console.error(`error: ${e.errors.join("; ") || `HTTP ${e.status}`}`);
      return e.status === 404 ? 2 : 1;
    }
    if (e instanceof SavepointFailedError) {
      console.error(`error: ${e.message}`);
      return 1;
    }
    throw cliError(e, masters);
  } finally {
    await client.close();
  }
}

/** Which jobs `spate list` shows: `--running`, `--scheduled` (both by default) or `--all`. */
export function listFilter(
  v: { listRunning?: boolean; listScheduled?: boolean; listAll?: boolean },
): (job: { state: string; endTime: number }) => boolean {
  if (v.listAll) return () => true;
  const either = v.listRunning !== true && v.listScheduled !== true;
  const running = either || v.listRunning === true;
  const scheduled = either || v.listScheduled === true;
  return (j) => j.endTime < 0 && (j.state === "CREATED" ? scheduled : running);
}

export async function listCommand(args: string[]): Promise<number> {
  const { values: v } = parseFlags("list", args);
  configureClientTls("list", v);
  return await withCluster(v, async (client) => {
    const jobs = (await client.jobs()).filter(listFilter(v));
    if (v.json) {
      console.log(JSON.stringify(jobs));
    } else if (jobs.length === 0) {
      console.log("no jobs");
    } else {
      for (const j of jobs) {
        console.log(
          `${j.id}  ${j.state.padEnd(10)}  ${new Date(j.startTime).toISOString()}  ${j.name}`,
        );
      }
    }
    return 0;
  });
}

export async function cancelCommand(args: string[]): Promise<number> {
  const { values: v, positionals } = parseFlags("cancel", args, 1);
  configureClientTls("cancel", v);
  if (positionals.length !== 1) {
    throw new UsageError("spate cancel: missing the job id (spate cancel <job-id>)");
  }
  if (v.withSavepoint) return await savepoint(positionals[0], v.savepointDir, true, v);
  if (v.savepointDir !== undefined) {
    throw new UsageError("spate cancel: --dir needs --with-savepoint");
  }
  return await withCluster(v, async (client) => {
    console.log(`job ${positionals[0]} ${(await client.cancel(positionals[0])).state}`);
    return 0;
  });
}

/** `spate savepoint <job-id> [--dir D]`: takes a savepoint of a running job (or --dispose one). */
export async function savepointCommand(args: string[]): Promise<number> {
  const { values: v, positionals } = parseFlags("savepoint", args, 1);
  configureClientTls("savepoint", v);
  if (v.disposeSavepoint !== undefined) {
    if (positionals.length > 0 || v.savepointDir !== undefined) {
      throw new UsageError("spate savepoint: --dispose PATH takes no job id and no --dir");
    }
    return await disposeSavepoint(v.disposeSavepoint);
  }
  if (positionals.length !== 1) {
    throw new UsageError("spate savepoint: missing the job id (spate savepoint <job-id>)");
  }
  return await savepoint(positionals[0], v.savepointDir, false, v);
}

async function savepoint(
  jobId: string,
  dir: string | undefined,
  cancelJob: boolean,
  v: OptionValues,
): Promise<number> {
  return await withCluster(v, async (client) => {
    const location = await client.savepoint(jobId, {
      targetDirectory: dir === undefined ? undefined : resolveLocation(dir),
      cancelJob,
    });
    console.log(`Savepoint completed: ${location}`);
    if (cancelJob) console.log(`job ${jobId} CANCELLING`);
    return 0;
  });
}

/** The masters `--master` or `--etcd` name, the likeliest leader first. */
export async function mastersOf(
  v: { masterUrl?: string; etcdEndpoints?: string; clusterId?: string },
): Promise<string[]> {
  const source = masterSourceFlags(v.masterUrl, v.etcdEndpoints, v.clusterId);
  try {
    return await source.masters();
  } catch (e) {
    throw new MasterUnreachableError(source.description, e);
  }
}
