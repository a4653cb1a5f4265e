/**
 * `deno task bench tls`: what TLS costs, TLS off and on in the same run. One
 * raw HTTP/2 stream between two processes (h2c on `Deno.serve`, TLS on
 * spate's TLS server), the shuffle between two worker processes (bench shuffle's
 * job, on a plain, a TLS and a mutual-TLS cluster, certificates from
 * `spate certs`) and WordCount at parallelism 2 on each cluster (a corpus
 * file per source subtask, the words shuffled by key between the two workers).
 * Figures are medians of `--runs` runs; the clusters take turns. With the
 * shuffle rates it prints the CPU time the two worker processes spent per MB
 * shuffled (Linux /proc), which a busy machine does not move.
 * @module
 */

import { parseArgs } from "node:util";
import { runCli, runSummary } from "../tests/_helpers/cli.ts";
import { startCluster } from "../tests/_helpers/cluster.ts";
import { writeCorpus } from "../tests/_helpers/corpus.ts";
import { makeTestCerts, startTlsCluster, tlsFlags } from "../tests/_helpers/tls_cluster.ts";
import { useClientTls } from "../nodes/rpc/tls/client_tls.ts";
import {
  type BenchCluster,
  median,
  plainBenchCluster,
  rawH2c,
  type Run,
  shuffleRun,
} from "./shuffle.ts";

