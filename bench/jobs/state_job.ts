// Checkpoint benchmark job: --events N updates over --keys K keys, each key
// holding a value with a --value-bytes payload of its own (K x B bytes of
// keyed state, ~100 MB by default), at full speed. A keyed process function
// counts per key in ValueState and emits one record per 1000 updates to a
// counting sink. Checkpointing comes from the command line.
import { jobArgs, ParameterTool, StreamExecutionEnvironment, ValueStateDescriptor } from "spate";
import type { ValueState } from "spate";

const params = ParameterTool.fromArgs(jobArgs());
const events = params.getNumber("events", 4_000_000);
const keys = params.getNumber("keys", 100_000);
const valueBytes = params.getNumber("value-bytes", 1000);
const padding = "x".repeat(valueBytes);
const enc = new TextEncoder(), dec = new TextDecoder();

interface Entry {
  count: number;
  payload: string;
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
let state: ValueState<Entry>;
env.fromGenerator(events, (i) => (i * 7919) % keys).uid("updates")
  .keyBy((k) => k)
  .process<number>({
    open(ctx) {
      state = ctx.getState(new ValueStateDescriptor<Entry>("entry"));
    },
    processElement(key, _ctx, out) {
      const e = state.value();
      // Each key's payload is a distinct flat string (not a view of a shared one), as
      // real state would be.
      const next = e === undefined
        ? { count: 1, payload: dec.decode(enc.encode(`${key}:${padding}`)) }
        : { count: e.count + 1, payload: e.payload };
      state.update(next);
      if (next.count % 1000 === 0) out.collect(key);
    },
  }).uid("state").name("KeyedState")
  .addSink(() => {}).name("Discard");
await env.execute("checkpoint-bench");
