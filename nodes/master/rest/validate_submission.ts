/**
 * Validation of job submissions arriving over REST (JSON from anyone): the
 * shape of the JobGraph and of the job module reference, and the job's
 * settings within the bounds of the options registry. Each error names the
 * field at fault.
 * @module
 */

import type {
  CheckpointTuning,
  EnvironmentDefaults,
  NetworkTuning,
} from "../../../core/graph/job_plan.ts";
import type { JobGraph } from "../../../core/graph/job_graph.ts";
import type { JobSubmission } from "../../protocol/dispatcher.ts";
import { locationProblem, MAX_LOCATION_LENGTH } from "../../../core/fs/location.ts";
import { isBlobKey } from "../../protocol/blob.ts";
import { InvalidRequestError } from "../../protocol/errors.ts";
import {
  CHECKPOINT_MODES,
  choices,
  isOneOf,
  jobGroup,
  type Option,
  OPTIONS,
  submissionRange,
} from "../../../core/config/options.ts";
import { checkPermissions, type JobPermissions } from "../../../core/config/job_permissions.ts";
import { parseRestartStrategy } from "../restart_strategy.ts";

/** A submission that cannot be run; answered with HTTP 400 (its name is InvalidRequestError's). */
export class InvalidSubmissionError extends InvalidRequestError {}

const PARTITIONERS = new Set([
  "forward",
  "rebalance",
  "rescale",
  "shuffle",
  "broadcast",
  "global",
  "hash",
  "custom",
]);
/** Upper bounds that keep a malformed graph from exhausting the master. */
const MAX_VERTICES = 10_000;
const MAX_PARALLELISM = OPTIONS.parallelism.max;

function fail(message: string): never {
  throw new InvalidSubmissionError(message);
}

function obj(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) fail(`${what} must be an object`);
  return v as Record<string, unknown>;
}

function int(v: unknown, what: string, min: number, max: number): number {
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) {
    fail(`${what} must be an integer in ${min}..${max}`);
  }
  return v as number;
}

function str(v: unknown, what: string, maxLength = 10_000): string {
  if (typeof v !== "string" || v.length > maxLength) fail(`${what} must be a string`);
  return v;
}

function arr(v: unknown, what: string, max: number): unknown[] {
  if (!Array.isArray(v) || v.length > max) fail(`${what} must be an array of at most ${max} items`);
  return v;
}

/** A setting within the registry's bounds: a number, or one of its values, or a boolean. */
function setting(v: unknown, what: string, o: Option): unknown {
  switch (o.type) {
    case "enum":
      if (!isOneOf(o.values!, v)) fail(`${what} must be ${choices(o.values!)}`);
      return v;
    case "boolean":
      return bool(v, what);
    case "int":
    case "number":
      return int(v, what, ...submissionRange(o));
    default:
      return str(v, what);
  }
}

/** The job's defaults: each field a registry job setting, checked against it. */
function validateDefaults(d: Record<string, unknown>): EnvironmentDefaults {
  const out: Record<string, unknown> = {};
  for (const [field, o] of jobGroup()) {
    if (d[field] === undefined) continue;
    out[field] = field === "checkpointDir"
      ? checkpointDir(d[field])
      : setting(d[field], `job.defaults.${field}`, o);
  }
  if (d.network !== undefined) out.network = networkTuning(d.network, "job.defaults.network");
  if (d.checkpointConfig !== undefined) {
    out.checkpointConfig = checkpointTuning(d.checkpointConfig, "job.defaults.checkpointConfig");
  }
  return out as EnvironmentDefaults;
}

