/**
 * readTextFile in continuous mode on a real cluster (master + 2 workers):
 * files appear in the watched directory while the job runs (written under a
 * hidden name, then renamed in), a worker of the job is killed (-9) twice and
 * replaced, and the exactly-once file sink's committed output ends up equal to
 * the reference: every line of every file exactly once.
 */

import assert from "node:assert/strict";
import { jobPath, spawnCli } from "../_helpers/cli.ts";
import { startCluster, waitFor } from "../_helpers/cluster.ts";
import { committedLines } from "../_helpers/keyed_count.ts";
import { killJobWorker } from "../_helpers/kills.ts";

const FILES = 40;
const LINES = 2_000; // per file

const fileLines = (f: number) => Array.from({ length: LINES }, (_, i) => `file ${f} line ${i}`);

Deno.test("continuous readTextFile: files appear, kill -9 twice; the committed output equals the reference", async () => {
  const cluster = await startCluster(2, 2);
  const root = await Deno.makeTempDir({ prefix: "spate-watch-" });
  const input = `${root}/in`, out = `${root}/out`;
  await Deno.mkdir(input);
  const job = spawnCli([
    "run",
    jobPath("continuous_files.ts"),
    "--master",
    cluster.url,
    "-p",
    "2",
    "--checkpoint-interval",
    "300",
    "--restart-strategy",
    "fixed-delay:10:200",
    "--",
    "--input",
    input,
    "--out",
    out,
  ]);
  try {
    let written = 0;
    const writeFiles = async (upTo: number) => {
      for (; written < upTo; written++) {
        const name = `f${String(written).padStart(3, "0")}.txt`;
        await Deno.writeTextFile(`${input}/.${name}`, fileLines(written).join("\n") + "\n");
        await Deno.rename(`${input}/.${name}`, `${input}/${name}`);
        // Files come one by one while the job runs (a scan finds one or a few).
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await writeFiles(10);
    await killJobWorker(cluster, 1);
    await writeFiles(25);
    await killJobWorker(cluster, 1);
    await writeFiles(FILES);
    const expected = new Set<string>();
    for (let f = 0; f < FILES; f++) for (const l of fileLines(f)) expected.add(l.toUpperCase());
    let lines = new Map<string, number>();
    await waitFor("every line committed", async () => {
      lines = await committedLines(out);
      return lines.size >= expected.size;
    }, 90_000);
    // A few more checkpoints: nothing more (no duplicate) is committed.
    const settled = (await (await fetch(`${cluster.url}/api/v1/jobs`)).json()).jobs[0];
    const details = async () =>
      await (await fetch(`${cluster.url}/api/v1/jobs/${settled.id}`)).json();
    const now = (await details()).checkpoints.length;
    await waitFor(
      "three more checkpoints",
      async () => (await details()).checkpoints.length >= now + 3,
    );
    lines = await committedLines(out);
    const duplicated = [...lines.values()].filter((n) => n > 1).length;
    const unexpected = [...lines.keys()].filter((l) => !expected.has(l));
    assert.deepEqual(
      { lines: lines.size, duplicated, unexpected: unexpected.length },
      { lines: expected.size, duplicated: 0, unexpected: 0 },
    );
    const restarts = (job.stderr().match(/RESTARTING/g) ?? []).length;
    assert.ok(restarts >= 2, job.stderr());
    console.log(
      `continuous files: ${FILES} files x ${LINES} lines, 2 kills (${restarts} restarts): ` +
        `${lines.size} lines committed once each`,
    );
  } finally {
    try {
      job.child.kill("SIGKILL");
    } catch { /* ended */ }
    await job.child.status;
    await job.stderrClosed;
    await cluster.stop();
    await Deno.remove(root, { recursive: true });
  }
});
