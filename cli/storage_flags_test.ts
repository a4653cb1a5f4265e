import assert from "node:assert/strict";
import { configureFileSystems, fileSystemSettings } from "../core/fs/file_system.ts";
import { parseFlags } from "./flags.ts";
import { configureStorage, hasS3Flags } from "./storage_flags.ts";
import { UsageError } from "./usage.ts";

Deno.test("--s3-* flags become the process's file system settings", () => {
  try {
    const { values } = parseFlags("worker", [
      "--s3-endpoint",
      "http://127.0.0.1:9000",
      "--s3-region",
      "eu-west-3",
      "--s3-access-key",
      "KEY",
      "--s3-secret-key",
      "SECRET",
    ]);
    assert.ok(hasS3Flags(values));
    configureStorage("worker", values);
    assert.deepEqual(fileSystemSettings(), {
      s3: {
        endpoint: "http://127.0.0.1:9000",
        region: "eu-west-3",
        accessKeyId: "KEY",
        secretAccessKey: "SECRET",
      },
    });
  } finally {
    configureFileSystems({});
  }
});

Deno.test("half-given credentials and a bad endpoint are usage errors at start", () => {
  const half = parseFlags("master", ["--s3-access-key", "KEY"]).values;
  assert.throws(
    () => configureStorage("master", half),
    (e: unknown) => e instanceof UsageError && /--s3-secret-key is missing/.test(e.message),
  );
  const bad = parseFlags("local", ["--s3-endpoint", "store:9000"]).values;
  assert.throws(
    () => configureStorage("local", bad),
    (e: unknown) => e instanceof UsageError && /not an http\(s\) URL/.test(e.message),
  );
  assert.ok(!hasS3Flags(parseFlags("master", []).values));
});
