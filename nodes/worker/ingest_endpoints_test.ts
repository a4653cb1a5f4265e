import assert from "node:assert/strict";
import { HttpIngestSource } from "../../core/connectors/http_ingest/http_ingest_source.ts";
import type { IngestHost } from "../../core/connectors/http_ingest/ingest_protocol.ts";
import type { SourceReader } from "../../core/connectors/source_reader.ts";
import { IngestEndpoints } from "./ingest_endpoints.ts";

/** A real HTTP server on loopback serving the endpoints, and readers wired to them by real ports. */
function harness() {
  const endpoints = new IngestEndpoints();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const url = new URL(req.url);
    return endpoints.handle(
      req,
      url.pathname.slice("/ingest/".length),
      url.searchParams.get("ack"),
    );
  });
  let tasks = 0;
  const host = (): IngestHost => {
    const taskId = `task-${tasks++}`;
    return {
      register(registration) {
        const { port1, port2 } = new MessageChannel();
        endpoints.add({ jobId: "job-1", slotIndex: 0, taskId }, registration, port2);
        return port1;
      },
    };
  };
  const post = (name: string, body: string, query = "") =>
    fetch(`http://127.0.0.1:${server.addr.port}/ingest/${name}${query}`, {
      method: "POST",
      body,
    });
  return { endpoints, server, host, post };
}

async function openReader<T>(reader: SourceReader<T>, ingest: IngestHost, checkpointing = true) {
  await reader.open({
    operatorName: "src",
    subtaskIndex: 0,
    parallelism: 1,
    checkpointing,
    ingest,
  });
  const out: T[] = [];
  const output = { collect: (r: T) => out.push(r) };
  return { out, poll: () => reader.pollNext(output, { available: true }, 1000) };
}

/** Polls until `cond` holds (a deadline, not a sleep: each poll waits at most its idle wait). */
async function pollUntil(poll: () => unknown, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!cond()) {
    assert.ok(Date.now() < deadline, "timed out polling the reader");
    await poll();
  }
}

Deno.test("a request is answered only after the checkpoint that covers its records completed", async () => {
  const h = harness();
  const reader = HttpIngestSource.builder().name("orders").build().createReader();
  const { out, poll } = await openReader(reader, h.host());
  let answered = false;
  const res = h.post("orders", '{"id":1}\n\n{"id":2}\r\n').then((r) => {
    answered = true;
    return r;
  });
  const arrayRes = h.post("orders", '[{"id":3},{"id":4}]');
  await pollUntil(poll, () => out.length === 4);
  assert.deepEqual(out.map((r) => (r as { id: number }).id).sort(), [1, 2, 3, 4]);
  reader.snapshotState!(7);
  // Emitted and in checkpoint 7, which has not completed: no answer yet.
  await poll();
  assert.equal(answered, false);
  reader.notifyCheckpointComplete!(7);
  const r = await res;
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { records: 2 });
  assert.equal((await arrayRes).status, 200);
  await reader.close();
  await h.server.shutdown();
});

Deno.test("ack=received answers on receipt; without checkpointing a request is answered once emitted", async () => {
  const h = harness();
  const fast = HttpIngestSource.builder().name("fast").build().createReader();
  await openReader(fast, h.host());
  const r = await h.post("fast", "1\n2\n3", "?ack=received");
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { records: 3 });
  const plain = HttpIngestSource.builder().name("plain").build().createReader();
  const { out, poll } = await openReader(plain, h.host(), false);
  const res = h.post("plain", "[1,2]");
  await pollUntil(poll, () => out.length === 2);
  assert.equal((await res).status, 200);
  await fast.close();
  await plain.close();
  await h.server.shutdown();
});

