import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { checkLayers, formatViolations, importsOf, readSources } from "./_helpers/layers.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");

Deno.test("every source file keeps the layer rules of ARCHITECTURE.md", async () => {
  const sources = await readSources(ROOT);
  assert.ok(sources.size > 200, `expected the whole project, read ${sources.size} files`);
  const violations = checkLayers(sources);
  assert.equal(violations.length, 0, `layer rules broken:\n${formatViolations(violations)}`);
});

Deno.test("the layer check names the file and the import of a broken rule", async () => {
  const sources = await readSources(ROOT);
  sources.set(
    "core/operators/broken.ts",
    `import { startMaster } from "../../nodes/master/master_process.ts";\n`,
  );
  sources.set("nodes/worker/broken.ts", `export { JobMaster } from "../master/job_master.ts";\n`);
  sources.set("nodes/rpc/broken.ts", `const m = await import("../worker/task.ts");\n`);
  sources.set("bench/broken.ts", `import "../cli/main.ts";\n`);
  const lines = formatViolations(checkLayers(sources)).split("\n");
  const expected = [
    "core/operators/broken.ts: import '../../nodes/master/master_process.ts': core/ imports only core/",
    "nodes/worker/broken.ts: import '../master/job_master.ts': nodes/worker imports only core/",
    "nodes/rpc/broken.ts: import '../worker/task.ts': nodes/rpc imports no role",
    "bench/broken.ts: import '../cli/main.ts': nothing imports cli/",
  ];
  for (const e of expected) {
    assert.ok(lines.some((l) => l.startsWith(e)), `missing '${e}' in:\n${lines.join("\n")}`);
  }
});

Deno.test("the layer check finds an import cycle between packages", () => {
  const sources = new Map([
    ["core/graph/a.ts", `import { b } from "../datastream/b.ts";\n`],
    ["core/datastream/b.ts", `import type { a } from "../graph/a.ts";\n`],
    ["core/time/c.ts", `import { b } from "../datastream/b.ts";\n`],
  ]);
  const violations = checkLayers(sources);
  assert.equal(violations.length, 1);
  assert.equal(violations[0].rule, "no import cycle between packages");
  assert.match(violations[0].import, /core\/graph -> core\/datastream \(core\/graph\/a\.ts/);
  assert.match(violations[0].import, /core\/datastream -> core\/graph \(core\/datastream\/b\.ts/);
});

Deno.test("importsOf reads static, re-export, side-effect and literal dynamic imports", () => {
  const text = [
    `import { a } from "./a.ts";`,
    `import type {\n  B,\n} from "../b.ts";`,
    `export * from "./c.ts";`,
    `import "./d.ts";`,
    `const e = await import("./e.ts");`,
    `import { f } from "npm:cbor-x";`,
    `// "./not_an_import.ts"`,
  ].join("\n");
  assert.deepEqual(importsOf(text), ["./a.ts", "../b.ts", "./c.ts", "./d.ts", "./e.ts"]);
});
