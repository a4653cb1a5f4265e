/**
 * The CLI's cluster commands reach the master through the client SDK
 * (client/): one HTTP code path, with the process's TLS flags and token.
 * @module
 */

import { fileURLToPath } from "node:url";
import { clientTls } from "../nodes/rpc/tls/client_tls.ts";
import { MasterUnreachableError } from "../nodes/client/master_unreachable.ts";
import { bundleJob } from "../client/bundle.ts";
import { MasterUnreachableError as SdkUnreachableError } from "../client/errors.ts";
import type { ConnectOptions } from "../client/transport.ts";

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

/** Bundles a job module in-process (esbuild, `spate` external): no Deno CLI. */
export function bundleModule(moduleUrl: string): Promise<Uint8Array> {
  return bundleJob(fileURLToPath(moduleUrl));
}
