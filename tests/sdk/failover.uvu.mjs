// Master failover through the client SDK, with uvu, under Node and Deno (as
// client.uvu.mjs): two masters with high availability on a real etcd (its URL
// in $SPATE_TEST_ETCD, started by tests/integration/sdk_client_test.ts), a
// worker, a job submitted with both masters given; the leader is killed (-9)
// while watch() and collect() are open. The watch follows the new leader to
// the job's end and sees its state change there; collect returns every record.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { ROOT, startHaCluster, waitFor } from "./cluster.mjs";

const sdk = globalThis.Deno === undefined
  ? await import("../../dist/client/mod.js")
  : await import("../../client/mod.ts");
const { connect } = sdk;
const JOB = `${ROOT}tests/_jobs/sdk_keyed_count.ts`;
const ETCD = process.env.SPATE_TEST_ETCD;
if (ETCD === undefined) throw new Error("SPATE_TEST_ETCD must name the etcd of the test");

/** `p`, or an error naming `what` once `ms` passed: no test hangs. */
function deadline(p, ms, what) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

const failover = suite("master failover");

failover("kill -9 the leader mid-job: watch and collect follow the new leader", async () => {
  const c = await startHaCluster({ etcd: ETCD });
  const first = await c.leader();
  const spate = connect({ masters: c.urls, timeouts: { connectMs: 2000 } });
  try {
    // 3 keys x 1000 events at 300/s: about 10 s, without checkpoints (a new leader starts it over).
    const { jobId } = await spate.submit(JOB, {
      args: ["--events", "3000", "--keys", "3", "--rate", "300"],
    });
    assert.is(spate.leader, first);
    let killedAt = Infinity;
    const seen = [];
    const watching = (async () => {
      for await (const e of spate.watch(jobId)) seen.push({ at: Date.now(), e });
    })();
    const collecting = spate.collect(jobId);
    await waitFor(
      "the job running at the first leader",
      () => seen.some(({ e }) => e.type === "jobStatus" && e.state === "RUNNING"),
      30_000,
    );
    await c.kill(first);
    killedAt = Date.now();
    const t0 = Date.now();
    await deadline(watching, 90_000, "the watch across the failover");
    const collected = await deadline(collecting, 30_000, "collect across the failover");
    const second = await c.leader();
    assert.ok(second !== undefined && second !== first, `new leader ${second}, first ${first}`);
    assert.is(spate.leader, second, "the SDK follows the new leader");
    const after = seen.filter(({ at }) => at > killedAt).map(({ e }) => e);
    const states = after.filter((e) => e.type === "jobStatus").map((e) => e.state);
    assert.ok(states.includes("RUNNING"), `states after the kill: ${states}`);
    assert.is(after.at(-1)?.type, "jobFinished", `events after: ${after.map((e) => e.type)}`);
    assert.is(collected.state, "FINISHED");
    const records = Object.values(collected.records).flat();
    const last = {};
    for (const [k, n] of records) last[k] = Math.max(last[k] ?? 0, n);
    assert.equal(last, { k0: 1000, k1: 1000, k2: 1000 });
    assert.is(records.length, 3000, "every running count once: the new leader ran the job over");
    assert.is((await spate.job(jobId)).state, "FINISHED");
    console.log(
      `  kill -9 of ${first}: the watch went on at ${second}, the job ended ` +
        `${Date.now() - t0} ms after the kill; states there: ${states.join(",")}`,
    );
  } catch (e) {
    throw new Error(`${e.message}\n${c.logs()}`);
  } finally {
    await spate.close();
    await c.stop();
  }
});

failover.run();
