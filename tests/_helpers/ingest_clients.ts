/**
 * Clients of an HTTP ingest endpoint for tests: each sends its share of
 * records `{"id": n}` in NDJSON batches, one batch at a time, and sends a
 * batch again until it is answered 2xx (waiting the Retry-After, or a short
 * pause after a dropped connection), recording which ids were acknowledged
 * and how many records were sent in attempts that were not.
 * @module
 */

/** What a run of clients saw. */
export interface IngestLoad {
  /** Ids answered 2xx. */
  readonly acked: Set<number>;
  /** Records sent in attempts answered otherwise (or dropped): the most that can be duplicated. */
  retriedRecords: number;
  /** Attempts answered non-2xx or dropped, by status ("network" for a dropped connection). */
  readonly failures: Map<string, number>;
  posts: number;
}

/** Longest a client keeps sending one batch before the run fails. */
const BATCH_DEADLINE_MS = 120_000;
/** Pause after a dropped connection (no Retry-After to follow). */
const RETRY_PAUSE_MS = 100;

/**
 * Sends ids `0..records-1` to `url` from `clients` concurrent clients in
 * batches of `batch`; resolves when every batch was acknowledged.
 */
export async function runIngestLoad(
  url: string,
  records: number,
  clients: number,
  batch: number,
  onAck?: (load: IngestLoad) => void,
): Promise<IngestLoad> {
  const load: IngestLoad = { acked: new Set(), retriedRecords: 0, failures: new Map(), posts: 0 };
  let next = 0;
  const client = async () => {
    for (;;) {
      const from = next;
      if (from >= records) return;
      const to = Math.min(records, from + batch);
      next = to;
      await sendBatch(url, from, to, load);
      onAck?.(load);
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return load;
}

async function sendBatch(url: string, from: number, to: number, load: IngestLoad) {
  const lines: string[] = [];
  for (let id = from; id < to; id++) lines.push(`{"id":${id}}`);
  const body = lines.join("\n");
  const deadline = Date.now() + BATCH_DEADLINE_MS;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`ids ${from}..${to} not acknowledged in time`);
    load.posts++;
    let status: string;
    let pauseMs = RETRY_PAUSE_MS;
    try {
      const res = await fetch(url, { method: "POST", body });
      const text = await res.text();
      if (res.ok) {
        for (let id = from; id < to; id++) load.acked.add(id);
        return;
      }
      if (res.status === 400 || res.status === 413 || res.status === 404) {
        throw new Error(`ids ${from}..${to} refused: ${res.status} ${text}`);
      }
      status = String(res.status);
      pauseMs = Number(res.headers.get("retry-after") ?? "0") * 1000 || RETRY_PAUSE_MS;
    } catch (e) {
      if ((e as Error).message.includes("refused:")) throw e;
      status = "network";
    }
    load.failures.set(status, (load.failures.get(status) ?? 0) + 1);
    load.retriedRecords += to - from;
    await new Promise((r) => setTimeout(r, pauseMs));
  }
}
