import assert from "node:assert/strict";
import { configureFileSystems } from "../../core/fs/file_system.ts";
import { S3RVER_CREDENTIALS, startS3rver } from "../../tests/_helpers/s3rver.ts";
import { BlobStore } from "./blob_store.ts";

/** Puts and gets through `store`: content-addressed, bounded, unknown keys absent. */
async function roundTrip(store: BlobStore): Promise<void> {
  const bundle = new TextEncoder().encode("export default 1;");
  const key = await store.put(bundle);
  assert.match(key, /^[0-9a-f]{64}$/);
  assert.equal(await store.put(bundle), key, "the same bytes, the same key");
  assert.deepEqual(await store.get(key), bundle);
  assert.equal(await store.get("0".repeat(64)), undefined);
  assert.equal(await store.get("../etc/passwd"), undefined);
  await assert.rejects(
    () => store.put(new Uint8Array(store.maxBlobBytes + 1)),
    /exceeds the limit/,
  );
}

Deno.test("BlobStore keeps job bundles in a directory", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spate-blobs-" });
  try {
    await roundTrip(new BlobStore(`${dir}/not-yet-created`, 1024));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("BlobStore keeps job bundles under an s3:// prefix (HA storage on a real s3rver)", async () => {
  const s3 = await startS3rver(["spate"]);
  try {
    configureFileSystems({ s3: { endpoint: s3.endpoint, ...S3RVER_CREDENTIALS } });
    await roundTrip(new BlobStore("s3://spate/ha/blobs", 1024));
  } finally {
    configureFileSystems({});
    await s3.stop();
  }
});
