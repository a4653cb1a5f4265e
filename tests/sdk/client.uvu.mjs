// The client SDK against a real master and worker, with uvu: under Node
// (`node tests/sdk/client.uvu.mjs`, on the build of `deno task build:client`)
// and under Deno (`deno run -A tests/sdk/client.uvu.mjs`, on the sources);
// tests/sdk_client_test.ts runs both.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { deepStrictEqual } from "node:assert/strict";
import { freePort, ROOT, startCluster, waitFor } from "./cluster.mjs";

const sdk = globalThis.Deno === undefined
  ? await import("../../dist/client/mod.js")
  : await import("../../client/mod.ts");
const { connect, JobFailedError, MasterUnreachableError, SpateAuthError } = sdk;
const JOB = `${ROOT}tests/_jobs/sdk_keyed_count.ts`;

/** `p`, or an error naming `what` once `ms` passed: no test hangs. */
function deadline(p, ms, what) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Every item of an async iterable (Node 20 has no Array.fromAsync). */
async function toArray(it) {
  const out = [];
  for await (const x of it) out.push(x);
  return out;
}

/** The last count of each key among collected [key, count] records. */
function lastCounts(records) {
  const counts = {};
  for (const [k, n] of records) counts[k] = Math.max(counts[k] ?? 0, n);
  return counts;
}

/** Resolves once the job and all its tasks run (a savepoint needs them running). */
async function untilRunning(spate, jobId) {
  for await (const e of spate.watch(jobId)) {
    if (e.type === "jobStatus" && e.state === "RUNNING") break;
    if (e.type === "jobFinished" || e.type === "jobFailed") throw new Error(`job ended: ${e.type}`);
  }
  await waitFor("every task to run", async () => {
    const d = await spate.job(jobId);
    return d.vertices.every((v) => v.subtasks.every((s) => s.state === "RUNNING"));
  });
}

const cluster = suite("a cluster without tokens");
let c, spate;
cluster.before(async () => {
  c = await startCluster();
  spate = connect({ masters: c.url, timeouts: { connectMs: 2000, requestMs: 30_000 } });
});
cluster.after(async () => {
  await spate?.close();
  await c?.stop();
});

cluster("submit a module, watch it to completion, collect its results", async () => {
  const t0 = Date.now();
  const { jobId, jobName, fingerprint } = await spate.submit(JOB, {
    args: ["--events", "2000", "--keys", "4"],
    parallelism: 2,
  });
  assert.is(jobName, "sdk keyed count");
  assert.match(fingerprint, /^[0-9a-f]+$/);
  const seen = await deadline(toArray(spate.watch(jobId)), 60_000, "watch");
  const types = seen.map((e) => e.type);
  assert.ok(types.includes("jobStatus"), `no status event in ${types}`);
  assert.is(types.at(-1), "jobFinished", `events: ${types}`);
  const states = seen.filter((e) => e.type === "jobStatus").map((e) => e.state);
  assert.ok(states.includes("RUNNING"), `states: ${states}`);
  const collected = await spate.collect(jobId);
  assert.is(collected.state, "FINISHED");
  assert.is(collected.ended, true);
  const records = Object.values(collected.records).flat();
  assert.equal(lastCounts(records), { k0: 500, k1: 500, k2: 500, k3: 500 });
  assert.is(records.length, 2000, "one running count per event");
  assert.ok((await spate.jobs()).some((j) => j.id === jobId && j.state === "FINISHED"));
  assert.is((await spate.job(jobId)).state, "FINISHED");
  assert.match(await spate.metrics(), /spate_/);
  console.log(`  submit..collect of 2000 events: ${Date.now() - t0} ms`);
});

cluster(
  "collected records keep their types: bigint, Map, Set, Date, typed arrays, -0",
  async () => {
    // What tests/_jobs/collect_types.ts collects (its SENT): JSON would have lost every type here.
    const sent = [
      {
        big: 2n ** 70n,
        small: -5n,
        map: new Map([["a", 1], [2, { x: [1n] }]]),
        set: new Set([1, "two", 3n]),
        date: new Date(1_700_000_000_123),
        bytes: new Uint8Array([0, 1, 255]),
        floats: new Float64Array([1.5, -2]),
        nested: { a: { b: [1, { c: undefined, d: null }] } },
        missing: undefined,
        none: null,
        negZero: -0,
      },
      [undefined, null, new Map([["k", new Set([new Date(0)])]])],
    ];
    const { jobId } = await spate.submit(`${ROOT}tests/_jobs/collect_types.ts`);
    const seen = await deadline(toArray(spate.watch(jobId, { records: true })), 60_000, "watch");
    const watched = seen.filter((e) => e.type === "collect").flatMap((e) => e.records);
    deepStrictEqual(watched, sent, "watch(id, { records: true }) keeps the types");
    const collected = await spate.collect(jobId);
    assert.is(collected.state, "FINISHED");
    deepStrictEqual(Object.values(collected.records).flat(), sent, "collect(id) keeps the types");
  },
);

