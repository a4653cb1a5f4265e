/**
 * `deno task build:client`: the client SDK for Node users, in dist/client:
 * `mod.js` (one ES module; undici and esbuild stay npm imports) and `.d.ts`
 * declarations from TypeScript's own emitter.
 * @module
 */

import * as esbuild from "esbuild";
import ts from "typescript";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT = `${ROOT}dist/client`;

await Deno.remove(OUT, { recursive: true }).catch(() => {});
try {
  await esbuild.build({
    entryPoints: [`${ROOT}client/mod.ts`],
    outfile: `${OUT}/mod.js`,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    logLevel: "warning",
  });
} finally {
  await esbuild.stop();
}

// Declarations: every file the entry reaches, under dist/client/types, with `.ts` imports as `.js`.
const program = ts.createProgram([`${ROOT}client/mod.ts`], {
  declaration: true,
  emitDeclarationOnly: true,
  allowImportingTsExtensions: true,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
  types: [],
  skipLibCheck: true,
  strict: true,
  rootDir: ROOT,
  outDir: `${OUT}/types`,
  noCheck: true,
});
const result = program.emit(undefined, (path, text) => {
  Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  Deno.writeTextFileSync(path, text.replace(/(from\s+["']\.[^"']*)\.ts(["'])/g, "$1.js$2"));
});
if (result.emitSkipped) {
  throw new Error(ts.formatDiagnostics(result.diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => ROOT,
    getNewLine: () => "\n",
  }));
}
await Deno.writeTextFile(
  `${OUT}/mod.d.ts`,
  `export * from "./types/client/mod.js";\n`,
);
await Deno.writeTextFile(
  `${OUT}/package.json`,
  JSON.stringify({ type: "module", main: "mod.js", types: "mod.d.ts" }, null, 2) + "\n",
);
console.log(`built ${OUT}: mod.js, mod.d.ts and types/`);
