import assert from "node:assert/strict";
import { DEFAULT_NETWORK_SETTINGS, messagePortEndpoint } from "./channel.ts";
import { InputGate, type InputItem } from "./input_gate.ts";

function gateWithPorts(n: number) {
  const pairs = Array.from({ length: n }, () => new MessageChannel());
  const gate = new InputGate(
    pairs.map((p) => messagePortEndpoint(p.port2)),
    DEFAULT_NETWORK_SETTINGS,
  );
  gate.start();
  return { gate, producers: pairs.map((p) => p.port1) };
}

async function take(gate: InputGate, count: number): Promise<InputItem[]> {
  const items: InputItem[] = [];
  const deadline = Date.now() + 5000;
  while (items.length < count) {
    const item = gate.poll();
    if (item !== undefined) {
      items.push(item);
      continue;
    }
    assert.ok(Date.now() < deadline, `only ${items.length} of ${count} items arrived`);
    await gate.whenAvailable();
  }
  return items;
}

const buffer = (records: number) => ({ t: "buffer", data: new ArrayBuffer(8), records });

Deno.test("a blocked channel's items wait; the others flow; unblocking releases them in order", async () => {
  const { gate, producers } = gateWithPorts(2);
  gate.block(0);
  producers[0].postMessage(buffer(1));
  producers[0].postMessage({ t: "barrier", id: 1, timestampMs: 0, savepoint: false });
  producers[1].postMessage(buffer(2));
  producers[1].postMessage(buffer(3));
  const open = await take(gate, 2);
  assert.deepEqual(open.map((i) => i.channel), [1, 1]);
  assert.equal(gate.poll(), undefined, "channel 0 is held back");
  gate.unblockAll();
  const held = await take(gate, 2);
  assert.deepEqual(held.map((i) => (i.kind === "buffer" ? i.records : i.event.t)), [1, "barrier"]);
  for (const p of producers) p.close();
  gate.close();
});

Deno.test("the gate finishes when every channel's end was taken", async () => {
  const { gate, producers } = gateWithPorts(2);
  producers[0].postMessage({ t: "end" });
  producers[1].postMessage(buffer(1));
  producers[1].postMessage({ t: "end" });
  await take(gate, 3);
  assert.equal(gate.finished, true);
  for (const p of producers) p.close();
  gate.close();
});

Deno.test("priority barriers overtake their channel's queued buffers and name them; savepoints do not", async () => {
  const { gate, producers } = gateWithPorts(2);
  gate.priorityBarriers = true;
  producers[0].postMessage(buffer(1));
  producers[0].postMessage(buffer(2));
  producers[1].postMessage(buffer(3));
  // Messages of one port arrive in order: the barrier comes after channel 0's buffers.
  producers[0].postMessage({ t: "barrier", id: 1, timestampMs: 0, savepoint: false });
  producers[1].postMessage({ t: "barrier", id: 2, timestampMs: 0, savepoint: true });
  // Wait until all five items are queued, then take them.
  const deadline = Date.now() + 5000;
  while ((gate as unknown as { queuedItems: number }).queuedItems < 5) {
    assert.ok(Date.now() < deadline, "items did not arrive");
    await gate.whenAvailable();
  }
  const items = await take(gate, 5);
  const first = items[0];
  assert.equal(first.kind, "event");
  assert.equal(first.kind === "event" && first.event.t, "barrier");
  assert.deepEqual(
    first.kind === "event" ? first.overtaken?.map((b) => b.records) : undefined,
    [1, 2],
    "the checkpoint barrier overtook both buffers of channel 0 and names them",
  );
  const rest = items.slice(1).map((i) =>
    i.kind === "buffer" ? `buffer ${i.records}` : `${i.event.t} ${i.channel}`
  );
  // The savepoint barrier stays behind channel 1's buffer; channel 0's buffers follow in order.
  assert.deepEqual(rest.filter((r) => r !== "buffer 1" && r !== "buffer 2"), [
    "buffer 3",
    "barrier 1",
  ]);
  assert.deepEqual(rest.filter((r) => r === "buffer 1" || r === "buffer 2"), [
    "buffer 1",
    "buffer 2",
  ]);
  gate.close();
});

Deno.test("credits of one turn go as few messages: a quarter of the channel's at once, the rest when the task awaits", async () => {
  const { gate, producers } = gateWithPorts(1);
  const credits: number[] = [];
  let got = 0;
  producers[0].onmessage = (e) => {
    if (e.data.t === "credit") credits.push(e.data.n);
    got += e.data.n;
  };
  for (let i = 0; i < 20; i++) producers[0].postMessage(buffer(1));
  const items = await take(gate, 20);
  // One synchronous turn of the task: every release before the next await.
  for (const item of items) if (item.kind === "buffer") gate.release(item);
  const perChannel = DEFAULT_NETWORK_SETTINGS.creditsPerChannel;
  const deadline = Date.now() + 5000;
  while (got < perChannel + 20) {
    assert.ok(Date.now() < deadline, `only ${got - perChannel} of 20 credits came back`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const batch = perChannel / 4;
  assert.deepEqual(credits, [perChannel, batch, batch, 20 - 2 * batch]);
  producers[0].close();
  gate.close();
});
