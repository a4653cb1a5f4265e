/**
 * Compatibility: the savepoint in tests/fixtures/savepoint-v1 (written by an
 * earlier spate, from tests/_jobs/state_fixture.ts at parallelism 2) restores
 * with today's code, at the same and at another parallelism. Each key's
 * count continues from what the savepoint held, to exactly the full count,
 * so the source position, the keyed state and the key groups of string,
 * integer and structured keys all restored where they belong.
 */

import assert from "node:assert/strict";
import { jobPath, PROJECT_ROOT, runCli } from "../_helpers/cli.ts";

const FIXTURE = `${PROJECT_ROOT}tests/fixtures/savepoint-v1`;
const EVENTS = 3000;
const KEYS = 30;

for (const parallelism of [2, 3]) {
  Deno.test(`the savepoint fixture restores at parallelism ${parallelism}`, async () => {
    const res = await runCli([
      "run",
      jobPath("state_fixture.ts"),
      "--local",
      "--mode",
      "streaming",
      "-p",
      String(parallelism),
      "--from-savepoint",
      FIXTURE,
      "--",
      "--events",
      String(EVENTS),
      "--keys",
      String(KEYS),
    ]);
    assert.equal(res.code, 0, res.stderr);
    // "N> key,count" lines of the print sink, by key.
    const counts = new Map<string, number[]>();
    for (const line of res.stdout.split("\n")) {
      const m = /^\d+> (.*),(\d+)$/.exec(line);
      if (m) counts.set(m[1], [...counts.get(m[1]) ?? [], Number(m[2])]);
    }
    assert.equal(counts.size, KEYS, `every key printed: ${[...counts.keys()]}`);
    let printed = 0;
    for (const [key, seen] of counts) {
      seen.sort((a, b) => a - b);
      printed += seen.length;
      // The savepoint held c >= 1 events of the key: counting goes on at c + 1, up to the full count.
      assert.ok(seen[0] > 1, `${key} starts from its saved count, not 1: ${seen[0]}`);
      assert.deepEqual(
        seen,
        Array.from({ length: seen.length }, (_, i) => seen[0] + i),
        `${key} counts on without gaps or repeats`,
      );
      assert.equal(seen.at(-1), EVENTS / KEYS, `${key}'s final count`);
    }
    // The source went on from its saved position: the events before it were not read again.
    assert.ok(printed < EVENTS, `${printed} events after the savepoint, of ${EVENTS}`);
  });
}
