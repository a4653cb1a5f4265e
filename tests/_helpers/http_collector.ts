/**
 * An HTTP endpoint for sink tests (a test double at the external boundary):
 * it records the JSON array bodies it accepts, and answers a request with the
 * status `respond` picks (200 unless it says otherwise).
 * @module
 */

export interface HttpCollector {
  readonly url: string;
  readonly port: number;
  /** How often each record id arrived in an accepted request. */
  readonly received: Map<number, number>;
  /** Requests seen, accepted or not. */
  requests(): number;
  /** Authorization headers seen (to check a credential arrived). */
  readonly authorizations: Set<string>;
  close(): Promise<void>;
}

/** Starts the endpoint on a free loopback port; `respond(n)` gives the status of request n (from 1). */
export function startHttpCollector(
  respond: (request: number) => number = () => 200,
): HttpCollector {
  const received = new Map<number, number>();
  const authorizations = new Set<string>();
  let requests = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      const n = ++requests;
      const auth = req.headers.get("authorization");
      if (auth !== null) authorizations.add(auth);
      const body = await req.json() as { id: number }[];
      const status = respond(n);
      if (status === 200) {
        for (const r of body) received.set(r.id, (received.get(r.id) ?? 0) + 1);
      }
      return new Response(status === 200 ? "ok" : "no", { status });
    },
  );
  const port = server.addr.port;
  return {
    url: `http://127.0.0.1:${port}/ingest`,
    port,
    received,
    authorizations,
    requests: () => requests,
    close: () => server.shutdown(),
  };
}

/** Ids in 1..n that never arrived. */
export function missingIds(received: Map<number, number>, n: number): number[] {
  const missing: number[] = [];
  for (let id = 1; id <= n; id++) if (!received.has(id)) missing.push(id);
  return missing;
}
