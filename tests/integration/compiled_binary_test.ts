/**
 * Smoke test of the compiled binary `dist/spate` (`deno task compile`, built by
 * the Dockerfile where the internet is reachable): a master, a worker and a
 * `run --master` of WordCount, all from the binary alone (its job bundling
 * needs no Deno CLI). Where the binary does not exist (`deno compile` cannot
 * download its runtime here) the test is reported ignored, with the reason.
 * @module
 */

import assert from "node:assert/strict";
import { PROJECT_ROOT } from "../_helpers/cli.ts";
import { freePort, waitFor } from "../_helpers/cluster.ts";

const BINARY = `${PROJECT_ROOT}dist/spate`;

function binaryMissing(): string | undefined {
  try {
    return Deno.statSync(BINARY).isFile ? undefined : `${BINARY} is not a file`;
  } catch {
    return `${BINARY} does not exist (build it with deno task compile where the internet is ` +
      "reachable: deno compile downloads its runtime)";
  }
}

/** `dist/spate <args>` with PATH holding no deno, its stderr kept. */
function binary(args: string[]): { child: Deno.ChildProcess; stderr: Promise<string> } {
  const child = new Deno.Command(BINARY, {
    args,
    cwd: PROJECT_ROOT,
    env: { PATH: "/usr/bin:/bin", NO_COLOR: "1" },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  child.stdout.cancel();
  return { child, stderr: new Response(child.stderr).text() };
}

const missing = binaryMissing();
if (missing !== undefined) console.error(`skipping the compiled-binary smoke test: ${missing}`);

Deno.test({
  name: "compiled binary: master, worker and run --master of WordCount, no Deno CLI beside it",
  ignore: missing !== undefined,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "spate-binary-" });
    const url = `http://127.0.0.1:${freePort()}`;
    const master = binary(["master", "--port", new URL(url).port, "--blob-dir", `${dir}/blobs`]);
    const worker = binary(["worker", "--master", url, "--work-dir", `${dir}/w`]);
    try {
      await waitFor("the worker to register", async () => {
        const res = await fetch(`${url}/api/v1/overview`);
        return (await res.json()).taskmanagers === 1;
      });
      const input = `${PROJECT_ROOT}examples/data/sample.txt`;
      const run = binary([
        "run",
        `${PROJECT_ROOT}examples/wordcount.ts`,
        "--master",
        url,
        `--allow-read=${input}`,
        "--",
        "--input",
        input,
      ]);
      const [status, stderr] = await Promise.all([run.child.status, run.stderr]);
      assert.equal(status.code, 0, stderr);
      assert.match(stderr, /FINISHED/);
    } finally {
      for (const p of [master, worker]) p.child.kill("SIGKILL");
      await Promise.all([master, worker].flatMap((p) => [p.child.status, p.stderr]));
      await Deno.remove(dir, { recursive: true });
    }
  },
});
