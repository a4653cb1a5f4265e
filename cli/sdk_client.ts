/**
 * The CLI's cluster commands reach the master through the client SDK
 * (client/): one HTTP code path, with the process's TLS flags and token.
 * @module
 */

import { fileURLToPath } from "node:url";
import { clientTls } from "../nodes/rpc/tls/client_tls.ts";
import { MasterUnreachableError } from "../nodes/client/master_unreachable.ts";
import { bundleJob } from "../client/bundle.ts";
import { MasterUnreachableError as SdkUnreachableError, SpateHttpError } from "../client/errors.ts";
import { type ConnectOptions, Transport } from "../client/transport.ts";

/** The SDK's connect options for `masters` with the process's client TLS. */
export function sdkOptions(masters: readonly string[], token: string | undefined): ConnectOptions {
  const tls = clientTls();
  return {
    masters,
    token,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.identity === undefined ? {} : { identity: tls.identity }),
    // One round over the masters, as the CLI always did: a command fails fast.
    rounds: 1,
  };
}

/** The SDK's unreachable error as the CLI's (its one-line message and exit code 3). */
export function cliError(e: unknown, masters: readonly string[]): unknown {
  return e instanceof SdkUnreachableError
    ? new MasterUnreachableError(masters.join(","), e.cause, e.lost)
    : e;
}

/**
 * Calls `path` on the first of `masters` that answers (a standby's 307 to its
 * leader is followed; a 503 or an unreachable master yields to the next):
 * the status and JSON body, a refusal's included.
 */
export async function restCall(
  masters: readonly string[],
  path: string,
  token: string | undefined,
  init: { method?: string; body?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const http = new Transport(sdkOptions(masters, token));
  const method = init.method ?? "GET";
  try {
    const res = await http.call(method, path, {
      idempotent: method === "GET",
      ...(init.body === undefined ? {} : { body: init.body, contentType: "application/json" }),
    });
    return { status: res.status, body: await res.body.json() as Record<string, unknown> };
  } catch (e) {
    if (e instanceof SpateHttpError) return { status: e.status, body: { errors: e.errors } };
    throw cliError(e, masters);
  } finally {
    await http.close();
  }
}

/** Bundles a job module in-process (esbuild, `spate` external): no Deno CLI. */
export function bundleModule(moduleUrl: string): Promise<Uint8Array> {
  return bundleJob(fileURLToPath(moduleUrl));
}