cluster("cancel a long job: the watch ends CANCELED, collect says so", async () => {
  const { jobId } = await spate.submit(JOB, {
    args: ["--events", "100000000", "--rate", "200"],
  });
  await deadline(untilRunning(spate, jobId), 30_000, "running");
  assert.is((await spate.cancel(jobId)).state, "CANCELLING");
  const err = await deadline(spate.collect(jobId).then(() => undefined, (e) => e), 30_000, "end");
  assert.instance(err, JobFailedError);
  assert.match(err.message, /CANCELED/);
  assert.is((await spate.job(jobId)).state, "CANCELED");
});

cluster("stop with a savepoint, then resume from it: counts go on", async () => {
  const args = ["--events", "3000", "--keys", "3", "--rate", "1000"];
  const { jobId } = await spate.submit(JOB, { args });
  await deadline(untilRunning(spate, jobId), 30_000, "running");
  const location = await deadline(spate.stop(jobId), 30_000, "stop");
  assert.ok(location.length > 0);
  const first = lastCounts(Object.values((await spate.collect(jobId)).records).flat());
  const counted = Object.values(first).reduce((a, b) => a + b, 0);
  assert.ok(counted < 3000, `the first run counted ${counted} of 3000: it was not stopped`);
  const resumed = await spate.submit(JOB, { args, savepoint: location });
  const second = await deadline(spate.collect(resumed.jobId), 60_000, "resumed run");
  assert.equal(lastCounts(Object.values(second.records).flat()), {
    k0: 1000,
    k1: 1000,
    k2: 1000,
  });
});

cluster("a job that fails while planning is refused with its reason", async () => {
  const err = await spate.submit(`${ROOT}tests/_jobs/no_execute.ts`).then(() => 0, (e) => e);
  assert.is(err.status, 400);
  assert.match(err.message, /never called env\.execute\(\)/);
});

cluster(
  "the master plans a bundle in the job's sandbox, not with its own permissions",
  async () => {
    const job = `${ROOT}tests/_jobs/plan_time_read.ts`;
    // Outside spate's directory, which the plan worker may read (it imports spate from there).
    const target = join(c.dir, "plan-time-input.txt");
    await writeFile(target, "twelve chars");
    const refused = await spate.submit(job, { args: ["--target", target] }).then(() => 0, (e) => e);
    assert.is(refused.status, 400);
    assert.match(refused.message, /failed while building its graph: .*read access/i);
    const { jobId } = await spate.submit(job, {
      args: ["--target", target],
      permissions: { read: [target] },
    });
    const done = await deadline(spate.collect(jobId), 60_000, "collect");
    assert.ok(Object.values(done.records).flat()[0] > 0);
  },
);

cluster("several masters: a dead one is skipped, the live one leads", async () => {
  const dead = `http://127.0.0.1:${await freePort()}`;
  const two = connect({ masters: [dead, c.url], retryBaseMs: 10 });
  try {
    assert.ok(Array.isArray(await two.jobs()));
    assert.is(two.leader, c.url);
  } finally {
    await two.close();
  }
});

cluster.run();

const errors = suite("clear errors, no hang");

errors("an unreachable master: MasterUnreachableError naming it, quickly", async () => {
  const url = `http://127.0.0.1:${await freePort()}`;
  const lone = connect({ masters: url, rounds: 2, retryBaseMs: 10 });
  const t0 = Date.now();
  try {
    const err = await deadline(lone.jobs().then(() => 0, (e) => e), 10_000, "jobs()");
    assert.instance(err, MasterUnreachableError);
    assert.match(err.message, new RegExp(`cannot reach the master at ${url}: connection refused`));
    assert.ok(Date.now() - t0 < 5_000, `took ${Date.now() - t0} ms`);
  } finally {
    await lone.close();
  }
});

errors("a wrong token and a viewer's submit: SpateAuthError with the master's reason", async () => {
  const tokens = { viewer: "sdk-viewer-token-1", operator: "sdk-operator-token-1" };
  const secured = await startCluster({ tokens });
  const wrong = connect({ masters: secured.url, token: "not-a-token" });
  const viewer = connect({ masters: secured.url, token: tokens.viewer });
  const operator = connect({ masters: secured.url, token: tokens.operator });
  try {
    const e401 = await wrong.jobs().then(() => 0, (e) => e);
    assert.instance(e401, SpateAuthError);
    assert.is(e401.status, 401);
    assert.match(e401.message, /the token is not valid/);
    const e403 = await viewer.submit(JOB, { args: ["--events", "10"] }).then(() => 0, (e) => e);
    assert.instance(e403, SpateAuthError);
    assert.is(e403.status, 403);
    assert.match(e403.message, /needs role operator/);
    const { jobId } = await operator.submit(JOB, { args: ["--events", "100", "--keys", "1"] });
    const done = await deadline(operator.collect(jobId), 60_000, "collect");
    assert.equal(lastCounts(Object.values(done.records).flat()), { k0: 100 });
  } finally {
    await Promise.all([wrong.close(), viewer.close(), operator.close()]);
    await secured.stop();
  }
});

errors.run();
