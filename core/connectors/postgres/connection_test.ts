/**
 * The statement timeout of the PostgreSQL connectors: a statement that
 * answers in time passes its result through; one that does not fails with a
 * message naming the server and the setting (never the password).
 */
import assert from "node:assert/strict";
import { explain, validateConnectionOptions, withinStatementTimeout } from "./connection.ts";

const options = {
  host: "db.example",
  port: 5433,
  user: "app",
  password: "never-shown",
  database: "shop",
  statementTimeoutSeconds: 0.05,
};

Deno.test("withinStatementTimeout: an answer in time passes through", async () => {
  assert.equal(await withinStatementTimeout(options, Promise.resolve(42)), 42);
  await assert.rejects(
    withinStatementTimeout(options, Promise.reject(new Error("syntax error"))),
    /syntax error/,
  );
});

Deno.test("withinStatementTimeout: no answer in time fails, explained with the server and the setting", async () => {
  let never: (() => void) | undefined;
  const silent = new Promise<void>((resolve) => never = resolve);
  const e = await withinStatementTimeout(options, silent).then(() => undefined, (e) => e);
  never!();
  assert.ok(e instanceof Error);
  const message = explain("PostgresSink.exactlyOnce(t): writing to t failed", options, e).message;
  assert.equal(
    message,
    "PostgresSink.exactlyOnce(t): writing to t failed (app@db.example:5433/shop): no answer " +
      "within 0.05 s (statementTimeoutSeconds): is the server frozen or the network down?",
  );
  assert.ok(!message.includes("never-shown"));
});

Deno.test("timeouts must be > 0", () => {
  for (const k of ["connectTimeoutSeconds", "statementTimeoutSeconds"]) {
    assert.throws(
      () => validateConnectionOptions({ [k]: 0 }),
      new RegExp(`PostgreSQL ${k} must be > 0, got 0`),
    );
  }
});
