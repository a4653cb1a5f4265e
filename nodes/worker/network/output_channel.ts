/**
 * Producer end of a channel: collects records into a pending batch, encodes it
 * into one buffer when it is full (an adaptive record count that aims at the
 * buffer size), and sends buffers against credit; without credit they wait in a
 * bounded backlog (Flink's PipelinedSubpartition + credit-based reader).
 * @module
 */

import type { RecordBatchEncoder } from "../../../core/serde/record_batch.ts";
import type { ChannelEndpoint, ChannelEvent, ChannelMessage, NetworkSettings } from "./channel.ts";
import type { OutputAvailability } from "./output_availability.ts";

const FIRST_BATCH_RECORDS = 16;
const MAX_BATCH_RECORDS = 1 << 16;

export class OutputChannel {
  /**
   * The batch being filled: made with room for `targetRecords` (pushing into
   * an empty array copied it at every growth, ~3 copies of a batch's slots),
   * its first `count` slots used.
   */
  private pending: unknown[] = new Array(FIRST_BATCH_RECORDS);
  private count = 0;
  /**
   * The pending records' timestamps (NaN: none), made at the batch's first
   * timestamped record with room for a full batch (a batch is flushed at
   * `targetRecords`, which only changes at a flush).
   */
  private pendingTs: Float64Array | undefined;
  private targetRecords = FIRST_BATCH_RECORDS;
  private credit = 0;
  private readonly backlog: ChannelMessage[] = [];
  private blocked = false;
  private drainWaiter: (() => void) | undefined;
  bytesOut = 0;
  buffersOut = 0;
  maxBacklog = 0;

  constructor(
    private readonly endpoint: ChannelEndpoint,
    private readonly encoder: RecordBatchEncoder,
    private readonly settings: NetworkSettings,
    private readonly availability: OutputAvailability,
  ) {
    endpoint.onMessage((m) => {
      if (m.t === "credit") this.onCredit(m.n);
    });
  }

  /** Adds a record with its event timestamp (NaN: none). */
  add(record: unknown, timestamp: number): void {
    const n = this.count;
    let ts = this.pendingTs;
    if (ts !== undefined) ts[n] = timestamp;
    else if (timestamp === timestamp) {
      // The first timestamped record of the batch: the earlier ones had none.
      ts = this.pendingTs = new Float64Array(this.targetRecords);
      ts.fill(Number.NaN, 0, n);
      ts[n] = timestamp;
    }
    this.pending[n] = record;
    this.count = n + 1;
    if (n + 1 >= this.targetRecords) this.flush();
  }

  /** Encodes the pending records into one buffer and sends or queues it. */
  flush(): void {
    const records = this.pending, n = this.count;
    if (n === 0) return;
    if (records.length !== n) records.length = n;
    const timestamps = this.pendingTs?.subarray(0, n);
    this.pendingTs = undefined;
    // The next batch: room for as many as this one (a batch cut short by a watermark, or every
    // record at buffer timeout 0, sizes the next small; a longer one grows as a push would).
    this.pending = new Array(Math.max(FIRST_BATCH_RECORDS, n));
    this.count = 0;
    this.buffersOut++;
    if (this.endpoint.inSlot) {
      // Within one slot the records go as they are: nothing to encode or size.
      this.targetRecords = this.settings.inSlotBatchRecords;
      this.enqueue({ t: "buffer", data: { values: records, timestamps }, records: records.length });
      return;
    }
    const data = this.encoder.encode(records, timestamps);
    this.bytesOut += data.byteLength;
    const perRecord = data.byteLength / records.length;
    this.targetRecords = Math.max(
      1,
      Math.min(MAX_BATCH_RECORDS, Math.floor(this.settings.bufferSizeBytes * 0.9 / perRecord)),
    );
    this.enqueue({ t: "buffer", data, records: records.length });
  }

  /** Flushes and queues the end-of-partition marker behind every buffer (`suspend`: see ChannelMessage). */
  end(suspend = false): void {
    this.emitEvent(suspend ? { t: "end", suspend } : { t: "end" });
  }

  /** Flushes, then queues an event (barrier, cancel marker, end) behind every buffer. */
  emitEvent(event: ChannelEvent): void {
    this.flush();
    this.enqueue(event);
  }

  /** Resolves once every queued buffer and the end marker have been sent. */
  drained(): Promise<void> {
    if (this.backlog.length === 0) return Promise.resolve();
    return new Promise((resolve) => (this.drainWaiter = resolve));
  }

  close(): void {
    this.endpoint.close();
  }

  private enqueue(m: ChannelMessage): void {
    // Events need no credit, but they must not overtake buffers.
    if (this.backlog.length === 0 && (this.credit > 0 || m.t !== "buffer")) {
      this.send(m);
      return;
    }
    this.backlog.push(m);
    // Only buffers count against the limit; the end marker carries no data.
    if (m.t === "buffer" && this.backlog.length > this.maxBacklog) {
      this.maxBacklog = this.backlog.length;
    }
    if (!this.blocked && this.backlog.length >= this.settings.backlogBuffersPerChannel) {
      this.blocked = true;
      this.availability.block();
    }
  }

  private onCredit(n: number): void {
    this.credit += n;
    const backlog = this.backlog;
    while (backlog.length > 0 && (this.credit > 0 || backlog[0].t !== "buffer")) {
      this.send(backlog.shift()!);
    }
    if (this.blocked && backlog.length < this.settings.backlogBuffersPerChannel) {
      this.blocked = false;
      this.availability.unblock();
    }
    if (backlog.length === 0 && this.drainWaiter !== undefined) {
      const w = this.drainWaiter;
      this.drainWaiter = undefined;
      w();
    }
  }

  private send(m: ChannelMessage): void {
    if (m.t === "buffer") {
      this.credit--;
      this.endpoint.send(m, m.data instanceof ArrayBuffer ? [m.data] : undefined);
    } else {
      this.endpoint.send(m);
    }
  }
}
