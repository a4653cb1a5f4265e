/**
 * Jobs without an s3:// location pay nothing for S3: the client library is
 * imported by s3_file_system.ts alone, and that module only through the
 * dynamic import in fileSystemFor, so no static import chain reaches it.
 */

import assert from "node:assert/strict";
import { readSources } from "../../tests/_helpers/layers.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

Deno.test("the S3 client is imported only by s3_file_system.ts, itself only dynamically", async () => {
  const sdk: string[] = [];
  const s3Module: string[] = [];
  for (const [file, source] of await readSources(ROOT)) {
    if (file.endsWith("_test.ts") || file.startsWith("tests/")) continue;
    // Import statements only (line-anchored), not the examples in JSDoc comments.
    if (/^\s*(?:import|export)\s[^;]*?["']@aws-sdk\//m.test(source)) sdk.push(file);
    if (/^\s*(?:import|export)\s[^;]*?["'][^"']*s3_file_system\.ts["']/m.test(source)) {
      s3Module.push(`${file} (static)`);
    }
    if (/import\(\s*["'][^"']*s3_file_system\.ts["']\s*\)/.test(source)) {
      s3Module.push(`${file} (dynamic)`);
    }
  }
  assert.deepEqual(sdk, ["core/fs/s3_file_system.ts"]);
  assert.deepEqual(s3Module, ["core/fs/file_system.ts (dynamic)"]);
});
