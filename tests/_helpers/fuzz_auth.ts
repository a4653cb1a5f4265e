/**
 * The fuzz run of fuzz_auth_endpoints_test.ts, shared by its plain-HTTP and
 * TLS variants: a master with a cluster secret and tokens gets the cases of
 * fuzz_cases.ts, each sent with no token, a wrong one or a viewer's, while
 * an operator's job runs; then the job's output and the master's state are
 * checked. A variant only says how to reach its cluster (an {@link AuthFuzzTarget}).
 * @module
 */

import assert from "node:assert/strict";
import { type CliResult, jobPath, runCli } from "./cli.ts";
import { prng, readCounts } from "./corpus.ts";
import { restCase, sendStream, streamCase } from "./fuzz_cases.ts";

export const VIEWER = "viewer-token-fuzz-5e2d81";
export const OPERATOR = "operator-token-fuzz-7c4a19";
const VIEWER_HEADERS = { authorization: `Bearer ${VIEWER}` };
const CONCURRENCY = 16;
const RECORDS = 40_000;
const KEYS = 10;

/** The flags of an auth-enabled cluster's master and workers, their files written in `dir`. */
export async function authClusterArgs(
  dir: string,
): Promise<{ master: string[]; worker: string[] }> {
  await Deno.writeTextFile(`${dir}/secret`, "fuzz-cluster-secret-0c7e2b94d1\n");
  await Deno.writeTextFile(`${dir}/tokens`, `${VIEWER} viewer\n${OPERATOR} operator\n`);
  // Every case comes from loopback: count failures, never block.
  const limit = ["--auth-failure-limit", "1000000"];
  return {
    master: ["--cluster-secret-file", `${dir}/secret`, "--auth-tokens", `${dir}/tokens`, ...limit],
    worker: ["--cluster-secret-file", `${dir}/secret`, ...limit],
  };
}

/** How a variant's cluster is reached. */
export interface AuthFuzzTarget {
  /** The master's URL, `http://` or `https://`. */
  readonly url: string;
  /** An HTTP/2 client for the master's and workers' ports (trusting the test CA with TLS). */
  readonly client: Deno.HttpClient;
  /** The flags `spate run` needs to reach the master (`--tls-ca FILE` with TLS). */
  readonly cliFlags: readonly string[];
  /** Workers started: no other may join. */
  readonly workers: number;
}

