/**
 * The JetStream source and sink against a real nats-server: a restored reader
 * resumes after its checkpointed sequence, durable consumers are acknowledged
 * when a checkpoint completes, subject splits divide a stream between
 * readers, a replayed sink republishes the same ids and the server drops
 * them, and bad configuration fails naming the server or the stream.
 */

import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { startNatsServer } from "../../../tests/_helpers/nats.ts";
import { waitFor } from "../../../tests/_helpers/cluster.ts";
import { OperatorHarness } from "../../../tests/_helpers/operator_harness.ts";
import type { RecordOutput } from "../../operators/stream_operator.ts";
import { type JetStreamRecord, JetStreamSink, JetStreamSource } from "./mod.ts";
import type { JetStreamSinkOperator } from "./jetstream_sink.ts";
import { NatsServer } from "./nats_server.ts";
import {
  ctx,
  ignore,
  open,
  pollUntil,
  publish,
  range,
  setup,
  tolerateTransportResets,
} from "../../../tests/_helpers/jetstream.ts";

tolerateTransportResets();

Deno.test({
  name: "a restored reader resumes after the checkpointed sequence: no message lost or repeated",
  ignore,
  async fn() {
    await using server = await startNatsServer();
    const nc = await setup(server.url, "IN", ["in.>"]);
    await publish(nc, (i) => `in.${i % 3}`, 0, 300);
    const spec = JetStreamSource.builder().setServers(server.url).setStream("IN").setBatchSize(64)
      .build();
    const first = spec.createReader();
    await first.open(ctx);
    const got: string[] = [];
    await pollUntil(first, got, 120);
    const state = first.snapshotState!(1); // checkpoint 1 covers 0..119
    await pollUntil(first, got, 200); // emitted after the checkpoint: replayed
    await first.close();
    assert.deepEqual(got, range(0, 200));

    const second = spec.createReader();
    await second.open(ctx);
    second.restoreState!([state]);
    const again: string[] = [];
    await pollUntil(second, again, 180);
    assert.deepEqual(again, range(120, 300));
    const r = again.length;
    await publish(nc, (i) => `in.${i % 3}`, 300, 310);
    await pollUntil(second, again, r + 10);
    assert.deepEqual(again.slice(r), range(300, 310));
    await second.close();
    await nc.close();
  },
});

Deno.test({
  name:
    "a durable consumer is acknowledged up to a checkpoint once it completes, and reset on restore",
  ignore,
  async fn() {
    await using server = await startNatsServer();
    const nc = await setup(server.url, "IN", ["in.>"]);
    const jsm = await jetstreamManager(nc);
    await publish(nc, () => "in.a", 0, 100);
    const spec = JetStreamSource.builder().setServers(server.url).setStream("IN")
      .setDurableName("job").build();
    const first = spec.createReader();
    await first.open(ctx);
    const got: string[] = [];
    await pollUntil(first, got, 40);
    const state = first.snapshotState!(7);
    await pollUntil(first, got, 70);
    first.snapshotState!(8); // never completes
    assert.equal((await jsm.consumers.info("IN", "job")).ack_floor.stream_seq, 0);
    await first.notifyCheckpointComplete!(7);
    await waitFor(
      "the ack of checkpoint 7",
      async () => (await jsm.consumers.info("IN", "job")).ack_floor.stream_seq === 40,
      5_000,
    );
    await first.close();
    assert.equal((await jsm.consumers.info("IN", "job")).ack_floor.stream_seq, 40);

    // Restored from checkpoint 7: the durable is reset to sequence 41.
    const second = spec.createReader();
    await second.open(ctx);
    second.restoreState!([state]);
    const again: string[] = [];
    await pollUntil(second, again, 60);
    assert.deepEqual(again, range(40, 100));
    await second.close();
    // Without a checkpoint: the durable's own position (its ack floor).
    const third = spec.createReader();
    await third.open(ctx);
    const fresh: string[] = [];
    await pollUntil(third, fresh, 60);
    assert.deepEqual(fresh, range(40, 100));
    await third.close();
    // Without checkpointing: acknowledged as emitted.
    const unchecked = spec.createReader();
    await unchecked.open({ ...ctx, checkpointing: false });
    const emitted: string[] = [];
    await pollUntil(unchecked, emitted, 60);
    await waitFor(
      "the acks of emitted messages",
      async () => (await jsm.consumers.info("IN", "job")).ack_floor.stream_seq === 100,
      5_000,
    );
    await unchecked.close();
    await nc.close();
  },
});

