/**
 * Savepoints with real processes: a keyed count runs at parallelism 2, is
 * cancelled with a savepoint mid-run, and resumes from it at parallelism 4
 * and at 1 (key groups and source ranges redistributed; the resume at 1 on the
 * disk state backend); the committed output
 * equals that of an uninterrupted run. State that matches no operator uid is
 * refused unless --allow-non-restored-state. Each savepoint gets its own
 * directory under --dir, so two never replace each other.
 */

import assert from "node:assert/strict";
import { jobPath, runCli } from "../_helpers/cli.ts";
import { withCluster } from "../_helpers/cluster.ts";
import {
  assertExactlyCommitted,
  committedLines,
  expectedCountLines,
  keyedCountRun,
} from "../_helpers/keyed_count.ts";
import { cancelWithSavepoint, runningJob, savepointLocation } from "../_helpers/savepoints.ts";

const EVENTS = 60_000;
const KEYS = 300;

Deno.test("savepoint at parallelism 2, resumed at 4 and at 1: output equals the uninterrupted run", async () => {
  await withCluster({ workers: 2, slots: 2, prefix: "spate-sp-" }, async (cluster, root) => {
    for (const p of [4, 1]) {
      const out = `${root}/out-${p}`;
      const savepoint = await cancelWithSavepoint(cluster, out, `${root}/savepoint-${p}`, {
        events: EVENTS,
        keys: KEYS,
      });
      const before = [...(await committedLines(out)).values()].reduce((a, b) => a + b, 0);
      assert.ok(before > 0 && before < EVENTS, `committed before the resume: ${before}`);
      const res = await runCli(keyedCountRun(cluster.url, [
        "-p",
        String(p),
        "--from-savepoint",
        savepoint,
        // Snapshots are backend-independent: the resume at 1 keeps its state on disk.
        ...(p === 1 ? ["--state-backend", "disk"] : []),
      ], { events: EVENTS, keys: KEYS, out }));
      assert.equal(res.code, 0, res.stderr);
      await assertExactlyCommitted(out, expectedCountLines(EVENTS, KEYS), `parallelism ${p}: `);
    }
  });
});

Deno.test("a savepoint whose state matches no operator is refused unless --allow-non-restored-state", async () => {
  await withCluster({ workers: 1, slots: 2, prefix: "spate-sp-" }, async (cluster, root) => {
    const savepoint = await cancelWithSavepoint(cluster, `${root}/out`, `${root}/savepoint`, {
      events: EVENTS,
      keys: KEYS,
    });
    const other = (extra: string[]) =>
      runCli([
        "run",
        jobPath("slow_count.ts"),
        "--master",
        cluster.url,
        "--mode",
        "streaming",
        "--from-savepoint",
        savepoint,
        ...extra,
        "--",
        "--records",
        "1000",
        "--work-us",
        "0",
        "--output",
        `${root}/other`,
      ]);
    const refused = await other([]);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /match no operator of this job/);
    assert.match(refused.stderr, /'count'/);
    assert.match(refused.stderr, /--allow-non-restored-state/);
    const allowed = await other(["--allow-non-restored-state"]);
    assert.equal(allowed.code, 0, allowed.stderr);
  });
});

Deno.test("two savepoints with one --dir: distinct directories under it, each restorable", async () => {
  await withCluster({ workers: 1, slots: 2, prefix: "spate-sp-" }, async (cluster, root) => {
    const dir = `${root}/savepoints`;
    const job = runCli(
      keyedCountRun(cluster.url, ["-p", "2"], {
        events: EVENTS,
        keys: KEYS,
        // >= 30 s: the job outlasts the 2 savepoint CLI runs, then is cancelled.
        rate: 2_000,
        out: `${root}/out`,
      }),
    );
    const jobId = await runningJob(cluster, 500);
    const locations: string[] = [];
    for (let i = 0; i < 2; i++) {
      const sp = await runCli(["savepoint", jobId, "--master", cluster.url, "--dir", dir]);
      assert.equal(sp.code, 0, sp.stderr);
      locations.push(savepointLocation(sp.stdout, dir, jobId));
      // The second savepoint is taken further on in the stream.
      await runningJob(cluster, 500 * (i + 2));
    }
    assert.notEqual(locations[0], locations[1]);
    const names = (await Array.fromAsync(Deno.readDir(dir))).map((e) => `${dir}/${e.name}`);
    assert.deepEqual(names.sort(), [...locations].sort());
    assert.equal((await runCli(["cancel", jobId, "--master", cluster.url])).code, 0);
    await job;
    // Each resumes from its own state: fewer lines to commit after the later savepoint.
    const committed: number[] = [];
    for (const [i, savepoint] of locations.entries()) {
      const out = `${root}/resumed-${i}`;
      // The restored sink commits the part files pending in the first run's directory.
      const pending = `--allow-write=${root}/out`;
      const res = await runCli(
        keyedCountRun(cluster.url, ["-p", "2", "--from-savepoint", savepoint, pending], {
          events: EVENTS,
          keys: KEYS,
          out,
        }),
      );
      assert.equal(res.code, 0, res.stderr);
      committed.push([...(await committedLines(out)).values()].reduce((a, b) => a + b, 0));
    }
    // The parent given as a savepoint: refused, naming the savepoints in it.
    const parent = await runCli(
      keyedCountRun(cluster.url, ["--from-savepoint", dir], { events: EVENTS, out: `${root}/x` }),
    );
    assert.equal(parent.code, 1, parent.stderr);
    assert.match(
      parent.stderr,
      /not a savepoint but the directory of 2 savepoint\(s\): name one, such as .*savepoint-/,
    );
    assert.ok(
      0 < committed[1] && committed[1] < committed[0] && committed[0] < EVENTS,
      `${committed}`,
    );
  });
});
