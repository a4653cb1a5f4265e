/**
 * `GET /metrics` of the master (its one port) and of each worker (its data
 * server's port), in the Prometheus text exposition format (prom-client).
 * Each process exports what it alone knows fresh, so no series is exported
 * twice: a worker its own tasks' counters and watermarks; the master the
 * jobs, slots, checkpoints and restarts; both their process metrics (heap,
 * RSS, event-loop lag).
 * @module
 */

import { collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { SPATE_VERSION } from "../../core/version.ts";

/** Which process exports a registry: its `spate_info{role}`. */
export type MetricsRole = "master" | "worker";

/**
 * A registry with the process metrics (prom-client's defaults: `process_*`,
 * `nodejs_heap_*`, `nodejs_eventloop_lag_*`) and `spate_info{version, role}`.
 *
 * @example
 * ```ts
 * import { processRegistry } from "./metrics.ts";
 * const registry = processRegistry("worker");
 * (await registry.metrics()).includes("process_resident_memory_bytes"); // true
 * ```
 */
export function processRegistry(role: MetricsRole): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const info = new Gauge({
    name: "spate_info",
    help: "The spate version and role of the process (always 1).",
    labelNames: ["version", "role"] as const,
    registers: [registry],
  });
  info.set({ version: SPATE_VERSION, role }, 1);
  return registry;
}

/**
 * The handler of `GET /metrics`: `refresh` sets the registry's values from
 * their source, then the registry is rendered. Scrapes run one after the
 * other, so a refresh never changes values another scrape is rendering.
 */
export function metricsHandler(
  registry: Registry,
  refresh: () => void | Promise<void>,
): () => Promise<Response> {
  let queue: Promise<unknown> = Promise.resolve();
  const render = async () => {
    await refresh();
    return new Response(await registry.metrics(), {
      headers: { "content-type": registry.contentType },
    });
  };
  return () => {
    const response = queue.then(render, render);
    queue = response.catch(() => {});
    return response;
  };
}
