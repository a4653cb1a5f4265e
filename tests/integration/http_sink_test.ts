/**
 * The HTTP sink against an HTTP server the test runs: a server that fails
 * requests with 503 for a while still gets every record (at least once); a
 * server that always fails puts every record in the dead-letter output; a
 * client error (400) is not retried; without a dead-letter output a failing
 * server fails the job with a message that names the status and not the
 * credential; a credential from the environment arrives as a header; a
 * source far faster than the endpoint is held back (backpressure) rather than
 * buffered.
 */

import assert from "node:assert/strict";
import { runJobModule } from "../_helpers/run_job.ts";
import { missingIds, startHttpCollector } from "../_helpers/http_collector.ts";

const RECORDS = 5_000;

async function runSink(url: string, extra: string[] = []): Promise<void> {
  await runJobModule(
    "http_sink.ts",
    ["--url", url, "--records", String(RECORDS), ...extra],
    { parallelism: 2 },
  );
}

async function deadLetters(path: string) {
  const text = await Deno.readTextFile(path);
  return text.split("\n").filter(Boolean).map((l) =>
    JSON.parse(l) as { record: { id: number }; error: string; attempts: number }
  );
}

Deno.test("a server failing with 503 then recovering receives every record", async () => {
  // Requests 1-20 and every 4th request after fail: retries carry them through.
  const server = startHttpCollector((n) => n <= 20 || n % 4 === 0 ? 503 : 200);
  try {
    await runSink(server.url);
    assert.deepEqual(missingIds(server.received, RECORDS), []);
    const copies = [...server.received.values()].reduce((a, b) => a + b, 0);
    console.log(
      `503 then recovery: ${RECORDS} records, ${server.requests()} requests, ${
        copies - RECORDS
      } duplicate deliveries`,
    );
    assert.equal(server.received.size, RECORDS);
    // A refused batch is sent again, an accepted one never: no record twice.
    assert.equal(copies, RECORDS, "a record accepted once was delivered again");
  } finally {
    await server.close();
  }
});

Deno.test("a permanently failing server: every record is in the dead-letter output", async () => {
  const server = startHttpCollector(() => 503);
  const dir = await Deno.makeTempDir({ prefix: "spate-http-" });
  try {
    await runSink(server.url, ["--retries", "2", "--dead-letters", `${dir}/dead.txt`]);
    const dead = await deadLetters(`${dir}/dead.txt`);
    assert.deepEqual(
      dead.map((d) => d.record.id).sort((a, b) => a - b),
      missingIds(new Map(), RECORDS),
    );
    assert.ok(dead.every((d) => d.error === "503 Service Unavailable" && d.attempts === 3));
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a 400 is not retried: the batch goes to the dead letters after one attempt", async () => {
  const server = startHttpCollector((n) => n === 1 ? 400 : 200);
  const dir = await Deno.makeTempDir({ prefix: "spate-http-" });
  try {
    await runSink(server.url, ["--dead-letters", `${dir}/dead.txt`]);
    const dead = await deadLetters(`${dir}/dead.txt`);
    assert.ok(dead.length > 0 && dead.length <= 100, `${dead.length} dead letters`);
    assert.ok(dead.every((d) => d.error === "400 Bad Request" && d.attempts === 1));
    // Every record is either delivered or a dead letter.
    const all = new Map(server.received);
    for (const d of dead) all.set(d.record.id, 1);
    assert.deepEqual(missingIds(all, RECORDS), []);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("without a dead-letter output a failing server fails the job; the credential is not in the error", async () => {
  const server = startHttpCollector((n) => n <= 3 ? 200 : 503);
  Deno.env.set("SPATE_TEST_HTTP_TOKEN", "s3cr3t-t0ken");
  try {
    await assert.rejects(
      () => runSink(server.url, ["--retries", "1", "--token-env", "SPATE_TEST_HTTP_TOKEN"]),
      (e: Error) => {
        const text = `${e.message} ${e.stack} ${(e.cause as Error | undefined)?.message ?? ""}`;
        assert.match(
          text,
          /HttpSink: POST http:\/\/127\.0\.0\.1:\d+\/ingest failed after 2 attempt\(s\): 503/,
        );
        assert.ok(!text.includes("s3cr3t"), text);
        return true;
      },
    );
    assert.deepEqual([...server.authorizations], ["Bearer s3cr3t-t0ken"]);
  } finally {
    Deno.env.delete("SPATE_TEST_HTTP_TOKEN");
    await server.close();
  }
});

Deno.test("a source far faster than the endpoint is held back, not buffered", async () => {
  const server = startHttpCollector();
  try {
    // 200,000 records at full speed through at most 5,000 buffered per subtask.
    await runJobModule(
      "http_sink.ts",
      ["--url", server.url, "--records", "200000", "--batch", "500", "--max-buffered", "5000"],
      { parallelism: 2 },
    );
    assert.deepEqual(missingIds(server.received, 200_000).slice(0, 10), []);
  } finally {
    await server.close();
  }
});
