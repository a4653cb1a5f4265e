/**
 * `deno task bench process-cpu`: the CPU time (user + system, from
 * /proc/PID/stat or the wait status) of each kind of `spate` process the
 * tests start: `spate --help`, a local `spate run` of WordCount, a master
 * until it answers its REST API, a worker until registered, a
 * `spate run --master` client, and what a job costs the worker (its slots'
 * Web Workers). CPU time, not wall time: it moves less on a loaded machine.
 * Linux only (/proc).
 * @module
 */

import { parseArgs } from "node:util";
import { freePort, spawnSpate, waitFor } from "../tests/_helpers/cluster.ts";
import { PROJECT_ROOT, spateArgs } from "../tests/_helpers/cli.ts";

/** Clock ticks per second of /proc/PID/stat (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** The CPU seconds a running process used so far (its threads included). */
function cpuOf(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

/** The CPU seconds of `spate <args>` run to its end (measured by /usr/bin/time). */
async function cpuOfRun(args: string[]): Promise<number> {
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "CPU %U %S", Deno.execPath(), ...spateArgs(args)],
    cwd: PROJECT_ROOT,
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  const m = err.match(/CPU ([\d.]+) ([\d.]+)\s*$/);
  if (m === null || (out.code !== 0 && args[0] !== "--help")) {
    throw new Error(`spate ${args.join(" ")} failed:\n${err}`);
  }
  return Number(m[1]) + Number(m[2]);
}

/** One round: every kind once. */
async function round(add: (kind: string, cpu: number) => void): Promise<void> {
  const job = ["--", "--input", `${PROJECT_ROOT}examples/data/sample.txt`, "--top", "5"];
  add("spate --help", await cpuOfRun(["--help"]));
  add(
    "spate run --local (WordCount)",
    await cpuOfRun(["run", "examples/wordcount.ts", "--local", "-p", "2", "--quiet", ...job]),
  );
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const dir = await Deno.makeTempDir({ prefix: "spate-bench-cpu-" });
  const master = spawnSpate(["master", "--port", String(port), "--blob-dir", `${dir}/blobs`]);
  const worker = spawnSpate(["worker", "--master", url, "--slots", "2", "--work-dir", `${dir}/w`]);
  try {
    const taskManagers = async () =>
      (await (await fetch(`${url}/api/v1/overview`)).json()).taskmanagers;
    await waitFor("the worker to register", async () => (await taskManagers()) === 1, 60_000);
    add("spate master, up", cpuOf(master.child.pid));
    add("spate worker, registered", cpuOf(worker.child.pid));
    const before = cpuOf(worker.child.pid);
    add(
      "spate run --master (client)",
      await cpuOfRun([
        "run",
        "examples/wordcount.ts",
        "--master",
        url,
        "-p",
        "2",
        "--quiet",
        ...job,
      ]),
    );
    add("worker: one job on 2 slots", cpuOf(worker.child.pid) - before);
  } finally {
    for (const p of [worker, master]) p.kill("SIGKILL");
    await Promise.all([worker.child.status, master.child.status]);
    await Deno.remove(dir, { recursive: true });
  }
}

/** Runs the benchmark: `--runs N` rounds (default 3); prints each kind's median and samples. */
export async function processCpuBench(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { runs: { type: "string", default: "3" } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) {
    throw new Error(`--runs must be a positive integer, got '${values.runs}'`);
  }
  const samples = new Map<string, number[]>();
  const add = (kind: string, cpu: number) => samples.set(kind, [...samples.get(kind) ?? [], cpu]);
  for (let i = 0; i < runs; i++) await round(add);
  console.log(
    `CPU seconds (user + system) per process kind, ${runs} runs; load average ${
      Deno.loadavg()[0].toFixed(1)
    }`,
  );
  for (const [kind, cpus] of samples) {
    const sorted = [...cpus].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(
      `${kind.padEnd(32)} ${median.toFixed(2)}  (${cpus.map((c) => c.toFixed(2)).join(" ")})`,
    );
  }
}
