/**
 * RecordWriter: the Output at the end of a chain that feeds one job edge. It
 * picks each record's channel with the edge's partitioner.
 * @module
 */

import { BROADCAST, type ChannelSelector } from "../../../core/graph/partitioners.ts";
import type { Output } from "../../../core/operators/stream_operator.ts";
import type { OutputChannel } from "./output_channel.ts";

export class RecordWriter implements Output<unknown> {
  recordsOut = 0;

  constructor(
    readonly channels: OutputChannel[],
    private readonly selector: ChannelSelector,
    /** Buffer timeout 0: every record leaves at once (lowest latency). */
    private readonly flushAlways: boolean,
  ) {}

  collect(record: unknown): void {
    this.recordsOut++;
    const c = this.selector(record);
    if (c === BROADCAST) {
      for (const ch of this.channels) ch.add(record);
    } else {
      this.channels[c].add(record);
    }
    if (this.flushAlways) this.flush();
  }

  flush(): void {
    for (const ch of this.channels) ch.flush();
  }

  end(): void {
    for (const ch of this.channels) ch.end();
  }

  /** Sends an event (barrier, cancel marker) on every channel, behind the records before it. */
  emitEvent(event: Parameters<OutputChannel["emitEvent"]>[0]): void {
    for (const ch of this.channels) ch.emitEvent(event);
  }

  async drained(): Promise<void> {
    await Promise.all(this.channels.map((c) => c.drained()));
  }
}
