/**
 * Bundles a job module into one ES module for shipping to a cluster, with
 * `spate` left as an external import (each worker resolves it to its own
 * runtime). Uses `deno bundle` of the running Deno.
 * @module
 */

import { fileURLToPath } from "node:url";

/** Bundles the module at `moduleUrl`; returns the bundle's bytes. */
export async function bundleJob(moduleUrl: string, configPath?: string): Promise<Uint8Array> {
  const dir = await Deno.makeTempDir({ prefix: "spate-bundle-" });
  try {
    const out = `${dir}/job.js`;
    const args = ["bundle", "--quiet", "--external", "spate", "--platform", "deno", "-o", out];
    if (configPath) args.push("--config", configPath);
    args.push(fileURLToPath(moduleUrl));
    const res = await new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "piped" })
      .output();
    if (!res.success) {
      throw new Error(`cannot bundle the job: ${new TextDecoder().decode(res.stderr).trim()}`);
    }
    return await Deno.readFile(out);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