/** GETs `path` from the master with the viewer's token; asserts a 200 and returns the JSON. */
export async function viewerGet(
  target: AuthFuzzTarget,
  path: string,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${target.url}${path}`, {
    headers: VIEWER_HEADERS,
    client: target.client,
  } as RequestInit);
  const body = await res.json();
  assert.equal(res.status, 200, `GET ${path}: ${JSON.stringify(body)}`);
  return body;
}

/** The data port URLs of the target's workers, from the REST API. */
export async function dataAddresses(target: AuthFuzzTarget): Promise<string[]> {
  const tms = (await viewerGet(target, "/api/v1/taskmanagers")).taskmanagers as {
    dataAddress: string;
  }[];
  return tms.map((tm) => tm.dataAddress);
}

/** Submits the operator's job (a keyed count, its output in `out`); resolves when the CLI ends. */
export function runOperatorJob(target: AuthFuzzTarget, out: string): Promise<CliResult> {
  return runCli([
    "run",
    jobPath("slow_count.ts"),
    "--master",
    target.url,
    ...target.cliFlags,
    "--token",
    OPERATOR,
    "-p",
    "2",
    "--",
    "--records",
    String(RECORDS),
    "--keys",
    String(KEYS),
    "--work-us",
    "20",
    "--output",
    out,
  ]);
}

/** One case: its outcome, `kind who result` (the result's detail cut). */
async function fuzzCase(
  target: AuthFuzzTarget,
  dataUrl: string,
  rnd: () => number,
  i: number,
): Promise<string> {
  const who = ["none", "wrong", "viewer"][Math.floor(rnd() * 3)];
  const headers: Record<string, string> = who === "none"
    ? {}
    : { authorization: `Bearer ${who === "viewer" ? VIEWER : "wrong-token-" + i}` };
  const r = rnd();
  if (r < 0.35) {
    const kind = ["node", "client", undefined][Math.floor(rnd() * 3)];
    const sent = await sendStream(
      `${target.url}/rpc/v1/connect`,
      streamCase(rnd, false),
      kind === undefined ? headers : { ...headers, "x-spate-peer": kind },
      target.client,
    );
    // Only a node that proves the secret opens an RPC connection: a token, whatever its
    // role or the kind the dialer claims, does not (clients use the REST API).
    assert.equal(sent, "status 401", `case ${i}`);
    return `rpc ${who} ${sent}`;
  }
  if (r < 0.5) {
    const sent = await sendStream(dataUrl, streamCase(rnd, true), headers, target.client);
    assert.equal(sent, "status 401", `case ${i}: data stream without a proof`);
    return `data ${who} ${sent}`;
  }
  const c = restCase(rnd);
  const res = await fetch(
    `${target.url}${c.path}`,
    { method: c.method, body: c.body, headers, client: target.client } as RequestInit,
  );
  const text = await res.text();
  const where = `case ${i}: ${who} ${c.method} ${c.path} -> ${res.status} ${text}`;
  assert.ok(res.status < 500, where);
  // The dashboard's page and scripts (no data) are served to anyone.
  const page = c.method === "GET" && (c.path === "/" || c.path.startsWith("/dashboard/"));
  if (page) assert.equal(res.status, 200, where);
  else if (who !== "viewer") assert.equal(res.status, 401, where);
  else if (c.method !== "GET") assert.equal(res.status, 403, where);
  return `rest ${who} ${res.status}`;
}

/**
 * Runs `cases` cases from `seed` against the master and the first worker's
 * data port, 16 at a time, asserting each outcome; returns the count of each.
 */
export async function fuzzAuthCases(
  target: AuthFuzzTarget,
  cases: number,
  seed: number,
): Promise<Map<string, number>> {
  const dataUrl = `${(await dataAddresses(target))[0]}/data/v1/partition`;
  const rnd = prng(seed);
  const outcomes = new Map<string, number>();
  let next = 0;
  const loop = async () => {
    while (next < cases) {
      const outcome = (await fuzzCase(target, dataUrl, rnd, next++)).replace(/: .*/, "");
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  return outcomes;
}

/**
 * Asserts that the operator's job (`job`, output in `out`) finished with the
 * right counts, that no worker joined and that no other job appeared.
 */
export async function assertOnlyTheOperatorsJob(
  target: AuthFuzzTarget,
  job: Promise<CliResult>,
  out: string,
): Promise<void> {
  const res = await job;
  assert.equal(res.code, 0, res.stderr);
  const counts = await readCounts(out);
  assert.equal(counts.size, KEYS);
  assert.equal([...counts.values()].reduce((a, b) => a + b, 0), RECORDS);
  const overview = await viewerGet(target, "/api/v1/overview");
  assert.equal(overview.taskmanagers, target.workers, "no worker joined");
  const jobs = (await viewerGet(target, "/api/v1/jobs")).jobs as { id: string; state: string }[];
  assert.deepEqual(jobs.map((j) => j.state), ["FINISHED"], "no job appeared");
  // With several workers the job's subtasks spread over all: its keyBy crossed the data plane.
  const details = await viewerGet(target, `/api/v1/jobs/${jobs[0].id}`);
  const vertices = details.vertices as { subtasks: { worker: string }[] }[];
  const used = new Set(vertices.flatMap((v) => v.subtasks.map((s) => s.worker)));
  assert.equal(used.size, target.workers, `the job ran on every worker: ${[...used]}`);
}
