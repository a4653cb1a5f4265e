/**
 * High availability on etcd: leader election with fencing tokens, fenced
 * writes for the leader's durable state, and the job store built on them.
 *
 * @example
 * ```ts
 * import { haKeys, resolveEtcdHaOptions } from "./mod.ts";
 * const options = resolveEtcdHaOptions({ endpoints: ["http://127.0.0.1:2379"], clusterId: "prod" });
 * haKeys(options.clusterId).root; // "/spate/prod/"
 * ```
 * @module
 */

export * from "./ha_options.ts";
export * from "./election_core.ts";
export * from "./etcd_client.ts";
export * from "./leader_election.ts";
export * from "./fenced_writer.ts";
export * from "./job_store.ts";
