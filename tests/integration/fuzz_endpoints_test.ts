/**
 * Bad input on every endpoint of a running cluster: random bytes, truncated
 * and oversized frames, unknown versions and types on the RPC and data
 * streams, and invalid REST requests, 10,000 generated cases in all. Each
 * stream case gets the outcome the frame protocol prescribes (an error frame
 * naming the problem, or a clean close), never a stream held open; each REST
 * case gets its exact status; no process may crash, and a job running
 * meanwhile must finish with the right output.
 *
 * Outcomes (identical in every run; times on the loaded 2-core machine):
 * RPC 3,512 cases: 3,194 error, 318 close, 0 hang; data 1,471: all error,
 * 0 hang; REST 5,017: each its owed status. Time to close a garbage stream:
 * median 6-21 ms, max under 0.75 s (BENCHMARKS.md has the table).
 */

import assert from "node:assert/strict";
import { jobPath, runCli } from "../_helpers/cli.ts";
import { startCluster } from "../_helpers/cluster.ts";
import { prng, readCounts } from "../_helpers/corpus.ts";
import { expectedKeyCounts } from "../_helpers/keyed_count.ts";
import {
  client,
  expectedStreamCase,
  restCase,
  sendStreamFor,
  streamMismatch,
} from "../_helpers/fuzz_cases.ts";

const CASES = 10_000;
const CONCURRENCY = 16;
/** Far above the time a garbage stream takes to be answered (a few ms), far below the server's own deadlines. */
const STREAM_BOUND_MS = 5_000;

Deno.test(`${CASES} bad requests on every endpoint: the prescribed error or close, no crash, job unaffected`, async () => {
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
    const table = new Map<string, number>();
    const count = (key: string) => table.set(key, (table.get(key) ?? 0) + 1);
    const closeMs: Record<string, number[]> = { rpc: [], data: [] };
    const mismatches: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < CASES) {
        const i = next++;
        const r = rnd();
        if (r < 0.5) {
          const endpoint = r < 0.35 ? "rpc" : "data";
          const c = expectedStreamCase(rnd, endpoint === "data");
          const url = endpoint === "rpc" ? `${cluster.url}/rpc/v1/connect` : dataUrl;
          const outcome = await sendStreamFor(url, c.bytes, STREAM_BOUND_MS);
          const wrong = streamMismatch(outcome, c.expect);
          if (wrong !== undefined) mismatches.push(`case ${i} ${endpoint} ${c.kind}: ${wrong}`);
          count(`${endpoint} ${c.expect === "close" ? "close" : "error"}`);
          if (outcome.failure !== undefined) count(`${endpoint} hang`);
          closeMs[endpoint].push(outcome.ms);
        } else {
          const c = restCase(rnd);
          const res = await fetch(
            `${cluster.url}${c.path}`,
            { method: c.method, body: c.body, client } as RequestInit,
          );
          const text = await res.text();
          if (res.status !== c.expect) {
            mismatches.push(
              `case ${i} rest ${c.method} ${c.path}: ${res.status} (expected ${c.expect}) ${text}`,
            );
          }
          count(`rest ${c.kind} ${res.status}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    console.log("outcomes:", Object.fromEntries([...table].sort()));
    for (const [endpoint, ms] of Object.entries(closeMs)) {
      ms.sort((a, b) => a - b);
      const q = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))].toFixed(1);
      console.log(
        `${endpoint}: time to close, median ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms`,
      );
    }
    assert.deepEqual(mismatches.slice(0, 20), []);

    const res = await job;
    assert.equal(res.code, 0, res.stderr);
    const counts = await readCounts(`${dir}/out`);
    assert.deepEqual(counts, expectedKeyCounts(40_000, 10));
    // Both processes still serve.
    const overview = await (await fetch(`${cluster.url}/api/v1/overview`)).json();
    assert.equal(overview.taskmanagers, 1);
    assert.equal(overview.jobsFinished, 1);
  } finally {
    await cluster.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
