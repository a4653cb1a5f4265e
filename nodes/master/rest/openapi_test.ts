/** The OpenAPI document names exactly the routes the REST app serves. */

import assert from "node:assert/strict";
import { ActorSystem } from "../../rpc/actor_system.ts";
import { BlobStore } from "../blob_store.ts";
import { startMasterActors } from "../master_process.ts";
import { restApi } from "./api.ts";
import { OPENAPI } from "./openapi.ts";

Deno.test("OpenAPI: every route the app serves is described, and nothing else", async () => {
  const system = new ActorSystem("openapi-test", { verbose: false });
  const blobDir = await Deno.makeTempDir({ prefix: "spate-openapi-" });
  try {
    const actors = startMasterActors(system);
    const app = restApi({ ...actors, blobs: new BlobStore(blobDir) });
    const served = app.routes
      .filter((r) => r.method !== "ALL")
      // Hono's `:id` is OpenAPI's `{id}`; the dashboard's wildcard is its `{asset}`.
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}").replace(/\/\*$/, "/{asset}")}`)
      .sort();
    const described = Object.entries(OPENAPI.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    assert.deepEqual(described, served);
    assert.ok(served.length >= 18, `${served.length} routes`);
    // It is served, as JSON that says what it is.
    const res = await app.request("/api/v1/openapi.json");
    assert.equal(res.status, 200);
    const doc = await res.json();
    assert.equal(doc.openapi, "3.0.3");
    assert.deepEqual(Object.keys(doc.paths).sort(), Object.keys(OPENAPI.paths).sort());
  } finally {
    await system.shutdown();
    await Deno.remove(blobDir, { recursive: true });
  }
});
