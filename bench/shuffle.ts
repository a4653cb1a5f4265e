/**
 * `deno task bench shuffle`: shuffle throughput between two worker processes
 * (a source on one, a counting sink on the other, every record crossing the
 * HTTP/2 data plane), and in the same run the raw throughput of one h2c
 * stream between two Deno processes. spate's figure is the steady-state rate:
 * the difference between a large and a small run, so job start-up cancels out.
 * @module
 */

import { parseArgs } from "node:util";
import { postStream } from "../nodes/rpc/h2_client.ts";
import { runCli } from "../tests/_helpers/cli.ts";
import { freePort, startCluster } from "../tests/_helpers/cluster.ts";

const RAW_MB = 512;

/** MB/s of one h2c stream from a server process to this one. */
async function rawH2c(): Promise<number> {
  const port = freePort();
  const server = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./raw_h2c_server.ts", import.meta.url).pathname, String(port)],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const reader = server.stdout.getReader();
    await reader.read(); // "ready"
    reader.releaseLock();
    const start = performance.now();
    const res = await postStream(
      `http://127.0.0.1:${port}`,
      `/?mb=${RAW_MB}`,
      ReadableStream.from([]),
    );
    let bytes = 0;
    for await (const chunk of res.body) bytes += chunk.length;
    return bytes / 1e6 / ((performance.now() - start) / 1000);
  } finally {
    server.kill();
    await server.status;
  }
}

interface Run {
  readonly bytes: number;
  readonly records: number;
  readonly ms: number;
}

async function shuffleRun(url: string, records: number, payloadBytes: number): Promise<Run> {
  const res = await runCli([
    "run",
    "bench/jobs/shuffle_job.ts",
    "--master",
    url,
    "--json",
    "--",
    "--records",
    String(records),
    "--payload-bytes",
    String(payloadBytes),
  ]);
  if (res.code !== 0) throw new Error(`shuffle job failed: ${res.stderr}`);
  const summary = JSON.parse(res.stderr.split("\n").find((l) => l.startsWith('{"jobId"'))!);
  const details = await (await fetch(`${url}/api/v1/jobs/${summary.jobId}`)).json();
  const workers = details.vertices.map((v: { subtasks: { worker: string }[] }) =>
    v.subtasks[0].worker
  );
  if (workers[0] === workers[1]) throw new Error("source and sink ran on the same worker");
  return { bytes: summary.vertices[0].bytesOut, records, ms: summary.durationMs };
}

export async function shuffleBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      records: { type: "string", default: "1000000" },
      payload: { type: "string", default: "100" },
    },
  });
  const records = Number(values.records), payload = Number(values.payload);
  const raw = await rawH2c();
  const cluster = await startCluster(2, 1);
  try {
    const small = await shuffleRun(cluster.url, Math.floor(records / 4), payload);
    const large = await shuffleRun(cluster.url, records, payload);
    const seconds = (large.ms - small.ms) / 1000;
    const mbs = (large.bytes - small.bytes) / 1e6 / seconds;
    const recs = (large.records - small.records) / seconds;
    const perRecord = Math.round(large.bytes / large.records);
    console.log(
      `Shuffle between two worker processes (records of ~${perRecord} bytes on the wire)`,
    );
    console.log(`  raw h2c, one stream          ${raw.toFixed(0).padStart(6)} MB/s`);
    console.log(
      `  spate shuffle, steady state  ${mbs.toFixed(0).padStart(6)} MB/s  ` +
        `${(recs / 1e6).toFixed(2)} M records/s  (${(mbs / raw * 100).toFixed(0)}% of raw)`,
    );
    console.log(
      `  spate whole job              ${
        (large.bytes / 1e6 / (large.ms / 1000)).toFixed(0).padStart(6)
      } MB/s` +
        `  (${large.records} records in ${large.ms} ms, start-up included)`,
    );
  } finally {
    await cluster.stop();
  }
}
