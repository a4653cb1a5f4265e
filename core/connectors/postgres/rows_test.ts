import assert from "node:assert/strict";
import { quoteIdent } from "./connection.ts";
import { keySplits } from "./postgres_source.ts";
import { bindValues, checkBatchRows, defaultRowMapper, insertSql } from "./rows.ts";

Deno.test("insertSql: one multi-row insert; an upsert updates the non-key columns", () => {
  assert.equal(
    insertSql("s.t", ["k", "n"], 2),
    `INSERT INTO "s"."t" ("k","n") VALUES ($1,$2),($3,$4)`,
  );
  assert.equal(
    insertSql("t", ["k", "n"], 1, ["k"]),
    `INSERT INTO "t" ("k","n") VALUES ($1,$2) ON CONFLICT ("k") DO UPDATE SET "n" = EXCLUDED."n"`,
  );
  assert.equal(insertSql("t", ["k"], 1, ["k"]).endsWith("DO NOTHING"), true);
  assert.equal(quoteIdent('we"ird'), '"we""ird"');
});

Deno.test("rows: arrays as they are, objects by column; widths and batch sizes checked", () => {
  const toRow = defaultRowMapper<unknown>(["a", "b"]);
  assert.deepEqual(toRow([1, 2]), [1, 2]);
  assert.deepEqual(toRow({ b: 2, a: 1, c: 3 }), [1, 2]);
  assert.throws(() => toRow(5), /array or an object/);
  assert.deepEqual(bindValues([[1, undefined], [3, 4]], 2), [1, null, 3, 4]);
  assert.throws(() => bindValues([[1]], 2), /1 values for 2 column/);
  assert.throws(() => checkBatchRows(40_000, 2), /at most 32767 rows/);
  assert.throws(() => checkBatchRows(0, 2), /positive integer/);
});

Deno.test("keySplits: near-equal ranges covering [min, max] exactly", () => {
  assert.deepEqual(keySplits(1, 10, 3), [{ lo: 1, hi: 3 }, { lo: 4, hi: 6 }, { lo: 7, hi: 10 }]);
  assert.deepEqual(keySplits(5, 6, 4), [{ lo: 5, hi: 5 }, { lo: 6, hi: 6 }]);
  const s = keySplits(-100, 1_000_003, 16);
  assert.equal(s[0].lo, -100);
  assert.equal(s.at(-1)!.hi, 1_000_003);
  for (let i = 1; i < s.length; i++) assert.equal(s[i].lo, s[i - 1].hi + 1);
});
