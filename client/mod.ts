/**
 * The spate client SDK, for Node (>= 20) and Deno: submit jobs to a cluster,
 * follow them, read their collected results, cancel, stop and savepoint
 * them, over the master's REST API with undici.
 *
 * @example
 * ```ts ignore
 * import { connect } from "spate/client";
 * const spate = connect({ masters: "http://127.0.0.1:8081" });
 * const { jobId } = await spate.submit("examples/wordcount.ts", { args: ["--top", "5"] });
 * for await (const e of spate.watch(jobId)) console.log(e.type);
 * await spate.close();
 * ```
 * @module
 */

export {
  connect,
  type SavepointOptions,
  SpateClient,
  type SubmitOptions,
  type WatchOptions,
} from "./client.ts";
export { type CallOptions, type ConnectOptions } from "./transport.ts";
export {
  JobFailedError,
  MasterUnreachableError,
  SavepointFailedError,
  SpateAuthError,
  SpateHttpError,
} from "./errors.ts";
export { bundleJob } from "./bundle.ts";
export type {
  BundleSubmission,
  BundleSubmitResponse,
  CollectEvent,
  CollectResponse,
  JobEvent,
} from "../nodes/protocol/sdk.ts";
export type {
  CancelJobResponse,
  JobDetails,
  JobListResponse,
  OverviewResponse,
} from "../nodes/protocol/rest.ts";
