import assert from "node:assert/strict";
import { slotProfiler } from "./slot_profiler.ts";

/** Runs `fn` with the profiler's variables set to `vars` (unset again after). */
async function withEnv(vars: Record<string, string>, fn: () => Promise<void>): Promise<void> {
  for (const [k, v] of Object.entries(vars)) Deno.env.set(k, v);
  try {
    await fn();
  } finally {
    for (const k of Object.keys(vars)) Deno.env.delete(k);
  }
}

/** A function whose allocations the profiles should name. */
function allocateRecords(n: number): number {
  let kept = 0;
  for (let i = 0; i < n; i++) kept += [{ i, s: `record ${i}` }].length;
  return kept;
}

Deno.test("slot profiler: a CPU profile, and with SPATE_SLOT_ALLOC_PROFILE an allocation profile naming the allocating function", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spate-slot-profile-" });
  try {
    await withEnv({ SPATE_SLOT_CPU_PROFILE: dir, SPATE_SLOT_ALLOC_PROFILE: "1" }, async () => {
      const p = slotProfiler();
      await p.started();
      assert.equal(allocateRecords(300_000), 300_000);
      await p.idle();
    });
    const files = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.equal(files.length, 2, files.join(", "));
    assert.match(files[0], /^slot-\d+-\d+\.cpuprofile$/);
    assert.equal(files[1], files[0].replace(/cpuprofile$/, "heapprofile"));
    const cpu = JSON.parse(Deno.readTextFileSync(`${dir}/${files[0]}`));
    assert.ok(cpu.nodes.length > 0 && cpu.samples.length > 0);
    // Sampled every 16 KiB, collected objects included: ~30 MB allocated is well seen.
    const heap = JSON.parse(Deno.readTextFileSync(`${dir}/${files[1]}`));
    let named = 0;
    const visit = (n: { callFrame: { functionName: string }; selfSize: number; children: [] }) => {
      if (n.callFrame.functionName === "allocateRecords") named += n.selfSize;
      n.children.forEach(visit);
    };
    visit(heap.head);
    assert.ok(named > 1_000_000, `allocateRecords allocated ${named} bytes in the profile`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
