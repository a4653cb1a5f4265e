/**
 * The job API refuses out-of-range settings at the call that sets them, with
 * the bound and the value given; job arguments name the one missing or
 * malformed.
 */

import assert from "node:assert/strict";
import { OPTIONS } from "../config/options.ts";
import { setJobContext } from "./execution_context.ts";
import { ParameterTool } from "./parameter_tool.ts";
import { StreamExecutionEnvironment } from "./stream_execution_environment.ts";

function env(): StreamExecutionEnvironment {
  setJobContext({ mode: "plan", args: [], jobModuleUrl: "file:///job.ts", defaults: {} });
  return StreamExecutionEnvironment.getExecutionEnvironment();
}

/** `fn` throws a RangeError whose message is exactly `message`. */
function refuses(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof RangeError, String(e));
    assert.equal(e.message, message);
    return true;
  });
}

Deno.test("environment settings out of range are refused with the bound and the value", () => {
  const mp = OPTIONS.maxParallelism, bt = OPTIONS.bufferTimeoutMs;
  refuses(
    () => env().setMaxParallelism(0),
    `max parallelism must be in ${mp.min}..${mp.max}, got 0`,
  );
  refuses(
    () => env().setBufferTimeout(-1),
    `buffer timeout must be ${bt.min}..${bt.max} ms, got -1`,
  );
  refuses(
    () => env().setAutoWatermarkInterval(1.5),
    "auto watermark interval must be an integer >= 0 ms, got 1.5",
  );
  refuses(
    () => env().setRuntimeMode("fast" as never),
    "runtime mode must be streaming, batch or automatic, got fast",
  );
  const ci = OPTIONS.checkpointIntervalMs;
  refuses(
    () => env().enableCheckpointing(ci.min - 1),
    `checkpoint interval must be an integer >= ${ci.min} ms, got ${ci.min - 1}`,
  );
  refuses(
    () => env().enableCheckpointing(1_000, "twice" as never),
    "checkpointing mode must be exactly_once, at_least_once or unaligned, got twice",
  );
  refuses(
    () => env().setCheckpointStorage("/tmp/cp", 0),
    `retained checkpoints must be an integer >= ${OPTIONS.retainedCheckpoints.min}, got 0`,
  );
  refuses(
    () => env().setStateBackend("cloud" as never),
    "state backend must be heap or disk, got cloud",
  );
  refuses(() => env().fromSequence(5, 1), "fromSequence needs integers from <= to, got 5..1");
});

Deno.test("window pre-aggregation settings out of range are refused", () => {
  refuses(
    () => env().setWindowPreAggregation(-1),
    "window pre-aggregation entries must be an integer >= 0, got -1",
  );
  refuses(
    () => env().setWindowPreAggregation(10, { sampleElements: 0 }),
    "sampleElements must be a positive integer, got 0",
  );
  refuses(
    () => env().setWindowPreAggregation(10, { maxDistinctRatio: 2 }),
    "maxDistinctRatio must be in [0, 1], got 2",
  );
});

Deno.test("job arguments: a stray word and a missing required flag are named", () => {
  assert.throws(
    () => ParameterTool.fromArgs(["--in", "a.txt", "stray"]),
    /^Error: unexpected job argument 'stray': expected --name value$/,
  );
  assert.throws(
    () => ParameterTool.fromArgs(["--in", "a.txt"]).getRequired("out"),
    /^Error: missing job argument --out$/,
  );
  assert.equal(ParameterTool.fromArgs(["--in", "a.txt"]).getRequired("in"), "a.txt");
});
