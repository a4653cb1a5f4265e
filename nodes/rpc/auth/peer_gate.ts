/**
 * The door of a server that nodes of the cluster connect to (the master's
 * RPC port, a worker's data port): it hands out challenges, checks proofs of
 * the cluster secret, counts failures per peer and refuses a peer that failed
 * too often (429 with Retry-After) before it checks anything else.
 * @module
 */

import { FailedAuthLimiter } from "./auth_failures.ts";
import type { ClusterSecret } from "./cluster_secret.ts";
import { PEER_NAME_HEADER, PeerVerifier, PROOF_HEADERS, type ProofPurpose } from "./peer_proof.ts";

/** A JSON refusal `{ errors: [message] }` with `status`. */
export function refusal(status: number, message: string, headers: HeadersInit = {}): Response {
  return Response.json({ errors: [message] }, { status, headers });
}

/** How many failures a peer may make, and in what window. */
export interface AuthLimits {
  readonly authFailureLimit: number;
  readonly authFailureWindowMs: number;
}

/**
 * Checks proofs of the cluster secret for one server.
 *
 * @example
 * ```ts
 * import { ClusterSecret } from "./cluster_secret.ts";
 * import { PeerGate } from "./peer_gate.ts";
 * const secret = await ClusterSecret.fromText("x".repeat(32), "inline");
 * const gate = new PeerGate(secret, { authFailureLimit: 10, authFailureWindowMs: 60_000 });
 * const refused = await gate.admit(new Request("http://w/data"), "10.0.0.9", "data", "data");
 * console.assert(refused instanceof Response && refused.status === 401);
 * ```
 */
export class PeerGate {
  readonly limiter: FailedAuthLimiter;
  private readonly verifier: PeerVerifier | undefined;

  constructor(
    readonly secret: ClusterSecret | undefined,
    limits: AuthLimits,
    private readonly log: (line: string) => void = (line) => console.error(line),
    now: () => number = Date.now,
  ) {
    this.limiter = new FailedAuthLimiter(limits.authFailureLimit, limits.authFailureWindowMs, now);
    this.verifier = secret && new PeerVerifier(secret, now);
  }

  /** Answers `POST /auth/v1/challenge`: a nonce, or 404 without a secret. */
  challenge(peer: string): Response {
    if (this.verifier === undefined) return refusal(404, "this server has no cluster secret");
    return this.blocked(peer) ?? this.verifier.challengeResponse();
  }

  /** A 429 for a peer that failed too often, else undefined. */
  blocked(peer: string): Response | undefined {
    const waitMs = this.limiter.retryAfterMs(peer);
    if (waitMs === undefined) return undefined;
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    return refusal(429, `too many failed authentications from ${peer}: retry in ${seconds} s`, {
      "retry-after": String(seconds),
    });
  }

  /** Notes a failed authentication of `peer`; logs once when it reaches the limit. */
  fail(peer: string): void {
    this.limiter.recordFailure(peer);
    if (this.limiter.retryAfterMs(peer) !== undefined) {
      this.log(
        `[auth] ${this.limiter.maxFailures} failed authentications from ${peer} within ` +
          `${this.limiter.windowMs} ms: its requests are refused (429) until the window passes`,
      );
    }
  }

  /**
   * Checks the request's proof for `purpose`: the response headers carrying
   * the server's proof, or the refusal to answer with (logged: `what` and the
   * peer's declared name say who was refused). Without a secret, everyone passes.
   */
  async admit(
    req: Request,
    peer: string,
    purpose: ProofPurpose,
    what: string,
  ): Promise<Record<string, string> | Response> {
    if (this.verifier === undefined) return {};
    const blocked = this.blocked(peer);
    if (blocked !== undefined) return blocked;
    const result = await this.verifier.verify(req.headers, purpose);
    if (result.ok) return { [PROOF_HEADERS.serverProof]: result.serverProof };
    const name = req.headers.get(PEER_NAME_HEADER)?.slice(0, 64).replace(/[^\w.:-]/g, "?");
    this.log(
      `[auth] refused ${what} from ${peer}${name ? ` ('${name}')` : ""}: ${result.reason}`,
    );
    this.fail(peer);
    return refusal(401, `refused: ${result.reason}`);
  }
}