function validateGraph(raw: unknown): JobGraph {
  const g = obj(raw, "jobGraph");
  const vertices = arr(g.vertices, "jobGraph.vertices", MAX_VERTICES);
  if (vertices.length === 0) fail("jobGraph.vertices must not be empty");
  const ids = new Map<number, number>();
  for (const [i, rv] of vertices.entries()) {
    const v = obj(rv, `jobGraph.vertices[${i}]`);
    const id = int(v.id, `jobGraph.vertices[${i}].id`, 0, 2 ** 31);
    if (ids.has(id)) fail(`jobGraph.vertices[${i}].id ${id} is not unique`);
    ids.set(id, int(v.parallelism, `jobGraph.vertices[${i}].parallelism`, 1, MAX_PARALLELISM));
    str(v.name, `jobGraph.vertices[${i}].name`);
    str(v.slotSharingGroup, `jobGraph.vertices[${i}].slotSharingGroup`, 200);
    if (v.nonRescalableSource !== undefined) {
      str(v.nonRescalableSource, `jobGraph.vertices[${i}].nonRescalableSource`);
    }
    arr(v.nodeIds, `jobGraph.vertices[${i}].nodeIds`, MAX_VERTICES);
    arr(v.operatorUids, `jobGraph.vertices[${i}].operatorUids`, MAX_VERTICES).forEach((u, k) =>
      str(u, `jobGraph.vertices[${i}].operatorUids[${k}]`, 500)
    );
    arr(v.inputs, `jobGraph.vertices[${i}].inputs`, MAX_VERTICES);
    arr(v.outputs, `jobGraph.vertices[${i}].outputs`, MAX_VERTICES);
  }
  const edges = arr(g.edges, "jobGraph.edges", MAX_VERTICES * 4);
  for (const [i, re] of edges.entries()) {
    const e = obj(re, `jobGraph.edges[${i}]`);
    int(e.id, `jobGraph.edges[${i}].id`, 0, 2 ** 31);
    const src = int(e.sourceVertex, `jobGraph.edges[${i}].sourceVertex`, 0, 2 ** 31);
    const dst = int(e.targetVertex, `jobGraph.edges[${i}].targetVertex`, 0, 2 ** 31);
    if (!ids.has(src) || !ids.has(dst)) fail(`jobGraph.edges[${i}] joins unknown vertices`);
    if (!PARTITIONERS.has(e.partitioner as string)) {
      fail(`jobGraph.edges[${i}].partitioner is unknown`);
    }
    if (e.partitioner === "forward" && ids.get(src) !== ids.get(dst)) {
      fail(`jobGraph.edges[${i}] is forward between different parallelisms`);
    }
  }
  // Rebuild inputs/outputs from the edges so vertices and edges agree.
  const job = {
    jobName: str(g.jobName ?? "job", "jobGraph.jobName", 500),
    vertices,
    edges,
  } as JobGraph;
  for (const v of job.vertices) {
    (v as { inputs: unknown[] }).inputs = job.edges.filter((e) => e.targetVertex === v.id);
    (v as { outputs: unknown[] }).outputs = job.edges.filter((e) => e.sourceVertex === v.id);
  }
  return job;
}

/**
 * Checks a submission; returns it typed or throws InvalidSubmissionError.
 * REST accepts only blob modules; the in-process client may pass a URL.
 */
