/**
 * The fuzz cases of fuzz_endpoints_test.ts against a master with a cluster
 * secret and tokens, 10,000 in all, each sent with no token, a wrong one or a
 * viewer's: nothing gets past the door without a valid token (401; a viewer's
 * writes 403; only the dashboard's page, which holds no data, is served to all), nothing crashes, no worker joins and no job appears, and a job
 * submitted with an operator token meanwhile finishes with the right output.
 */

import assert from "node:assert/strict";
import { jobPath, runCli } from "../_helpers/cli.ts";
import { startCluster } from "../_helpers/cluster.ts";
import { prng, readCounts } from "../_helpers/corpus.ts";
import { client, restCase, sendStream, streamCase } from "../_helpers/fuzz_cases.ts";

const CASES = 10_000;
const CONCURRENCY = 16;
const VIEWER = "viewer-token-fuzz-5e2d81";
const OPERATOR = "operator-token-fuzz-7c4a19";

Deno.test(`${CASES} bad requests on an auth-enabled master: 401/403 without a valid token, no crash, no state change`, async () => {
  const dir = await Deno.makeTempDir({ prefix: "spate-fuzz-auth-" });
  await Deno.writeTextFile(`${dir}/secret`, "fuzz-cluster-secret-0c7e2b94d1\n");
  await Deno.writeTextFile(`${dir}/tokens`, `${VIEWER} viewer\n${OPERATOR} operator\n`);
  const viewer = { authorization: `Bearer ${VIEWER}` };
  const cluster = await startCluster(
    1,
    2,
    [
      "--cluster-secret-file",
      `${dir}/secret`,
      "--auth-tokens",
      `${dir}/tokens`,
      "--auth-failure-limit",
      "1000000", // every case comes from loopback: count failures, never block
    ],
    undefined,
    {
      workerArgs: ["--cluster-secret-file", `${dir}/secret`, "--auth-failure-limit", "1000000"],
      restHeaders: viewer,
    },
  );
  try {
    const tms = (await (await fetch(`${cluster.url}/api/v1/taskmanagers`, { headers: viewer }))
      .json()).taskmanagers;
    const dataUrl = `${tms[0].dataAddress}/data/v1/partition`;
    const job = runCli([
      "run",
      jobPath("slow_count.ts"),
      "--master",
      cluster.url,
      "--token",
      OPERATOR,
      "-p",
      "2",
      "--",
      "--records",
      "40000",
      "--keys",
      "10",
      "--work-us",
      "20",
      "--output",
      `${dir}/out`,
    ]);
    const rnd = prng(2027);
    const outcomes = new Map<string, number>();
    let next = 0;
    const worker = async () => {
      while (next < CASES) {
        const i = next++;
        const who = ["none", "wrong", "viewer"][Math.floor(rnd() * 3)];
        const headers: Record<string, string> = who === "none"
          ? {}
          : { authorization: `Bearer ${who === "viewer" ? VIEWER : "wrong-token-" + i}` };
        let outcome: string;
        const r = rnd();
        if (r < 0.35) {
          const kind = ["node", "client", undefined][Math.floor(rnd() * 3)];
          const sent = await sendStream(
            `${cluster.url}/rpc/v1/connect`,
            streamCase(rnd, false),
            kind === undefined ? headers : { ...headers, "x-spate-peer": kind },
          );
          // Only a viewer's client connection is let in (to the Dispatcher's reads).
          if (who !== "viewer" || kind !== "client") assert.equal(sent, "status 401", `case ${i}`);
          outcome = `rpc ${who} ${sent}`;
        } else if (r < 0.5) {
          const sent = await sendStream(dataUrl, streamCase(rnd, true), headers);
          assert.equal(sent, "status 401", `case ${i}: data stream without a proof`);
          outcome = `data ${who} ${sent}`;
        } else {
          const c = restCase(rnd);
          const res = await fetch(
            `${cluster.url}${c.path}`,
            { method: c.method, body: c.body, headers, client } as RequestInit,
          );
          const text = await res.text();
          const where = `case ${i}: ${who} ${c.method} ${c.path} -> ${res.status} ${text}`;
          assert.ok(res.status < 500, where);
          // The dashboard's page and scripts (no data) are served to anyone.
          const page = c.method === "GET" && (c.path === "/" || c.path.startsWith("/dashboard/"));
          if (page) assert.equal(res.status, 200, where);
          else if (who !== "viewer") assert.equal(res.status, 401, where);
          else if (c.method !== "GET") assert.equal(res.status, 403, where);
          outcome = `rest ${who} ${res.status}`;
        }
        outcome = outcome.replace(/: .*/, "");
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    console.log("outcomes:", Object.fromEntries([...outcomes].sort()));

    const res = await job;
    assert.equal(res.code, 0, res.stderr);
    const counts = await readCounts(`${dir}/out`);
    assert.equal(counts.size, 10);
    assert.equal([...counts.values()].reduce((a, b) => a + b, 0), 40_000);
    const overview = await (await fetch(`${cluster.url}/api/v1/overview`, { headers: viewer }))
      .json();
    assert.equal(overview.taskmanagers, 1, "no worker joined");
    const jobs = (await (await fetch(`${cluster.url}/api/v1/jobs`, { headers: viewer })).json())
      .jobs;
    assert.deepEqual(jobs.map((j: { state: string }) => j.state), ["FINISHED"], "no job appeared");
  } finally {
    await cluster.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
