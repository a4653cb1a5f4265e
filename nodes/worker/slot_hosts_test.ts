import assert from "node:assert/strict";
import { defaultSlotThreads, SlotHosts } from "./slot_hosts.ts";
import { slotSandbox } from "./slot_sandbox.ts";

/** Slot hosts whose Web Workers (real slot workers) get a minimal control command. */
function hosts(slots: number, threads: number): SlotHosts {
  return new SlotHosts({
    slots,
    threads,
    name: "test",
    controlCommand: (port, _sandbox, slots) => ({ type: "control", port, fileSystems: {}, slots }),
    onReport: () => {},
  });
}

Deno.test("slots share a thread group's Web Worker within one job attempt, and get their own otherwise", () => {
  const h = hosts(4, 2);
  try {
    for (let i = 0; i < 4; i++) assert.equal(typeof h.acquire(i, "job", 1, undefined), "object");
    assert.equal(h.host(0), h.host(2), "slots 0 and 2 share group 0's Web Worker");
    assert.equal(h.host(1), h.host(3));
    assert.notEqual(h.host(0), h.host(1));
    assert.deepEqual([...h.host(0)!.slots], [0, 2]);

    // Another job (or attempt) in slot 2 gets a Web Worker of its own; slot 0 keeps its.
    const first = h.host(0)!;
    h.acquire(2, "other", 1, undefined);
    assert.notEqual(h.host(2), first);
    assert.equal(h.host(0), first);
    assert.deepEqual([...first.slots], [0]);
    h.acquire(0, "job", 2, undefined);
    assert.notEqual(h.host(0), first, "a new attempt never joins the old attempt's Web Worker");

    h.free(1);
    assert.equal(h.host(1), undefined);
    assert.deepEqual([...h.host(3)!.slots], [3], "its Web Worker stays for slot 3");
  } finally {
    h.freeAll();
  }
});

Deno.test("with as many threads as slots, every slot has a Web Worker of its own", () => {
  const h = hosts(3, 3);
  try {
    for (let i = 0; i < 3; i++) h.acquire(i, "job", 1, undefined);
    assert.equal(new Set([0, 1, 2].map((i) => h.host(i))).size, 3);
  } finally {
    h.freeAll();
  }
});

Deno.test("a slot whose thread group's Web Worker does not cover its task's needs is refused, naming them (its in-thread channels need that Web Worker)", () => {
  const h = hosts(4, 2);
  const sandboxed = (net: string[]) => {
    const needs = { readWrite: [], read: [], net };
    return { sandbox: slotSandbox({ net: ["api.example.com"] }, needs, []), needs };
  };
  try {
    assert.ok(h.sharesThread(0, 2) && !h.sharesThread(0, 1) && !hosts(2, 2).sharesThread(0, 1));
    assert.equal(typeof h.acquire(0, "job", 1, sandboxed(["10.0.0.1"])), "object");
    const refused = h.acquire(2, "job", 1, sandboxed(["10.0.0.2"]));
    assert.equal(typeof refused, "string");
    assert.match(refused as string, /slot 2 shares \(--slot-threads\).*10\.0\.0\.2/);
    assert.equal(typeof h.acquire(2, "job", 1, sandboxed(["10.0.0.1"])), "object");
    assert.equal(h.host(2), h.host(0));
  } finally {
    h.freeAll();
  }
});

Deno.test("by default a worker's slots get one Web Worker each, but no more than the cores", () => {
  const cores = navigator.hardwareConcurrency;
  assert.ok(cores >= 1);
  assert.equal(defaultSlotThreads(1), 1);
  assert.equal(defaultSlotThreads(cores), cores);
  assert.equal(defaultSlotThreads(cores + 3), cores);
});
