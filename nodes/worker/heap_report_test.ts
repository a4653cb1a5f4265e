import assert from "node:assert/strict";
import { heapSampler } from "./heap_report.ts";

Deno.test("a heap sampler writes the peaks of the isolate's heap spaces when it stops", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spate-heap-report-" });
  try {
    const sampler = heapSampler("test", dir);
    sampler.start();
    const keep = Array.from({ length: 100_000 }, (_, i) => ({ i }));
    sampler.stop();
    const files = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.equal(files.length, 1);
    assert.match(files[0], /^heap-test-\d+-\d+\.json$/);
    const { label, peakMB } = JSON.parse(Deno.readTextFileSync(`${dir}/${files[0]}`));
    assert.equal(label, "test");
    assert.ok(peakMB.heapUsed > 1 && peakMB.heapUsed <= peakMB.heapTotal, JSON.stringify(peakMB));
    assert.ok(peakMB["old_space.size"] > 0 && peakMB["new_space.size"] > 0);
    assert.ok(peakMB.rss >= peakMB.heapTotal);
    assert.equal(keep.length, 100_000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
