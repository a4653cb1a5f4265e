/**
 * `deno task bench tls`: what TLS costs, TLS off and on in the same run. One
 * raw HTTP/2 stream between two processes (h2c on `Deno.serve`, TLS on
 * spate's TLS server), the shuffle between two worker processes (bench
 * shuffle's job, on a plain and on a TLS cluster, certificates from
 * `spate certs`) and WordCount at parallelism 2 on each cluster (a corpus
 * file per source subtask, the words shuffled by key between the two workers).
 * Figures are medians of `--runs` runs; the plain and TLS runs alternate.
 * @module
 */

import { parseArgs } from "node:util";
import { runCli, runSummary } from "../tests/_helpers/cli.ts";
import { startCluster } from "../tests/_helpers/cluster.ts";
import { writeCorpus } from "../tests/_helpers/corpus.ts";
import { makeTestCerts, startTlsCluster } from "../tests/_helpers/tls_cluster.ts";
import { useClientTls } from "../nodes/rpc/tls/client_tls.ts";
import {
  type BenchCluster,
  median,
  plainBenchCluster,
  rawH2c,
  type Run,
  shuffleRun,
} from "./shuffle.ts";

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
  const plainCluster = await startCluster(2, 1);
  const tlsCluster = await startTlsCluster(certs, 2, 1);
  const clusters: BenchCluster[] = [
    plainBenchCluster(plainCluster),
    { ...tlsCluster, clientFlags: ["--tls-ca", certs.ca] },
  ];
  try {
    const warm = await shuffleRun(clusters[0], 100_000, 100);
    await shuffleRun(clusters[1], 100_000, 100);
    const perRecord = warm.bytes / warm.records;
    const records = Math.round(mb * 1024 * 1024 / perRecord);
    const shuffles: Run[][] = [[], []];
    const wordCounts: number[][] = [[], []];
    for (let r = 0; r < runs; r++) {
      for (const k of [0, 1]) {
        shuffles[k].push(await shuffleRun(clusters[k], records, 100));
        wordCounts[k].push(await wordCountSeconds(clusters[k], input, `${dir}/out-${k}-${r}`));
      }
    }
    const rate = (k: number) =>
      median(shuffles[k].map((d) => d.bytes / 1e6 / (d.transferMs / 1000)));
    const wc = (k: number) => median(wordCounts[k]);
    const pad = (x: number, d = 0) => x.toFixed(d).padStart(7);
    const cost = (off: number, on: number) => `TLS costs ${((1 - on / off) * 100).toFixed(0)}%`;
    console.log(`TLS off and on in the same run, medians of ${runs}`);
    console.log(`  raw one stream, node:http2, h2c      ${pad(rawPlain.node)} MB/s`);
    console.log(
      `  raw one stream, node:http2, TLS      ${pad(rawTls.node)} MB/s  ${
        cost(rawPlain.node, rawTls.node)
      }`,
    );
    console.log(`  raw one stream, fetch, h2c           ${pad(rawPlain.fetch)} MB/s`);
    console.log(
      `  raw one stream, fetch, TLS           ${pad(rawTls.fetch)} MB/s  ${
        cost(rawPlain.fetch, rawTls.fetch)
      }`,
    );
    console.log(
      `  shuffle, ${(shuffles[0][0].bytes / 1e6).toFixed(0)} MB, plain            ${
        pad(rate(0))
      } MB/s`,
    );
    console.log(
      `  shuffle, ${(shuffles[1][0].bytes / 1e6).toFixed(0)} MB, TLS              ${
        pad(rate(1))
      } MB/s  ${cost(rate(0), rate(1))}  (runs: ${
        shuffles.map((s) =>
          s.map((d) => (d.bytes / 1e6 / (d.transferMs / 1000)).toFixed(0)).join("/")
        ).join(" vs ")
      } MB/s)`,
    );
    console.log(`  WordCount ${wcMb} MiB -p 2, plain       ${pad(wc(0), 2)} s`);
    console.log(
      `  WordCount ${wcMb} MiB -p 2, TLS         ${pad(wc(1), 2)} s     ${
        ((wc(1) / wc(0) - 1) * 100).toFixed(0)
      }% longer  (runs: ${
        wordCounts.map((w) => w.map((s) => s.toFixed(2)).join("/")).join(" vs ")
      } s)`,
    );
  } finally {
    await plainCluster.stop();
    await tlsCluster.stop();
    await Deno.remove(dir, { recursive: true });
  }
}
