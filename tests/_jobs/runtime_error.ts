// A job whose user function throws at run time, in the middle of a chain.
import { StreamExecutionEnvironment } from "spate";
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromSequence(1, 100_000)
  .filter((x) => x > 0).name("Positive")
  .map((x) => {
    if (x === 77_777) throw new Error(`cannot handle record ${x}`);
    return x * 2;
  }).name("Explode")
  .addSink(() => {});
await env.execute("runtime-error");
