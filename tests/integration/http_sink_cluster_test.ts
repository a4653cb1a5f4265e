/**
 * The HTTP sink on a real cluster (master + 2 workers, the job sandboxed with
 * --allow-net for the endpoint only): a worker of the job is killed (-9)
 * mid-run and replaced; the job restarts from its last checkpoint and the
 * endpoint still receives every record at least once. An endpoint that goes
 * away (503s beyond the retries, no dead-letter output) fails the job, which
 * restarts and, once the endpoint is back, delivers every record.
 */

import assert from "node:assert/strict";
import { runCli } from "../_helpers/cli.ts";
import { startCluster } from "../_helpers/cluster.ts";
import { missingIds, startHttpCollector } from "../_helpers/http_collector.ts";
import { runWithKills } from "../_helpers/kills.ts";
import { streamingRunArgs } from "../_helpers/streaming_run.ts";

const RECORDS = 40_000;
const RATE = 8_000; // records/s overall: ~5 s of input, long enough for a kill

Deno.test("HTTP sink: kill -9 a worker mid-run; every record arrives at least once", async () => {
  const server = startHttpCollector();
  const cluster = await startCluster(2, 2);
  try {
    const res = await runWithKills(
      cluster,
      streamingRunArgs("http_sink.ts", cluster.url, {
        checkpointMs: 500,
        flags: [`--allow-net=127.0.0.1:${server.port}`],
      }, ["--url", server.url, "--records", String(RECORDS), "--rate", String(RATE)]),
      1,
    );
    assert.deepEqual(missingIds(server.received, RECORDS).slice(0, 10), []);
    // A record is sent again only when an attempt replays it: once per restart at most.
    const attempts = 1 + (res.stderr.match(/RESTARTING/g)?.length ?? 0);
    const tooMany = [...server.received].filter(([, n]) => n > attempts);
    assert.deepEqual(tooMany.slice(0, 10), [], `more copies than the ${attempts} attempts`);
    const copies = [...server.received.values()].reduce((a, b) => a + b, 0);
    console.log(
      `HTTP sink after a kill: ${RECORDS} records, ${copies - RECORDS} delivered again ` +
        `(replayed after the restore), ${server.requests()} requests`,
    );
  } finally {
    await cluster.stop();
    await server.close();
  }
});

Deno.test("HTTP sink: an endpoint that goes away fails the job; after the restarts it gets every record", async () => {
  // Requests 40-70 fail: more than a batch's retries, so the job fails over until they pass.
  const server = startHttpCollector((n) => n >= 40 && n <= 70 ? 503 : 200);
  const cluster = await startCluster(2, 2);
  try {
    const res = await runCli(streamingRunArgs("http_sink.ts", cluster.url, {
      restart: "fixed-delay:30:100",
      flags: [`--allow-net=127.0.0.1:${server.port}`],
    }, [
      "--url",
      server.url,
      "--records",
      String(RECORDS / 2),
      "--rate",
      String(RATE),
      "--retries",
      "2",
    ]));
    assert.equal(res.code, 0, res.stderr);
    const restarts = (res.stderr.match(/RESTARTING/g) ?? []).length;
    assert.ok(restarts >= 1, res.stderr);
    assert.match(
      res.stderr,
      /HttpSink: POST http:\/\/127\.0\.0\.1:\d+\/ingest failed after 3 attempt\(s\): 503/,
    );
    assert.deepEqual(missingIds(server.received, RECORDS / 2).slice(0, 10), []);
    console.log(
      `HTTP endpoint away for 31 requests: ${restarts} restart(s), all ${
        RECORDS / 2
      } records arrived`,
    );
  } finally {
    await cluster.stop();
    await server.close();
  }
});
