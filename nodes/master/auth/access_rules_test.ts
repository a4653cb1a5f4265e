import assert from "node:assert/strict";
import { clientPolicy, restRole } from "./access_rules.ts";

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

Deno.test("clientPolicy: a client reaches only the Dispatcher, with its role's requests", () => {
  const viewer = (to: string, m: unknown) => clientPolicy("viewer")(to, m, "c");
  const operator = (to: string, m: unknown) => clientPolicy("operator")(to, m, "c");
  assert.equal(viewer("/user/dispatcher", { type: "jobDetails", jobId: "x" }), undefined);
  assert.match(
    viewer("/user/dispatcher", { type: "submitJob" })!,
    /viewer may not send 'submitJob'/,
  );
  assert.equal(operator("/user/dispatcher", { type: "submitJob" }), undefined);
  assert.match(operator("/user/dispatcher", { type: "jobEnded" })!, /may not send 'jobEnded'/);
  assert.match(operator("/user/resourcemanager", { type: "registerWorker" })!, /only \/user\/disp/);
  assert.match(operator("/user/dispatcher", null)!, /may not send 'undefined'/);
});

Deno.test("clientPolicy: a client passes refs to its own actors only", () => {
  const operator = (m: unknown) => clientPolicy("operator")("/user/dispatcher", m, "c");
  const own = { type: "submitJob", client: { $ref: "/user/jobclient", $sys: "c" } };
  assert.equal(operator(own), undefined);
  const master = { type: "submitJob", client: { $ref: "/user/resourcemanager", $sys: "m" } };
  assert.match(operator(master)!, /refs only to its own actors/);
});
