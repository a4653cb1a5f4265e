/**
 * Bad input on every endpoint of a running cluster: random bytes, truncated
 * and oversized frames, unknown versions and types on the RPC and data
 * streams, and invalid REST requests, 10,000 generated cases in all. Each
 * must get an error response or a closed stream; no process may crash, and a
 * job running meanwhile must finish with the right output.
 */

import assert from "node:assert/strict";
import { jobPath, runCli } from "../_helpers/cli.ts";
import { startCluster } from "../_helpers/cluster.ts";
import { prng, readCounts } from "../_helpers/corpus.ts";
import { client, restCase, sendStream, streamCase } from "../_helpers/fuzz_cases.ts";

const CASES = 10_000;
const CONCURRENCY = 16;

Deno.test(`${CASES} bad requests on every endpoint: errors or closed streams, no crash, job unaffected`, async () => {
  const cluster = await startCluster(1, 2);
  const dir = await Deno.makeTempDir({ prefix: "spate-fuzz-" });
  try {
    const tms = (await (await fetch(`${cluster.url}/api/v1/taskmanagers`)).json()).taskmanagers;
    const dataUrl = `${tms[0].dataAddress}/data/v1/partition`;
    const job = runCli([
      "run",
      jobPath("slow_count.ts"),
      "--master",
      cluster.url,
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
    const rnd = prng(2026);
    const outcomes = new Map<string, number>();
    let next = 0;
    const worker = async () => {
      while (next < CASES) {
        const i = next++;
        let outcome: string;
        const r = rnd();
        if (r < 0.35) {
          outcome = "rpc " +
            await sendStream(`${cluster.url}/rpc/v1/connect`, streamCase(rnd, false));
        } else if (r < 0.5) {
          outcome = "data " + await sendStream(dataUrl, streamCase(rnd, true));
        } else {
          const c = restCase(rnd);
          const res = await fetch(
            `${cluster.url}${c.path}`,
            { method: c.method, body: c.body, client } as RequestInit,
          );
          const text = await res.text();
          assert.ok(res.status < 500, `case ${i}: ${c.method} ${c.path} -> ${res.status} ${text}`);
          outcome = `rest ${res.status}`;
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
    // Both processes still serve.
    const overview = await (await fetch(`${cluster.url}/api/v1/overview`)).json();
    assert.equal(overview.taskmanagers, 1);
    assert.equal(overview.jobsFinished, 1);
  } finally {
    await cluster.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
