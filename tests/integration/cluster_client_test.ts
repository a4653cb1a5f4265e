/** The client against a real cluster: results, failures, detached runs, list, cancel, slot shortage. */

import assert from "node:assert/strict";
import { SPATE_VERSION } from "../../core/version.ts";
import { jobPath, runCli, spawnCli, wordcount } from "../_helpers/cli.ts";
import { startCluster, type TestCluster, waitFor } from "../_helpers/cluster.ts";

let cluster: TestCluster;

Deno.test("cluster client", async (t) => {
  cluster = await startCluster(1, 2);
  try {
    await t.step("collected results come back to the client", async () => {
      // (a bundled job cannot find files next to itself: name the input)
      const input = new URL("../../examples/data/sample.txt", import.meta.url).pathname;
      const res = await runCli(
        wordcount(["--master", cluster.url, "-p", "2"], ["--input", input, "--top", "3"]),
      );
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /Top 3 of \d+ distinct words:\n\s+30 {2}the\n/);
    });

    await t.step(
      "an ended job refuses cancel and savepoints: 409, one line, no stack",
      async () => {
        const { jobs } = await (await fetch(`${cluster.url}/api/v1/jobs`)).json();
        const jobId = jobs.find((j: { state: string }) => j.state === "FINISHED").id;
        const rest = async (method: string, path: string, body?: string) => {
          const res = await fetch(`${cluster.url}/api/v1/jobs/${jobId}${path}`, { method, body });
          return { status: res.status, body: await res.json() };
        };
        const refusal = `job ${jobId} is FINISHED: only a running job takes a savepoint`;
        assert.deepEqual(await rest("PATCH", "?mode=cancel"), {
          status: 409,
          body: { errors: [`job ${jobId} is FINISHED`] },
        });
        assert.deepEqual(await rest("POST", "/savepoints", '{"cancelJob":true}'), {
          status: 409,
          body: { errors: [refusal] },
        });
        const m = ["--master", cluster.url];
        for (
          const [args, message] of [
            [["cancel", jobId, ...m], `job ${jobId} is FINISHED`],
            [["savepoint", jobId, ...m], refusal],
            [["cancel", jobId, "--with-savepoint", ...m], refusal],
          ] as const
        ) {
          const res = await runCli([...args]);
          assert.equal(res.code, 1, res.stderr);
          assert.equal(res.stderr, `error: ${message}\n`);
          assert.equal(res.stdout, "");
        }
        assert.equal((await rest("GET", "")).body.state, "FINISHED");
        assert.doesNotMatch(cluster.master.stderr(), /\n\s+at /, "no stack in the master's log");
      },
    );

    await t.step(
      "a failing user function: exit 1 with the operator, subtask and error",
      async () => {
        const res = await runCli([
          "run",
          jobPath("runtime_error.ts"),
          "--master",
          cluster.url,
          "--restart-strategy",
          "none",
        ]);
        assert.equal(res.code, 1, res.stderr);
        assert.match(res.stderr, /operator: Explode \(subtask 0\)/);
        assert.match(res.stderr, /cannot handle record 77777/);
      },
    );

    await t.step("restarts follow the strategy, then the job fails", async () => {
      const res = await runCli([
        "run",
        jobPath("runtime_error.ts"),
        "--master",
        cluster.url,
        "--restart-strategy",
        "fixed-delay:2:10",
      ]);
      assert.equal(res.code, 1, res.stderr);
      assert.equal(res.stderr.match(/RESTARTING/g)?.length, 2);
    });

    await t.step(
      "not enough slots: the job waits for the slot timeout, then fails clearly with exit 2",
      async () => {
        const res = await runCli(
          wordcount(["--master", cluster.url, "-p", "4", "--slot-timeout", "1000"]),
        );
        assert.equal(res.code, 2, res.stderr);
        assert.match(
          res.stderr,
          /\nerror: job [0-9a-f]{32} needs 4 slots, cluster has 2 free after waiting 1000 ms; start more workers or lower the parallelism\n$/,
        );
      },
    );

    await t.step(
      "Ctrl-C while following a job: it keeps running, and spate says how to cancel it",
      async () => {
        const dir = await Deno.makeTempDir();
        const run = spawnCli([
          "run",
          jobPath("slow_count.ts"),
          "--master",
          cluster.url,
          "--",
          "--records",
          "100000000",
          "--output",
          `${dir}/out`,
        ]);
        await waitFor("the job to run", () => /\) RUNNING\n/.test(run.stderr()));
        run.child.kill("SIGINT");
        assert.equal((await run.child.status).code, 130);
        await run.stderrClosed;
        const jobId = run.stderr().match(/'slow-count' \(([0-9a-f]{32})\) RUNNING/)![1];
        assert.match(
          run.stderr(),
          new RegExp(
            `\ninterrupted \\(SIGINT\\): stopped following job 'slow-count' \\(${jobId}\\), which keeps ` +
              `running on the cluster; cancel it with: spate cancel ${jobId} --master ${cluster.url}\n$`,
          ),
        );
        const state = async () =>
          (await (await fetch(`${cluster.url}/api/v1/jobs/${jobId}`)).json()).state;
        assert.equal(await state(), "RUNNING");
        assert.equal((await runCli(["cancel", jobId, "--master", cluster.url])).code, 0);
        await waitFor("the job to be cancelled", async () => (await state()) === "CANCELED");
        await Deno.remove(dir, { recursive: true });
      },
    );

    await t.step("--detached returns the job id; list shows it; cancel stops it", async () => {
      const dir = await Deno.makeTempDir();
      const res = await runCli([
        "run",
        jobPath("slow_count.ts"),
        "--master",
        cluster.url,
        "--detached",
        "--",
        "--records",
        "100000000",
        "--output",
        `${dir}/out`,
      ]);
      assert.equal(res.code, 0, res.stderr);
      const jobId = res.stdout.trim();
      assert.match(jobId, /^[0-9a-f]{32}$/);
      await waitFor("the job to run", async () => {
        const d = await (await fetch(`${cluster.url}/api/v1/jobs/${jobId}`)).json();
        return d.state === "RUNNING";
      });
      const list = await runCli(["list", "--master", cluster.url]);
      assert.match(list.stdout, new RegExp(`${jobId}\\s+RUNNING\\s+.*slow-count`));
      const cancel = await runCli(["cancel", jobId, "--master", cluster.url]);
      assert.equal(cancel.code, 0, cancel.stderr);
      await waitFor("the job to be cancelled", async () => {
        const d = await (await fetch(`${cluster.url}/api/v1/jobs/${jobId}`)).json();
        return d.state === "CANCELED";
      });
      const overview = await (await fetch(`${cluster.url}/api/v1/overview`)).json();
      assert.equal(overview.slotsAvailable, 2, "the cancelled job's slots are free again");
      assert.equal(overview.version, SPATE_VERSION);
      const unknown = await runCli(["cancel", "0".repeat(32), "--master", cluster.url]);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /no job 0{32}/);
      await Deno.remove(dir, { recursive: true });
    });
  } finally {
    await cluster.stop();
  }
});
