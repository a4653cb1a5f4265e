/**
 * Collected records keep their types against a cluster: a bigint, Map, Set,
 * Date, typed array, undefined and -0 come back from `spate run --master` as
 * from a local run (the worker's batches, the events and the collect answer
 * carry CBOR); the REST routes still answer JSON to a client that does not ask
 * for CBOR (curl).
 */

import assert from "node:assert/strict";
import { jobPath, runCli } from "../_helpers/cli.ts";
import { startCluster } from "../_helpers/cluster.ts";
import { runJobModule } from "../_helpers/run_job.ts";
import { serverSentEvents } from "../../client/sse.ts";
import { decodeCollected, fromBase64 } from "../../nodes/protocol/collected_cbor.ts";

const inspect = (v: unknown) => Deno.inspect(v, { depth: Infinity, sorted: true });

/** Every collected record of a collect answer or its events, in order. */
const flat = (records: Record<string, unknown[]>) => Object.values(records).flat();

/** The events of an ended job's stream (it replays them and closes). */
async function events(url: string): Promise<{ event: string; data: string }[]> {
  const res = await fetch(url);
  assert.equal(res.status, 200, await res.clone().text());
  const out = [];
  for await (const e of serverSentEvents(res.body!)) out.push(e);
  return out;
}

Deno.test("collected records keep their types locally and through spate run --master", async (t) => {
  const { module } = await runJobModule<{ SENT: unknown[]; results: unknown[] }>(
    "collect_types.ts",
    [],
  );
  assert.deepStrictEqual(module.results, module.SENT, "the local run keeps every type");
  const sent = module.SENT;
  const local = inspect(module.results);

  const cluster = await startCluster(1, 2);
  const dir = await Deno.makeTempDir({ prefix: "spate-collect-types-" });
  try {
    const out = `${dir}/results.txt`;
    const res = await runCli(
      ["run", jobPath("collect_types.ts"), "--master", cluster.url, "--", "--out", out],
    );
    assert.equal(res.code, 0, res.stderr);
    await t.step("spate run --master collects what the local run does", async () => {
      assert.equal(await Deno.readTextFile(out), local);
    });

    const { jobs } = await (await fetch(`${cluster.url}/api/v1/jobs`)).json();
    const jobId = jobs.find((j: { state: string }) => j.state === "FINISHED").id as string;
    const job = `${cluster.url}/api/v1/jobs/${jobId}`;

    await t.step("GET collect answers JSON by default, CBOR when asked", async () => {
      const json = await fetch(`${job}/collect`);
      assert.equal(json.headers.get("content-type"), "application/json");
      const [first] = flat((await json.json()).records) as Record<string, unknown>[];
      assert.equal(first.big, "1180591620717411303424", "a bigint is its digits in JSON");
      assert.deepEqual(first.map, [["a", 1], [2, { x: ["1"] }]], "a Map is its entries");
      assert.equal("missing" in first, false, "JSON drops an undefined field");
      for (const asked of [{ query: "?format=cbor" }, { accept: "application/cbor" }]) {
        const cbor = await fetch(`${job}/collect${asked.query ?? ""}`, {
          headers: asked.accept === undefined ? {} : { accept: asked.accept },
        });
        assert.equal(cbor.headers.get("content-type"), "application/cbor");
        const body = decodeCollected(new Uint8Array(await cbor.arrayBuffer())) as {
          state: string;
          records: Record<string, unknown[]>;
        };
        assert.equal(body.state, "FINISHED");
        assert.deepStrictEqual(flat(body.records), sent);
      }
      const bad = await fetch(`${job}/collect?format=xml`);
      assert.equal(bad.status, 400);
      assert.deepEqual(await bad.json(), { errors: ["format must be json or cbor, not 'xml'"] });
    });

    await t.step("events carry records as JSON with records=true, as CBOR with cbor", async () => {
      const collects = (es: { event: string; data: string }[]) =>
        es.filter((e) => e.event === "collect").map((e) => JSON.parse(e.data));
      const none = await events(`${job}/events`);
      assert.equal(collects(none).length, 0);
      assert.equal(none.at(-1)?.event, "jobFinished");
      const json = collects(await events(`${job}/events?records=true`));
      assert.equal(json.flatMap((e) => e.records)[0].big, "1180591620717411303424");
      const cbor = collects(await events(`${job}/events?records=cbor`));
      assert.ok(cbor.length > 0 && cbor.every((e) => typeof e.cbor === "string" && !e.records));
      assert.deepStrictEqual(cbor.flatMap((e) => decodeCollected(fromBase64(e.cbor))), sent);
      const bad = await fetch(`${job}/events?records=yes`);
      assert.equal(bad.status, 400);
      assert.deepEqual(await bad.json(), {
        errors: ["records must be true, cbor or false, not 'yes'"],
      });
    });
  } finally {
    await cluster.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
