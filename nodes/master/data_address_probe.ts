/**
 * The master's check that a registering worker can be dialed: one TCP
 * connection to its data address (closed at once). A worker behind NAT or a
 * firewall that did not say `--no-inbound` fails it, and the master routes
 * its channels as if it had (see `channelRoute` in `task_deployment.ts`).
 * The master stands in for the worker's peers here: a worker the master
 * reaches but another worker does not is not detected.
 * @module
 */

import type { DataAddressProbe } from "./resource_manager.ts";

/** How long the probe waits for the connection when none is given. */
export const DEFAULT_DATA_PROBE_TIMEOUT_MS = 2_000;

/**
 * A probe that opens a TCP connection to the address's host and port within `timeoutMs`.
 *
 * @example
 * ```ts
 * import { tcpProbe } from "./data_address_probe.ts";
 * const reachable = await tcpProbe(500)("http://127.0.0.1:1");
 * console.assert(reachable === false);
 * ```
 */
export function tcpProbe(timeoutMs = DEFAULT_DATA_PROBE_TIMEOUT_MS): DataAddressProbe {
  return async (dataAddress) => {
    const url = new URL(dataAddress);
    const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    const hostname = url.hostname.replace(/^\[|\]$/g, "");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const dial = Deno.connect({ hostname, port });
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    try {
      const conn = await Promise.race([dial, late]);
      if (conn === undefined) {
        dial.then((c) => c.close(), () => {}); // a late answer is closed, not leaked
        return false;
      }
      conn.close();
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  };
}
