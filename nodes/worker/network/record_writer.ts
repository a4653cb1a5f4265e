/**
 * RecordWriter: the Output at the end of a chain that feeds one job edge. It
 * picks each record's channel with the edge's partitioner and stamps it with
 * the task's current record timestamp; watermarks and idle status go to
 * every channel.
 * @module
 */

import { BROADCAST, type ChannelSelector } from "../../../core/graph/partitioners.ts";
import type { Output, RecordTimestamp } from "../../../core/operators/stream_operator.ts";
import type { ChannelEvent } from "./channel.ts";
import type { OutputChannel } from "./output_channel.ts";

export class RecordWriter implements Output<unknown> {
  recordsOut = 0;
  /** The last watermark sent downstream (-Infinity before the first): the task's metrics read it. */
  lastWatermark = Number.NEGATIVE_INFINITY;

  constructor(
    readonly channels: OutputChannel[],
    private readonly selector: ChannelSelector,
    /** Buffer timeout 0: every record leaves at once (lowest latency). */
    private readonly flushAlways: boolean,
    private readonly timestamp: RecordTimestamp,
  ) {}

  collect(record: unknown): void {
    this.recordsOut++;
    const c = this.selector(record);
    const ts = this.timestamp.value;
    if (c === BROADCAST) {
      for (const ch of this.channels) ch.add(record, ts);
    } else {
      this.channels[c].add(record, ts);
    }
    if (this.flushAlways) this.flush();
  }

  /** Side outputs are routed by the chain; a writer feeds one edge. */
  collectSide(): void {}

  emitWatermark(watermark: number): void {
    this.lastWatermark = watermark;
    this.emitEvent({ t: "watermark", ts: watermark });
  }

  emitWatermarkStatus(idle: boolean): void {
    this.emitEvent({ t: "status", idle });
  }

  flush(): void {
    for (const ch of this.channels) ch.flush();
  }

  /** Ends every channel (`suspend`: stopped by a savepoint without drain). */
  end(suspend = false): void {
    for (const ch of this.channels) ch.end(suspend);
  }

  /** Sends an event on every channel, behind the records before it. */
  emitEvent(event: ChannelEvent): void {
    for (const ch of this.channels) ch.emitEvent(event);
  }

  async drained(): Promise<void> {
    await Promise.all(this.channels.map((c) => c.drained()));
  }
}
