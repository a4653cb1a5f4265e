/**
 * `spate local`: a master and its workers in one process, serving REST and
 * RPC on its port; a job submitted with --master runs on its in-process slots.
 */

import assert from "node:assert/strict";
import { PROJECT_ROOT, runCli, spawnCli, wordcount } from "../_helpers/cli.ts";
import { freePort, waitFor } from "../_helpers/cluster.ts";

Deno.test("spate local serves a cluster that runs a submitted job and stops on SIGTERM", async () => {
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const local = spawnCli(["local", "--port", `${port}`, "--workers", "2", "--slots", "1"]);
  try {
    await waitFor("the local cluster to listen", () => local.stderr().includes("listening on"));
    const overview = await (await fetch(`${url}/api/v1/overview`)).json();
    assert.equal(overview.taskmanagers, 2);
    assert.equal(overview.slotsTotal, 2);
    const run = await runCli(
      wordcount(["--master", url, "-p", "2"], [
        "--input",
        `${PROJECT_ROOT}examples/data/sample.txt`,
        "--top",
        "3",
      ]),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Top 3 of 349 distinct words/);
    local.child.kill("SIGTERM");
    assert.equal((await local.child.status).code, 0, local.stderr());
    await local.stderrClosed;
    assert.match(local.stderr(), /spate local cluster \(2 worker\(s\)\) listening on/);
  } finally {
    try {
      local.child.kill("SIGKILL");
    } catch { /* already gone */ }
  }
});
