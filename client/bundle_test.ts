import assert from "node:assert/strict";
import { fileURLToPath, pathToFileURL } from "node:url";
import { planJob } from "../nodes/client/load_job.ts";
import { bundleJob } from "./bundle.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const JOB = `${ROOT}tests/_jobs/sdk_keyed_count.ts`;

/** The plan the module at `path` builds (plan mode, as `spate plan` and the master do). */
function plan(path: string) {
  return planJob(
    { args: ["--events", "10"], jobModuleUrl: pathToFileURL(path).href, defaults: {} },
    path,
  );
}

Deno.test("a bundle keeps spate external and builds the source's graph (same fingerprint)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spate-bundle-" });
  try {
    const source = await plan(JOB);
    for (const engine of ["auto", "wasm"] as const) {
      const bytes = await bundleJob(JOB, engine);
      const text = new TextDecoder().decode(bytes);
      assert.match(text, /from "spate"/, `${engine}: spate stays an import`);
      assert.doesNotMatch(
        text,
        /StreamExecutionEnvironment\s*=\s*class|class StreamExecutionEnvironment/,
      );
      const path = `${dir}/${engine}.js`;
      await Deno.writeFile(path, bytes);
      assert.equal((await plan(path)).fingerprint, source.fingerprint, engine);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a job that does not compile: an error naming the file and line", async () => {
  const path = `${ROOT}tests/_jobs/syntax_error.ts`;
  await assert.rejects(bundleJob(path), /cannot bundle the job .*syntax_error\.ts:\d+: /);
  await assert.rejects(bundleJob(path, "wasm"), /cannot bundle the job .*syntax_error\.ts:\d+: /);
});
