/**
 * executeAndCollect() on the embedded local cluster: its results are read
 * with await, toArray() or for await; a job that never reads them did not
 * run and fails (exit 2) under `spate run` and under a plain `deno run`.
 */

import assert from "node:assert/strict";
import { jobPath, PROJECT_ROOT, runCli } from "../_helpers/cli.ts";
import { runJobModule } from "../_helpers/run_job.ts";
import { SPATE_V8_FLAGS } from "../../cli/v8_flags.ts";

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

for (const form of ["await", "toArray", "iterate"]) {
  Deno.test(`collected results are read with ${form}`, async () => {
    const { module, result } = await runJobModule<{ results: number[] }>(
      "collect_forms.ts",
      ["--form", form],
      { parallelism: 2 },
    );
    assert.deepEqual(sorted(module.results), [10, 20, 30, 40, 50]);
    assert.equal(result.state, "FINISHED");
  });
}

async function assertUnreadFails(code: number, stderr: string, marker: string) {
  assert.equal(code, 2, stderr);
  assert.match(stderr, /the results of executeAndCollect\("c"\) were never read/);
  assert.match(stderr, /so the job did not run/);
  assert.match(stderr, /await stream\.toArray\(\)/);
  await assert.rejects(() => Deno.stat(marker), Deno.errors.NotFound, "the job did not run");
}

Deno.test("spate run: a collected stream that is never read fails with exit 2", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spate-collect-" });
  try {
    const marker = `${dir}/ran`;
    const res = await runCli([
      "run",
      jobPath("collect_unread.ts"),
      "--local",
      "--",
      "--marker",
      marker,
    ]);
    await assertUnreadFails(res.code, res.stderr, marker);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno run job.ts: a collected stream that is never read fails with exit 2", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spate-collect-" });
  try {
    const marker = `${dir}/ran`;
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        SPATE_V8_FLAGS,
        "-A",
        "--unstable-worker-options",
        "--config",
        `${PROJECT_ROOT}deno.json`,
        jobPath("collect_unread.ts"),
        "--marker",
        marker,
      ],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    await assertUnreadFails(out.code, new TextDecoder().decode(out.stderr), marker);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
