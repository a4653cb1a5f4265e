/**
 * `--log-format json` on a real master and worker: every line either writes
 * is one JSON object with time, level, component and message; a job's state
 * changes come one line each, in order, with its id (a failure's with its
 * stack), and jq reads them with the README's filter.
 */

import assert from "node:assert/strict";
import { jobPath, runCli, wordcount } from "../_helpers/cli.ts";
import { type SpateProcess, startCluster, waitFor } from "../_helpers/cluster.ts";

interface LogLine {
  readonly time: string;
  readonly level: string;
  readonly component: string;
  readonly message: string;
  readonly jobId?: string;
  readonly event?: string;
  readonly state?: string;
  readonly previousState?: string;
  readonly stack?: string;
}

/** Every line of the process's stderr, parsed; fails on a line that is not a log object. */
function jsonLines(p: SpateProcess, who: string): LogLine[] {
  const lines = p.stderr().split("\n").filter((l) => l !== "");
  return lines.map((l) => {
    let o: LogLine;
    try {
      o = JSON.parse(l);
    } catch {
      throw new Error(`${who} wrote a line that is not JSON: ${l}`);
    }
    assert.ok(!Number.isNaN(Date.parse(o.time)), `${who}: time in ${l}`);
    assert.ok(["debug", "info", "warn", "error"].includes(o.level), `${who}: level in ${l}`);
    assert.equal(typeof o.component, "string", `${who}: component in ${l}`);
    assert.equal(typeof o.message, "string", `${who}: message in ${l}`);
    return o;
  });
}

function jobStates(lines: LogLine[], jobId: string): string[] {
  return lines.filter((l) => l.event === "jobState" && l.jobId === jobId).map((l) => l.state!);
}

/**
 * The states of job `jobId` as `jq` reads them from `log` (the README's filter);
 * undefined where jq is missing, except in CI (`.ci/run` installs it).
 */
async function jqStates(log: string, jobId: string): Promise<string[] | undefined> {
  const filter = `fromjson? | select(.event == "jobState" and .jobId == "${jobId}") | .state`;
  let child;
  try {
    child = new Deno.Command("jq", { args: ["-rR", filter], stdin: "piped", stdout: "piped" })
      .spawn();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound && Deno.env.get("CI") !== "true") {
      console.log("jq check skipped: no jq on PATH");
      return undefined;
    }
    throw e;
  }
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(log));
  await writer.close();
  const out = await child.output();
  assert.equal(out.code, 0, "jq exits 0");
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "");
}

async function jobIdNamed(url: string, name: string): Promise<string> {
  const { jobs } = await (await fetch(`${url}/api/v1/jobs`)).json();
  return jobs.find((j: { name: string }) => j.name === name).id;
}

Deno.test("JSON logs of a master and a worker: one object per line, a line per job state", async () => {
  const json = ["--log-format", "json"];
  const cluster = await startCluster(0, 1, json);
  try {
    const worker = cluster.addWorker(2, json);
    await waitFor("the worker to register", async () => (await cluster.taskManagers()) === 1);

    const failing = await runCli([
      "run",
      jobPath("runtime_error.ts"),
      "--master",
      cluster.url,
      "--restart-strategy",
      "fixed-delay:1:100",
    ]);
    assert.equal(failing.code, 1, failing.stderr);
    const failingId = await jobIdNamed(cluster.url, "runtime-error");
    const input = new URL("../../examples/data/sample.txt", import.meta.url).pathname;
    const ok = await runCli(wordcount(["--master", cluster.url], ["--input", input]));
    assert.equal(ok.code, 0, ok.stderr);
    const okId = await jobIdNamed(cluster.url, "wordcount");
    // The last state line is written before the client hears of the end; wait for it anyway.
    await waitFor("the FAILED line", () => cluster.master.stderr().includes('"state":"FAILED"'));

    cluster.master.kill("SIGTERM");
    worker.kill("SIGTERM");
    await Promise.all([cluster.master.child.status, worker.child.status]);

    const master = jsonLines(cluster.master, "master");
    const workerLines = jsonLines(worker, "worker");
    assert.ok(master.some((l) => /^spate master listening on http/.test(l.message)));
    assert.ok(master.some((l) => l.message === "signal SIGTERM: stopping"));
    assert.ok(workerLines.some((l) => /^registered with the master at /.test(l.message)));

    assert.deepEqual(jobStates(master, failingId), [
      "CREATED",
      "RUNNING",
      "RESTARTING",
      "RUNNING",
      "FAILED",
    ]);
    assert.deepEqual(jobStates(master, okId), ["CREATED", "RUNNING", "FINISHED"]);
    const lines = master.filter((l) => l.event === "jobState" && l.jobId === failingId);
    for (let i = 1; i < lines.length; i++) {
      assert.equal(lines[i].previousState, lines[i - 1].state);
    }
    const failed = lines[lines.length - 1];
    assert.match(failed.message, /RUNNING -> FAILED \(cannot handle record 77777\)/);
    assert.match(failed.stack ?? "", /cannot handle record 77777\n\s+at /);
    // What the README's jq filter makes of the master's log: the same state changes.
    const jq = await jqStates(cluster.master.stderr(), okId);
    if (jq !== undefined) assert.deepEqual(jq, ["CREATED", "RUNNING", "FINISHED"]);
    const state = master.find((l) => l.event === "jobState")!;
    assert.deepEqual(Object.keys(state).slice(0, 5), [
      "time",
      "level",
      "component",
      "jobId",
      "message",
    ]);
  } finally {
    await cluster.stop();
  }
});
