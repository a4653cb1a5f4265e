/**
 * The body of an ingest request: one JSON value per line (NDJSON, blank
 * lines skipped) or one JSON array of records.
 * @module
 */

/** A body that is not what the endpoint accepts; `line` is 1-based (0: the whole body). */
export class IngestBodyError extends Error {
  constructor(readonly line: number, message: string) {
    super(line > 0 ? `line ${line}: ${message}` : message);
    this.name = "IngestBodyError";
  }
}

/**
 * The records of `text` and the line each starts on (one JSON array: line 1
 * for all). Throws {@linkcode IngestBodyError} naming the first bad line.
 *
 * @example
 * ```ts
 * import { parseIngestBody } from "./ingest_body.ts";
 * const { values } = parseIngestBody('{"id":1}\n{"id":2}\n');
 * console.assert(values.length === 2);
 * ```
 */
export function parseIngestBody(text: string): { values: unknown[]; lines: number[] | undefined } {
  const start = firstNonBlank(text);
  if (start === -1) throw new IngestBodyError(0, "the body holds no record");
  if (text.charCodeAt(start) === 91 /* [ */) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      // A body starting with '[' is one array, or NDJSON whose records are arrays.
      return parseLines(text, e as Error);
    }
    if (!Array.isArray(parsed)) throw new IngestBodyError(0, "the body is not a JSON array");
    if (parsed.length === 0) throw new IngestBodyError(0, "the body holds no record");
    return { values: parsed, lines: undefined };
  }
  return parseLines(text, undefined);
}

function parseLines(text: string, arrayError: Error | undefined) {
  const values: unknown[] = [];
  const lines: number[] = [];
  const parts = text.split("\n");
  for (let i = 0; i < parts.length; i++) {
    const line = parts[i];
    if (line.trim() === "") continue;
    try {
      values.push(JSON.parse(line));
    } catch (e) {
      if (arrayError !== undefined && i === 0) {
        throw new IngestBodyError(0, `the body is not a JSON array: ${arrayError.message}`);
      }
      throw new IngestBodyError(i + 1, `not JSON: ${(e as Error).message}`);
    }
    lines.push(i + 1);
  }
  return { values, lines };
}

function firstNonBlank(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return i;
  }
  return -1;
}
