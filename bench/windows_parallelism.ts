/**
 * `deno task bench windows --parallelism 1,2,4`: issue 24's job (out-of-order
 * events read from a file, tumbling, sliding and session windows with
 * `process` functions, written as text; bench/jobs/ooo_windows_job.ts) on
 * the embedded local cluster at each parallelism, with and without watermark
 * alignment. Reports the job's duration (as `spate run --json` reports it),
 * the whole run's wall time and the process's peak RSS (VmHWM, sampled until
 * it exits), the median of `--runs` runs, and checks that every run wrote
 * the same results as the first.
 * @module
 */

import { parseArgs } from "node:util";
import { spateArgs } from "../tests/_helpers/cli.ts";
import { writeOooEvents } from "./ooo_events.ts";

interface Run {
  readonly jobMs: number;
  readonly wallMs: number;
  readonly rssMb: number;
  readonly digest: string;
}

/** Peak RSS of process `pid` so far, in MB (Linux: VmHWM), or 0 once it is gone. */
function peakRssMb(pid: number): number {
  try {
    const m = Deno.readTextFileSync(`/proc/${pid}/status`).match(/VmHWM:\s+(\d+) kB/);
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** The results, order-independent: the sorted lines of every output file, hashed. */
async function digestOf(output: string): Promise<string> {
  const files = Deno.statSync(output).isFile
    ? [output]
    : [...Deno.readDirSync(output)].map((e) => `${output}/${e.name}`);
  const lines = files.flatMap((f) => Deno.readTextFileSync(f).split("\n").filter((l) => l));
  lines.sort();
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(lines.join("\n")));
  return `${lines.length} lines, ${
    [...new Uint8Array(hash)].slice(0, 6).map((b) => b.toString(16).padStart(2, "0")).join("")
  }`;
}

async function runJob(
  input: string,
  p: number,
  jobArgs: string[],
  runArgs: string[],
): Promise<Run> {
  const output = await Deno.makeTempDir({ prefix: "spate-ooo-" });
  await Deno.remove(output);
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: spateArgs([
      "run",
      "bench/jobs/ooo_windows_job.ts",
      "--local",
      "-p",
      String(p),
      "--json",
      ...runArgs,
      "--",
      "--input",
      input,
      "--output",
      output,
      ...jobArgs,
    ]),
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let rss = 0;
  const sampler = setInterval(() => rss = Math.max(rss, peakRssMb(child.pid)), 20);
  const out = await child.output();
  clearInterval(sampler);
  const wallMs = performance.now() - started;
  const stderr = new TextDecoder().decode(out.stderr);
  if (out.code !== 0) throw new Error(`the job failed at parallelism ${p}:\n${stderr}`);
  const line = stderr.split("\n").find((l) => l.startsWith('{"jobId"'));
  if (line === undefined) throw new Error(`no run summary:\n${stderr}`);
  const digest = await digestOf(output);
  await Deno.remove(output, { recursive: true });
  return { jobMs: JSON.parse(line).durationMs, wallMs, rssMb: rss, digest };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Options: `--parallelism 1,2,4`, `--runs` (3), `--events` (200,000),
 * `--keys` (300), `--span-ms` (300,000: five minutes of event time),
 * `--disorder-ms` (1000), `--align-drift-ms` (20,000; 0: no aligned runs),
 * `--slot-threads N` (the local cluster's, default one per slot).
 */
export async function windowsParallelismBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      parallelism: { type: "string", default: "1,2,4" },
      runs: { type: "string", default: "3" },
      events: { type: "string", default: "200000" },
      keys: { type: "string", default: "300" },
      "span-ms": { type: "string", default: "300000" },
      "disorder-ms": { type: "string", default: "1000" },
      "align-drift-ms": { type: "string", default: "20000" },
      "slot-threads": { type: "string" },
    },
  });
  const ps = values.parallelism.split(",").map(Number);
  const runs = Number(values.runs), drift = Number(values["align-drift-ms"]);
  const dir = await Deno.makeTempDir({ prefix: "spate-ooo-input-" });
  const input = `${dir}/events.csv`;
  const bytes = writeOooEvents(input, {
    events: Number(values.events),
    keys: Number(values.keys),
    spanMs: Number(values["span-ms"]),
    disorderMs: Number(values["disorder-ms"]),
  });
  const threads = values["slot-threads"];
  const runArgs = threads === undefined ? [] : ["--slot-threads", threads];
  const variants: [string, string[]][] = [["", []]];
  if (drift > 0) variants.push([` aligned ${drift} ms`, ["--align-drift-ms", String(drift)]]);
  console.log(
    `Out-of-order windows: ${values.events} events (${(bytes / 1e6).toFixed(1)} MB), ` +
      `tumbling/sliding/session process windows, local cluster, median of ${runs}`,
  );
  let reference: string | undefined;
  const base = new Map<string, Run>();
  try {
    for (const [label, jobArgs] of variants) {
      for (const p of ps) {
        const rs: Run[] = [];
        for (let r = 0; r < runs; r++) rs.push(await runJob(input, p, jobArgs, runArgs));
        for (const r of rs) {
          reference ??= r.digest;
          if (r.digest !== reference) {
            throw new Error(`p${p}${label} wrote ${r.digest}, the first run ${reference}`);
          }
        }
        const m = {
          jobMs: median(rs.map((r) => r.jobMs)),
          wallMs: median(rs.map((r) => r.wallMs)),
          rssMb: median(rs.map((r) => r.rssMb)),
          digest: reference!,
        };
        if (!base.has(label)) base.set(label, m);
        const b = base.get(label)!;
        console.log(
          `  p${p}${label.padEnd(18)} job ${(m.jobMs / 1000).toFixed(2)} s ` +
            `(${(m.jobMs / b.jobMs).toFixed(2)}x p${ps[0]}), wall ${
              (m.wallMs / 1000).toFixed(2)
            } s, ` +
            `peak RSS ${m.rssMb.toFixed(0)} MB (${(m.rssMb / b.rssMb).toFixed(2)}x)  ` +
            `runs ${rs.map((r) => (r.jobMs / 1000).toFixed(2)).join("/")}`,
        );
      }
    }
    console.log(`  results: ${reference} (identical in every run)`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
