/**
 * The `/metrics` route of masters and workers, without its registry: the
 * registry (prom-client, some 80 CommonJS modules with OpenTelemetry's API)
 * loads at the first scrape, so a process nobody scrapes starts without it
 * (a master starts with ~25 ms less CPU). Process metrics such as the event-loop
 * lag are measured from that scrape on.
 * @module
 */

/** The path of the metrics on a master's and a worker's port. */
export const METRICS_PATH = "/metrics";

/** A `GET /metrics` handler. */
export type MetricsHandler = () => Promise<Response>;

/**
 * A handler that builds the real one with `load` at its first call (once,
 * however many scrapes arrive at the same time) and hands every call to it.
 *
 * @example
 * ```ts
 * import { lazyMetrics } from "./metrics_route.ts";
 * const handle = lazyMetrics(async () => () => Promise.resolve(new Response("up 1\n")));
 * await (await handle()).text(); // "up 1\n"
 * ```
 */
export function lazyMetrics(load: () => Promise<MetricsHandler>): MetricsHandler {
  let handler: Promise<MetricsHandler> | undefined;
  return async () => {
    handler ??= load();
    return (await handler)();
  };
}
