// A fast source feeding a slow sink: backpressure must hold the source back.
// Args: --records N --record-bytes B --sink-delay-us D [--same-slot] (the sink
// shares the source's slot, so the exchange is an in-slot channel). The sink
// reports the process's peak RSS it saw on stderr as `peak-rss <bytes>`.
import { jobArgs, ParameterTool, StreamExecutionEnvironment } from "spate";

const params = ParameterTool.fromArgs(jobArgs());
const records = params.getNumber("records", 200_000);
const recordBytes = params.getNumber("record-bytes", 1000);
const delayUs = params.getNumber("sink-delay-us", 5);
const padding = "x".repeat(recordBytes);
const sinkGroup = params.has("same-slot") ? "default" : "sink";

const env = StreamExecutionEnvironment.getExecutionEnvironment();
let peakRss = 0, seen = 0;
env.fromGenerator(records, (i) => `${i}:${padding}`)
  .rebalance()
  .addSink({
    invoke(value: string) {
      if (value.length < recordBytes) throw new Error("short record");
      const until = performance.now() + delayUs / 1000;
      while (performance.now() < until) { /* a slow sink */ }
      if (++seen % 2000 === 0) peakRss = Math.max(peakRss, Deno.memoryUsage().rss);
    },
    close() {
      console.error(`peak-rss ${peakRss} seen ${seen}`);
    },
  }).name("Slow Sink").slotSharingGroup(sinkGroup);
await env.execute("backpressure");
