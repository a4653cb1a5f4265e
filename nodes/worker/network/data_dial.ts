/**
 * How a slot (or a worker's main thread) opens a data stream to another
 * node: with a cluster secret it first proves it (challenge, then the proof
 * on the request) and checks the server's proof back, so data never flows
 * to or from a node outside the cluster. A refusal names its reason.
 * @module
 */

import type { ClusterSecret } from "../../rpc/auth/cluster_secret.ts";
import { PROOF_HEADERS, provePeer } from "../../rpc/auth/peer_proof.ts";
import { type H2Response, postStream } from "../../rpc/h2_client.ts";

/** Longest part of a refusal's body quoted in the error. */
const MAX_REFUSAL_CHARS = 300;

/**
 * POSTs the frame stream `body` to `path` at `address`, proving `secret`
 * when there is one; resolves with the accepted (200) response, else throws
 * with the status and the server's reason.
 */
export async function dialDataStream(
  address: string,
  path: string,
  body: ReadableStream<Uint8Array>,
  secret: ClusterSecret | undefined,
): Promise<H2Response> {
  const proof = secret && await provePeer(address, secret, "data");
  const res = await postStream(address, path, body, proof?.headers);
  if (res.status !== 200) {
    const text = await new Response(res.body).text().catch(() => "");
    res.cancel();
    throw new Error(
      `${address}${path} refused the data stream: HTTP ${res.status} ${
        text.trim().slice(0, MAX_REFUSAL_CHARS)
      }`,
    );
  }
  try {
    await proof?.checkServer(String(res.headers[PROOF_HEADERS.serverProof]));
  } catch (e) {
    res.cancel();
    throw e;
  }
  return res;
}
