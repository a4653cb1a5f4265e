/**
 * The worker's side of HTTP ingest: `POST /ingest/NAME` on the data port.
 * Readers of an ingest source register here from their slots (a MessagePort
 * each); a request's body is read up to the source's limit and handed to a
 * reader, and the request is answered when the reader answers (after the
 * checkpoint that covers its records, by default). A reader that closes or
 * whose task or slot goes away fails its unanswered requests with 503, so
 * clients send them again. Limits: the body (413), the requests a reader
 * holds (429), the wait for an answer (504).
 * @module
 */

import {
  INGEST_ABSENT_HEADER,
  INGEST_ACK_MODES,
  type IngestAckMode,
  type IngestCommand,
  type IngestRegistration,
  type IngestReply,
} from "../../core/connectors/http_ingest/ingest_protocol.ts";

interface Endpoint {
  readonly jobId: string;
  readonly slotIndex: number;
  readonly taskId: string;
  readonly registration: IngestRegistration;
  readonly port: MessagePort;
  /** Unanswered requests by id. */
  readonly waiting: Map<number, (reply: IngestReply & { type: "reply" }) => void>;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
const error = (status: number, message: string, headers: Record<string, string> = {}) =>
  json(status, { errors: [message] }, headers);

/** The ingest endpoints of one worker process. */
export class IngestEndpoints {
  private readonly byName = new Map<string, Endpoint[]>();
  /** Names that had a reader here: while none runs (a restart), 503 rather than 404. */
  private readonly seen = new Set<string>();
  private nextId = 1;
  private turn = 0;

  /**
   * A reader of task `taskId` (of job `jobId`) in slot `slotIndex` opened; it
   * is refused when another job's source of the same name runs here.
   */
  add(
    reader: { jobId: string; slotIndex: number; taskId: string },
    registration: IngestRegistration,
    port: MessagePort,
  ): void {
    const name = registration.name;
    const other = this.byName.get(name)?.find((e) => e.jobId !== reader.jobId);
    if (other !== undefined) {
      return IngestEndpoints.refuse(
        port,
        `job ${other.jobId} already runs an ingest source '${name}' on this worker: ` +
          "give each job's HttpIngestSource a name of its own",
      );
    }
    const endpoint: Endpoint = { ...reader, registration, port, waiting: new Map() };
    port.onmessage = (e: MessageEvent<IngestReply>) => {
      const m = e.data;
      if (m.type === "closed") this.remove(endpoint, m.reason);
      else endpoint.waiting.get(m.id)?.(m);
    };
    this.byName.set(name, [...this.byName.get(name) ?? [], endpoint]);
    this.seen.add(name);
  }

  /** Refuses a reader where this process serves no HTTP (its task fails, naming why). */
  static refuse(port: MessagePort, reason: string): void {
    port.postMessage({ type: "refused", reason } satisfies IngestCommand);
  }

  /** Task `taskId` ended or was released: its readers' requests fail. */
  dropTask(taskId: string, reason: string): void {
    for (const e of this.all()) if (e.taskId === taskId) this.remove(e, reason);
  }

  /** Slot `slotIndex`'s worker was replaced or crashed. */
  dropSlot(slotIndex: number, reason: string): void {
    for (const e of this.all()) if (e.slotIndex === slotIndex) this.remove(e, reason);
  }

  private all(): Endpoint[] {
    return [...this.byName.values()].flat();
  }

  private remove(endpoint: Endpoint, reason: string): void {
    const name = endpoint.registration.name;
    const rest = (this.byName.get(name) ?? []).filter((e) => e !== endpoint);
    if (rest.length > 0) this.byName.set(name, rest);
    else this.byName.delete(name);
    endpoint.port.close();
    const message = `the reader of ingest source '${name}' stopped before answering ` +
      `(${reason}): the records may or may not be in the job; send them again`;
    for (const answer of endpoint.waiting.values()) {
      answer({ type: "reply", id: 0, status: 503, records: 0, message });
    }
    endpoint.waiting.clear();
  }

  /** Answers `POST /ingest/NAME?ack=MODE`. */
  async handle(req: Request, name: string, ackParam: string | null): Promise<Response> {
    const ack = (ackParam ?? "checkpoint") as IngestAckMode;
    if (!INGEST_ACK_MODES.includes(ack)) {
      return error(400, `unknown ack mode '${ackParam}' (modes: ${INGEST_ACK_MODES.join(", ")})`);
    }
    const endpoint = this.pick(name);
    if (endpoint === undefined) {
      const absent = { [INGEST_ABSENT_HEADER]: "1" };
      if (this.seen.has(name)) {
        return error(503, `ingest source '${name}' is restarting on this worker`, {
          ...absent,
          "retry-after": "1",
        });
      }
      const here = [...this.byName.keys()];
      return error(
        404,
        `no ingest source '${name}' runs on this worker` +
          (here.length > 0 ? ` (ingest sources here: ${here.join(", ")})` : ""),
        absent,
      );
    }
    const limits = endpoint.registration.limits;
    const retryAfter = { "retry-after": String(limits.retryAfterS) };
    if (endpoint.waiting.size >= limits.maxPendingRequests) {
      return error(
        429,
        `ingest source '${name}' holds ${endpoint.waiting.size} unanswered requests ` +
          "(maxPendingRequests): retry later",
        retryAfter,
      );
    }
    const body = await readBody(req, limits.maxBodyBytes);
    if (typeof body === "string") return error(413, `ingest source '${name}': ${body}`);
    return await this.send(endpoint, body, ack);
  }

  /** The reader of `name` with the fewest unanswered requests (round robin among equals). */
  private pick(name: string): Endpoint | undefined {
    const endpoints = this.byName.get(name);
    if (endpoints === undefined) return undefined;
    const start = this.turn++ % endpoints.length;
    let best = endpoints[start];
    for (let k = 1; k < endpoints.length; k++) {
      const e = endpoints[(start + k) % endpoints.length];
      if (e.waiting.size < best.waiting.size) best = e;
    }
    return best;
  }

  private send(endpoint: Endpoint, body: Uint8Array, ack: IngestAckMode): Promise<Response> {
    const id = this.nextId++;
    const limits = endpoint.registration.limits;
    return new Promise<Response>((resolve) => {
      const timer = setTimeout(() => {
        endpoint.waiting.delete(id);
        resolve(error(
          504,
          `no checkpoint covered the records within ${limits.ackTimeoutMs} ms ` +
            "(ackTimeoutMs): they may or may not be in the job; send them again",
        ));
      }, limits.ackTimeoutMs);
      endpoint.waiting.set(id, (reply) => {
        clearTimeout(timer);
        endpoint.waiting.delete(id);
        if (reply.status === 200) return resolve(json(200, { records: reply.records }));
        const retry = reply.status === 429 || reply.status === 503;
        resolve(error(
          reply.status,
          reply.message ?? `HTTP ${reply.status}`,
          retry ? { "retry-after": String(limits.retryAfterS) } : {},
        ));
      });
      const cmd: IngestCommand = { type: "batch", id, body, ack };
      endpoint.port.postMessage(cmd, [body.buffer as ArrayBuffer]);
    });
  }
}

/** The body, or why it is refused (over `limit` bytes). */
async function readBody(req: Request, limit: number): Promise<Uint8Array | string> {
  const tooLarge = (n: number) =>
    `the body of ${n} bytes exceeds ${limit} bytes (HttpIngestSource maxBodyBytes)`;
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) return tooLarge(declared);
  if (req.body === null) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of req.body) {
    total += chunk.length;
    if (total > limit) return tooLarge(total);
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}
