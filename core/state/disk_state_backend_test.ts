import assert from "node:assert/strict";
import { stateBackendContract } from "../../tests/_suites/state_backend_contract.ts";
import { ListStateDescriptor, MapStateDescriptor, ValueStateDescriptor } from "../api/state.ts";
import { DiskStateBackend } from "./disk_state_backend.ts";
import { HeapStateBackend } from "./heap_state_backend.ts";
import { assignToKeyGroup } from "./key_groups.ts";
import type { KeyedStateBackend } from "./keyed_state_backend.ts";

const root = Deno.makeTempDirSync({ prefix: "spate-disk-state-test-" });
globalThis.addEventListener("unload", () => Deno.removeSync(root, { recursive: true }));

stateBackendContract(
  "DiskStateBackend (64 MiB budget)",
  (options) => new DiskStateBackend({ ...options, directory: root, memoryBudgetBytes: 64 << 20 }),
);
stateBackendContract(
  "DiskStateBackend (64 byte budget, spills)",
  (options) => new DiskStateBackend({ ...options, directory: root, memoryBudgetBytes: 64 }),
);

/** A workload over many keys; returns the backend's snapshot. */
async function workload(b: KeyedStateBackend) {
  const count = b.getState(new ValueStateDescriptor("count", 0));
  const words = b.getListState(new ListStateDescriptor<string>("words"));
  const last = b.getMapState(new MapStateDescriptor<string, number>("last"));
  for (let i = 0; i < 3000; i++) {
    b.setCurrentKey(`user-${(i * 7919) % 300}`);
    count.update(count.value()! + 1);
    if (i % 3 === 0) words.add(`w${i}`);
    last.put(`page-${i % 5}`, i);
  }
  return await b.snapshot(1);
}

Deno.test("DiskStateBackend spills to kg-<n>.cbor files within its budget", async () => {
  const b = new DiskStateBackend({ directory: root, memoryBudgetBytes: 4096 });
  const snapshot = await workload(b);
  const files = [...Deno.readDirSync(b.spillDirectory)].map((e) => e.name);
  assert.ok(files.length > 100, `expected spill files, got ${files.length}`);
  assert.ok(files.every((f) => /^kg-\d+\.cbor$/.test(f)), files.join());
  assert.ok(b.residentKeyGroups < 16, `${b.residentKeyGroups} key groups resident`);
  const groups = new Set(Array.from({ length: 300 }, (_, u) => assignToKeyGroup(`user-${u}`, 128)));
  assert.equal(snapshot.keyGroups.length, groups.size); // spilled groups are in the snapshot
  const dir = b.spillDirectory;
  b.dispose();
  assert.throws(() => Deno.statSync(dir), Deno.errors.NotFound);
});

Deno.test("DiskStateBackend with a tiny budget gives the heap backend's snapshot", async () => {
  const heap = new HeapStateBackend();
  const disk = new DiskStateBackend({ directory: root, memoryBudgetBytes: 1 });
  assert.deepEqual(await workload(disk), await workload(heap));
  assert.equal(disk.residentKeyGroups, 1);
  disk.dispose();
  heap.dispose();
});
