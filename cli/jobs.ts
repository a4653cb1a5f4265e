/** `spate list` and `spate cancel`: jobs of a cluster, through its REST API. @module */

import { masterFlag, parseFlags } from "./flags.ts";
import { UsageError } from "./usage.ts";

async function rest(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body: Record<string, unknown> }> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (e) {
    throw new UsageError(
      `cannot reach the master at ${new URL(url).origin}: ${(e as Error).message}`,
    );
  }
  return { status: res.status, body: await res.json() };
}

export async function listCommand(args: string[]): Promise<number> {
  const { values: v } = parseFlags("list", args, {
    master: { type: "string", short: "m" },
    json: { type: "boolean" },
  });
  const { body } = await rest(`${masterFlag(v.master)}/api/v1/jobs`);
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
  const { values: v, positionals } = parseFlags("cancel", args, {
    master: { type: "string", short: "m" },
  }, 1);
  if (positionals.length !== 1) {
    throw new UsageError("spate cancel: missing the job id (spate cancel <job-id>)");
  }
  const { status, body } = await rest(
    `${masterFlag(v.master)}/api/v1/jobs/${positionals[0]}?mode=cancel`,
    {
      method: "PATCH",
    },
  );
  if (status >= 400) {
    console.error(
      `error: ${(body.errors as string[] | undefined)?.join("; ") ?? `HTTP ${status}`}`,
    );
    return status === 404 ? 2 : 1;
  }
  console.log(`job ${positionals[0]} ${body.state}`);
  return 0;
}
