/**
 * Socket text source (Flink's `socketTextStream`): one subtask connects to a
 * TCP server and emits the text it sends, split at a delimiter. It ends when
 * the server closes the connection (the last, undelimited part is emitted).
 *
 * At-most-once: the position in a socket cannot be replayed, so records read
 * before a failure are not read again and records the server sent while the
 * job restarted are lost. Nothing is checkpointed.
 * @module
 */

import type { RecordOutput } from "../operators/stream_operator.ts";
import {
  type Availability,
  emitBuffered,
  type SourceReader,
  type SourceSpec,
} from "./source_reader.ts";

const READ_BYTES = 64 * 1024;
/** Longest a poll waits for bytes, so checkpoints and cancels are served while the server is quiet. */
const POLL_WAIT_MS = 50;

class SocketTextReader implements SourceReader<string> {
  private conn: Deno.TcpConn | undefined;
  private readonly decoder = new TextDecoder();
  private readonly buf = new Uint8Array(READ_BYTES);
  /** A read still waiting for bytes, kept across polls. */
  private reading: Promise<number | null> | undefined;
  private carry = "";
  private pending: string[] = [];
  private pendingIndex = 0;
  private ended = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly delimiter: string,
  ) {}

  async open(): Promise<void> {
    try {
      this.conn = await Deno.connect({ hostname: this.host, port: this.port });
    } catch (e) {
      throw new Error(
        `socketTextStream: cannot connect to ${this.host}:${this.port}: ${(e as Error).message}`,
        { cause: e },
      );
    }
  }

  async pollNext(
    output: RecordOutput<string>,
    gate: Availability,
    maxRecords: number,
  ): Promise<boolean> {
    let budget = maxRecords;
    for (;;) {
      const pending = this.pending;
      const reached = emitBuffered(pending, this.pendingIndex, budget, output, gate);
      budget -= reached - this.pendingIndex;
      this.pendingIndex = reached;
      if (this.pendingIndex < pending.length || budget === 0 || !gate.available) return true;
      if (this.ended) return false;
      if (!(await this.readParts())) return true;
    }
  }

  close(): void {
    try {
      this.conn?.close();
    } catch { /* already closed by the peer */ }
    this.conn = undefined;
  }

  /** Reads what arrives within a short wait into `pending`; false when nothing came. */
  private async readParts(): Promise<boolean> {
    if (this.reading === undefined) {
      this.reading = this.conn!.read(this.buf);
      // A read still pending when the source closes rejects: nobody needs that error.
      this.reading.catch(() => {});
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const n = await Promise.race([
      this.reading,
      new Promise<"wait">((r) => timer = setTimeout(() => r("wait"), POLL_WAIT_MS)),
    ]);
    clearTimeout(timer);
    if (n === "wait") return false;
    this.reading = undefined;
    if (n === null || n === 0) {
      this.ended = true;
      const rest = this.carry + this.decoder.decode();
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingIndex = 0;
      return true;
    }
    const parts = (this.carry + this.decoder.decode(this.buf.subarray(0, n), { stream: true }))
      .split(this.delimiter);
    this.carry = parts.pop()!;
    if (this.delimiter === "\n") {
      for (let i = 0; i < parts.length; i++) {
        const p = parts[i];
        if (p.length > 0 && p.charCodeAt(p.length - 1) === 13) parts[i] = p.slice(0, -1);
      }
    }
    this.pending = parts;
    this.pendingIndex = 0;
    return true;
  }
}

/** A non-parallel, unbounded source of the `delimiter`-separated text a TCP server sends. */
export function socketTextSource(
  host: string,
  port: number,
  delimiter = "\n",
): SourceSpec<string> {
  if (typeof host !== "string" || host === "") {
    throw new TypeError("socketTextStream needs a host name");
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`socketTextStream: port must be an integer in 1..65535, got ${port}`);
  }
  if (typeof delimiter !== "string" || delimiter === "") {
    throw new TypeError("socketTextStream: the delimiter must be a non-empty string");
  }
  return {
    bounded: false,
    maxParallelism: 1,
    createReader: () => new SocketTextReader(host, port, delimiter),
  };
}
