/**
 * WordCount at parallelism 4 across a cluster's workers, as the data-plane
 * tests run it, and the slot listeners the workers' logs announced.
 * @module
 */

import assert from "node:assert/strict";
import { runCli } from "./cli.ts";
import type { TestCluster } from "./cluster.ts";
import { readCounts, referenceCounts, writeCorpus } from "./corpus.ts";

/** The slot listeners each worker's log announced, worker by worker. */
export function slotListeners(cluster: TestCluster): string[][] {
  return cluster.workers.map((w) =>
    [...w.stderr().matchAll(/serves its channels to other processes on (\S+)/g)].map((m) => m[1])
  );
}

/** WordCount of `files` files of `bytes` bytes at parallelism 4 on `cluster`; asserts the reference. */
export async function assertWordCountAcross(
  cluster: TestCluster,
  files: number,
  bytes: number,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "spate-wc-across-" });
  try {
    await Deno.mkdir(`${dir}/in`);
    await writeCorpus(`${dir}/in`, files, bytes, 5);
    let text = "";
    for (const e of Deno.readDirSync(`${dir}/in`)) {
      text += (await Deno.readTextFile(`${dir}/in/${e.name}`)) + "\n";
    }
    const res = await runCli([
      "run",
      "examples/wordcount.ts",
      "--master",
      cluster.url,
      "-p",
      "4",
      "--",
      "--input",
      `${dir}/in`,
      "--output",
      `${dir}/out`,
    ]);
    const logs = [cluster.master, ...cluster.workers].map((p) => p.stderr()).join("\n");
    assert.equal(res.code, 0, `${res.stderr}\n${logs}`);
    assert.deepEqual(await readCounts(`${dir}/out`), referenceCounts(text));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
