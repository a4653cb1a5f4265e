import assert from "node:assert/strict";

// cli/main.ts loads its command modules through run-time URLs (so a process
// reads only its command's graph); `deno compile` cannot see those, so the
// compile task must --include each one, or the binary fails at that command.
Deno.test("deno task compile includes every module cli/main.ts loads at run time", async () => {
  const main = await Deno.readTextFile(new URL("./main.ts", import.meta.url));
  const loaded = new Set([...main.matchAll(/load\("\.\/([\w.]+\.ts)"\)/g)].map((m) => m[1]));
  assert.ok(loaded.size >= 8, `found ${[...loaded].join(", ")}`);
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const compile: string = config.tasks.compile;
  const missing = [...loaded].filter((m) => !compile.includes(`--include cli/${m}`));
  assert.deepEqual(missing, [], "modules missing from the compile task's --include list");
});
