/**
 * Proof of the cluster secret between nodes, by challenge-response: the
 * connecting side asks the server for a fresh nonce (`POST /auth/v1/challenge`),
 * then sends its request with that nonce, a nonce of its own and
 * `HMAC(secret, "client" | purpose | nonce | clientNonce)`. The server accepts
 * each nonce once, within its lifetime, so a recorded proof cannot be replayed;
 * it answers with `HMAC(secret, "server" | ...)`, which the client checks, so a
 * node never joins a master (nor feeds a peer) that does not hold the secret.
 * The secret itself never crosses the wire.
 * @module
 */

import { postStream } from "../h2_client.ts";
import { type ClusterSecret, randomHex } from "./cluster_secret.ts";

/** Path where a server hands out nonces. */
export const CHALLENGE_PATH = "/auth/v1/challenge";

/** The headers of a proof. */
export const PROOF_HEADERS = {
  nonce: "x-spate-nonce",
  clientNonce: "x-spate-client-nonce",
  proof: "x-spate-proof",
  serverProof: "x-spate-server-proof",
} as const;

/** Header in which a dialer gives its name (for the server's log lines; not a credential). */
export const PEER_NAME_HEADER = "x-spate-name";

/** What a proof is for: it is valid for that only. */
export type ProofPurpose = "rpc" | "data" | "blob";

/** How long an issued nonce may be used. */
export const CHALLENGE_TTL_MS = 30_000;
/** Most nonces outstanding at once; beyond, the oldest is forgotten. */
export const MAX_OUTSTANDING_CHALLENGES = 10_000;

const macInput = (side: "client" | "server", purpose: ProofPurpose, n: string, cn: string) =>
  `spate-peer-v1\n${side}\n${purpose}\n${n}\n${cn}`;

/**
 * Issues single-use nonces and checks proofs made with them.
 *
 * @example
 * ```ts
 * import { ClusterSecret } from "./cluster_secret.ts";
 * import { PeerVerifier } from "./peer_proof.ts";
 * const verifier = new PeerVerifier(await ClusterSecret.fromText("x".repeat(32), "inline"));
 * const nonce = verifier.issue();
 * console.assert(nonce.length === 32);
 * ```
 */
export class PeerVerifier {
  /** Nonce -> the time it expires; Map order is issue order. */
  private readonly outstanding = new Map<string, number>();

  constructor(
    private readonly secret: ClusterSecret,
    private readonly now: () => number = Date.now,
    private readonly ttlMs = CHALLENGE_TTL_MS,
    private readonly maxOutstanding = MAX_OUTSTANDING_CHALLENGES,
  ) {}

  /** A fresh nonce for one proof. */
  issue(): string {
    const now = this.now();
    for (const [n, expires] of this.outstanding) {
      if (expires > now && this.outstanding.size < this.maxOutstanding) break;
      this.outstanding.delete(n);
    }
    const nonce = randomHex();
    this.outstanding.set(nonce, now + this.ttlMs);
    return nonce;
  }

  /** Answers a challenge request: `{ nonce }`. */
  challengeResponse(): Response {
    return Response.json({ nonce: this.issue() });
  }

  /**
   * Checks the proof in `headers` for `purpose`; the nonce is spent either way.
   * Resolves to the server's counter-proof, or to why the proof fails.
   */
  async verify(
    headers: Headers,
    purpose: ProofPurpose,
  ): Promise<{ ok: true; serverProof: string } | { ok: false; reason: string }> {
    const nonce = headers.get(PROOF_HEADERS.nonce);
    const clientNonce = headers.get(PROOF_HEADERS.clientNonce);
    const proof = headers.get(PROOF_HEADERS.proof);
    if (nonce === null || clientNonce === null || proof === null) {
      return { ok: false, reason: "no proof of the cluster secret" };
    }
    const expires = this.outstanding.get(nonce);
    this.outstanding.delete(nonce);
    if (expires === undefined || expires <= this.now()) {
      return { ok: false, reason: "a proof with an unknown, used or expired nonce" };
    }
    if (clientNonce.length > 128) return { ok: false, reason: "an oversized client nonce" };
    if (!await this.secret.verify(macInput("client", purpose, nonce, clientNonce), proof)) {
      return { ok: false, reason: "a wrong cluster secret" };
    }
    const serverProof = await this.secret.sign(
      macInput("server", purpose, nonce, clientNonce),
    );
    return { ok: true, serverProof };
  }
}

/** A proof ready to send, and the check of the server's answer. */
export interface PeerProof {
  readonly headers: Record<string, string>;
  /** Throws unless `serverProof` (the response header) shows the server holds the secret. */
  checkServer(serverProof: string | null | undefined): Promise<void>;
}

/** Fetches a nonce from the server at `baseUrl` and proves the secret for `purpose`. */
export async function provePeer(
  baseUrl: string,
  secret: ClusterSecret,
  purpose: ProofPurpose,
): Promise<PeerProof> {
  const res = await postStream(baseUrl, CHALLENGE_PATH, ReadableStream.from([]));
  const text = await new Response(res.body).text();
  if (res.status === 404) {
    throw new Error(
      `${baseUrl} asks for no cluster secret: it must be started with --cluster-secret-file too`,
    );
  }
  if (res.status !== 200) throw new Error(`challenge from ${baseUrl}: HTTP ${res.status} ${text}`);
  const nonce = (JSON.parse(text) as { nonce?: unknown }).nonce;
  if (typeof nonce !== "string") throw new Error(`challenge from ${baseUrl} has no nonce`);
  const clientNonce = randomHex();
  const proof = await secret.sign(macInput("client", purpose, nonce, clientNonce));
  return {
    headers: {
      [PROOF_HEADERS.nonce]: nonce,
      [PROOF_HEADERS.clientNonce]: clientNonce,
      [PROOF_HEADERS.proof]: proof,
    },
    async checkServer(serverProof) {
      const ok = typeof serverProof === "string" &&
        await secret.verify(macInput("server", purpose, nonce, clientNonce), serverProof);
      if (!ok) {
        throw new Error(`${baseUrl} did not prove the cluster secret: a different cluster?`);
      }
    },
  };
}
