/** The credentials flags: the cluster secret, the token file, a client's token. @module */

import { type Command, OPTIONS, type OptionValues } from "../core/config/options.ts";
import { TokenTable } from "../nodes/rpc/auth/auth_tokens.ts";
import { ClusterSecret } from "../nodes/rpc/auth/cluster_secret.ts";
import type { AuthLimits } from "../nodes/rpc/auth/peer_gate.ts";
import type { MasterSecurity } from "../nodes/master/auth/master_gate.ts";
import { UsageError } from "./usage.ts";

/** The cluster secret of --cluster-secret-file, if given; an unusable file is a usage error. */
export async function secretFlag(
  command: Command,
  v: OptionValues,
): Promise<ClusterSecret | undefined> {
  if (v.clusterSecretFile === undefined) return undefined;
  try {
    return await ClusterSecret.load(v.clusterSecretFile);
  } catch (e) {
    throw new UsageError(`spate ${command}: --cluster-secret-file: ${(e as Error).message}`);
  }
}

/** The failed-authentication limits of the flags. */
export function authLimitFlags(v: OptionValues): AuthLimits {
  return {
    authFailureLimit: v.authFailureLimit ?? OPTIONS.authFailureLimit.default,
    authFailureWindowMs: v.authFailureWindowMs ?? OPTIONS.authFailureWindowMs.default,
  };
}

/** A master's credentials and limits; a malformed token file is a usage error naming the line. */
export async function masterSecurityFlags(v: OptionValues): Promise<MasterSecurity> {
  const secret = await secretFlag("master", v);
  let tokens: TokenTable | undefined;
  if (v.authTokensFile !== undefined) {
    if (secret === undefined) {
      throw new UsageError(
        "spate master: --auth-tokens needs --cluster-secret-file (without it any peer could " +
          "join as a worker and bypass the tokens)",
      );
    }
    try {
      tokens = await TokenTable.load(v.authTokensFile);
    } catch (e) {
      throw new UsageError(`spate master: --auth-tokens: ${(e as Error).message}`);
    }
  }
  return { secret, tokens, ...authLimitFlags(v) };
}

/** The client's token: --token, else $SPATE_TOKEN, else none. */
export function tokenFlag(v: OptionValues): string | undefined {
  const token = v.authToken ?? Deno.env.get(OPTIONS.authToken.env);
  return token === "" ? undefined : token;
}

/** The `Authorization` header of `token`, if any. */
export function authHeaders(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}
