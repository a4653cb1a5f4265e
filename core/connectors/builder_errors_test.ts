/**
 * Connector builders refuse bad settings when they are set, naming the
 * setting; an HTTP sink whose header variable is missing fails at open,
 * naming the variable and the header (never a value).
 */

import assert from "node:assert/strict";
import type { StreamOperator } from "../operators/stream_operator.ts";
import { OperatorHarness } from "../../tests/_helpers/operator_harness.ts";
import { generatorSource } from "./generator_source.ts";
import { HttpSink } from "./http_sink.ts";

const sink = () => HttpSink.builder<unknown>();

Deno.test("HttpSink builder: URL, method, header names and limits are checked as they are set", () => {
  assert.throws(() => sink().url("ftp://127.0.0.1/x"), {
    name: "TypeError",
    message: "HttpSink: the URL must be http or https, got ftp:",
  });
  assert.throws(() => sink().method("GET" as "POST"), {
    message: "HttpSink: method must be POST or PUT, got GET",
  });
  assert.throws(() => sink().header("bad header", "v"), {
    message: "HttpSink: 'bad header' is not a header name",
  });
  assert.throws(() => sink().headerFromEnv("authorization", ""), {
    message: "HttpSink.headerFromEnv needs a variable name",
  });
  assert.throws(() => sink().batchSize(0), { name: "RangeError", message: /batchSize/ });
  assert.throws(() => sink().build(), { message: "HttpSink: set the url" });
});

Deno.test("HttpSink: a header variable that is not set fails the sink at open, naming it", async () => {
  const variable = "SPATE_TEST_UNSET_HEADER_VARIABLE";
  assert.equal(Deno.env.get(variable), undefined);
  const built = sink().url("http://127.0.0.1:9/").headerFromEnv("authorization", variable).build();
  const h = new OperatorHarness(built.createOperator() as StreamOperator<unknown, never>);
  await assert.rejects(h.open(), {
    message: `HttpSink: the environment variable ${variable} (header authorization) is not set`,
  });
});

Deno.test("generator source: a negative count or a bad rate is refused", () => {
  assert.throws(() => generatorSource(-1, (i) => i), {
    name: "RangeError",
    message: "generator count must be >= 0, got -1",
  });
  assert.throws(() => generatorSource(10, (i) => i, { recordsPerSecond: 0 }), {
    message: "recordsPerSecond must be a positive number, got 0",
  });
  assert.throws(() => generatorSource(10, (i) => i, { recordsPerSecond: Infinity }), {
    message: "recordsPerSecond must be a positive number, got Infinity",
  });
});
