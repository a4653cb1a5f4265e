import assert from "node:assert/strict";
import { OutputTag } from "../api/functions.ts";
import { OperatorHarness } from "../../tests/_helpers/operator_harness.ts";
import { startHttpCollector } from "../../tests/_helpers/http_collector.ts";
import type { StreamOperator } from "../operators/stream_operator.ts";
import { type DeadLetter, HttpSink } from "./http_sink.ts";

type Event = { id: number };

function harness(build: (b: HttpSink<Event>) => HttpSink<Event>) {
  const sink = build(HttpSink.builder<Event>()).build();
  return new OperatorHarness<Event, never>(
    sink.createOperator() as StreamOperator<Event, never>,
    { processingTime: 1_000 },
  );
}

Deno.test("a checkpoint barrier waits until every buffered record was delivered", async () => {
  const server = startHttpCollector((n) => n === 1 ? 503 : 200);
  try {
    const h = await harness((b) => b.url(server.url).batchSize(1000).backoff(5, 5)).open();
    for (let id = 1; id <= 250; id++) h.element({ id });
    assert.equal(server.received.size, 0, "a partial batch waits for its linger");
    await h.snapshot();
    assert.equal(server.received.size, 250, "delivered (after a retry) before the barrier passes");
    assert.equal(server.requests(), 2);
    await h.op.close();
  } finally {
    await server.close();
  }
});

Deno.test("a partial batch goes out once it lingered; full batches at once", async () => {
  const server = startHttpCollector();
  try {
    const h = await harness((b) => b.url(server.url).batchSize(100).lingerMs(500)).open();
    for (let id = 1; id <= 230; id++) h.element({ id });
    // Two full batches are on the wire; 30 records wait.
    await waitUntil(() => server.received.size === 200);
    h.advanceProcessingTime(1_400);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(server.received.size, 200, "not lingered long enough yet");
    h.advanceProcessingTime(1_600);
    await waitUntil(() => server.received.size === 230);
    await h.op.close();
  } finally {
    await server.close();
  }
});

Deno.test("dead letters carry the record, the status and the attempts", async () => {
  const server = startHttpCollector(() => 500);
  const tag = new OutputTag<DeadLetter<Event>>("dead");
  try {
    const h = await harness((b) =>
      b.url(server.url).batchSize(2).maxRetries(3).backoff(1, 2).deadLetterOutput(tag)
    ).open();
    h.element({ id: 1 }).element({ id: 2 }).element({ id: 3 });
    await h.snapshot();
    assert.deepEqual(
      h.side("dead"),
      [1, 2, 3].map((id) => ({
        record: { id },
        error: "500 Internal Server Error",
        attempts: 4,
      })),
    );
    assert.equal(server.requests(), 8);
    await h.op.close();
  } finally {
    await server.close();
  }
});

Deno.test("an unreachable endpoint is retried, then reported with the connection error", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const tag = new OutputTag<DeadLetter<Event>>("dead");
  const h = await harness((b) =>
    b.url(`http://user:pw@127.0.0.1:${port}/x?key=k`).maxRetries(1).backoff(1, 1).deadLetterOutput(
      tag,
    )
  ).open();
  h.element({ id: 1 });
  await h.snapshot();
  const [dead] = h.side("dead") as DeadLetter<Event>[];
  assert.equal(dead.attempts, 2);
  assert.match(dead.error, /^TypeError: fetch failed: .*Connection refused/);
  assert.ok(!dead.error.includes("key=k") && !dead.error.includes("pw"), dead.error);
  await h.op.close();
});

Deno.test("more records unsent than maxBufferedRecords fail the job, naming the limit", async () => {
  // A server that never answers: requests stay in flight.
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Promise<Response>(() => {}),
  );
  try {
    const h = await harness((b) =>
      b.url(`http://127.0.0.1:${server.addr.port}/`).batchSize(10).maxInFlightRequests(1)
        .maxBufferedRecords(50).requestTimeoutMs(60_000)
    ).open();
    assert.throws(() => {
      for (let id = 1; id <= 100; id++) h.element({ id });
    }, /more than 50 records wait for http:\/\/127\.0\.0\.1:\d+\/: the endpoint is slower/);
    // A failed task is closed without its input ending: the request is abandoned.
    await h.op.close();
  } finally {
    await server.shutdown();
  }
});

Deno.test("while batches wait for a request slot the sink holds its task's input", async () => {
  // A server that answers only when the test lets it.
  const answers: (() => void)[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    await req.arrayBuffer();
    await new Promise<void>((r) => answers.push(r));
    return new Response("ok");
  });
  try {
    const h = harness((b) =>
      b.url(`http://127.0.0.1:${server.addr.port}/`).batchSize(10).maxInFlightRequests(1)
    );
    let blocked = 0;
    Object.assign(h.ctx, { backpressure: { block: () => blocked++, unblock: () => blocked-- } });
    await h.open();
    for (let id = 1; id <= 10; id++) h.element({ id });
    assert.equal(blocked, 0, "one batch in flight, none waiting");
    for (let id = 11; id <= 30; id++) h.element({ id });
    assert.equal(blocked, 1, "two batches wait: the input is held (once)");
    for (let answered = 0; answered < 3; answered++) {
      await waitUntil(() => answers.length > 0);
      answers.shift()!();
    }
    await waitUntil(() => blocked === 0);
    await h.snapshot();
    await h.op.close();
  } finally {
    await server.shutdown();
  }
});

Deno.test("bad settings are refused with the setting's name", () => {
  assert.throws(() => HttpSink.builder().build(), /set the url/);
  assert.throws(() => HttpSink.builder().url("ftp://x"), /must be http or https/);
  assert.throws(() => HttpSink.builder().url("not a url"), /'not a url' is not a URL/);
  assert.throws(() => HttpSink.builder().batchSize(0), /batchSize must be an integer >= 1, got 0/);
  assert.throws(() => HttpSink.builder().header("bad name", "v"), /'bad name' is not a header/);
  const sink = HttpSink.builder().url("https://api.example.com/a").headerFromEnv("X-Key", "KEY")
    .build();
  assert.deepEqual(sink.permissions, { net: ["api.example.com:443"], env: ["KEY"] });
});

async function waitUntil(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}
