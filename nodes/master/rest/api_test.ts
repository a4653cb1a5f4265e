/**
 * The REST layer's answers to errors, on the real Dispatcher and
 * ResourceManager: the caller's errors are 4xx with their message and leave
 * no line in the log; an internal error is 500 with its stack logged.
 */

import assert from "node:assert/strict";
import { ActorSystem } from "../../rpc/actor_system.ts";
import { BlobStore } from "../blob_store.ts";
import { startMasterActors } from "../master_process.ts";
import { restApi } from "./api.ts";

/** The REST app on fresh master actors; `logged` holds what it wrote to console.error. */
async function withApi(
  test: (api: ReturnType<typeof restApi>, logged: string[], blobDir: string) => Promise<void>,
): Promise<void> {
  const system = new ActorSystem("rest-test", { verbose: false });
  const blobDir = await Deno.makeTempDir({ prefix: "spate-rest-" });
  const actors = startMasterActors(system);
  const api = restApi({
    dispatcher: actors.dispatcher,
    resourceManager: actors.resourceManager,
    blobs: new BlobStore(blobDir),
  });
  const logged: string[] = [];
  const consoleError = console.error;
  console.error = (...args: unknown[]) => logged.push(args.join(" "));
  try {
    await test(api, logged, blobDir);
  } finally {
    console.error = consoleError;
    await system.shutdown();
    await Deno.remove(blobDir, { recursive: true }).catch(() => {});
  }
}

async function call(api: ReturnType<typeof restApi>, method: string, path: string, body?: string) {
  const res = await api.request(`/api/v1${path}`, { method, body });
  return { status: res.status, body: await res.json() };
}

Deno.test("REST: the caller's errors are 4xx with one message and nothing logged", async () => {
  await withApi(async (api, logged) => {
    const id = "0".repeat(32);
    const unknown = { status: 404, body: { errors: [`no job ${id}`] } };
    assert.deepEqual(await call(api, "GET", `/jobs/${id}`), unknown);
    assert.deepEqual(await call(api, "PATCH", `/jobs/${id}?mode=cancel`), unknown);
    // No body is an empty request; a body that is not JSON is the caller's error.
    assert.deepEqual(await call(api, "POST", `/jobs/${id}/savepoints`), unknown);
    const notJson = await call(api, "POST", `/jobs/${id}/savepoints`, "{targetDirectory");
    assert.equal(notJson.status, 400);
    assert.match(notJson.body.errors[0], /^the request body is not JSON: /);
    const submission = await call(api, "POST", "/jobs", "not json");
    assert.equal(submission.status, 400);
    assert.match(submission.body.errors[0], /^the request body is not JSON: /);
    assert.deepEqual(await call(api, "POST", "/jobs", "{}"), {
      status: 400,
      body: { errors: ["jobName must be a string"] },
    });
    assert.deepEqual(logged, []);
  });
});

Deno.test("REST: an internal error is 500 and logged with its stack", async () => {
  await withApi(async (api, logged, blobDir) => {
    // A file where the blob directory should be: no blob can be written under it.
    await Deno.remove(blobDir, { recursive: true });
    await Deno.writeTextFile(blobDir, "not a directory");
    const res = await api.request("/api/v1/blobs", { method: "PUT", body: "bundle" });
    assert.equal(res.status, 500);
    assert.match((await res.json()).errors[0], /^internal error: /);
    assert.equal(logged.length, 1);
    assert.match(logged[0], /^\[rest\] PUT \/api\/v1\/blobs: \w+: .*\n\s+at /);
  });
});