Deno.test({
  name:
    "subject splits divide a stream between parallel readers and restore at another parallelism",
  ignore,
  async fn() {
    await using server = await startNatsServer();
    const nc = await setup(server.url, "P", ["p.*"]);
    await publish(nc, (i) => `p.${i % 4}`, 0, 400);
    const spec = JetStreamSource.builder().setServers(server.url).setStream("P")
      .setSubjectFilters("p.0", "p.1", "p.2", "p.3").build();
    assert.equal(spec.maxParallelism, 4);
    const readers = [spec.createReader(), spec.createReader()];
    const got: string[][] = [[], []];
    for (const [i, r] of readers.entries()) {
      await r.open({ ...ctx, subtaskIndex: i, parallelism: 2 });
    }
    for (const [i, r] of readers.entries()) await pollUntil(r, got[i], 100);
    assert.ok(got[0].every((v) => Number(v) % 2 === 0), "reader 0 reads p.0 and p.2");
    assert.ok(got[1].every((v) => Number(v) % 2 === 1), "reader 1 reads p.1 and p.3");
    const states = readers.map((r) => r.snapshotState!(1));
    for (const r of readers) await r.close();

    const one = spec.createReader(); // parallelism 1 now: every split
    await one.open(ctx);
    one.restoreState!(states);
    const rest: string[] = [];
    await pollUntil(one, rest, 200);
    const all = [...got[0], ...got[1], ...rest].map(Number).sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: 400 }, (_, i) => i));
    await one.close();
    await nc.close();
  },
});

Deno.test({
  name:
    "a replayed sink republishes the same ids, its barriers elsewhere: the stream keeps each message once",
  ignore,
  async fn() {
    await using server = await startNatsServer();
    const nc = await setup(server.url, "OUT", ["out.>"]);
    const jsm = await jetstreamManager(nc);
    const sink = JetStreamSink.builder<number>().setServers(server.url).setStream("OUT")
      .setSubject((n) => `out.${n % 2}`).setMaxPendingAcks(16).build();
    const harness = () =>
      new OperatorHarness(sink.createOperator() as JetStreamSinkOperator<number>);
    const send = (h: OperatorHarness<number, never>, from: number, to: number) => {
      for (let i = from; i < to; i++) h.element(i);
    };
    const first = await harness().open();
    send(first, 0, 100);
    const completed = await first.snapshot(); // acknowledged: 100 messages stored
    assert.equal((await jsm.streams.info("OUT")).state.messages, 100);
    send(first, 100, 150);
    await first.snapshot(); // the sink's snapshot of a checkpoint that never completes
    send(first, 150, 180);
    await first.op.close(); // published, then a failure: the job restores `completed`

    const second = await harness().open(completed);
    send(second, 100, 130); // the replay, its barrier at another place
    await second.snapshot();
    send(second, 130, 200); // the rest of the replay, then new records
    await second.snapshot();
    await second.op.close();
    assert.equal(
      (await jsm.streams.info("OUT")).state.messages,
      200,
      "a replayed message was stored twice, or one was dropped",
    );
    const c = await jetstream(nc).consumers.get("OUT");
    const values: number[] = [];
    for await (const m of await c.fetch({ max_messages: 200, expires: 2000 })) {
      values.push(Number(m.string()));
      if (values.length === 200) break;
    }
    assert.deepEqual(values, Array.from({ length: 200 }, (_, i) => i));

    // A fresh start opens a new epoch: its records are never dropped for an earlier run's ids.
    const fresh = await harness().open();
    send(fresh, 0, 10);
    await fresh.snapshot();
    await fresh.op.close();
    assert.equal((await jsm.streams.info("OUT")).state.messages, 210);
    await nc.close();
  },
});

