/** `spate list`, `spate cancel` and `spate savepoint`: jobs of a cluster, through its REST API. @module */

import { resolveLocation } from "../core/fs/location.ts";
import type { OptionValues } from "../core/config/options.ts";
import { MasterUnreachableError } from "../nodes/client/master_unreachable.ts";
import { nodeFetch } from "../nodes/rpc/tls/client_tls.ts";
import { masterSourceFlags, parseFlags } from "./flags.ts";
import { configureClientTls } from "./tls_flags.ts";
import { UsageError } from "./usage.ts";
import { authHeaders, tokenFlag } from "./auth_flags.ts";

/**
 * Calls `path` on the first of `masters` that answers: one that cannot be
 * reached, or that answers 503 (a standby while no leader is known), yields
 * to the next; a standby's 307 to its leader is followed.
 */
async function rest(
  masters: readonly string[],
  path: string,
  token: string | undefined,
  init: RequestInit = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  init = { ...init, headers: { ...init.headers as Record<string, string>, ...authHeaders(token) } };
  let unavailable: { status: number; body: Record<string, unknown> } | undefined;
  let failure: unknown;
  for (const master of masters) {
    let res: Response;
    try {
      res = await nodeFetch(`${master}${path}`, init);
    } catch (e) {
      failure ??= e;
      continue;
    }
    const answer = { status: res.status, body: await res.json() };
    if (res.status !== 503) return answer;
    unavailable = answer;
  }
  if (unavailable !== undefined) return unavailable;
  throw new MasterUnreachableError(masters.join(","), failure);
}

/** Prints the master's refusal; the exit code: 2 for an unknown job, else 1. */
function refused(status: number, body: Record<string, unknown>): number {
  console.error(`error: ${(body.errors as string[] | undefined)?.join("; ") ?? `HTTP ${status}`}`);
  return status === 404 ? 2 : 1;
}

export async function listCommand(args: string[]): Promise<number> {
  const { values: v } = parseFlags("list", args);
  configureClientTls("list", v);
  const { status, body } = await rest(await mastersOf(v), "/api/v1/jobs", tokenFlag(v));
  if (status >= 400) return refused(status, body);
  const jobs = body.jobs as { id: string; name: string; state: string; startTime: number }[];
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

/** `spate savepoint <job-id> [--dir D]`: takes a savepoint of a running job. */
export async function savepointCommand(args: string[]): Promise<number> {
  const { values: v, positionals } = parseFlags("savepoint", args, 1);
  configureClientTls("savepoint", v);
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
  const { status, body } = await rest(masters, `/api/v1/jobs/${jobId}/savepoints`, tokenFlag(v), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      targetDirectory: dir === undefined ? undefined : resolveLocation(dir),
      cancelJob,
    }),
  });
  if (status >= 400) return refused(status, body);
  console.log(`Savepoint completed: ${body.location}`);
  if (cancelJob) console.log(`job ${jobId} CANCELLING`);
  return 0;
}

/** The masters `--master` or `--etcd` name, the likeliest leader first. */
async function mastersOf(
  v: { masterUrl?: string; etcdEndpoints?: string; clusterId?: string },
): Promise<string[]> {
  const source = masterSourceFlags(v.masterUrl, v.etcdEndpoints, v.clusterId);
  try {
    return await source.masters();
  } catch (e) {
    throw new MasterUnreachableError(source.description, e);
  }
}
