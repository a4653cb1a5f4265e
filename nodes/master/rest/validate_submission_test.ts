import assert from "node:assert/strict";
import { InvalidSubmissionError, validateSubmission } from "./validate_submission.ts";

const VALID = {
  jobName: "j",
  jobGraph: {
    jobName: "j",
    vertices: [{
      id: 1,
      parallelism: 1,
      name: "v",
      slotSharingGroup: "default",
      nodeIds: [1],
      operatorUids: ["u"],
      inputs: [],
      outputs: [],
    }],
    edges: [],
  },
  job: { module: { kind: "blob", key: "a".repeat(64) }, fingerprint: "f" },
};

function rejects(patch: Record<string, unknown>, message: string): void {
  assert.throws(
    () => validateSubmission({ ...VALID, ...patch }),
    (e: Error) => e instanceof InvalidSubmissionError && e.message === message,
    JSON.stringify(patch),
  );
}

function withDefaults(defaults: Record<string, unknown>): Record<string, unknown> {
  return { job: { ...VALID.job, defaults } };
}

Deno.test("a submission's settings are checked against the registry's bounds", () => {
  const ok = validateSubmission(VALID);
  assert.equal(ok.bufferTimeoutMs, 100);
  rejects(
    withDefaults({ parallelism: 0 }),
    "job.defaults.parallelism must be an integer in 1..32768",
  );
  rejects(
    withDefaults({ runtimeMode: "fast" }),
    "job.defaults.runtimeMode must be streaming, batch or automatic",
  );
  rejects(withDefaults({ stateBackend: "s3" }), "job.defaults.stateBackend must be heap or disk");
  rejects(withDefaults({ chainingEnabled: 1 }), "job.defaults.chainingEnabled must be a boolean");
  rejects(
    { network: { creditsPerRemoteChannel: 5000 } },
    "network.creditsPerRemoteChannel must be an integer in 1..4096",
  );
  rejects(
    { checkpointConfig: { timeoutMs: 0 } },
    "checkpointConfig.timeoutMs must be an integer in 1..86400000",
  );
  rejects(
    { checkpointMode: "twice" },
    "checkpointMode must be exactly_once, at_least_once or unaligned",
  );
  rejects({ slotTimeoutMs: -1 }, "slotTimeoutMs must be an integer in 0..86400000");
  rejects({ retainedCheckpoints: 1001 }, "retainedCheckpoints must be an integer in 1..1000");
});

Deno.test("0 is accepted where it means off", () => {
  const s = validateSubmission({ ...VALID, checkpointIntervalMs: 0, slotTimeoutMs: 0 });
  assert.equal(s.checkpointIntervalMs, 0);
  assert.equal(s.slotTimeoutMs, 0);
  const d = validateSubmission({
    ...VALID,
    ...withDefaults({ checkpointIntervalMs: 0, parallelism: 2 }),
  });
  assert.deepEqual(d.job.defaults, { checkpointIntervalMs: 0, parallelism: 2 });
});

Deno.test("a vertex's non-rescalable source is a name", () => {
  const vertex = { ...VALID.jobGraph.vertices[0], nonRescalableSource: 7 };
  rejects(
    { jobGraph: { ...VALID.jobGraph, vertices: [vertex] } },
    "jobGraph.vertices[0].nonRescalableSource must be a string",
  );
  const named = { ...vertex, nonRescalableSource: "Source: Generator Source" };
  const ok = validateSubmission({ ...VALID, jobGraph: { ...VALID.jobGraph, vertices: [named] } });
  assert.equal(ok.jobGraph.vertices[0].nonRescalableSource, "Source: Generator Source");
});

Deno.test("a bundle's permissions: none when undeclared, each entry checked, named when wrong", () => {
  assert.deepEqual(validateSubmission(VALID).job.permissions, {});
  const declared = { ...VALID.job, permissions: { read: ["/data"], net: ["h:80"] } };
  assert.deepEqual(validateSubmission({ ...VALID, job: declared }).job.permissions, {
    read: ["/data"],
    net: ["h:80"],
  });
  rejects(
    { job: { ...VALID.job, permissions: { read: ["data"] } } },
    "job.permissions.read[0]: read entry 'data' must be an absolute path",
  );
  rejects(
    { job: { ...VALID.job, permissions: { disk: ["/"] } } },
    "job.permissions.disk is not a permission (read, write, net, env, run, ffi, sys)",
  );
  // The embedded cluster's own URL module without a declaration keeps the program's permissions.
  const url = { ...VALID.job, module: { kind: "url", url: "file:///job.ts" } };
  const embedded = validateSubmission({ ...VALID, job: url }, { allowUrlModules: true });
  assert.equal(embedded.job.permissions, undefined);
});
