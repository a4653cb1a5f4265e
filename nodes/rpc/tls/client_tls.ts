/**
 * The process's client side of TLS, set once at start from its flags: the CA
 * that `https://` servers are verified against (the default roots when none
 * is given) and the certificate shown to a server that asks for one (mutual
 * TLS between nodes). Every client of spate reads it here: the HTTP/2 streams
 * of RPC and the data plane (nodes/rpc/h2_client.ts) and the REST calls
 * (`nodeFetch`), so no call site carries TLS options.
 * @module
 */

import type { ClientTls } from "./tls_material.ts";

let settings: ClientTls = {};
let httpClient: Deno.HttpClient | undefined;

/**
 * Sets the process's client TLS (undefined: the default roots, no identity).
 *
 * @example
 * ```ts
 * import { clientTls, useClientTls } from "./client_tls.ts";
 * useClientTls(undefined);
 * clientTls().ca; // undefined
 * ```
 */
export function useClientTls(tls: ClientTls | undefined): void {
  settings = tls ?? {};
  httpClient?.close();
  httpClient = undefined;
}

/** The process's client TLS. */
export function clientTls(): ClientTls {
  return settings;
}

function client(): Deno.HttpClient | undefined {
  if (settings.ca === undefined && settings.identity === undefined) return undefined;
  httpClient ??= Deno.createHttpClient({
    ...(settings.ca === undefined ? {} : { caCerts: [settings.ca] }),
    ...(settings.identity ?? {}),
  });
  return httpClient;
}

/**
 * `fetch` with the process's client TLS: every REST call of spate to a
 * master goes through it.
 *
 * @example
 * ```ts ignore
 * import { nodeFetch } from "./client_tls.ts";
 * const res = await nodeFetch("https://master:8081/api/v1/overview");
 * ```
 */
export function nodeFetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
  const c = client();
  return fetch(input, c === undefined ? init : { ...init, client: c });
}
