/** How sinks render a record as one line of text. @module */

/**
 * Strings as they are; tuples/arrays as their elements joined by commas (so
 * `["word", 3]` is `word,3`); objects as JSON; anything else via String().
 *
 * @example
 * ```ts
 * import { formatRecord } from "./format.ts";
 * formatRecord(["word", 3]); // "word,3"
 * ```
 */
export function formatRecord(record: unknown): string {
  if (typeof record === "string") return record;
  if (Array.isArray(record)) return record.map(formatField).join(",");
  return formatField(record);
}

function formatField(v: unknown): string {
  if (v !== null && typeof v === "object") return JSON.stringify(v);
  return String(v);
}
