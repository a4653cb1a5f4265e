import assert from "node:assert/strict";
import { IngestBodyError, parseIngestBody } from "./ingest_body.ts";

Deno.test("NDJSON (blank lines and CRLF) and one JSON array are both records", () => {
  assert.deepEqual(parseIngestBody('{"a":1}\r\n\n  \n{"a":2}\n'), {
    values: [{ a: 1 }, { a: 2 }],
    lines: [1, 4],
  });
  assert.deepEqual(parseIngestBody(' [{"a":1}, 2, "x"] ').values, [{ a: 1 }, 2, "x"]);
  // A body of arrays one per line is NDJSON whose records are arrays.
  assert.deepEqual(parseIngestBody("[1,2]\n[3]").values, [[1, 2], [3]]);
});

Deno.test("a bad body names its line, or the whole body", () => {
  assert.throws(() => parseIngestBody('{"a":1}\n{"a":\n'), (e: Error) => {
    assert.ok(e instanceof IngestBodyError);
    assert.equal(e.line, 2);
    assert.match(e.message, /^line 2: not JSON/);
    return true;
  });
  assert.throws(
    () => parseIngestBody('[{"a":1},\n{"a":2}'),
    /the body is not a JSON array: .*\(line 2 column 8\)/,
  );
  assert.throws(() => parseIngestBody("[]"), /holds no record/);
  assert.throws(() => parseIngestBody("\n \r\n"), /holds no record/);
});
