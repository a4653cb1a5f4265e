/** Reads server-sent events from a streamed body, one `{ event, data }` per event. @module */

/** One server-sent event. */
export interface ServerSentEvent {
  readonly event: string;
  readonly data: string;
  /** The event's `id:` field, if it has one. */
  readonly id?: string;
}

/**
 * The events of `chunks` in order; comments (`: ...` lines, the master's
 * keep-alives) are skipped.
 *
 * @example
 * ```ts
 * import { serverSentEvents } from "./sse.ts";
 * const bytes = new TextEncoder().encode("event: a\ndata: 1\n\n: ping\n\n");
 * for await (const e of serverSentEvents([bytes])) console.log(e); // { event: "a", data: "1" }
 * ```
 */
export async function* serverSentEvents(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of chunks) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const name = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (name === "event") event = value;
        else if (name === "data") data.push(value);
        else if (name === "id") id = value;
      }
      if (data.length > 0) {
        yield { event, data: data.join("\n"), ...(id === undefined ? {} : { id }) };
      }
    }
  }
}
