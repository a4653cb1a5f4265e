import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { isNativeAccelerationEnabled } from "cbor-x";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

Deno.test("deno install is quiet: no warning about ignored build scripts", async () => {
  const { code, stderr, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["install"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const output = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  assert.equal(code, 0, output);
  assert.doesNotMatch(output, /Ignored build scripts|approve-scripts/, output);
});

Deno.test("cbor-x decodes natively on linux-x64 without cbor-extract's install script", () => {
  if (Deno.build.os !== "linux" || Deno.build.arch !== "x86_64") return;
  assert.equal(isNativeAccelerationEnabled, true);
});
