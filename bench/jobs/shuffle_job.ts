// Shuffle benchmark job: a generator in slot sharing group "src" sends records
// through a rebalance to a counting sink in group "sink", so with one slot
// per worker every record crosses the network between two worker processes.
// Args: --records N --payload-bytes B. The sink reports on stderr
// `shuffle-sink {"records":N,"firstMs":T0,"lastMs":T1}`: wall-clock times
// (ms) of the first record and of the end of its input, so the bench can
// measure the transfer without job start-up and shutdown.
import { jobArgs, ParameterTool, StreamExecutionEnvironment } from "spate";

const params = ParameterTool.fromArgs(jobArgs());
const records = params.getNumber("records", 1_000_000);
const payload = "x".repeat(params.getNumber("payload-bytes", 100));

const now = () => performance.timeOrigin + performance.now();
const env = StreamExecutionEnvironment.getExecutionEnvironment();
let count = 0, firstMs = 0;
env.fromGenerator(records, (i) => ({ id: i, bidder: i % 1000, payload }))
  .slotSharingGroup("src")
  .rebalance()
  .addSink({
    invoke(r: { id: number }) {
      if (count === 0) firstMs = now();
      count += r.id >= 0 ? 1 : 0;
    },
    close() {
      const lastMs = now();
      console.error(`shuffle-sink ${JSON.stringify({ records: count, firstMs, lastMs })}`);
      if (count === 0 && records > 0) throw new Error("the sink received nothing");
    },
  }).name("Count").slotSharingGroup("sink");
await env.execute("shuffle");
