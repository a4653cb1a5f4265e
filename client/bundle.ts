/**
 * Bundles a job module into one ES module with esbuild, never with the Deno
 * CLI: esbuild's native binary where its npm package installed one (fast),
 * else its WebAssembly build in this thread (what a compiled binary, whose
 * bundled files cannot be executed, falls back to). `spate` stays an external import that each slot resolves to its
 * own runtime, as do `npm:`, `jsr:`, `node:` and other bare specifiers. The
 * job's graph, and so its fingerprint, is the same as from the source.
 * @module
 */

import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, extname, isAbsolute, resolve } from "node:path";
import type * as Esbuild from "esbuild-wasm";

/** The loader of each source extension esbuild reads. */
const LOADERS: Record<string, Esbuild.Loader> = {
  ".ts": "ts",
  ".mts": "ts",
  ".tsx": "tsx",
  ".js": "js",
  ".mjs": "js",
  ".jsx": "jsx",
  ".json": "json",
};

let ready: Promise<typeof Esbuild> | undefined;

/**
 * esbuild, started once per process. Deno (and a compiled binary) runs its
 * WebAssembly in this thread; Node runs esbuild-wasm's own Node API (its
 * browser build needs `self`, which Node 20 lacks).
 */
function esbuild(): Promise<typeof Esbuild> {
  ready ??= (async () => {
    if (!("Deno" in globalThis)) return await import("esbuild-wasm") as typeof Esbuild;
    const api = await import("esbuild-wasm/esm/browser.js") as typeof Esbuild;
    const wasm = createRequire(import.meta.url).resolve("esbuild-wasm/esbuild.wasm");
    await api.initialize({
      wasmModule: await WebAssembly.compile(new Uint8Array(await readFile(wasm))),
      worker: false,
    });
    return api;
  })();
  return ready;
}

/** Reads the job's own files from disk; everything not relative or absolute stays external. */
const files: Esbuild.Plugin = {
  name: "spate-files",
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.path.startsWith("file://")) return { path: new URL(args.path).pathname };
      if (isAbsolute(args.path)) return { path: args.path };
      if (args.path.startsWith("./") || args.path.startsWith("../")) {
        return { path: resolve(args.resolveDir, args.path) };
      }
      return { path: args.path, external: true };
    });
    build.onLoad({ filter: /.*/ }, async (args) => ({
      contents: await readFile(args.path),
      loader: LOADERS[extname(args.path)] ?? "js",
      resolveDir: dirname(args.path),
    }));
  },
};

/** Whether esbuild's native binary failed to start in this process (then: WebAssembly). */
let nativeUnavailable = false;

/** A failure of the job's code (with esbuild's messages), not of starting esbuild. */
const buildFailure = (e: unknown) => Array.isArray((e as { errors?: unknown }).errors);

async function nativeBuild(options: Esbuild.BuildOptions): Promise<Esbuild.BuildResult> {
  const native = await import("esbuild") as unknown as typeof Esbuild;
  try {
    return await native.build(options);
  } finally {
    await native.stop(); // its child process would keep the process alive
  }
}

async function wasmBuild(options: Esbuild.BuildOptions): Promise<Esbuild.BuildResult> {
  return await (await esbuild()).build(options);
}

/**
 * Bundles the job module at `path`; returns the bundle's bytes. `engine`
 * "wasm" skips the native binary (what a compiled binary ends up using).
 */
export async function bundleJob(
  path: string,
  engine: "auto" | "wasm" = "auto",
): Promise<Uint8Array> {
  const options: Esbuild.BuildOptions = {
    entryPoints: [resolve(path)],
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    plugins: [files],
    logLevel: "silent",
  };
  try {
    const out = nativeUnavailable || engine === "wasm"
      ? await wasmBuild(options)
      : await nativeBuild(options).catch(
        (e) => {
          if (buildFailure(e)) throw e;
          nativeUnavailable = true;
          return wasmBuild(options);
        },
      );
    return out.outputFiles![0].contents;
  } catch (e) {
    const errors = (e as { errors?: Esbuild.Message[] }).errors;
    const what = errors?.map((x) =>
      x.location === null ? x.text : `${x.location.file}:${x.location.line}: ${x.text}`
    ).join("; ");
    throw new Error(`cannot bundle the job ${path}: ${what ?? (e as Error).message}`, { cause: e });
  }
}
