/**
 * Bundles a job module into one ES module in-process with esbuild (no Deno
 * CLI): `spate` stays an external import that each slot resolves to its own
 * runtime, as do `npm:`, `jsr:` and `node:` specifiers. The job's graph, and
 * so its fingerprint, is the same as from the source.
 * @module
 */

/** Bundles the job module at `path`; returns the bundle's bytes. */
export async function bundleJob(path: string): Promise<Uint8Array> {
  const esbuild = await import("esbuild");
  try {
    const out = await esbuild.build({
      entryPoints: [path],
      bundle: true,
      write: false,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      external: ["spate", "npm:*", "jsr:*", "node:*"],
      logLevel: "silent",
    });
    return out.outputFiles[0].contents;
  } catch (e) {
    const errors = (e as { errors?: { text: string; location?: { file: string; line: number } }[] })
      .errors;
    const what = errors?.map((x) =>
      x.location === undefined ? x.text : `${x.location.file}:${x.location.line}: ${x.text}`
    ).join("; ");
    throw new Error(`cannot bundle the job ${path}: ${what ?? (e as Error).message}`, { cause: e });
  } finally {
    await esbuild.stop();
  }
}