/** CPU time (user + system, ms) the processes `pids` used so far, from /proc (Linux). */
function cpuMs(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

/** Seconds of one WordCount job on `cluster` (the job's own duration). */
async function wordCountSeconds(cluster: BenchCluster, input: string, output: string) {
  const res = await runCli([
    "run",
    "examples/wordcount.ts",
    "--master",
    cluster.url,
    ...cluster.clientFlags,
    "-p",
    "2",
    "--json",
    "--",
    "--input",
    input,
    "--output",
    output,
  ]);
  if (res.code !== 0) throw new Error(`wordcount failed: ${res.stderr}`);
  return runSummary(res).durationMs / 1000;
}

/**
 * Runs the TLS benchmark and prints its figures. Options: `--mb` (MiB per
 * shuffle run, default 256), `--wc-mb` (MiB of WordCount input, default 32),
 * `--runs` (default 3), `--raw-mb` (MiB of the raw stream, default 512).
 */
export async function tlsBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      mb: { type: "string", default: "256" },
      "wc-mb": { type: "string", default: "32" },
      runs: { type: "string", default: "3" },
      "raw-mb": { type: "string", default: "512" },
    },
  });
  const mb = Number(values.mb), runs = Number(values.runs), wcMb = Number(values["wc-mb"]);
  const dir = await Deno.makeTempDir({ prefix: "spate-bench-tls-" });
  const certs = await makeTestCerts(`${dir}/certs`);
  useClientTls({ ca: Deno.readTextFileSync(certs.ca) });
  const rawPlain = await rawH2c(Number(values["raw-mb"]));
  const rawTls = await rawH2c(Number(values["raw-mb"]), certs);
  const input = `${dir}/in`;
  await Deno.mkdir(input);
  await writeCorpus(input, 2, Math.ceil(wcMb * 1024 * 1024 / 2));
  const plain = await startCluster(2, 1);
  const tls = await startTlsCluster(certs, 2, 1);
  const mutual = await startTlsCluster(certs, 2, 1, true);
  const pids = (c: { workers: { child: Deno.ChildProcess }[] }) =>
    c.workers.map((w) => w.child.pid);
  const variants: { name: string; cluster: BenchCluster; pids: number[] }[] = [
    { name: "plain", cluster: plainBenchCluster(plain), pids: pids(plain) },
    { name: "TLS", cluster: { ...tls, clientFlags: ["--tls-ca", certs.ca] }, pids: pids(tls) },
    {
      name: "mutual TLS",
      cluster: { ...mutual, clientFlags: tlsFlags(certs) },
      pids: pids(mutual),
    },
  ];
  try {
    const warm = await shuffleRun(variants[0].cluster, 100_000, 100);
    for (const v of variants.slice(1)) await shuffleRun(v.cluster, 100_000, 100);
    const records = Math.round(mb * 1024 * 1024 / (warm.bytes / warm.records));
    const shuffles: Run[][] = variants.map(() => []);
    /** The workers' CPU ms per MB shuffled, per run. */
    const cpuPerMb: number[][] = variants.map(() => []);
    const wordCounts: number[][] = variants.map(() => []);
    for (let r = 0; r < runs; r++) {
      for (const [k, v] of variants.entries()) {
        const cpuBefore = cpuMs(v.pids);
        const run = await shuffleRun(v.cluster, records, 100);
        shuffles[k].push(run);
        cpuPerMb[k].push((cpuMs(v.pids) - cpuBefore) / (run.bytes / 1e6));
        wordCounts[k].push(await wordCountSeconds(v.cluster, input, `${dir}/out-${k}-${r}`));
      }
    }
    const mbps = (d: Run) => d.bytes / 1e6 / (d.transferMs / 1000);
    const pad = (x: number, d = 0) => x.toFixed(d).padStart(7);
    const cost = (off: number, on: number) => `TLS costs ${((1 - on / off) * 100).toFixed(0)}%`;
    const signed = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(0)}`;
    const label = (text: string) => `  ${text.padEnd(42)}`;
    console.log(`TLS off and on in the same run, medians of ${runs}`);
    console.log(`${label("raw one stream, node:http2, h2c")}${pad(rawPlain.node)} MB/s`);
    console.log(
      `${label("raw one stream, node:http2, TLS")}${pad(rawTls.node)} MB/s  ` +
        cost(rawPlain.node, rawTls.node),
    );
    console.log(`${label("raw one stream, fetch, h2c")}${pad(rawPlain.fetch)} MB/s`);
    console.log(
      `${label("raw one stream, fetch, TLS")}${pad(rawTls.fetch)} MB/s  ` +
        cost(rawPlain.fetch, rawTls.fetch),
    );
    const shuffleMb = (shuffles[0][0].bytes / 1e6).toFixed(0);
    const base = median(shuffles[0].map(mbps));
    for (const [k, v] of variants.entries()) {
      const rate = median(shuffles[k].map(mbps));
      const runsText = shuffles[k].map((d) => mbps(d).toFixed(0)).join("/");
      console.log(
        `${label(`shuffle ${shuffleMb} MB, ${v.name}`)}${pad(rate)} MB/s  ` +
          (k === 0 ? "" : `${cost(base, rate)}  `) + `(runs ${runsText})`,
      );
    }
    // On a busy machine the rate follows the CPU others leave; CPU per MB does not.
    const cpuBase = median(cpuPerMb[0]);
    for (const [k, v] of variants.entries()) {
      const cpu = median(cpuPerMb[k]);
      console.log(
        `${label(`shuffle workers' CPU per MB, ${v.name}`)}${pad(cpu, 2)} ms  ` +
          (k === 0 ? "" : `${signed((cpu / cpuBase - 1) * 100)}%  `) +
          `(runs ${cpuPerMb[k].map((x) => x.toFixed(2)).join("/")})`,
      );
    }
    const wcBase = median(wordCounts[0]);
    for (const [k, v] of variants.entries()) {
      const seconds = median(wordCounts[k]);
      const runsText = wordCounts[k].map((x) => x.toFixed(2)).join("/");
      console.log(
        `${label(`WordCount ${wcMb} MiB -p 2, ${v.name}`)}${pad(seconds, 2)} s     ` +
          (k === 0 ? "" : `${((seconds / wcBase - 1) * 100).toFixed(0)}% longer  `) +
          `(runs ${runsText})`,
      );
    }
  } finally {
    await Promise.all([plain.stop(), tls.stop(), mutual.stop()]);
    await Deno.remove(dir, { recursive: true });
  }
}