Deno.test("bad input: unknown name 404, malformed line 400, body over the limit 413, unknown ack 400", async () => {
  const h = harness();
  const reader = HttpIngestSource.builder().name("orders").maxBodyBytes(64)
    .deserializer((v) => {
      if (typeof v !== "object" || v === null) throw new Error("a record is an object");
      return v;
    }).build().createReader();
  await openReader(reader, h.host());
  const unknown = await h.post("nope", "{}");
  assert.equal(unknown.status, 404);
  assert.match((await unknown.json()).errors[0], /no ingest source 'nope'.*orders/);
  const malformed = await h.post("orders", '{"a":1}\n{"a":\n');
  assert.equal(malformed.status, 400);
  assert.match((await malformed.json()).errors[0], /^line 2: not JSON/);
  const badRecord = await h.post("orders", "{}\n{}\n7\n");
  assert.equal(badRecord.status, 400);
  assert.match(
    (await badRecord.json()).errors[0],
    /line 3: cannot deserialize: a record is an object/,
  );
  const empty = await h.post("orders", " \n");
  assert.equal(empty.status, 400);
  assert.match((await empty.json()).errors[0], /holds no record/);
  const big = await h.post("orders", `{"x":"${"y".repeat(100)}"}`);
  assert.equal(big.status, 413);
  assert.match((await big.json()).errors[0], /exceeds 64 bytes \(HttpIngestSource maxBodyBytes\)/);
  const ack = await h.post("orders", "{}", "?ack=maybe");
  assert.equal(ack.status, 400);
  assert.match((await ack.json()).errors[0], /unknown ack mode 'maybe'/);
  await reader.close();
  await h.server.shutdown();
});

Deno.test("a full queue answers 429 with Retry-After; a reader that goes away fails its requests 503", async () => {
  const h = harness();
  const reader = HttpIngestSource.builder().name("q").maxQueuedRecords(3).retryAfterSeconds(2)
    .build().createReader();
  const { out, poll } = await openReader(reader, h.host());
  const waiting = h.post("q", "1\n2\n3");
  // Three records queued, none emitted yet (no poll): the next request does not fit.
  const full = await h.post("q", "4", "?ack=received");
  assert.equal(full.status, 429);
  assert.equal(full.headers.get("retry-after"), "2");
  await full.body?.cancel();
  const huge = await h.post("q", "1\n2\n3\n4");
  assert.equal(huge.status, 413);
  await huge.body?.cancel();
  await pollUntil(poll, () => out.length === 3);
  // The records were emitted but no checkpoint completed: the slot goes away.
  h.endpoints.dropSlot(0, "slot worker crashed");
  const failed = await waiting;
  assert.equal(failed.status, 503);
  assert.match((await failed.json()).errors[0], /stopped before answering.*send them again/);
  // The name ran here: while no reader runs, 503 (restarting) rather than 404.
  const restarting = await h.post("q", "1");
  assert.equal(restarting.status, 503);
  await restarting.body?.cancel();
  await reader.close();
  await h.server.shutdown();
});

Deno.test("builder refuses bad configuration; a reader outside a worker fails at open", () => {
  assert.throws(() => HttpIngestSource.builder().build(), /needs name\(NAME\)/);
  assert.throws(() => HttpIngestSource.builder().name("a/b"), /name 'a\/b' is not valid/);
  assert.throws(() => HttpIngestSource.builder().maxBodyBytes(0), /positive integer, got 0/);
  const reader = HttpIngestSource.builder().name("x").build().createReader();
  assert.throws(
    () => reader.open({ operatorName: "x", subtaskIndex: 0, parallelism: 1 }),
    /runs only in a worker's slot/,
  );
});

Deno.test("a second job's source of the same name on one worker is refused, naming both", async () => {
  const endpoints = new IngestEndpoints();
  const register = (jobId: string): IngestHost => ({
    register(registration) {
      const { port1, port2 } = new MessageChannel();
      endpoints.add({ jobId, slotIndex: 0, taskId: `${jobId}-t` }, registration, port2);
      return port1;
    },
  });
  const first = HttpIngestSource.builder().name("orders").build().createReader();
  const second = HttpIngestSource.builder().name("orders").build().createReader();
  await openReader(first, register("job-a"));
  const { poll } = await openReader(second, register("job-b"));
  await assert.rejects(
    async () => {
      for (let i = 0; i < 250; i++) await poll();
    },
    /job job-a already runs an ingest source 'orders' on this worker/,
  );
  await first.close();
  await second.close();
});

Deno.test("a request no checkpoint covers within ackTimeoutMs is answered 504", async () => {
  const h = harness();
  const reader = HttpIngestSource.builder().name("slow").ackTimeoutMs(100).build().createReader();
  const { out, poll } = await openReader(reader, h.host());
  const res = h.post("slow", "1\n2");
  await pollUntil(poll, () => out.length === 2);
  // Emitted, but no checkpoint is taken: the endpoint gives up waiting.
  const r = await res;
  assert.equal(r.status, 504);
  assert.match((await r.json()).errors[0], /within 100 ms \(ackTimeoutMs\).*send them again/);
  await reader.close();
  await h.server.shutdown();
});