export function validateSubmission(
  raw: unknown,
  opts: { allowUrlModules?: boolean } = {},
): JobSubmission {
  const s = obj(raw, "the request body");
  const jobName = str(s.jobName, "jobName", 500);
  const jobGraph = validateGraph(s.jobGraph);
  const job = obj(s.job, "job");
  const module = obj(job.module, "job.module");
  const isUrl = opts.allowUrlModules === true && module.kind === "url" &&
    typeof module.url === "string";
  if (
    !isUrl && (module.kind !== "blob" || typeof module.key !== "string" || !isBlobKey(module.key))
  ) {
    fail('job.module must be { kind: "blob", key: <sha-256 hex of an uploaded bundle> }');
  }
  const args = arr(job.args ?? [], "job.args", 1000).map((a, i) => str(a, `job.args[${i}]`));
  const defaults = obj(job.defaults ?? {}, "job.defaults");
  const fingerprint = str(job.fingerprint, "job.fingerprint", 100);
  const bufferTimeoutMs = int(
    s.bufferTimeoutMs ?? OPTIONS.bufferTimeoutMs.default,
    "bufferTimeoutMs",
    ...submissionRange(OPTIONS.bufferTimeoutMs),
  );
  if (s.restartStrategy !== undefined) {
    try {
      parseRestartStrategy(str(s.restartStrategy, "restartStrategy", 200));
    } catch (e) {
      fail((e as Error).message);
    }
  }
  const slotTimeoutMs = s.slotTimeoutMs === undefined
    ? undefined
    : int(s.slotTimeoutMs, "slotTimeoutMs", ...submissionRange(OPTIONS.slotTimeoutMs));
  const checkpointIntervalMs = s.checkpointIntervalMs === undefined ? undefined : int(
    s.checkpointIntervalMs,
    "checkpointIntervalMs",
    ...submissionRange(OPTIONS.checkpointIntervalMs),
  );
  if (s.checkpointMode !== undefined && !isOneOf(CHECKPOINT_MODES, s.checkpointMode)) {
    fail(`checkpointMode must be ${choices(CHECKPOINT_MODES)}`);
  }
  return {
    checkpointIntervalMs,
    checkpointMode: s.checkpointMode as JobSubmission["checkpointMode"],
    checkpointDir: s.checkpointDir === undefined ? undefined : checkpointDir(s.checkpointDir),
    batch: s.batch === undefined ? undefined : bool(s.batch, "batch"),
    network: s.network === undefined ? undefined : networkTuning(s.network, "network"),
    checkpointConfig: s.checkpointConfig === undefined
      ? undefined
      : checkpointTuning(s.checkpointConfig, "checkpointConfig"),
    restoreFrom: s.restoreFrom === undefined ? undefined : restoreFrom(s.restoreFrom),
    retainedCheckpoints: s.retainedCheckpoints === undefined ? undefined : int(
      s.retainedCheckpoints,
      "retainedCheckpoints",
      ...submissionRange(OPTIONS.retainedCheckpoints),
    ),
    jobName,
    jobGraph,
    job: {
      module: isUrl
        ? { kind: "url", url: module.url as string }
        : { kind: "blob", key: module.key as string },
      args,
      defaults: validateDefaults(defaults),
      fingerprint,
      // A bundle always runs sandboxed: declaring nothing gives its code no permissions.
      permissions: job.permissions === undefined
        ? (isUrl ? undefined : {})
        : permissions(job.permissions),
    },
    bufferTimeoutMs,
    restartStrategy: s.restartStrategy as string | undefined,
    slotTimeoutMs,
  };
}

/** A checkpoint root must be an absolute path or s3://bucket/prefix (the client resolves relative ones). */
function checkpointDir(raw: unknown, what = "checkpointDir"): string {
  const dir = str(raw, what, MAX_LOCATION_LENGTH);
  const problem = locationProblem(dir, what);
  if (problem !== undefined) fail(problem);
  return dir;
}

function permissions(raw: unknown): JobPermissions {
  try {
    return checkPermissions(raw, "job.permissions");
  } catch (e) {
    fail((e as Error).message);
  }
}

function bool(v: unknown, what: string): boolean {
  if (typeof v !== "boolean") fail(`${what} must be a boolean`);
  return v;
}

function restoreFrom(raw: unknown): { path: string; allowNonRestoredState: boolean } {
  const r = obj(raw, "restoreFrom");
  return {
    path: checkpointDir(r.path, "restoreFrom.path"),
    allowNonRestoredState: bool(
      r.allowNonRestoredState ?? false,
      "restoreFrom.allowNonRestoredState",
    ),
  };
}

function checkpointTuning(raw: unknown, what: string): CheckpointTuning {
  return optionalInts<CheckpointTuning>(raw, what, jobGroup("checkpointConfig"));
}

function networkTuning(raw: unknown, what: string): NetworkTuning {
  return optionalInts<NetworkTuning>(raw, what, jobGroup("network"));
}

/** An object whose fields are all optional integers, each within its option's bounds. */
function optionalInts<T>(raw: unknown, what: string, fields: Map<string, Option>): T {
  const c = obj(raw, what);
  const out: Record<string, number | undefined> = {};
  for (const [name, o] of fields) {
    out[name] = c[name] === undefined
      ? undefined
      : int(c[name], `${what}.${name}`, ...submissionRange(o));
  }
  return out as T;
}
