/**
 * What `spate run` prints while a job runs, when stderr is not a terminal
 * (a pipe, as in CI): status lines and a plain progress line every
 * --progress-interval; --quiet keeps only the result. (The live terminal
 * line is `cli/progress_line.ts`, tested as a unit.)
 */

import assert from "node:assert/strict";
import { runCli } from "../_helpers/cli.ts";
import { keyedCountRun } from "../_helpers/keyed_count.ts";

Deno.test("spate run: plain progress lines on a pipe, nothing but the result with --quiet", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spate-progress-" });
  try {
    const job = { events: 20_000, keys: 100, rate: 8_000 };
    const res = await runCli(
      keyedCountRun(undefined, ["--progress-interval", "300"], { ...job, out: `${dir}/a` }),
    );
    assert.equal(res.code, 0, res.stderr);
    const progress = res.stderr.split("\n").filter((l) => l.startsWith("Progress: "));
    assert.ok(progress.length >= 2, res.stderr);
    for (const line of progress) {
      assert.match(
        line,
        /^Progress: (\d[\d,]* records\/s \| )?\d[\d,]* records processed \| \d+ checkpoints? \| /,
      );
      assert.ok(!line.includes("\x1b"), "no terminal escapes on a pipe");
    }
    assert.ok(progress.some((l) => /[1-9][\d,]* records\/s/.test(l)), progress.join("\n"));
    assert.match(res.stderr, /running 'keyed count' in streaming mode/);
    assert.match(res.stderr, /Job 'keyed count' \(\w+\) RUNNING/);

    const quiet = await runCli(
      keyedCountRun(undefined, ["--quiet", "--progress-interval", "100"], {
        ...job,
        out: `${dir}/b`,
      }),
    );
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.doesNotMatch(quiet.stderr, /Progress: |RUNNING|running 'keyed count'/);
    assert.match(quiet.stderr, /Job 'keyed count' \(\w+\) FINISHED in /, "the result stays");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
