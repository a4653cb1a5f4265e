/**
 * Request bodies over their limit with no declared length (chunked): the REST
 * layer counts what it reads and refuses with 413 as soon as the limit is
 * passed; the blob store refuses an oversized bundle itself; a job that names
 * a blob never uploaded is refused.
 */

import assert from "node:assert/strict";
import { ActorSystem } from "../../rpc/actor_system.ts";
import { BlobStore } from "../blob_store.ts";
import { startMasterActors } from "../master_process.ts";
import { restApi } from "./api.ts";

async function withApi(
  limits: { body: number; blob: number },
  test: (api: ReturnType<typeof restApi>, blobs: BlobStore) => Promise<void>,
): Promise<void> {
  const system = new ActorSystem("rest-limits-test", { verbose: false });
  const blobDir = await Deno.makeTempDir({ prefix: "spate-rest-limits-" });
  const actors = startMasterActors(system);
  const blobs = new BlobStore(blobDir, limits.blob);
  const api = restApi({
    dispatcher: actors.dispatcher,
    resourceManager: actors.resourceManager,
    blobs,
    maxRequestBodyBytes: limits.body,
  });
  try {
    await test(api, blobs);
  } finally {
    await system.shutdown();
    await Deno.remove(blobDir, { recursive: true });
  }
}

/** A body of `chunks` chunks of `size` bytes, streamed: no content-length. */
function streamed(chunks: number, size: number): RequestInit {
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ < chunks) controller.enqueue(new Uint8Array(size).fill(0x20));
      else controller.close();
    },
  });
  return { body, duplex: "half" } as RequestInit;
}

Deno.test("REST: a streamed body past --max-request-body-bytes is refused with 413", async () => {
  await withApi({ body: 2048, blob: 4096 }, async (api) => {
    const res = await api.request("/api/v1/jobs", { method: "POST", ...streamed(5, 1000) });
    assert.equal(res.status, 413);
    assert.deepEqual(await res.json(), {
      errors: ["request body of 3000 bytes exceeds 2048 (--max-request-body-bytes)"],
    });
  });
});

Deno.test("REST: a streamed bundle past --max-upload-bytes is refused with 413", async () => {
  await withApi({ body: 2048, blob: 4096 }, async (api) => {
    const res = await api.request("/api/v1/blobs", { method: "PUT", ...streamed(3, 2000) });
    assert.equal(res.status, 413);
    assert.deepEqual(await res.json(), {
      errors: ["request body of 6000 bytes exceeds 4096 (--max-upload-bytes)"],
    });
    // Under the limit, the same route stores it.
    const ok = await api.request("/api/v1/blobs", { method: "PUT", ...streamed(2, 2000) });
    assert.equal(ok.status, 201, await ok.text());
  });
});

Deno.test("blob store: a bundle over its limit is refused before it is stored", async () => {
  await withApi({ body: 2048, blob: 10 }, async (_api, blobs) => {
    await assert.rejects(
      blobs.put(new Uint8Array(11)),
      { name: "InvalidRequestError", message: "blob of 11 bytes exceeds the limit of 10" },
    );
    assert.deepEqual([...Deno.readDirSync(blobs.dir)], []);
  });
});

Deno.test("REST: a job naming a blob never uploaded is refused", async () => {
  await withApi({ body: 64 * 1024, blob: 4096 }, async (api) => {
    const vertex = {
      id: 1,
      parallelism: 1,
      name: "v",
      slotSharingGroup: "default",
      nodeIds: [1],
      operatorUids: ["u"],
      inputs: [],
      outputs: [],
    };
    const submission = {
      jobName: "j",
      jobGraph: { jobName: "j", vertices: [vertex], edges: [] },
      job: { module: { kind: "blob", key: "ab".repeat(32) }, fingerprint: "f" },
    };
    const res = await api.request("/api/v1/jobs", {
      method: "POST",
      body: JSON.stringify(submission),
    });
    const body = await res.json();
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.match(body.errors[0], /job\.module\.key names no uploaded blob: PUT the bundle/);
  });
});
