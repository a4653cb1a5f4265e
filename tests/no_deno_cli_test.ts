/**
 * A compiled `spate` binary runs where no Deno CLI is installed: no code
 * path outside tests (and the benchmark harness, which starts its peer
 * processes as tests do) may start the `deno` executable. Job bundling is
 * in-process (client/bundle.ts, esbuild); slots import bundles from files.
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { readSources } from "./_helpers/layers.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");

/** What starts the Deno CLI: its path, or a command or spawn of `deno`. */
const SPAWNS_DENO = /Deno\.execPath\s*\(|Command\(\s*["']deno["']|spawn(?:Sync)?\(\s*["']deno["']/;

/** The files that may: tests, and the benchmark harness. */
const exempt = (path: string) =>
  path.startsWith("tests/") || path.startsWith("bench/") || path.endsWith("_test.ts");

/** Every product file that starts the Deno CLI, with the matching text. */
export function denoSpawners(sources: Map<string, string>): string[] {
  const found: string[] = [];
  for (const [path, text] of sources) {
    if (exempt(path)) continue;
    const m = SPAWNS_DENO.exec(text);
    if (m !== null) found.push(`${path}: ${m[0]}`);
  }
  return found;
}

Deno.test("no code path outside tests starts the deno executable", async () => {
  const sources = await readSources(ROOT);
  assert.ok(sources.has("cli/run.ts") && sources.has("client/bundle.ts"), "read the project");
  assert.deepEqual(denoSpawners(sources), []);
});

Deno.test("the check names a file that would start deno", () => {
  const sources = new Map([
    ["nodes/client/bundle.ts", "await new Deno.Command(Deno.execPath(), { args }).output();"],
    ["cli/x.ts", `spawn("deno", ["bundle"]);`],
    ["tests/integration/y_test.ts", "new Deno.Command(Deno.execPath())"],
  ]);
  assert.deepEqual(denoSpawners(sources), [
    "nodes/client/bundle.ts: Deno.execPath(",
    `cli/x.ts: spawn("deno"`,
  ]);
});
