/**
 * `spate list`, `spate cancel` and `spate savepoint`: jobs of a cluster,
 * through its REST API (`spate stop` and `spate savepoint --dispose`: stop.ts,
 * dispose.ts).
 * @module
 */

import { resolveLocation } from "../core/fs/location.ts";
import { OPTIONS, type OptionValues } from "../core/config/options.ts";
import { MasterUnreachableError } from "../nodes/client/master_unreachable.ts";
import { restCall } from "./sdk_client.ts";
import { masterSourceFlags, parseFlags } from "./flags.ts";
import { configureClientTls } from "./tls_flags.ts";
import { UsageError } from "./usage.ts";
import { tokenFlag } from "./auth_flags.ts";
import { disposeSavepoint } from "./dispose.ts";

/** A REST call to the cluster, through the client SDK (sdk_client.ts). */
export const rest = restCall;

/** Prints the master's refusal; the exit code: 2 for an unknown job, else 1. */
function refused(status: number, body: Record<string, unknown>): number {
  console.error(`error: ${(body.errors as string[] | undefined)?.join("; ") ?? `HTTP ${status}`}`);
  return status === 404 ? 2 : 1;
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
  const { status, body } = await rest(await mastersOf(v), "/api/v1/jobs", tokenFlag(v));
  if (status >= 400) return refused(status, body);
  const jobs = (body.jobs as {
    id: string;
    name: string;
    state: string;
    startTime: number;
    endTime: number;
  }[]).filter(listFilter(v));
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
}

export async function cancelCommand(args: string[]): Promise<number> {
  const { values: v, positionals } = parseFlags("cancel", args, 1);
  configureClientTls("cancel", v);
  if (positionals.length !== 1) {
    throw new UsageError("spate cancel: missing the job id (spate cancel <job-id>)");
  }
  if (v.withSavepoint) {
    return await savepoint(await mastersOf(v), positionals[0], v.savepointDir, true, v);
  }
  if (v.savepointDir !== undefined) {
    throw new UsageError("spate cancel: --dir needs --with-savepoint");
  }
  const { status, body } = await rest(
    await mastersOf(v),
    `/api/v1/jobs/${positionals[0]}?mode=cancel`,
    tokenFlag(v),
    { method: "PATCH" },
  );
  if (status >= 400) return refused(status, body);
  console.log(`job ${positionals[0]} ${body.state}`);
  return 0;
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
  return await savepoint(await mastersOf(v), positionals[0], v.savepointDir, false, v);
}

async function savepoint(
  masters: readonly string[],
  jobId: string,
  dir: string | undefined,
  cancelJob: boolean,
  v: OptionValues,
): Promise<number> {
  const outcome = await awaitSavepoint(masters, jobId, "savepoints", tokenFlag(v), {
    targetDirectory: dir === undefined ? undefined : resolveLocation(dir),
    cancelJob,
  });
  if (typeof outcome === "number") return outcome;
  console.log(`Savepoint completed: ${outcome}`);
  if (cancelJob) console.log(`job ${jobId} CANCELLING`);
  return 0;
}

/**
 * Starts a savepoint (`POST /jobs/:id/savepoints` or `/stop`) and polls it;
 * returns its location, or the exit code after printing why it failed.
 */
export async function awaitSavepoint(
  masters: readonly string[],
  jobId: string,
  route: "savepoints" | "stop",
  token: string | undefined,
  body: Record<string, unknown>,
): Promise<string | number> {
  const started = await rest(masters, `/api/v1/jobs/${jobId}/${route}`, token, {
    method: "POST",
    body: JSON.stringify(body),
  });
  if (started.status >= 400) return refused(started.status, started.body);
  const poll = `/api/v1/jobs/${jobId}/savepoints/${started.body["request-id"]}`;
  for (;;) {
    const { status, body: s } = await rest(masters, poll, token);
    if (status >= 400) return refused(status, s);
    if (s.status === "COMPLETED") {
      if (typeof s.location === "string") return s.location;
      console.error(`error: ${s.failure}`);
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, OPTIONS.savepointPollIntervalMs.default));
  }
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
