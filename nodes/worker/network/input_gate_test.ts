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