Deno.test({
  name:
    "bad configuration fails naming the server, the stream or the login; a lost server fails the reader",
  ignore,
  async fn() {
    await using server = await startNatsServer({ user: { name: "spate", password: "s3cret" } });
    const nc = await connect({ servers: server.url, user: "spate", pass: "s3cret" });
    await (await jetstreamManager(nc)).streams.add({ name: "IN", subjects: ["in"] });
    await nc.close();
    const base = () => JetStreamSource.builder().setServers(server.url).setStream("IN");
    const failure = async (p: Promise<unknown>) =>
      (await p.then(() => undefined, (e) => e)) as Error;

    const wrong = base().setCredentials("spate", "nope").build().createReader();
    const e1 = await failure(Promise.resolve(wrong.open(ctx)));
    assert.match(
      e1.message,
      new RegExp(`NATS server ${server.url} refused the login of user 'spate'`),
    );
    assert.doesNotMatch(e1.message, /nope/);

    Deno.env.set("SPATE_NATS_USER", "spate");
    Deno.env.set("SPATE_NATS_PASSWORD", "s3cret");
    try {
      const spec = base().build(); // credentials from the environment
      assert.deepEqual(spec.permissions?.env, [
        "SPATE_NATS_USER",
        "SPATE_NATS_PASSWORD",
        "SPATE_NATS_TOKEN",
      ]);
      const fromEnv = spec.createReader();
      await fromEnv.open(ctx);
      await fromEnv.close();
      const s = new NatsServer([server.url], {});
      assert.doesNotMatch(JSON.stringify(s) + String(Object.keys(s)), /s3cret/);
    } finally {
      Deno.env.delete("SPATE_NATS_USER");
      Deno.env.delete("SPATE_NATS_PASSWORD");
    }

    const unknown = base().setCredentials("spate", "s3cret").setStream("NOPE").build()
      .createReader();
    const e2 = await failure(Promise.resolve(unknown.open(ctx)));
    assert.match(
      e2.message,
      new RegExp(`JetStream stream 'NOPE' does not exist on NATS server ${server.url}`),
    );
    await unknown.close();

    const sink = JetStreamSink.builder().setServers(server.url).setCredentials("spate", "s3cret")
      .setStream("NOPE").setSubject("in").build();
    const e3 = await failure(new OperatorHarness(sink.createOperator()).open());
    assert.match(e3.message, /JetStream stream 'NOPE' does not exist/);

    const uncaptured = JetStreamSink.builder<string>().setServers(server.url)
      .setCredentials("spate", "s3cret").setStream("IN").setSubject("elsewhere").build();
    const h = await new OperatorHarness(uncaptured.createOperator()).open();
    h.element("lost?");
    const e5 = await failure(h.snapshot());
    assert.match(e5.message, /no JetStream stream captures the published subject/);
    await failure(Promise.resolve(h.op.close()));

    const r = base().setCredentials("spate", "s3cret").build().createReader();
    await r.open(ctx);
    await server.stop();
    const out = { collect() {} } as unknown as RecordOutput<JetStreamRecord>;
    await waitFor("the reader to fail", async () => {
      try {
        await r.pollNext(out, open, 10);
        return false;
      } catch (e) {
        assert.match(
          (e as Error).message,
          new RegExp(`lost the connection to NATS server ${server.url}`),
        );
        return true;
      }
    }, 10_000);
    await r.close();

    const unreachable = base().build().createReader();
    const e4 = await failure(Promise.resolve(unreachable.open(ctx)));
    assert.match(
      e4.message,
      new RegExp(`cannot reach NATS server ${server.url}: connection refused`),
    );
    assert.throws(() => base().setServers("nats://u:p@h:1").build(), /must not hold credentials/);
    assert.throws(() => JetStreamSource.builder().setServers("h:1").build(), /setStream/);
  },
});
