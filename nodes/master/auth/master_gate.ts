/**
 * The master's door: every request passes it before it reaches the REST
 * routes or an actor. Nodes (workers) prove the cluster secret when they
 * open an RPC connection (the only peers that do: clients use the REST API);
 * REST callers show a bearer token whose role must allow the request. Without a secret and tokens everything passes, as before.
 * @module
 */

import { bearerToken, grants, type Role, type TokenTable } from "../../rpc/auth/auth_tokens.ts";
import type { ClusterSecret } from "../../rpc/auth/cluster_secret.ts";
import { type AuthLimits, PeerGate, refusal } from "../../rpc/auth/peer_gate.ts";
import { PROOF_HEADERS } from "../../rpc/auth/peer_proof.ts";
import type { Admission } from "../../rpc/transport_http2.ts";
import { BLOBS_PATH } from "../../protocol/rest.ts";
import { restRole } from "./access_rules.ts";
import { DASHBOARD_PREFIX } from "../dashboard/dashboard.ts";
import { OPTIONS } from "../../../core/config/options.ts";

/** A master's credentials and limits. */
export interface MasterSecurity extends Partial<AuthLimits> {
  readonly secret?: ClusterSecret;
  readonly tokens?: TokenTable;
}

/** Checks who calls the master; see the module doc. */
export class MasterGate {
  private readonly peers: PeerGate;
  private readonly tokens: TokenTable | undefined;

  constructor(security: MasterSecurity = {}, log?: (line: string) => void, now?: () => number) {
    if (security.tokens !== undefined && security.secret === undefined) {
      throw new Error(
        "--auth-tokens needs --cluster-secret-file: without it any peer could join as a " +
          "worker and bypass the tokens",
      );
    }
    this.tokens = security.tokens;
    this.peers = new PeerGate(
      security.secret,
      {
        authFailureLimit: security.authFailureLimit ?? OPTIONS.authFailureLimit.default,
        authFailureWindowMs: security.authFailureWindowMs ?? OPTIONS.authFailureWindowMs.default,
      },
      log,
      now,
    );
  }

  /** Answers the challenge endpoint. */
  challenge(peer: string): Response {
    return this.peers.challenge(peer);
  }

  /** An RPC connect request: only a node, which proves the secret (it may then send anything). */
  async admitRpc(req: Request, peer: string): Promise<Admission | Response> {
    if (this.peers.secret === undefined) return {};
    const headers = await this.peers.admit(req, peer, "rpc", "a node's connection");
    return headers instanceof Response ? headers : { headers };
  }

  /** A relayed data stream: nodes only (a proof of the secret); the response headers or a refusal. */
  admitData(req: Request, peer: string): Promise<Record<string, string> | Response> {
    return this.peers.admit(req, peer, "data", "a relayed data stream");
  }

  /** A REST request: undefined if it may go on, else its refusal. */
  async admitRest(req: Request, peer: string): Promise<Response | undefined> {
    if (this.tokens === undefined) return undefined;
    const path = new URL(req.url).pathname;
    // The dashboard's page and scripts hold no data: a browser gets them to type its token in.
    if (req.method === "GET" && (path === "/" || path.startsWith(`${DASHBOARD_PREFIX}/`))) {
      return undefined;
    }
    // Workers fetch job bundles with a proof of the secret instead of a token.
    if (
      req.method === "GET" && path.startsWith(`${BLOBS_PATH}/`) &&
      req.headers.has(PROOF_HEADERS.proof)
    ) {
      const admitted = await this.peers.admit(req, peer, "blob", "a node's bundle fetch");
      return admitted instanceof Response ? admitted : undefined;
    }
    const role = this.role(req, peer);
    if (role instanceof Response) return role;
    const needed = restRole(req.method, path);
    if (!grants(role, needed)) {
      return refusal(
        403,
        `forbidden: ${req.method} ${path} needs role ${needed}, the token has ${role}`,
      );
    }
    return undefined;
  }

  /** The role of the request's bearer token, or a 401 (or 429 once the peer failed too often). */
  private role(req: Request, peer: string): Role | Response {
    const blocked = this.peers.blocked(peer);
    if (blocked !== undefined) return blocked;
    const token = bearerToken(req.headers);
    const role = token === undefined ? undefined : this.tokens!.roleOf(token);
    if (role !== undefined) return role;
    this.peers.fail(peer);
    return refusal(
      401,
      token === undefined
        ? "unauthorized: this master needs a bearer token (--token T or $SPATE_TOKEN)"
        : "unauthorized: the token is not valid",
      { "www-authenticate": 'Bearer realm="spate"' },
    );
  }
}
