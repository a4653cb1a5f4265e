import assert from "node:assert/strict";
import { HeapStateBackend } from "../state/heap_state_backend.ts";
import { ManualProcessingTimeService } from "./processing_time.ts";
import { InternalTimerService } from "./timer_service.ts";

function timers() {
  const backend = new HeapStateBackend({});
  const service = new InternalTimerService(backend, new ManualProcessingTimeService());
  const fired: string[] = [];
  service.setTriggerable({
    onEventTime: (t) => fired.push(`${String(t.key)}/${t.namespace}@${t.timestamp}`),
    onProcessingTime: () => {},
  });
  return { backend, service, fired };
}

Deno.test("timers: one per (timestamp, namespace, key), however often registered", () => {
  const { backend, service, fired } = timers();
  for (const key of ["a", "b", "a"]) {
    backend.setCurrentKey(key);
    service.registerEventTimeTimer("w", 10);
    service.registerEventTimeTimer("w", 10);
    service.registerEventTimeTimer("v", 10);
  }
  service.advanceWatermark(10);
  assert.deepEqual(fired.sort(), ["a/v@10", "a/w@10", "b/v@10", "b/w@10"]);
});

Deno.test("timers: a timer registered again after it fired or was deleted counts again", () => {
  const { backend, service, fired } = timers();
  backend.setCurrentKey("a");
  service.registerEventTimeTimer("w", 10);
  service.advanceWatermark(10);
  service.registerEventTimeTimer("w", 10); // the one that just fired: a new timer
  service.advanceWatermark(11);
  service.registerEventTimeTimer("w", 20);
  service.deleteEventTimeTimer("w", 20);
  service.registerEventTimeTimer("w", 20);
  service.advanceWatermark(20);
  assert.deepEqual(fired, ["a/w@10", "a/w@10", "a/w@20"]);
});

Deno.test("timers: one timer at a timestamp, then more; deletes, snapshots and fires find each", () => {
  const { backend, service, fired } = timers();
  const at = (key: string, ns: string, t: number) => {
    backend.setCurrentKey(key);
    service.registerEventTimeTimer(ns, t);
  };
  at("a", "w", 10); // alone at 10
  at("b", "w", 10); // a second: nested
  at("a", "v", 10);
  at("c", "w", 20); // alone at 20
  at("c", "w", 20);
  at("d", "w", 30);
  backend.setCurrentKey("d");
  service.deleteEventTimeTimer("w", 30); // the only one at 30
  backend.setCurrentKey("a");
  service.deleteEventTimeTimer("w", 10); // one of several at 10
  service.deleteEventTimeTimer("w", 20); // a's: none at 20, c's stays
  assert.equal(service.size, 3);
  const snapshot = service.snapshot().flatMap((g) =>
    g.eventTime.map(([t, k, ns]) => `${k}/${ns}@${t}`)
  );
  assert.deepEqual(snapshot.sort(), ["a/v@10", "b/w@10", "c/w@20"]);
  service.advanceWatermark(30);
  assert.deepEqual(fired, ["b/w@10", "a/v@10", "c/w@20"]);
  at("a", "w", 10); // after firing, the timestamp is free again
  service.advanceWatermark(40);
  assert.equal(fired.at(-1), "a/w@10");
});

Deno.test("timers: epoch, earlier, negative, fractional and infinite timestamps stay apart", () => {
  const { backend, service, fired } = timers();
  const epoch = Date.UTC(2026, 0, 1);
  // The first timestamp filed sets the index's offset base; the others are earlier, later, or
  // not filed by offset at all (the string "-5" and the offset -5 must not meet).
  const times = [epoch, epoch - 5, epoch + 0.5, 5, -5, 0.25, Infinity, epoch + 2 ** 31, epoch];
  backend.setCurrentKey("k");
  for (const t of times) service.registerEventTimeTimer("", t);
  for (const t of times) service.registerEventTimeTimer("", t); // each once
  assert.equal(service.size, times.length - 1);
  service.deleteEventTimeTimer("", -5);
  service.deleteEventTimeTimer("", epoch - 5);
  assert.equal(service.size, times.length - 3);
  service.advanceWatermark(Infinity);
  assert.deepEqual(fired, [
    "k/@0.25",
    "k/@5",
    `k/@${epoch}`,
    `k/@${epoch + 0.5}`,
    `k/@${epoch + 2 ** 31}`,
    "k/@Infinity",
  ]);
});
