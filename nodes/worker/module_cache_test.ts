/**
 * A worker fetches job bundles from the real master REST routes and checks
 * them against their content hash: a bundle altered in the master's blob
 * directory is refused, as are a missing bundle and a worker with no master.
 */

import assert from "node:assert/strict";
import { ActorSystem } from "../rpc/actor_system.ts";
import { BlobStore } from "../master/blob_store.ts";
import { startMasterActors } from "../master/master_process.ts";
import { restApi } from "../master/rest/api.ts";
import { moduleCache } from "./module_cache.ts";

async function withMaster(
  test: (url: string, blobDir: string, workerDir: string) => Promise<void>,
): Promise<void> {
  const system = new ActorSystem("module-cache-test", { verbose: false });
  const blobDir = await Deno.makeTempDir({ prefix: "spate-blobs-" });
  const workerDir = await Deno.makeTempDir({ prefix: "spate-worker-" });
  const actors = startMasterActors(system);
  const api = restApi({
    dispatcher: actors.dispatcher,
    resourceManager: actors.resourceManager,
    blobs: new BlobStore(blobDir),
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, api.fetch);
  try {
    await test(`http://127.0.0.1:${server.addr.port}`, blobDir, workerDir);
  } finally {
    await server.shutdown();
    await system.shutdown();
    await Deno.remove(blobDir, { recursive: true });
    await Deno.remove(workerDir, { recursive: true });
  }
}

async function upload(url: string, text: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/blobs`, { method: "PUT", body: text });
  assert.equal(res.status, 201);
  return (await res.json()).key;
}

Deno.test("module cache: a bundle that arrives with another hash is refused and not kept", async () => {
  await withMaster(async (url, blobDir, workerDir) => {
    const key = await upload(url, "export const job = 1;\n");
    // The file in the master's store changed after the upload (bit rot, tampering).
    await Deno.writeTextFile(`${blobDir}/${key}`, "export const job = 2;\n");
    const resolve = moduleCache(url, workerDir);
    await assert.rejects(
      resolve({ kind: "blob", key }),
      (e: Error) =>
        e.message.startsWith(`blob ${key} arrived with hash `) && !e.message.endsWith(key),
    );
    assert.deepEqual([...Deno.readDirSync(workerDir)], [], "nothing written for a bad bundle");
    // Repaired, the next resolve fetches again (the failure was not cached).
    await Deno.writeTextFile(`${blobDir}/${key}`, "export const job = 1;\n");
    const module = await resolve({ kind: "blob", key });
    assert.equal(await Deno.readTextFile(new URL(module)), "export const job = 1;\n");
  });
});

Deno.test("module cache: a bundle the master does not have, or no master, is a clear error", async () => {
  await withMaster(async (url, _blobDir, workerDir) => {
    const key = "cd".repeat(32);
    await assert.rejects(
      moduleCache(url, workerDir)({ kind: "blob", key }),
      new RegExp(`^Error: blob ${key}: HTTP 404 `),
    );
    await assert.rejects(
      moduleCache(undefined, workerDir)({ kind: "blob", key }),
      /this worker has no master to fetch job bundles from/,
    );
    const local = "file:///somewhere/job.ts";
    assert.equal(await moduleCache(undefined, workerDir)({ kind: "url", url: local }), local);
  });
});
