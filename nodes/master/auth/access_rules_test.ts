import assert from "node:assert/strict";
import { restRole } from "./access_rules.ts";

Deno.test("restRole: reads are viewer's, job control operator's, the rest admin's", () => {
  assert.equal(restRole("GET", "/api/v1/overview"), "viewer");
  assert.equal(restRole("GET", "/api/v1/blobs/abc"), "viewer");
  assert.equal(restRole("POST", "/api/v1/jobs"), "operator");
  assert.equal(restRole("PUT", "/api/v1/blobs"), "operator");
  assert.equal(restRole("PATCH", "/api/v1/jobs/abc"), "operator");
  assert.equal(restRole("POST", "/api/v1/jobs/abc/savepoints"), "operator");
  assert.equal(restRole("POST", "/api/v1/jobs/abc/stop"), "operator");
  assert.equal(restRole("DELETE", "/api/v1/jobs"), "admin");
  assert.equal(restRole("POST", "/api/v1/jobs/abc/other"), "admin");
});
