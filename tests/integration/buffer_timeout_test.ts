/** The buffer timeout sends partly filled buffers; without it this job would never finish. */

import assert from "node:assert/strict";
import { runJobModule } from "../_helpers/run_job.ts";

for (const bufferTimeoutMs of [100, 0]) {
  Deno.test(`partly filled buffers leave after the buffer timeout (${bufferTimeoutMs} ms)`, async () => {
    const { module, result } = await runJobModule<{ results: number[] }>(
      "buffer_timeout.ts",
      [],
      { bufferTimeoutMs },
    );
    assert.deepEqual(module.results, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(result.slots, 2);
  });
}
